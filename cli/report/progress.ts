/**
 * "fetched 200 of 530 rows (page 2)" on one line of stderr, rewritten in place with `\r`
 * and wiped at the end, so that stdout (the report itself) stays clean when redirected.
 *
 * Only on a terminal: in a pipe, a CI log or a test the `\r` updates would be noise.
 * `reconcile` draws its own line (findings and models, from the first page) with `describe`.
 * Nothing is shown for page 1; a report that fits in one page is not a long run.
 * Erasing uses spaces rather than ANSI escapes, which every terminal understands.
 */

export interface ProgressUpdate {
  page: number;
  items: number;
  total?: number;
}

export interface Progress<U extends ProgressUpdate = ProgressUpdate> {
  readonly enabled: boolean;
  update(update: U): void;
  /** Draws `line` in place of the last one, whatever the page (e.g. before the first answer). */
  show(line: string): void;
  /** Wipes the line; the next update draws it again (e.g. after a warning was printed). */
  clear(): void;
}

export interface ProgressOptions<U extends ProgressUpdate = ProgressUpdate> {
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Default: the stream's own isTTY. */
  isTTY?: boolean;
  /** The first page that is shown. Default 2. */
  fromPage?: number;
  /** The line for an update. Default: "fetched 200 of 530 rows (page 2)". */
  describe?: (update: U) => string;
}

function describeRows({ page, items, total }: ProgressUpdate): string {
  return `fetched ${items}${total !== undefined ? ` of ${total}` : ''} rows (page ${page})`;
}

export function createProgress<U extends ProgressUpdate = ProgressUpdate>(options: ProgressOptions<U> = {}): Progress<U> {
  const stream = options.stream ?? process.stderr;
  const enabled = options.isTTY ?? stream.isTTY === true;
  const fromPage = options.fromPage ?? 2;
  const describe = options.describe ?? describeRows;
  let shown = 0;

  const show = (line: string) => {
    if (!enabled) return;
    // Padding covers the rest of a longer previous line.
    stream.write(`\r${line}${' '.repeat(Math.max(0, shown - line.length))}`);
    shown = line.length;
  };
  return {
    enabled,
    update(update) {
      if (update.page < fromPage) return;
      show(describe(update));
    },
    show,
    clear() {
      if (!enabled || shown === 0) return;
      stream.write(`\r${' '.repeat(shown)}\r`);
      shown = 0;
    },
  };
}

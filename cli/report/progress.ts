/**
 * "fetched 200 of 530 rows (page 2)" on one line of stderr, rewritten in place with `\r`
 * and wiped at the end, so that stdout (the report itself) stays clean when redirected.
 *
 * Only on a terminal: in a pipe, a CI log or a test the `\r` updates would be noise.
 * Nothing is shown for page 1; a report that fits in one page is not a long run.
 * Erasing uses spaces rather than ANSI escapes, which every terminal understands.
 */

export interface ProgressUpdate {
  page: number;
  items: number;
  total?: number;
}

export interface Progress {
  readonly enabled: boolean;
  update(update: ProgressUpdate): void;
  /** Wipes the line; the next update draws it again (e.g. after a warning was printed). */
  clear(): void;
}

export interface ProgressOptions {
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Default: the stream's own isTTY. */
  isTTY?: boolean;
  /** The first page that is shown. Default 2. */
  fromPage?: number;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.isTTY ?? stream.isTTY === true;
  const fromPage = options.fromPage ?? 2;
  let shown = 0;

  return {
    enabled,
    update({ page, items, total }) {
      if (!enabled || page < fromPage) return;
      const line = `fetched ${items}${total !== undefined ? ` of ${total}` : ''} rows (page ${page})`;
      // Padding covers the rest of a longer previous line.
      stream.write(`\r${line}${' '.repeat(Math.max(0, shown - line.length))}`);
      shown = line.length;
    },
    clear() {
      if (!enabled || shown === 0) return;
      stream.write(`\r${' '.repeat(shown)}\r`);
      shown = 0;
    },
  };
}

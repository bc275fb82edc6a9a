import { flatten, text, type Cell, type Row } from './flatten';

/**
 * Report output formats.
 *
 * - csv: RFC 4180 quoting (a field holding a comma, a double quote, CR or LF is quoted, its
 *   quotes doubled) with a header row, but LF line ends rather than the RFC's CRLF: the
 *   output goes to files and pipes on Unix-like systems, and every CSV reader accepts LF.
 *   Values are written as they are; nothing is prefixed to defuse spreadsheet formulas,
 *   since that would change the data for every other consumer.
 * - table: aligned plain text for a terminal; cells longer than `maxCellWidth` (60) are cut
 *   with "…" and line breaks shown as spaces. Columns of numbers are right-aligned.
 * - markdown: a GitHub table; `|` is escaped and line breaks become `<br>`.
 * - json: the full merged `data`, pretty-printed: nothing flattened, nothing left out.
 *
 * Every format ends with a newline.
 */

export const REPORT_FORMATS = ['table', 'csv', 'json', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export interface FormatOptions {
  /** What `json` prints; without it, `json` prints the rows. */
  data?: unknown;
  /** Table cells longer than this are truncated. Default 60. */
  maxCellWidth?: number;
}

const DEFAULT_MAX_CELL_WIDTH = 60;

export function formatRows(rows: Row[], columns: string[], format: ReportFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'csv':
      return formatCsv(rows, columns);
    case 'table':
      return formatTable(rows, columns, options.maxCellWidth ?? DEFAULT_MAX_CELL_WIDTH);
    case 'markdown':
      return formatMarkdown(rows, columns);
    case 'json':
      return `${JSON.stringify(options.data !== undefined ? options.data : rows, null, 2)}\n`;
  }
}

/** Flattens `data` and formats it: what `modelgraph report` prints. */
export function formatData(data: unknown, format: ReportFormat, options: Omit<FormatOptions, 'data'> = {}): string {
  const { rows, columns } = flatten(data);
  return formatRows(rows, columns, format, { ...options, data });
}

function formatCsv(rows: Row[], columns: string[]): string {
  if (!columns.length) return '';
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(text(row[c]))).join(','));
  return `${lines.join('\n')}\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function formatTable(rows: Row[], columns: string[], maxCellWidth: number): string {
  if (!columns.length || !rows.length) return '(no rows)\n';
  const cells = rows.map((row) => columns.map((c) => tableCell(row[c], maxCellWidth)));
  const header = columns.map((c) => tableCell(c, maxCellWidth));
  const widths = columns.map((_, i) => Math.max(width(header[i]), ...cells.map((r) => width(r[i]))));
  const numeric = columns.map((c) => rows.some((r) => r[c] !== null) && rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? pad(v, widths[i], 'start') : pad(v, widths[i], 'end')))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
}

function tableCell(cell: Cell | undefined, maxWidth: number): string {
  const value = text(cell).replace(/\r\n|\r|\n/g, ' ');
  // Code points, not UTF-16 units, so that an emoji is not cut in half.
  const chars = Array.from(value);
  return chars.length > maxWidth ? `${chars.slice(0, Math.max(0, maxWidth - 1)).join('')}…` : value;
}

function width(value: string): number {
  return Array.from(value).length;
}

function pad(value: string, to: number, side: 'start' | 'end'): string {
  const fill = ' '.repeat(Math.max(0, to - width(value)));
  return side === 'start' ? fill + value : value + fill;
}

function formatMarkdown(rows: Row[], columns: string[]): string {
  if (!columns.length) return '';
  const line = (values: string[]) => `| ${values.join(' | ')} |`;
  const lines = [line(columns.map(markdownCell)), line(columns.map(() => '---'))];
  for (const row of rows) lines.push(line(columns.map((c) => markdownCell(text(row[c])))));
  return `${lines.join('\n')}\n`;
}

function markdownCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, '<br>');
}

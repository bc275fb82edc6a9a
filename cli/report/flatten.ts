/**
 * Turns a GraphQL result into rows and columns for CSV, tables and Markdown.
 *
 * The rules, so that a report's columns can be predicted from its query:
 *
 * 1. Row source. The data is walked depth-first in response order (the order the query
 *    selects fields). The row source is the first connection met (an object with a `nodes`
 *    list, or else with an `edges` list, whose rows are each edge's `node`; other edge
 *    fields such as `cursor` are pagination plumbing and are dropped) or the first list
 *    whose elements are objects. When there is neither, the first list of any kind is used
 *    (a list of scalars gives one row per value, in a column named after the list). When
 *    the data holds no list at all, it is one row: the whole data flattened. Fields outside
 *    the row source (`totalCount`, `pageInfo`, ...) are not in the rows; `--format json`
 *    keeps everything.
 * 2. Nested objects become dotted columns: `owner.email`.
 * 3. A list inside a row becomes one cell per leaf field, the elements' values joined with
 *    "; " in list order: `versions: [{version: 3}, {version: 2}]` gives the column
 *    `versions.version` = `3; 2`, a list of scalars `tags` = `a; b`. An element without a
 *    value keeps its (empty) slot, so that the n-th value of `versions.version` and of
 *    `versions.stage` belong to the same version. A cell whose slots are all empty is empty.
 * 4. Lists inside list elements are joined with ", " so that "; " always separates the
 *    outer elements: `versions.aliases` = `champion, blue; ; staging`. An empty last slot is written
 *    without the separator's trailing space: `Production; Staging;`.
 * 5. null is an empty cell. A null object or an empty list has no leaf fields of its own,
 *    so it leaves the dotted columns other rows have for it empty; it only gets a column of
 *    its own name (empty) when no row has anything under it.
 * 6. Columns are in first-seen order across rows, except that a column first seen in a later
 *    row is placed with the columns of its nearest parent already shown (`owner.email`
 *    next to `owner.name`), not at the far end.
 */

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export interface FlatTable {
  rows: Row[];
  columns: string[];
}

export interface RowSource {
  /** Response keys from `data` to the list (`['models', 'nodes']`). */
  path: string[];
  items: unknown[];
}

const OUTER_SEPARATOR = '; ';
const INNER_SEPARATOR = ', ';

export function flatten(data: unknown): FlatTable {
  if (data === null || data === undefined) return { rows: [], columns: [] };
  const source = findRowSource(data);
  const flat: Array<Map<string, Cell>> = [];
  if (source) {
    const scalarColumn = source.path.length ? source.path[source.path.length - 1] : 'value';
    for (const item of source.items) {
      const cells = new Map<string, Cell>();
      flattenValue(item, isObject(item) ? '' : scalarColumn, cells, false);
      flat.push(cells);
    }
  } else {
    const cells = new Map<string, Cell>();
    flattenValue(data, isObject(data) ? '' : 'value', cells, false);
    flat.push(cells);
  }
  const columns = orderColumns(flat);
  const rows = flat.map((cells) => {
    // No prototype: a response key like `constructor` must be a plain column.
    const row = Object.create(null) as Row;
    for (const column of columns) row[column] = cells.get(column) ?? null;
    return row;
  });
  return { rows, columns };
}

/** The list that becomes the rows (rule 1), or undefined when the data holds no list. */
export function findRowSource(data: unknown): RowSource | undefined {
  let firstList: RowSource | undefined;
  const walk = (value: unknown, path: string[]): RowSource | undefined => {
    if (Array.isArray(value)) {
      if (value.some(isObject)) return { path, items: value };
      firstList ??= { path, items: value };
      return undefined;
    }
    if (!isObject(value)) return undefined;
    if (Array.isArray(value.nodes)) return { path: [...path, 'nodes'], items: value.nodes };
    if (Array.isArray(value.edges)) {
      return {
        path: [...path, 'edges'],
        items: value.edges.map((edge: unknown) => (isObject(edge) && 'node' in edge ? edge.node : edge)),
      };
    }
    for (const [key, child] of Object.entries(value)) {
      const found = walk(child, [...path, key]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(data, []) ?? firstList;
}

function flattenValue(value: unknown, column: string, out: Map<string, Cell>, inList: boolean): void {
  if (value === null || value === undefined) {
    out.set(column, null);
  } else if (Array.isArray(value)) {
    flattenList(value, column, out, inList);
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) flattenValue(child, column ? `${column}.${key}` : key, out, inList);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.set(column, value);
  } else {
    out.set(column, String(value));
  }
}

function flattenList(list: unknown[], column: string, out: Map<string, Cell>, inList: boolean): void {
  const separator = inList ? INNER_SEPARATOR : OUTER_SEPARATOR;
  const elements = list.map((item) => {
    const cells = new Map<string, Cell>();
    // A null element has no fields: it only keeps its slot (empty) in every column.
    if (item !== null && item !== undefined) flattenValue(item, '', cells, true);
    return cells;
  });
  const keys = uniqueKeys(elements);
  if (!keys.length) {
    out.set(column, null);
    return;
  }
  for (const key of keys) {
    const values = elements.map((cells) => text(cells.get(key) ?? null));
    const name = key ? (column ? `${column}.${key}` : key) : column;
    out.set(name, values.every((v) => v === '') ? null : joinSlots(values, separator));
  }
}

/** `a; b; ` would end in a space nobody can see: the last empty slot is kept as `a; b;`. */
function joinSlots(values: string[], separator: string): string {
  const joined = values.join(separator);
  return values[values.length - 1] === '' ? joined.slice(0, joined.length - separator.length) + separator.trimEnd() : joined;
}

function uniqueKeys(maps: Array<Map<string, Cell>>): string[] {
  const keys = new Set<string>();
  for (const map of maps) for (const key of map.keys()) keys.add(key);
  return [...keys];
}

/** Rules 5 and 6: placeholder columns dropped, late columns placed with their parent's. */
function orderColumns(rows: Array<Map<string, Cell>>): string[] {
  const columns: string[] = [];
  const known = new Set<string>();
  for (const row of rows) {
    for (const column of row.keys()) {
      if (known.has(column)) continue;
      known.add(column);
      columns.splice(insertionIndex(columns, column), 0, column);
    }
  }
  return columns.filter(
    (column) =>
      !(rows.every((row) => isEmpty(row.get(column))) && columns.some((other) => other.startsWith(`${column}.`))),
  );
}

function insertionIndex(columns: string[], column: string): number {
  const parts = column.split('.');
  for (let n = parts.length - 1; n > 0; n--) {
    const parent = parts.slice(0, n).join('.');
    let last = -1;
    columns.forEach((c, i) => {
      if (c === parent || c.startsWith(`${parent}.`)) last = i;
    });
    if (last >= 0) return last + 1;
  }
  return columns.length;
}

/** A cell as text: what CSV, tables and Markdown print. */
export function text(cell: Cell | undefined): string {
  return cell === null || cell === undefined ? '' : String(cell);
}

function isEmpty(cell: Cell | undefined): boolean {
  return cell === null || cell === undefined || cell === '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

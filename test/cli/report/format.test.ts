import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flatten } from '../../../cli/report/flatten';
import { formatData, formatRows, type ReportFormat } from '../../../cli/report/format';
import { INVENTORY_DATA } from './inventory-fixture';

const GOLDEN = join(__dirname, 'golden');

/** UPDATE_GOLDEN=1 npx jest test/cli/report rewrites the files after an intended change. */
function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  // A missing golden file fails rather than being written, so that CI cannot pass vacuously.
  expect(existsSync(path)).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('report formats (golden files)', () => {
  const cases: Array<[ReportFormat, string]> = [
    ['csv', 'inventory.csv'],
    ['json', 'inventory.json'],
    ['markdown', 'inventory.md'],
    ['table', 'inventory.txt'],
  ];
  it.each(cases)('%s matches golden/%s', (format, file) => {
    expectGolden(file, formatData(INVENTORY_DATA, format));
  });
});

describe('csv', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and ends lines with LF', () => {
    const out = formatRows(
      [{ a: 'x,y', b: 'say "hi"', c: 'two\nlines', d: 'cr\rhere', e: 'plain', f: null }],
      ['a', 'b', 'c', 'd', 'e', 'f'],
      'csv',
    );
    expect(out).toBe('a,b,c,d,e,f\n"x,y","say ""hi""","two\nlines","cr\rhere",plain,\n');
  });

  it('prints the header alone when there are no rows', () => {
    expect(formatRows([], ['key'], 'csv')).toBe('key\n');
  });
});

describe('table', () => {
  it('truncates long cells with … and right-aligns numbers', () => {
    const out = formatRows([{ k: 'x'.repeat(80), n: 7 }, { k: 'short', n: 1234 }], ['k', 'n'], 'table');
    const lines = out.trimEnd().split('\n');
    expect(lines[2]).toBe(`${'x'.repeat(59)}…     7`);
    expect(lines[3]).toBe(`short${' '.repeat(55)}  1234`);
  });

  it('says so when there are no rows', () => {
    expect(formatRows([], ['key'], 'table')).toBe('(no rows)\n');
  });
});

describe('markdown', () => {
  it('escapes pipes and turns line breaks into <br>', () => {
    expect(formatRows([{ a: 'x | y', b: 'one\ntwo' }], ['a', 'b'], 'markdown')).toBe(
      '| a | b |\n| --- | --- |\n| x \\| y | one<br>two |\n',
    );
  });
});

describe('json', () => {
  it('prints the whole data, not the rows', () => {
    const out = formatData(INVENTORY_DATA, 'json');
    expect(JSON.parse(out)).toEqual(INVENTORY_DATA);
    expect(out).toContain('"totalCount": 3');
    const { rows, columns } = flatten(INVENTORY_DATA);
    expect(formatRows(rows, columns, 'json', { data: { x: 1 } })).toBe('{\n  "x": 1\n}\n');
  });
});

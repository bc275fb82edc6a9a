import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReportArgs, ReportUsageError, runReport } from '../../../cli/report';
import { startGraphqlServer, type SeenRequest } from './graphql-server';
import { captureStream } from './streams';

function reportFile(query: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'modelgraph-report-')), 'report.graphql');
  writeFileSync(path, query);
  return path;
}

describe('parseReportArgs', () => {
  it('reads the file, repeated --var, --format, --endpoint and --out', () => {
    expect(
      parseReportArgs(['r.graphql', '--var', 'a=1', '--var', 'b=x=y', '--format', 'csv', '--endpoint', 'http://127.0.0.1:4000/graphql', '--out', 'o.csv']),
    ).toEqual({ file: 'r.graphql', vars: ['a=1', 'b=x=y'], format: 'csv', endpoint: 'http://127.0.0.1:4000/graphql', out: 'o.csv' });
    expect(parseReportArgs(['r.graphql'])).toEqual({ file: 'r.graphql', vars: [], format: 'table' });
  });

  it.each([
    [[], /missing the report file/],
    [['a.graphql', 'b.graphql'], /expected one report file/],
    [['r.graphql', '--format', 'xml'], /--format must be one of table, csv, json, markdown, got "xml"/],
    [['r.graphql', '--var', 'novalue'], /--var expects NAME=VALUE/],
    [['r.graphql', '--var', '=3'], /--var expects NAME=VALUE/],
    [['r.graphql', '--frob'], /Unknown option '--frob'/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseReportArgs(argv as string[])).toThrow(ReportUsageError);
    expect(() => parseReportArgs(argv as string[])).toThrow(message);
  });
});

describe('runReport --var', () => {
  const QUERY = `query($key: ID!, $version: String, $first: Int, $exact: Boolean, $filter: ModelFilter, $stage: Stage, $after: String) {
    models(first: $first, filter: $filter, after: $after) { nodes { key } }
  }`;

  async function sentVariables(vars: string[]): Promise<{ code: number; seen?: SeenRequest; stderr: string }> {
    const s = await startGraphqlServer(() => ({ body: { data: { models: { nodes: [{ key: 'a' }] } } } }));
    const stderr = captureStream();
    try {
      const code = await runReport({ file: reportFile(QUERY), vars, format: 'json', endpoint: s.url, stdout: captureStream(), stderr });
      return { code, seen: s.requests[0], stderr: stderr.text() };
    } finally {
      await s.close();
    }
  }

  it('parses JSON values, but gives String and ID variables the text as it is', async () => {
    const { code, seen } = await sentVariables([
      'key=007',
      'version=3',
      'first=25',
      'exact=true',
      'filter={"search":"fraud","sourceKind":"MLFLOW"}',
      'stage=Production',
    ]);
    expect(code).toBe(0);
    expect(seen?.variables).toEqual({
      key: '007',
      version: '3',
      first: 25,
      exact: true,
      filter: { search: 'fraud', sourceKind: 'MLFLOW' },
      stage: 'Production',
    });
  });

  it.each([
    [['key=a', 'bogus'], /--var expects NAME=VALUE/],
    [['key=a', 'nope=1'], /declares no variable \$nope \(declared: \$key, \$version/],
    [[], /needs --var key=…/],
  ])('exits 2 for %j before asking the graph', async (vars, message) => {
    const { code, seen, stderr } = await sentVariables(vars);
    expect(code).toBe(2);
    expect(seen).toBeUndefined();
    expect(stderr).toMatch(message);
  });
});

describe('runReport usage problems', () => {
  const endpoint = 'http://127.0.0.1:9/graphql';
  async function run(file: string, format = 'table') {
    const stderr = captureStream();
    const code = await runReport({ file, vars: [], format: format as 'table', endpoint, stdout: captureStream(), stderr });
    return { code, stderr: stderr.text() };
  }

  it('exits 2 for a missing file, a query that does not parse, a mutation or an unknown format', async () => {
    await expect(run('/nonexistent/report.graphql')).resolves.toEqual({
      code: 2,
      stderr: 'modelgraph report: cannot read the report file /nonexistent/report.graphql: no such file\n',
    });
    const broken = await run(reportFile('query { models { '));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('the query does not parse: Syntax Error');
    const mutation = await run(reportFile('mutation { reset }'));
    expect(mutation).toEqual({ code: 2, stderr: expect.stringContaining('reports run queries only, this is a mutation') });
    expect((await run(reportFile('{ models { nodes { key } } }'), 'xml')).code).toBe(2);
  });
});

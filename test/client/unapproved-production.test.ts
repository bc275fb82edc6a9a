import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';
import { freePort } from '../helpers/free-port';

/**
 * examples/unapproved-production.ts, run as a user runs it: compiled (by `npm test`'s pretest
 * build), as a child process, against the demo graph. The findings it must print are read
 * from the graph here with a query of the test's own.
 */

const SCRIPT = join(__dirname, '..', '..', 'dist', 'examples', 'unapproved-production.js');

let sandbox: Sandbox;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  stack = await startDemoGraph(sandbox);
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

/** Asynchronous: the graph answering the script lives in this process's event loop. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code?: number; stdout: string; stderr: string }) => ({ code: err.code ?? -1, stdout: err.stdout, stderr: err.stderr }),
  );
}

async function unapprovedModelKeys(url: string): Promise<string[]> {
  const { data, errors } = await postGraphql(
    url,
    '{ findings(rule: PRODUCTION_WITHOUT_APPROVAL, first: 500) { pageInfo { hasNextPage } nodes { rule model { key } } } }',
  );
  expect(errors).toBeUndefined();
  expect(data.findings.pageInfo.hasNextPage).toBe(false);
  for (const node of data.findings.nodes) expect(node.rule).toBe('PRODUCTION_WITHOUT_APPROVAL');
  return data.findings.nodes.map((n: { model: { key: string } | null }) => n.model?.key ?? '(no model)');
}

describe('examples/unapproved-production', () => {
  it('lists every model in production without an approval and exits 1', async () => {
    const expected = await unapprovedModelKeys(stack.graphqlUrl);
    expect(expected.length).toBeGreaterThan(0);

    const result = await run(['--endpoint', stack.graphqlUrl]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header).toBe(`${expected.length} model(s) in production without an approval (${stack.graphqlUrl}):`);
    expect(rows.map((row) => row.split('\t')[0]).sort()).toEqual([...expected].sort());
    for (const row of rows) {
      const [, severity, owners, message] = row.split('\t');
      expect(severity).toMatch(/^(HIGH|MEDIUM|LOW)$/);
      expect(owners).toBeTruthy();
      expect(message).toBeTruthy();
    }
  });

  it('reads the endpoint from MODELGRAPH_ENDPOINT and exits 0 when no model is unapproved', async () => {
    const quiet = await startDemoGraph(sandbox, { governance: { rules: { PRODUCTION_WITHOUT_APPROVAL: { enabled: false } } } });
    try {
      expect(await unapprovedModelKeys(quiet.graphqlUrl)).toEqual([]);
      const result = await run([], { MODELGRAPH_ENDPOINT: quiet.graphqlUrl });
      expect(result).toEqual({ code: 0, stdout: `no model in production without an approval (${quiet.graphqlUrl})\n`, stderr: '' });
    } finally {
      await quiet.close();
    }
  });

  it('exits 2 naming the endpoint when the graph cannot be reached, and on a bad option', async () => {
    const url = `http://127.0.0.1:${await freePort()}/graphql`;
    const unreachable = await run(['--endpoint', url]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr).toContain(`cannot reach ${url}`);

    const bad = await run(['--frob']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--frob'/);
  });
});

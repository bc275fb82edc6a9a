import { parseReconcileArgs, runReconcile } from '../../cli/reconcile';
import { startGraphqlServer } from './report/graphql-server';
import { captureStream } from './report/streams';

function finding(model: string, n: number) {
  return {
    fingerprint: `${model}-${n}`.padEnd(16, '0'),
    rule: 'NO_OWNER',
    severity: 'LOW',
    message: `finding ${n} of ${model}`,
    evidence: null,
    waiver: null,
    model: { key: model },
  };
}

/** Two pages of findings: 3, then 2. */
const PAGES = [
  { nodes: [finding('a', 1), finding('a', 2), finding('b', 1)], pageInfo: { hasNextPage: true, endCursor: 'c1' } },
  { nodes: [finding('b', 2), finding('c', 1)], pageInfo: { hasNextPage: false, endCursor: 'c2' } },
];

async function reconcileOn(isTTY: boolean) {
  // 40 models checked, whatever page: the gateway evaluates every model before the first answer.
  const server = await startGraphqlServer((_request, index) => ({ body: { data: { findings: { totalCount: 5, modelsChecked: 40, ...PAGES[index] } } } }));
  try {
    const stdout = captureStream();
    const stderr = captureStream(isTTY);
    const code = await runReconcile({ ...parseReconcileArgs(['--endpoint', server.url]), endpoint: server.url }, { stdout, stderr });
    return { code, stdout: stdout.text(), stderr: stderr.text(), requests: server.requests.length };
  } finally {
    await server.close();
  }
}

describe('reconcile progress', () => {
  it('on a terminal, shows the models checked and the pages walked, then wipes the line', async () => {
    const run = await reconcileOn(true);
    expect(run.requests).toBe(2);
    expect(run.code).toBe(0);
    const first = 'checking the models for findings...';
    const page1 = 'checked 40 models, read 3 of 5 findings (page 1)';
    const page2 = 'checked 40 models, read 5 of 5 findings (page 2)';
    expect(run.stderr).toBe(
      `\r${first}` +
        `\r${page1}` +
        `\r${page2}` +
        `\r${' '.repeat(page2.length)}\r`,
    );
    expect(run.stdout).toContain('5 findings (0 high, 0 medium, 5 low)');
  });

  it('is quiet when stderr is no terminal', async () => {
    const run = await reconcileOn(false);
    expect(run.requests).toBe(2);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('5 findings (0 high, 0 medium, 5 low)');
  });
});

import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { FAIL_FAST, postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * Stale answers say so: a value served from a cache entry past its TTL — while the source is
 * refreshed, or because it failed — is reported per source in `extensions.freshness`.
 */

let sandbox: Sandbox;
let stack: Stack;

const QUERY = '{ models(first: 100, filter: { sourceInstance: "research" }) { nodes { key } } }';

beforeAll(async () => {
  sandbox = await startSandbox({ models: 12 });
  stack = await startDemoGraph(sandbox, {
    // One second fresh: the test waits it out once; stale for long after.
    cache: { ttlSeconds: 1, staleSeconds: 300 },
    sources: (s) => ({ ...s, mlflow: s.mlflow.map((m) => ({ ...m, ...FAIL_FAST })) }),
  });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

async function post(query: string) {
  const res = await fetch(stack.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: any[]; extensions?: Record<string, any> };
}

describe('extensions.freshness', () => {
  it('is absent from an answer of fresh values', async () => {
    const first = await post(QUERY);
    expect(first.errors).toBeUndefined();
    expect(first.extensions?.freshness).toBeUndefined();
    const again = await post(QUERY);
    expect(again.extensions?.freshness).toBeUndefined();
  });

  it('names the source whose stale entry was served while it failed, with the entry age, and the answer keeps its data', async () => {
    const before = await post(QUERY);
    const keys = before.data.models.nodes.map((n: { key: string }) => n.key);
    expect(keys.length).toBeGreaterThan(0);
    // Past the TTL: the next lookup serves the entry stale and refreshes it in the background.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    sandbox.mlflow.research.faults.down = true;
    try {
      const stale = await post(QUERY);
      expect(stale.errors).toBeUndefined();
      expect(stale.data.models.nodes.map((n: { key: string }) => n.key)).toEqual(keys);
      expect(stale.extensions?.freshness?.['mlflow:research']).toEqual({ stale: true, ageSeconds: expect.any(Number) });
      expect(stale.extensions!.freshness['mlflow:research'].ageSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      sandbox.mlflow.research.faults.down = false;
    }
  });

  it('Query.sources gives the last successful fetch', async () => {
    const answer = await postGraphql(stack.graphqlUrl, '{ sources { name lastSuccessAt } }');
    const research = answer.data.sources.find((s: { name: string }) => s.name === 'mlflow:research');
    expect(Date.parse(research.lastSuccessAt)).not.toBeNaN();
  });
});

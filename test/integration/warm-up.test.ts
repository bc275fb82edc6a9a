import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { FAIL_FAST, postGraphql, startDemoGraph, upstreamCalls } from '../helpers/demo-graph';
import { waitFor } from '../helpers/wait-for';

/**
 * `cache.warmUp`: the registries' listings and deployments and the governance index (which
 * `Person.ownedModels` reads too) are read at start-up, so the first query does not wait.
 */

// What the linking, the cross-model filters and the governance index need, nothing per page.
const FIRST_QUERY = /* GraphQL */ `
  {
    models(first: 5, filter: { deployed: true }) { totalCount nodes { key deployments { id status } } }
    findings(first: 3) { totalCount nodes { rule model { key } } }
    deployments { id }
  }
`;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ models: 40 });
});
afterAll(() => sandbox.close());

async function firstQueryCalls(stack: Stack): Promise<number> {
  for (const s of sandbox.all()) s.stats.reset();
  const body = await postGraphql(stack.graphqlUrl, FIRST_QUERY);
  expect(body.errors).toBeUndefined();
  expect((body.data as { models: { totalCount: number } }).models.totalCount).toBeGreaterThan(0);
  return upstreamCalls(sandbox);
}

describe('cache.warmUp', () => {
  it('reads listings, deployments and the indexes at start-up: the first query calls no upstream', async () => {
    const stack = await startDemoGraph(sandbox, { cache: { ttlSeconds: 300, staleSeconds: 600, warmUp: true, responses: { enabled: false } } });
    try {
      await stack.warmedUp;
      expect(await firstQueryCalls(stack)).toBe(0);
    } finally {
      await stack.close();
    }
  });

  it('without it, the first query pays for them', async () => {
    const stack = await startDemoGraph(sandbox, { cache: { ttlSeconds: 300, staleSeconds: 600, warmUp: false, responses: { enabled: false } } });
    try {
      await stack.warmedUp;
      expect(await firstQueryCalls(stack)).toBeGreaterThan(10);
    } finally {
      await stack.close();
    }
  });

  it('/readyz answers 503 "warming up" until the first round is done, then 200; /graphql answers meanwhile', async () => {
    // Vertex AI answers after 1.5 s: the first round cannot be done before the probes below.
    sandbox.vertex.prod.faults.latencyMs = 1_500;
    const stack = await startDemoGraph(sandbox, { cache: { ttlSeconds: 300, staleSeconds: 600, warmUp: true, responses: { enabled: false } } });
    try {
      const readyz = stack.graphqlUrl.replace(/\/graphql$/, '/readyz');
      const early = await fetch(readyz);
      expect([early.status, await early.json()]).toEqual([503, { status: 'warming up' }]);
      // A client that does not wait for readiness is still answered.
      expect((await postGraphql(stack.graphqlUrl, '{ models(first: 1) { totalCount } }')).errors).toBeUndefined();
      await stack.warmedUp;
      const ready = await fetch(readyz);
      expect([ready.status, ((await ready.json()) as { status: string }).status]).toEqual([200, 'ready']);
    } finally {
      sandbox.vertex.prod.faults.latencyMs = 0;
      await stack.close();
    }
  });

  it('a source down at start-up is asked again next round', async () => {
    sandbox.vertex.prod.faults.failRate = 1;
    const stack = await startDemoGraph(sandbox, {
      cache: { ttlSeconds: 4, staleSeconds: 60, warmUp: true, responses: { enabled: false } },
      sources: (s) => ({ ...s, vertex: s.vertex.map((v) => ({ ...v, ...FAIL_FAST })) }),
    });
    try {
      await stack.warmedUp;
      sandbox.vertex.prod.faults.failRate = 0;
      for (const s of sandbox.all()) s.stats.reset();
      // The next round comes a quarter of the ttl (1 s) later, and lists Vertex AI again.
      await waitFor(() => sandbox.vertex.prod.stats.total > 0, { timeoutMs: 5_000, intervalMs: 25, what: 'vertex listed again' });
    } finally {
      sandbox.vertex.prod.faults.failRate = 0;
      await stack.close();
    }
  });
});

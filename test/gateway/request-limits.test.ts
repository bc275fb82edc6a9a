import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph, upstreamCalls } from '../helpers/demo-graph';

/**
 * What one request may spend while it runs: a budget of upstream calls and a deadline,
 * carried from the gateway to every subgraph in the signed request. Past either, the
 * answer comes back with what was fetched and an error per source that was cut.
 */

const PAGE = `{
  models(first: 8) {
    nodes {
      key
      versions { version ... on MlflowModelVersion { run { id commit { sha } } } }
      tickets { key }
      repository { url }
    }
  }
}`;

describe('the upstream call budget', () => {
  let sandbox: Sandbox;
  let stack: Stack;
  beforeAll(async () => {
    sandbox = await startSandbox({ models: 8 });
    // No cache: every request pays for its own calls.
    stack = await startDemoGraph(sandbox, { cache: { ttlSeconds: 0, staleSeconds: 0 }, server: { limits: { upstreamCallBudget: 5 } } });
  });
  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  it('stops a request at its budget, names the budget, and keeps what was fetched', async () => {
    const before = upstreamCalls(sandbox);
    const body = await postGraphql(stack.graphqlUrl, PAGE);
    const spent = upstreamCalls(sandbox) - before;
    const budget = body.errors!.filter((e) => e.extensions.code === 'REQUEST_BUDGET_EXCEEDED');
    expect(budget.length).toBeGreaterThan(0);
    expect(budget[0].message).toMatch(/budget \(\d+ calls?\) is spent/);
    // The listing came within budget: the models are there, the later fields are cut.
    expect(body.data.models.nodes.length).toBe(8);
    // Each subgraph fetch gets what is left when it starts; parallel fetches may share a remainder.
    expect(spent).toBeLessThanOrEqual(5 * 5);
  });

  it('lets the same query through with a budget large enough', async () => {
    const roomy = await startDemoGraph(sandbox, { cache: { ttlSeconds: 0, staleSeconds: 0 }, server: { limits: { upstreamCallBudget: 0 } } });
    try {
      const body = await postGraphql(roomy.graphqlUrl, PAGE);
      expect(body.errors).toBeUndefined();
    } finally {
      await roomy.close();
    }
  });
});

describe('the request deadline', () => {
  let sandbox: Sandbox;
  let stack: Stack;
  beforeAll(async () => {
    sandbox = await startSandbox({ models: 8 });
    stack = await startDemoGraph(sandbox, {
      cache: { ttlSeconds: 0, staleSeconds: 0 },
      server: { limits: { requestTimeoutMs: 1_500 } },
    });
  });
  afterAll(async () => {
    for (const s of sandbox.all()) s.faults.latencyMs = 0;
    await stack?.close();
    await sandbox?.close();
  });

  it('answers at the deadline with the fast sources\' data and a timeout naming the slow one', async () => {
    // Jira answers after 20 s, far past the request's 1.5 s; its retry budget alone would wait longer.
    sandbox.jira.corp.faults.latencyMs = 20_000;
    const body = await postGraphql(stack.graphqlUrl, '{ models(first: 3) { nodes { key tickets { key } } } }');
    expect(body.data.models.nodes.map((m: { key: string }) => m.key)).toHaveLength(3);
    expect(body.data.models.nodes.every((m: { tickets: unknown }) => m.tickets === null)).toBe(true);
    const timeouts = body.errors!.filter((e) => e.extensions.code === 'SOURCE_TIMEOUT');
    expect(timeouts.map((e) => e.extensions.source)).toContain('jira:corp');
  });
});

import { randomBytes } from 'node:crypto';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { hashApiKey } from '../../gateway/auth/authenticate';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { FAIL_FAST, startDemoGraph, upstreamCalls } from '../helpers/demo-graph';

/**
 * The gateway's response cache (gateway/response-cache): a repeated query is answered
 * without a subgraph fetch; callers who may see different things never share an entry; an
 * answer with errors is never kept; an answer lives no longer than the source cache entries
 * it was built from, so a refresh with different content is what the next query sees.
 *
 * Fetches are counted, not timed: `modelgraph_subgraph_fetches_total` of the process's registry.
 */

const KEYS = {
  none: 'mgk_scopeless-0000000000000000000000000000',
  jira: 'mgk_jira-reader-000000000000000000000000000',
  jira2: 'mgk_jira-reader-two-000000000000000000000000',
  all: 'mgk_everything-00000000000000000000000000000',
};

const AUTH = {
  mode: 'required',
  apiKeys: [
    { name: 'scopeless', hash: hashApiKey(KEYS.none), scopes: [] },
    { name: 'jira-reader', hash: hashApiKey(KEYS.jira), scopes: ['jira:read'] },
    { name: 'jira-reader-two', hash: hashApiKey(KEYS.jira2), scopes: ['jira:read'] },
    { name: 'everything', hash: hashApiKey(KEYS.all), scopes: ['jira:read', 'mlflow:read', 'admin'] },
  ],
};

const MODEL_PAGE = `query Page($instance: String!) {
  models(first: 100, filter: { sourceInstance: $instance }) {
    nodes { key name registered { description } deployments { id } tickets { key } }
  }
}`;

interface Answer {
  status: number;
  age: string | null;
  data?: any;
  errors?: any[];
  extensions?: Record<string, any>;
}

async function post(stack: Stack, apiKey: string | undefined, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<Answer, 'status' | 'age'>;
  return { status: res.status, age: res.headers.get('age'), ...body };
}

/** Every fetch the gateway has made to a subgraph so far. */
async function subgraphFetches(stack: Stack): Promise<number> {
  const metric = stack.runtime.metrics?.getSingleMetric('modelgraph_subgraph_fetches_total');
  if (!metric) throw new Error('metrics are off');
  return (await metric.get()).values.reduce((n, v) => n + v.value, 0);
}

/** Runs `ask` and says how many subgraph fetches it cost. */
async function counting<T>(stack: Stack, ask: () => Promise<T>): Promise<{ answer: T; fetches: number }> {
  const before = await subgraphFetches(stack);
  const answer = await ask();
  return { answer, fetches: (await subgraphFetches(stack)) - before };
}

describe('with a source cache as in production', () => {
  let sandbox: Sandbox;
  let stack: Stack;

  beforeAll(async () => {
    sandbox = await startSandbox({ models: 12 });
    stack = await startDemoGraph(sandbox, {
      server: { auth: AUTH },
      sources: (s) => ({ ...s, jira: s.jira.map((j) => ({ ...j, ...FAIL_FAST })) }),
    });
  });

  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  it('answers the second identical query from the cache: no subgraph fetch, no upstream call, the same data', async () => {
    const first = await counting(stack, () => post(stack, KEYS.all, MODEL_PAGE, { instance: 'prod' }));
    expect(first.answer.errors).toBeUndefined();
    expect(first.answer.data.models.nodes.length).toBeGreaterThan(0);
    expect(first.fetches).toBeGreaterThan(0);
    expect(first.answer.extensions?.responseCache).toBeUndefined();
    expect(first.answer.age).toBeNull();

    const upstreamBefore = upstreamCalls(sandbox);
    const again = await counting(stack, () => post(stack, KEYS.all, MODEL_PAGE, { instance: 'prod' }));
    expect(again.fetches).toBe(0);
    expect(upstreamCalls(sandbox)).toBe(upstreamBefore);
    expect(again.answer.data).toEqual(first.answer.data);
    expect(again.answer.extensions?.responseCache).toEqual({ hit: true });
    expect(Number(again.answer.age)).toBeGreaterThanOrEqual(0);
  });

  it('keeps answers to different variables apart', async () => {
    await post(stack, KEYS.all, MODEL_PAGE, { instance: 'prod' });
    const other = await counting(stack, () => post(stack, KEYS.all, MODEL_PAGE, { instance: 'research' }));
    expect(other.fetches).toBeGreaterThan(0);
    expect(other.answer.extensions?.responseCache).toBeUndefined();
    const keys = (a: Answer) => a.data.models.nodes.map((n: { key: string }) => n.key);
    const prod = await post(stack, KEYS.all, MODEL_PAGE, { instance: 'prod' });
    expect(keys(other.answer)).not.toEqual(keys(prod));
  });

  it('never serves a field to a caller who may not see it from the entry of one who may', async () => {
    const query = '{ model(key: "fraud-detector") { key tickets { key } } }';
    const allowed = await post(stack, KEYS.all, query);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data.model.tickets.length).toBeGreaterThan(0);
    expect((await post(stack, KEYS.all, query)).extensions?.responseCache).toEqual({ hit: true });

    const refused = await counting(stack, () => post(stack, KEYS.none, query));
    expect(refused.answer.extensions?.responseCache).toBeUndefined();
    expect(refused.answer.data.model.tickets).toBeNull();
    expect(refused.answer.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'Model.tickets' } });
  });

  it('shares an entry between callers whose scopes are the same, not between callers whose scopes differ', async () => {
    const query = '{ model(key: "churn-predictor") { key tickets { key } } }';
    const first = await post(stack, KEYS.jira, query);
    expect(first.errors).toBeUndefined();
    const sameScopes = await counting(stack, () => post(stack, KEYS.jira2, query));
    expect(sameScopes.fetches).toBe(0);
    expect(sameScopes.answer.extensions?.responseCache).toEqual({ hit: true });
    const moreScopes = await counting(stack, () => post(stack, KEYS.all, query));
    expect(moreScopes.fetches).toBeGreaterThan(0);
    expect(moreScopes.answer.extensions?.responseCache).toBeUndefined();
  });

  it('does not keep an answer in which a source failed, and answers whole once it is back', async () => {
    const query = '{ jiraSearch(instance: "corp", jql: "project = RISK ORDER BY key", first: 10) { key } model(key: "fraud-detector") { key } }';
    sandbox.jira.corp.faults.down = true;
    try {
      const failed = await post(stack, KEYS.all, query);
      expect(failed.errors?.[0]).toMatchObject({ extensions: { code: 'SOURCE_UNAVAILABLE' } });
      expect(failed.data.model.key).toBe('fraud-detector');
      const again = await counting(stack, () => post(stack, KEYS.all, query));
      expect(again.answer.extensions?.responseCache).toBeUndefined();
      expect(again.fetches).toBeGreaterThan(0);
      expect(again.answer.errors?.length).toBeGreaterThan(0);
    } finally {
      sandbox.jira.corp.faults.down = false;
    }
    const healed = await post(stack, KEYS.all, query);
    expect(healed.errors).toBeUndefined();
    expect(healed.data.jiraSearch.length).toBeGreaterThan(0);
    expect((await post(stack, KEYS.all, query)).extensions?.responseCache).toEqual({ hit: true });
  });

  it('does not keep an answer authorization took fields out of', async () => {
    const query = '{ model(key: "fraud-detector") { key name tickets { key } } }';
    const first = await post(stack, KEYS.none, query);
    expect(first.errors?.length).toBeGreaterThan(0);
    const again = await counting(stack, () => post(stack, KEYS.none, query));
    expect(again.answer.errors?.length).toBeGreaterThan(0);
    expect(again.answer.extensions?.responseCache).toBeUndefined();
    expect(again.fetches).toBeGreaterThan(0);
  });

  it('keeps Query.me per caller, even between callers with the same scopes', async () => {
    const query = '{ me { id } }';
    expect((await post(stack, KEYS.jira, query)).errors).toBeUndefined();
    expect((await post(stack, KEYS.jira, query)).extensions?.responseCache).toEqual({ hit: true });
    const other = await counting(stack, () => post(stack, KEYS.jira2, query));
    expect(other.answer.extensions?.responseCache).toBeUndefined();
    expect(other.fetches).toBeGreaterThan(0);
  });

  it('never keeps the live health of Query.sources', async () => {
    const query = '{ sources { name } }';
    await post(stack, KEYS.all, query);
    const again = await counting(stack, () => post(stack, KEYS.all, query));
    expect(again.answer.extensions?.responseCache).toBeUndefined();
    expect(again.fetches).toBeGreaterThan(0);
  });
});

describe('expiry: no later than the source entries the answer was built from', () => {
  let sandbox: Sandbox;
  let stack: Stack;
  const QUERY = '{ model(key: "churn-predictor") { key registered { description } } }';

  beforeAll(async () => {
    sandbox = await startSandbox({ models: 12 });
    // One second fresh, long stale: the gateway's own bound (60 s) is far beyond the sources'.
    stack = await startDemoGraph(sandbox, { cache: { ttlSeconds: 1, staleSeconds: 300 } });
  });

  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  it('executes again once a source entry is past its TTL, and then shows the content a refresh stored', async () => {
    const first = await post(stack, undefined, QUERY);
    expect(first.errors).toBeUndefined();
    const description = first.data.model.registered.find((r: { description: string | null }) => r.description)?.description;
    expect(description).toEqual(expect.any(String));
    expect((await post(stack, undefined, QUERY)).extensions?.responseCache).toEqual({ hit: true });

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Another replica refreshed the source entries with different content (as a vendor edit
    // would give): rewrite them in the shared backend, dated now, so that they are fresh.
    const backend = stack.runtime.cache as MemoryCache;
    const entries = backend['entries'] as Map<string, { value: string }>;
    const refreshed = [...entries.keys()].filter((k) => k.includes('registered-models/get') && k.includes('churn-predictor'));
    expect(refreshed.length).toBeGreaterThan(0);
    for (const key of refreshed) {
      const stored = JSON.parse(entries.get(key)!.value) as { v: unknown; t: number };
      const changed = JSON.stringify(stored.v).split(description).join('Edited upstream.');
      await backend.set(key, JSON.stringify({ v: JSON.parse(changed), t: Date.now() }), { ttlSeconds: 300 });
    }

    const after = await counting(stack, () => post(stack, undefined, QUERY));
    expect(after.answer.errors).toBeUndefined();
    expect(after.answer.extensions?.responseCache).toBeUndefined();
    expect(after.fetches).toBeGreaterThan(0);
    expect(after.answer.data.model.registered.map((r: { description: string | null }) => r.description)).toContain('Edited upstream.');
  });

  it('does not keep an answer a source served stale', async () => {
    await post(stack, undefined, '{ models(first: 5) { nodes { key } } }');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    sandbox.mlflow.research.faults.down = true;
    try {
      const stale = await post(stack, undefined, '{ models(first: 5) { nodes { key } } }');
      expect(stale.extensions?.freshness).toBeDefined();
      const again = await counting(stack, () => post(stack, undefined, '{ models(first: 5) { nodes { key } } }'));
      expect(again.answer.extensions?.responseCache).toBeUndefined();
      expect(again.fetches).toBeGreaterThan(0);
    } finally {
      sandbox.mlflow.research.faults.down = false;
    }
  });
});

describe('turned off', () => {
  it('executes every query', async () => {
    const sandbox = await startSandbox({ models: 4 });
    const { configSchema } = await import('../../config/schema');
    expect(configSchema.parse({ cache: { responses: { enabled: false } } }).cache.responses.enabled).toBe(false);
    const stack = await startDemoGraph(sandbox, { cache: { ttlSeconds: 60, staleSeconds: 300, responses: { enabled: false } } });
    try {
      await post(stack, undefined, '{ models(first: 5) { nodes { key } } }');
      const again = await counting(stack, () => post(stack, undefined, '{ models(first: 5) { nodes { key } } }'));
      expect(again.answer.extensions?.responseCache).toBeUndefined();
      expect(again.fetches).toBeGreaterThan(0);
    } finally {
      await stack.close();
      await sandbox.close();
    }
  });
});

const REDIS_URL = process.env.REDIS_URL;
const describeRedis = REDIS_URL ? describe : describe.skip;

describeRedis('shared in Redis between gateway replicas', () => {
  it('answers from the entry another gateway stored, with no subgraph fetch of its own', async () => {
    const sandbox = await startSandbox({ models: 8 });
    const cache = { ttlSeconds: 60, staleSeconds: 300, redisUrl: REDIS_URL! };
    const one = await startDemoGraph(sandbox, { cache });
    const two = await startDemoGraph(sandbox, { cache });
    try {
      // Source entries an earlier test left in Redis may be stale, or fresh for only a moment
      // more (an answer lives no longer than the entries it was built from): prime until the
      // sources answer fresh, and try again (a new alias) when the answer expired before the
      // second gateway asked. A gateway that never shares fails every attempt.
      let outcome: { first: { answer: Answer; fetches: number }; second: { answer: Answer; fetches: number } } | undefined;
      for (let attempt = 0; attempt < 3 && !(outcome && outcome.second.fetches === 0); attempt++) {
        for (let i = 0; i < 50; i++) {
          const primed = await post(one, undefined, '{ models(first: 20) { nodes { key name } } }');
          if (primed.extensions?.freshness === undefined) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        // An alias of its own: no entry of an earlier run can answer it.
        const query = `{ run_${randomBytes(6).toString('hex')}: models(first: 20) { nodes { key name } } }`;
        const first = await counting(one, () => post(one, undefined, query));
        const second = await counting(two, () => post(two, undefined, query));
        outcome = { first, second };
      }
      const { first, second } = outcome!;
      expect(first.answer.errors).toBeUndefined();
      expect(first.answer.extensions?.responseCache).toBeUndefined();
      expect(second.fetches).toBe(0);
      expect(second.answer.extensions?.responseCache).toEqual({ hit: true });
      expect(second.answer.data).toEqual(first.answer.data);
    } finally {
      await one.close();
      await two.close();
      await sandbox.close();
    }
  });
});

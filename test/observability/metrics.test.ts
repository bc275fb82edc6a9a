import { hashApiKey, newApiKey } from '../../gateway/auth/authenticate';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';
import { scrape, sum, type Sample } from '../helpers/prometheus';
import { sandboxSources as sandboxServers } from '../bench/upstream-calls';
import { sourceName } from '../../connectors/core/source';

/**
 * /metrics of the all-in-one process after known queries: the upstream counters of each
 * source moved by exactly the requests its sandbox received, a repeated query moved only the
 * cache hit counters, and every label value is bounded (no id, no path with ids).
 */

const PORTAL_QUERY = `query PortalModel($key: ID!) {
  model(key: $key) {
    key
    refs { kind instance nativeId }
    versions { version stage source { kind instance } }
    deployments { endpointName status }
    tickets { key status }
    repository { url }
  }
}`;

/** `<kind>:<instance>` of each sandbox server, as the connectors name their source. */
function sandboxSources(sandbox: Sandbox): Array<{ source: string; requests: () => number }> {
  return sandboxServers(sandbox).map(({ source, kind, server }) => ({
    source: sourceName(kind, source.slice(source.indexOf(':') + 1)),
    requests: () => server.stats.total,
  }));
}

function delta(before: readonly Sample[], after: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  return sum(after, name, match) - sum(before, name, match);
}

describe('/metrics', () => {
  let sandbox: Sandbox;
  let stack: Stack;
  let modelKey: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ models: 6 });
    stack = await startDemoGraph(sandbox);
    modelKey = sandbox.org.models[0]!.key;
  });

  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  it('counts every upstream request per source, then only cache hits for the same query again', async () => {
    const metricsUrl = stack.metricsUrl!;
    expect(metricsUrl).toBe(`${stack.gateway.url}/metrics`);
    const sources = sandboxSources(sandbox);

    const before = await scrape(metricsUrl);
    const sentBefore = sources.map((s) => s.requests());
    const first = await postGraphql(stack.graphqlUrl, PORTAL_QUERY, { key: modelKey });
    expect(first.errors).toBeUndefined();
    expect(first.data.model.key).toBe(modelKey);
    const afterFirst = await scrape(metricsUrl);

    let upstream = 0;
    sources.forEach(({ source, requests }, i) => {
      const received = requests() - sentBefore[i]!;
      // Each source's counter moved by what its upstream received, no more, no less.
      expect({ source, counted: delta(before, afterFirst, 'modelgraph_upstream_requests_total', { source }) }).toEqual({ source, counted: received });
      upstream += received;
    });
    expect(upstream).toBeGreaterThan(0);
    // The histogram saw every attempt too.
    expect(delta(before, afterFirst, 'modelgraph_upstream_request_duration_seconds_count')).toBe(upstream);
    expect(delta(before, afterFirst, 'modelgraph_cache_lookups_total', { result: 'miss' })).toBeGreaterThan(0);
    expect(delta(before, afterFirst, 'modelgraph_graphql_operations_total', { operation_name: 'PortalModel', operation_type: 'query', outcome: 'ok' })).toBe(1);
    const fetches = delta(before, afterFirst, 'modelgraph_subgraph_fetches_total', { outcome: 'ok' });
    expect(fetches).toBeGreaterThan(0);

    // The same query again: answered whole by the gateway's response cache, no fetch at all.
    const cached = await postGraphql(stack.graphqlUrl, PORTAL_QUERY, { key: modelKey });
    expect(cached.data).toEqual(first.data);
    const afterCached = await scrape(metricsUrl);
    expect(delta(afterFirst, afterCached, 'modelgraph_response_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(delta(afterFirst, afterCached, 'modelgraph_subgraph_fetches_total')).toBe(0);
    expect(delta(afterFirst, afterCached, 'modelgraph_cache_lookups_total')).toBe(0);
    expect(delta(afterFirst, afterCached, 'modelgraph_upstream_requests_total')).toBe(0);

    // The same question in another document (a response cache miss), within the source
    // cache TTL: no upstream request, every source cache lookup a hit.
    const sentSecond = sources.map((s) => s.requests());
    const second = await postGraphql(stack.graphqlUrl, `${PORTAL_QUERY}\n`, { key: modelKey });
    expect(second.data).toEqual(first.data);
    const afterSecond = await scrape(metricsUrl);
    expect(delta(afterCached, afterSecond, 'modelgraph_response_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(sources.map((s) => s.requests())).toEqual(sentSecond);
    expect(delta(afterCached, afterSecond, 'modelgraph_upstream_requests_total')).toBe(0);
    expect(delta(afterCached, afterSecond, 'modelgraph_cache_lookups_total', { result: 'miss' })).toBe(0);
    const hits = delta(afterCached, afterSecond, 'modelgraph_cache_lookups_total', { result: 'hit' });
    expect(hits).toBeGreaterThan(0);
    expect(delta(afterCached, afterSecond, 'modelgraph_cache_lookups_total')).toBe(hits);
    expect(delta(afterCached, afterSecond, 'modelgraph_graphql_operations_total', { operation_name: 'PortalModel', outcome: 'ok' })).toBe(1);
    // One query plan, the same fetches.
    expect(delta(afterCached, afterSecond, 'modelgraph_subgraph_fetches_total', { outcome: 'ok' })).toBe(fetches);
  });

  it('counts a governance index rebuild once, however many queries read the index', async () => {
    const before = await scrape(stack.metricsUrl!);
    for (let i = 0; i < 2; i++) {
      const answer = await postGraphql(stack.graphqlUrl, '{ findings(first: 5) { totalCount } }');
      expect(answer.errors).toBeUndefined();
    }
    const after = await scrape(stack.metricsUrl!);
    expect(delta(before, after, 'modelgraph_index_rebuilds_total', { index: 'governance', outcome: 'ok' })).toBe(1);
    expect(delta(before, after, 'modelgraph_index_rebuilds_total', { outcome: 'error' })).toBe(0);
    expect(delta(before, after, 'modelgraph_index_rebuild_duration_seconds_count', { index: 'governance' })).toBe(1);
    // The build reads the sources, not the graph: the two queries are the only operations.
    expect(delta(before, after, 'modelgraph_graphql_operations_total', { outcome: 'ok' })).toBe(2);
  });

    it('labels hold no ids: routes are templates, sources are configured instances', async () => {
    const samples = await scrape(stack.metricsUrl!);
    const upstream = samples.filter((s) => s.name === 'modelgraph_upstream_requests_total');
    expect(upstream.length).toBeGreaterThan(0);
    const configured = new Set(sandboxSources(sandbox).map((s) => s.source));
    const ids = sandbox.org.models.map((m) => m.key);
    for (const { labels } of samples.filter((s) => s.name.startsWith('modelgraph_'))) {
      for (const value of Object.values(labels)) {
        expect(ids.some((id) => value.includes(id))).toBe(false);
        expect(value).not.toMatch(/[0-9a-f]{12,}|\?|https?:/);
      }
      if (labels.source !== undefined) expect(configured.has(labels.source)).toBe(true);
    }
    for (const { labels } of upstream) {
      expect(labels.route).not.toBe('other');
      expect(labels.status_class).toMatch(/^[1-5]xx$/);
    }
    // SDK operations name SageMaker's routes.
    expect(upstream.some((s) => s.labels.source === 'sagemaker:prod-us' && /^[A-Z][A-Za-z]+$/.test(s.labels.route!))).toBe(true);
  });

  it('serves Node process metrics, the breaker state and the rate limit GitHub reports', async () => {
    const samples = await scrape(stack.metricsUrl!);
    expect(sum(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sum(samples, 'modelgraph_source_circuit_state', { source: `mlflow:${Object.keys(sandbox.mlflow)[0]}`, state: 'closed' })).toBe(1);
    expect(samples.some((s) => s.name === 'modelgraph_source_rate_limit_remaining' && s.labels.source === 'github:cloud')).toBe(true);
  });
});

describe('/metrics with auth on', () => {
  const ADMIN_KEY = newApiKey();
  const READER_KEY = newApiKey();
  let sandbox: Sandbox;
  let stack: Stack;

  beforeAll(async () => {
    sandbox = await startSandbox({ models: 2 });
    stack = await startDemoGraph(sandbox, {
      server: {
        auth: {
          mode: 'required',
          apiKeys: [
            { name: 'ops', hash: hashApiKey(ADMIN_KEY), scopes: ['admin'] },
            { name: 'reader', hash: hashApiKey(READER_KEY), scopes: ['jira:read'] },
          ],
        },
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  it('needs the admin scope, and counts the operations refused before Apollo sees them', async () => {
    const refused = await fetch(stack.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(refused.status).toBe(401);
    const url = `${stack.gateway.url}/metrics`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(url, { headers: { 'x-api-key': READER_KEY } })).status).toBe(403);
    const samples = await scrape(url, { 'x-api-key': ADMIN_KEY });
    expect(sum(samples, 'modelgraph_graphql_operations_total', { outcome: 'refused' })).toBe(1);
  });
});

describe('/metrics on a metrics port', () => {
  let sandbox: Sandbox;
  let stack: Stack;

  beforeAll(async () => {
    sandbox = await startSandbox({ models: 2 });
    stack = await startDemoGraph(sandbox, {
      server: {
        auth: { mode: 'required', apiKeys: [{ name: 'reader', hash: hashApiKey(newApiKey()), scopes: [] }] },
        metrics: { port: 0, host: '127.0.0.1' },
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  it('serves it there without credentials, and no longer beside /graphql', async () => {
    expect(stack.metricsUrl).toBeDefined();
    expect(stack.metricsUrl).not.toContain(`:${stack.gateway.port}/`);
    const samples = await scrape(stack.metricsUrl!);
    expect(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
    expect((await fetch(`${stack.gateway.url}/metrics`)).status).not.toBe(200);
  });
});

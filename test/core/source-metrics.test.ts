import { Registry } from 'prom-client';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceCache } from '../../connectors/core/cache/source-cache';
import type { KeyValueCache } from '../../connectors/core/cache/types';
import { SourceHealthRegistry } from '../../connectors/core/source-health';
import { parsePrometheusText, sum } from '../helpers/prometheus';

/** The source recorders feeding Prometheus: what each kind of event adds, in a registry of its own. */

async function samples(registry: Registry) {
  return parsePrometheusText(await registry.metrics());
}

describe('source metrics', () => {
  let registry: Registry;
  let health: SourceHealthRegistry;

  beforeEach(() => {
    registry = new Registry();
    health = new SourceHealthRegistry({ metrics: registry });
  });

  it('counts attempts by route and status class, retries apart, refusals with no latency', async () => {
    const github = health.recorderFor('github:cloud');
    github.recordCall({ ok: false, status: 503, latencyMs: 40, route: '/repos/{owner}/{repo}', method: 'GET', attempt: 1, error: { code: 'SOURCE_UNAVAILABLE', message: 'x' } });
    github.recordCall({ ok: true, status: 200, latencyMs: 20, route: '/repos/{owner}/{repo}', method: 'GET', attempt: 2 });
    github.recordCall({ ok: false, latencyMs: 5, route: '/rate_limit', attempt: 1, error: { code: 'SOURCE_UNAVAILABLE', message: 'ECONNRESET' } });
    github.recordCall({ ok: false, route: '/rate_limit', error: { code: 'CIRCUIT_OPEN', message: 'open' } });
    const s = await samples(registry);
    const route = { source: 'github:cloud', route: '/repos/{owner}/{repo}', method: 'GET' };
    expect(sum(s, 'modelgraph_upstream_requests_total', { ...route, status_class: '5xx' })).toBe(1);
    expect(sum(s, 'modelgraph_upstream_requests_total', { ...route, status_class: '2xx' })).toBe(1);
    expect(sum(s, 'modelgraph_upstream_retries_total', route)).toBe(1);
    expect(sum(s, 'modelgraph_upstream_requests_total', { route: '/rate_limit', status_class: 'error' })).toBe(1);
    expect(sum(s, 'modelgraph_upstream_requests_total', { route: '/rate_limit', status_class: 'refused' })).toBe(1);
    // Three attempts were sent; the refusal has no latency to observe.
    expect(sum(s, 'modelgraph_upstream_request_duration_seconds_count')).toBe(3);
    expect(sum(s, 'modelgraph_upstream_request_duration_seconds_sum')).toBeCloseTo(0.065);
  });

  it('reads the breaker and the rate limit at scrape time', async () => {
    const jira = health.recorderFor('jira:corp');
    let state: 'CLOSED' | 'OPEN' = 'CLOSED';
    jira.attachCircuit(() => state);
    jira.recordRateLimit({ limit: 100, remaining: 42, resource: 'jira-quota-global-based' });
    let s = await samples(registry);
    // No call yet: this process has nothing to say about the breaker (a split deployment's other processes call it).
    expect(s.filter((x) => x.name === 'modelgraph_source_circuit_state')).toEqual([]);
    jira.recordCall({ ok: true, status: 200, latencyMs: 3 });
    s = await samples(registry);
    expect(sum(s, 'modelgraph_source_circuit_state', { source: 'jira:corp', state: 'closed' })).toBe(1);
    expect(sum(s, 'modelgraph_source_rate_limit_remaining', { source: 'jira:corp', resource: 'jira-quota-global-based' })).toBe(42);
    expect(sum(s, 'modelgraph_source_rate_limit_limit', { source: 'jira:corp' })).toBe(100);
    state = 'OPEN';
    s = await samples(registry);
    expect(sum(s, 'modelgraph_source_circuit_state', { source: 'jira:corp', state: 'closed' })).toBe(0);
    expect(sum(s, 'modelgraph_source_circuit_state', { source: 'jira:corp', state: 'open' })).toBe(1);
  });

  it('counts cache lookups by layer and result, and backend errors as misses', async () => {
    let now = 0;
    const cache = new SourceCache(new MemoryCache(), 'mlflow:prod', { ttlSeconds: 10, staleSeconds: 60, health: health.recorderFor('mlflow:prod'), now: () => now });
    const other = new SourceCache(new MemoryCache(), 'mlflow:prod', { ttlSeconds: 10, staleSeconds: 60, health: health.recorderFor('mlflow:prod'), now: () => now, localEntries: 0 });
    await cache.getOrLoad('k', async () => 1); // miss, loads
    await cache.getOrLoad('k', async () => 2); // hit in process
    await other.getOrLoad('j', async () => 1); // miss
    await other.getOrLoad('j', async () => 2); // hit, from the shared layer (no process copy)
    now = 20_000;
    await other.getOrLoad('j', async () => 3); // stale, refreshed in the background
    const failing: KeyValueCache = {
      get: () => Promise.reject(new Error('ECONNREFUSED')),
      set: () => Promise.reject(new Error('ECONNREFUSED')),
      delete: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const down = new SourceCache(failing, 'mlflow:prod', { ttlSeconds: 10, health: health.recorderFor('mlflow:prod') });
    await expect(down.getOrLoad('x', async () => 'loaded')).resolves.toEqual({ value: 'loaded', state: 'miss' });
    await new Promise((resolve) => setImmediate(resolve));
    const s = await samples(registry);
    const lookups = (layer: string, result: string) => sum(s, 'modelgraph_cache_lookups_total', { source: 'mlflow:prod', layer, result });
    expect([lookups('shared', 'miss'), lookups('process', 'hit'), lookups('shared', 'hit'), lookups('shared', 'stale')]).toEqual([3, 1, 1, 1]);
    expect(sum(s, 'modelgraph_cache_backend_errors_total', { source: 'mlflow:prod', operation: 'get' })).toBe(1);
    expect(sum(s, 'modelgraph_cache_backend_errors_total', { source: 'mlflow:prod', operation: 'set' })).toBe(1);
    // Query.sources keeps its simpler view of the same lookups.
    expect(health.recorderFor('mlflow:prod').snapshot().cache).toEqual({ hits: 3, misses: 3, hitRatio: 0.5 });
  });

  it('records nothing to Prometheus without a registry, and two registries never share counters', async () => {
    const plain = new SourceHealthRegistry();
    plain.recorderFor('mlflow:prod').recordCall({ ok: true, status: 200, latencyMs: 1 });
    const second = new Registry();
    new SourceHealthRegistry({ metrics: second }).recorderFor('mlflow:prod').recordCall({ ok: true, status: 200, latencyMs: 1 });
    expect(sum(await samples(registry), 'modelgraph_upstream_requests_total')).toBe(0);
    expect(sum(await samples(second), 'modelgraph_upstream_requests_total', { route: 'other', status_class: '2xx' })).toBe(1);
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceKind } from '../../connectors/core/source';
import type { SourceHealth } from '../../connectors/core/source-health';
import { createSourceStatusReader, mergeHealth, toSourceStatus } from '../../subgraphs/inventory/sources';
import { sourcesRoute } from '../../subgraphs/common/http-server';

function health(kind: SourceKind, instance: string, over: Partial<SourceHealth> = {}): SourceHealth {
  return {
    source: `${kind.toLowerCase()}:${instance}`,
    kind,
    instance,
    reachable: true,
    calls: 0,
    errors: 0,
    lastSuccessAt: null,
    lastErrorAt: null,
    lastError: null,
    latencyMs: null,
    cache: { hits: 0, misses: 0, hitRatio: null },
    rateLimit: null,
    circuit: null,
    ...over,
  };
}

// ---- mergeHealth ------------------------------------------------------------------------------

describe('mergeHealth', () => {
  const inventorySaw = health('MLFLOW', 'prod', {
    reachable: true,
    calls: 10,
    errors: 1,
    lastSuccessAt: '2026-03-01T10:00:05.000Z',
    lastErrorAt: '2026-03-01T09:00:00.000Z',
    lastError: { code: 'TIMEOUT', message: 'timed out after 5000 ms', at: '2026-03-01T09:00:00.000Z' },
    latencyMs: { last: 40, p50: 30, p95: 90, samples: 10 },
    cache: { hits: 3, misses: 1, hitRatio: 0.75 },
    rateLimit: null,
    circuit: 'CLOSED',
  });
  const mlflowSaw = health('MLFLOW', 'prod', {
    reachable: false,
    calls: 4,
    errors: 2,
    lastSuccessAt: '2026-03-01T10:00:00.000Z',
    lastErrorAt: '2026-03-01T10:00:10.000Z',
    lastError: { code: 'SOURCE_UNAVAILABLE', message: 'HTTP 503', at: '2026-03-01T10:00:10.000Z' },
    latencyMs: { last: 500, p50: 200, p95: 600, samples: 4 },
    cache: { hits: 1, misses: 3, hitRatio: 0.25 },
    rateLimit: null,
    circuit: 'HALF_OPEN',
  });

  it('adds up the counts and the cache, recomputing the hit ratio', () => {
    const merged = mergeHealth(inventorySaw, mlflowSaw);
    expect(merged.calls).toBe(14);
    expect(merged.errors).toBe(3);
    expect(merged.cache).toEqual({ hits: 4, misses: 4, hitRatio: 0.5 });
  });

  it('keeps the reachability of the process with the newest activity', () => {
    // mlflowSaw's newest activity is its error at 10:00:10, after inventorySaw's success at 10:00:05
    expect(mergeHealth(inventorySaw, mlflowSaw).reachable).toBe(false);
    expect(mergeHealth(mlflowSaw, inventorySaw).reachable).toBe(false);
    const laterSuccess = { ...inventorySaw, lastSuccessAt: '2026-03-01T10:00:11.000Z' };
    expect(mergeHealth(laterSuccess, mlflowSaw).reachable).toBe(true);
    expect(mergeHealth(mlflowSaw, laterSuccess).reachable).toBe(true);
  });

  it('keeps the latest success, the latest error time and the latest error', () => {
    const merged = mergeHealth(inventorySaw, mlflowSaw);
    expect(merged.lastSuccessAt).toBe('2026-03-01T10:00:05.000Z');
    expect(merged.lastErrorAt).toBe('2026-03-01T10:00:10.000Z');
    expect(merged.lastError).toEqual({ code: 'SOURCE_UNAVAILABLE', message: 'HTTP 503', at: '2026-03-01T10:00:10.000Z' });
    expect(mergeHealth(mlflowSaw, inventorySaw).lastError).toEqual(mlflowSaw.lastError);
  });

  it('keeps the one error there is', () => {
    const clean = { ...mlflowSaw, lastError: null, lastErrorAt: null };
    expect(mergeHealth(inventorySaw, clean).lastError).toEqual(inventorySaw.lastError);
    expect(mergeHealth(clean, inventorySaw).lastError).toEqual(inventorySaw.lastError);
    expect(mergeHealth(clean, inventorySaw).lastErrorAt).toBe('2026-03-01T09:00:00.000Z');
    expect(mergeHealth(clean, { ...clean }).lastError).toBeNull();
  });

  it('keeps the latest error time even when the other process has the newest activity', () => {
    const recentSuccess = health('MLFLOW', 'prod', { lastSuccessAt: '2026-03-01T12:00:00.000Z', lastErrorAt: '2026-03-01T09:00:00.000Z' });
    const laterError = health('MLFLOW', 'prod', { reachable: false, lastSuccessAt: null, lastErrorAt: '2026-03-01T10:00:00.000Z' });
    for (const merged of [mergeHealth(recentSuccess, laterError), mergeHealth(laterError, recentSuccess)]) {
      expect(merged.reachable).toBe(true);
      expect(merged.lastSuccessAt).toBe('2026-03-01T12:00:00.000Z');
      expect(merged.lastErrorAt).toBe('2026-03-01T10:00:00.000Z');
    }
  });

  it('keeps the latency with more samples', () => {
    expect(mergeHealth(inventorySaw, mlflowSaw).latencyMs).toEqual({ last: 40, p50: 30, p95: 90, samples: 10 });
    expect(mergeHealth(mlflowSaw, inventorySaw).latencyMs).toEqual({ last: 40, p50: 30, p95: 90, samples: 10 });
    expect(mergeHealth({ ...inventorySaw, latencyMs: null }, mlflowSaw).latencyMs).toEqual({ last: 500, p50: 200, p95: 600, samples: 4 });
    expect(mergeHealth(mlflowSaw, { ...inventorySaw, latencyMs: null }).latencyMs).toEqual({ last: 500, p50: 200, p95: 600, samples: 4 });
  });

  it('has no hit ratio when neither process looked anything up', () => {
    const a = health('JIRA', 'corp', { cache: { hits: 0, misses: 0, hitRatio: null } });
    expect(mergeHealth(a, { ...a }).cache).toEqual({ hits: 0, misses: 0, hitRatio: null });
    expect(mergeHealth(a, { ...a, cache: { hits: 0, misses: 2, hitRatio: 0 } }).cache).toEqual({ hits: 0, misses: 2, hitRatio: 0 });
  });

  it('keeps the worst circuit of both', () => {
    const circuit = (a: SourceHealth['circuit'], b: SourceHealth['circuit']) =>
      mergeHealth({ ...inventorySaw, circuit: a }, { ...mlflowSaw, circuit: b }).circuit;
    expect(circuit('CLOSED', 'HALF_OPEN')).toBe('HALF_OPEN');
    expect(circuit('HALF_OPEN', 'CLOSED')).toBe('HALF_OPEN');
    expect(circuit('OPEN', 'HALF_OPEN')).toBe('OPEN');
    expect(circuit('CLOSED', 'OPEN')).toBe('OPEN');
    expect(circuit('CLOSED', 'CLOSED')).toBe('CLOSED');
    expect(circuit(null, 'CLOSED')).toBe('CLOSED');
    expect(circuit('OPEN', null)).toBe('OPEN');
    expect(circuit(null, null)).toBeNull();
  });

  it('keeps the newest rate limit reading, or whichever there is', () => {
    const older = { ...inventorySaw, rateLimit: { limit: 5000, remaining: 10, resetAt: '2026-03-01T11:00:00.000Z', resource: 'core' } };
    const newer = { ...mlflowSaw, rateLimit: { limit: 5000, remaining: 4000, resetAt: '2026-03-01T11:00:00.000Z', resource: 'core' } };
    expect(mergeHealth(older, newer).rateLimit).toEqual(newer.rateLimit);
    expect(mergeHealth(older, { ...mlflowSaw, rateLimit: null }).rateLimit).toEqual(older.rateLimit);
  });

  it('keeps the source it is about', () => {
    const merged = mergeHealth(inventorySaw, mlflowSaw);
    expect([merged.source, merged.kind, merged.instance]).toEqual(['mlflow:prod', 'MLFLOW', 'prod']);
  });
});

// ---- toSourceStatus ---------------------------------------------------------------------------

describe('toSourceStatus', () => {
  it('lists an unknown source as not known yet, with zeros', () => {
    expect(toSourceStatus('GITHUB', 'cloud', undefined)).toEqual({
      name: 'github:cloud',
      kind: 'GITHUB',
      instance: 'cloud',
      reachable: null,
      calls: 0,
      errors: 0,
      lastSuccessAt: null,
      lastError: null,
      latency: null,
      cacheHits: 0,
      cacheMisses: 0,
      cacheHitRatio: null,
      rateLimit: null,
      circuit: null,
    });
  });

  it('maps a health reading to the graph\'s shape', () => {
    const h = health('GITHUB', 'cloud', {
      reachable: false,
      calls: 7,
      errors: 2,
      lastSuccessAt: '2026-03-01T10:00:00.000Z',
      lastErrorAt: '2026-03-01T10:01:00.000Z',
      lastError: { code: 'RATE_LIMITED', message: 'HTTP 403', at: '2026-03-01T10:01:00.000Z' },
      latencyMs: { last: 12, p50: 10, p95: 50, samples: 7 },
      cache: { hits: 1, misses: 3, hitRatio: 0.25 },
      rateLimit: { limit: 5000, remaining: 0, resetAt: '2026-03-01T11:00:00.000Z', resource: 'core' },
      circuit: 'OPEN',
    });
    expect(toSourceStatus('GITHUB', 'cloud', h)).toEqual({
      name: 'github:cloud',
      kind: 'GITHUB',
      instance: 'cloud',
      reachable: false,
      calls: 7,
      errors: 2,
      lastSuccessAt: '2026-03-01T10:00:00.000Z',
      lastError: { code: 'RATE_LIMITED', message: 'HTTP 403', at: '2026-03-01T10:01:00.000Z' },
      latency: { lastMs: 12, p50Ms: 10, p95Ms: 50, samples: 7 },
      cacheHits: 1,
      cacheMisses: 3,
      cacheHitRatio: 0.25,
      rateLimit: { limit: 5000, remaining: 0, resetAt: '2026-03-01T11:00:00.000Z', resource: 'core' },
      circuit: 'OPEN',
    });
  });

  it('keeps reachable null before the first call', () => {
    expect(toSourceStatus('JIRA', 'corp', health('JIRA', 'corp', { reachable: null })).reachable).toBeNull();
  });
});

// ---- createSourceStatusReader ----------------------------------------------------------------

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, requests };
}

/** A port nothing listens on: bound once, then closed. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

const sourcesAnswer =
  (sources: SourceHealth[]): Handler =>
  (req, res) => {
    if (req.method === 'GET' && req.url === '/sources') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sources }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  };

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe('createSourceStatusReader', () => {
  const configured = [
    { kind: 'MLFLOW' as const, instance: 'prod' },
    { kind: 'JIRA' as const, instance: 'corp' },
    { kind: 'GITHUB' as const, instance: 'cloud' },
    { kind: 'AZURE_ML' as const, instance: 'ws1' },
  ];

  it('lists every configured source sorted by name, with no health as not known', async () => {
    const statuses = await createSourceStatusReader({ configured }).read();
    expect(statuses.map((s) => s.name)).toEqual(['azure_ml:ws1', 'github:cloud', 'jira:corp', 'mlflow:prod']);
    for (const s of statuses) expect([s.name, s.reachable, s.calls, s.errors]).toEqual([s.name, null, 0, 0]);
  });

  it('reads the local snapshot', async () => {
    const local = [health('JIRA', 'corp', { calls: 3, reachable: true, lastSuccessAt: '2026-03-01T10:00:00.000Z' })];
    const statuses = await createSourceStatusReader({ configured, local: () => local }).read();
    const jira = statuses.find((s) => s.name === 'jira:corp')!;
    expect([jira.reachable, jira.calls]).toEqual([true, 3]);
    expect(statuses.find((s) => s.name === 'mlflow:prod')!.reachable).toBeNull();
  });

  it('leaves out health of sources that are not configured', async () => {
    const local = [health('VERTEX_AI', 'eu', { calls: 3 })];
    const statuses = await createSourceStatusReader({ configured, local: () => local }).read();
    expect(statuses.map((s) => s.name)).toEqual(['azure_ml:ws1', 'github:cloud', 'jira:corp', 'mlflow:prod']);
  });

  it('asks each remote process for GET /sources beside its GraphQL URL and merges with the local snapshot', async () => {
    const remote = await serve(
      sourcesAnswer([
        health('MLFLOW', 'prod', {
          reachable: false,
          calls: 4,
          errors: 4,
          lastErrorAt: '2026-03-01T10:00:10.000Z',
          lastError: { code: 'SOURCE_UNAVAILABLE', message: 'HTTP 503', at: '2026-03-01T10:00:10.000Z' },
          cache: { hits: 0, misses: 4, hitRatio: 0 },
          circuit: 'OPEN',
        }),
        health('GITHUB', 'cloud', { reachable: true, calls: 2, lastSuccessAt: '2026-03-01T09:00:00.000Z' }),
      ]),
    );
    const local = [
      health('MLFLOW', 'prod', {
        reachable: true,
        calls: 6,
        lastSuccessAt: '2026-03-01T10:00:00.000Z',
        cache: { hits: 4, misses: 0, hitRatio: 1 },
        circuit: 'CLOSED',
      }),
    ];
    const statuses = await createSourceStatusReader({ configured, local: () => local, remote: [remote.url] }).read();
    expect(remote.requests).toEqual(['GET /sources']);
    const mlflow = statuses.find((s) => s.name === 'mlflow:prod')!;
    expect(mlflow).toMatchObject({
      reachable: false,
      calls: 10,
      errors: 4,
      lastSuccessAt: '2026-03-01T10:00:00.000Z',
      lastError: { code: 'SOURCE_UNAVAILABLE', message: 'HTTP 503', at: '2026-03-01T10:00:10.000Z' },
      cacheHits: 4,
      cacheMisses: 4,
      cacheHitRatio: 0.5,
      circuit: 'OPEN',
    });
    const github = statuses.find((s) => s.name === 'github:cloud')!;
    expect([github.reachable, github.calls]).toEqual([true, 2]);
    expect(statuses.map((s) => s.name)).toEqual(['azure_ml:ws1', 'github:cloud', 'jira:corp', 'mlflow:prod']);
  });

  it('merges what several remote processes saw of one source', async () => {
    const a = await serve(sourcesAnswer([health('JIRA', 'corp', { calls: 1, lastSuccessAt: '2026-03-01T10:00:00.000Z' })]));
    const b = await serve(
      sourcesAnswer([health('JIRA', 'corp', { calls: 2, reachable: false, lastErrorAt: '2026-03-01T10:05:00.000Z' })]),
    );
    const statuses = await createSourceStatusReader({ configured, remote: [a.url, b.url] }).read();
    const jira = statuses.find((s) => s.name === 'jira:corp')!;
    expect([jira.calls, jira.reachable]).toEqual([3, false]);
  });

  it('lists the sources with reachable null when a remote process is down', async () => {
    const statuses = await createSourceStatusReader({ configured, remote: [await closedPortUrl()], timeoutMs: 2000 }).read();
    expect(statuses.map((s) => [s.name, s.reachable, s.calls])).toEqual([
      ['azure_ml:ws1', null, 0],
      ['github:cloud', null, 0],
      ['jira:corp', null, 0],
      ['mlflow:prod', null, 0],
    ]);
  });

  it('lists the sources with reachable null when a remote process answers 500', async () => {
    const broken = await serve((_req, res) => {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sources: [health('MLFLOW', 'prod', { reachable: true, calls: 99 })] }));
    });
    const statuses = await createSourceStatusReader({ configured, remote: [broken.url] }).read();
    expect(broken.requests).toEqual(['GET /sources']);
    expect(statuses.find((s) => s.name === 'mlflow:prod')).toMatchObject({ reachable: null, calls: 0 });
  });

  it('ignores a remote answer that is not JSON or has no sources list', async () => {
    const html = await serve((_req, res) => res.end('<html>proxy error</html>'));
    const noList = await serve((_req, res) => res.end(JSON.stringify({ sources: 'nope' })));
    const statuses = await createSourceStatusReader({ configured, remote: [html.url, noList.url] }).read();
    expect(statuses.every((s) => s.reachable === null && s.calls === 0)).toBe(true);
  });

  it('skips entries of a shape it cannot read (another version), keeping the rest', async () => {
    const mixed = await serve((_req, res) =>
      res.end(JSON.stringify({ sources: [{ source: 'mlflow:prod' }, health('JIRA', 'corp', { reachable: true, calls: 4 })] })),
    );
    const statuses = await createSourceStatusReader({ configured, remote: [mixed.url] }).read();
    expect(statuses.find((s) => s.name === 'mlflow:prod')).toMatchObject({ reachable: null, calls: 0 });
    expect(statuses.find((s) => s.name === 'jira:corp')).toMatchObject({ reachable: true, calls: 4 });
  });

  it('keeps what the healthy remotes and the local snapshot say when another remote is down', async () => {
    const good = await serve(sourcesAnswer([health('AZURE_ML', 'ws1', { calls: 5, reachable: true, lastSuccessAt: '2026-03-01T10:00:00.000Z' })]));
    const statuses = await createSourceStatusReader({
      configured,
      local: () => [health('JIRA', 'corp', { calls: 1, reachable: false })],
      remote: [await closedPortUrl(), good.url],
    }).read();
    expect(statuses.map((s) => [s.name, s.reachable, s.calls])).toEqual([
      ['azure_ml:ws1', true, 5],
      ['github:cloud', null, 0],
      ['jira:corp', false, 1],
      ['mlflow:prod', null, 0],
    ]);
  });

  it('reads afresh on every call', async () => {
    let calls = 1;
    const local = () => [health('MLFLOW', 'prod', { calls: calls++ })];
    const reader = createSourceStatusReader({ configured, local });
    expect((await reader.read()).find((s) => s.name === 'mlflow:prod')!.calls).toBe(1);
    expect((await reader.read()).find((s) => s.name === 'mlflow:prod')!.calls).toBe(2);
  });

  it('with a subgraph secret, only a signed GET /sources is answered, and the reader signs its own', async () => {
    const route = sourcesRoute(() => [health('AZURE_ML', 'ws1', { calls: 7, lastError: { code: 'SOURCE_UNAVAILABLE', message: 'https://internal.example/ 503', at: '2026-03-01T10:00:00.000Z' } })], 'the-secret');
    const remote = await serve((req, res) => void route(req, res));
    const sourcesUrl = new URL('/sources', remote.url);

    const unsigned = await fetch(sourcesUrl);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).not.toContain('internal.example');

    const wrongSecret = await createSourceStatusReader({ configured, remote: [remote.url], secret: 'another-secret' }).read();
    expect(wrongSecret.find((s) => s.name === 'azure_ml:ws1')!.calls).toBe(0);

    const signed = await createSourceStatusReader({ configured, remote: [remote.url], secret: 'the-secret' }).read();
    expect(signed.find((s) => s.name === 'azure_ml:ws1')!.calls).toBe(7);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { createAuthenticator, hashApiKey, newApiKey } from '../../gateway/auth/authenticate';
import { readSupergraph } from '../../gateway/compose';
import { startGateway } from '../../gateway/server';
import { CONTENT_SECURITY_POLICY, webPages } from '../../gateway/web-assets';
import type { RunningServer } from '../../subgraphs/common/http-server';

/**
 * The gateway's own pages: GraphiQL on GET /graphql from a browser (instead of Apollo's
 * landing page, which loads Apollo Sandbox from Apollo's CDNs), and the web app on every
 * other path a browser navigates to; GraphQL and the JSON 404 for everyone else. Served
 * from a stand-in build here, so that what is asserted is the serving, not the bundle.
 */

const API_KEY = newApiKey();
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const APP_JS = 'console.log("the app");'.repeat(50);

let dir: string;
let gateway: RunningServer;
let missing: RunningServer;

async function start(webDir: string): Promise<RunningServer> {
  const config = configSchema.parse({
    server: { port: 0, host: '127.0.0.1', auth: { mode: 'required', apiKeys: [{ name: 'web', hash: hashApiKey(API_KEY), scopes: ['jira:read'] }] } },
  });
  return startGateway({
    supergraphSdl: readSupergraph(),
    subgraphUrls: {},
    port: 0,
    host: '127.0.0.1',
    limits: config.server.limits,
    authenticator: await createAuthenticator(config.server.auth),
    logger: silentLogger,
    web: webPages(webDir),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelgraph-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>modelgraph app</title>');
  writeFileSync(join(dir, 'graphiql.html'), '<!doctype html><title>modelgraph GraphiQL</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), APP_JS);
  writeFileSync(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync(APP_JS));
  writeFileSync(join(tmpdir(), 'outside-web-root.txt'), 'outside');
  gateway = await start(dir);
  missing = await start(join(dir, 'not-built'));
});

afterAll(async () => {
  await gateway?.close();
  await missing?.close();
});

const get = (path: string, headers: Record<string, string> = {}, server = gateway) => fetch(`${server.url}${path}`, { headers });

describe('GET /graphql', () => {
  it('from a browser is GraphiQL, from this server, with a same-origin CSP', async () => {
    const res = await get('/graphql', HTML);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('modelgraph GraphiQL');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it("never is Apollo's landing page with its CDN scripts", async () => {
    const res = await get('/graphql', HTML, missing);
    const body = await res.text();
    expect(body).not.toMatch(/apollographql\.com|embeddable-sandbox|fonts\.googleapis/);
    expect(res.status).toBe(503);
    expect(body).toContain('npm run build:web');
  });

  it('with a query is GraphQL as before, credentials checked', async () => {
    const search = `?query=${encodeURIComponent('{ __typename }')}`;
    const refused = await get(`/graphql${search}`, { 'apollo-require-preflight': 'true' });
    expect(refused.status).toBe(401);
    const res = await get(`/graphql${search}`, { 'apollo-require-preflight': 'true', 'x-api-key': API_KEY });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('the web app', () => {
  it('answers its own paths (deep links) with index.html, without credentials: the page holds no data', async () => {
    for (const path of ['/', '/models/fraud-detector', '/findings?severity=HIGH', '/people/a%40b.io']) {
      const res = await get(path, HTML);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('modelgraph app');
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves hashed assets for a year, gzipped when the client takes it', async () => {
    const plain = await get('/assets/index-abc123.js', { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(APP_JS);

    const zipped = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan(APP_JS.length);
    // fetch decompresses: the same script arrives.
    expect(await zipped.text()).toBe(APP_JS);
  });

  it('answers a missing asset 404, not with the index', async () => {
    const res = await get('/assets/index-gone.js', HTML);
    expect(res.status).toBe(404);
  });

  it('serves nothing outside its folder', async () => {
    for (const path of ['/..%2foutside-web-root.txt', '/assets/..%2f..%2foutside-web-root.txt', '/%2e%2e/outside-web-root.txt']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('outside');
    }
  });

  it('keeps the JSON 404 for API clients on paths that are not pages', async () => {
    const res = await get('/nope', { accept: 'application/json' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not found', graphql: '/graphql' });
    const post = await fetch(`${gateway.url}/`, { method: 'POST', headers: HTML, body: '{}' });
    expect(post.status).toBe(404);
  });

  it('leaves /healthz to its route', async () => {
    const res = await get('/healthz', HTML);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

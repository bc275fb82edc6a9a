import { exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { hashApiKey } from '../../gateway/auth/authenticate';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph, upstreamCalls } from '../helpers/demo-graph';

/**
 * Who may see what, through the whole graph: the scopes the subgraph schemas declare with
 * `@requiresScopes`, enforced by the gateway on a caller's key or token. A field the caller
 * may not see is null with a FORBIDDEN error naming it; the rest of the answer stays.
 */

const KEYS = {
  none: 'mgk_scopeless-0000000000000000000000000000',
  jira: 'mgk_jira-reader-000000000000000000000000000',
  all: 'mgk_everything-00000000000000000000000000000',
};

let sandbox: Sandbox;
let stack: Stack;
let signingKey: KeyLike;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  sandbox = await startSandbox({ models: 12 });
  stack = await startDemoGraph(sandbox, {
    server: {
      auth: {
        mode: 'required',
        jwt: {
          publicKeys: [{ pem: await exportSPKI(pair.publicKey), kid: 'k1', alg: 'ES256' }],
          issuer: 'https://idp.test/',
          audience: 'modelgraph',
          algorithms: ['ES256'],
        },
        apiKeys: [
          { name: 'scopeless', hash: hashApiKey(KEYS.none), scopes: [] },
          { name: 'jira-reader', hash: hashApiKey(KEYS.jira), scopes: ['jira:read'] },
          { name: 'everything', hash: hashApiKey(KEYS.all), scopes: ['jira:read', 'mlflow:read', 'admin'] },
        ],
      },
    },
  });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

const key = (k: string) => ({ 'x-api-key': k });

const MODEL_QUERY = `{
  model(key: "fraud-detector") {
    key
    tickets { key }
    versions { version ... on MlflowModelVersion { run { id params { key } } } }
  }
}`;

describe('authentication at the door', () => {
  it('answers an anonymous caller 401 with WWW-Authenticate, and fetches nothing', async () => {
    const before = upstreamCalls(sandbox);
    const res = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ models(first: 3) { nodes { key } } }' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="modelgraph"');
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }>; data?: unknown };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(upstreamCalls(sandbox)).toBe(before);
  });

  it('answers a bad token 401 with error="invalid_token"', async () => {
    const res = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer mgk_not-a-key-000000000000000000' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});

describe('scopes per field', () => {
  it('nulls what a scopeless key may not see, names field and scope, and keeps the rest', async () => {
    const body = await postGraphql(stack.graphqlUrl, MODEL_QUERY, undefined, key(KEYS.none));
    expect(body.data.model.key).toBe('fraud-detector');
    expect(body.data.model.tickets).toBeNull();
    expect(body.data.model.versions.length).toBeGreaterThan(0);
    // Run.params is non-null, so its null goes up to the nullable run.
    const mlflow = body.data.model.versions.filter((v: { run?: unknown }) => 'run' in v);
    expect(mlflow.length).toBeGreaterThan(0);
    expect(mlflow.every((v: { run: unknown }) => v.run === null)).toBe(true);
    const forbidden = body.errors!.filter((e) => e.extensions.code === 'FORBIDDEN');
    expect(forbidden.map((e) => e.extensions.field)).toEqual(
      expect.arrayContaining(['Model.tickets', 'Run.params']),
    );
    expect(forbidden.find((e) => e.extensions.field === 'Model.tickets')).toMatchObject({
      message: expect.stringMatching(/jira:read/),
      path: ['model', 'tickets'],
      extensions: { missingScopes: ['jira:read'] },
    });
  });

  it('shows tickets to a jira:read key, still not run parameters', async () => {
    const body = await postGraphql(stack.graphqlUrl, MODEL_QUERY, undefined, key(KEYS.jira));
    expect(Array.isArray(body.data.model.tickets)).toBe(true);
    expect(body.data.model.tickets.length).toBeGreaterThan(0);
    const forbidden = body.errors!.filter((e) => e.extensions.code === 'FORBIDDEN');
    expect([...new Set(forbidden.map((e) => e.extensions.field))]).toEqual(['Run.params']);
  });

  it('answers everything, with no error, to a key holding every scope', async () => {
    const body = await postGraphql(stack.graphqlUrl, MODEL_QUERY, undefined, key(KEYS.all));
    expect(body.errors).toBeUndefined();
    const runs = body.data.model.versions.filter((v: { run?: { params: unknown[] } | null }) => v.run);
    expect(runs.length).toBeGreaterThan(0);
  });

  it('fetches nothing for a field taken out: jiraSearch without jira:read makes no Jira call', async () => {
    const jira = Object.values(sandbox.jira)[0]!;
    const before = jira.stats.total;
    const body = await postGraphql(stack.graphqlUrl, '{ jiraSearch(instance: "corp", jql: "order by key") { key } }', undefined, key(KEYS.none));
    // The field taken out is null; the error says why.
    expect(body.data?.jiraSearch ?? null).toBeNull();
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'Query.jiraSearch' } });
    expect(jira.stats.total).toBe(before);
  });

  it('keeps source health for admins', async () => {
    const denied = await postGraphql(stack.graphqlUrl, '{ sources { name } }', undefined, key(KEYS.jira));
    expect(denied.errors![0]).toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'Query.sources', missingScopes: ['admin'] } });
    const allowed = await postGraphql(stack.graphqlUrl, '{ sources { name } }', undefined, key(KEYS.all));
    expect(allowed.data.sources.length).toBeGreaterThan(0);
  });

  it('follows fragments and aliases to every place a forbidden field is', async () => {
    const body = await postGraphql(
      stack.graphqlUrl,
      `query { a: model(key: "fraud-detector") { ...T } b: model(key: "fraud-detector") { key t2: tickets { key } } }
       fragment T on Model { key tix: tickets { key } }`,
      undefined,
      key(KEYS.none),
    );
    expect(body.data).toEqual({ a: { key: 'fraud-detector', tix: null }, b: { key: 'fraud-detector', t2: null } });
    expect(body.errors!.map((e) => e.path)).toEqual(expect.arrayContaining([['a', 'tix'], ['b', 't2']]));
  });
});

describe('Query.me', () => {
  async function jwt(claims: Record<string, unknown>) {
    return new SignJWT({ scope: 'jira:read', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://idp.test/')
      .setAudience('modelgraph')
      .setSubject(String(claims.sub ?? 'user-1'))
      .setExpirationTime('5m')
      .sign(signingKey);
  }

  it('is the person the token names, as the people directory knows them', async () => {
    const token = await jwt({ email: 'Elena.Nguyen@acme.io' });
    const body = await postGraphql(stack.graphqlUrl, '{ me { id email displayName } }', undefined, { authorization: `Bearer ${token}` });
    expect(body.errors).toBeUndefined();
    expect(body.data.me).toEqual({ id: 'elena.nguyen@acme.io', email: 'elena.nguyen@acme.io', displayName: 'Elena Nguyen' });
  });

  it('is null for an API key: a script is nobody in the directory', async () => {
    const body = await postGraphql(stack.graphqlUrl, '{ me { id } }', undefined, key(KEYS.all));
    expect(body).toEqual({ data: { me: null } });
  });
});

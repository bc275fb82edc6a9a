import { signBody, verifySignature, SIGNATURE_HEADER } from '../../lib/request-signature';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph, upstreamCalls } from '../helpers/demo-graph';

/**
 * A subgraph answers only its gateway: whoever reaches its port directly (another process
 * on the host, a pod in the cluster) gets 401, however the request is dressed up.
 */

let sandbox: Sandbox;
let stack: Stack;
let inventoryUrl: string;
let secret: string;

// The query that answered fraud-detector's MLflow versions to anyone with the key "anything".
const FORGED_ENTITIES = {
  query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Model { mlflowVersions { id version } } } }',
  variables: {
    r: [{ __typename: 'Model', key: 'anything', refs: [{ kind: 'MLFLOW', instance: 'prod', nativeId: 'fraud-detector' }] }],
  },
};

beforeAll(async () => {
  sandbox = await startSandbox({ models: 8 });
  stack = await startDemoGraph(sandbox);
  inventoryUrl = `${stack.subgraphs.inventory.url}/graphql`;
  secret = stack.runtime.subgraphSecret!;
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };
}

describe('subgraphs refuse what the gateway did not sign', () => {
  it('refuses an unsigned _entities call with forged @requires data, and calls no upstream', async () => {
    const before = upstreamCalls(sandbox);
    const mlflowUrl = `${stack.subgraphs.mlflow.url}/graphql`;
    const res = await post(mlflowUrl, JSON.stringify(FORGED_ENTITIES));
    expect(res.status).toBe(401);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(upstreamCalls(sandbox)).toBe(before);
  });

  it('refuses a request signed with another secret', async () => {
    const body = JSON.stringify({ query: '{ models(first: 1) { nodes { key } } }' });
    const res = await post(inventoryUrl, body, { [SIGNATURE_HEADER]: signBody('not-the-secret-0123456789', body) });
    expect(res.status).toBe(401);
  });

  it('refuses a replayed signature over a body whose variables were changed', async () => {
    const original = JSON.stringify({ query: 'query($k: ID!) { model(key: $k) { key } }', variables: { k: 'fraud-detector' } });
    const signature = signBody(secret, original);
    expect((await post(inventoryUrl, original, { [SIGNATURE_HEADER]: signature })).status).toBe(200);
    const changed = original.replace('fraud-detector', 'churn-predictor');
    expect((await post(inventoryUrl, changed, { [SIGNATURE_HEADER]: signature })).status).toBe(401);
  });

  it('refuses a correct signature from long ago (a replay outside the window) and a malformed header', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const old = signBody(secret, body, Date.now() - 10 * 60_000);
    expect((await post(inventoryUrl, body, { [SIGNATURE_HEADER]: old })).status).toBe(401);
    expect((await post(inventoryUrl, body, { [SIGNATURE_HEADER]: 'v1=abc' })).status).toBe(401);
  });

  it('accepts the gateway\'s own requests: a query through the gateway answers', async () => {
    const body = await postGraphql(stack.graphqlUrl, '{ model(key: "fraud-detector") { key mlflowVersions { version } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.model.mlflowVersions.length).toBeGreaterThan(0);
  });
});

describe('the signature', () => {
  const body = '{"query":"{ __typename }"}';
  it('verifies what it signed, within the tolerance, and nothing else', () => {
    const now = 1_800_000_000_000;
    const header = signBody('s3cret-s3cret-s3cret', body, now);
    expect(verifySignature('s3cret-s3cret-s3cret', body, header, { nowMs: now + 60_000 })).toBe('ok');
    expect(verifySignature('s3cret-s3cret-s3cret', body, header, { nowMs: now + 301_000 })).toBe('expired');
    expect(verifySignature('s3cret-s3cret-s3creT', body, header, { nowMs: now })).toBe('mismatch');
    expect(verifySignature('s3cret-s3cret-s3cret', `${body} `, header, { nowMs: now })).toBe('mismatch');
    expect(verifySignature('s3cret-s3cret-s3cret', body, undefined)).toBe('missing');
    expect(verifySignature('s3cret-s3cret-s3cret', body, 't=1,v1=zz')).toBe('malformed');
  });
});

import { spawnSync } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { SIGNATURE_HEADER, signBody } from '../../lib/request-signature';
import { startSandbox, type Sandbox } from '../../sandbox';
import { BIN, SUBGRAPH_ROLES as ROLES, startComposeStack, type ComposeStack } from '../helpers/compose-stack';
import { upstreamCalls } from '../helpers/demo-graph';
import { scrape, sum } from '../helpers/prometheus';
import { waitForValue } from '../helpers/wait-for';

/**
 * The split deployment as docker-compose.yml runs it (see test/helpers/compose-stack.ts),
 * from outside: Prometheus scrapes every process and a real OTLP/HTTP receiver gets one
 * trace of a portal query with a hop in every process; anonymous callers, forged subgraph
 * calls and costly operations are refused while the API key is answered; and a killed
 * subgraph process costs only its own fields.
 */

interface OtlpSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

let sandbox: Sandbox;
let stack: ComposeStack;
let receiver: Server;
let ports: ComposeStack['ports'];
let metricsPorts: ComposeStack['metricsPorts'];
let KEY: string;
let SECRET: string;
const received: OtlpSpan[] = [];

/** OTLP/HTTP with the JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), as the spec defines it. */
function startOtlpReceiver(): Promise<Server> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? []) {
          const service = attributes(rs.resource?.attributes)['service.name'] as string;
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              received.push({
                service,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                kind: s.kind,
                attributes: attributes(s.attributes),
              });
            }
          }
        }
      }
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function attributes(list: Array<{ key: string; value: Record<string, unknown> }> | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** How long the spans of one query may take to reach the receiver; a failure shows every process's output. */
const spansArrive = (what: string) => ({ timeoutMs: 30_000, intervalMs: 100, ignoreErrors: true, what: () => `${what}:\n${stack.output.join('')}` });


async function post(port: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
  const json = (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: res.status, headers: res.headers, json };
}

beforeAll(async () => {
  sandbox = await startSandbox({ models: 8 });
  receiver = await startOtlpReceiver();
  stack = await startComposeStack(sandbox, {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as { port: number }).port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
  ({ ports, metricsPorts, key: KEY, secret: SECRET } = stack);
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await sandbox?.close();
});

const PORTAL_QUERY = `query PortalModel($key: ID!) {
  model(key: $key) { key versions { version } deployments { endpointName } tickets { key } repository { url } }
}`;

describe('observability of the compose stack', () => {
  it('Prometheus can scrape every process, and one portal query is one trace with a hop in every process', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ query: PORTAL_QUERY, variables: { key: sandbox.org.models[0]!.key } }),
    });
    const answer = (await res.json()) as { data?: unknown; errors?: unknown[] };
    expect(answer.errors).toBeUndefined();

    // Every process: its own /metrics on its metrics port, without credentials.
    for (const role of [...ROLES, 'gateway'] as const) {
      const samples = await scrape(`http://127.0.0.1:${metricsPorts[role]}/metrics`);
      expect({ role, process: sum(samples, 'process_cpu_user_seconds_total') > 0 }).toEqual({ role, process: true });
    }
    const gateway = await scrape(`http://127.0.0.1:${metricsPorts.gateway}/metrics`);
    expect(sum(gateway, 'modelgraph_graphql_operations_total', { operation_name: 'PortalModel', outcome: 'ok' })).toBe(1);
    const mlflow = await scrape(`http://127.0.0.1:${metricsPorts.mlflow}/metrics`);
    expect(sum(mlflow, 'modelgraph_upstream_requests_total', { source: 'mlflow:prod' })).toBeGreaterThan(0);
    // The metrics port is the only door: a subgraph's own port still serves none.
    expect((await fetch(`http://127.0.0.1:${ports.mlflow}/metrics`)).status).toBe(404);

    // The trace, as the receiver got it from six processes.
    const request = await waitForValue(
      () => received.find((s) => s.name === 'gateway.request' && s.attributes['graphql.operation.name'] === 'PortalModel'),
      spansArrive('the gateway span'),
    );
    const services = ['gateway', ...ROLES].map((r) => `modelgraph-${r}`);
    const trace = await waitForValue(() => {
      const spans = received.filter((s) => s.traceId === request.traceId);
      const seen = new Set(spans.filter((s) => s.kind === 2 /* SERVER */).map((s) => s.service));
      const upstream = spans.filter((s) => s.kind === 3 /* CLIENT */ && s.attributes['modelgraph.source'] !== undefined);
      return services.every((s) => seen.has(s)) && upstream.length > 0 ? spans : undefined;
    }, spansArrive('a hop in every process'));
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const server of trace.filter((s) => s.kind === 2 && s.service !== 'modelgraph-gateway')) {
      expect(byId.get(server.parentSpanId!)?.name).toBe('gateway.fetch');
    }
    const sources = new Set(trace.filter((s) => s.kind === 3).map((s) => s.attributes['modelgraph.source']));
    for (const source of ['mlflow:prod', 'jira:corp', 'sagemaker:prod-us']) expect(sources.has(source)).toBe(true);
  }, 60_000);
});

const MODELS = { query: '{ models(first: 3) { nodes { key } } }' };

describe('a split deployment from docker-compose.yml', () => {
  it('answers the API key, with every subgraph behind the gateway', async () => {
    const answer = await post(ports.gateway, { query: '{ models(first: 3) { nodes { key tickets { key } repository { url } deployments { name } } } }' }, { 'x-api-key': KEY });
    expect(answer.status).toBe(200);
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data.models.nodes).toHaveLength(3);
  });

  it('refuses an anonymous caller with 401 before any upstream call', async () => {
    const before = upstreamCalls(sandbox);
    const answer = await post(ports.gateway, MODELS);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="modelgraph"/);
    expect(answer.json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(upstreamCalls(sandbox)).toBe(before);
  });

  it('refuses a forged subgraph call, unsigned or signed with another secret, and answers a signed one', async () => {
    const forged = JSON.stringify({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Model { mlflowVersions { id } } } }',
      variables: { r: [{ __typename: 'Model', key: 'anything', refs: [{ kind: 'MLFLOW', instance: 'prod', nativeId: 'fraud-detector' }] }] },
    });
    const before = upstreamCalls(sandbox);
    expect((await post(ports.mlflow, forged)).status).toBe(401);
    expect((await post(ports.mlflow, forged, { [SIGNATURE_HEADER]: signBody('another-secret-0123456789abcdef', forged) })).status).toBe(401);
    expect(upstreamCalls(sandbox)).toBe(before);
    // The same request as the gateway would sign it is answered: the refusals above are the signature's.
    const signed = await post(ports.mlflow, forged, { [SIGNATURE_HEADER]: signBody(SECRET, forged) });
    expect(signed.status).toBe(200);
    expect(signed.json.data._entities).toHaveLength(1);
  });

  it('answers GET /sources of a subgraph only to a signed request', async () => {
    expect((await fetch(`http://127.0.0.1:${ports.git}/sources`)).status).toBe(401);
  });

  it('reports, to the admin key, the health of sources only other processes call', async () => {
    await post(ports.gateway, { query: '{ models(first: 3) { nodes { repository { url } } } }' }, { 'x-api-key': KEY });
    const answer = await post(ports.gateway, { query: '{ sources { name calls } }' }, { 'x-api-key': KEY });
    expect(answer.json.errors).toBeUndefined();
    const calls = Object.fromEntries((answer.json.data.sources as Array<{ name: string; calls: number }>).map((s) => [s.name, s.calls]));
    // Only the git process calls GitHub; the inventory hears of it through the signed /sources.
    expect(calls['github:cloud']).toBeGreaterThan(0);
  });

  it.each([
    ['280 aliased heavy pages', `{ ${Array.from({ length: 280 }, (_, i) => `a${i}: models(first: 500) { nodes { findings { rule } } }`).join(' ')} }`, 'TOO_MANY_ALIASES'],
    [
      'a fragment fan-out, 8 spreads x 8 levels',
      [
        '{ model(key: "fraud-detector") { ...F1 } }',
        ...Array.from({ length: 7 }, (_, i) => `fragment F${i + 1} on Model { ${`...F${i + 2} `.repeat(8)}}`),
        'fragment F8 on Model { versions { version } }',
      ].join('\n'),
      'COST_ESTIMATED_TOO_EXPENSIVE',
    ],
    ['a depth bomb', `{ models(first: 1) { nodes { ${'deployments { model { '.repeat(10)}key${' } }'.repeat(10)} } } }`, 'QUERY_TOO_DEEP'],
  ])('refuses %s with 400 before any upstream call', async (_name, query, code) => {
    const before = upstreamCalls(sandbox);
    const answer = await post(ports.gateway, { query }, { 'x-api-key': KEY });
    expect(answer.status).toBe(400);
    expect(answer.json.errors?.map((e) => e.extensions?.code)).toContain(code);
    expect(upstreamCalls(sandbox)).toBe(before);
  });

  it('will not start a subgraph on 0.0.0.0 without the secret, and says which key', () => {
    const result = spawnSync(process.execPath, [BIN, 'serve', '--role', 'jira', '--port', '0', '--host', '0.0.0.0'], {
      env: stack.environment('jira', { MODELGRAPH_SUBGRAPH_SECRET: '' }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('server.subgraphSecret');
  });
});

/** Which root fields each subgraph answers in {@link OUTAGE_QUERY}: what its outage costs. */
const ROOT_FIELDS_OF: Partial<Record<(typeof ROLES)[number], string>> = { inventory: 'models', registries: 'deployments' };

/**
 * A document of its own per role: the answer healed after the previous role's outage is in
 * the gateway's response cache, and would answer the same document whatever is down.
 */
const OUTAGE_QUERY = (role: string) => ({
  query: `query Outage_${role} { models(first: 3) { nodes { key tickets { key } repository { url } mlflowVersions { version } deployments { name } } } deployments { id } }`,
});

// Last: each process is killed and started again in turn.
describe('a subgraph process killed', () => {
  it.each(ROLES)('%s: the answer is HTTP 200, names the subgraph, and keeps the other subgraphs\' fields', async (role) => {
    const child = stack.process(role);
    expect(child).toBeDefined();
    await new Promise<void>((resolve) => {
      child!.once('exit', () => resolve());
      child!.kill('SIGKILL');
    });
    try {
      const answer = await post(ports.gateway, OUTAGE_QUERY(role), { 'x-api-key': KEY });
      expect(answer.status).toBe(200);
      const unavailable = (answer.json.errors ?? []).filter((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE');
      expect(unavailable.length).toBeGreaterThan(0);
      expect(new Set(unavailable.map((e) => (e.extensions as { subgraph?: string }).subgraph))).toEqual(new Set([role]));
      // Root fields of the other subgraphs answer; the dead one's are null, not the whole answer.
      expect(answer.json.data).not.toBeNull();
      for (const [owner, field] of Object.entries(ROOT_FIELDS_OF)) {
        if (owner === role) expect(answer.json.data[field]).toBeNull();
        else expect(answer.json.data[field]).not.toBeNull();
      }
      if (role !== 'inventory') expect(answer.json.data.models.nodes.map((n: { key: string }) => n.key)).toHaveLength(3);
    } finally {
      await stack.serve(role);
    }
    const healed = await post(ports.gateway, OUTAGE_QUERY(role), { 'x-api-key': KEY });
    expect(healed.json.errors).toBeUndefined();
  });
});

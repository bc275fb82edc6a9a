import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../gateway/auth/authenticate';
import { startSandbox, type Sandbox } from '../../sandbox';
import { scrape, sum } from '../helpers/prometheus';

/**
 * The compose stack's observability, one `serve --role` process per service as
 * docker-compose.yml runs them (examples/compose.yaml, MODELGRAPH_METRICS_PORT, the OTLP
 * endpoint from the environment): Prometheus can scrape every process, and a real OTLP/HTTP
 * receiver gets one trace of a portal query with a hop in every process.
 */

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'modelgraph.js');
const ROLES = ['inventory', 'mlflow', 'jira', 'git', 'registries'] as const;
const SECRET = 'split-observability-test-secret-0123456789abcdef';
const KEY = 'mgk_split-observability-tester-0000000000000000';

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
let receiver: Server;
let receiverPort: number;
const received: OtlpSpan[] = [];
const ports: Record<string, number> = {};
const metricsPorts: Record<string, number> = {};
const processes: ChildProcess[] = [];
const output: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

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

function serve(role: string, configPath: string): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    MODELGRAPH_CONFIG: configPath,
    MODELGRAPH_SUBGRAPH_SECRET: SECRET,
    MODELGRAPH_API_KEY_HASH: hashApiKey(KEY),
    MODELGRAPH_METRICS_PORT: String(metricsPorts[role]),
    LOG_LEVEL: 'warn',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  for (const r of ROLES) env[`MODELGRAPH_SUBGRAPH_${r.toUpperCase()}_URL`] = `http://127.0.0.1:${ports[r]}/graphql`;
  const child = spawn(process.execPath, [BIN, 'serve', '--role', role, '--port', String(ports[role]), '--host', '0.0.0.0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => output.push(`${role}: ${chunk.toString()}`));
  child.stderr!.on('data', (chunk: Buffer) => output.push(`${role}: ${chunk.toString()}`));
  processes.push(child);
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen:\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const healthy = (port: number) => until(`port ${port} healthy`, async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined));

beforeAll(async () => {
  sandbox = await startSandbox({ models: 6 });
  receiver = await startOtlpReceiver();
  receiverPort = (receiver.address() as { port: number }).port;
  for (const role of [...ROLES, 'gateway']) {
    ports[role] = await freePort();
    metricsPorts[role] = await freePort();
  }
  const sandboxUrls: Record<string, string> = {
    '5000': sandbox.mlflow.prod!.url,
    '5001': sandbox.mlflow.research!.url,
    '5002': sandbox.jira.corp!.url,
    '5003': sandbox.github.cloud!.url,
    '5004': sandbox.gitlab.com!.url,
    '5005': sandbox.sagemaker['prod-us']!.url,
    '5006': sandbox.vertex.prod!.url,
    '5007': sandbox.azureml.prod!.url,
  };
  const config = readFileSync(join(ROOT, 'examples', 'compose.yaml'), 'utf8')
    .replace(/http:\/\/sandbox:(\d+)/g, (_m, port: string) => sandboxUrls[port]!.replace(/\/$/, ''))
    .replace('http://gateway:4000/graphql', `http://127.0.0.1:${ports.gateway}/graphql`)
    .replace('/config/people.yaml', join(ROOT, 'examples', 'people.demo.yaml'));
  const configPath = join(mkdtempSync(join(tmpdir(), 'modelgraph-observability-')), 'modelgraph.yaml');
  writeFileSync(configPath, config);
  for (const role of ROLES) serve(role, configPath);
  await Promise.all(ROLES.map((role) => healthy(ports[role]!)));
  serve('gateway', configPath);
  await healthy(ports.gateway!);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    processes.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  await sandbox?.close();
});

const PORTAL_QUERY = `query PortalModel($key: ID!) {
  model(key: $key) { key versions { version } deployments { endpointName } tickets { key } repository { url } }
}`;

it('Prometheus can scrape every process, and one portal query is one trace with a hop in every process', async () => {
  const res = await fetch(`http://127.0.0.1:${ports.gateway}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify({ query: PORTAL_QUERY, variables: { key: sandbox.org.models[0]!.key } }),
  });
  const answer = (await res.json()) as { data?: unknown; errors?: unknown[] };
  expect(answer.errors).toBeUndefined();

  // Every process: its own /metrics on its metrics port, without credentials.
  for (const role of [...ROLES, 'gateway']) {
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
  const request = await until('the gateway span', () =>
    received.find((s) => s.name === 'gateway.request' && s.attributes['graphql.operation.name'] === 'PortalModel'),
  );
  const services = ['gateway', ...ROLES].map((r) => `modelgraph-${r}`);
  const trace = await until('a hop in every process', () => {
    const spans = received.filter((s) => s.traceId === request.traceId);
    const seen = new Set(spans.filter((s) => s.kind === 2 /* SERVER */).map((s) => s.service));
    const upstream = spans.filter((s) => s.kind === 3 /* CLIENT */ && s.attributes['modelgraph.source'] !== undefined);
    return services.every((s) => seen.has(s)) && upstream.length > 0 ? spans : undefined;
  });
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  for (const server of trace.filter((s) => s.kind === 2 && s.service !== 'modelgraph-gateway')) {
    expect(byId.get(server.parentSpanId!)?.name).toBe('gateway.fetch');
  }
  const sources = new Set(trace.filter((s) => s.kind === 3).map((s) => s.attributes['modelgraph.source']));
  for (const source of ['mlflow:prod', 'jira:corp', 'sagemaker:prod-us']) expect(sources.has(source)).toBe(true);
}, 60_000);

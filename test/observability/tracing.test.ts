import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HttpClient } from '../../connectors/core/http-client';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * One portal query through the real pipeline, with the SDK's in-memory exporter behind a
 * registered tracer provider (W3C propagation, AsyncLocalStorage context): the gateway's
 * spans, each subgraph's SERVER and resolver spans and the upstream CLIENT spans form one
 * trace. Subgraphs are reached over HTTP, so the trace crosses by `traceparent` only.
 */

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

const PORTAL_QUERY = `query PortalModel($key: ID!) {
  model(key: $key) {
    key
    versions { version stage source { kind instance } }
    deployments { endpointName status }
    tickets { key status }
    repository { url }
  }
}`;

let sandbox: Sandbox;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ models: 6 });
  stack = await startDemoGraph(sandbox);
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
  await provider.shutdown();
});

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

it('one portal query is one trace: gateway, query plan fetches, subgraph resolvers and upstream calls', async () => {
  exporter.reset();
  const answer = await postGraphql(stack.graphqlUrl, PORTAL_QUERY, { key: sandbox.org.models[0]!.key });
  expect(answer.errors).toBeUndefined();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();

  const request = spans.filter((s) => s.name === 'gateway.request');
  expect(request).toHaveLength(1);
  const traceId = request[0]!.spanContext().traceId;
  // Everything the query caused is in its trace, and nothing else was traced meanwhile.
  expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));

  // The gateway: its HTTP SERVER span at the root, Apollo Gateway's plan and fetches beneath.
  const roots = spans.filter((s) => parentOf(s) === undefined);
  expect(roots.map((s) => [s.name, s.kind])).toEqual([['POST /graphql', SpanKind.SERVER]]);
  expect(roots[0]!.attributes['http.response.status_code']).toBe(200);
  expect(spans.some((s) => s.name === 'gateway.plan')).toBe(true);
  const fetches = spans.filter((s) => s.name === 'gateway.fetch');
  expect(fetches.length).toBeGreaterThan(0);

  // Each subgraph's SERVER span is the child of a gateway fetch: it came through traceparent.
  const fetchIds = new Set(fetches.map((s) => s.spanContext().spanId));
  const subgraphServers = spans.filter((s) => s.kind === SpanKind.SERVER && s.attributes['modelgraph.subgraph'] !== undefined);
  expect(new Set(subgraphServers.map((s) => s.attributes['modelgraph.subgraph']))).toEqual(
    new Set(['inventory', 'mlflow', 'registries', 'jira', 'git']),
  );
  for (const server of subgraphServers) expect(fetchIds.has(parentOf(server)!)).toBe(true);

  // Resolvers that do work have spans; the upstream calls they make are CLIENT spans with the source.
  expect(spans.some((s) => s.name === 'resolve Query.model')).toBe(true);
  const upstream = spans.filter((s) => s.kind === SpanKind.CLIENT && s.attributes['modelgraph.source'] !== undefined);
  const sources = new Set(upstream.map((s) => s.attributes['modelgraph.source']));
  for (const source of ['mlflow:prod', 'jira:corp', 'sagemaker:prod-us', 'vertex_ai:prod', 'azure_ml:prod']) {
    expect(sources.has(source)).toBe(true);
  }
  for (const span of upstream) {
    expect(span.attributes).toEqual(
      expect.objectContaining({
        'http.request.method': expect.any(String),
        'url.template': expect.stringMatching(/^(\/|[A-Z])/),
        'http.response.status_code': expect.any(Number),
        'modelgraph.source.kind': expect.any(String),
        'modelgraph.source.instance': expect.any(String),
      }),
    );
    expect(span.name).toBe(`${span.attributes['http.request.method']} ${span.attributes['url.template']}`);
  }

  // Every span hangs, parent by parent, from the gateway's root.
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  for (const span of upstream) {
    let at: ReadableSpan | undefined = span;
    while (at && parentOf(at) !== undefined) at = byId.get(parentOf(at)!);
    expect(at).toBe(roots[0]);
  }
});

it('an index rebuild is a trace of its own, linked from the request that started it, with its upstream calls inside', async () => {
  exporter.reset();
  const answer = await postGraphql(stack.graphqlUrl, 'query Findings { findings(first: 5) { totalCount } }');
  expect(answer.errors).toBeUndefined();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  const rebuilds = spans.filter((s) => s.name === 'rebuild governance index');
  expect(rebuilds).toHaveLength(1);
  const rebuild = rebuilds[0]!;
  expect(parentOf(rebuild)).toBeUndefined();
  const request = spans.find((s) => s.name === 'gateway.request' && s.attributes['graphql.operation.name'] === 'Findings')!;
  expect(rebuild.spanContext().traceId).not.toBe(request.spanContext().traceId);
  expect(rebuild.links.map((l) => l.context.traceId)).toEqual([request.spanContext().traceId]);
  // The build reads the sources directly: their calls are inside the rebuild's trace, and no
  // query of its own goes through the gateway.
  const build = spans.filter((s) => s.spanContext().traceId === rebuild.spanContext().traceId);
  expect(build.some((s) => s.name === 'gateway.request')).toBe(false);
  const sources = new Set(build.filter((s) => s.kind === SpanKind.CLIENT).map((s) => String(s.attributes['modelgraph.source']).split(':')[0]));
  // MLflow's versions and runs, and Jira's tickets, at least.
  expect([...sources]).toEqual(expect.arrayContaining(['mlflow', 'jira']));
});

it('sends traceparent to HTTP upstreams, naming the attempt that carried it, retries counted', async () => {
  const received: Array<string | undefined> = [];
  const upstream = createServer((req, res) => {
    received.push(req.headers.traceparent as string | undefined);
    // The first attempt fails over, the second answers: two CLIENT spans, one resend.
    res.statusCode = received.length === 1 ? 503 : 200;
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  const client = new HttpClient({ source: 'mlflow:prod', baseURL: `http://127.0.0.1:${port}`, retry: { baseDelayMs: 1 } });
  exporter.reset();
  try {
    await trace.getTracer('test').startActiveSpan('resolver', async (parent) => {
      await client.get('/api/2.0/mlflow/runs/get', { run_id: 'abc' }, { route: '/runs/get' });
      parent.end();
    });
  } finally {
    client.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  }
  await provider.forceFlush();
  const attempts = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
  expect(attempts.map((s) => [s.name, s.attributes['http.response.status_code'], s.attributes['http.request.resend_count']])).toEqual([
    ['GET /runs/get', 503, undefined],
    ['GET /runs/get', 200, 1],
  ]);
  expect(received).toEqual(attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  expect(attempts.map((s) => s.attributes['server.port'])).toEqual([port, port]);
});

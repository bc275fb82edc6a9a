import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox, type SandboxServer } from '../../sandbox';
import { startDemoGraph } from '../helpers/demo-graph';
import { startTcpSwitch, type TcpSwitch } from '../helpers/tcp-switch';

/**
 * The fault matrix: each upstream × each way an upstream fails, through the whole graph.
 * For every case the portal query answers HTTP 200 with an error naming the failing source
 * and every other source's data; the failing source is sent at most one call's attempts
 * (it is not asked again once it failed within the request); and once the fault clears (and
 * the few-ms memory of it has passed) the same query answers without errors.
 *
 * Short timeouts keep it quick; attempts are counted from each source's health
 * record (`Query.sources`), never timed. `maxConcurrency: 1` serialises each source's calls,
 * so "one call's attempts" is exactly `maxAttempts`: with more concurrency the bound is that
 * many per call already in flight when the first failure ends.
 */

const MAX_ATTEMPTS = 2;
/** Shorter than the slow fault's latency, and long enough for any sandbox answer on a busy CI machine. */
const TIMEOUT_MS = 1_500;
const SLOW_MS = 4_000;
const REMEMBER_FAILURE_SECONDS = 0.05;

const CONNECTION = {
  timeoutMs: TIMEOUT_MS,
  maxConcurrency: 1,
  // A slow source costs two timeouts whatever the budget; the budget also covers the wait
  // for the one connection, which a busy machine can make long.
  retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 5, maxDelayMs: 10, budgetMs: 10_000 },
  breaker: { failureThreshold: 1000, rememberFailureSeconds: REMEMBER_FAILURE_SECONDS },
};

const PORTAL = /* GraphQL */ `
  {
    models(first: 100) {
      totalCount
      nodes {
        key
        refs { kind instance }
        mlflowVersions { version }
        cloudVersions { version }
        deployments { id }
        tickets { key }
        repository { url }
      }
    }
    deployments { id provider }
  }
`;

type SourceName =
  | 'mlflow:prod'
  | 'mlflow:research'
  | 'jira:corp'
  | 'github:cloud'
  | 'gitlab:com'
  | 'sagemaker:prod-us'
  | 'vertex_ai:prod'
  | 'azure_ml:prod'
  | 'unity_catalog:lakehouse';

const SOURCES: SourceName[] = [
  'mlflow:prod',
  'mlflow:research',
  'jira:corp',
  'github:cloud',
  'gitlab:com',
  'sagemaker:prod-us',
  'vertex_ai:prod',
  'azure_ml:prod',
  'unity_catalog:lakehouse',
];

/**
 * Data that reaches the answer only through another source: a model's repository is found
 * through its newest MLflow run, so an MLflow instance that fails hides the repositories of
 * its models (and a host may then show none).
 */
const DERIVED_FROM: Partial<Record<SourceName, SourceName[]>> = {
  'mlflow:prod': ['github:cloud', 'gitlab:com'],
  'mlflow:research': ['github:cloud', 'gitlab:com'],
};

interface Fault {
  apply(server: SandboxServer, tcp: TcpSwitch): Promise<void> | void;
  clear(server: SandboxServer, tcp: TcpSwitch): Promise<void> | void;
}

const FAULTS: Record<string, Fault> = {
  'connection refused': { apply: (_s, tcp) => tcp.refuse(), clear: (_s, tcp) => tcp.accept() },
  'slow past the timeout': {
    apply: (s) => void (s.faults.latencyMs = SLOW_MS),
    clear: (s) => void (s.faults.latencyMs = 0),
  },
  // Longer than the whole budget: honoured by not retrying at all.
  '429 with Retry-After': {
    apply: (s) => void Object.assign(s.faults, { failRate: 1, failStatus: 429, retryAfterSeconds: 60 }),
    clear: (s) => void Object.assign(s.faults, { failRate: 0, failStatus: 503, retryAfterSeconds: undefined }),
  },
  // Longer than any call's retries; then the burst is over and the upstream answers again.
  '5xx burst then recovery': {
    apply: (s) => void Object.assign(s.faults, { failNext: 1_000, failStatus: 503 }),
    clear: (s) => void (s.faults.failNext = 0),
  },
  'malformed JSON': { apply: (s) => void (s.faults.malformed = true), clear: (s) => void (s.faults.malformed = false) },
  '401': {
    apply: (s) => void Object.assign(s.faults, { failRate: 1, failStatus: 401 }),
    clear: (s) => void Object.assign(s.faults, { failRate: 0, failStatus: 503 }),
  },
};

let sandbox: Sandbox;
let stack: Stack;
const switches = {} as Record<SourceName, TcpSwitch>;
const servers = {} as Record<SourceName, SandboxServer>;
let baseline: Set<string>;

async function post(query: string): Promise<{ status: number; body: { data?: any; errors?: any[] } }> {
  const res = await fetch(stack.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
}

/** The sources whose data the portal answer shows. */
function sourcesWithData(data: any): Set<string> {
  const seen = new Set<string>();
  for (const node of data?.models?.nodes ?? []) {
    for (const ref of node.refs ?? []) seen.add(`${String(ref.kind).toLowerCase()}:${ref.instance}`);
    if (node.tickets?.length) seen.add('jira:corp');
    const url: string | undefined = node.repository?.url;
    if (url?.startsWith('https://github.com/')) seen.add('github:cloud');
    if (url?.startsWith('https://gitlab.com/')) seen.add('gitlab:com');
  }
  for (const d of data?.deployments ?? []) seen.add(`deployments:${d.provider}`);
  return seen;
}

/** Attempts each source has recorded so far (retries included; nothing for calls not sent). */
async function attemptsBySource(): Promise<Record<string, number>> {
  const { body } = await post('{ sources { name calls } }');
  return Object.fromEntries((body.data.sources as Array<{ name: string; calls: number }>).map((s) => [s.name, s.calls]));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  Object.assign(servers, {
    'mlflow:prod': sandbox.mlflow.prod,
    'mlflow:research': sandbox.mlflow.research,
    'jira:corp': sandbox.jira.corp,
    'github:cloud': sandbox.github.cloud,
    'gitlab:com': sandbox.gitlab.com,
    'sagemaker:prod-us': sandbox.sagemaker['prod-us'],
    'vertex_ai:prod': sandbox.vertex.prod,
    'azure_ml:prod': sandbox.azureml.prod,
    'unity_catalog:lakehouse': sandbox.unityCatalog.lakehouse,
  });
  for (const source of SOURCES) switches[source] = await startTcpSwitch(servers[source]!.url);
  const via = (source: SourceName) => switches[source].url;
  stack = await startDemoGraph(sandbox, {
    // Every query reaches the upstreams: a cached answer would hide the fault.
    cache: { ttlSeconds: 0, staleSeconds: 0 },
    sources: (s) => ({
      mlflow: s.mlflow.map((x) => ({ ...x, ...CONNECTION, url: via(`mlflow:${x.name}` as SourceName) })),
      jira: s.jira.map((x) => ({ ...x, ...CONNECTION, url: via('jira:corp') })),
      github: s.github.map((x) => ({ ...x, ...CONNECTION, url: via('github:cloud') })),
      gitlab: s.gitlab.map((x) => ({ ...x, ...CONNECTION, url: via('gitlab:com') })),
      sagemaker: s.sagemaker.map((x) => ({ ...x, ...CONNECTION, endpoint: via('sagemaker:prod-us') })),
      vertex: s.vertex.map((x) => ({ ...x, ...CONNECTION, endpoint: via('vertex_ai:prod') })),
      azureml: s.azureml.map((x) => ({ ...x, ...CONNECTION, endpoint: via('azure_ml:prod') })),
      unityCatalog: s.unityCatalog.map((x) => ({ ...x, ...CONNECTION, host: via('unity_catalog:lakehouse') })),
    }),
  });
  // The first answer of a cold process (module loading, JIT) is the slowest; it is not the baseline.
  await post(PORTAL);
  const clean = await post(PORTAL);
  expect(clean.body.errors).toBeUndefined();
  baseline = sourcesWithData(clean.body.data);
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await Promise.all(Object.values(switches).map((s) => s.close()));
  await sandbox?.close();
});

describe('the fault matrix', () => {
  it('starts from an answer with every source in it', () => {
    for (const source of SOURCES) expect(baseline).toContain(source);
    for (const provider of ['SAGEMAKER', 'VERTEX_AI', 'AZURE_ML']) expect(baseline).toContain(`deployments:${provider}`);
  });

  const cases = SOURCES.flatMap((source) => Object.keys(FAULTS).map((fault) => [source, fault] as const));

  it.each(cases)('%s, %s: the rest answers, the source is named, one call of attempts, clean after', async (source, faultName) => {
    const fault = FAULTS[faultName]!;
    const server = servers[source];
    const tcp = switches[source];
    const before = await attemptsBySource();
    await fault.apply(server, tcp);
    let faulted: Awaited<ReturnType<typeof post>>;
    try {
      faulted = await post(PORTAL);
    } finally {
      await fault.clear(server, tcp);
    }
    const after = await attemptsBySource();

    expect(faulted.status).toBe(200);
    const named = new Set((faulted.body.errors ?? []).map((e: any) => e.extensions?.source));
    expect([...named]).toEqual([source]);

    const present = sourcesWithData(faulted.body.data);
    const lost = new Set<string>([source, ...(DERIVED_FROM[source] ?? [])]);
    for (const other of baseline) {
      if (lost.has(other)) continue;
      // A cloud that fails loses its own deployments only.
      if (other.startsWith('deployments:') && source.startsWith(`${other.slice('deployments:'.length).toLowerCase()}:`)) continue;
      expect({ source: other, present: present.has(other) }).toEqual({ source: other, present: true });
    }

    // One call's attempts at most, however many places in the query needed the source.
    expect((after[source] ?? 0) - (before[source] ?? 0)).toBeLessThanOrEqual(MAX_ATTEMPTS);

    // The memory of the failure is a few ms here; after it, the source is asked again.
    await sleep(REMEMBER_FAILURE_SECONDS * 1000 + 50);
    const clean = await post(PORTAL);
    expect(clean.status).toBe(200);
    expect(clean.body.errors).toBeUndefined();
    expect(sourcesWithData(clean.body.data)).toEqual(baseline);
  });
});

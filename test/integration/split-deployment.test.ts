import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../gateway/auth/authenticate';
import { SIGNATURE_HEADER, signBody } from '../../lib/request-signature';
import { startSandbox, type Sandbox } from '../../sandbox';
import { upstreamCalls } from '../helpers/demo-graph';

/**
 * The split deployment as docker-compose.yml runs it: one `serve --role` process per
 * subgraph and one gateway, each on 0.0.0.0, configured by examples/compose.yaml with the
 * secret and the API key hash from the environment. Only the sandbox addresses, the people
 * file and the inventory's graph URL are rewritten for this machine. From outside: anonymous
 * callers, forged subgraph calls and costly operations are refused; the API key is answered.
 */

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'modelgraph.js');
const ROLES = ['inventory', 'mlflow', 'jira', 'git', 'registries'] as const;
const SECRET = 'split-deployment-test-secret-0123456789abcdef';
const KEY = 'mgk_split-deployment-tester-00000000000000000000';

let sandbox: Sandbox;
let configPath: string;
const ports: Record<string, number> = {};
const processes: ChildProcess[] = [];
const output: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    MODELGRAPH_CONFIG: configPath,
    MODELGRAPH_SUBGRAPH_SECRET: SECRET,
    MODELGRAPH_API_KEY_HASH: hashApiKey(KEY),
    LOG_LEVEL: 'warn',
    ...extra,
  };
  for (const role of ROLES) env[`MODELGRAPH_SUBGRAPH_${role.toUpperCase()}_URL`] = `http://127.0.0.1:${ports[role]}/graphql`;
  return env;
}

function serve(role: string): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'serve', '--role', role, '--port', String(ports[role]), '--host', '0.0.0.0'], {
    env: environment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => output.push(`${role}: ${chunk.toString()}`));
  child.stderr!.on('data', (chunk: Buffer) => output.push(`${role}: ${chunk.toString()}`));
  processes.push(child);
  return child;
}

async function untilHealthy(port: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`port ${port} did not come up:\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
  for (const role of [...ROLES, 'gateway']) ports[role] = await freePort();
  const sandboxUrls: Record<string, string> = {
    '5000': sandbox.mlflow.prod.url,
    '5001': sandbox.mlflow.research.url,
    '5002': sandbox.jira.corp.url,
    '5003': sandbox.github.cloud.url,
    '5004': sandbox.gitlab.com.url,
    '5005': sandbox.sagemaker['prod-us'].url,
    '5006': sandbox.vertex.prod.url,
    '5007': sandbox.azureml.prod.url,
  };
  const config = readFileSync(join(ROOT, 'examples', 'compose.yaml'), 'utf8')
    .replace(/http:\/\/sandbox:(\d+)/g, (_m, port: string) => sandboxUrls[port].replace(/\/$/, ''))
    .replace('http://gateway:4000/graphql', `http://127.0.0.1:${ports.gateway}/graphql`)
    .replace('/config/people.yaml', join(ROOT, 'examples', 'people.demo.yaml'));
  expect(config).not.toMatch(/sandbox:|\/config\//);
  configPath = join(mkdtempSync(join(tmpdir(), 'modelgraph-split-')), 'modelgraph.yaml');
  writeFileSync(configPath, config);

  for (const role of ROLES) serve(role);
  await Promise.all(ROLES.map((role) => untilHealthy(ports[role])));
  serve('gateway');
  await untilHealthy(ports.gateway);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    processes.map(
      (child) =>
        new Promise<void>((resolve) => {
          // Killed by a signal (the outage tests), a process has no exit code.
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await sandbox?.close();
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
      env: environment({ MODELGRAPH_SUBGRAPH_SECRET: '' }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('server.subgraphSecret');
  });
});

/** Which root fields each subgraph answers in {@link OUTAGE_QUERY}: what its outage costs. */
const ROOT_FIELDS_OF: Partial<Record<(typeof ROLES)[number], string>> = { inventory: 'models', registries: 'deployments' };

const OUTAGE_QUERY = {
  query: '{ models(first: 3) { nodes { key tickets { key } repository { url } mlflowVersions { version } deployments { name } } } deployments { id } }',
};

// Last: each process is killed and started again in turn.
describe('a subgraph process killed', () => {
  it.each(ROLES)('%s: the answer is HTTP 200, names the subgraph, and keeps the other subgraphs\' fields', async (role) => {
    const child = processes.find((p) => p.spawnargs.includes(role) && p.exitCode === null && p.signalCode === null);
    expect(child).toBeDefined();
    await new Promise<void>((resolve) => {
      child!.once('exit', () => resolve());
      child!.kill('SIGKILL');
    });
    try {
      const answer = await post(ports.gateway, OUTAGE_QUERY, { 'x-api-key': KEY });
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
      serve(role);
      await untilHealthy(ports[role]);
    }
    const healed = await post(ports.gateway, OUTAGE_QUERY, { 'x-api-key': KEY });
    expect(healed.json.errors).toBeUndefined();
  });
});

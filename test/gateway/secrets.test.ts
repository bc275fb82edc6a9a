import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { configSchema, type ModelgraphConfig } from '../../config/schema';
import { createLogger } from '../../connectors/core/logger';
import { hashApiKey } from '../../gateway/auth/authenticate';
import { readSupergraph } from '../../gateway/compose';
import { startGatewayFromConfig, startStack, type Stack } from '../../gateway/stack';
import { SIGNATURE_HEADER } from '../../lib/request-signature';
import {
  generateDemoOrg,
  sandboxConfig,
  startAzuremlSandbox,
  startGithubSandbox,
  startGitlabSandbox,
  startJiraSandbox,
  startMlflowSandbox,
  startUnityCatalogSandbox,
  startVertexSandbox,
  type Sandbox,
  type SandboxServer,
} from '../../sandbox';
import { SAGEMAKER_SANDBOX_INSTANCE, startSagemakerSandbox } from '../../sandbox/sagemaker';
import type { RunningServer } from '../../subgraphs/common/http-server';
import { PeopleDirectory } from '../../subgraphs/common/identity';

/**
 * No credential leaves the process the way it came in: every secret modelgraph holds (the
 * sources' tokens and passwords, the gateway's API key, a caller's JWT, the subgraph
 * signing secret) is a canary, and after success paths, upstream failures, a source and a
 * subgraph taken down and bad logins, no log line, response body or response header may
 * carry any canary, raw, base64 (at any alignment, so inside a Basic header too) or
 * URL-encoded. Error answers must also not show stack traces, file paths or internal
 * addresses unless `server.debug` is on.
 */

const RUN = randomBytes(6).toString('hex');
const canary = (what: string) => `CANARY${RUN}x${what}x${randomBytes(9).toString('hex')}`;

/** What the sandbox servers demand, and so what the "right" stack is configured with. */
const RIGHT = {
  jiraToken: canary('jira'),
  githubToken: canary('github'),
  gitlabToken: canary('gitlab'),
  sagemakerKeyId: `AKIA${canary('awskeyid')}`,
  sagemakerSecret: canary('awssecret'),
  vertexToken: canary('vertex'),
  azuremlToken: canary('azureml'),
  unityCatalogClientSecret: canary('ucclientsecret'),
  mlflowProdToken: canary('mlflowbearer'),
  mlflowResearchPassword: canary('mlflowpassword'),
};
/** The same credentials, wrong: every upstream answers 401 to the "wrong" stack. */
const WRONG = Object.fromEntries(Object.entries(RIGHT).map(([k]) => [k, canary(`wrong${k}`)])) as typeof RIGHT;

/** Credentials for two MLflow instances whose server quotes whatever credential it is sent. */
const ECHO = { token: canary('echobearer'), password: canary('echopassword') };

/** The service principal the Unity Catalog sandbox knows; its OAuth secret is the canary. */
const UC_CLIENT_ID = '5d2c8e1a-4b7f-4a3e-9c6d-0e1f2a3b4c5d';

const API_KEY = canary('apikey');
const WRONG_API_KEY = canary('guessedapikey');
const SUBGRAPH_SECRET = canary('subgraphsecret');
const JTI = canary('jti');
const ISSUER = 'https://idp.test/';
const AUDIENCE = 'modelgraph';

let jwt: string;
let forgedJwt: string;
/** Every secret value, filled in once the JWTs exist. */
const secrets: string[] = [];

// ---- leak detection --------------------------------------------------------------------------

/**
 * The parts of base64(secret) that are the same wherever the secret sits inside a longer
 * encoded value (`Basic base64(user:secret)`, a JWT segment): one per byte alignment.
 */
function base64Needles(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const needles: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const from = Math.ceil((offset * 8) / 6);
    const to = Math.floor(((offset + bytes.length) * 8) / 6);
    const stable = encoded.slice(from, to);
    needles.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return needles;
}

function needlesOf(secret: string): Array<{ needle: string; form: string }> {
  return [
    { needle: secret, form: 'raw' },
    { needle: encodeURIComponent(secret), form: 'url-encoded' },
    { needle: JSON.stringify(secret).slice(1, -1), form: 'json-escaped' },
    ...base64Needles(secret).map((needle) => ({ needle, form: 'base64' })),
  ];
}

function leaksIn(text: string): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const { needle, form } of needlesOf(secret)) {
      if (text.includes(needle)) found.push(`${secret.replace(/x[0-9a-f]+$/, '')} (${form})`);
    }
  }
  return [...new Set(found)];
}

/** What an answer must not show without `server.debug`. */
function internalsIn(text: string, internalHosts: readonly string[]): string[] {
  const found: string[] = [];
  if (/stacktrace/i.test(text)) found.push('stacktrace');
  if (text.includes('/work/')) found.push('/work/');
  if (text.includes('node_modules')) found.push('node_modules');
  if (/\bat [\w.<>]+ \(/.test(text)) found.push('stack frame');
  for (const host of internalHosts) if (text.includes(host)) found.push(host);
  return found;
}

// ---- the world -------------------------------------------------------------------------------

let sandbox: Sandbox;
let right: Stack;
let wrong: Stack;
let debugGateway: RunningServer | undefined;
let echo: { server: Server; url: string };
const logLines: string[] = [];
const answers: Array<{ label: string; status: number; headers: string; body: string }> = [];

async function startCanarySandbox(): Promise<Sandbox> {
  const org = generateDemoOrg({ models: 8 });
  const servers: SandboxServer[] = [];
  const keep = <T extends SandboxServer>(s: T) => (servers.push(s), s);
  try {
    const mlflow = {
      prod: keep(await startMlflowSandbox({ org, instance: 'prod', auth: { type: 'bearer', token: RIGHT.mlflowProdToken } })),
      research: keep(
        await startMlflowSandbox({ org, instance: 'research', auth: { type: 'basic', username: 'mlflow-bot', password: RIGHT.mlflowResearchPassword } }),
      ),
    };
    const jira = {
      corp: keep(await startJiraSandbox({ org, instance: 'corp', flavor: 'cloud', auth: { type: 'basic', email: 'modelgraph-bot@acme.io', apiToken: RIGHT.jiraToken } })),
    };
    const github = {
      cloud: keep(await startGithubSandbox({ org, instance: 'cloud', auth: { type: 'token', token: RIGHT.githubToken }, rateLimit: { limit: 1_000_000 } })),
    };
    const gitlab = {
      com: keep(await startGitlabSandbox({ org, instance: 'com', auth: { type: 'privateToken', token: RIGHT.gitlabToken }, rateLimit: { requestsPerMinute: 100_000 } })),
    };
    const sagemaker = {
      [SAGEMAKER_SANDBOX_INSTANCE]: keep(
        await startSagemakerSandbox({ org, credentials: { accessKeyId: RIGHT.sagemakerKeyId, secretAccessKey: RIGHT.sagemakerSecret } }),
      ),
    };
    const vertex = { prod: keep(await startVertexSandbox({ org, instance: 'prod', token: RIGHT.vertexToken })) };
    const azureml = { prod: keep(await startAzuremlSandbox({ org, instance: 'prod', token: RIGHT.azuremlToken })) };
    const unityCatalog = {
      lakehouse: keep(await startUnityCatalogSandbox({ org, instance: 'lakehouse', client: { clientId: UC_CLIENT_ID, clientSecret: RIGHT.unityCatalogClientSecret } })),
    };
    return {
      org,
      mlflow,
      jira,
      github,
      gitlab,
      sagemaker,
      vertex,
      azureml,
      unityCatalog,
      all: () => servers,
      close: async () => {
        await Promise.all(servers.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
}

/**
 * An upstream that answers 401 quoting the credential it got, raw, decoded and re-encoded,
 * as some vendors' error pages and proxies do: what modelgraph makes of that error must
 * not carry it on.
 */
async function startEchoUpstream(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const authorization = req.headers.authorization ?? '';
    const credential = authorization.replace(/^\w+\s+/, '');
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    res.statusCode = 401;
    res.setHeader('content-type', 'application/json');
    res.setHeader('www-authenticate', `Bearer error="invalid_token", error_description="${credential}"`);
    res.end(
      JSON.stringify({
        error_code: 'UNAUTHENTICATED',
        message: `rejected ${authorization} (${credential}; ${decoded}; ${encodeURIComponent(credential)}; ${Buffer.from(credential).toString('base64')}) at ${req.url}`,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The sandbox's source config with `creds` in every place a credential goes. */
function sourcesWith(creds: typeof RIGHT, withEcho = false) {
  const { sources } = sandboxConfig(sandbox);
  // Each query meets the fault of the moment: no memory of the previous one's failures.
  const fast = { retry: { maxAttempts: 2, baseDelayMs: 10, budgetMs: 2_000 }, breaker: { failureThreshold: 1000, rememberFailureSeconds: 0 } };
  const echoes = withEcho
    ? [
        { name: 'echo-bearer', url: echo.url, ...fast, auth: { type: 'bearer', token: ECHO.token } },
        { name: 'echo-basic', url: echo.url, ...fast, auth: { type: 'basic', username: 'mlflow-bot', password: ECHO.password } },
      ]
    : [];
  return {
    mlflow: [
      ...sources.mlflow.map((s) => ({
        ...s,
        ...fast,
        auth: s.name === 'prod' ? { type: 'bearer', token: creds.mlflowProdToken } : { type: 'basic', username: 'mlflow-bot', password: creds.mlflowResearchPassword },
      })),
      ...echoes,
    ],
    jira: sources.jira.map((s) => ({ ...s, ...fast, auth: { type: 'basic', email: 'modelgraph-bot@acme.io', apiToken: creds.jiraToken } })),
    github: sources.github.map((s) => ({ ...s, ...fast, auth: { type: 'token', token: creds.githubToken } })),
    gitlab: sources.gitlab.map((s) => ({ ...s, ...fast, auth: { type: 'privateToken', token: creds.gitlabToken } })),
    sagemaker: sources.sagemaker.map((s) => ({
      ...s,
      ...fast,
      credentials: { type: 'static', accessKeyId: creds.sagemakerKeyId, secretAccessKey: creds.sagemakerSecret },
    })),
    vertex: sources.vertex.map((s) => ({ ...s, ...fast, auth: { type: 'token', token: creds.vertexToken } })),
    azureml: sources.azureml.map((s) => ({ ...s, ...fast, auth: { type: 'token', token: creds.azuremlToken } })),
    unityCatalog: sources.unityCatalog.map((s) => ({
      ...s,
      ...fast,
      auth: { type: 'oauth-m2m', clientId: UC_CLIENT_ID, clientSecret: creds.unityCatalogClientSecret },
    })),
  };
}

function configWith(creds: typeof RIGHT, publicPem: string, server: Record<string, unknown> = {}, withEcho = false): ModelgraphConfig {
  return configSchema.parse({
    server: {
      port: 0,
      host: '127.0.0.1',
      auth: {
        mode: 'required',
        apiKeys: [{ name: 'canary-admin', hash: hashApiKey(API_KEY), scopes: ['jira:read', 'mlflow:read', 'admin'] }],
        jwt: { publicKeys: [{ pem: publicPem, kid: 'k1', alg: 'ES256' }], issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] },
      },
      subgraphSecret: SUBGRAPH_SECRET,
      rateLimit: { requestsPerMinute: 0 },
      ...server,
    },
    // No cache: every query reaches the upstreams, with the credentials.
    cache: { ttlSeconds: 0, staleSeconds: 0 },
    sources: sourcesWith(creds, withEcho),
    logLevel: 'debug',
  });
}

const logger = (stackName: string) =>
  createLogger({ level: 'debug', bindings: { stack: stackName }, write: (line) => void logLines.push(line) });

beforeAll(async () => {
  // Whatever logs past the logger (Apollo Server's own console logger in each subgraph) counts too.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map((a) => (a instanceof Error ? `${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
  }
  const trusted = await generateKeyPair('ES256', { extractable: true });
  const foreign = await generateKeyPair('ES256', { extractable: true });
  const publicPem = await exportSPKI(trusted.publicKey);
  const sign = (key: KeyLike) =>
    new SignJWT({ scope: 'jira:read mlflow:read admin', email: 'elena.nguyen@acme.io' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('user-123')
      .setJti(JTI)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
  jwt = await sign(trusted.privateKey);
  forgedJwt = await sign(foreign.privateKey);
  // A JWT's header and payload are not secret, but the token as a whole and its signature are.
  secrets.push(...Object.values(RIGHT), ...Object.values(WRONG), ...Object.values(ECHO), API_KEY, WRONG_API_KEY, SUBGRAPH_SECRET, JTI);
  secrets.push(jwt, jwt.split('.')[2]!, forgedJwt, forgedJwt.split('.')[2]!);

  sandbox = await startCanarySandbox();
  echo = await startEchoUpstream();
  addOrgQueries();
  const people = PeopleDirectory.fromData(sandboxConfig(sandbox).peopleAliases);
  right = await startStack(configWith(RIGHT, publicPem), logger('right'), { people });
  // The wrong stack also reads the two echoing instances: everything it does fails.
  wrong = await startStack(configWith(WRONG, publicPem, {}, true), logger('wrong'), { people });
  const debugConfig = configWith(RIGHT, publicPem, { debug: true });
  debugGateway = await startGatewayFromConfig(debugConfig, {
    supergraphSdl: readSupergraph(),
    subgraphUrls: Object.fromEntries(Object.entries(right.subgraphs).map(([name, s]) => [name, `${s.url}/graphql`])),
    subgraphSecret: right.runtime.subgraphSecret,
    logger: logger('debug'),
  });
}, 60_000);

afterAll(async () => {
  await debugGateway?.close();
  await right?.close();
  await wrong?.close();
  await sandbox?.close();
  if (echo) await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  jest.restoreAllMocks();
});

/** Every address a client must never learn: the subgraphs' and the sources'. */
function internalHosts(): string[] {
  const subgraphs = [right, wrong].flatMap((s) => Object.values(s.subgraphs).map((g) => `127.0.0.1:${g.port}`));
  const sources = [...sandbox.all(), echo].map((s) => s.url.replace(/^https?:\/\//, ''));
  return [...subgraphs, ...sources];
}

async function call(label: string, url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  const body = await res.text();
  const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  answers.push({ label, status: res.status, headers, body });
  return { status: res.status, body, json: () => JSON.parse(body) as { data?: any; errors?: any[]; subgraphs?: unknown[] } };
}

const graphql = (stack: Stack | RunningServer, label: string, query: string, headers: Record<string, string>, variables?: Record<string, unknown>) =>
  call(label, `${'graphqlUrl' in stack ? stack.graphqlUrl : `${stack.url}/graphql`}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });

const BY_KEY = { 'x-api-key': API_KEY };
const BY_JWT = () => ({ authorization: `Bearer ${jwt}` });

// Link fields (Ticket.url, SourceRef.url, ...) are the sources' own addresses by design:
// these queries leave them out so that any address in an answer is a leak.
const EVERYTHING = `{
  models(first: 50) {
    nodes {
      key name
      refs { kind instance nativeId }
      versions { version status ... on MlflowModelVersion { run { runId params { key value } tags { key value } commit { sha message } } } }
      deployments { name status statusMessage }
      tickets { key summary status }
      findings { rule message severity }
      codeOwners { handle kind }
      registered { name }
    }
  }
}`;
/** Filled in once the sandbox's organisation is known. */
const QUERIES: Record<string, string> = {
  everything: EVERYTHING,
  sources: '{ sources { name kind instance reachable calls errors lastError { code message } rateLimit { limit remaining } circuit } }',
  findings: '{ findings(first: 100) { nodes { rule severity message model { key } } } }',
  // An unknown project: Jira's 400 quotes the query back.
  jiraBadJql: '{ jiraSearch(instance: "corp", jql: "project = NOPE", first: 10) { key summary } }',
  mlflowRuns: '{ mlflowRuns(instance: "prod", experimentIds: ["1", "2"]) { nodes { runId params { key value } } } }',
  mlflowResearch: '{ mlflowRegisteredModel(instance: "research", name: "churn_predictor") { name latestVersions { version } } }',
  // Only the wrong stack has these instances (the right one answers "unknown MLflow instance").
  echoBearer: '{ mlflowRuns(instance: "echo-bearer", experimentIds: ["1"]) { nodes { runId } } }',
  echoBasic: '{ mlflowRegisteredModel(instance: "echo-basic", name: "churn_predictor") { name } }',
  deployments: '{ deployments { name status statusMessage provider instance } }',
  me: '{ me { id email displayName } }',
};

function addOrgQueries(): void {
  const model = sandbox.org.models[0]!;
  QUERIES.jiraSearch = `{ jiraSearch(instance: "corp", jql: ${JSON.stringify(`labels = "model:${model.key}"`)}, first: 10) { key summary status } }`;
  for (const host of ['github', 'gitlab'] as const) {
    const repo = sandbox.org.models.find((m) => m.repository.host === host)?.repository;
    if (repo) QUERIES[host] = `{ repository(url: ${JSON.stringify(repo.url)}) { fullName defaultBranch lastCommit { sha message } codeOwners { handle kind } } }`;
  }
}

async function runEverything(stack: Stack, label: string) {
  for (const [name, query] of Object.entries(QUERIES)) {
    await graphql(stack, `${label}: ${name} (API key)`, query, BY_KEY);
  }
  await graphql(stack, `${label}: everything (JWT)`, EVERYTHING, BY_JWT());
  await call(`${label}: /readyz (admin)`, `${stack.gateway.url}/readyz`, { headers: BY_KEY });
  await call(`${label}: /readyz (anonymous)`, `${stack.gateway.url}/readyz`);
  await call(`${label}: /healthz`, `${stack.gateway.url}/healthz`);
}

// ---- the tests -------------------------------------------------------------------------------

describe('credentials never leak', () => {
  it('finds a canary in every form it looks for (so the checks below can fail)', () => {
    expect(leaksIn(`authorization: Basic ${Buffer.from(`modelgraph-bot@acme.io:${RIGHT.jiraToken}`).toString('base64')}`)).not.toEqual([]);
    expect(leaksIn(Buffer.from(`{"k":"${SUBGRAPH_SECRET}"}`).toString('base64url'))).not.toEqual([]);
    expect(leaksIn(`"message":${JSON.stringify(`token ${API_KEY}`)}`)).not.toEqual([]);
    expect(leaksIn(`Bearer ${jwt.split('.')[2]}`)).not.toEqual([]);
    expect(leaksIn('{"errors":[{"message":"unauthenticated: unknown API key"}]}')).toEqual([]);
  });

  it('serves the graph with the canary credentials (so the canaries are really in use)', async () => {
    const res = await graphql(right, 'right: sanity', '{ models(first: 50) { nodes { key tickets { key } versions { version } } } }', BY_KEY);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.models.nodes.length).toBeGreaterThan(0);
  });

  it('runs success paths on the right stack', async () => {
    await runEverything(right, 'right');
  });

  it('runs upstream 401s on the wrong stack', async () => {
    const res = await graphql(wrong, 'wrong: sanity', EVERYTHING, BY_KEY);
    const codes = (res.json().errors ?? []).map((e: any) => e.extensions?.code);
    expect(codes).toContain('SOURCE_UNAUTHENTICATED');
    await runEverything(wrong, 'wrong');
  });

  it('runs sources failing in every way: down, 500, 429, 403', async () => {
    const servers = sandbox.all();
    const faults: Array<[string, Partial<SandboxServer['faults']>]> = [
      ['down', { down: true }],
      ['500', { failRate: 1, failStatus: 500 }],
      ['429', { failRate: 1, failStatus: 429, retryAfterSeconds: 0 }],
      ['403', { failRate: 1, failStatus: 403 }],
    ];
    for (const [name, fault] of faults) {
      for (const server of servers) Object.assign(server.faults, fault);
      try {
        for (const q of ['everything', 'sources', 'jiraSearch', 'mlflowRuns', 'github', 'gitlab', 'deployments'].filter((n) => QUERIES[n])) {
          await graphql(right, `right, sources ${name}: ${q}`, QUERIES[q]!, BY_KEY);
        }
        await call(`right, sources ${name}: /readyz`, `${right.gateway.url}/readyz`, { headers: BY_KEY });
      } finally {
        for (const server of servers) Object.assign(server.faults, { down: false, failRate: 0, failStatus: 503, retryAfterSeconds: undefined });
      }
    }
  }, 120_000);

  it('refuses bad logins that carry canaries', async () => {
    // The last one carries the valid key: /readyz, which ignores signatures, may show it the detail.
    const attempts: Array<[string, Record<string, string>]> = [
      ['wrong API key', { 'x-api-key': WRONG_API_KEY }],
      ['wrong API key as bearer', { authorization: `Bearer ${WRONG_API_KEY}` }],
      ['Basic with the API key', { authorization: `Basic ${Buffer.from(`canary-admin:${API_KEY}`).toString('base64')}` }],
      ['bearer with trailing junk', { authorization: `Bearer ${API_KEY} ${WRONG_API_KEY}` }],
      ['JWT signed by another key', { authorization: `Bearer ${forgedJwt}` }],
      ['a JWT-looking canary', { authorization: `Bearer ${WRONG_API_KEY}.${API_KEY}.${SUBGRAPH_SECRET}` }],
      ['JWT and API key together', { authorization: `Bearer ${jwt}`, 'x-api-key': API_KEY }],
      ['the secret as the signature', { [SIGNATURE_HEADER]: `t=${Math.floor(Date.now() / 1000)},v1=${SUBGRAPH_SECRET}` }],
      ['the secret in place of the signature', { [SIGNATURE_HEADER]: SUBGRAPH_SECRET, 'x-api-key': API_KEY }],
    ];
    for (const [name, headers] of attempts) {
      const res = await graphql(right, `bad login: ${name}`, '{ models(first: 1) { nodes { key } } }', headers);
      expect(res.status).toBe(401);
      // The subgraphs behind the gateway check the same signature.
      const direct = await graphql(right.subgraphs.inventory, `bad login, inventory subgraph directly: ${name}`, '{ models(first: 1) { nodes { key } } }', headers);
      expect(direct.status).toBe(401);
      const ready = await call(`bad login on /readyz: ${name}`, `${right.gateway.url}/readyz`, { headers });
      if (headers['x-api-key'] !== API_KEY) expect(ready.json().subgraphs).toBeUndefined();
    }
  });

  it('runs a subgraph that is gone', async () => {
    await right.subgraphs.jira.close();
    const res = await graphql(right, 'right, jira subgraph closed: everything', EVERYTHING, BY_KEY);
    expect(res.json().errors?.map((e: any) => e.extensions?.code)).toContain('SUBGRAPH_UNAVAILABLE');
    await graphql(right, 'right, jira subgraph closed: jiraSearch', QUERIES.jiraSearch!, BY_KEY);
    const ready = await call('right, jira subgraph closed: /readyz', `${right.gateway.url}/readyz`, { headers: BY_KEY });
    expect(ready.status).toBe(503);
  });

  it('writes no canary to any log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const leaks = logLines.flatMap((line) => leaksIn(line).map((leak) => `${leak}: ${line.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });

  it('sends no canary in any response body or header', () => {
    expect(answers.length).toBeGreaterThan(50);
    const leaks = answers.flatMap((a) => leaksIn(`${a.headers}\n${a.body}`).map((leak) => `${a.label}: ${leak}`));
    expect(leaks).toEqual([]);
  });

  it('shows no stack trace, file path or internal address without server.debug', () => {
    const hosts = internalHosts();
    const found = answers.flatMap((a) => internalsIn(a.body, hosts).map((what) => `${a.label}: ${what}`));
    expect(found).toEqual([]);
  });

  it('does show a stack trace with server.debug (so the check above can fail)', async () => {
    const invalid = await graphql(debugGateway!, 'debug: invalid field', '{ modle }', BY_KEY);
    const broken = await graphql(debugGateway!, 'debug: jira subgraph closed', QUERIES.jiraSearch!, BY_KEY);
    const found = [invalid, broken].flatMap((a) => internalsIn(a.body, internalHosts()));
    expect(found).toContain('stacktrace');
  });
});

/**
 * The sandbox: vendor-faithful local upstreams seeded by one deterministic demo organisation.
 * `npm start` (demo mode), the integration tests and the benchmarks all start it here.
 */
import { DEMO_MLFLOW_INSTANCES, generateDemoOrg, type DemoOrg } from './demo-org';
import type { Faults } from './http';
import { startGithubSandbox } from './github/server';
import { startGitlabSandbox } from './gitlab/server';
import { startJiraSandbox } from './jira/server';
import { startMlflowSandbox, type MlflowAuth, type SandboxServer } from './mlflow/server';
import { demoPeopleAliases } from './people';
import { AZUREML_SANDBOX_TOKEN, AZUREML_SANDBOX_WORKSPACE, AZUREML_SEED_GAPS, startAzuremlSandbox } from './azureml';
import { SAGEMAKER_SANDBOX_INSTANCE, SAGEMAKER_SANDBOX_REGION, SAGEMAKER_SEED_GAPS, startSagemakerSandbox } from './sagemaker';
import { VERTEX_SANDBOX_LOCATION, VERTEX_SANDBOX_PROJECT, VERTEX_SANDBOX_TOKEN, VERTEX_SEED_GAPS, startVertexSandbox } from './vertex';
import { UC_SANDBOX_CLIENT, UC_SANDBOX_TOKEN, UC_SANDBOX_WORKSPACES, startUnityCatalogSandbox } from './unitycatalog';

export interface SandboxOptions {
  /** Default 42. */
  seed?: number;
  /** Number of models in the demo org. Default 36. */
  models?: number;
  /** One MLflow server per name. Default `['prod', 'research']`. */
  mlflowInstances?: string[];
  /** Initial faults for every server; each server's `faults` can be changed afterwards. */
  faults?: Partial<Faults>;
  /** Fixed ports per MLflow instance; wins over basePort. */
  mlflowPorts?: Record<string, number>;
  /** MLflow instance i listens on basePort + i. Default: free ports. */
  basePort?: number;
  /** Default 127.0.0.1; `0.0.0.0` to serve a container's network. */
  host?: string;
  /** Auth per MLflow instance; instances not listed run without auth. */
  mlflowAuth?: Record<string, MlflowAuth>;
  /** Use an org built elsewhere instead of generating one (seed and models are then ignored). */
  org?: DemoOrg;
}

export interface Sandbox {
  org: DemoOrg;
  /** Keyed by instance name. */
  mlflow: Record<string, SandboxServer>;
  /** Jira Cloud site `corp`. */
  jira: Record<string, SandboxServer>;
  /** github.com as `cloud`. */
  github: Record<string, SandboxServer>;
  /** gitlab.com as `com`. */
  gitlab: Record<string, SandboxServer>;
  /** One AWS account and region as `prod-us`. */
  sagemaker: Record<string, SandboxServer>;
  /** One Google Cloud project and location as `prod`. */
  vertex: Record<string, SandboxServer>;
  /** One Azure ML workspace as `prod`. */
  azureml: Record<string, SandboxServer>;
  /** One Databricks workspace's Unity Catalog metastore as `lakehouse`. */
  unityCatalog: Record<string, SandboxServer>;
  /** Every server, for tests and benchmarks that count or fault them all. */
  all(): SandboxServer[];
  close(): Promise<void>;
}

/** Credentials the sandbox servers demand, as a real deployment's config would carry them. */
export const SANDBOX_CREDENTIALS = {
  jira: { email: 'modelgraph-bot@acme.io', apiToken: 'sandbox-jira-api-token' },
  github: { token: 'ghp_sandboxSandboxSandboxSandbox0001' },
  gitlab: { token: 'glpat-sandbox-sandbox-0001' },
  sagemaker: { accessKeyId: 'AKIASANDBOXSANDBOX01', secretAccessKey: 'sandbox/sandbox/sandbox/sandbox/sandbox0' },
  vertex: { token: VERTEX_SANDBOX_TOKEN },
  azureml: { token: AZUREML_SANDBOX_TOKEN },
  unityCatalog: { token: UC_SANDBOX_TOKEN, ...UC_SANDBOX_CLIENT },
} as const;

/**
 * Models a seeded cloud registers that no MLflow instance knows, whatever the org's size:
 * the graph lists them besides the org's own (`models.totalCount` is the org's count plus these).
 */
export const SANDBOX_CLOUD_ONLY_MODELS: readonly string[] = [
  SAGEMAKER_SEED_GAPS.unregisteredGroup.group,
  VERTEX_SEED_GAPS.unregisteredInMlflow,
  AZUREML_SEED_GAPS.unregisteredModel.container,
];

/** How many models the demo graph lists, and where they come from: what the banner says. */
export function describeSandboxModels(org: DemoOrg): string {
  const cloudOnly = SANDBOX_CLOUD_ONLY_MODELS.length;
  return `${org.models.length + cloudOnly} models (${org.models.length} of the organisation, ${cloudOnly} only in a cloud registry)`;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const org = options.org ?? generateDemoOrg({ seed: options.seed, models: options.models });
  const instances = options.mlflowInstances ?? [...DEMO_MLFLOW_INSTANCES];
  const mlflow: Record<string, SandboxServer> = {};
  const jira: Record<string, SandboxServer> = {};
  const github: Record<string, SandboxServer> = {};
  const gitlab: Record<string, SandboxServer> = {};
  const sagemaker: Record<string, SandboxServer> = {};
  const vertex: Record<string, SandboxServer> = {};
  const azureml: Record<string, SandboxServer> = {};
  const unityCatalog: Record<string, SandboxServer> = {};
  const all = () =>
    [mlflow, jira, github, gitlab, sagemaker, vertex, azureml, unityCatalog].flatMap((servers) => Object.values(servers));
  // Fixed ports (the `sandbox` command in docker-compose) follow the MLflow instances.
  let nextPort = options.basePort;
  const port = () => (nextPort === undefined ? undefined : nextPort++);
  const common = { org, host: options.host, faults: options.faults };
  try {
    for (const instance of instances) {
      mlflow[instance] = await startMlflowSandbox({
        ...common,
        instance,
        port: options.mlflowPorts?.[instance] ?? port(),
        auth: options.mlflowAuth?.[instance],
      });
    }
    jira.corp = await startJiraSandbox({
      ...common,
      instance: 'corp',
      flavor: 'cloud',
      port: port(),
      auth: { type: 'basic', ...SANDBOX_CREDENTIALS.jira },
    });
    github.cloud = await startGithubSandbox({
      ...common,
      instance: 'cloud',
      port: port(),
      auth: { type: 'token', token: SANDBOX_CREDENTIALS.github.token },
      // GitHub sends its rate-limit headers on every answer (Query.sources shows them); the
      // budget is large so that benchmarks and repeated demo queries never exhaust it.
      rateLimit: { limit: 1_000_000 },
    });
    gitlab.com = await startGitlabSandbox({
      ...common,
      instance: 'com',
      port: port(),
      auth: { type: 'privateToken', token: SANDBOX_CREDENTIALS.gitlab.token },
      rateLimit: { requestsPerMinute: 100_000 },
    });
    sagemaker[SAGEMAKER_SANDBOX_INSTANCE] = await startSagemakerSandbox({
      ...common,
      instance: SAGEMAKER_SANDBOX_INSTANCE,
      port: port(),
      credentials: SANDBOX_CREDENTIALS.sagemaker,
    });
    vertex.prod = await startVertexSandbox({ ...common, instance: 'prod', port: port(), token: SANDBOX_CREDENTIALS.vertex.token });
    azureml.prod = await startAzuremlSandbox({ ...common, instance: 'prod', port: port(), token: SANDBOX_CREDENTIALS.azureml.token });
    unityCatalog.lakehouse = await startUnityCatalogSandbox({ ...common, instance: 'lakehouse', port: port() });
  } catch (err) {
    // Half a sandbox would leak listening sockets into the caller's process.
    await Promise.all(all().map((s) => s.close()));
    throw err;
  }
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
    all,
    close: async () => {
      await Promise.all(all().map((s) => s.close()));
    },
  };
}

/** One sandbox server as a person checking an answer against the raw vendor API needs it. */
export interface SandboxUpstream {
  /** The vendor, as the README and the banner name it. */
  kind: string;
  /** The source instance name `sandboxConfig` gives it. */
  name: string;
  url: string;
  /** What a request must carry, as an HTTP header (or "none"). */
  credentials: string;
}

/**
 * Every sandbox server with its URL and the credentials it accepts, in start order (the
 * order `basePort` numbers them): the demo banner and `modelgraph sandbox` print these, so
 * nobody has to read this file to curl an upstream.
 */
export function sandboxUpstreams(sandbox: Sandbox): SandboxUpstream[] {
  const c = SANDBOX_CREDENTIALS;
  const basic = Buffer.from(`${c.jira.email}:${c.jira.apiToken}`).toString('base64');
  const kinds: Array<[string, Record<string, SandboxServer>, string]> = [
    ['MLflow', sandbox.mlflow, 'none'],
    ['Jira Cloud', sandbox.jira, `Authorization: Basic ${basic} (${c.jira.email}, API token ${c.jira.apiToken})`],
    ['GitHub', sandbox.github, `Authorization: Bearer ${c.github.token}`],
    ['GitLab', sandbox.gitlab, `PRIVATE-TOKEN: ${c.gitlab.token}`],
    [
      'SageMaker',
      sandbox.sagemaker,
      `AWS SigV4, region ${SAGEMAKER_SANDBOX_REGION}: AWS_ACCESS_KEY_ID=${c.sagemaker.accessKeyId} AWS_SECRET_ACCESS_KEY=${c.sagemaker.secretAccessKey}`,
    ],
    [
      'Vertex AI',
      sandbox.vertex,
      `Authorization: Bearer ${c.vertex.token} (projects/${VERTEX_SANDBOX_PROJECT}/locations/${VERTEX_SANDBOX_LOCATION})`,
    ],
    [
      'Azure ML',
      sandbox.azureml,
      `Authorization: Bearer ${c.azureml.token} (subscription ${AZUREML_SANDBOX_WORKSPACE.subscriptionId}, ` +
        `resource group ${AZUREML_SANDBOX_WORKSPACE.resourceGroup}, workspace ${AZUREML_SANDBOX_WORKSPACE.workspace})`,
    ],
    [
      'Unity Catalog',
      sandbox.unityCatalog,
      `Authorization: Bearer ${c.unityCatalog.token} (a personal access token), or OAuth M2M at POST /oidc/v1/token ` +
        `with client id ${c.unityCatalog.clientId} and secret ${c.unityCatalog.clientSecret}`,
    ],
  ];
  return kinds.flatMap(([kind, servers, credentials]) =>
    Object.entries(servers).map(([name, server]) => ({ kind, name, url: server.url, credentials })),
  );
}

/** `MLflow (prod, research), Jira Cloud, ... and Unity Catalog`: each kind once, its instances when several. */
export function describeUpstreamKinds(upstreams: readonly SandboxUpstream[]): string {
  const byKind = new Map<string, string[]>();
  for (const u of upstreams) byKind.set(u.kind, [...(byKind.get(u.kind) ?? []), u.name]);
  const kinds = [...byKind].map(([kind, names]) => (names.length > 1 ? `${kind} (${names.join(', ')})` : kind));
  return kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]}` : (kinds[0] ?? 'none');
}

export interface SandboxConfigOptions {
  /**
   * Keep each source's client-side rate limit at its vendor's default (README, "Upstream
   * rate limits"), as against the real tools: for a benchmark of what the vendors' limits
   * cost. Default false: the limiters are off.
   */
  vendorRateLimits?: boolean;
}

/**
 * The `sources`, `people` and `tickets` configuration that points modelgraph at a running sandbox,
 * as a deployment's config file would point it at the real tools (parse it with the
 * config schema).
 */
export function sandboxConfig(sandbox: Sandbox, options: SandboxConfigOptions = {}) {
  // The sandbox servers are local and unthrottled: the vendors' limits would only make the
  // demo and the tests wait (SageMaker's 5 calls a second per API, GitHub's 5,000 an hour).
  const rateLimit = options.vendorRateLimits ? {} : { rateLimit: { enabled: false } };
  return {
    sources: {
      mlflow: Object.entries(sandbox.mlflow).map(([name, server]) => ({ name, url: server.url, ...rateLimit })),
      jira: Object.entries(sandbox.jira).map(([name, server]) => ({
        name,
        ...rateLimit,
        flavor: 'cloud',
        url: server.url,
        auth: { type: 'basic', ...SANDBOX_CREDENTIALS.jira },
      })),
      github: Object.entries(sandbox.github).map(([name, server]) => ({
        name,
        ...rateLimit,
        url: server.url,
        webUrl: 'https://github.com',
        auth: { type: 'token', token: SANDBOX_CREDENTIALS.github.token },
      })),
      gitlab: Object.entries(sandbox.gitlab).map(([name, server]) => ({
        name,
        ...rateLimit,
        url: server.url,
        webUrl: 'https://gitlab.com',
        auth: { type: 'privateToken', token: SANDBOX_CREDENTIALS.gitlab.token },
      })),
      sagemaker: Object.entries(sandbox.sagemaker).map(([name, server]) => ({
        name,
        ...rateLimit,
        region: SAGEMAKER_SANDBOX_REGION,
        endpoint: server.url,
        credentials: { type: 'static', ...SANDBOX_CREDENTIALS.sagemaker },
      })),
      vertex: Object.entries(sandbox.vertex).map(([name, server]) => ({
        name,
        ...rateLimit,
        project: VERTEX_SANDBOX_PROJECT,
        location: VERTEX_SANDBOX_LOCATION,
        endpoint: server.url,
        auth: { type: 'token', token: SANDBOX_CREDENTIALS.vertex.token },
      })),
      azureml: Object.entries(sandbox.azureml).map(([name, server]) => ({
        name,
        ...rateLimit,
        subscriptionId: AZUREML_SANDBOX_WORKSPACE.subscriptionId,
        resourceGroup: AZUREML_SANDBOX_WORKSPACE.resourceGroup,
        workspace: AZUREML_SANDBOX_WORKSPACE.workspace,
        endpoint: server.url,
        auth: { type: 'token', token: SANDBOX_CREDENTIALS.azureml.token },
      })),
      // The service principal's OAuth flow, as a production deployment would run it; the runs
      // behind the versions live in the workspaces the MLflow sandboxes stand for.
      unityCatalog: Object.entries(sandbox.unityCatalog).map(([name, server]) => ({
        name,
        ...rateLimit,
        host: server.url,
        auth: { type: 'oauth-m2m', clientId: SANDBOX_CREDENTIALS.unityCatalog.clientId, clientSecret: SANDBOX_CREDENTIALS.unityCatalog.clientSecret },
        workspaces: Object.entries(UC_SANDBOX_WORKSPACES)
          .filter(([mlflow]) => sandbox.mlflow[mlflow])
          .map(([mlflow, id]) => ({ id, mlflow })),
      })),
    },
    peopleAliases: demoPeopleAliases(sandbox.org),
    // Tickets for findings go to the first team's project of the sandbox Jira.
    ...(sandbox.jira.corp && sandbox.org.teams[0]
      ? { tickets: { jira: 'corp', project: sandbox.org.teams[0].jiraProjectKey, labels: ['governance'], resolvedTransition: 'Done' } }
      : {}),
  };
}

export { generateDemoOrg, DEMO_EPOCH_MS, DEMO_MLFLOW_INSTANCES, mlflowRunArtifactUri } from './demo-org';
export type {
  DemoExperiment,
  DemoGitSource,
  DemoMetric,
  DemoModel,
  DemoModelVersion,
  DemoOrg,
  DemoOrgOptions,
  DemoPerson,
  DemoRegistration,
  DemoRepository,
  DemoRun,
  DemoRunStatus,
  DemoServiceAccount,
  DemoStage,
  DemoTaskType,
  DemoTeam,
  DemoVersionStatus,
} from './demo-org';
export { DEFAULT_FAULTS, startSandboxHttpServer, createRequestStats } from './http';
export { demoPeopleAliases } from './people';
export { startJiraSandbox, seedJiraIssues, JIRA_SEED_GAPS } from './jira';
export { startGithubSandbox } from './github/server';
export { startGitlabSandbox } from './gitlab/server';
export { startSagemakerSandbox, seedSagemaker, SAGEMAKER_SEED_GAPS } from './sagemaker';
export { startVertexSandbox, seedVertex, VERTEX_SEED_GAPS } from './vertex';
export { startAzuremlSandbox, seedAzureml, AZUREML_SEED_GAPS } from './azureml';
export { startUnityCatalogSandbox, seedUnityCatalog, UC_SEED_GAPS, UC_SANDBOX_WORKSPACES } from './unitycatalog';
export type { Faults, ObservedCall, RequestStats, SandboxHandler, SandboxHttpServer, SandboxRequest, SandboxResponse } from './http';
export { startMlflowSandbox, createMlflowHandler } from './mlflow/server';
export type { MlflowAuth, MlflowSandboxOptions, SandboxServer } from './mlflow/server';
export { createMlflowStore, encodePageToken, decodePageToken } from './mlflow/store';
export type { MlflowStore } from './mlflow/store';
export { Prng, createPrng, hashSeed } from './prng';

import type { Stack } from '../../gateway/stack';
import {
  AZUREML_SEED_GAPS,
  SAGEMAKER_SEED_GAPS,
  VERTEX_SEED_GAPS,
  startSandbox,
  type Sandbox,
} from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * The cloud registries in the graph: SageMaker, Vertex AI and Azure ML sandboxes beside
 * MLflow, linked into one inventory, with versions and deployments.
 */

let sandbox: Sandbox;
let stack: Stack;

function startGraph(cache: { ttlSeconds: number; staleSeconds: number }): Promise<Stack> {
  const fast = { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, budgetMs: 1000 }, breaker: { failureThreshold: 1000 } };
  return startDemoGraph(sandbox, {
    cache,
    sources: (s) => ({
      ...s,
      sagemaker: s.sagemaker.map((x) => ({ ...x, ...fast })),
      vertex: s.vertex.map((x) => ({ ...x, ...fast })),
      azureml: s.azureml.map((x) => ({ ...x, ...fast })),
    }),
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  // A cache, as in production: each distinct upstream call is made once per query.
  stack = await startGraph({ ttlSeconds: 60, staleSeconds: 300 });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

const graphql = (query: string, url = stack.graphqlUrl) => postGraphql(url, query);

const INVENTORY = /* GraphQL */ `
  {
    models(first: 200) {
      nodes {
        key
        refs { kind instance nativeId }
        linkEvidence { ref { kind nativeId } rule detail }
        versions { __typename id version stage createdAt source { kind instance } }
        mlflowVersions { id }
        cloudVersions { id version approval details { __typename } deployments { id } }
        deployments { id provider status trafficPercent modelVersion { id version } }
      }
    }
    deployments { id provider status modelVersionRef modelVersion { id } model { key } }
  }
`;

describe('cloud registries in the graph', () => {
  let body: { data?: any; errors?: any[] };
  let byKey: Map<string, any>;
  const cloudCalls: Record<string, number> = {};

  beforeAll(async () => {
    for (const s of sandbox.all()) s.stats.reset();
    body = await graphql(INVENTORY);
    byKey = new Map(body.data.models.nodes.map((n: any) => [n.key, n]));
    for (const [kind, servers] of Object.entries({ sagemaker: sandbox.sagemaker, vertex: sandbox.vertex, azureml: sandbox.azureml })) {
      cloudCalls[kind] = Object.values(servers).reduce((n, s) => n + s.stats.total, 0);
    }
  });

  it('answers every model with its versions and deployments across the clouds, without errors', () => {
    expect(body.errors).toBeUndefined();
    const kinds = new Set(body.data.models.nodes.flatMap((n: any) => n.refs.map((r: any) => r.kind)));
    expect([...kinds].sort()).toEqual(['AZURE_ML', 'MLFLOW', 'SAGEMAKER', 'UNITY_CATALOG', 'VERTEX_AI']);
    const details = new Set(body.data.models.nodes.flatMap((n: any) => (n.cloudVersions ?? []).map((v: any) => v.details.__typename)));
    expect([...details].sort()).toEqual(['AzureMlVersionDetails', 'SageMakerVersionDetails', 'UnityCatalogVersionDetails', 'VertexAiVersionDetails']);
  });

  it('lists every version of a model, from MLflow and every cloud, newest first', () => {
    let cloudModels = 0;
    for (const model of body.data.models.nodes) {
      const ids = (list: any[] | null, type: string) => (list ?? []).map((v: any) => `${type}:${v.id}`);
      const expected = [...ids(model.mlflowVersions, 'MlflowModelVersion'), ...ids(model.cloudVersions, 'CloudModelVersion')];
      expect(model.versions.map((v: any) => `${v.__typename}:${v.id}`).sort()).toEqual(expected.sort());
      const times = model.versions.map((v: any) => v.createdAt ?? '');
      expect(times).toEqual([...times].sort().reverse());
      if (model.mlflowVersions?.length && model.cloudVersions?.length) cloudModels++;
    }
    // Models held by MLflow and a cloud at once, whose lists really were merged.
    expect(cloudModels).toBeGreaterThan(5);
    const kinds = new Set(body.data.models.nodes.flatMap((n: any) => n.versions.map((v: any) => v.source.kind)));
    expect([...kinds].sort()).toEqual(['AZURE_ML', 'MLFLOW', 'SAGEMAKER', 'UNITY_CATALOG', 'VERTEX_AI']);
  });

  it('links registry entries by tag, by normalised name, and keeps cloud-only models as their own', () => {
    const refsOf = (key: string) => byKey.get(key).refs.map((r: any) => `${r.kind}:${r.nativeId}`);
    expect(refsOf(SAGEMAKER_SEED_GAPS.tagLinked.modelKey)).toContain(`SAGEMAKER:${SAGEMAKER_SEED_GAPS.tagLinked.group}`);
    expect(refsOf('credit-risk-scorer')).toContain('SAGEMAKER:CreditRiskScorer');
    expect(refsOf(AZUREML_SEED_GAPS.tagOnlyLink.modelKey)).toContain(`AZURE_ML:${AZUREML_SEED_GAPS.tagOnlyLink.container}`);
    expect(refsOf(AZUREML_SEED_GAPS.nameOnlyLink.modelKey)).toContain(`AZURE_ML:${AZUREML_SEED_GAPS.nameOnlyLink.container}`);
    // And each link says which rule made it.
    const evidence = (key: string, nativeId: string) =>
      byKey.get(key).linkEvidence.find((e: any) => e.ref.nativeId === nativeId);
    expect(evidence(AZUREML_SEED_GAPS.tagOnlyLink.modelKey, AZUREML_SEED_GAPS.tagOnlyLink.container)).toMatchObject({
      rule: 'TAG',
      detail: `tag modelgraph.key=${AZUREML_SEED_GAPS.tagOnlyLink.modelKey}`,
    });
    expect(evidence('credit-risk-scorer', 'CreditRiskScorer')).toMatchObject({ rule: 'NAME', detail: 'name "CreditRiskScorer"' });
    // Registered only in a cloud: a model of its own, with no MLflow ref.
    for (const key of [SAGEMAKER_SEED_GAPS.unregisteredGroup.group, VERTEX_SEED_GAPS.unregisteredInMlflow, AZUREML_SEED_GAPS.unregisteredModel.container]) {
      expect(byKey.get(key).refs.every((r: any) => r.kind !== 'MLFLOW')).toBe(true);
      expect(byKey.get(key).deployments.length).toBeGreaterThan(0);
    }
  });

  it('joins each deployment to the version it serves, and shows what serves nothing registered', () => {
    const email = byKey.get(SAGEMAKER_SEED_GAPS.championNotServed);
    const served = email.deployments.filter((d: any) => d.provider === 'SAGEMAKER').map((d: any) => d.modelVersion.version);
    const production = email.versions.find((v: any) => v.source.kind === 'MLFLOW' && v.stage === 'Production').version;
    expect(served).toEqual([production]);
    const bare = body.data.deployments.find((d: any) => d.id.includes(`/${SAGEMAKER_SEED_GAPS.bareImageModel.endpoint}/`));
    expect(bare).toMatchObject({ modelVersionRef: null, modelVersion: null });
    // Each deployment names the inventory model that lists it, or none when it serves nothing registered.
    const listedBy = new Map<string, string>();
    for (const n of body.data.models.nodes) for (const d of n.deployments ?? []) listedBy.set(d.id, n.key);
    for (const d of body.data.deployments) expect([d.id, d.model?.key ?? null]).toEqual([d.id, d.modelVersion ? listedBy.get(d.id) : null]);
    expect(bare.model).toBeNull();
    // Every deployment that names a registered version is joined to it.
    for (const d of body.data.deployments) if (d.modelVersionRef && d.status !== 'FAILED') expect(d.modelVersion).not.toBeNull();
  });

  it('reports failed deployments and approvals', () => {
    const failed = body.data.deployments.filter((d: any) => d.status === 'FAILED').map((d: any) => d.id);
    expect(failed).toEqual(
      expect.arrayContaining([
        `sagemaker:prod-us/${SAGEMAKER_SEED_GAPS.failedEndpoint.endpoint}/AllTraffic`,
        `azure_ml:prod/${AZUREML_SEED_GAPS.failedDeployment.endpoint}/${AZUREML_SEED_GAPS.failedDeployment.deployment}`,
      ]),
    );
    const approvedIdle = byKey
      .get(SAGEMAKER_SEED_GAPS.approvedNeverDeployed)
      .cloudVersions.filter((v: any) => v.approval === 'APPROVED' && v.details.__typename === 'SageMakerVersionDetails');
    expect(approvedIdle.length).toBeGreaterThan(0);
    expect(approvedIdle.every((v: any) => v.deployments.length === 0)).toBe(true);
  });

  it('costs each cloud a bounded number of calls: listings, and one version listing per model at most', () => {
    const perCloud = (kind: 'SAGEMAKER' | 'VERTEX_AI' | 'AZURE_ML') =>
      body.data.models.nodes.filter((n: any) => n.refs.some((r: any) => r.kind === kind)).length;
    // Vertex: models and endpoints listings (a page or two each), listVersions once per model.
    expect(cloudCalls.vertex).toBeLessThanOrEqual(perCloud('VERTEX_AI') + 8);
    // Azure ML: containers and endpoints listings, versions per container, deployments per endpoint.
    expect(cloudCalls.azureml).toBeLessThanOrEqual(2 * perCloud('AZURE_ML') + 8);
    // SageMaker: the groups with their tags in a Search page, the versions of every group in
    // a few Search pages over ModelPackage (whole packages, 100 a page: no listing per group,
    // no description per package), per endpoint its endpoint, config and model descriptions.
    const packages = body.data.models.nodes.flatMap((n: any) => (n.cloudVersions ?? []).filter((v: any) => v.details.__typename === 'SageMakerVersionDetails'));
    const endpoints = new Set(body.data.deployments.filter((d: any) => d.provider === 'SAGEMAKER').map((d: any) => d.id.split('/')[1]));
    expect(cloudCalls.sagemaker).toBeLessThanOrEqual(Math.ceil(packages.length / 100) + 3 * endpoints.size + 8);
  });

  it('when one cloud is down, its fields fail naming it and the other clouds still answer', async () => {
    // No cache here: a cached listing would (rightly) be served instead of failing.
    const uncached = await startGraph({ ttlSeconds: 0, staleSeconds: 0 });
    sandbox.vertex.prod.faults.down = true;
    try {
      const down = await graphql(
        `{
          deployments { id provider }
          model(key: "${VERTEX_SEED_GAPS.championNotServing}") {
            key
            cloudVersions { id }
            versions { __typename id source { kind } ... on MlflowModelVersion { run { id } } }
          }
        }`,
        uncached.graphqlUrl,
      );
      const sources = new Set((down.errors ?? []).map((e: any) => e.extensions?.source));
      expect([...sources]).toEqual(['vertex_ai:prod']);
      const providers = new Set(down.data.deployments.map((d: any) => d.provider));
      expect(providers.has('VERTEX_AI')).toBe(false);
      expect(providers.has('SAGEMAKER') && providers.has('AZURE_ML')).toBe(true);
      // Model.versions still lists the versions of the sources that answered.
      const kinds = new Set(down.data.model.versions.map((v: any) => v.source.kind));
      expect(kinds.has('MLFLOW')).toBe(true);
      expect(kinds.has('VERTEX_AI')).toBe(false);
    } finally {
      sandbox.vertex.prod.faults.down = false;
      await uncached.close();
    }
  });
});

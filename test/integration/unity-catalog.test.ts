import type { Stack } from '../../gateway/stack';
import { UC_SANDBOX_WORKSPACES, UC_SEED_GAPS, startSandbox, type DemoRun, type Sandbox } from '../../sandbox';
import type { UcSandboxServer } from '../../sandbox/unitycatalog';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * Databricks Unity Catalog in the graph: its models linked to the same `Model` as MLflow's
 * and the clouds', its versions with their aliases and statuses, and lineage from a version
 * to the MLflow run that produced it (in whichever workspace) and that run's commit, all
 * read through the service principal's OAuth token as the demo configures it.
 */

let sandbox: Sandbox;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  stack = await startDemoGraph(sandbox, { cache: { ttlSeconds: 60, staleSeconds: 300 } });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

const graphql = (query: string) => postGraphql(stack.graphqlUrl, query);

const MODEL = /* GraphQL */ `
  query ($key: ID!) {
    model(key: $key) {
      key
      refs { kind instance nativeId url }
      linkEvidence { ref { kind } rule detail }
      cloudVersions {
        id version status statusRaw aliases createdBy createdByType approval
        source { kind instance }
        mlflowSource { runId }
        details { __typename ... on UnityCatalogVersionDetails { fullName runWorkspaceId runMlflowInstance } }
        run { id runId source { instance } git { repoUrl commit } commit { sha repository { url } } }
      }
    }
  }
`;

async function model(key: string) {
  const res = await fetch(stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: MODEL, variables: { key } }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data.model;
}

function runsById(): Map<string, DemoRun> {
  return new Map(sandbox.org.models.flatMap((m) => m.experiments.flatMap((e) => e.runs)).map((r) => [`${r.instance}/${r.id}`, r]));
}

const ucVersions = (m: any) => (m.cloudVersions as any[]).filter((v) => v.source.kind === 'UNITY_CATALOG');

describe('Unity Catalog in the graph', () => {
  it('links a Unity Catalog model to the same Model as MLflow, by its name', async () => {
    const m = await model('fraud-detector');
    const uc = m.refs.find((r: any) => r.kind === 'UNITY_CATALOG');
    expect(uc).toMatchObject({ instance: 'lakehouse', nativeId: UC_SEED_GAPS.pendingRegistration.fullName });
    expect(uc.url).toMatch(/\/explore\/data\/models\/ml_prod\/risk\/fraud_detector$/);
    expect(m.refs.some((r: any) => r.kind === 'MLFLOW')).toBe(true);
    expect(m.linkEvidence.find((e: any) => e.ref.kind === 'UNITY_CATALOG')).toMatchObject({ rule: 'NAME', detail: 'name "fraud_detector"' });
  });

  it('serves each version with its status, aliases and creator, newest first', async () => {
    const versions = ucVersions(await model('fraud-detector'));
    const { version } = UC_SEED_GAPS.pendingRegistration;
    expect(versions.map((v) => Number(v.version))).toEqual(Array.from({ length: version }, (_, i) => version - i));
    expect(versions[0]).toMatchObject({ status: 'PENDING', statusRaw: 'PENDING_REGISTRATION', approval: null });
    expect(versions.filter((v) => v.aliases.includes('champion'))).toHaveLength(1);
    const failed = ucVersions(await model('sentiment-classifier')).find((v) => Number(v.version) === UC_SEED_GAPS.failedRegistration.version);
    expect(failed).toMatchObject({ status: 'FAILED', statusRaw: 'FAILED_REGISTRATION' });
    const bySp = ucVersions(await model('demand-forecaster')).find((v) => Number(v.version) === UC_SEED_GAPS.servicePrincipalVersion.version);
    expect(bySp).toMatchObject({ createdBy: UC_SEED_GAPS.servicePrincipalVersion.applicationId, createdByType: 'SERVICE' });
  });

  it('follows a version to the MLflow run that produced it and to that run commit, as the demo org recorded them', async () => {
    const runs = runsById();
    const versions = ucVersions(await model('fraud-detector')).filter((v) => v.run);
    expect(versions.length).toBeGreaterThan(2);
    for (const v of versions) {
      expect(v.details).toMatchObject({ runWorkspaceId: UC_SANDBOX_WORKSPACES.prod, runMlflowInstance: 'prod' });
      expect(v.run.id).toBe(`prod/${v.mlflowSource.runId}`);
      const recorded = runs.get(v.run.id);
      expect(recorded).toBeDefined();
      expect(v.run.runId).toBe(recorded!.id);
      expect(v.run.git?.commit ?? null).toBe(recorded!.git?.commit ?? null);
      if (recorded!.git?.commit) expect(v.run.commit?.sha).toBe(recorded!.git.commit);
    }
    expect(versions.some((v) => v.run.commit?.sha)).toBe(true);
  });

  it('reaches runs in another workspace, whose id is past 2^53, through that workspace MLflow source', async () => {
    const key = UC_SEED_GAPS.researchRuns.fullName.split('.')[2]!.replace(/_/g, '-');
    const versions = ucVersions(await model(key)).filter((v) => v.run);
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) {
      expect(v.details).toMatchObject({ runWorkspaceId: UC_SEED_GAPS.researchRuns.workspaceId, runMlflowInstance: 'research' });
      expect(v.run.source.instance).toBe('research');
    }
  });

  it('keeps the run id of a version from an unknown workspace, without a run', async () => {
    const { fullName, version, workspaceId } = UC_SEED_GAPS.unknownWorkspace;
    const v = ucVersions(await model(fullName.split('.')[2]!.replace(/_/g, '-'))).find((x) => Number(x.version) === version);
    expect(v.details).toMatchObject({ runWorkspaceId: workspaceId, runMlflowInstance: null });
    expect(v.mlflowSource.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(v.run).toBeNull();
  });

  it('used one OAuth token for all of it', () => {
    const server = sandbox.unityCatalog.lakehouse as UcSandboxServer;
    expect(server.oauth.issued).toBe(1);
    expect(server.stats.total).toBeGreaterThan(1);
  });

  it('shows the source on Query.sources, and a Unity Catalog outage costs only its own fields', async () => {
    const sources = await graphql('{ sources { name kind reachable } }');
    expect((sources.data as any).sources).toContainEqual({ name: 'unity_catalog:lakehouse', kind: 'UNITY_CATALOG', reachable: true });
    const server = sandbox.unityCatalog.lakehouse!;
    const down = await startDemoGraph(sandbox, {
      cache: { ttlSeconds: 0, staleSeconds: 0 },
      sources: (s) => ({ ...s, unityCatalog: s.unityCatalog.map((x) => ({ ...x, retry: { maxAttempts: 1 } })) }),
    });
    try {
      server.faults.failRate = 1;
      server.faults.failStatus = 503;
      const res = await postGraphql(down.graphqlUrl, '{ model(key: "fraud-detector") { key mlflowVersions { version } cloudVersions { id } } }');
      const m = (res.data as any).model;
      expect(m.key).toBe('fraud-detector');
      expect(m.mlflowVersions.length).toBeGreaterThan(0);
      expect(JSON.stringify(res.errors)).toContain('unity_catalog:lakehouse');
    } finally {
      server.faults.failRate = 0;
      await down.close();
    }
  });
});

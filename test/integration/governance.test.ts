import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_EXAMPLE_QUERY } from '../../cli/main';
import { runReconcile, type ReconcileArgs } from '../../cli/reconcile';
import type { Stack } from '../../gateway/stack';
import {
  AZUREML_SEED_GAPS,
  JIRA_SEED_GAPS,
  SAGEMAKER_SEED_GAPS,
  VERTEX_SEED_GAPS,
  sandboxConfig,
  seedAzureml,
  seedJiraIssues,
  seedUnityCatalog,
  seedVertex,
  startSandbox,
  type Sandbox,
} from '../../sandbox';
import { FAIL_FAST, postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * Governance over the demo organisation: every deliberate gap of the seeds is found exactly
 * once, nothing else is, and `modelgraph reconcile` gates on them.
 */

let sandbox: Sandbox;
let stack: Stack;
/** History on, as in `npm start`: the README's history examples run too. */
const historyDir = mkdtempSync(join(tmpdir(), 'modelgraph-governance-'));

function startGraph(cache: { ttlSeconds: number; staleSeconds: number }): Promise<Stack> {
  return startDemoGraph(sandbox, {
    cache,
    sources: (s) => ({ ...s, jira: s.jira.map((j) => ({ ...j, ...FAIL_FAST })) }),
    history: { enabled: true, path: join(historyDir, 'history.sqlite') },
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  stack = await startGraph({ ttlSeconds: 60, staleSeconds: 300 });
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
  rmSync(historyDir, { recursive: true, force: true });
});

const graphql = (query: string, url = stack.graphqlUrl) => postGraphql(url, query);

const FINDINGS = /* GraphQL */ `
  query Findings($after: String) {
    findings(first: 500, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        fingerprint rule severity message
        model { key }
        version { __typename id version source { kind instance } }
        trafficPercent
        evidence {
          refs { kind instance nativeId }
          versions { __typename id version stage source { kind instance } }
          tickets { key status }
          deployments { id endpointName status trafficPercent }
        }
      }
    }
  }
`;

/**
 * `<rule> <model key>`, `<rule> <model key> <registry kind> v<version>` for a finding about a
 * version, or `<rule> endpoint <name>` for a finding about no model.
 */
function label(f: any): string {
  if (!f.model) return `${f.rule} endpoint ${f.evidence.deployments[0]?.endpointName}`;
  return f.version ? `${f.rule} ${f.model.key} ${f.version.source.kind} v${f.version.version}` : `${f.rule} ${f.model.key}`;
}

/**
 * What the raw seeds say serves production traffic on Vertex AI and Azure ML with no approval
 * of that version, independent of the rules: every deployed version with a traffic share on a
 * non-staging endpoint, unless the cloud approves it (Azure: the `modelgraph.approval` tag;
 * Vertex AI has no approval) or a Done ticket the default label rule links names it
 * ("Approve <key> v<N> for production").
 */
function unapprovedServingFromSeeds(org: Sandbox['org']): Array<{ label: string; percent: number }> {
  const approved = approvedByTicket(org);
  const out: Array<{ label: string; percent: number }> = [];
  const vertex = seedVertex(org);
  for (const endpoint of vertex.endpoints.filter((e) => !/staging/.test(e.displayName))) {
    for (const dm of endpoint.deployedModels) {
      const percent = endpoint.trafficSplit[dm.id] ?? 0;
      const key = vertex.models.find((m) => m.id === dm.modelId)!.key;
      if (percent > 0 && !approved.has(`${key} v${dm.versionId}`)) out.push({ label: `PRODUCTION_WITHOUT_APPROVAL ${key} VERTEX_AI v${dm.versionId}`, percent });
    }
  }
  const azure = seedAzureml(org);
  for (const endpoint of azure.endpoints) {
    const traffic = (endpoint.properties?.traffic ?? {}) as Record<string, number>;
    for (const d of azure.deployments.get(endpoint.name!) ?? []) {
      const percent = traffic[d.name!] ?? 0;
      const ref = /models\/([^/]+)\/versions\/([^/]+)$/.exec(d.properties!.model!) ?? /^azureml:([^:]+):(.+)$/.exec(d.properties!.model!);
      if (percent <= 0 || d.properties!.provisioningState !== 'Succeeded' || !ref) continue;
      const [, container, version] = ref;
      const key = azure.modelKeys.get(container!) ?? container!;
      const tag = azure.versions.get(container!)?.find((v) => v.name === version)?.properties?.tags?.['modelgraph.approval'];
      if (tag?.toLowerCase() !== 'approved' && !approved.has(`${key} v${version}`)) out.push({ label: `PRODUCTION_WITHOUT_APPROVAL ${key} AZURE_ML v${version}`, percent });
    }
  }
  return out;
}

/** Tickets approving a version, as the default label rule links them ("Approve <key> v<N> ..."), Done. */
function approvedByTicket(org: Sandbox['org']): Set<string> {
  return new Set(
    seedJiraIssues(org).issues.flatMap((i) => {
      const named = /^Approve (\S+) v(\d+) /.exec(i.summary);
      return named && i.status === 'Done' && i.labels.includes(`model:${named[1]}`) ? [`${named[1]} v${named[2]}`] : [];
    }),
  );
}

/**
 * Unity Catalog records no approval and serves nothing here: each version its `champion`
 * alias designates for production is unapproved unless a ticket names it.
 */
function unapprovedUnityCatalogChampions(org: Sandbox['org']): string[] {
  const approved = approvedByTicket(org);
  return seedUnityCatalog(org).models.flatMap((model) =>
    model.aliases
      .filter((a) => a.alias === 'champion' && !approved.has(`${model.key} v${a.version}`))
      .map((a) => `PRODUCTION_WITHOUT_APPROVAL ${model.key} UNITY_CATALOG v${a.version}`),
  );
}

describe('governance findings on the demo organisation', () => {
  let findings: any[];

  beforeAll(async () => {
    const body = await graphql(FINDINGS);
    expect(body.errors).toBeUndefined();
    findings = body.data.findings.nodes;
  });

  it('finds every deliberate gap of the seeds exactly once, and nothing else', () => {
    // Independent of the rules: what the organisation and the seeds say they planted.
    const unowned = sandbox.org.models.filter((m) => m.ownerId === null).map((m) => m.key);
    const untraceable = sandbox.org.models
      .filter((m) => {
        const runs = new Map(m.experiments.flatMap((e) => e.runs).map((r) => [r.id, r]));
        return m.registrations.some((reg) => reg.versions.some((v) => v.stage === 'Production' && !runs.get(v.runId)?.git));
      })
      .map((m) => m.key);
    expect(unowned).toEqual([JIRA_SEED_GAPS.noTicket]);
    expect(untraceable).toEqual(['address-normalizer']);

    const serving = unapprovedServingFromSeeds(sandbox.org);
    // The issue's case: support-ticket-router's Vertex AI v4 canary, 20% of its endpoint's traffic.
    expect(serving).toContainEqual({ label: 'PRODUCTION_WITHOUT_APPROVAL support-ticket-router VERTEX_AI v4', percent: 20 });
    // Service identities that registered a model's only versions (Azure createdByType
    // Application; a SageMaker pipeline role): they own nothing.
    const byServicesOnly = [AZUREML_SEED_GAPS.unregisteredModel.container, SAGEMAKER_SEED_GAPS.unregisteredGroup.group];

    const expected = [
      // Every version serving production traffic without an approval of that version, canaries
      // included: on Vertex AI and Azure ML as the seeds say (credit-risk-scorer's pending
      // approval, the unregistered Azure and Vertex models, and the 10-20% canaries)...
      ...serving.map((s) => s.label),
      // ... and on SageMaker, credit-risk-scorer's Production package (its canaries are Approved).
      `PRODUCTION_WITHOUT_APPROVAL ${JIRA_SEED_GAPS.productionNotApproved} SAGEMAKER v2`,
      // Versions holding a production alias without serving or any approval: the champions
      // moved off the served version (the STAGE_DRIFT below).
      `PRODUCTION_WITHOUT_APPROVAL ${SAGEMAKER_SEED_GAPS.championNotServed} MLFLOW v2`,
      `PRODUCTION_WITHOUT_APPROVAL ${VERTEX_SEED_GAPS.championNotServing} VERTEX_AI v3`,
      ...unapprovedUnityCatalogChampions(sandbox.org),
      ...unowned.map((key) => `NO_OWNER ${key}`),
      // No CODEOWNERS, no ticket, and Vertex AI records no creator.
      `NO_OWNER ${VERTEX_SEED_GAPS.unregisteredInMlflow}`,
      ...byServicesOnly.map((key) => `NO_OWNER ${key}`),
      `STAGE_DRIFT ${SAGEMAKER_SEED_GAPS.championNotServed}`,
      `STAGE_DRIFT ${VERTEX_SEED_GAPS.championNotServing}`,
      `FAILED_DEPLOYMENT ${SAGEMAKER_SEED_GAPS.failedEndpoint.modelKey}`,
      `FAILED_DEPLOYMENT ${AZUREML_SEED_GAPS.failedDeployment.modelKey}`,
      `APPROVED_NOT_DEPLOYED ${SAGEMAKER_SEED_GAPS.approvedNeverDeployed}`,
      ...untraceable.map((key) => `UNTRACEABLE_VERSION ${key}`),
      `DEPLOYED_NOT_REGISTERED endpoint ${SAGEMAKER_SEED_GAPS.bareImageModel.endpoint}`,
    ];
    expect(findings.map(label).sort()).toEqual([...new Set(expected)].sort());
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(findings.length);
  });

  it('orders by severity and carries evidence the graph completes from each source', () => {
    const ranks = findings.map((f) => ({ HIGH: 3, MEDIUM: 2, LOW: 1 })[f.severity as 'HIGH']);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));

    // One finding per serving version: each names its endpoint (from the registries subgraph)
    // and the approval still in progress (from Jira).
    const unapproved = findings.filter((f) => f.rule === 'PRODUCTION_WITHOUT_APPROVAL' && f.model.key === JIRA_SEED_GAPS.productionNotApproved);
    expect(unapproved.map((f) => f.evidence.deployments.map((d: any) => d.endpointName))).toEqual([['credit-risk-scorer-ep'], ['credit-risk-scorer-prod']]);
    for (const f of unapproved) {
      expect(f.severity).toBe('HIGH');
      expect(f.evidence.tickets.length).toBeGreaterThan(0);
      expect(f.evidence.tickets.every((t: any) => t.status !== 'Done')).toBe(true);
    }

    const canary = findings.find((f) => label(f) === 'PRODUCTION_WITHOUT_APPROVAL support-ticket-router VERTEX_AI v4');
    expect(canary).toMatchObject({ trafficPercent: 20, version: { __typename: 'CloudModelVersion', version: '4', source: { kind: 'VERTEX_AI' } } });
    expect(canary.message).toContain('version 4 (canary, 20% of traffic on vertex_ai:prod endpoint support-ticket-router-prod)');
    expect(canary.evidence.deployments).toEqual([expect.objectContaining({ endpointName: 'support-ticket-router-prod', trafficPercent: 20 })]);

    const pipeline = findings.find((f) => label(f) === `NO_OWNER ${AZUREML_SEED_GAPS.unregisteredModel.container}`);
    expect(pipeline.message).toContain('(only service identities: svc-training-pipeline)');

    const drift = findings.find((f) => label(f) === `STAGE_DRIFT ${SAGEMAKER_SEED_GAPS.championNotServed}`);
    expect(drift.message).toContain('champion');
    const kinds = new Set(drift.evidence.versions.map((v: any) => v.__typename));
    expect(kinds).toEqual(new Set(['MlflowModelVersion', 'CloudModelVersion']));

    const orphan = findings.find((f) => f.rule === 'DEPLOYED_NOT_REGISTERED');
    expect(orphan.model).toBeNull();
    expect(orphan.evidence.deployments[0].id).toContain(`/${SAGEMAKER_SEED_GAPS.bareImageModel.endpoint}/`);
  });

  it('gives each model the same findings as the inventory-wide list', async () => {
    const key = JIRA_SEED_GAPS.productionNotApproved;
    const body = await graphql(`{ model(key: "${key}") { findings { fingerprint rule } } }`);
    expect(body.errors).toBeUndefined();
    const fromList = findings.filter((f) => f.model?.key === key).map((f) => f.fingerprint).sort();
    expect(body.data.model.findings.map((f: any) => f.fingerprint).sort()).toEqual(fromList);
  });

  it('says how many models the rules checked: the whole inventory, whatever the filter', async () => {
    const body = await graphql('{ models(first: 1) { totalCount } all: findings(first: 1) { modelsChecked } high: findings(severity: HIGH, rule: NO_OWNER, first: 1) { modelsChecked } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.all.modelsChecked).toBe(body.data.models.totalCount);
    expect(body.data.high.modelsChecked).toBe(body.data.models.totalCount);
  });

  it('filters by severity and rule, and pages to the end without losing one', async () => {
    const medium = await graphql('{ findings(severity: MEDIUM, first: 500) { totalCount nodes { severity } } }');
    expect(medium.data.findings.nodes.every((f: any) => f.severity !== 'LOW')).toBe(true);
    expect(medium.data.findings.totalCount).toBe(findings.filter((f) => f.severity !== 'LOW').length);
    const drift = await graphql('{ findings(rule: STAGE_DRIFT) { nodes { rule } } }');
    expect(drift.data.findings.nodes).toHaveLength(findings.filter((f) => f.rule === 'STAGE_DRIFT').length);

    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: any = await graphql(
        `{ findings(first: 5${after ? `, after: "${after}"` : ''}) { pageInfo { hasNextPage endCursor } nodes { fingerprint } } }`,
      );
      paged.push(...page.data.findings.nodes.map((f: any) => f.fingerprint));
      after = page.data.findings.pageInfo.hasNextPage ? page.data.findings.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toEqual(findings.map((f) => f.fingerprint));
  });

  it('filters and orders the inventory by what the governance index knows', async () => {
    const body = await graphql(`{
      withFindings: models(filter: { findingSeverity: HIGH }, first: 500) { nodes { key } }
      worstFirst: models(orderBy: { field: FINDINGS, direction: DESC }, first: 3) { nodes { key findings { severity } } }
      owned: findings(rule: NO_OWNER) { nodes { model { key name refs { kind } codeOwners { handle } } } }
      idle: models(filter: { deployed: false }, first: 500) { nodes { key deployments { status trafficPercent } } }
      serving: models(filter: { deployed: true }, first: 500) { nodes { key deployments { status trafficPercent } } }
      all: models(first: 0) { totalCount }
      growth: models(filter: { team: "acme-ml/growth" }, first: 500) { nodes { key codeOwners { handle } } }
      production: models(filter: { stage: "production" }, first: 500) { totalCount }
    }`);
    expect(body.errors).toBeUndefined();
    const high = new Set(findings.filter((f) => f.severity === 'HIGH' && f.model).map((f) => f.model.key));
    expect(body.data.withFindings.nodes.map((n: any) => n.key).sort()).toEqual([...high].sort());
    expect(body.data.worstFirst.nodes[0].findings.some((f: any) => f.severity === 'HIGH')).toBe(true);
    // A finding's model is the whole Model, with fields from every subgraph.
    const unowned = body.data.owned.nodes.find((n: any) => n.model.key === JIRA_SEED_GAPS.noTicket).model;
    expect(unowned).toMatchObject({ name: expect.any(String), codeOwners: [] });
    expect(unowned.refs.length).toBeGreaterThan(0);
    const serves = (n: any) => (n.deployments ?? []).some((d: any) => d.status === 'IN_SERVICE' && d.trafficPercent !== 0);
    expect(body.data.serving.nodes.length).toBeGreaterThan(0);
    expect(body.data.serving.nodes.every(serves)).toBe(true);
    expect(body.data.idle.nodes.some(serves)).toBe(false);
    expect(body.data.idle.nodes.length + body.data.serving.nodes.length).toBe(body.data.all.totalCount);
    expect(body.data.growth.nodes.length).toBeGreaterThan(0);
    for (const n of body.data.growth.nodes) expect(n.codeOwners.map((o: any) => o.handle)).toContain('@acme-ml/growth');
    expect(body.data.production.totalCount).toBeGreaterThan(10);
  });

  it('measures each model’s way to production from the tools’ own times', async () => {
    const key = 'fraud-detector';
    const body = await graphql(`{
      model(key: "${key}") { lifecycle { firstRunAt registeredAt approvedAt firstProductionAt firstRunToProductionDays approvedToProductionDays approved { at source detail } } }
      bySource: lifecycleStats(groupBy: SOURCE) { group count measured atMost medianDaysToProduction p90DaysToProduction }
      forecaster: model(key: "${JIRA_SEED_GAPS.componentLinked}") {
        lifecycle {
          approvedAt firstProductionAt approvedToProductionDays
          approved { at precision source detail }
          firstProduction { at precision source }
        }
      }
      total: models(first: 0) { totalCount }
      inProd: models(first: 0, filter: { sourceKind: MLFLOW, sourceInstance: "prod" }) { totalCount }
    }`);
    expect(body.errors).toBeUndefined();
    const demo = sandbox.org.models.find((m) => m.key === key)!;
    const runs = new Map(demo.experiments.flatMap((e) => e.runs).map((r) => [r.id, r]));
    const firstRun = Math.min(...demo.registrations.flatMap((r) => r.versions).map((v) => runs.get(v.runId)!.startTime));
    const lifecycle = body.data.model.lifecycle;
    expect(lifecycle.firstRunAt).toBe(new Date(firstRun).toISOString());
    expect(Date.parse(lifecycle.registeredAt)).toBeGreaterThan(firstRun);
    // Rounded to hundredths of a day.
    expect(lifecycle.firstRunToProductionDays).toBeCloseTo((Date.parse(lifecycle.firstProductionAt) - firstRun) / 86_400_000, 1);
    expect(Math.round(lifecycle.firstRunToProductionDays * 100)).toBe(lifecycle.firstRunToProductionDays * 100);

    // The approval is the ticket's move to Done, read from its changelog: in the seed, that move
    // is at the ticket's resolution date.
    const done = seedJiraIssues(sandbox.org).issues.find((i) => i.status === 'Done' && i.labels.includes(`model:${key}`) && i.summary.startsWith('Approve '))!;
    expect(lifecycle.approved).toMatchObject({ at: new Date(done.resolved!).toISOString(), source: 'TICKET_TRANSITION' });
    expect(lifecycle.approved.detail).toMatch(new RegExp(`^corp/${done.key} moved to Done\\b`));
    expect(lifecycle.approvedAt).toBe(lifecycle.approved.at);

    // demand-forecaster's approval is a cloud's (its tickets are linked by component, which the
    // default label rule does not find), its production an MLflow stage: neither tool records
    // when, both times are the versions' last updates, the same instant. An upper bound minus
    // an upper bound is no duration: null, not the 0 days it used to show.
    const forecaster = body.data.forecaster.lifecycle;
    expect(forecaster.approved).toMatchObject({ precision: 'AT_MOST', source: 'CLOUD_APPROVAL' });
    expect(forecaster.firstProduction).toMatchObject({ precision: 'AT_MOST', source: 'VERSION_DESIGNATED' });
    expect(forecaster.approvedAt).toBe(forecaster.firstProductionAt);
    expect(forecaster.approvedToProductionDays).toBeNull();

    const prod = body.data.bySource.find((g: any) => g.group === 'mlflow:prod');
    expect(prod.count).toBe(body.data.inProd.totalCount);
    expect(prod.measured).toBeGreaterThan(0);
    // MLflow records no stage-transition time, so a Production stage's time is an upper bound: flagged, counted.
    expect(prod.atMost).toBeGreaterThan(0);
    expect(prod.atMost).toBeLessThanOrEqual(prod.measured);
    expect(prod.p90DaysToProduction).toBeGreaterThanOrEqual(prod.medianDaysToProduction);
  });

  it('shows service identities as such, never as people', async () => {
    // (MLflow's sandbox, like OSS MLflow, records no version creator: see test/mlflow for it.)
    const body = await graphql(`{ models(first: 500) { nodes { key cloudVersions { createdBy createdByType } } } }`);
    expect(body.errors).toBeUndefined();
    // As the clouds say: Azure's createdByType Application, SageMaker's pipeline role.
    const cloud = body.data.models.nodes.flatMap((n: any) => n.cloudVersions ?? []);
    expect(cloud.filter((v: any) => v.createdBy === 'svc-training-pipeline').map((v: any) => v.createdByType)).toContain('SERVICE');
    const pipelineRole = cloud.filter((v: any) => /assumed-role\/mlops-model-registration\//.test(v.createdBy ?? ''));
    expect(pipelineRole.length).toBeGreaterThan(0);
    expect(pipelineRole.every((v: any) => v.createdByType === 'SERVICE')).toBe(true);
    expect(cloud.some((v: any) => v.createdByType === 'USER')).toBe(true);
  });

  it('answers every GraphQL example of the README without an error', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const example of examples) {
      const body = await graphql(example);
      expect({ example, errors: body.errors }).toEqual({ example, errors: undefined });
    }
  });

  it('answers the query the start-up banner suggests', async () => {
    const body = await graphql(DEMO_EXAMPLE_QUERY);
    expect(body.errors).toBeUndefined();
    expect(body.data.models.nodes).toHaveLength(3);
    expect(body.data.models.nodes.some((n: any) => n.versions.some((v: any) => v.run?.commit?.sha))).toBe(true);
  });

  it('lists every configured source with what the calls so far said', async () => {
    const body = await graphql('{ sources { name kind reachable calls errors cacheHitRatio latency { p50Ms } rateLimit { limit remaining } } }');
    expect(body.errors).toBeUndefined();
    const demo = sandboxConfig(sandbox).sources;
    const configured = Object.values(demo).flat().length;
    expect(body.data.sources).toHaveLength(configured);
    const github = body.data.sources.find((s: any) => s.name === 'github:cloud');
    expect(github).toMatchObject({ kind: 'GITHUB', reachable: true, errors: 0 });
    expect(github.rateLimit.remaining).toBeLessThan(github.rateLimit.limit);
    expect(body.data.sources.find((s: any) => s.name === 'mlflow:prod').rateLimit).toBeNull();
    for (const s of body.data.sources) expect(s.calls).toBeGreaterThan(0);
  });
});

describe('modelgraph reconcile', () => {
  function capture() {
    let out = '';
    let err = '';
    const stream = (write: (s: string) => void) => ({ write: (chunk: string) => (write(String(chunk)), true) }) as unknown as NodeJS.WritableStream;
    return {
      io: { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)) },
      out: () => out,
      err: () => err,
    };
  }
  const args = (over: Partial<ReconcileArgs> = {}) => ({ failOn: 'HIGH' as const, format: 'table' as const, rules: [], endpoint: stack.graphqlUrl, ...over });

  it('exits 1 when a finding reaches the threshold, listing every finding', async () => {
    const c = capture();
    await expect(runReconcile(args(), c.io)).resolves.toBe(1);
    expect(c.out()).toContain('24 findings (16 high, 7 medium, 1 low); 16 at or above high');
    expect(c.out()).toContain('pricing-rules-engine');
  });

  it('exits 0 when none does, and keeps to the rules asked for', async () => {
    const c = capture();
    await expect(runReconcile(args({ failOn: 'MEDIUM', rules: ['APPROVED_NOT_DEPLOYED'] }), c.io)).resolves.toBe(0);
    expect(c.out()).toContain('1 finding (0 high, 0 medium, 1 low); 0 at or above medium');
    const low = capture();
    await expect(runReconcile(args({ failOn: 'LOW', rules: ['APPROVED_NOT_DEPLOYED'], format: 'json' }), low.io)).resolves.toBe(1);
    const json = JSON.parse(low.out());
    expect(json).toMatchObject({ failOn: 'LOW', failed: true, counts: { HIGH: 0, MEDIUM: 0, LOW: 1 } });
    expect(json.findings[0].model.key).toBe(SAGEMAKER_SEED_GAPS.approvedNeverDeployed);
  });

  it('exits 2 naming the source when an upstream is down, rather than pass on a shorter list', async () => {
    const uncached = await startGraph({ ttlSeconds: 0, staleSeconds: 0 });
    sandbox.jira.corp.faults.down = true;
    try {
      const c = capture();
      await expect(runReconcile(args({ failOn: 'LOW', endpoint: uncached.graphqlUrl }), c.io)).resolves.toBe(2);
      expect(c.err()).toContain('could not be read in full');
      expect(c.err()).toContain('jira:corp');
      expect(c.out()).toBe('');
    } finally {
      sandbox.jira.corp.faults.down = false;
      await uncached.close();
    }
  });

  it('lists a waived finding apart, never failing the gate on it, until the waiver expires', async () => {
    const body = await graphql('{ findings(rule: APPROVED_NOT_DEPLOYED) { nodes { fingerprint model { key } } } }');
    const [idle] = body.data.findings.nodes;
    expect(idle.model.key).toBe(SAGEMAKER_SEED_GAPS.approvedNeverDeployed);
    const waiver = { fingerprint: idle.fingerprint, reason: 'kept as a rollback target (ML-ops, ticket OPS-7)', until: '2999-12-31' };
    const waived = await startDemoGraph(sandbox, { governance: { waivers: [waiver] } });
    const expired = await startDemoGraph(sandbox, { governance: { waivers: [{ ...waiver, until: '2020-01-01' }] } });
    try {
      const listed = await postGraphql(
        waived.graphqlUrl,
        `{
          open: findings(rule: APPROVED_NOT_DEPLOYED) { totalCount }
          all: findings(rule: APPROVED_NOT_DEPLOYED, includeWaived: true) { nodes { fingerprint waiver { reason until } } }
          model(key: "${idle.model.key}") { findings { fingerprint waiver { reason } } }
          low: models(filter: { findingSeverity: LOW, search: "${idle.model.key}" }) { totalCount }
        }`,
      );
      expect(listed.errors).toBeUndefined();
      expect(listed.data.open.totalCount).toBe(0);
      expect(listed.data.all.nodes).toEqual([{ fingerprint: idle.fingerprint, waiver: { reason: waiver.reason, until: '2999-12-31' } }]);
      expect(listed.data.model.findings).toContainEqual({ fingerprint: idle.fingerprint, waiver: { reason: waiver.reason } });
      expect(listed.data.low.totalCount).toBe(0);

      const c = capture();
      await expect(runReconcile(args({ failOn: 'LOW', rules: ['APPROVED_NOT_DEPLOYED'], endpoint: waived.graphqlUrl }), c.io)).resolves.toBe(0);
      expect(c.out()).toContain('0 findings (0 high, 0 medium, 0 low); 0 at or above low');
      expect(c.out()).toContain(`waived until 2999-12-31: LOW APPROVED_NOT_DEPLOYED ${idle.model.key} (${idle.fingerprint}): ${waiver.reason}`);

      const late = capture();
      await expect(runReconcile(args({ failOn: 'LOW', rules: ['APPROVED_NOT_DEPLOYED'], endpoint: expired.graphqlUrl }), late.io)).resolves.toBe(1);
      expect(late.out()).not.toContain('waived');
    } finally {
      await waived.close();
      await expired.close();
    }
  });

  it('runs as a command: exit codes reach the shell, and bad options exit 2', async () => {
    const bin = join(__dirname, '..', '..', 'bin', 'modelgraph.js');
    const run = (argv: string[]) =>
      promisify(execFile)(process.execPath, [bin, ...argv]).then(
        () => 0,
        (err: { code?: number }) => err.code ?? -1,
      );
    await expect(run(['reconcile', '--endpoint', stack.graphqlUrl, '--rule', 'NO_OWNER', '--fail-on', 'high'])).resolves.toBe(0);
    await expect(run(['reconcile', '--endpoint', stack.graphqlUrl, '--rule', 'NO_OWNER', '--fail-on', 'medium'])).resolves.toBe(1);
    await expect(run(['reconcile', '--endpoint', stack.graphqlUrl, '--fail-on', 'urgent'])).resolves.toBe(2);
    await expect(run(['reconcile', '--endpoint', stack.graphqlUrl, '--rule', 'NOPE'])).resolves.toBe(2);
  });

  it('runs a report against the embedded demo when no endpoint is given', async () => {
    const bin = join(__dirname, '..', '..', 'bin', 'modelgraph.js');
    const report = join(__dirname, '..', '..', 'reports', 'unowned-models.graphql');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, 'report', report, '--format', 'csv']);
    expect(stderr).toContain('starting the embedded demo graph');
    const keys = stdout.trim().split('\n').slice(1).map((line) => line.split(',')[0]);
    // The models registered only by service identities have no owner either.
    const byServicesOnly = [AZUREML_SEED_GAPS.unregisteredModel.container, SAGEMAKER_SEED_GAPS.unregisteredGroup.group];
    expect(keys.sort()).toEqual([JIRA_SEED_GAPS.noTicket, VERTEX_SEED_GAPS.unregisteredInMlflow, ...byServicesOnly].sort());
  });
});

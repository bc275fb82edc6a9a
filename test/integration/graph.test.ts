import { configSchema, type ModelgraphConfig } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { startStack, type Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';

/**
 * The whole graph over HTTP: sandbox MLflow servers (prod and research) -> connectors ->
 * inventory and mlflow subgraphs -> Apollo Gateway, all on loopback.
 */

let sandbox: Sandbox;
let stack: Stack;

function demoConfig(sb: Sandbox, overrides: Partial<ModelgraphConfig> = {}): ModelgraphConfig {
  return configSchema.parse({
    server: { port: 0, host: '127.0.0.1' },
    // No caching (nor warm-up reads in the background), so every query's upstream calls are counted in full.
    cache: { ttlSeconds: 0, staleSeconds: 0, warmUp: false },
    sources: {
      mlflow: Object.entries(sb.mlflow).map(([name, server]) => ({
        name,
        url: server.url,
        // A dead upstream must cost the test milliseconds, not the default 15 s budget.
        retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, budgetMs: 1000 },
        // The breaker alone: failures are not remembered across queries (see failure-memo.ts).
        breaker: { failureThreshold: 5, resetSeconds: 1, rememberFailureSeconds: 0 },
      })),
    },
    logLevel: 'silent',
    ...overrides,
  });
}

async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
}

function upstreamCalls(): number {
  return Object.values(sandbox.mlflow).reduce((sum, s) => sum + s.stats.total, 0);
}

function resetStats(): void {
  for (const s of Object.values(sandbox.mlflow)) s.stats.reset();
}

beforeAll(async () => {
  sandbox = await startSandbox({ models: 36 });
  stack = await startStack(demoConfig(sandbox), silentLogger);
});

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

beforeEach(() => {
  for (const s of Object.values(sandbox.mlflow)) s.faults.down = false;
  resetStats();
});

const MODELS_WITH_VERSIONS = /* GraphQL */ `
  query Models($first: Int!, $after: String) {
    models(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        key
        name
        refs { kind instance nativeId url }
        mlflowVersions {
          version
          stage
          status
          aliases
          run { runId status user metrics { key value } git { repoUrl commit } experiment { name } }
        }
      }
    }
  }
`;

describe('the demo graph over HTTP', () => {
  it('lists every demo model, linked across MLflow instances, with versions, runs and metrics', async () => {
    const { body } = await graphql(MODELS_WITH_VERSIONS, { first: 100 });
    expect(body.errors).toBeUndefined();
    const nodes = body.data.models.nodes as any[];
    const expectedKeys = sandbox.org.models.map((m) => m.key).sort();
    expect(nodes.map((n) => n.key)).toEqual(expectedKeys);
    expect(body.data.models.totalCount).toBe(sandbox.org.models.length);

    for (const demo of sandbox.org.models) {
      const node = nodes.find((n) => n.key === demo.key);
      // Every registration (possibly under another name, e.g. churn_predictor) is a ref.
      expect(node.refs.map((r: any) => `${r.instance}:${r.nativeId}`).sort()).toEqual(
        demo.registrations.map((r) => `${r.instance}:${r.name}`).sort(),
      );
      const expectedVersions = demo.registrations.flatMap((r) => r.versions);
      expect(node.mlflowVersions).toHaveLength(expectedVersions.length);
      // Aliases too, though MLflow's version search omits them (filled from the model).
      expect(node.mlflowVersions.flatMap((v: any) => v.aliases).sort()).toEqual(
        expectedVersions.flatMap((v) => v.aliases).sort(),
      );
    }

    // A production version's run carries the metrics and git source MLflow recorded.
    const fraud = nodes.find((n) => n.key === 'fraud-detector');
    const demoFraud = sandbox.org.models.find((m) => m.key === 'fraud-detector')!;
    const prodVersion = demoFraud.registrations[0].versions.find((v) => v.stage === 'Production')!;
    const served = fraud.mlflowVersions.find((v: any) => v.version === String(prodVersion.version));
    expect(served.stage).toBe('Production');
    expect(served.run.runId).toBe(prodVersion.runId);
    const demoRun = demoFraud.experiments.flatMap((e) => e.runs).find((r) => r.id === prodVersion.runId)!;
    expect(served.run.metrics.map((m: any) => m.key).sort()).toEqual(demoRun.metrics.map((m) => m.key).sort());
    expect(served.run.git.commit).toBe(demoRun.git?.commit);
    expect(served.run.experiment.name).toEqual(expect.any(String));
  });

  it('pages through the inventory with cursors', async () => {
    const keys: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const { body }: { body: any } = await graphql(
        'query($after: String) { models(first: 10, after: $after) { nodes { key } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      keys.push(...body.data.models.nodes.map((n: any) => n.key));
      after = body.data.models.pageInfo.hasNextPage ? body.data.models.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(Math.ceil(sandbox.org.models.length / 10));
    expect(keys).toEqual(sandbox.org.models.map((m) => m.key).sort());
  });

  it('makes a number of upstream calls that does not grow with the number of models', async () => {
    await graphql(MODELS_WITH_VERSIONS, { first: 12 });
    const forTwelve = upstreamCalls();
    resetStats();
    await graphql(MODELS_WITH_VERSIONS, { first: 36 });
    const forAll = upstreamCalls();
    const byRoute = Object.assign({}, ...Object.values(sandbox.mlflow).map((s) => ({ [s.instance]: { ...s.stats.byRoute } })));

    // Three times the models, not more calls: lists and batched searches, no call per model.
    expect(forAll).toBeLessThanOrEqual(forTwelve);
    // Per instance, one page each: the inventory's listing and the mlflow subgraph's (for
    // aliases, which MLflow's version search leaves out; with a cache TTL the two are one),
    // the versions and the experiments, and one batched run search per 100 runs.
    for (const [instance, routes] of Object.entries(byRoute) as [string, Record<string, number>][]) {
      const runIds = new Set(
        sandbox.org.models.flatMap((m) =>
          m.registrations.filter((r) => r.instance === instance).flatMap((r) => r.versions.map((v) => v.runId)),
        ),
      );
      expect(routes['GET /api/2.0/mlflow/registered-models/search']).toBeLessThanOrEqual(2);
      expect(routes['GET /api/2.0/mlflow/model-versions/search']).toBe(1);
      expect(routes['POST /api/2.0/mlflow/experiments/search']).toBe(1);
      expect(routes['POST /api/2.0/mlflow/runs/search']).toBe(Math.ceil(runIds.size / 100));
      // Nothing fetched one model or one run at a time.
      expect(routes['GET /api/2.0/mlflow/registered-models/get'] ?? 0).toBe(0);
      expect(routes['GET /api/2.0/mlflow/runs/get'] ?? 0).toBe(0);
    }
    expect(forAll).toBeLessThanOrEqual(12);
  });

  it('answers a single model by key, with its registered models and aliases', async () => {
    const { body } = await graphql(`{
      model(key: "churn-predictor") {
        key
        registered { id name aliases { alias version } latestVersions { version stage } }
        experiments { name }
      }
    }`);
    expect(body.errors).toBeUndefined();
    const demo = sandbox.org.models.find((m) => m.key === 'churn-predictor')!;
    expect(body.data.model.registered.map((r: any) => r.id).sort()).toEqual(
      demo.registrations.map((r) => `${r.instance}/${r.name}`).sort(),
    );
    expect(body.data.model.experiments.length).toBeGreaterThan(0);
    const { body: missing } = await graphql('{ model(key: "no-such-model") { key } }');
    expect(missing.data.model).toBeNull();
  });

  it('passes MLflow run searches through, paging with MLflow\'s own token as the cursor', async () => {
    const demo = sandbox.org.models.find((m) => m.key === 'fraud-detector')!;
    const experiments = demo.experiments.filter((e) => e.instance === 'prod');
    const runs = experiments.flatMap((e) => e.runs).filter((r) => r.status === 'FINISHED');
    const query = `query($ids: [String!]!, $after: String) {
      mlflowRuns(instance: "prod", experimentIds: $ids, filter: "attributes.status = 'FINISHED'", first: 2, after: $after) {
        nodes { runId status experiment { experimentId } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const { body }: { body: any } = await graphql(query, { ids: experiments.map((e) => e.id), after });
      expect(body.errors).toBeUndefined();
      for (const run of body.data.mlflowRuns.nodes) {
        expect(run.status).toBe('FINISHED');
        seen.push(run.runId);
      }
      after = body.data.mlflowRuns.pageInfo.hasNextPage ? body.data.mlflowRuns.pageInfo.endCursor : null;
    } while (after);
    expect(seen.sort()).toEqual(runs.map((r) => r.id).sort());

    const { body: bad } = await graphql('{ mlflowRuns(instance: "nope", experimentIds: ["1"]) { nodes { runId } } }');
    expect(bad.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].message).toContain('unknown MLflow instance "nope"');
  });

  it('when one MLflow instance is down, names it in an error and still answers with the rest', async () => {
    sandbox.mlflow.research.faults.down = true;
    const { status, body } = await graphql(MODELS_WITH_VERSIONS, { first: 100 });
    expect(status).toBe(200);
    const sources = (body.errors ?? []).map((e: any) => e.extensions?.source);
    expect(sources).toContain('mlflow:research');
    expect(sources).not.toContain('mlflow:prod');
    const researchError = body.errors!.find((e: any) => e.extensions?.source === 'mlflow:research');
    expect(researchError.extensions.code).toBe('SOURCE_UNAVAILABLE');
    expect(researchError.message).toMatch(/^mlflow:research: /);

    // Every model registered in prod is still there, with its prod versions.
    const keys = body.data.models.nodes.map((n: any) => n.key);
    const inProd = sandbox.org.models.filter((m) => m.registrations.some((r) => r.instance === 'prod'));
    expect(keys).toEqual(inProd.map((m) => m.key).sort());
    const shared = body.data.models.nodes.find((n: any) => n.key === 'churn-predictor');
    const demoShared = sandbox.org.models.find((m) => m.key === 'churn-predictor')!;
    expect(shared.mlflowVersions).toHaveLength(demoShared.registrations.find((r) => r.instance === 'prod')!.versions.length);

    // Each such query fails one call to research (its listing); after failureThreshold (5)
    // in a row the circuit opens, and later queries do not wait for research at all.
    for (let i = 0; i < 4; i++) await graphql(MODELS_WITH_VERSIONS, { first: 100 });
    sandbox.mlflow.research.stats.reset();
    const fast = await graphql(MODELS_WITH_VERSIONS, { first: 100 });
    expect(sandbox.mlflow.research.stats.total).toBe(0);
    expect(fast.body.errors?.find((e: any) => e.extensions?.source === 'mlflow:research')?.extensions).toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
      upstreamCode: 'CIRCUIT_OPEN',
    });
    expect(fast.body.data.models.nodes).toHaveLength(inProd.length);

    // Back up: one trial call after resetSeconds closes the circuit again.
    sandbox.mlflow.research.faults.down = false;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const healed = await graphql(MODELS_WITH_VERSIONS, { first: 100 });
    expect(healed.body.errors).toBeUndefined();
    expect(healed.body.data.models.nodes).toHaveLength(sandbox.org.models.length);
  });

  it('refuses hostile queries (too deep, too many tokens) before calling any upstream', async () => {
    // The classic: nested introspection, 17 levels.
    const ofTypes = 'ofType { '.repeat(13) + 'name' + ' }'.repeat(13);
    const deep = await graphql(`{ __schema { types { fields { type { ${ofTypes} } } } } }`);
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0].message).toMatch(/levels deep; the limit is 15/);

    // Thousands of aliases of an upstream-backed field.
    const aliases = Array.from({ length: 2000 }, (_, i) => `m${i}: model(key: "fraud-detector") { key }`).join(' ');
    const wide = await graphql(`{ ${aliases} }`);
    expect(wide.status).toBe(400);
    expect(wide.body.errors?.[0].message).toMatch(/more that 5000 tokens/);

    expect(upstreamCalls()).toBe(0);
  });
});

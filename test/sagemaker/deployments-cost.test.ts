import { sagemakerInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import type { Deployment } from '../../connectors/registry/types';
import { SagemakerConnector } from '../../connectors/sagemaker';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { seedSagemaker, startSagemakerSandbox, type SagemakerSandboxServer } from '../../sandbox/sagemaker';
import { createRegistriesSubgraph } from '../../subgraphs/registries';
import { configurationsToDescribe, countOperations, seedDeployments } from '../helpers/sagemaker-operations';

/**
 * What the deployment listing costs, counted per SageMaker operation, against the sandbox's
 * org and a large account (a 1,000-model org: about 300 endpoints and models): a cold
 * listing is two paged searches and one DescribeEndpointConfig per configuration the Model
 * Dashboard does not settle (multi-variant endpoints, failed creations), a listing after
 * expiry only re-describes what changed, and the instance types the listing leaves out cost
 * one DescribeEndpointConfig per configuration when, and only when, a query selects them.
 * What the deployments say runs is checked against the sandbox's own seed, and against a
 * listing that describes every configuration (the dashboard's `Endpoints` withheld).
 */

const pages = (n: number) => Math.ceil(n / 100);
const DAY_MS = 86_400_000;

describe.each([
  ['the sandbox org', 36],
  ['a 1,000-model org', 1000],
])('%s', (_name, models) => {
  const org = generateDemoOrg({ models });
  const seed = seedSagemaker(org);
  const truth = seedDeployments(seed, 'prod-us');
  const toDescribe = configurationsToDescribe(seed);

  let server: SagemakerSandboxServer;
  beforeAll(async () => {
    server = await startSagemakerSandbox({ org, seed });
  });
  afterAll(async () => {
    await server.close();
  });

  function connect(clock: { t: number }): SagemakerConnector {
    return SagemakerConnector.fromConfig(
      sagemakerInstanceSchema.parse({
        name: 'prod-us',
        region: 'us-east-1',
        endpoint: server.url,
        credentials: { type: 'static', accessKeyId: 'AKIASANDBOXEXAMPLE01', secretAccessKey: 'x' },
        // Counted, not paced: the limiter is not what this measures.
        rateLimit: { enabled: false },
      }),
      {
        cache: new MemoryCache({ now: () => clock.t }),
        cacheDefaults: { ttlSeconds: 60, staleSeconds: 0 },
        clock: { now: () => clock.t, sleep: async () => undefined },
      },
    );
  }

  /** Until the returned function is called, the dashboard's records list no endpoints: every configuration must be described. */
  function withoutDashboardEndpoints(): () => void {
    type Search = (input: Record<string, unknown>) => { Results: Array<{ Model: Record<string, unknown> }> };
    const store = server.store as unknown as { Search: Search };
    const search = store.Search;
    store.Search = (input) => {
      const out = search.call(server.store, input);
      return input.Resource === 'Model' ? { ...out, Results: out.Results.map((r) => ({ Model: { ...r.Model, Endpoints: [] } })) } : out;
    };
    return () => {
      store.Search = search;
    };
  }

  const withoutInstanceTypes = (list: readonly Deployment[]) => list.map(({ instanceType: _t, instanceTypeLookup: _l, ...rest }) => rest);

  it('lists cold with two paged searches and DescribeEndpointConfig only for what the dashboard does not settle, mapping what the seed says', async () => {
    // Both kinds are there to tell apart: settled endpoints, and canaries or failed ones.
    expect(toDescribe.size).toBeGreaterThan(0);
    expect(toDescribe.size).toBeLessThan(seed.endpoints.length);
    const ops = countOperations(server);
    const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
    const sagemaker = connect(clock);
    const everything = connect(clock);
    try {
      const cold = await sagemaker.listDeployments();
      expect(ops.counts).toEqual({
        'Search Endpoint': pages(seed.endpoints.length),
        'Search Model': pages(seed.models.length),
        DescribeEndpointConfig: toDescribe.size,
      });
      expect(cold).toHaveLength(truth.size);
      for (const d of cold) {
        expect([d.id, d.modelVersionRef, d.servedModelName]).toEqual([d.id, truth.get(d.id)?.modelVersionRef, truth.get(d.id)?.servedModelName]);
        // Left to be looked up exactly where the configuration was not described.
        const described = toDescribe.has(truth.get(d.id)!.configName);
        expect([d.id, d.instanceType, d.instanceTypeLookup]).toEqual(
          described ? [d.id, truth.get(d.id)!.instanceType, undefined] : [d.id, null, truth.get(d.id)!.configName],
        );
      }

      // The way it was before (every configuration described): the same deployments, instance types aside.
      ops.reset();
      const restore = withoutDashboardEndpoints();
      let full: Deployment[];
      try {
        full = await everything.listDeployments();
      } finally {
        restore();
      }
      expect(ops.counts).toEqual({
        'Search Endpoint': pages(seed.endpoints.length),
        'Search Model': pages(seed.models.length),
        DescribeEndpointConfig: new Set(seed.endpoints.map((e) => e.configName)).size,
      });
      expect(withoutInstanceTypes(cold)).toEqual(withoutInstanceTypes(full));
      expect(full.map((d) => [d.id, d.instanceType])).toEqual(full.map((d) => [d.id, truth.get(d.id)?.instanceType]));
    } finally {
      ops.restore();
      sagemaker.close();
      everything.close();
    }
  });

  it('revalidates after expiry with the endpoint search, describing only what changed', async () => {
    const ops = countOperations(server);
    const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
    const sagemaker = connect(clock);
    try {
      const cold = await sagemaker.listDeployments();

      // Past ttl: nothing changed, nothing described.
      ops.reset();
      clock.t += 61_000;
      expect(await sagemaker.listDeployments()).toEqual(cold);
      expect(ops.counts).toEqual({ 'Search Endpoint': pages(seed.endpoints.length) });

      // One endpoint moved to another configuration: that configuration alone is described,
      // and its models are those already held.
      const [a, b] = seed.endpoints.filter((e) => e.status === 'InService' && e.modelKey);
      const moved = seed.endpoints.find((e) => e === b)!;
      const original = { configName: moved.configName, lastModifiedTime: moved.lastModifiedTime };
      moved.configName = a!.configName;
      moved.lastModifiedTime += 3_600_000;
      try {
        ops.reset();
        clock.t += 61_000;
        const after = await sagemaker.listDeployments();
        expect(ops.counts).toEqual({ 'Search Endpoint': pages(seed.endpoints.length), DescribeEndpointConfig: 1 });
        const refs = (name: string, list: typeof after) => list.filter((d) => d.endpointName === name).map((d) => d.modelVersionRef);
        expect(refs(b!.name, after)).toEqual(refs(a!.name, cold));
        expect(after.filter((d) => d.endpointName !== b!.name)).toEqual(cold.filter((d) => d.endpointName !== b!.name));
      } finally {
        Object.assign(moved, original);
      }
    } finally {
      ops.restore();
      sagemaker.close();
    }
  });

  it('revalidates every endpoint changed with the dashboard search rather than a configuration each', async () => {
    const ops = countOperations(server);
    const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
    const sagemaker = connect(clock);
    const originals = seed.endpoints.map((e) => e.lastModifiedTime);
    try {
      const cold = await sagemaker.listDeployments();
      for (const e of seed.endpoints) e.lastModifiedTime += 3_600_000;
      ops.reset();
      clock.t += 61_000;
      const after = await sagemaker.listDeployments();
      expect(ops.counts).toEqual({
        'Search Endpoint': pages(seed.endpoints.length),
        'Search Model': pages(seed.models.length),
        DescribeEndpointConfig: toDescribe.size,
      });
      const withoutTimes = (list: readonly Deployment[]) => list.map(({ updatedAt: _u, ...rest }) => rest);
      expect(withoutTimes(after)).toEqual(withoutTimes(cold));
    } finally {
      seed.endpoints.forEach((e, i) => (e.lastModifiedTime = originals[i]!));
      ops.restore();
      sagemaker.close();
    }
  });

  it('describes a configuration for its instance type only when a query selects it, once per configuration, held for a day', async () => {
    const ops = countOperations(server);
    const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
    const sagemaker = connect(clock);
    const subgraph = createRegistriesSubgraph([sagemaker]);
    const query = async (text: string, variables: Record<string, unknown> = {}) => {
      const res = await subgraph.server.executeOperation({ query: text, variables }, { contextValue: await subgraph.context() });
      if (res.body.kind !== 'single') throw new Error('expected a single result');
      const { data, errors } = res.body.singleResult;
      expect(errors).toBeUndefined();
      return data as Record<string, Array<{ id: string; instanceType?: string | null }>>;
    };
    try {
      const listed = await sagemaker.listDeployments();
      const lazy = listed.filter((d) => d.instanceTypeLookup);
      expect(lazy.length).toBeGreaterThan(5);

      // Not selected: nothing described.
      ops.reset();
      expect((await query('{ deployments { id servedModelName } }')).deployments).toHaveLength(listed.length);
      expect(ops.counts).toEqual({});

      // Selected for five deployments: their five configurations, nothing else.
      const five = lazy.slice(0, 5);
      const entities = await query('query($r: [_Any!]!) { _entities(representations: $r) { ... on Deployment { id instanceType } } }', {
        r: five.map((d) => ({ __typename: 'Deployment', id: d.id })),
      });
      expect(entities._entities).toEqual(five.map((d) => ({ id: d.id, instanceType: truth.get(d.id)!.instanceType })));
      expect(ops.counts).toEqual({ DescribeEndpointConfig: new Set(five.map((d) => d.instanceTypeLookup)).size });

      // Selected for all: each configuration not yet held, once, however many deployments share it.
      ops.reset();
      const all = await query('{ deployments { id instanceType } }');
      expect(all.deployments).toEqual(listed.map((d) => ({ id: d.id, instanceType: truth.get(d.id)!.instanceType })));
      const remaining = new Set(lazy.map((d) => d.instanceTypeLookup));
      for (const d of five) remaining.delete(d.instanceTypeLookup);
      expect(ops.counts).toEqual({ DescribeEndpointConfig: remaining.size });

      // Held: past the entries' ttl (the listing revalidated by its search), and nearly a day on.
      for (const later of [61_000, DAY_MS - 120_000]) {
        ops.reset();
        clock.t += later;
        expect((await query('{ deployments { id instanceType } }')).deployments).toEqual(all.deployments);
        expect(ops.counts['DescribeEndpointConfig']).toBeUndefined();
      }
    } finally {
      ops.restore();
      sagemaker.close();
    }
  });
});

import { sagemakerInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SagemakerConnector } from '../../connectors/sagemaker';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { seedSagemaker, startSagemakerSandbox, type SagemakerSandboxServer } from '../../sandbox/sagemaker';
import { countOperations } from '../helpers/sagemaker-operations';

/**
 * What the deployment listing costs against a large account (a 1,000-model org: about 300
 * endpoints and models), counted per SageMaker operation: a cold listing is two paged
 * searches and one DescribeEndpointConfig per configuration (three Describe calls per
 * endpoint before), and a listing after expiry only re-describes what changed.
 */

const org = generateDemoOrg({ models: 1000 });
const seed = seedSagemaker(org);
const pages = (n: number) => Math.ceil(n / 100);

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

it('lists a large account with O(endpoints/100) searches, and after expiry describes only what changed', async () => {
  expect(seed.endpoints.length).toBeGreaterThan(250);
  const ops = countOperations(server);
  const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
  const sagemaker = connect(clock);
  try {
    const cold = await sagemaker.listDeployments();
    const searches = (ops.counts['Search Endpoint'] ?? 0) + (ops.counts['Search Model'] ?? 0);
    expect(searches).toBeLessThanOrEqual(pages(seed.endpoints.length) + pages(seed.models.length) + 2);
    expect(ops.counts).toEqual({
      'Search Endpoint': pages(seed.endpoints.length),
      'Search Model': pages(seed.models.length),
      // The instance type lives in the configuration only: one per configuration, none per model or endpoint.
      DescribeEndpointConfig: new Set(seed.endpoints.map((e) => e.configName)).size,
    });
    expect(cold).toHaveLength(seed.endpointConfigs.reduce((n, c) => n + c.variants.length, 0));

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

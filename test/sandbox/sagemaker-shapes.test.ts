import * as sdk from '@aws-sdk/client-sagemaker';
import { sagemakerInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SagemakerConnector } from '../../connectors/sagemaker';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { startSagemakerSandbox, type SagemakerSandboxServer } from '../../sandbox/sagemaker';
import { SAGEMAKER_OPERATIONS } from '../../sandbox/sagemaker/store';
import { checkShape, operationOutput } from '../helpers/smithy-schema';

/**
 * The SageMaker sandbox's answers to what the SageMaker connector asks (its whole listing:
 * groups, versions, tags, the Model Dashboard search, endpoints and their configurations),
 * each checked against the operation's output shape in the AWS SDK (`@aws-sdk/client-sagemaker`).
 */

let server: SagemakerSandboxServer;
const answers: Array<{ operation: string; output: unknown }> = [];

beforeAll(async () => {
  server = await startSagemakerSandbox({ org: generateDemoOrg() });
  // The server writes JSON.stringify of what the store returns: that is the wire.
  const store = server.store as unknown as Record<string, (input: Record<string, unknown>) => unknown>;
  for (const op of SAGEMAKER_OPERATIONS) {
    const original = store[op]!.bind(server.store);
    store[op] = (input) => {
      const output = original(input);
      answers.push({ operation: op, output: JSON.parse(JSON.stringify(output)) });
      return output;
    };
  }
});
afterAll(() => server?.close());

it("answers each operation the connector calls in the SDK's output shape", async () => {
  const sagemaker = SagemakerConnector.fromConfig(
    sagemakerInstanceSchema.parse({
      name: 'prod-us',
      region: 'us-east-1',
      endpoint: server.url,
      credentials: { type: 'static', accessKeyId: 'AKIASANDBOXEXAMPLE01', secretAccessKey: 'x' },
      rateLimit: { enabled: false },
    }),
    { cache: new MemoryCache(), cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 }, clock: { sleep: async () => undefined } },
  );
  await sagemaker.health();
  const models = await sagemaker.listModels();
  await sagemaker.getVersionsForModels(models.map((m) => m.name));
  await sagemaker.getVersions(models[0]!.name);
  await sagemaker.getModel(models[0]!.name);
  const deployments = await sagemaker.listDeployments();
  await sagemaker.instanceTypes(deployments);

  const problems: string[] = [];
  for (const { operation, output } of answers) {
    const schema = (sdk as unknown as Record<string, unknown>)[`${operation}$`];
    if (!schema) problems.push(`${operation}: no schema in the SDK`);
    else checkShape(operationOutput(schema), output, operation, problems);
  }
  // The listing reads groups and packages through Search (Model Dashboard included).
  expect([...new Set(answers.map((a) => a.operation))].sort()).toEqual([
    'DescribeEndpointConfig',
    'DescribeModelPackageGroup',
    'ListEndpoints',
    'ListTags',
    'Search',
  ]);
  expect(problems).toEqual([]);
});

it('the check fails on a member the shape does not have, a missing required one, or another type', () => {
  const problems: string[] = [];
  const output = { ModelPackageSummaryList: [{ ModelPackageArn: 'arn', CreationTime: '2025-01-01', Approval: 'x' }] };
  checkShape(operationOutput((sdk as unknown as Record<string, unknown>).ListModelPackages$), output, 'out', problems);
  expect(problems).toEqual([
    'out.ModelPackageSummaryList[0]: ModelPackageStatus is required (ModelPackageSummary)',
    'out.ModelPackageSummaryList[0].CreationTime: string, the SDK says number',
    'out.ModelPackageSummaryList[0].Approval: not a member of ModelPackageSummary',
  ]);
});

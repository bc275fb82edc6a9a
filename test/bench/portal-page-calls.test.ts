/**
 * #11's first target, held by counting: at 1,000 models, with the linking listings warm,
 * the cold portal page makes at most 60 upstream calls in all. "Warm" is what a production
 * start-up holds once `cache.warmUp` is done (listings, deployments, indexes). Counts, not time: no
 * latency is injected and the limiters are off, neither of which changes a count.
 */
import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { startStack, type Stack } from '../../gateway/stack';
import { sandboxConfig, startSandbox, type Sandbox } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { benchConfig, measureColdPage } from './harness';
import { PORTAL_PAGE_MAX_CALLS } from './portal-page';
import { formatCalls } from './upstream-calls';

const MODELS = 1_000;

let sandbox: Sandbox;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ models: MODELS });
  stack = await startStack(configSchema.parse(benchConfig(sandbox, false)), silentLogger, {
    people: PeopleDirectory.fromData(sandboxConfig(sandbox).peopleAliases),
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
});

it(`makes at most ${PORTAL_PAGE_MAX_CALLS} upstream calls for the cold portal page at ${MODELS.toLocaleString('en-US')} models, listings warm`, async () => {
  const { cold } = await measureColdPage(sandbox, stack.graphqlUrl, stack.warmedUp);
  expect(cold.answer.errors).toBeUndefined();
  const breakdown = `${cold.calls.total} upstream calls: ${formatCalls(cold.calls)}; SageMaker by operation ${JSON.stringify(cold.calls.byOperation)}`;
  // The breakdown is the failure message: which source to cut is the question a miss asks.
  expect({ withinTarget: cold.calls.total <= PORTAL_PAGE_MAX_CALLS, breakdown }).toEqual({ withinTarget: true, breakdown });
}, 120_000);

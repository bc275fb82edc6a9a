import type { SagemakerSeed } from '../../sandbox/sagemaker/seed';
import { SAGEMAKER_OPERATIONS, type SagemakerStore } from '../../sandbox/sagemaker/store';

/**
 * Counts the operations a SageMaker sandbox answers, by name, `Search` by the resource it
 * searched (`Search Endpoint`): every request to the sandbox is a `POST /`, so the server's
 * per-route statistics cannot tell them apart. Wraps the store's operations until `restore()`.
 */
export function countOperations(server: { store: SagemakerStore }): { counts: Record<string, number>; reset(): void; restore(): void } {
  const counts: Record<string, number> = {};
  const store = server.store as unknown as Record<string, (input: Record<string, unknown>) => unknown>;
  const originals = new Map(SAGEMAKER_OPERATIONS.map((op) => [op, store[op]!]));
  for (const [op, original] of originals) {
    store[op] = (input) => {
      const key = op === 'Search' ? `Search ${String(input.Resource)}` : op;
      counts[key] = (counts[key] ?? 0) + 1;
      return original.call(server.store, input);
    };
  }
  return {
    counts,
    reset: () => {
      for (const key of Object.keys(counts)) delete counts[key];
    },
    restore: () => {
      for (const [op, original] of originals) store[op] = original;
    },
  };
}

/**
 * The endpoint configurations a cold deployment listing has to describe, from the sandbox's
 * own seed (not from the connector's rule): those of the endpoints whose variant's model the
 * Model Dashboard cannot settle. An endpoint is settled when it runs exactly one production
 * variant (a failed creation runs none) and exactly one model's dashboard record lists it
 * (the models its configuration names). Each configuration once.
 */
export function configurationsToDescribe(seed: SagemakerSeed): Set<string> {
  const configs = new Map(seed.endpointConfigs.map((c) => [c.name, c]));
  const described = new Set<string>();
  for (const endpoint of seed.endpoints) {
    const variants = configs.get(endpoint.configName)?.variants ?? [];
    const running = endpoint.status === 'Failed' ? 0 : variants.length;
    const listedBy = new Set(variants.map((v) => v.modelName)).size;
    if (running !== 1 || listedBy !== 1) described.add(endpoint.configName);
  }
  return described;
}

/**
 * What each deployment of the seed runs, by deployment id (`sagemaker:<instance>/<endpoint>/<variant>`):
 * the truth a listing is compared with.
 */
export function seedDeployments(
  seed: SagemakerSeed,
  instance: string,
): Map<string, { modelVersionRef: string | null; servedModelName: string; instanceType: string; configName: string }> {
  const configs = new Map(seed.endpointConfigs.map((c) => [c.name, c]));
  const models = new Map(seed.models.map((m) => [m.name, m]));
  const truth = new Map<string, { modelVersionRef: string | null; servedModelName: string; instanceType: string; configName: string }>();
  for (const endpoint of seed.endpoints) {
    for (const v of configs.get(endpoint.configName)?.variants ?? []) {
      const container = models.get(v.modelName)?.container;
      truth.set(`sagemaker:${instance}/${endpoint.name}/${v.name}`, {
        modelVersionRef: container && 'modelPackageArn' in container ? container.modelPackageArn : null,
        servedModelName: v.modelName,
        instanceType: v.instanceType,
        configName: endpoint.configName,
      });
    }
  }
  return truth;
}

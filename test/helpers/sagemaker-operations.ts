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

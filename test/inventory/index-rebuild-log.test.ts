import { configSchema } from '../../config/schema';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { createLogger } from '../../connectors/core/logger';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { createInventorySubgraph, createSourceStatusReader } from '../../subgraphs/inventory';

/** A failed index rebuild reaches no client while an old copy serves, so it must reach the log. */
describe('index rebuild failures', () => {
  it('are logged at warn, naming the index and the error', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) });
    const config = configSchema.parse({});
    const subgraph = createInventorySubgraph({
      // A registry that cannot be listed: the index is never built without its models.
      sources: [
        {
          source: 'mlflow:prod',
          listEntries: async () => {
            throw new SourceError({ source: 'mlflow:prod', code: SourceErrorCode.SOURCE_UNAVAILABLE, message: 'HTTP 503' });
          },
        },
      ],
      linking: { keyTag: config.linking.keyTag },
      people: PeopleDirectory.empty(),
      facts: { mlflow: [], registries: [], jira: [], gitHosts: [], people: PeopleDirectory.empty(), modelRepositories: {} },
      indexTtlMs: 60_000,
      governance: config.governance,
      sourceStatus: createSourceStatusReader({ configured: [] }),
      logger,
    });
    await subgraph.server.start();
    try {
      const result = await subgraph.server.executeOperation(
        { query: '{ findings { totalCount } }' },
        { contextValue: await subgraph.context() },
      );
      // The request that waited for the build sees its error...
      expect(result.body.kind === 'single' && result.body.singleResult.errors?.length).toBeGreaterThan(0);
      // ...and the log says which index failed and why.
      const warned = lines.filter((l) => l.level === 'warn' && l.msg === 'index rebuild failed; the previous copy serves until its stale window ends');
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatchObject({ index: 'governance', error: 'mlflow:prod: HTTP 503' });
    } finally {
      await subgraph.server.stop();
    }
  });
});

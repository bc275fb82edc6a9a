import { defineSource } from '../source-module';
import { unityCatalogRegistry } from './registry';
import { UNITY_CATALOG_LIMITS } from './limits';
import { UnityCatalogConnector } from './client';
import { unityCatalogInstanceSchema } from './config';

/** Databricks Unity Catalog's models as one source of the graph (see connectors/source-module.ts). */
export const unityCatalogSource = defineSource({
  kind: 'UNITY_CATALOG',
  configKey: 'unityCatalog',
  label: 'Unity Catalog',
  schema: unityCatalogInstanceSchema,
  capabilities: ['modelRegistry'],
  identityTool: null,
  health: { ...UNITY_CATALOG_LIMITS, reportsRateLimit: false },
  registry: unityCatalogRegistry,
  slot: 'registries',
  create: (config, context) => UnityCatalogConnector.fromConfig(config, context),
  references: (config) =>
    config.workspaces.flatMap((w, i) => (w.mlflow ? [{ path: ['workspaces', i, 'mlflow'], configKey: 'mlflow', name: w.mlflow }] : [])),
});

declare module '../core/source' {
  interface SourceKinds {
    UNITY_CATALOG: true;
  }
}

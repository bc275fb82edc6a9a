import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../core/vendor-rate-limits';
import { defineSource } from '../source-module';
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
  health: { rateLimit: VENDOR_RATE_LIMITS.UNITY_CATALOG, concurrency: VENDOR_CONCURRENCY.UNITY_CATALOG, reportsRateLimit: false },
  slot: 'registries',
  create: (config, context) => UnityCatalogConnector.fromConfig(config, context),
  references: (config) =>
    config.workspaces.flatMap((w, i) => (w.mlflow ? [{ path: ['workspaces', i, 'mlflow'], configKey: 'mlflow', name: w.mlflow }] : [])),
});

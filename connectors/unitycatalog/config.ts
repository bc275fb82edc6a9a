import { z } from 'zod';
import { connectionOptions, httpUrl, instanceName } from '../core/config';
import { DATABRICKS_OAUTH_SCOPE } from './types';

/** A Unity Catalog name: a catalog, or a catalog and one of its schemas (`ml_prod.fraud`). */
const catalogOrSchema = z
  .string()
  .regex(/^[^.\s/]+(\.[^.\s/]+)?$/, 'must be a catalog name or catalog.schema (no spaces or slashes)');

/**
 * A `sources.unityCatalog` instance: the Unity Catalog metastore one Databricks workspace is
 * attached to, read through that workspace's REST API (config/schema.ts assembles `sources`
 * from these). A metastore serves every workspace of its region, so one instance per
 * metastore; the runs behind its versions can live in any of those workspaces (`workspaces`).
 */
export const unityCatalogInstanceSchema = z
  .object({
    name: instanceName,
    /**
     * The workspace URL: `https://<deployment>.cloud.databricks.com` (AWS),
     * `https://adb-<workspace id>.<n>.azuredatabricks.net` (Azure), `https://<id>.<n>.gcp.databricks.com`.
     */
    host: httpUrl,
    /**
     * A personal access token (`pat`), or a Databricks-managed service principal's OAuth
     * client credentials (`oauth-m2m`: its client id and an OAuth secret; tokens come from the
     * workspace's `/oidc/v1/token` and are renewed before their hour is up).
     */
    auth: z.discriminatedUnion('type', [
      z.object({ type: z.literal('pat'), token: z.string().min(1) }).strict(),
      z
        .object({
          type: z.literal('oauth-m2m'),
          clientId: z.string().min(1),
          clientSecret: z.string().min(1),
          /** Default `all-apis`. */
          scopes: z.array(z.string().min(1)).min(1).default([DATABRICKS_OAUTH_SCOPE]),
        })
        .strict(),
    ]),
    /**
     * The catalogs (every schema of each) or `catalog.schema`s whose models are read.
     * Default: every model of the metastore the principal may see.
     */
    catalogs: z.array(catalogOrSchema).min(1).optional(),
    /**
     * The workspaces whose MLflow runs produced the versions (a version's `run_workspace_id`),
     * each with the `sources.mlflow` instance that reads that workspace's tracking server
     * (`url: https://<workspace host>`), so that lineage reaches the run and its commit. A
     * version whose workspace is not listed keeps its run id, without a run.
     */
    workspaces: z
      .array(
        z
          .object({
            /** The workspace id, as Databricks writes it (`?o=` in workspace URLs): digits. */
            id: z.string().regex(/^\d{1,19}$/, 'must be a Databricks workspace id (digits, as a string)'),
            /** The `sources.mlflow` instance reading this workspace's runs. */
            mlflow: instanceName.optional(),
          })
          .strict(),
      )
      .default([]),
    ...connectionOptions,
  })
  .strict();

export type UnityCatalogInstanceConfig = z.infer<typeof unityCatalogInstanceSchema>;

import { z } from 'zod';
import { instanceName, httpUrl, connectionOptions } from '../core/config';

/** How modelgraph authenticates to the tracking server. */
export const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }).strict(),
  /** A Databricks personal access token or any bearer token in front of MLflow. */
  z.object({ type: z.literal('bearer'), token: z.string().min(1) }).strict(),
]);

/** A `sources.mlflow` instance, as the configuration file writes it (config/schema.ts assembles `sources` from these). */
export const mlflowInstanceSchema = z
  .object({
    name: instanceName,
    /** Tracking server base URL, e.g. https://mlflow.example.com or https://<workspace>.cloud.databricks.com */
    url: httpUrl,
    /** Where links in the graph point (defaults to `url`). */
    uiUrl: httpUrl.optional(),
    auth: authSchema.default({ type: 'none' }),
    ...connectionOptions,
  })
  .strict();

export type MlflowInstanceConfig = z.infer<typeof mlflowInstanceSchema>;
export type AuthConfig = z.infer<typeof authSchema>;

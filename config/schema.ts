import { z } from 'zod';

/**
 * The configuration file's schema: parsed once at start-up, so a wrong key fails the
 * process before it serves anything, with the key named (see `load.ts`).
 */

/** Instance names end up in ids, cache keys and error sources (`mlflow:<name>`). */
const instanceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, "-" or "_" (at most 63)');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const positiveInt = z.number().int().positive();

const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }).strict(),
  /** A Databricks personal access token or any bearer token in front of MLflow. */
  z.object({ type: z.literal('bearer'), token: z.string().min(1) }).strict(),
]);

const retrySchema = z
  .object({
    maxAttempts: positiveInt.max(10).optional(),
    baseDelayMs: positiveInt.optional(),
    maxDelayMs: positiveInt.optional(),
    budgetMs: positiveInt.optional(),
  })
  .strict();

const breakerSchema = z
  .object({
    /** Consecutive failed calls that open the circuit. */
    failureThreshold: positiveInt.max(1000).optional(),
    /** Seconds an open circuit fails calls at once before one trial call. */
    resetSeconds: z.number().int().min(0).optional(),
  })
  .strict();

const sourceCacheSchema = z
  .object({
    ttlSeconds: z.number().int().min(0).optional(),
    staleSeconds: z.number().int().min(0).optional(),
  })
  .strict();

export const mlflowInstanceSchema = z
  .object({
    name: instanceName,
    /** Tracking server base URL, e.g. https://mlflow.example.com or https://<workspace>.cloud.databricks.com */
    url: httpUrl,
    /** Where links in the graph point (defaults to `url`). */
    uiUrl: httpUrl.optional(),
    auth: authSchema.default({ type: 'none' }),
    timeoutMs: positiveInt.default(10_000),
    maxConcurrency: positiveInt.max(256).default(8),
    retry: retrySchema.optional(),
    breaker: breakerSchema.optional(),
    cache: sourceCacheSchema.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        port: z.number().int().min(0).max(65535).default(4000),
        host: z.string().min(1).default('0.0.0.0'),
        /** Defaults to on, and to off when NODE_ENV=production. */
        introspection: z.boolean().optional(),
        /** Deepest selection a query may have; deeper queries are refused. */
        maxDepth: positiveInt.max(100).default(15),
        /** Largest number of tokens a query document may have. */
        maxTokens: positiveInt.default(5000),
      })
      .strict()
      .default({ port: 4000, host: '0.0.0.0', maxDepth: 15, maxTokens: 5000 }),
    cache: z
      .object({
        /** Shared cache across replicas; the REDIS_URL environment variable also sets it. */
        redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
        ttlSeconds: z.number().int().min(0).default(60),
        staleSeconds: z.number().int().min(0).default(300),
      })
      .strict()
      .default({ ttlSeconds: 60, staleSeconds: 300 }),
    sources: z
      .object({
        mlflow: z.array(mlflowInstanceSchema).default([]),
      })
      .strict()
      .default({ mlflow: [] }),
    linking: z
      .object({
        /** A registry tag whose value names the model key, overriding name normalisation. */
        keyTag: z.string().min(1).default('modelgraph.key'),
      })
      .strict()
      .default({ keyTag: 'modelgraph.key' }),
    /** Subgraph URLs, for a gateway run on its own (`modelgraph serve --role gateway`). */
    subgraphs: z.partialRecord(z.enum(['inventory', 'mlflow']), httpUrl).optional(),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.sources.mlflow.forEach((instance, index) => {
      if (seen.has(instance.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sources', 'mlflow', index, 'name'],
          message: `duplicate instance name "${instance.name}"`,
        });
      }
      seen.add(instance.name);
    });
  });

export type ModelgraphConfig = z.infer<typeof configSchema>;
export type MlflowInstanceConfig = z.infer<typeof mlflowInstanceSchema>;
export type AuthConfig = z.infer<typeof authSchema>;

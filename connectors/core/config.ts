import { z } from 'zod';

/**
 * The settings every source instance has, whatever its product, as zod schemas: each
 * connector's own `config.ts` spreads {@link connectionOptions} into its instance schema,
 * and config/schema.ts assembles `sources` from the instance schemas (connectors/sources.ts).
 */

/** Instance names end up in ids, cache keys and error sources (`mlflow:<name>`). */
export const instanceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, "-" or "_" (at most 63)');

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const positiveInt = z.number().int().positive();

export const retrySchema = z
  .object({
    maxAttempts: positiveInt.max(10).optional(),
    baseDelayMs: positiveInt.optional(),
    maxDelayMs: positiveInt.optional(),
    budgetMs: positiveInt.optional(),
  })
  .strict();

export const breakerSchema = z
  .object({
    /** Consecutive failed calls that open the circuit. */
    failureThreshold: positiveInt.max(1000).optional(),
    /** Seconds an open circuit fails calls at once before one trial call. */
    resetSeconds: z.number().int().min(0).optional(),
    /**
     * Seconds a source-wide failure (unavailable, timed out, rate limited, credentials
     * refused, not JSON) is remembered across requests: calls fail at once meanwhile. Within
     * one request a failure is always remembered until the request ends. Default 5; 0: only
     * within the request.
     */
    rememberFailureSeconds: z.number().min(0).max(300).optional(),
  })
  .strict();

export const sourceCacheSchema = z
  .object({
    ttlSeconds: z.number().int().min(0).optional(),
    staleSeconds: z.number().int().min(0).optional(),
  })
  .strict();

/**
 * The instance's client-side rate limit. Every field defaults to the vendor's documented
 * limit (each kind's connectors/<kind>/limits.ts; the README's "Upstream rate limits" table);
 * a field written here replaces that default only. `enabled: false` turns the limiter off.
 */
export const rateLimitFields = {
  /** Sustained requests a second (a token bucket refilled at this rate). */
  requestsPerSecond: z.number().positive().optional(),
  /** Requests that may go at once after a quiet spell (the bucket's size). */
  burst: positiveInt.optional(),
  /** At most this many in any 60 s. */
  perMinute: positiveInt.optional(),
  /** At most this many in any hour. */
  perHour: positiveInt.optional(),
};

export const rateLimitSchema = z
  .object({ enabled: z.boolean().optional(), ...rateLimitFields })
  .strict();

export const connectionOptions = {
  timeoutMs: positiveInt.default(10_000),
  /** Requests in flight to the instance. Default: the vendor's (see connectors/<kind>/limits.ts). */
  maxConcurrency: positiveInt.max(256).optional(),
  retry: retrySchema.optional(),
  breaker: breakerSchema.optional(),
  cache: sourceCacheSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
};

/** The settings every source instance has, whatever its product. */
export type ConnectionConfig = z.infer<z.ZodObject<typeof connectionOptions>>;

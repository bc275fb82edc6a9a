import type { RateLimit } from './rate-limiter';

/**
 * What a vendor tolerates from one source instance, i.e. one credential (what the vendors
 * count): the defaults an instance runs with unless its `rateLimit` / `maxConcurrency` say
 * otherwise. Each kind declares its own, with the vendor's documentation quoted, in its
 * folder (`connectors/<kind>/limits.ts`); the README's "Upstream rate limits" table says the
 * same (a test holds them together). `rateLimit: {enabled: false}` turns the limiter off (a
 * GitHub Enterprise Server or self-managed GitLab with its limits off).
 */
export interface VendorLimits {
  /** The client-side limit; `{}` when the vendor publishes none. */
  rateLimit: Readonly<RateLimit>;
  /**
   * Requests in flight when `maxConcurrency` is not configured: enough to keep a page's
   * independent calls in one wave at the vendor's rate, no more than the vendor tolerates at once.
   */
  concurrency: number;
}

/** `maxConcurrency` as configured, else the vendor's default. */
export function resolveConcurrency(limits: VendorLimits, configured: number | undefined): number {
  return configured ?? limits.concurrency;
}

/** The instance's settings as config/schema.ts gives them. */
export interface RateLimitConfig extends RateLimit {
  /** Default true. */
  enabled?: boolean;
}

/**
 * The limit an instance runs with: the vendor's default with the instance's own fields over
 * it; undefined when it is turned off or nothing is left to limit.
 */
export function resolveRateLimit(defaults: Readonly<RateLimit>, config: RateLimitConfig | undefined): RateLimit | undefined {
  if (config?.enabled === false) return undefined;
  const own: RateLimit = {
    requestsPerSecond: config?.requestsPerSecond,
    burst: config?.burst,
    perMinute: config?.perMinute,
    perHour: config?.perHour,
  };
  const merged: RateLimit = { ...defaults, ...definedOnly(own) };
  return Object.values(merged).some((v) => v !== undefined) ? merged : undefined;
}

export function definedOnly(limit: RateLimit): RateLimit {
  return Object.fromEntries(Object.entries(limit).filter(([, v]) => v !== undefined)) as RateLimit;
}

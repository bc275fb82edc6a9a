import type { RateLimit } from '../core/rate-limiter';
import { definedOnly, type RateLimitConfig, type VendorLimits } from '../core/vendor-rate-limits';

/** What GitHub tolerates from one instance (one credential), from the vendor's documentation. */
export const GITHUB_LIMITS: VendorLimits = {
  // GitHub REST, "Rate limits for the REST API": primary 5,000 requests an hour per user
  // token; secondary "no more than 900 points per minute" per REST endpoint, a GET being 1
  // point. (Also "no more than 100 concurrent requests": `maxConcurrency` stays far below.)
  rateLimit: { perHour: 5_000, perMinute: 900 },
  // "No more than 100 concurrent requests are allowed" (secondary limit, REST and GraphQL
  // together, per user): a fifth of it, leaving the rest to the token's other clients.
  concurrency: 20,
};

/**
 * GitHub's GraphQL API, budgeted apart from REST ("Rate limits and query limits for the
 * GraphQL API"): 5,000 points an hour per user token, and a secondary limit of "no more than
 * 2,000 points per minute" for the GraphQL endpoint, where a query without mutations is 1
 * point. The queries modelgraph sends select no connection but a repository's topics (at most
 * 20), so each costs GitHub's minimum of 1 primary point: a request here is a point there.
 */
export const GITHUB_GRAPHQL_RATE_LIMIT: Readonly<RateLimit> = { perHour: 5_000, perMinute: 2_000 };

/**
 * The limit of a GitHub instance's GraphQL calls: {@link GITHUB_GRAPHQL_RATE_LIMIT} with the
 * instance's `rateLimit` over it, but for `perMinute`, which GitHub sets per endpoint (900 for
 * REST, 2,000 for GraphQL) and so stays GraphQL's own. Undefined when the limiter is off.
 */
export function resolveGithubGraphqlRateLimit(config: RateLimitConfig | undefined): RateLimit | undefined {
  if (config?.enabled === false) return undefined;
  const own: RateLimit = { requestsPerSecond: config?.requestsPerSecond, burst: config?.burst, perHour: config?.perHour };
  return { ...GITHUB_GRAPHQL_RATE_LIMIT, ...definedOnly(own) };
}

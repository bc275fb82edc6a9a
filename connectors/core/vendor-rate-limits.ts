import type { RateLimit } from './rate-limiter';
import type { SourceKind } from './source';

/**
 * modelgraph's default client-side limit per source kind, from each vendor's documented
 * limits (the README's "Upstream rate limits" table says the same, with the links). An
 * instance's `rateLimit` config overrides any field; `rateLimit: {enabled: false}` turns the
 * limiter off (a GitHub Enterprise Server or self-managed GitLab with its limits off).
 *
 * The limits are per source instance, i.e. per credential: what the vendors count.
 */
export const VENDOR_RATE_LIMITS: Readonly<Record<SourceKind, Readonly<RateLimit>>> = {
  // Self-hosted tracking servers publish no limit; Databricks-hosted ones answer 429 with
  // Retry-After, which pauses the limiter (see HttpClient). The 8 connections bound the rest.
  MLFLOW: {},
  // GitHub REST, "Rate limits for the REST API": primary 5,000 requests an hour per user
  // token; secondary "no more than 900 points per minute" per REST endpoint, a GET being 1
  // point. (Also "no more than 100 concurrent requests": `maxConcurrency` stays far below.)
  GITHUB: { perHour: 5_000, perMinute: 900 },
  // GitLab.com, "GitLab.com rate limits" (Current rate limits; announced in GitLab's blog
  // "Automation check-in and rate limit changes on GitLab.com", 2020-12-17): authenticated
  // API traffic 2,000 requests a minute per user.
  GITLAB: { perMinute: 2_000 },
  // Jira Cloud, "Rate limiting": API-token traffic is under the burst limits (a token bucket
  // per tenant and endpoint) whose values Atlassian does not publish; 10 a second is a
  // conservative steady rate. The X-RateLimit-* and Retry-After headers do the rest.
  JIRA: { requestsPerSecond: 10, burst: 10 },
  // Amazon SageMaker: control-plane calls are throttled per API, per account and region,
  // and AWS's documentation gives no figure for the Describe*, List* or Search operations
  // (a re:Post question about ListTags' limit found none either). So each operation gets
  // its own bucket (see the connector's `rateLimit.operations`) at a conservative 5 a
  // second, bursts of 10: raise it per operation where the account's quotas allow more.
  SAGEMAKER: { requestsPerSecond: 5, burst: 10 },
  // Vertex AI, "Vertex AI quotas and limits": 600 resource management (CRUD) requests a
  // minute per project and region.
  VERTEX_AI: { perMinute: 600 },
  // Azure Resource Manager, "Understand how Azure Resource Manager throttles requests":
  // subscription reads are a token bucket of 250 refilled at 25 a second, per subscription
  // and principal (the regional model Azure moved every subscription to from 2024).
  AZURE_ML: { requestsPerSecond: 25, burst: 250 },
  // Databricks Unity Catalog: the "Resource limits" page lists per-workspace API rates for
  // Jobs, DBFS, MLflow and others but none for Unity Catalog's model endpoints; an overloaded
  // workspace answers 429 REQUEST_LIMIT_EXCEEDED (with Retry-After, which pauses the limiter).
  // 20 a second, bursts of 40, is a conservative steady rate per workspace and principal.
  UNITY_CATALOG: { requestsPerSecond: 20, burst: 40 },
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
 * Requests in flight per source instance when `maxConcurrency` is not configured: enough to
 * keep a page's independent calls in one wave at the vendor's rate, no more than the vendor
 * tolerates at once.
 */
export const VENDOR_CONCURRENCY: Readonly<Record<SourceKind, number>> = {
  // `mlflow server` runs 4 gunicorn workers by default (`--workers`): a few more keeps them busy.
  MLFLOW: 8,
  // "No more than 100 concurrent requests are allowed" (secondary limit, REST and GraphQL
  // together, per user): a fifth of it, leaving the rest to the token's other clients.
  GITHUB: 20,
  // GitLab.com publishes requests per minute (2,000), not a concurrency limit; 16 in flight at
  // 25-100 ms each stays well within it.
  GITLAB: 16,
  // As many as the 10 a second the limiter lets through.
  JIRA: 10,
  // The per-operation limiter (5 a second) paces SageMaker; more sockets would only wait.
  SAGEMAKER: 8,
  // 600 a minute is 10 a second.
  VERTEX_AI: 10,
  // ARM reads refill at 25 a second from a bucket of 250.
  AZURE_ML: 16,
  // As many as half the limiter's second: listings are few, version reads one per model.
  UNITY_CATALOG: 10,
};

/** `maxConcurrency` as configured, else the vendor's default. */
export function resolveConcurrency(kind: SourceKind, configured: number | undefined): number {
  return configured ?? VENDOR_CONCURRENCY[kind];
}

/** The instance's settings as config/schema.ts gives them. */
export interface RateLimitConfig extends RateLimit {
  /** Default true. */
  enabled?: boolean;
}

/**
 * The limit an instance of `kind` runs with: the vendor default with the instance's own
 * fields over it; undefined when it is turned off or nothing is left to limit.
 */
export function resolveRateLimit(kind: SourceKind, config: RateLimitConfig | undefined): RateLimit | undefined {
  if (config?.enabled === false) return undefined;
  const own: RateLimit = {
    requestsPerSecond: config?.requestsPerSecond,
    burst: config?.burst,
    perMinute: config?.perMinute,
    perHour: config?.perHour,
  };
  const merged: RateLimit = { ...VENDOR_RATE_LIMITS[kind], ...definedOnly(own) };
  return Object.values(merged).some((v) => v !== undefined) ? merged : undefined;
}

function definedOnly(limit: RateLimit): RateLimit {
  return Object.fromEntries(Object.entries(limit).filter(([, v]) => v !== undefined)) as RateLimit;
}

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

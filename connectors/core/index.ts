// The public surface of the connector core: what every connector and the gateway import.
export { type SourceKind, type SourceRef, sourceName } from './source';
export { type LogLevel, type Logger, type CreateLoggerOptions, createLogger, silentLogger } from './logger';
export { ModelgraphError, SourceErrorCode, SourceError, type SourceErrorInit, codeForStatus, redact } from './errors';
export { Semaphore } from './concurrency';
export {
  type RequestScopeInit,
  type RequestLimit,
  RequestScope,
  RequestLimitError,
  isRequestLimitError,
  runInRequestScope,
  currentRequestScope,
  outsideRequestScope,
  untilRequestDeadline,
} from './request-scope';
export {
  type RetryOptions,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type ClassifiableResponse,
  type ResponseClassification,
  HttpClient,
  defaultParseErrorBody,
  parseRetryAfter,
  serializeParams,
} from './http-client';
export type { KeyValueCache } from './cache/types';
export { MemoryCache, type MemoryCacheOptions } from './cache/memory-cache';
export { RedisCache, createRedisClient, type RedisClientOptions } from './cache/redis-cache';
export { FailSafeCache } from './cache/fail-safe-cache';
export { SourceCache, type SourceCacheOptions, type CacheState, type CachedEntry } from './cache/source-cache';
// Shared pieces written alongside the connectors; re-exported whole so that they can grow without editing this file.
export * from './connector';
export * from './graph';
export * from './paginate';
export * from './link-pages';
export { backoffMs, requestForbidsRetry, retryPolicy, type RetryPolicy } from './retry-policy';
export * from './stable-json';
export { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
export { stripUrlCredentials } from './urls';
export * from './source-health';
export { SourceMetrics, statusClass, type UpstreamAttempt, type CacheLookupResult, type CacheLayer } from './source-metrics';
export { TRACER_NAME, ATTR_SOURCE, ATTR_SOURCE_KIND, ATTR_SOURCE_INSTANCE, startUpstreamSpan, injectTraceContext, endUpstreamSpan } from './tracing';
export { readRateLimitHeaders, type RateLimitHeaderNames, type ResetFormat } from './rate-limit';
export { RateLimiter, waitForSlot, LOW_REMAINING_FRACTION, type RateLimit, type Reservation, type SlotWaitOptions } from './rate-limiter';
export { resolveRateLimit, type RateLimitConfig, type VendorLimits } from './vendor-rate-limits';

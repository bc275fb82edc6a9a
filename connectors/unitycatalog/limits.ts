import type { VendorLimits } from '../core/vendor-rate-limits';

/** What Databricks Unity Catalog tolerates from one instance (one credential), from the vendor's documentation. */
export const UNITY_CATALOG_LIMITS: VendorLimits = {
  // Databricks Unity Catalog: the "Resource limits" page lists per-workspace API rates for
  // Jobs, DBFS, MLflow and others but none for Unity Catalog's model endpoints; an overloaded
  // workspace answers 429 REQUEST_LIMIT_EXCEEDED (with Retry-After, which pauses the limiter).
  // 20 a second, bursts of 40, is a conservative steady rate per workspace and principal.
  rateLimit: { requestsPerSecond: 20, burst: 40 },
  // As many as half the limiter's second: listings are few, version reads one per model.
  concurrency: 10,
};

import type { VendorLimits } from '../core/vendor-rate-limits';

/** What an MLflow tracking server tolerates from one instance (one credential), from the vendor's documentation. */
export const MLFLOW_LIMITS: VendorLimits = {
  // Self-hosted tracking servers publish no limit; Databricks-hosted ones answer 429 with
  // Retry-After, which pauses the limiter (see HttpClient). The 8 connections bound the rest.
  rateLimit: {},
  // `mlflow server` runs 4 gunicorn workers by default (`--workers`): a few more keeps them busy.
  concurrency: 8,
};

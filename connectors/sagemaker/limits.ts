import type { VendorLimits } from '../core/vendor-rate-limits';

/** What Amazon SageMaker tolerates from one instance (one credential), from the vendor's documentation. */
export const SAGEMAKER_LIMITS: VendorLimits = {
  // Amazon SageMaker: control-plane calls are throttled per API, per account and region,
  // and AWS's documentation gives no figure for the Describe*, List* or Search operations
  // (a re:Post question about ListTags' limit found none either). So each operation gets
  // its own bucket (see the connector's `rateLimit.operations`) at a conservative 5 a
  // second, bursts of 10: raise it per operation where the account's quotas allow more.
  rateLimit: { requestsPerSecond: 5, burst: 10 },
  // The per-operation limiter (5 a second) paces SageMaker; more sockets would only wait.
  concurrency: 8,
};

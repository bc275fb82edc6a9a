import type { VendorLimits } from '../core/vendor-rate-limits';

/** What Azure ML (Azure Resource Manager) tolerates from one instance (one credential), from the vendor's documentation. */
export const AZURE_ML_LIMITS: VendorLimits = {
  // Azure Resource Manager, "Understand how Azure Resource Manager throttles requests":
  // subscription reads are a token bucket of 250 refilled at 25 a second, per subscription
  // and principal (the regional model Azure moved every subscription to from 2024).
  rateLimit: { requestsPerSecond: 25, burst: 250 },
  // ARM reads refill at 25 a second from a bucket of 250.
  concurrency: 16,
};

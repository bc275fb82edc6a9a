import type { VendorLimits } from '../core/vendor-rate-limits';

/** What Jira tolerates from one instance (one credential), from the vendor's documentation. */
export const JIRA_LIMITS: VendorLimits = {
  // Jira Cloud, "Rate limiting": API-token traffic is under the burst limits (a token bucket
  // per tenant and endpoint) whose values Atlassian does not publish; 10 a second is a
  // conservative steady rate. The X-RateLimit-* and Retry-After headers do the rest.
  rateLimit: { requestsPerSecond: 10, burst: 10 },
  // As many as the 10 a second the limiter lets through.
  concurrency: 10,
};

import type { VendorLimits } from '../core/vendor-rate-limits';

/** What GitLab tolerates from one instance (one credential), from the vendor's documentation. */
export const GITLAB_LIMITS: VendorLimits = {
  // GitLab.com, "GitLab.com rate limits" (Current rate limits; announced in GitLab's blog
  // "Automation check-in and rate limit changes on GitLab.com", 2020-12-17): authenticated
  // API traffic 2,000 requests a minute per user.
  rateLimit: { perMinute: 2_000 },
  // GitLab.com publishes requests per minute (2,000), not a concurrency limit; 16 in flight at
  // 25-100 ms each stays well within it.
  concurrency: 16,
};

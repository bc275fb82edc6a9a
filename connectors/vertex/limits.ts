import type { VendorLimits } from '../core/vendor-rate-limits';

/** What Vertex AI tolerates from one instance (one credential), from the vendor's documentation. */
export const VERTEX_AI_LIMITS: VendorLimits = {
  // Vertex AI, "Vertex AI quotas and limits": 600 resource management (CRUD) requests a
  // minute per project and region.
  rateLimit: { perMinute: 600 },
  // 600 a minute is 10 a second.
  concurrency: 10,
};

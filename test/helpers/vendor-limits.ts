import type { RateLimit } from '../../connectors/core/rate-limiter';
import type { SourceKind } from '../../connectors/core/source';
import { SOURCE_MODULES } from '../../connectors/sources';

/** Every registered kind's default client-side limit, as its folder's `limits.ts` declares it. */
export const VENDOR_RATE_LIMITS = Object.fromEntries(SOURCE_MODULES.map((m) => [m.kind, m.health.rateLimit])) as Readonly<
  Record<SourceKind, Readonly<RateLimit>>
>;

/** Every registered kind's default `maxConcurrency`. */
export const VENDOR_CONCURRENCY = Object.fromEntries(SOURCE_MODULES.map((m) => [m.kind, m.health.concurrency])) as Readonly<
  Record<SourceKind, number>
>;

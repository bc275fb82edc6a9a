import type { RateLimitReading } from './source-health';

/**
 * Reading rate-limit headers, for the vendor parsers given to the HttpClient as
 * `parseRateLimit`. Vendors agree on the idea (a limit, what is left, when it resets) and
 * disagree on the names and on how the reset is written, so each passes its own.
 */

export interface RateLimitHeaderNames {
  /** Lower-cased, as the HttpClient hands headers over. */
  limit?: string;
  remaining?: string;
  reset?: string;
  resource?: string;
}

/** `epoch-seconds`: GitHub and GitLab; `iso`: Jira Cloud (`2025-06-01T12:30Z`). */
export type ResetFormat = 'epoch-seconds' | 'iso';

/** Undefined when the response carries none of the counters: nothing was reported. */
export function readRateLimitHeaders(
  headers: Readonly<Record<string, string>>,
  names: RateLimitHeaderNames,
  resetFormat: ResetFormat,
): RateLimitReading | undefined {
  const limit = names.limit ? integer(headers[names.limit]) : undefined;
  const remaining = names.remaining ? integer(headers[names.remaining]) : undefined;
  const resetAt = names.reset ? resetTime(headers[names.reset], resetFormat) : undefined;
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  const resource = names.resource ? headers[names.resource]?.trim() || undefined : undefined;
  return { limit, remaining, resetAt, resource };
}

function integer(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text && /^\d+$/.test(text) ? Number(text) : undefined;
}

function resetTime(value: string | undefined, format: ResetFormat): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  // Some proxies and older deployments write epoch seconds where ISO is documented.
  if (/^\d+$/.test(text)) return new Date(Number(text) * 1000).toISOString();
  if (format === 'epoch-seconds') return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Documented codes, surfaced as GraphQL `extensions.code`. */
export enum SourceErrorCode {
  /** Network error, 5xx, breaker open, retries exhausted. */
  SOURCE_UNAVAILABLE = 'SOURCE_UNAVAILABLE',
  /** The per-attempt timeout, the retry budget, or the GraphQL request's deadline ran out. */
  SOURCE_TIMEOUT = 'SOURCE_TIMEOUT',
  /**
   * 429 (or 403 with rate-limit headers, for GitHub) after retries, a Retry-After beyond the
   * budget, or the source's client-side rate limit whose next slot lies past the request
   * deadline or the budget (nothing was sent; `retryAfterMs` is the wait; see rate-limiter.ts).
   */
  SOURCE_RATE_LIMITED = 'SOURCE_RATE_LIMITED',
  /** 401: the configured credentials were refused. */
  SOURCE_UNAUTHENTICATED = 'SOURCE_UNAUTHENTICATED',
  /** 403: the credentials are valid but may not see this. */
  SOURCE_FORBIDDEN = 'SOURCE_FORBIDDEN',
  /** 404. */
  SOURCE_NOT_FOUND = 'SOURCE_NOT_FOUND',
  /** Any other 4xx: most likely a bug in the connector or a bad argument. */
  SOURCE_BAD_REQUEST = 'SOURCE_BAD_REQUEST',
  /** Unparseable or unexpected body (e.g. an SSO login page answered with 200). */
  SOURCE_BAD_RESPONSE = 'SOURCE_BAD_RESPONSE',
  /**
   * The GraphQL request's upstream call budget is spent: the call was not sent. Not a
   * failure of the source (the breaker and the source's health ignore it); ask for less
   * (fewer fields, smaller pages) or raise the budget. The request deadline, when reached,
   * is a SOURCE_TIMEOUT whose message says "the request deadline was reached", likewise
   * ignored by the breaker and the health.
   */
  REQUEST_BUDGET_EXCEEDED = 'REQUEST_BUDGET_EXCEEDED',
}

/**
 * The base of every error modelgraph raises for someone to read (a GraphQL client, an
 * operator at start-up, a CLI user): `code` says which kind it is, stably, so that callers
 * and tests tell errors apart by code rather than by class or message. Lives in core, the
 * layer every other one may import.
 */
export class ModelgraphError extends Error {
  override readonly name: string = 'ModelgraphError';
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export interface SourceErrorInit {
  /** 'mlflow:prod'. */
  source: string;
  code: SourceErrorCode;
  /** Prefixed with `<source>: ` when it does not start with it already. Must hold no secret. */
  message: string;
  /** The upstream's HTTP status, when there was a response. */
  status?: number;
  /** The vendor's own code, e.g. MLflow 'RESOURCE_DOES_NOT_EXIST'. */
  upstreamCode?: string;
  /** How long the upstream asked us to wait (Retry-After), in ms. */
  retryAfterMs?: number;
  /** How many attempts were made before giving up. */
  attempts?: number;
  /** Kept as a plain Error (name, message, code) only; see {@link SourceError}. */
  cause?: unknown;
}

/**
 * An upstream failure, carrying the source instance it came from.
 *
 * The message always starts with the source ("mlflow:prod: HTTP 503 TEMPORARILY_UNAVAILABLE:
 * ..."), so that whoever reads it in a GraphQL response or a log line knows which upstream
 * failed without any other context.
 *
 * `cause` is copied to a plain Error (name, message, code, with URL credentials and
 * Basic/Bearer values redacted) whatever is passed in: an AxiosError keeps its request
 * config, Authorization header included, and errors get logged and serialised in places
 * nobody audits.
 */
export class SourceError extends ModelgraphError {
  override readonly name = 'SourceError';
  readonly source: string;
  declare readonly code: SourceErrorCode;
  readonly status?: number;
  readonly upstreamCode?: string;
  readonly retryAfterMs?: number;
  readonly attempts?: number;

  constructor(init: SourceErrorInit) {
    const message = redact(
      init.message.startsWith(`${init.source}:`) ? init.message : `${init.source}: ${init.message}`,
      [],
    );
    super(init.code, message, init.cause === undefined ? undefined : { cause: plainCause(init.cause) });
    this.source = init.source;
    this.status = init.status;
    this.upstreamCode = init.upstreamCode;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts;
  }

  /** What logs and `JSON.stringify` see: every field but the stack and the cause. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      source: this.source,
      code: this.code,
      status: this.status,
      upstreamCode: this.upstreamCode,
      retryAfterMs: this.retryAfterMs,
      attempts: this.attempts,
    };
  }
}

function plainCause(cause: unknown): Error {
  if (cause instanceof SourceError) return cause;
  const err = new Error(redact(cause instanceof Error ? cause.message : String(cause), []));
  if (cause instanceof Error) {
    err.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') (err as Error & { code?: unknown }).code = code;
  }
  return err;
}

/** The documented code for a non-2xx upstream status. */
export function codeForStatus(status: number): SourceErrorCode {
  if (status === 401) return SourceErrorCode.SOURCE_UNAUTHENTICATED;
  if (status === 403) return SourceErrorCode.SOURCE_FORBIDDEN;
  if (status === 404) return SourceErrorCode.SOURCE_NOT_FOUND;
  if (status === 429) return SourceErrorCode.SOURCE_RATE_LIMITED;
  if (status >= 400 && status < 500) return SourceErrorCode.SOURCE_BAD_REQUEST;
  if (status >= 500) return SourceErrorCode.SOURCE_UNAVAILABLE;
  // 1xx/2xx/3xx reaching error handling means the upstream answered something we did not expect.
  return SourceErrorCode.SOURCE_BAD_RESPONSE;
}

const REDACTED = '[REDACTED]';

/** `scheme://user:pass@host` and `scheme://token@host`. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
/** A Basic credential is base64 of `user:pass`; only values that decode to that shape are touched, so prose like "Basic authentication" survives. */
const BASIC = /\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})/g;
/** Eight characters or more, so that "Bearer token missing" survives. */
const BEARER = /\bBearer\s+[A-Za-z0-9+/=._~-]{8,}/g;

/**
 * Replaces every occurrence of each secret (and its URL-encoded and base64 forms), every
 * Basic or Bearer credential, and `user:pass@` in URLs, by '[REDACTED]'.
 *
 * Applied to everything that leaves the HTTP client (messages, causes, logs) because
 * upstreams echo what they were sent ("invalid token abc...") and errors quote URLs.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(BASIC, (match, b64: string) =>
      Buffer.from(b64, 'base64').toString('utf8').includes(':') ? `Basic ${REDACTED}` : match,
    )
    .replace(BEARER, `Bearer ${REDACTED}`);
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(Buffer.from(secret, 'utf8').toString('base64'));
  }
  // Longest first, so that a secret containing another is replaced whole.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    out = out.split(form).join(REDACTED);
  }
  return out;
}

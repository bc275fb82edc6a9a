import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
import { Semaphore } from './concurrency';
import { FailureMemo, type RememberedFailure } from './failure-memo';
import { SourceError, SourceErrorCode, codeForStatus, redact } from './errors';
import { silentLogger, type Logger } from './logger';
import {
  currentRequestScope,
  isRequestLimitError,
  untilRequestDeadline,
  type RequestLimitError,
  type RequestScope,
} from './request-scope';
import { waitForSlot, type RateLimiter } from './rate-limiter';
import { CIRCUIT_OPEN, circuitState, type RateLimitReading, type SourceHealthRecorder } from './source-health';
import { backoffMs, requestForbidsRetry, retryPolicy, type RetryOptions } from './retry-policy';
import { endUpstreamSpan, injectTraceContext, startUpstreamSpan } from './tracing';
import { escapeRegExp } from './regexp';

export type { RetryOptions } from './retry-policy';

export interface HttpClientOptions {
  /** 'mlflow:prod': the first word of every error message and a field of every log line. */
  source: string;
  /** Every request path is resolved against it. */
  baseURL: string;
  /** Sent with every request, e.g. Authorization. Values of secret-looking headers are redacted automatically. Default: none. */
  headers?: Record<string, string>;
  /** Further values to redact from every message and log (tokens, passwords). Default: none. */
  secrets?: readonly string[];
  /** Per attempt, from sending to the end of the body; also capped by what is left of `retry.budgetMs`. Default: 10000. */
  timeoutMs?: number;
  /** Requests in flight at once for this client, i.e. per source instance. Default: 8. */
  maxConcurrency?: number;
  /** Default: see {@link RetryOptions}. */
  retry?: RetryOptions;
  /** Receives one warn line per retry. Default: {@link silentLogger}. */
  logger?: Logger;
  /**
   * Vendor error-body parser: returns the vendor's code and message from a non-2xx body
   * (JSON-parsed when it parses, the raw text otherwise).
   * Default: {@link defaultParseErrorBody}, which knows the common shapes.
   */
  parseErrorBody?: (status: number, body: unknown) => { upstreamCode?: string; message?: string };
  /**
   * Response fields the vendor documents as int64 ids that can pass 2^53 (Databricks'
   * workspace ids): their digits are read as strings, since `JSON.parse` would round them
   * to the nearest double. Default: none.
   */
  int64Fields?: readonly string[];
  /** For tests: the sleeping function. Default: a `setTimeout` promise. */
  sleep?: (ms: number) => Promise<void>;
  /** For tests: the clock (budget and HTTP-date Retry-After). Default: `Date.now`. */
  now?: () => number;
  /** For tests: the jitter source, in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** When to stop calling a source that keeps failing; see {@link CircuitBreaker}. */
  breaker?: Omit<CircuitBreakerOptions, 'now'>;
  /**
   * How long a source-wide failure is remembered across requests, in ms (within one request
   * it is remembered until the request ends); see {@link FailureMemo}. Default: 0 (the
   * config's default, `breaker.rememberFailureSeconds`, is 5 s).
   */
  rememberFailureMs?: number;
  /**
   * Vendor knowledge of which error responses are worth another attempt, how long to wait
   * first, and which code the error gets when no retry happens. Called for every non-2xx,
   * non-304 response; `undefined` (or a throw) leaves the response to the default rules.
   * GitHub needs it: its rate limits answer 403 as often as 429, and name the wait in
   * `x-ratelimit-reset` rather than `Retry-After`.
   * A classified retry still counts against `retry.maxAttempts` and `retry.budgetMs`.
   * Default: none — 429/502/503/504 are retried after Retry-After or a backoff, and the
   * code follows the status ({@link codeForStatus}).
   */
  classifyResponse?: (response: ClassifiableResponse, nowMs: number) => ResponseClassification | undefined;
  /**
   * Where every attempt's outcome, latency, status and error code is recorded, with the
   * breaker's state and the rate-limit headers `parseRateLimit` finds. Default: none.
   */
  health?: SourceHealthRecorder;
  /**
   * Vendor knowledge of where a response states the rate limit left; called for every
   * response (errors included: a 403/429 is when it matters most). `undefined` (or a throw)
   * records nothing. Default: none — the upstream reports no rate limit.
   */
  parseRateLimit?: (headers: Readonly<Record<string, string>>) => RateLimitReading | undefined;
  /**
   * The source instance's client-side rate limit: every attempt, retries included, waits for
   * its slot before it is sent (and fails with SOURCE_RATE_LIMITED, sending nothing, when the
   * slot lies past the request deadline or the retry budget). What `parseRateLimit` reads
   * and every Retry-After of a 429 slow it further. Built by plumbing.ts from the vendor's
   * defaults and the instance's `rateLimit` config; give it the same clock as this client.
   * Default: none, no client-side limit.
   */
  rateLimiter?: RateLimiter;
}

/** What {@link HttpClientOptions.classifyResponse} is shown of an error response. */
export interface ClassifiableResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Readonly<Record<string, string>>;
  /** The JSON-parsed body, or the raw text when it is not JSON. */
  body: unknown;
}

/** A vendor's verdict on one error response; see {@link HttpClientOptions.classifyResponse}. */
export interface ResponseClassification {
  /** Whether another attempt may succeed. */
  retryable: boolean;
  /**
   * How long to wait before the next attempt, in ms; also the error's `retryAfterMs` when
   * the wait does not fit the budget. Default: Retry-After, else the jittered backoff.
   */
  delayMs?: number;
  /** The code of the error thrown when there is no (further) retry. Default: {@link codeForStatus}. */
  code?: SourceErrorCode;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /**
   * Resolved against `baseURL`. An absolute URL (a pagination link) is used as it is and
   * gets the client's headers, Authorization included: only pass links the upstream gave.
   */
  path: string;
  /** Arrays are sent as repeated keys (`a=1&a=2`); undefined values are left out. */
  params?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * The route template, as the vendor documents the endpoint (`/repos/{owner}/{repo}/commits/{ref}`):
   * the metrics label and span name of the call, so it must hold no id. Default: `other`.
   */
  route?: string;
  /**
   * The caller renews refused credentials and asks once more (an OAuth token revoked or past
   * its time): a 401 is then not remembered as the source's failure, so that the second
   * call, with the new token, is sent. Default: false.
   */
  credentialsRenewable?: boolean;
  /** Whether a retry is safe. Default: true for GET/HEAD/PUT/DELETE, false otherwise (read-only POST searches pass true). */
  idempotent?: boolean;
  /**
   * The limiter this call waits for, observes and pauses, instead of the client's: for an
   * endpoint the vendor budgets apart from the rest (GitHub's GraphQL API has its own points
   * and its own per-minute limit beside REST's). Default: the client's {@link HttpClientOptions.rateLimiter}.
   */
  rateLimiter?: RateLimiter;
}

export interface HttpResponse<T> {
  status: number;
  /** The JSON-parsed body; undefined when the body is empty (204, 304, HEAD). */
  data: T;
  /** Lower-cased names; repeated headers joined with ', '. */
  headers: Record<string, string>;
}

const IDEMPOTENT_METHODS = new Set<HttpRequest['method']>(['GET', 'HEAD', 'PUT', 'DELETE']);
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/**
 * Transport failures worth another attempt. DNS failures (ENOTFOUND) and TLS errors are
 * not: they are configuration problems that a retry only makes slower to report.
 */
const RETRY_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
]);
const SECRET_HEADER = /authorization|token|api[-_]?key|cookie|secret|password/i;
const MAX_VENDOR_MESSAGE = 500;

/** What the metrics and spans of one attempt are labelled with. */
interface AttemptLabels {
  route: string;
  method: string;
  attempt: number;
}

type Attempt =
  | { kind: 'response'; response: AxiosResponse<string>; latencyMs: number }
  /** `cutByDeadline`: the request deadline, not the source's timeout, bounded this attempt. */
  | { kind: 'error'; error: unknown; timedOut: boolean; timeoutMs: number; latencyMs: number; cutByDeadline: boolean }
  /** The budget ran out while waiting for a connection slot; nothing was sent. */
  | { kind: 'expired' }
  /** The GraphQL request's call budget or deadline refused the attempt; nothing was sent. */
  | { kind: 'refused'; error: RequestLimitError }
  /** The source failed elsewhere in this request while this call waited; nothing was sent. */
  | { kind: 'remembered'; error: RememberedFailure }
  /** Another call of this request is retrying the source: nothing was sent, its verdict comes first. */
  | { kind: 'wait' };

/**
 * The HTTP client every connector is given: retries with backoff for idempotent calls,
 * a per-source concurrency limit, a total time budget, and failures turned into
 * {@link SourceError}s that hold no secret.
 *
 * One instance per source instance, created at start-up: it owns keep-alive agents, so
 * that the TLS handshake to an upstream is paid once rather than per call.
 */
export class HttpClient {
  readonly source: string;
  private readonly http: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** Set by close(): nothing more is sent. */
  private closed = false;
  private readonly semaphore: Semaphore;
  private readonly secrets: readonly string[];
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly retry: Required<RetryOptions>;
  private readonly parseErrorBody: NonNullable<HttpClientOptions['parseErrorBody']>;
  private readonly int64Pattern: RegExp | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly breaker: CircuitBreaker;
  private readonly failures: FailureMemo;
  private readonly classifyResponse: HttpClientOptions['classifyResponse'];
  private readonly health: SourceHealthRecorder | undefined;
  private readonly parseRateLimit: HttpClientOptions['parseRateLimit'];
  private readonly rateLimiter: RateLimiter | undefined;
  private readonly server: { address: string; port?: number };

  constructor(options: HttpClientOptions) {
    if (!options.source) throw new Error('HttpClient: `source` is required');
    try {
      new URL(options.baseURL);
    } catch {
      // Quote nothing of the URL: it may hold credentials.
      throw new Error(`${options.source}: baseURL is not an absolute URL`);
    }
    this.source = options.source;
    this.timeoutMs = positive(options.timeoutMs ?? 10_000, 'timeoutMs', options.source);
    this.retry = retryPolicy(options.retry);
    positive(this.retry.budgetMs, 'retry.budgetMs', options.source);
    this.semaphore = new Semaphore(options.maxConcurrency ?? 8);
    this.secrets = [...(options.secrets ?? []), ...secretsInHeaders(options.headers)];
    this.logger = (options.logger ?? silentLogger).child({ source: options.source });
    this.parseErrorBody = options.parseErrorBody ?? defaultParseErrorBody;
    this.int64Pattern = int64FieldPattern(options.int64Fields);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.breaker = new CircuitBreaker(options.source, {
      ...options.breaker,
      now: this.now,
      // Operators need to see a source going dark and coming back, not every fast failure between.
      onStateChange: ({ from, to }) => this.logger.warn('upstream circuit breaker changed state', { source: this.source, from, to }),
    });
    this.failures = new FailureMemo(options.source, { rememberMs: options.rememberFailureMs, now: this.now });
    this.classifyResponse = options.classifyResponse;
    this.health = options.health;
    this.parseRateLimit = options.parseRateLimit;
    this.rateLimiter = options.rateLimiter;
    this.health?.attachCircuit(() => circuitState(this.breaker.status));
    const base = new URL(options.baseURL);
    this.server = { address: base.hostname, port: base.port ? Number(base.port) : base.protocol === 'https:' ? 443 : 80 };

    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true });
    this.http = axios.create({
      baseURL: options.baseURL,
      timeout: this.timeoutMs,
      headers: { Accept: 'application/json', 'User-Agent': 'modelgraph', ...options.headers },
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // Every status is a response here; the retry loop decides what is an error.
      validateStatus: () => true,
      paramsSerializer: { serialize: (params) => serializeParams(params as HttpRequest['params']) },
      // Parsed here rather than by axios, which silently hands back a string when a
      // "JSON" body is an HTML login page.
      responseType: 'text',
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
    });
  }

  /**
   * Throws {@link SourceError} for a non-2xx status (304 is returned) and for transport
   * failures; at once, without a network call, while the source's circuit is open.
   *
   * Within a {@link RequestScope}, every attempt (retries included) is charged to the scope
   * just before it is sent, and none is sent once the scope's budget is spent
   * (REQUEST_BUDGET_EXCEEDED) or its deadline reached (SOURCE_TIMEOUT); an attempt's timeout
   * is also capped by what is left before the deadline, and no retry waits past it. Such
   * refusals and cuts are the request's doing: neither the breaker nor the health counts them.
   */
  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    // Background work still running at shutdown (an index build's last page) sends nothing more.
    if (this.closed) {
      throw new SourceError({ source: this.source, code: SourceErrorCode.SOURCE_UNAVAILABLE, message: 'closed: the process is shutting down' });
    }
    const scope = currentRequestScope();
    // A source that just failed is not asked again: each asking would wait out the budget.
    const remembered = this.failures.recall(scope);
    if (remembered) throw remembered;
    let sent = false;
    const call = {};
    try {
      const response = await this.breaker.run(() => {
        sent = true;
        return this.send<T>(req, call);
      });
      this.failures.noteSuccess();
      return response;
    } catch (err) {
      // Once sent, every attempt has recorded itself; a refusal by the breaker has not.
      if (!sent) {
        this.health?.recordCall({
          ok: false,
          error: { code: CIRCUIT_OPEN, message: messageOf(err) },
          route: req.route ?? 'other',
          method: req.method,
        });
      }
      const renewing = req.credentialsRenewable && err instanceof SourceError && err.code === SourceErrorCode.SOURCE_UNAUTHENTICATED;
      if (!renewing) this.failures.noteFailure(err, scope);
      throw err;
    } finally {
      this.failures.noteSettled(scope, call);
    }
  }

  private async send<T>(req: HttpRequest, call: object): Promise<HttpResponse<T>> {
    const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(req.method);
    const maxAttempts = idempotent ? this.retry.maxAttempts : 1;
    const secrets = req.headers ? [...this.secrets, ...secretsInHeaders(req.headers)] : this.secrets;
    const deadline = this.now() + this.retry.budgetMs;
    const scope = currentRequestScope();

    // The latest end of a limiter pause this call set and then slept out before a retry.
    let pauseServed: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const labels: AttemptLabels = { route: req.route ?? 'other', method: req.method, attempt };
      const outcome = await this.inSlot(scope, () => this.attempt(req, labels, deadline, scope, call, pauseServed));

      if (outcome.kind === 'wait') {
        // Out of the connection slot, which the retrying call may need.
        await untilRequestDeadline(this.source, 'waiting for a retrying call', () => this.failures.untilRetryingCallSettles(scope, call));
        attempt--;
        continue;
      }

      // Not recorded: the request's limit, or a failure already recorded, stopped it.
      if (outcome.kind === 'refused' || outcome.kind === 'remembered') throw outcome.error;

      if (outcome.kind === 'expired') {
        const expired = new SourceError({
          source: this.source,
          code: SourceErrorCode.SOURCE_TIMEOUT,
          message: `the ${this.retry.budgetMs} ms budget ran out while waiting for a connection slot${attempt > 1 ? ` (after ${attempt - 1} attempts)` : ''}`,
          attempts: attempt - 1,
        });
        throw this.recorded(labels, undefined, expired);
      }

      if (outcome.kind === 'response') {
        const res = outcome.response;
        this.noteRateLimit(res, req.rateLimiter ?? this.rateLimiter);
        if ((res.status >= 200 && res.status < 300) || res.status === 304) {
          let result: HttpResponse<T>;
          try {
            result = this.success<T>(res, secrets);
          } catch (err) {
            throw this.recorded(labels, outcome.latencyMs, err as SourceError);
          }
          this.health?.recordCall({ ok: true, latencyMs: outcome.latencyMs, status: res.status, ...labels });
          return result;
        }
        const verdict = this.classify(res);
        const retryAfterMs = verdict?.delayMs ?? parseRetryAfter(headerValue(res, 'retry-after'), this.now());
        // The vendor's wait holds for every call of the source, not only this one's retry.
        const rateLimited = res.status === 429 || verdict?.code === SourceErrorCode.SOURCE_RATE_LIMITED;
        const pauseEnd = rateLimited && retryAfterMs !== undefined ? this.now() + retryAfterMs : undefined;
        if (pauseEnd !== undefined) (req.rateLimiter ?? this.rateLimiter)?.pauseUntil(pauseEnd);
        const retryable = verdict ? verdict.retryable : RETRY_STATUSES.has(res.status);
        let noRetry: string | undefined;
        if (retryable && attempt < maxAttempts) {
          const delayMs = retryAfterMs ?? this.backoff(attempt);
          noRetry = this.whyNoRetry(delayMs, deadline, scope);
          if (noRetry === undefined) {
            if (this.health) {
              this.recorded(labels, outcome.latencyMs, this.statusError(res, secrets, { attempts: attempt, code: verdict?.code }));
            }
            this.logRetry(req, secrets, { status: res.status, attempt, delayMs });
            await this.sleep(delayMs);
            if (pauseEnd !== undefined) pauseServed = Math.max(pauseServed ?? -Infinity, pauseEnd);
            continue;
          }
        }
        throw this.recorded(
          labels,
          outcome.latencyMs,
          this.statusError(res, secrets, { attempts: attempt, retryAfterMs, noRetry, code: verdict?.code }),
        );
      }

      // The source was not given its whole timeout: no verdict on it, whatever the caller sees.
      if (outcome.timedOut && outcome.cutByDeadline && scope) {
        throw scope.deadlineError(this.source, `after ${outcome.timeoutMs} ms without an answer`, attempt);
      }

      const transient = outcome.timedOut || isTransient(outcome.error);
      let noRetry: string | undefined;
      if (transient && attempt < maxAttempts) {
        const delayMs = this.backoff(attempt);
        noRetry = this.whyNoRetry(delayMs, deadline, scope);
        if (noRetry === undefined) {
          if (this.health) this.recorded(labels, outcome.latencyMs, this.transportError(outcome, secrets, attempt, undefined));
          this.logRetry(req, secrets, { error: errorCode(outcome.error, outcome.timedOut), attempt, delayMs });
          await this.sleep(delayMs);
          continue;
        }
      }
      throw this.recorded(labels, outcome.latencyMs, this.transportError(outcome, secrets, attempt, noRetry));
    }
  }

  /**
   * Runs an attempt in a connection slot. A request deadline reached while still queued for
   * one refuses the call then, rather than when a slot frees (a whole timeout later, if the
   * calls ahead hang).
   */
  private async inSlot(scope: RequestScope | undefined, attempt: () => Promise<Attempt>): Promise<Attempt> {
    const left = scope?.remainingMs();
    if (!scope || left === undefined) return this.semaphore.run(attempt);
    const waited = scope.deadlineError(this.source, 'while waiting for a connection slot');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(waited), left);
    try {
      return await this.semaphore.run(attempt, controller.signal);
    } catch (err) {
      if (err === waited) return { kind: 'refused', error: waited };
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Why a retry after `delayMs` cannot be made (the note the final error carries), or
   * undefined when it can. A retry the request cannot afford ends the call with the
   * upstream's own error: that, not the budget, is what went wrong.
   */
  private whyNoRetry(delayMs: number, deadline: number, scope: RequestScope | undefined): string | undefined {
    if (delayMs >= deadline - this.now()) return `a retry in ${delayMs} ms would exceed the ${this.retry.budgetMs} ms budget`;
    return requestForbidsRetry(delayMs, scope, this.failures);
  }

  /** GET and return the parsed body. `route`: see {@link HttpRequest.route}. */
  async get<T>(path: string, params?: HttpRequest['params'], opts?: { route?: string }): Promise<T> {
    return (await this.request<T>({ method: 'GET', path, params, route: opts?.route })).data;
  }

  /** POST JSON and return the parsed body. Not retried unless `idempotent` (read-only searches). */
  async post<T>(path: string, body: unknown, opts?: { idempotent?: boolean; route?: string }): Promise<T> {
    return (await this.request<T>({ method: 'POST', path, body, idempotent: opts?.idempotent, route: opts?.route })).data;
  }

  /** Closes the keep-alive sockets, so that a process (or a test) can exit at once. */
  close(): void {
    this.closed = true;
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async attempt(
    req: HttpRequest,
    labels: AttemptLabels,
    deadline: number,
    scope: RequestScope | undefined,
    call: object,
    pauseServed: number | undefined,
  ): Promise<Attempt> {
    // Read once the connection slot is ours: the wait for it may have used the time up.
    if (scope?.expired()) return { kind: 'refused', error: scope.deadlineError(this.source) };
    // A call already failing for this request decides for it: no attempt of ours meanwhile.
    if (this.failures.anotherCallRetrying(scope, call)) return { kind: 'wait' };
    const remembered = this.failures.recallInRequest(scope);
    if (remembered) return { kind: 'remembered', error: remembered };
    if (deadline - this.now() <= 0) return { kind: 'expired' };
    const rateLimiter = req.rateLimiter ?? this.rateLimiter;
    if (rateLimiter) {
      // Inside the connection slot: at most `maxConcurrency` calls hold a reservation, so
      // the limiter's queue stays short and a fresh header reading paces the calls behind
      // it. The slot costs nobody else anything meanwhile: every call of the source waits
      // for the same limiter.
      try {
        await waitForSlot(rateLimiter, {
          source: this.source,
          budgetLeftMs: deadline - this.now(),
          budgetMs: this.retry.budgetMs,
          sleep: this.sleep,
          health: this.health,
          pauseServed,
        });
      } catch (err) {
        if (isRequestLimitError(err)) return { kind: 'refused', error: err };
        throw err;
      }
      if (scope?.expired()) return { kind: 'refused', error: scope.deadlineError(this.source, 'while waiting for the rate limit') };
    }
    const remaining = deadline - this.now();
    if (remaining <= 0) return { kind: 'expired' };
    try {
      scope?.charge(this.source);
    } catch (err) {
      if (isRequestLimitError(err)) return { kind: 'refused', error: err };
      throw err;
    }
    const deadlineLeft = scope?.remainingMs() ?? Infinity;
    const cutByDeadline = deadlineLeft < Math.min(this.timeoutMs, remaining);
    const timeoutMs = Math.max(1, Math.min(this.timeoutMs, remaining, deadlineLeft));
    // axios' own `timeout` is a socket idle timeout: a body that trickles in never trips
    // it. This timer bounds the whole attempt.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const span = startUpstreamSpan({ source: this.source, ...labels, serverAddress: this.server.address, serverPort: this.server.port });
    let headers = req.headers;
    if (span.isRecording()) {
      headers = { ...req.headers };
      injectTraceContext(span, headers);
    }
    const started = this.now();
    try {
      const response = await this.http.request<string>({
        method: req.method,
        url: req.path,
        params: req.params,
        data: req.body,
        headers,
        timeout: timeoutMs,
        signal: controller.signal,
      });
      endUpstreamSpan(span, { status: response.status });
      // Still in the connection slot: the request's other calls see the failure before they can send.
      if (!((response.status >= 200 && response.status < 300) || response.status === 304)) this.failures.noteRetrying(scope, call);
      return { kind: 'response', response, latencyMs: this.now() - started };
    } catch (error) {
      endUpstreamSpan(span, { errorType: errorCode(error, timedOut || isAxiosTimeout(error)) });
      this.failures.noteRetrying(scope, call);
      return {
        kind: 'error',
        error,
        timedOut: timedOut || isAxiosTimeout(error),
        timeoutMs,
        latencyMs: this.now() - started,
        cutByDeadline,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The vendor's verdict on an error response, if it has one; a throwing classifier has none. */
  private classify(res: AxiosResponse<string>): ResponseClassification | undefined {
    if (!this.classifyResponse) return undefined;
    try {
      const verdict = this.classifyResponse(
        { status: res.status, headers: plainHeaders(res), body: parseLenient(res.data) },
        this.now(),
      );
      if (!verdict) return undefined;
      const delayMs = verdict.delayMs;
      // A negative or non-numeric wait is a classifier bug: fall back to the default wait.
      return delayMs === undefined || (Number.isFinite(delayMs) && delayMs >= 0)
        ? verdict
        : { retryable: verdict.retryable, code: verdict.code };
    } catch {
      return undefined;
    }
  }

  /**
   * Records a failed attempt and hands the error back, to be thrown. No latency when nothing
   * was sent (no connection slot within the budget): the source is unusable all the same.
   */
  private recorded(labels: AttemptLabels, latencyMs: number | undefined, error: SourceError): SourceError {
    // A 404 is an answer (no CODEOWNERS at this path, no such model): the source is healthy.
    if (error.code === SourceErrorCode.SOURCE_NOT_FOUND) {
      this.health?.recordCall({ ok: true, latencyMs, status: error.status, ...labels });
      return error;
    }
    this.health?.recordCall({ ok: false, latencyMs, status: error.status, error: { code: error.code, message: error.message }, ...labels });
    return error;
  }

  /** What the vendor says of its budget goes to the source's health and paces the limiter. */
  private noteRateLimit(res: AxiosResponse<string>, rateLimiter: RateLimiter | undefined): void {
    if ((!this.health && !rateLimiter) || !this.parseRateLimit) return;
    let reading: RateLimitReading | undefined;
    try {
      reading = this.parseRateLimit(plainHeaders(res));
    } catch {
      // A parser that chokes on an odd header must not fail the request.
      return;
    }
    if (!reading) return;
    this.health?.recordRateLimit(reading);
    rateLimiter?.observe(reading);
  }

  /** The wait after attempt number `attempt` (1-based) failed. */
  private backoff(attempt: number): number {
    return backoffMs(this.retry, attempt - 1, this.random);
  }

  private logRetry(
    req: HttpRequest,
    secrets: readonly string[],
    fields: { status?: number; error?: string; attempt: number; delayMs: number },
  ): void {
    // The path without its query string: query values can be credentials (GitLab's
    // private_token, Google's key) and headers are never logged.
    this.logger.warn('retrying upstream request', {
      source: this.source,
      // Ties the retry to the request's own log line (absent for background refreshes).
      requestId: currentRequestScope()?.requestId,
      method: req.method,
      path: redact(req.path.split('?')[0] ?? '', secrets),
      ...fields,
    });
  }

  private success<T>(res: AxiosResponse<string>, secrets: readonly string[]): HttpResponse<T> {
    const headers = plainHeaders(res);
    const text = typeof res.data === 'string' ? res.data : '';
    if (text.trim() === '') return { status: res.status, data: undefined as T, headers };
    try {
      const exact = this.int64Pattern ? text.replace(this.int64Pattern, '$1"$2"') : text;
      return { status: res.status, data: JSON.parse(exact) as T, headers };
    } catch (err) {
      throw new SourceError({
        source: this.source,
        code: SourceErrorCode.SOURCE_BAD_RESPONSE,
        message: `HTTP ${res.status} with a body that is not JSON (content-type ${headers['content-type'] ?? 'none'})`,
        status: res.status,
        cause: new Error(redact((err as Error).message, secrets)),
      });
    }
  }

  private statusError(
    res: AxiosResponse<string>,
    secrets: readonly string[],
    info: { attempts: number; retryAfterMs?: number; noRetry?: string; code?: SourceErrorCode },
  ): SourceError {
    const body = parseLenient(res.data);
    let parsed: { upstreamCode?: string; message?: string } = {};
    try {
      parsed = this.parseErrorBody(res.status, body) ?? {};
    } catch {
      // A parser that chokes on an odd body must not hide the upstream's status.
    }
    const upstreamCode = parsed.upstreamCode ? redact(parsed.upstreamCode, secrets) : undefined;
    const vendorMessage = truncate(parsed.message || res.statusText || http.STATUS_CODES[res.status] || 'request failed');
    const notes: string[] = [];
    if (info.attempts > 1) notes.push(`after ${info.attempts} attempts`);
    if (info.noRetry !== undefined) notes.push(info.noRetry);
    return new SourceError({
      source: this.source,
      code: info.code ?? codeForStatus(res.status),
      message: redact(
        `HTTP ${res.status}${upstreamCode ? ` ${upstreamCode}` : ''}: ${vendorMessage}${notes.length ? ` (${notes.join('; ')})` : ''}`,
        secrets,
      ),
      status: res.status,
      upstreamCode,
      retryAfterMs: info.retryAfterMs,
      attempts: info.attempts,
    });
  }

  private transportError(
    outcome: Extract<Attempt, { kind: 'error' }>,
    secrets: readonly string[],
    attempts: number,
    noRetry: string | undefined,
  ): SourceError {
    const code = errorCode(outcome.error, outcome.timedOut);
    const what = outcome.timedOut ? `no response within ${outcome.timeoutMs} ms` : `network error (${code})`;
    const notes: string[] = [];
    if (attempts > 1) notes.push(`after ${attempts} attempts`);
    if (noRetry !== undefined) notes.push(noRetry);
    const cause = new Error(
      redact(outcome.timedOut ? what : ((outcome.error as Error | undefined)?.message ?? String(outcome.error)), secrets),
    );
    (cause as Error & { code?: string }).code = code;
    return new SourceError({
      source: this.source,
      code: outcome.timedOut ? SourceErrorCode.SOURCE_TIMEOUT : SourceErrorCode.SOURCE_UNAVAILABLE,
      message: redact(`${what}${notes.length ? ` (${notes.join('; ')})` : ''}`, secrets),
      attempts,
      cause,
    });
  }
}

/**
 * Repeated keys for arrays (`a=1&a=2`), as MLflow, Jira and GitHub expect, rather than
 * axios' default `a[]=1&a[]=2`.
 */
export function serializeParams(params: HttpRequest['params']): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.append(key, String(value));
  }
  return search.toString();
}

/** Retry-After in ms, from delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Finds the vendor's code and message in the error bodies of the upstreams modelgraph
 * talks to: MLflow/Databricks `{error_code, message}`, GitHub/GitLab `{message}` or
 * `{error}`, Jira `{errorMessages: []}`, Google/Azure `{error: {code|status, message}}`.
 * HTML error pages (proxies, load balancers) yield nothing, so the HTTP status text is used.
 */
/**
 * Matches `"<field>": <integer of 16 or more digits>` for the given fields, capturing the
 * key part and the digits. An escaped key inside a string value (`\"field\": 1`) does not
 * match: its closing quote is preceded by a backslash, not by the field's last letter.
 */
export function int64FieldPattern(fields: readonly string[] | undefined): RegExp | undefined {
  if (!fields || fields.length === 0) return undefined;
  const names = fields.map(escapeRegExp).join('|');
  return new RegExp(`("(?:${names})"\\s*:\\s*)(-?\\d{16,})(?=\\s*[,}\\]])`, 'g');
}

export function defaultParseErrorBody(_status: number, body: unknown): { upstreamCode?: string; message?: string } {
  if (typeof body === 'string') {
    const text = body.trim();
    return text && !text.startsWith('<') ? { message: text } : {};
  }
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  const nested = b.error && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : undefined;
  const jira = Array.isArray(b.errorMessages) ? b.errorMessages.filter(nonEmpty).join('; ') : undefined;
  return {
    upstreamCode: str(b.error_code) ?? str(nested?.status) ?? str(nested?.code) ?? str(b.code),
    message: str(b.message) ?? str(nested?.message) ?? (jira || undefined) ?? str(b.error) ?? str(b.error_description),
  };
}

function str(value: unknown): string | undefined {
  return nonEmpty(value) ? value : undefined;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function parseLenient(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function truncate(text: string): string {
  return text.length > MAX_VENDOR_MESSAGE ? `${text.slice(0, MAX_VENDOR_MESSAGE)}…` : text;
}

function positive(value: number, name: string, source: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${source}: ${name} must be a positive number, got ${value}`);
  return value;
}

/** The values of secret-looking headers, and the credential inside them, for redaction. */
function secretsInHeaders(headers: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!SECRET_HEADER.test(name) || !value) continue;
    out.push(value);
    const scheme = /^(\S+)\s+(\S+)$/.exec(value.trim());
    if (!scheme) continue;
    const credential = scheme[2] as string;
    out.push(credential);
    if (scheme[1]?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      out.push(decoded);
      if (colon >= 0 && colon < decoded.length - 1) out.push(decoded.slice(colon + 1));
    }
  }
  return out;
}

function headerValue(res: AxiosResponse, name: string): string | undefined {
  const value: unknown = (res.headers as Record<string, unknown>)[name];
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function plainHeaders(res: AxiosResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers ?? {})) {
    if (value === undefined || value === null || typeof value === 'function') continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAxiosTimeout(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (e?.code === 'ETIMEDOUT' || e?.code === 'ECONNABORTED') && /timeout/i.test(String(e.message));
}

function isTransient(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (typeof e?.code === 'string' && RETRY_ERROR_CODES.has(e.code)) || /socket hang up/i.test(String(e?.message));
}

function errorCode(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'ETIMEDOUT';
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

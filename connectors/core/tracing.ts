import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { parseSourceName } from './source-health';

/**
 * Client spans for upstream calls, through the OpenTelemetry API only: the process decides
 * whether an SDK is registered (cli/tracing.ts). Without one, every span here is the API's
 * non-recording span and injection a no-op, so tracing off costs a few property reads.
 */

/** The instrumentation scope every modelgraph span is created under. */
export const TRACER_NAME = 'modelgraph';

/** modelgraph's own span attributes, beside OpenTelemetry's semantic conventions. */
export const ATTR_SOURCE = 'modelgraph.source';
export const ATTR_SOURCE_KIND = 'modelgraph.source.kind';
export const ATTR_SOURCE_INSTANCE = 'modelgraph.source.instance';

// The API's proxy tracer: it follows whichever provider is registered, before or after this loads.
const tracer = trace.getTracer(TRACER_NAME);

export interface UpstreamSpanStart {
  /** `mlflow:prod` */
  source: string;
  method: string;
  /** The route template or SDK operation: the span's name and `url.template`, never a path with ids. */
  route: string;
  /** 1 for the first attempt; later ones carry `http.request.resend_count`. */
  attempt: number;
  serverAddress?: string;
  serverPort?: number;
}

/**
 * Starts the CLIENT span of one upstream attempt (OpenTelemetry's HTTP conventions: one span
 * per request sent, retries counted in `http.request.resend_count`) as a child of whatever
 * span is active, and returns it with the context to inject into the request's headers.
 */
export function startUpstreamSpan(start: UpstreamSpanStart): Span {
  const span = tracer.startSpan(`${start.method} ${start.route}`, { kind: SpanKind.CLIENT });
  if (!span.isRecording()) return span;
  const parsed = parseSourceName(start.source);
  span.setAttributes({
    'http.request.method': start.method,
    'url.template': start.route,
    [ATTR_SOURCE]: start.source,
    ...(parsed ? { [ATTR_SOURCE_KIND]: parsed.kind, [ATTR_SOURCE_INSTANCE]: parsed.instance } : {}),
    ...(start.serverAddress ? { 'server.address': start.serverAddress } : {}),
    ...(start.serverPort ? { 'server.port': start.serverPort } : {}),
    ...(start.attempt > 1 ? { 'http.request.resend_count': start.attempt - 1 } : {}),
  });
  return span;
}

/** Writes `traceparent` (and `tracestate`) for `span` into `headers`; nothing when no propagator is registered. */
export function injectTraceContext(span: Span, headers: Record<string, string>): void {
  if (!span.isRecording()) return;
  propagation.inject(trace.setSpan(context.active(), span), headers);
}

/** Ends an upstream span with its status, or the failure's type (`error.type`, an error code, never a message). */
export function endUpstreamSpan(span: Span, outcome: { status?: number; errorType?: string }): void {
  if (!span.isRecording()) {
    span.end();
    return;
  }
  if (outcome.status !== undefined) span.setAttribute('http.response.status_code', outcome.status);
  const failed = outcome.errorType !== undefined || (outcome.status !== undefined && outcome.status >= 400 && outcome.status !== 404);
  if (failed) {
    span.setAttribute('error.type', outcome.errorType ?? String(outcome.status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

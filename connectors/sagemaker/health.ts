import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SourceError } from '../core/errors';
import { CIRCUIT_OPEN, type SourceHealthRecorder } from '../core/source-health';
import { endUpstreamSpan, startUpstreamSpan } from '../core/tracing';

export interface SdkCallRecording {
  recorder: SourceHealthRecorder;
  /**
   * The name of the middleware that runs the circuit breaker: refusals come out of it
   * without any attempt below, so they are recorded just above it.
   */
  guard: string;
  /** How the connector turns whatever the SDK throws into a SourceError (code, redacted message). */
  toError: (err: unknown, operation: string | undefined) => SourceError;
  /** The clock latencies are measured with. Default: `Date.now`. */
  now?: () => number;
}

/**
 * Records every SageMaker call in the source's health (and so its metrics), and traces each
 * attempt with a client span, as the HttpClient does for the other sources; the SDK
 * operation (`DescribeEndpoint`) is the route. No `traceparent` is sent: the request is
 * SigV4-signed, and AWS traces with its own `X-Amzn-Trace-Id`. One middleware per attempt, below the SDK's retry middleware (in the deserialize
 * step, so that it times the HTTP exchange and the parse, not the backoff waits); one per
 * call above the breaker, for what never reached an attempt (an open circuit, credentials the
 * default chain could not find).
 */
export function recordSdkCalls(client: SageMakerClient, options: SdkCallRecording): void {
  const { recorder, toError } = options;
  const now = options.now ?? Date.now;
  // Keyed by the per-call handler context, which every middleware of one `send` shares
  // (the connector leaves the SDK's `cacheMiddleware` off, so no two calls share one).
  const attempts = new WeakMap<object, number>();

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const attempt = (attempts.get(context) ?? 0) + 1;
      attempts.set(context, attempt);
      const labels = { route: operation(context.commandName) ?? 'other', method: 'POST', attempt };
      const span = startUpstreamSpan({ source: recorder.source, ...labels, serverAddress: hostOf(args) });
      const started = now();
      try {
        const result = await next(args);
        const status = (result.output as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
        recorder.recordCall({ ok: true, latencyMs: now() - started, status, ...labels });
        endUpstreamSpan(span, { status });
        return result;
      } catch (err) {
        const error = toError(err, operation(context.commandName));
        recorder.recordCall({
          ok: false,
          latencyMs: now() - started,
          status: error.status,
          error: { code: error.code, message: error.message },
          ...labels,
        });
        endUpstreamSpan(span, { status: error.status, errorType: error.status === undefined ? error.code : undefined });
        throw err;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'modelgraphHealthAttempt' },
  );

  // Written generic: `addRelativeTo` takes a middleware of any step, so it types nothing itself.
  const perCall =
    <A, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
    async (args: A): Promise<R> => {
      attempts.set(context, 0);
      try {
        return await next(args);
      } catch (err) {
        if (!attempts.get(context)) {
          const refused = err instanceof SourceError && err.upstreamCode === CIRCUIT_OPEN && err.attempts === 0;
          const error = toError(err, operation(context.commandName));
          recorder.recordCall({
            ok: false,
            error: { code: refused ? CIRCUIT_OPEN : error.code, message: error.message },
            route: operation(context.commandName) ?? 'other',
            method: 'POST',
          });
        }
        throw err;
      } finally {
        attempts.delete(context);
      }
    };
  client.middlewareStack.addRelativeTo(perCall, { relation: 'before', toMiddleware: options.guard, name: 'modelgraphHealthCall' });
}

/** The host the signed request goes to, from the SDK's HttpRequest in the deserialize step. */
function hostOf(args: unknown): string | undefined {
  const host = (args as { request?: { hostname?: unknown } }).request?.hostname;
  return typeof host === 'string' ? host : undefined;
}

function operation(commandName: string | undefined): string | undefined {
  return commandName?.replace(/Command$/, '');
}

import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SourceError } from '../core/errors';
import { CIRCUIT_OPEN, type SourceHealthRecorder } from '../core/source-health';

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
 * Records every SageMaker call in the source's health, as the HttpClient does for the other
 * sources: one middleware per attempt, below the SDK's retry middleware (in the deserialize
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
      attempts.set(context, (attempts.get(context) ?? 0) + 1);
      const started = now();
      try {
        const result = await next(args);
        const status = (result.output as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
        recorder.recordCall({ ok: true, latencyMs: now() - started, status });
        return result;
      } catch (err) {
        const error = toError(err, operation(context.commandName));
        recorder.recordCall({
          ok: false,
          latencyMs: now() - started,
          status: error.status,
          error: { code: error.code, message: error.message },
        });
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
          recorder.recordCall({ ok: false, error: { code: refused ? CIRCUIT_OPEN : error.code, message: error.message } });
        }
        throw err;
      } finally {
        attempts.delete(context);
      }
    };
  client.middlewareStack.addRelativeTo(perCall, { relation: 'before', toMiddleware: options.guard, name: 'modelgraphHealthCall' });
}

function operation(commandName: string | undefined): string | undefined {
  return commandName?.replace(/Command$/, '');
}

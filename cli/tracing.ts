import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * OpenTelemetry tracing for a `modelgraph serve` process: the standard Node SDK, configured
 * by the standard `OTEL_*` variables (exporter, endpoint, headers, sampler, resource), and
 * off unless they ask for traces. The code only ever talks to `@opentelemetry/api`
 * (connectors/core/tracing.ts, Apollo Gateway's own spans); without this SDK every span is
 * a no-op.
 */

export interface Tracing {
  /** Flushes the spans still buffered and stops the exporter; call once, on the way out. */
  shutdown(): Promise<void>;
}

/**
 * Whether the environment asks for traces: an OTLP endpoint, or an exporter other than
 * `none` in OTEL_TRACES_EXPORTER; never with OTEL_SDK_DISABLED=true.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.includes('none')) return false;
  return exporters.length > 0 || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the SDK when the environment asks for traces; undefined otherwise. `role` names the
 * service (`modelgraph-gateway`, `modelgraph-mlflow`...) unless OTEL_SERVICE_NAME does.
 */
export function startTracing(role: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!tracingRequested(env)) return undefined;
  const sdk = new NodeSDK({
    // The SDK's resource detectors read OTEL_SERVICE_NAME; an explicit name would override it.
    serviceName: env.OTEL_SERVICE_NAME ? undefined : `modelgraph-${role}`,
    // Traces only: metrics are Prometheus' (/metrics), and OTEL_METRICS_EXPORTER or
    // OTEL_LOGS_EXPORTER left unset would otherwise start OTLP exporters for them too.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

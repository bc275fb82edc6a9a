import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLScalarType, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { TRACER_NAME } from '../../connectors/core/tracing';

const tracer = trace.getTracer(TRACER_NAME);

/**
 * A span per call of the resolvers a subgraph writes (the ones that do work: load, batch,
 * map), active while it runs, so that the upstream calls it makes nest under it. Trivial
 * property reads have no resolver of their own and get no span; entity references
 * (`__resolveReference`, one per representation) are left to the request's own span.
 *
 * When the request is not traced (no SDK, or not sampled) a wrapped resolver costs one
 * lookup of the active span before calling the original.
 */
export function withResolverSpans<TContext>(resolvers: GraphQLResolverMap<TContext>): GraphQLResolverMap<TContext> {
  const out: Record<string, unknown> = {};
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (!fields || typeof fields !== 'object' || fields instanceof GraphQLScalarType) {
      out[typeName] = fields;
      continue;
    }
    const wrapped: Record<string, unknown> = {};
    for (const [fieldName, resolver] of Object.entries(fields as Record<string, unknown>)) {
      wrapped[fieldName] =
        typeof resolver === 'function' && !fieldName.startsWith('__')
          ? traced(typeName, fieldName, resolver as (...args: unknown[]) => unknown)
          : resolver;
    }
    out[typeName] = wrapped;
  }
  return out as GraphQLResolverMap<TContext>;
}

function traced(typeName: string, fieldName: string, resolve: (...args: unknown[]) => unknown) {
  const name = `resolve ${typeName}.${fieldName}`;
  return function (this: unknown, ...args: unknown[]): unknown {
    if (!trace.getSpan(context.active())?.isRecording()) return resolve.apply(this, args);
    const info = args[3] as GraphQLResolveInfo | undefined;
    return tracer.startActiveSpan(name, (span) => {
      span.setAttributes({
        'graphql.field.name': fieldName,
        'graphql.parent.type': typeName,
        ...(info ? { 'graphql.field.path': responsePathAsArray(info.path).join('.') } : {}),
      });
      try {
        const result = resolve.apply(this, args);
        if (result instanceof Promise) {
          return result.then(
            (value) => {
              span.end();
              return value;
            },
            (err: unknown) => {
              fail(span, err);
              throw err;
            },
          );
        }
        span.end();
        return result;
      } catch (err) {
        fail(span, err);
        throw err;
      }
    });
  };
}

/** Marks the span failed with the error's code (a SourceError's, a GraphQLError's), never its message. */
function fail(span: Span, err: unknown): void {
  const e = err as { code?: unknown; extensions?: { code?: unknown } } | undefined;
  const code = e?.extensions?.code ?? e?.code;
  span.setAttribute('error.type', typeof code === 'string' ? code : err instanceof Error ? err.name : 'Error');
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

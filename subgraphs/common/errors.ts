import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { SourceError } from '../../connectors/core/errors';

/** Extensions an upstream failure carries in a GraphQL response. */
export interface SourceErrorExtensions {
  code: string;
  /** `<kind>:<instance>`, e.g. `mlflow:prod`. */
  source: string;
  status?: number;
  upstreamCode?: string;
  retryAfterMs?: number;
}

export function sourceErrorExtensions(err: SourceError): SourceErrorExtensions {
  return {
    code: err.code,
    source: err.source,
    ...(err.status !== undefined ? { status: err.status } : {}),
    ...(err.upstreamCode ? { upstreamCode: err.upstreamCode } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
  };
}

export function formatSourceError(err: SourceError, path?: ReadonlyArray<string | number>): GraphQLFormattedError {
  return { message: err.message, ...(path ? { path } : {}), extensions: { ...sourceErrorExtensions(err) } };
}

/**
 * Apollo Server `formatError`: a resolver that threw a SourceError reports it with the
 * documented code and the source named, whatever Apollo's default code would have been.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof SourceError) {
    return { ...formatted, message: original.message, extensions: { ...formatted.extensions, ...sourceErrorExtensions(original) } };
  }
  return formatted;
}

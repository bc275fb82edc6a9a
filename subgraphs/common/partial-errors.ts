import type { ApolloServerPlugin } from '@apollo/server';
import type { SourceError } from '../../connectors/core/errors';
import { formatSourceError } from './errors';

/** Per-request collector of sources that failed while the field still had an answer. */
export interface PartialErrorsContext {
  partialErrors: PartialErrors;
}

/**
 * A list field fed by several sources (say two MLflow instances) can answer with what the
 * healthy sources returned; the failed ones must still be reported, or the client would take
 * a shorter list for the whole truth. They are collected here and appended to the response's
 * `errors` by {@link partialErrorsPlugin}.
 */
export class PartialErrors {
  private readonly bySource = new Map<string, { error: SourceError; path?: ReadonlyArray<string | number> }>();

  add(error: SourceError, path?: ReadonlyArray<string | number>): void {
    // One error per source is enough to say it failed; hundreds (one per entity) are noise.
    if (!this.bySource.has(error.source)) this.bySource.set(error.source, { error, path });
  }

  get size(): number {
    return this.bySource.size;
  }

  formatted() {
    return [...this.bySource.values()].map(({ error, path }) => formatSourceError(error, path));
  }
}

export function partialErrorsPlugin<TContext extends PartialErrorsContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || contextValue.partialErrors.size === 0) return;
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...contextValue.partialErrors.formatted()];
        },
      };
    },
  };
}

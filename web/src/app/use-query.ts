import { useEffect, useState } from 'react';
import { graphql, type GraphQLErrorEntry } from './api';

export interface QueryState<T> {
  loading: boolean;
  data?: T;
  /** GraphQL errors beside the data: a source down, a refused field. */
  errors: GraphQLErrorEntry[];
  /** The request itself failed (network, auth): nothing to show. */
  failure?: Error;
}

/** Runs `query` whenever `variables` change (compared as JSON), cancelling the previous request. */
export function useQuery<T>(query: string, variables: Record<string, unknown> = {}, options: { skip?: boolean; reload?: number } = {}): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ loading: !options.skip, errors: [] });
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (options.skip) {
      setState({ loading: false, errors: [] });
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    graphql<T>(query, JSON.parse(key) as Record<string, unknown>, controller.signal).then(
      (answer) => setState({ loading: false, data: answer.data, errors: answer.errors }),
      (err: Error) => {
        if (!controller.signal.aborted) setState({ loading: false, errors: [], failure: err });
      },
    );
    return () => controller.abort();
  }, [query, key, options.skip, options.reload]);
  return state;
}

import { useEffect, useState } from 'react';
import { graphql, type GraphQLErrorEntry } from './api';

export interface QueryState<T> {
  /** True from the render whose variables changed until their answer is in. */
  loading: boolean;
  /** The latest answer's data: while `loading`, that of the previous variables. */
  data?: T;
  /** GraphQL errors beside the data: a source down, a refused field. */
  errors: GraphQLErrorEntry[];
  /** The request itself failed (network, auth): nothing to show. */
  failure?: Error;
}

interface Answered<T> {
  key: string;
  data?: T;
  errors: GraphQLErrorEntry[];
  failure?: Error;
}

/** Runs `query` whenever `variables` change (compared as JSON), cancelling the previous request. */
export function useQuery<T>(query: string, variables: Record<string, unknown> = {}, options: { skip?: boolean; reload?: number } = {}): QueryState<T> {
  const key = `${options.reload ?? 0}:${JSON.stringify(variables)}`;
  const [answered, setAnswered] = useState<Answered<T> | undefined>();
  useEffect(() => {
    if (options.skip) return;
    const controller = new AbortController();
    graphql<T>(query, JSON.parse(key.slice(key.indexOf(':') + 1)) as Record<string, unknown>, controller.signal).then(
      (answer) => setAnswered({ key, data: answer.data, errors: answer.errors }),
      (err: Error) => {
        if (!controller.signal.aborted) setAnswered({ key, errors: [], failure: err });
      },
    );
    return () => controller.abort();
  }, [query, key, options.skip]);
  if (options.skip) return { loading: false, errors: [] };
  return {
    loading: answered?.key !== key,
    data: answered?.data,
    errors: answered?.key === key ? answered.errors : [],
    failure: answered?.key === key ? answered.failure : undefined,
  };
}

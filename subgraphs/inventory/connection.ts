/**
 * One page of a sorted list as a GraphQL connection. Cursors carry a position (a sort
 * value and a key), not an offset: the page starts at the first item after the cursor's
 * position, so items added or removed between pages neither repeat nor skip the rest.
 */
export interface Connection<N> {
  edges: Array<{ cursor: string; node: N }>;
  nodes: N[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export function sliceConnection<T, N>(
  sorted: readonly T[],
  args: { first: number; after?: string | null },
  /** Whether an item sorts after the `after` cursor's position; unused without a cursor. */
  isAfterCursor: (item: T) => boolean,
  edge: (item: T) => { cursor: string; node: N },
): Connection<N> {
  let start = 0;
  if (args.after) {
    start = sorted.findIndex(isAfterCursor);
    if (start === -1) start = sorted.length;
  }
  const edges = sorted.slice(start, start + args.first).map(edge);
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: start + edges.length < sorted.length,
      endCursor: edges.length ? edges[edges.length - 1]!.cursor : (args.after ?? null),
    },
    totalCount: sorted.length,
  };
}

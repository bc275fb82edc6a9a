import { OwnershipIndex, type GraphQuery } from '../../subgraphs/inventory/ownership';

type Page = { models: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: unknown[] } };

function fakeGraph(pages: Page[]) {
  const calls: Array<Record<string, unknown>> = [];
  const query = (async (_q: string, variables: Record<string, unknown>) => {
    calls.push(variables);
    return pages[calls.length - 1];
  }) as GraphQuery;
  return { query, calls };
}

const owner = (id: string) => ({ person: { id } });

describe('OwnershipIndex', () => {
  const pages: Page[] = [
    {
      models: {
        pageInfo: { hasNextPage: true, endCursor: 'c1' },
        nodes: [
          { key: 'a', codeOwners: [owner('ana@acme.io'), { person: null }, owner('ana@acme.io')] },
          { key: 'b', codeOwners: null },
        ],
      },
    },
    { models: { pageInfo: { hasNextPage: false, endCursor: 'c2' }, nodes: [{ key: 'c', codeOwners: [owner('ana@acme.io'), owner('bo@acme.io')] }] } },
  ];

  it('follows every page of the inventory and reverses the owners', async () => {
    const graph = fakeGraph(pages);
    const index = new OwnershipIndex(() => graph.query, 60_000);
    expect(await index.modelsOwnedBy('ana@acme.io')).toEqual(['a', 'c']);
    expect(await index.modelsOwnedBy('bo@acme.io')).toEqual(['c']);
    expect(await index.modelsOwnedBy('nobody@acme.io')).toEqual([]);
    expect(graph.calls).toEqual([
      { first: 500, after: null },
      { first: 500, after: 'c1' },
    ]);
  });

  it('is kept for its TTL and built once for concurrent callers', async () => {
    let now = 0;
    const graph = fakeGraph([...pages, ...pages]);
    const index = new OwnershipIndex(() => graph.query, 1000, () => now);
    await Promise.all([index.modelsOwnedBy('ana@acme.io'), index.modelsOwnedBy('bo@acme.io')]);
    expect(graph.calls).toHaveLength(2);
    now = 999;
    await index.modelsOwnedBy('ana@acme.io');
    expect(graph.calls).toHaveLength(2);
    now = 1000;
    await index.modelsOwnedBy('ana@acme.io');
    expect(graph.calls).toHaveLength(4);
  });

  it('fails rather than answer "owns nothing" when the graph cannot be asked', async () => {
    await expect(new OwnershipIndex(() => undefined, 1000).modelsOwnedBy('a@x.io')).rejects.toMatchObject({
      extensions: { code: 'NOT_CONFIGURED' },
    });
    const failing = (async () => {
      throw new Error('git:cloud down');
    }) as GraphQuery;
    const index = new OwnershipIndex(() => failing, 1000);
    await expect(index.modelsOwnedBy('a@x.io')).rejects.toThrow('git:cloud down');
  });
});

describe('httpGraphQuery', () => {
  it('refuses a partial answer, naming the failed source', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          data: { models: { nodes: [] } },
          errors: [{ message: 'git:cloud: HTTP 503', extensions: { code: 'SOURCE_UNAVAILABLE', source: 'git:cloud' } }],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as import('node:net').AddressInfo;
    try {
      const { httpGraphQuery } = await import('../../subgraphs/inventory/ownership');
      await expect(httpGraphQuery(`http://127.0.0.1:${port}/graphql`)('{ x }', {})).rejects.toMatchObject({
        message: 'the inventory could not walk the graph: git:cloud: HTTP 503',
        extensions: { code: 'SOURCE_UNAVAILABLE', source: 'git:cloud' },
      });
    } finally {
      server.close();
    }
  });
});

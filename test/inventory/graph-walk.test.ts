import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { RequestScope, runInRequestScope } from '../../connectors/core/request-scope';
import { httpGraphQuery, requireGraph, TtlValue, walkModels, type GraphQuery, type ModelsPage } from '../../subgraphs/inventory/graph-walk';

// ---- walkModels -------------------------------------------------------------------------------

describe('walkModels', () => {
  function pagedGraph(pages: Array<ModelsPage<{ key: string }>>) {
    const calls: Array<{ document: string; variables: Record<string, unknown> }> = [];
    const query = (async (document: string, variables: Record<string, unknown>) => {
      calls.push({ document, variables });
      const page = pages[calls.length - 1];
      if (!page) throw new Error(`asked for page ${calls.length}, there are ${pages.length}`);
      return page;
    }) as GraphQuery;
    return { query, calls };
  }

  const page = (keys: string[], hasNextPage: boolean, endCursor: string | null): ModelsPage<{ key: string }> => ({
    models: { pageInfo: { hasNextPage, endCursor }, nodes: keys.map((key) => ({ key })) },
  });

  it('follows endCursor until hasNextPage is false, keeping the order', async () => {
    const graph = pagedGraph([page(['a', 'b'], true, 'c1'), page(['c'], true, 'c2'), page(['d', 'e'], false, 'c3')]);
    const nodes = await walkModels<{ key: string }>(graph.query, 'query Q { models { nodes { key } } }');
    expect(nodes.map((n) => n.key)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(graph.calls.map((c) => c.variables)).toEqual([
      { first: 500, after: null },
      { first: 500, after: 'c1' },
      { first: 500, after: 'c2' },
    ]);
    expect(graph.calls.every((c) => c.document === 'query Q { models { nodes { key } } }')).toBe(true);
  });

  it('fails rather than stop early or loop: more pages without a cursor, or the same cursor again', async () => {
    await expect(walkModels(pagedGraph([page(['a'], true, null)]).query, 'q')).rejects.toThrow(/gave no new cursor/);
    await expect(walkModels(pagedGraph([page(['a'], true, 'c1'), page(['b'], true, 'c1')]).query, 'q')).rejects.toThrow(
      /page after c1 gave no new cursor/,
    );
  });

  it('asks once when the first page is the last', async () => {
    const graph = pagedGraph([page(['a'], false, 'c1')]);
    expect(await walkModels(graph.query, 'q')).toEqual([{ key: 'a' }]);
    expect(graph.calls).toHaveLength(1);
  });

  it('answers no models for an empty inventory', async () => {
    const graph = pagedGraph([page([], false, null)]);
    expect(await walkModels(graph.query, 'q')).toEqual([]);
    expect(graph.calls).toHaveLength(1);
  });

  it('carries on through an empty page that says there is more', async () => {
    const graph = pagedGraph([page(['a'], true, 'c1'), page([], true, 'c2'), page(['b'], false, null)]);
    expect((await walkModels<{ key: string }>(graph.query, 'q')).map((n) => n.key)).toEqual(['a', 'b']);
    expect(graph.calls).toHaveLength(3);
  });

  it('fails when a page fails', async () => {
    let n = 0;
    const query = (async () => {
      n++;
      if (n === 2) throw new Error('page 2 failed');
      return page(['a'], true, `c${n}`);
    }) as GraphQuery;
    await expect(walkModels(query, 'q')).rejects.toThrow('page 2 failed');
    expect(n).toBe(2);
  });
});

describe('walkModels, pages side by side', () => {
  /**
   * A sorted inventory served as the inventory does: cursors are positions (`@<key>`), a page
   * starts after its cursor's key. `mutate` runs once the page starts are known (the keys
   * walk), as a registry changing mid-walk would.
   */
  function inventory(initial: string[], options: { mutate?: (keys: string[]) => void } = {}) {
    let keys = [...initial].sort();
    let mutated = false;
    let inFlight = 0;
    let maxInFlight = 0;
    const documents: string[] = [];
    const query = (async (document: string, variables: Record<string, unknown>) => {
      documents.push(document);
      const isStarts = document.includes('InventoryPageStarts');
      if (!isStarts && !mutated && options.mutate) {
        options.mutate(keys);
        keys = [...keys].sort();
        mutated = true;
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      const after = variables.after as string | null;
      const from = after ? keys.findIndex((k) => k > after.slice(1)) : 0;
      const slice = from === -1 ? [] : keys.slice(from, from + (variables.first as number));
      const endCursor = slice.length ? `@${slice.at(-1)}` : after;
      const hasNextPage = from !== -1 && from + slice.length < keys.length;
      return isStarts
        ? { models: { pageInfo: { hasNextPage, endCursor }, edges: slice.map((key) => ({ cursor: `@${key}`, node: { key } })) } }
        : { models: { pageInfo: { hasNextPage, endCursor }, nodes: slice.map((key) => ({ key })) } };
    }) as GraphQuery;
    return { query, documents, maxInFlight: () => maxInFlight };
  }

  const keys = (n: number) => Array.from({ length: n }, (_, i) => `m${String(i).padStart(5, '0')}`);
  const walk = async (graph: ReturnType<typeof inventory>, pageSize: number, concurrency: number) =>
    (await walkModels<{ key: string }>(graph.query, 'query Facts { models { nodes { key } } }', pageSize, concurrency)).map((n) => n.key);

  it('reads the same nodes in the same order as one page at a time, at most `concurrency` pages at once', async () => {
    for (const n of [0, 1, 199, 200, 201, 1234]) {
      const graph = inventory(keys(n));
      expect(await walk(graph, 200, 3)).toEqual(keys(n));
      expect(graph.maxInFlight()).toBeLessThanOrEqual(3);
      // The keys walk (500 a page) and one query per page of 200.
      const facts = graph.documents.filter((d) => d.includes('Facts')).length;
      expect(facts).toBe(Math.max(1, Math.ceil(n / 200)));
    }
    const big = inventory(keys(1234));
    await walk(big, 200, 3);
    expect(big.maxInFlight()).toBe(3);
  });

  it('neither loses nor repeats a model when models are added or removed after the page starts are known', async () => {
    const initial = keys(1000);
    const graph = inventory(initial, {
      mutate: (k) => {
        // Into the first page, 30 of them (past its `first`), and removing page 3's end key.
        for (let i = 0; i < 30; i++) k.push(`m00001-new-${i}`);
        k.splice(k.indexOf('m00599'), 1);
      },
    });
    const walked = await walk(graph, 200, 4);
    const expected = [...initial.filter((k) => k !== 'm00599'), ...Array.from({ length: 30 }, (_, i) => `m00001-new-${i}`)].sort();
    expect(walked).toEqual(expected);
  });
});

// ---- requireGraph -------------------------------------------------------------------------------

describe('requireGraph', () => {
  it('returns the configured graph', () => {
    const query = (async () => ({})) as GraphQuery;
    expect(requireGraph(() => query, 'x')).toBe(query);
  });

  it('throws NOT_CONFIGURED naming what needs it', () => {
    let thrown: unknown;
    try {
      requireGraph(() => undefined, 'the ownership index');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GraphQLError);
    expect((thrown as GraphQLError).message).toBe('the ownership index needs the graph: set inventory.graphUrl in the configuration');
    expect((thrown as GraphQLError).extensions).toEqual({ code: 'NOT_CONFIGURED' });
  });
});

// ---- TtlValue ---------------------------------------------------------------------------------

describe('TtlValue', () => {
  function counter(options: { failFirst?: number; delayMs?: number } = {}) {
    let builds = 0;
    const build = async () => {
      builds++;
      const n = builds;
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (n <= (options.failFirst ?? 0)) throw new Error(`build ${n} failed`);
      return `value-${n}`;
    };
    return {
      build,
      get builds() {
        return builds;
      },
    };
  }

  it('builds on the first get and keeps the value for the TTL', async () => {
    let now = 10_000;
    const c = counter();
    const value = new TtlValue(c.build, 1_000, () => now);
    expect(c.builds).toBe(0);
    expect(await value.get()).toBe('value-1');
    now = 10_999;
    expect(await value.get()).toBe('value-1');
    expect(c.builds).toBe(1);
  });

  it('rebuilds once the TTL has passed, counting from when the build finished', async () => {
    let now = 0;
    const c = counter();
    const value = new TtlValue(c.build, 1_000, () => now);
    await value.get();
    now = 1_000;
    expect(await value.get()).toBe('value-2');
    now = 1_999;
    expect(await value.get()).toBe('value-2');
    now = 2_000;
    expect(await value.get()).toBe('value-3');
    expect(c.builds).toBe(3);
  });

  it('dates the value at the end of a slow build', async () => {
    let now = 0;
    let release!: () => void;
    let builds = 0;
    const value = new TtlValue(
      () =>
        new Promise<number>((resolve) => {
          builds++;
          release = () => resolve(builds);
        }),
      1_000,
      () => now,
    );
    const pending = value.get();
    now = 5_000; // the build took 5 s
    release();
    expect(await pending).toBe(1);
    now = 5_500;
    expect(await value.get()).toBe(1);
    expect(builds).toBe(1);
  });

  it('shares one build between concurrent callers', async () => {
    const c = counter({ delayMs: 10 });
    const value = new TtlValue(c.build, 60_000);
    const answers = await Promise.all([value.get(), value.get(), value.get(), value.get()]);
    expect(answers).toEqual(['value-1', 'value-1', 'value-1', 'value-1']);
    expect(c.builds).toBe(1);
  });

  it('shares one rebuild between concurrent callers once expired', async () => {
    let now = 0;
    const c = counter({ delayMs: 5 });
    const value = new TtlValue(c.build, 100, () => now);
    await value.get();
    now = 100;
    const answers = await Promise.all([value.get(), value.get()]);
    expect(answers).toEqual(['value-2', 'value-2']);
    expect(c.builds).toBe(2);
  });

  it('rejects every waiting caller when the build fails, keeps nothing, and retries on the next get', async () => {
    const c = counter({ failFirst: 1, delayMs: 5 });
    const value = new TtlValue(c.build, 60_000, () => 0);
    const [a, b] = await Promise.allSettled([value.get(), value.get()]);
    expect(a).toEqual({ status: 'rejected', reason: new Error('build 1 failed') });
    expect(b).toEqual({ status: 'rejected', reason: new Error('build 1 failed') });
    expect(c.builds).toBe(1);
    expect(await value.get()).toBe('value-2');
    expect(c.builds).toBe(2);
    expect(await value.get()).toBe('value-2');
    expect(c.builds).toBe(2);
  });

  it('keeps serving nothing stale after a failed rebuild: the next get retries', async () => {
    let now = 0;
    const c = counter();
    let fail = false;
    const value = new TtlValue(
      async () => {
        if (fail) throw new Error('down');
        return c.build();
      },
      100,
      () => now,
    );
    expect(await value.get()).toBe('value-1');
    now = 200;
    fail = true;
    await expect(value.get()).rejects.toThrow('down');
    fail = false;
    expect(await value.get()).toBe('value-2');
  });
});

// ---- httpGraphQuery -----------------------------------------------------------------------------

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

async function caught(p: Promise<unknown>): Promise<GraphQLError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GraphQLError);
    return e as GraphQLError;
  }
  throw new Error('expected a rejection');
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe('httpGraphQuery', () => {
  it('POSTs the query and variables as JSON and returns data', async () => {
    const seen: Array<{ method?: string; url?: string; type?: string; body: unknown }> = [];
    const url = await serve((req, body, res) => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
      json(res, 200, { data: { models: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [{ key: 'fraud' }] } } });
    });
    const data = await httpGraphQuery(url)<ModelsPage<{ key: string }>>('query Q($first: Int!) { models(first: $first) { nodes { key } } }', { first: 500, after: null });
    expect(data).toEqual({ models: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [{ key: 'fraud' }] } });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/graphql',
        type: 'application/json',
        body: { query: 'query Q($first: Int!) { models(first: $first) { nodes { key } } }', variables: { first: 500, after: null } },
      },
    ]);
  });

  it('walks the graph over HTTP', async () => {
    const url = await serve((_req, body, res) => {
      const { variables } = JSON.parse(body) as { variables: { after: string | null } };
      json(
        res,
        200,
        variables.after === null
          ? { data: { models: { pageInfo: { hasNextPage: true, endCursor: 'p2' }, nodes: [{ key: 'a' }] } } }
          : { data: { models: { pageInfo: { hasNextPage: false, endCursor: 'p3' }, nodes: [{ key: 'b' }] } } },
      );
    });
    expect(await walkModels(httpGraphQuery(url), 'q')).toEqual([{ key: 'a' }, { key: 'b' }]);
  });

  it('throws on an answer with errors, naming the first error and carrying its source and code', async () => {
    const url = await serve((_req, _body, res) =>
      json(res, 200, {
        data: { models: null },
        errors: [
          { message: 'mlflow:prod: HTTP 503', extensions: { code: 'SOURCE_UNAVAILABLE', source: 'mlflow:prod' } },
          { message: 'jira:corp: timed out', extensions: { code: 'TIMEOUT', source: 'jira:corp' } },
        ],
      }),
    );
    const error = await caught(httpGraphQuery(url)('{ models { nodes { key } } }', {}));
    expect(error.message).toBe('the inventory could not walk the graph: mlflow:prod: HTTP 503');
    expect(error.extensions).toEqual({ code: 'SOURCE_UNAVAILABLE', source: 'mlflow:prod' });
  });

  it('throws on errors even beside complete-looking data', async () => {
    const url = await serve((_req, _body, res) =>
      json(res, 200, {
        data: { models: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } },
        errors: [{ message: 'git:cloud rate limited', extensions: { code: 'RATE_LIMITED', source: 'git:cloud' } }],
      }),
    );
    const error = await caught(httpGraphQuery(url)('q', {}));
    expect(error.message).toBe('the inventory could not walk the graph: git:cloud rate limited');
    expect(error.extensions).toEqual({ code: 'RATE_LIMITED', source: 'git:cloud' });
  });

  it('defaults the code to SOURCE_UNAVAILABLE and leaves out a source the error does not name', async () => {
    const url = await serve((_req, _body, res) => json(res, 400, { errors: [{ message: 'Cannot query field "modelz" on type "Query".' }] }));
    const error = await caught(httpGraphQuery(url)('q', {}));
    expect(error.message).toBe('the inventory could not walk the graph: Cannot query field "modelz" on type "Query".');
    expect(error.extensions).toEqual({ code: 'SOURCE_UNAVAILABLE' });
  });

  it('throws mentioning the HTTP status on a non-JSON 502', async () => {
    const url = await serve((_req, _body, res) => {
      res.statusCode = 502;
      res.setHeader('content-type', 'text/html');
      res.end('<html><body>502 Bad Gateway</body></html>');
    });
    const error = await caught(httpGraphQuery(url)('q', {}));
    expect(error.message).toBe('the inventory could not walk the graph: HTTP 502');
    expect(error.message).toContain('HTTP 502');
    expect(error.extensions).toEqual({ code: 'SOURCE_UNAVAILABLE' });
  });

  it('throws when the answer has neither data nor errors', async () => {
    const url = await serve((_req, _body, res) => json(res, 200, { data: null }));
    const error = await caught(httpGraphQuery(url)('q', {}));
    expect(error.message).toBe('the inventory could not walk the graph: HTTP 200');
  });

  it('rejects when the gateway cannot be reached', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(httpGraphQuery(`http://127.0.0.1:${port}/graphql`)('q', {})).rejects.toThrow();
  });

  it('gives up after its timeout', async () => {
    const url = await serve((_req, _body, res) => {
      const late = setTimeout(() => json(res, 200, { data: { late: true } }), 2_000);
      res.on('close', () => clearTimeout(late));
    });
    const started = Date.now();
    await expect(httpGraphQuery(url, 100)('q', {})).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('TtlValue with a stale window', () => {
  it('serves the old value at once while one rebuild runs, then the new one', async () => {
    let now = 0;
    let builds = 0;
    let release: (v: number) => void = () => undefined;
    const value = new TtlValue<number>(
      () => (++builds === 1 ? Promise.resolve(1) : new Promise<number>((resolve) => (release = resolve))),
      100,
      () => now,
      50,
    );
    expect(await value.get()).toBe(1);
    now = 120; // past the TTL, inside the stale window
    expect(await value.get()).toBe(1);
    expect(await value.get()).toBe(1);
    expect(builds).toBe(2); // one background rebuild, shared
    release(2);
    await new Promise((r) => setImmediate(r));
    expect(await value.get()).toBe(2);
  });

  it('marks an answer built from a value past its TTL stale (extensions.freshness), and a fresh one not', async () => {
    let now = 0;
    const value = new TtlValue<number>(async () => 1, 100, () => now, 50, { rebuilds: { name: 'governance' } });
    const read = async () => {
      const scope = new RequestScope({ requestId: 'r' });
      await runInRequestScope(scope, () => value.get());
      return Object.fromEntries(scope.staleBySource);
    };
    expect(await read()).toEqual({});
    now = 99;
    expect(await read()).toEqual({});
    now = 130; // 30 ms past the TTL, in the stale window
    expect(await read()).toEqual({ 'index:governance': 30 });
  });

  it('keeps the old value when a background rebuild fails, and waits for a build after the window', async () => {
    let now = 0;
    let fail = false;
    let builds = 0;
    const value = new TtlValue<number>(
      async () => {
        builds++;
        if (fail) throw new Error('jira:corp is down');
        return builds;
      },
      100,
      () => now,
      50,
    );
    expect(await value.get()).toBe(1);
    fail = true;
    now = 130;
    expect(await value.get()).toBe(1);
    await new Promise((r) => setImmediate(r));
    now = 200; // past TTL + stale: the caller waits, and sees the error
    await expect(value.get()).rejects.toThrow('jira:corp is down');
  });
});

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGraphqlClient, fetchAllPages, ReportError } from '../../../cli/graphql-client';
import { runReport } from '../../../cli/report';
import { startGraphqlServer, type Answer, type SeenRequest } from './graphql-server';
import { captureStream } from './streams';

const MODELS = Array.from({ length: 6 }, (_, i) => ({ key: `model-${i + 1}`, owner: { email: `owner${i + 1}@acme.example` } }));

/** Three pages of two models; the cursor of page n is `c<n>`. */
function modelsPage(after: unknown, totalCount = MODELS.length) {
  const index = typeof after === 'string' ? Number(after.slice(1)) : 0;
  return {
    totalCount,
    pageInfo: { hasNextPage: index < 2, endCursor: `c${index + 1}` },
    nodes: MODELS.slice(index * 2, index * 2 + 2),
  };
}

const PAGED = `query($after: String) {
  models(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { key owner { email } } }
}`;

let servers: Array<{ close(): Promise<void> }> = [];
async function server(answer: (request: SeenRequest, index: number) => Answer) {
  const s = await startGraphqlServer(answer);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function reportFile(query: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'modelgraph-report-')), 'report.graphql');
  writeFileSync(path, query);
  return path;
}

describe('fetchAllPages', () => {
  it('follows a connection to its last page, sending each endCursor as $after', async () => {
    const s = await server((req) => ({ body: { data: { models: modelsPage(req.variables.after) } } }));
    const pages: number[] = [];
    const result = await fetchAllPages<{ models: { nodes: unknown[]; pageInfo: unknown } }>(
      createGraphqlClient({ endpoint: s.url }),
      PAGED,
      {},
      { onPage: (p) => pages.push(p.items) },
    );
    expect(s.requests.map((r) => r.variables.after)).toEqual([undefined, 'c1', 'c2']);
    expect(result.errors).toBeUndefined();
    expect(result.pages).toBe(3);
    expect(result.data?.models.nodes).toEqual(MODELS);
    expect(result.data?.models.pageInfo).toEqual({ hasNextPage: false, endCursor: 'c3' });
    expect(pages).toEqual([2, 4, 6]);
  });

  it('follows edges too, and a connection reached through a fragment spread under an alias', async () => {
    const s = await server((req) => {
      const page = modelsPage(req.variables.cursor);
      return { body: { data: { inventory: { pageInfo: page.pageInfo, edges: page.nodes.map((node) => ({ cursor: 'x', node })) } } } };
    });
    const query = `query Q($cursor: String) { ...Inv }
      fragment Inv on Query { inventory: models(after: $cursor) { pageInfo { hasNextPage endCursor } edges { cursor node { key } } } }`;
    const result = await fetchAllPages<{ inventory: { edges: Array<{ node: unknown }> } }>(createGraphqlClient({ endpoint: s.url }), query);
    expect(s.requests).toHaveLength(3);
    expect(result.data?.inventory.edges.map((e) => e.node)).toEqual(MODELS);
  });

  it('pages several top-level connections one at a time, each with its own variable', async () => {
    const s = await server((req) => ({
      body: { data: { a: modelsPage(req.variables.a), b: { ...modelsPage(req.variables.b), nodes: modelsPage(req.variables.b).nodes.map((m) => ({ key: `b-${m.key}` })) } } },
    }));
    const query = `query($a: String, $b: String) {
      a: models(after: $a) { pageInfo { hasNextPage endCursor } nodes { key } }
      b: models(after: $b) { pageInfo { hasNextPage endCursor } nodes { key } }
    }`;
    const result = await fetchAllPages<Record<'a' | 'b', { nodes: Array<{ key: string }> }>>(createGraphqlClient({ endpoint: s.url }), query);
    expect(s.requests.map((r) => [r.variables.a, r.variables.b])).toEqual([
      [undefined, undefined],
      ['c1', undefined],
      ['c2', undefined],
      [undefined, 'c1'],
      [undefined, 'c2'],
    ]);
    expect(result.data?.a.nodes.map((m) => m.key)).toEqual(MODELS.map((m) => m.key));
    expect(result.data?.b.nodes.map((m) => m.key)).toEqual(MODELS.map((m) => `b-${m.key}`));
  });

  it('stops at the first page with errors and returns them', async () => {
    const s = await server((req, i) =>
      i === 1
        ? { body: { data: null, errors: [{ message: 'mlflow:prod: HTTP 503', extensions: { source: 'mlflow:prod' } }] } }
        : { body: { data: { models: modelsPage(req.variables.after) } } },
    );
    const result = await fetchAllPages(createGraphqlClient({ endpoint: s.url }), PAGED);
    expect(s.requests).toHaveLength(2);
    expect(result.errors).toEqual([{ message: 'mlflow:prod: HTTP 503', extensions: { source: 'mlflow:prod' } }]);
  });

  it('fails when the server returns the same endCursor twice', async () => {
    const s = await server(() => ({
      body: { data: { models: { pageInfo: { hasNextPage: true, endCursor: 'same' }, nodes: [{ key: 'a' }] } } },
    }));
    await expect(fetchAllPages(createGraphqlClient({ endpoint: s.url }), PAGED)).rejects.toThrow(
      /returned endCursor "same" for `models` twice/,
    );
    expect(s.requests).toHaveLength(2);
  });

  it('does not loop without an $after variable, and warns that there were more pages', async () => {
    const s = await server(() => ({ body: { data: { models: modelsPage(undefined) } } }));
    const warnings: string[] = [];
    const result = await fetchAllPages<{ models: { nodes: unknown[] } }>(
      createGraphqlClient({ endpoint: s.url }),
      '{ models(first: 2) { pageInfo { hasNextPage endCursor } nodes { key } } }',
      {},
      { warn: (m) => warnings.push(m) },
    );
    expect(s.requests).toHaveLength(1);
    expect(result.data?.models.nodes).toHaveLength(2);
    expect(warnings).toEqual([expect.stringContaining('`models` has more pages than the report fetched')]);
  });

  it('refuses one cursor variable bound to two connections', async () => {
    const client = createGraphqlClient({ endpoint: 'http://127.0.0.1:9/graphql' });
    const query = 'query($after: String) { a: models(after: $after) { nodes { key } } b: models(after: $after) { nodes { key } } }';
    await expect(fetchAllPages(client, query)).rejects.toThrow(/\$after is the after argument of several connections \(a, b\)/);
  });
});

describe('createGraphqlClient', () => {
  it('throws a ReportError naming the endpoint on an HTTP failure or a body that is not JSON', async () => {
    const s = await server((_req, i) =>
      i === 0 ? { status: 502, body: '<html>Bad gateway</html>' } : { body: '<html>Sign in</html>' },
    );
    const client = createGraphqlClient({ endpoint: s.url });
    await expect(client.request('{ x }')).rejects.toThrow(new ReportError(`${s.url} answered HTTP 502 Bad Gateway: <html>Bad gateway</html>`));
    await expect(client.request('{ x }')).rejects.toThrow(`${s.url} did not answer with JSON (text/html): <html>Sign in</html>`);
  });

  it('returns GraphQL errors, even on a 400, instead of throwing', async () => {
    const errors = [{ message: 'Cannot query field "x" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }];
    const s = await server(() => ({ status: 400, body: { errors } }));
    await expect(createGraphqlClient({ endpoint: s.url }).request('{ x }')).resolves.toEqual({ errors });
  });

  it('names the endpoint when nothing answers', async () => {
    const s = await server(() => ({ body: {} }));
    const url = s.url;
    await s.close();
    await expect(createGraphqlClient({ endpoint: url }).request('{ x }')).rejects.toThrow(`cannot reach ${url}`);
  });
});

describe('runReport against a paginated gateway', () => {
  it('writes every row of every page to --out', async () => {
    const s = await server((req) => ({ body: { data: { models: modelsPage(req.variables.after) } } }));
    const out = join(mkdtempSync(join(tmpdir(), 'modelgraph-report-')), 'models.csv');
    const stderr = captureStream();
    const code = await runReport({ file: reportFile(PAGED), vars: [], format: 'csv', endpoint: s.url, out, stderr });
    expect(code).toBe(0);
    expect(s.requests.map((r) => r.variables.after)).toEqual([undefined, 'c1', 'c2']);
    expect(readFileSync(out, 'utf8')).toBe(
      ['key,owner.email', ...MODELS.map((m) => `${m.key},${m.owner.email}`)].join('\n') + '\n',
    );
    expect(stderr.text()).toBe(`modelgraph report: wrote 6 rows to ${out}\n`);
  });

  it('exits 1, names the source and writes no file when a page answers with errors', async () => {
    const s = await server((req, i) =>
      i === 2
        ? {
            body: {
              data: null,
              errors: [{ message: 'HTTP 503 TEMPORARILY_UNAVAILABLE', path: ['models'], extensions: { code: 'SOURCE_UNAVAILABLE', source: 'mlflow:prod' } }],
            },
          }
        : { body: { data: { models: modelsPage(req.variables.after) } } },
    );
    const out = join(mkdtempSync(join(tmpdir(), 'modelgraph-report-')), 'models.csv');
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runReport({ file: reportFile(PAGED), vars: [], format: 'csv', endpoint: s.url, out, stdout, stderr });
    expect(code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toContain('error: mlflow:prod: HTTP 503 TEMPORARILY_UNAVAILABLE [SOURCE_UNAVAILABLE] (at models)');
    expect(stderr.text()).toContain(`${out} was not written`);
  });

  it('exits 1 on a repeated endCursor', async () => {
    const s = await server(() => ({ body: { data: { models: { pageInfo: { hasNextPage: true, endCursor: 'same' }, nodes: [] } } } }));
    const stderr = captureStream();
    const code = await runReport({ file: reportFile(PAGED), vars: [], format: 'json', endpoint: s.url, stdout: captureStream(), stderr });
    expect(code).toBe(1);
    expect(stderr.text()).toContain('twice');
  });

  it('exits 1 naming the endpoint when the gateway cannot be reached', async () => {
    const s = await server(() => ({ body: {} }));
    await s.close();
    const stderr = captureStream();
    const code = await runReport({ file: reportFile(PAGED), vars: [], format: 'table', endpoint: s.url, stdout: captureStream(), stderr });
    expect(code).toBe(1);
    expect(stderr.text()).toContain(`cannot reach ${s.url}`);
  });
});

describe('report progress', () => {
  it('shows the fetched rows in place on a terminal, and wipes the line at the end', async () => {
    const s = await server((req) => ({ body: { data: { models: modelsPage(req.variables.after) } } }));
    const stdout = captureStream();
    const stderr = captureStream(true);
    expect(await runReport({ file: reportFile(PAGED), vars: [], format: 'table', endpoint: s.url, stdout, stderr })).toBe(0);
    const line2 = 'fetched 4 of 6 rows (page 2)';
    const line3 = 'fetched 6 of 6 rows (page 3)';
    expect(stderr.text()).toBe(`\r${line2}\r${line3}\r${' '.repeat(line3.length)}\r`);
    expect(stdout.text()).toContain('model-6');
  });

  it('writes nothing to stderr when it is not a terminal', async () => {
    const s = await server((req) => ({ body: { data: { models: modelsPage(req.variables.after) } } }));
    const stdout = captureStream();
    const stderr = captureStream(false);
    expect(await runReport({ file: reportFile(PAGED), vars: [], format: 'table', endpoint: s.url, stdout, stderr })).toBe(0);
    expect(stderr.text()).toBe('');
    expect(stdout.text().split('\n')[0]).toMatch(/^key\s+owner\.email$/);
  });
});

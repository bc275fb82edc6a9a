import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGraphqlClient } from '../../cli/graphql-client';

/**
 * An endpoint written `http://user:pass@host/graphql` (as curl takes it): fetch refuses a URL
 * that carries credentials, and its error quotes the URL, password included. The client sends
 * them as Basic credentials instead, and no message it writes holds the password.
 */
describe('an endpoint URL with credentials', () => {
  let server: Server;
  let port: number;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ok: true } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the URL without them, and them as Basic credentials', async () => {
    const client = createGraphqlClient({ endpoint: `http://report%20bot:s3cr%40t@127.0.0.1:${port}/graphql` });
    expect(await client.request('{ ok }')).toEqual({ data: { ok: true } });
    expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from('report bot:s3cr@t').toString('base64')}`);
    expect(client.endpoint).toBe(`http://127.0.0.1:${port}/graphql`);
  });

  it('names an unreachable endpoint without its password', async () => {
    const client = createGraphqlClient({ endpoint: 'http://bot:hunter2@127.0.0.1:1/graphql', timeoutMs: 2000 });
    const failure = await client.request('{ ok }').then(
      () => null,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:1\/graphql/);
    expect(failure?.message).not.toContain('hunter2');
  });
});

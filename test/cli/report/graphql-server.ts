import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  query: string;
  variables: Record<string, unknown>;
}

export interface Answer {
  status?: number;
  contentType?: string;
  /** A string is sent as it is; anything else as JSON. */
  body: unknown;
}

/** A fake gateway on 127.0.0.1, port 0, that records every GraphQL request it answers. */
export async function startGraphqlServer(answer: (request: SeenRequest, index: number) => Answer) {
  const requests: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const request = JSON.parse(await readAll(req)) as SeenRequest;
    requests.push(request);
    const { status = 200, contentType, body } = answer(request, requests.length - 1);
    res.writeHead(status, { 'content-type': contentType ?? (typeof body === 'string' ? 'text/html' : 'application/json') });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

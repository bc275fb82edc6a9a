import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { httpGraphQuery, TtlValue } from '../../subgraphs/inventory/graph-walk';

/** Shutdown: an index rebuild waiting on the graph stops when the process does, not at its 2-minute timeout. */
describe('httpGraphQuery and a shutdown', () => {
  let server: Server;
  let received = 0;

  beforeAll(async () => {
    // A gateway that takes the walk's request and never answers, as a long walk looks from outside.
    server = createServer(() => void received++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('aborts the walk in flight when the stop signal fires, and a rebuild after it fails at once', async () => {
    const stop = new AbortController();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const query = httpGraphQuery(url, 120_000, undefined, stop.signal);
    const index = new TtlValue(() => query('{ models { totalCount } }', {}), 60_000);
    const building = index.get();
    while (received === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    await expect(building).rejects.toThrow(/abort/i);
    await expect(index.get()).rejects.toThrow(/abort/i);
    expect(received).toBe(1);
  });
});

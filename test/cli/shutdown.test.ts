import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxConfig, startSandbox, type Sandbox } from '../../sandbox';
import { waitFor, waitForValue } from '../helpers/wait-for';

/**
 * A rolling deploy, from outside: the real `modelgraph serve` gets SIGTERM while a query is
 * waiting on a slow upstream. The query's full answer arrives, a health check on a kept-alive
 * connection sees /readyz 503 meanwhile, a new connection is refused, and the exit code is 0.
 */

const BIN = join(__dirname, '..', '..', 'bin', 'modelgraph.js');
const QUERY = '{ models(first: 3) { totalCount nodes { key } } }';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** HTTP/1.1 responses, one after the other, as read off one socket (content-length or chunked bodies). */
function parseResponses(raw: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    let body = rest.subarray(end + 4);
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      rest = body.subarray(length);
      body = body.subarray(0, length);
    } else {
      const chunks: Buffer[] = [];
      for (;;) {
        const lineEnd = body.indexOf('\r\n');
        const size = parseInt(body.subarray(0, lineEnd).toString('latin1'), 16);
        if (size === 0) {
          rest = body.subarray(lineEnd + 4);
          break;
        }
        chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
        body = body.subarray(lineEnd + 2 + size + 2);
      }
      body = Buffer.concat(chunks);
    }
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') });
  }
  return responses;
}

/**
 * 'refused' once nothing listens on the port, 'accepted' while something does. 'reset' when a
 * probe lands in the instant the listener closes: the kernel had queued the connection and
 * resets it with the listening socket (CI saw this once), so it was not accepted either.
 */
function tryConnect(port: number): Promise<'accepted' | 'refused' | 'reset'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve('refused');
      else if (err.code === 'ECONNRESET') resolve('reset');
      else reject(err);
    });
  });
}

/** The port in the "serving" line of a JSON log: the one a server told to listen on port 0 got. */
function servingPort(log: string): number | undefined {
  // Whole lines only: the last one may still be arriving.
  for (const line of log.split('\n').slice(0, -1)) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as { msg?: string; url?: string };
    if (record.msg === 'serving' && record.url) return Number(new URL(record.url).port);
  }
  return undefined;
}

describe('modelgraph serve on SIGTERM', () => {
  let sandbox: Sandbox;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({ models: 8 });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await sandbox.close();
  });

  it('finishes the query in flight, answers /readyz 503 meanwhile, refuses new connections and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelgraph-shutdown-'));
    const configPath = join(dir, 'modelgraph.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        // Port 0: the kernel's pick, read back from the log; no port to race other processes for.
        server: { port: 0, host: '127.0.0.1', shutdownGraceSeconds: 15 },
        // The query below must find MLflow's listing cold, to be in flight when SIGTERM comes.
        cache: { warmUp: false },
        sources: sandboxConfig(sandbox).sources,
        logLevel: 'info',
      }),
    );
    child = spawn(process.execPath, [BIN, 'serve', '--config', configPath], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    // Logged once the listener is up (no warm-up here).
    const port = await waitForValue(() => servingPort(stderr), { timeoutMs: 30_000, intervalMs: 20, what: () => `the "serving" line:\n${stderr}` });
    expect(await tryConnect(port)).toBe('accepted');

    // Every listing of MLflow prod now takes 1.5 s: the query below is in flight when SIGTERM comes.
    sandbox.mlflow.prod.faults.latencyMs = 1_500;
    const before = sandbox.mlflow.prod.stats.total;
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const socketClosed = once(socket, 'close');
    const body = JSON.stringify({ query: QUERY });
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-request-id: shutdown-test-1\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await waitFor(() => sandbox.mlflow.prod.stats.total > before, { timeoutMs: 30_000, intervalMs: 20, what: 'the query to reach MLflow' });

    child.kill('SIGTERM');
    await waitFor(async () => (await tryConnect(port)) === 'refused', { timeoutMs: 10_000, intervalMs: 20, what: 'the listener to close' });
    expect(received).toHaveLength(0);
    // A load balancer's health check on its kept-alive connection, while the query still runs.
    socket.write('GET /readyz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');

    await socketClosed;
    const [answer, readyz, ...more] = parseResponses(Buffer.concat(received));
    expect(more).toHaveLength(0);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe('shutdown-test-1');
    const json = JSON.parse(answer.body) as { data?: { models: { totalCount: number; nodes: unknown[] } }; errors?: unknown[] };
    expect(json.errors).toBeUndefined();
    expect(json.data?.models.nodes).toHaveLength(3);
    expect(readyz.status).toBe(503);
    expect(JSON.parse(readyz.body)).toEqual({ status: 'draining' });
    expect(readyz.headers.connection).toBe('close');

    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // Everything on stderr is a JSON log line, and the shutdown is in them.
    const lines = stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: draining requests in flight', 'shut down']));
    expect(stdout).toBe('');
  }, 60_000);
});

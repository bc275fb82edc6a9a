import { once } from 'node:events';
import net from 'node:net';

/**
 * A TCP relay in front of a real server (Redis) that a test switches between three states:
 * - `forward`: healthy, bytes flow both ways;
 * - `hang`: connections stay open and accepted, but what clients send is held, unanswered,
 *   as a SIGSTOPped Redis does; `forward` again delivers it, in order, as SIGCONT would;
 * - `kill()`: stops listening and resets every connection, as a crashed Redis does;
 *   `revive()` listens on the same port again.
 *
 * It counts what clients send, by Redis command name (`commands.get('get')`), so that a
 * test can assert how often the client asked rather than how long it waited.
 */
export class FaultyTcpProxy {
  readonly commands = new Map<string, number>();
  private mode: 'forward' | 'hang' = 'forward';
  private readonly pipes = new Set<{ client: net.Socket; upstream: net.Socket; held: Buffer[] }>();
  private server: net.Server;
  private port_ = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = this.createServer();
  }

  static async start(target: { host: string; port: number }): Promise<FaultyTcpProxy> {
    const proxy = new FaultyTcpProxy(target);
    await proxy.listen(0);
    return proxy;
  }

  get port(): number {
    return this.port_;
  }

  /** How many times a client sent `name` (case-insensitive) since the last {@link resetCounts}. */
  count(name: string): number {
    return this.commands.get(name.toLowerCase()) ?? 0;
  }

  resetCounts(): void {
    this.commands.clear();
  }

  hang(): void {
    this.mode = 'hang';
  }

  /** Back to healthy; what was held during a hang is delivered now. */
  forward(): void {
    this.mode = 'forward';
    for (const pipe of this.pipes) {
      for (const chunk of pipe.held.splice(0)) pipe.upstream.write(chunk);
    }
  }

  async kill(): Promise<void> {
    const closed = new Promise((resolve) => this.server.close(resolve));
    for (const { client, upstream } of this.pipes) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    await closed;
  }

  async revive(): Promise<void> {
    this.mode = 'forward';
    this.server = this.createServer();
    await this.listen(this.port_);
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.kill();
  }

  private createServer(): net.Server {
    return net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      const pipe = { client, upstream, held: [] as Buffer[] };
      this.pipes.add(pipe);
      for (const s of [client, upstream]) {
        // A cut connection errors on both ends; that is the point of the proxy, not a failure.
        s.on('error', () => undefined);
        s.on('close', () => {
          this.pipes.delete(pipe);
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk: Buffer) => {
        this.countCommands(chunk);
        if (this.mode === 'hang') pipe.held.push(chunk);
        else upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
    });
  }

  private async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port_ = (this.server.address() as net.AddressInfo).port;
  }

  /** RESP: each command is an array whose first bulk string is its name (`*2\r\n$3\r\nget\r\n...`). */
  private countCommands(chunk: Buffer): void {
    for (const match of chunk.toString('latin1').matchAll(/(?:^|\r\n)\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)) {
      const name = match[1].toLowerCase();
      this.commands.set(name, (this.commands.get(name) ?? 0) + 1);
    }
  }
}

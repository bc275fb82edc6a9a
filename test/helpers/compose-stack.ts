import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../../gateway/auth/authenticate';
import type { Sandbox } from '../../sandbox';
import { AddressInUseError, freePort, retryOnAddressInUse, saysAddressInUse } from './free-port';
import { waitFor } from './wait-for';

/**
 * The split deployment as docker-compose.yml runs it: one `modelgraph serve --role` process
 * per subgraph and one gateway, each on 0.0.0.0 with its own metrics port, configured by
 * examples/compose.yaml with the subgraph secret and the API key hash from the environment.
 * Only the sandbox addresses, the people file and the inventory's graph URL are rewritten
 * for this machine, so the test exercises the file users deploy.
 */

const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'modelgraph.js');
export const SUBGRAPH_ROLES = ['inventory', 'mlflow', 'jira', 'git', 'registries'] as const;
export type ComposeRole = (typeof SUBGRAPH_ROLES)[number] | 'gateway';

export interface ComposeStack {
  /** The API key examples/compose.yaml admits (its hash is in the environment), with scopes jira:read, mlflow:read, admin. */
  key: string;
  secret: string;
  ports: Record<ComposeRole, number>;
  metricsPorts: Record<ComposeRole, number>;
  /** The environment a role's process runs with, plus `extra`. */
  environment(role: ComposeRole, extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** The live process of `role`, if any. */
  process(role: ComposeRole): ChildProcess | undefined;
  /** Starts `role` (again) and waits until it answers /healthz. */
  serve(role: ComposeRole): Promise<void>;
  /** What every process wrote, for a failure message. */
  output: string[];
  close(): Promise<void>;
}

/**
 * Every process's port is picked up front (each process is told the others'), so a port
 * taken by another process before its owner listened (EADDRINUSE: that process exits
 * saying so) starts the whole stack again on new ports, at most PORT_ATTEMPTS times.
 * A role restarted later by `serve` keeps its port: the others know it.
 */
export function startComposeStack(sandbox: Sandbox, options: ComposeStackOptions = {}): Promise<ComposeStack> {
  return retryOnAddressInUse(() => startComposeStackOnce(sandbox, options));
}

export interface ComposeStackOptions {
  env?: Record<string, string>;
  /** freePort unless a test of the retry hands out a taken port. */
  pickPort?: () => Promise<number>;
}

async function startComposeStackOnce(sandbox: Sandbox, options: ComposeStackOptions): Promise<ComposeStack> {
  const pickPort = options.pickPort ?? freePort;
  const key = 'mgk_compose-stack-tester-000000000000000000000000';
  const secret = 'compose-stack-test-secret-0123456789abcdef';
  const roles: ComposeRole[] = [...SUBGRAPH_ROLES, 'gateway'];
  const ports = {} as Record<ComposeRole, number>;
  const metricsPorts = {} as Record<ComposeRole, number>;
  for (const role of roles) {
    ports[role] = await pickPort();
    metricsPorts[role] = await pickPort();
  }
  // `modelgraph sandbox --port 5000` numbers its servers in start order (test/config/sandbox-example.test.ts).
  const sandboxUrls: Record<string, string> = Object.fromEntries(sandbox.all().map((server, i) => [String(5000 + i), server.url]));
  const config = readFileSync(join(ROOT, 'examples', 'compose.yaml'), 'utf8')
    .replace(/http:\/\/sandbox:(\d+)/g, (_m, port: string) => sandboxUrls[port]!.replace(/\/$/, ''))
    .replace('http://gateway:4000/graphql', `http://127.0.0.1:${ports.gateway}/graphql`)
    .replace('/config/people.yaml', join(ROOT, 'examples', 'people.demo.yaml'));
  if (/sandbox:|\/config\//.test(config)) throw new Error('examples/compose.yaml has an address this helper does not rewrite');
  const configPath = join(mkdtempSync(join(tmpdir(), 'modelgraph-compose-')), 'modelgraph.yaml');
  writeFileSync(configPath, config);

  const output: string[] = [];
  const processes = new Map<ComposeRole, ChildProcess>();
  const all: ChildProcess[] = [];

  const environment = (role: ComposeRole, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      MODELGRAPH_CONFIG: configPath,
      MODELGRAPH_SUBGRAPH_SECRET: secret,
      MODELGRAPH_API_KEY_HASH: hashApiKey(key),
      MODELGRAPH_METRICS_PORT: String(metricsPorts[role]),
      LOG_LEVEL: 'warn',
      ...options.env,
      ...extra,
    };
    for (const r of SUBGRAPH_ROLES) env[`MODELGRAPH_SUBGRAPH_${r.toUpperCase()}_URL`] = `http://127.0.0.1:${ports[r]}/graphql`;
    return env;
  };

  /** Until `child` answers /healthz; fails at once when it exits first (with EADDRINUSE when it says its port was taken). */
  const untilHealthy = async (role: ComposeRole, child: ChildProcess, stderr: () => string, timeoutMs = 30_000): Promise<void> => {
    // 'close': its stderr is read to the end then, the reason it exited included.
    let gone = false;
    child.once('close', () => (gone = true));
    await waitFor(
      async () => {
        if (gone) {
          const message = `${role} exited before it answered /healthz:\n${output.join('')}`;
          throw saysAddressInUse(stderr()) ? new AddressInUseError(message) : new Error(message);
        }
        // Bounded: whatever else took the port may accept and never answer.
        const health = await fetch(`http://127.0.0.1:${ports[role]}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
        return health?.ok === true;
      },
      { timeoutMs, intervalMs: 100, what: () => `${role} to come up:\n${output.join('')}` },
    );
  };

  const serve = async (role: ComposeRole): Promise<void> => {
    const child = spawn(process.execPath, [BIN, 'serve', '--role', role, '--port', String(ports[role]), '--host', '0.0.0.0'], {
      env: environment(role),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => output.push(`${role}: ${chunk.toString()}`));
    child.stderr!.on('data', (chunk: Buffer) => {
      output.push(`${role}: ${chunk.toString()}`);
      stderr += chunk.toString();
    });
    processes.set(role, child);
    all.push(child);
    await untilHealthy(role, child, () => stderr);
  };

  const close = async () => {
    await Promise.all(
      all.map(
        (child) =>
          new Promise<void>((resolve) => {
            // Killed by a signal (the outage tests), a process has no exit code.
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    await Promise.all(SUBGRAPH_ROLES.map(serve));
    await serve('gateway');
  } catch (err) {
    await close();
    throw err;
  }
  return {
    key,
    secret,
    ports,
    metricsPorts,
    environment,
    process: (role) => {
      const child = processes.get(role);
      return child && child.exitCode === null && child.signalCode === null ? child : undefined;
    },
    serve,
    output,
    close,
  };
}

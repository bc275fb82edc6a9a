/**
 * The CLI as deployed, in child processes: `modelgraph serve` over the in-process sandbox,
 * and `modelgraph reconcile` / `report` against it. Separate processes so that the
 * server's peak memory (what the targets are about), the client's, and the sandbox's (not
 * counted at all) are told apart. Runs the compiled CLI: `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AddressInUseError, listenOnFreePort, saysAddressInUse } from '../helpers/free-port';

/** The checkout: from test/bench here, or dist/test/bench when compiled. */
export const REPO_ROOT = findRepoRoot(__dirname);
const CLI = join(REPO_ROOT, 'bin', 'modelgraph.js');

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'modelgraph.js')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no modelgraph checkout above ${from}`);
}

/**
 * A `--require` preload that writes, when the process exits, to the file
 * `BENCH_PROCESS_FILE` names: its peak resident set (`process.resourceUsage().maxRSS`, the
 * kernel's own high-water mark, so no short peak is missed between two samples; kilobytes
 * on Linux and macOS alike) and when it first called `fetch` (ms since it started): a
 * CLI's start-up, told apart from its work.
 */
const PROCESS_PRELOAD = `'use strict';
let firstFetchMs;
const fetch = globalThis.fetch;
globalThis.fetch = function (...args) {
  if (firstFetchMs === undefined) firstFetchMs = performance.now();
  return fetch.apply(this, args);
};
process.on('exit', () => {
  const file = process.env.BENCH_PROCESS_FILE;
  const report = { peakRssBytes: process.resourceUsage().maxRSS * 1024, firstFetchMs, exitMs: performance.now() };
  if (file) require('node:fs').writeFileSync(file, JSON.stringify(report));
});
`;

interface ProcessReport {
  peakRssBytes?: number;
  firstFetchMs?: number;
  exitMs?: number;
}

/** A scratch directory with the preload; files of one benchmark run go here. */
export function scratchDir(): { dir: string; preload: string } {
  const dir = mkdtempSync(join(tmpdir(), 'modelgraph-bench-'));
  const preload = join(dir, 'process-report.js');
  writeFileSync(preload, PROCESS_PRELOAD);
  return { dir, preload };
}

function spawnCli(args: string[], scratch: { dir: string; preload: string }, label: string): { child: ChildProcess; reportFile: string } {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const reportFile = join(scratch.dir, `${label}.process.json`);
  const child = spawn(process.execPath, ['--require', scratch.preload, CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_PROCESS_FILE: reportFile, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, reportFile };
}

function readReport(file: string): ProcessReport {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProcessReport;
  } catch {
    return {};
  }
}

export interface ServerProcess {
  /** `http://127.0.0.1:<port>/graphql` */
  graphqlUrl: string;
  /** SIGTERM, wait for the drain and exit; the peak RSS of the process's whole life, in bytes. */
  stop(): Promise<{ peakRssBytes?: number; exitCode: number | null }>;
}

/**
 * `modelgraph serve --config <file>` with `config` (a config file's contents), ready when it
 * answers /healthz. Spawned again on a new port when the one picked was taken before the
 * process could listen on it (it exits saying so). `ports.pickPort`: see listenOnFreePort.
 */
export function startServerProcess(
  config: Record<string, unknown>,
  scratch: { dir: string; preload: string },
  label: string,
  ports: { pickPort?: () => Promise<number> } = {},
): Promise<ServerProcess> {
  return listenOnFreePort((port) => startServerProcessOn(port, config, scratch, label), ports);
}

async function startServerProcessOn(
  port: number,
  config: Record<string, unknown>,
  scratch: { dir: string; preload: string },
  label: string,
): Promise<ServerProcess> {
  const configPath = join(scratch.dir, `${label}.config.json`);
  writeFileSync(configPath, JSON.stringify({ ...config, server: { ...(config.server as object), port, host: '127.0.0.1' } }));
  const { child, reportFile } = spawnCli(['serve', '--config', configPath], scratch, label);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout!.resume();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // Gone once 'close' came: its stderr is read to the end then, the reason it exited included.
  let gone = false;
  void once(child, 'close').then(() => (gone = true));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (gone) {
      const message = `modelgraph serve exited before it was ready:\n${stderr}`;
      throw saysAddressInUse(stderr) ? new AddressInUseError(message) : new Error(message);
    }
    // Bounded: whatever else took the port may accept and never answer.
    if (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`modelgraph serve was not ready within 120 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    graphqlUrl: `${base}/graphql`,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      const [exitCode] = await exited;
      return { peakRssBytes: readReport(reportFile).peakRssBytes, exitCode };
    },
  };
}

export interface CliRun {
  ms: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  peakRssBytes?: number;
  /** From spawn to the CLI's first request: node and the CLI loading, the same whatever the graph. */
  startupMs?: number;
}

/** Runs a `modelgraph` command to its end: wall time from spawn to exit (node's start-up included). */
export async function runCli(args: string[], scratch: { dir: string; preload: string }, label: string): Promise<CliRun> {
  const started = performance.now();
  const { child, reportFile } = spawnCli(args, scratch, label);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  // 'close', not 'exit': the output is read to its end.
  const [exitCode] = (await once(child, 'close')) as [number | null];
  const ms = performance.now() - started;
  const report = readReport(reportFile);
  return {
    ms,
    exitCode,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
    peakRssBytes: report.peakRssBytes,
    // The child's clock starts a little after the spawn; the rest of the gap is spawning, also start-up.
    startupMs: report.firstFetchMs === undefined || report.exitMs === undefined ? undefined : ms - (report.exitMs - report.firstFetchMs),
  };
}

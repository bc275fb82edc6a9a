import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real command, as a user runs it (built by `npm test`'s pretest step). */
const BIN = join(__dirname, '..', '..', 'bin', 'modelgraph.js');

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'modelgraph-cli-')), 'modelgraph.yaml');
  writeFileSync(path, text);
  return path;
}

describe('modelgraph start-up', () => {
  it('exits non-zero on a bad config, naming the key, before serving anything', () => {
    const path = configFile('sources:\n  mlflow:\n    - name: prod\n      url: not-a-url\n');
    const result = run(['serve', '--config', path]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('sources.mlflow[0].url: must be an http(s) URL');
    expect(result.stdout).not.toContain('serving');
  });

  it('reads the config from MODELGRAPH_CONFIG too, and names a missing secret variable', () => {
    const path = configFile(
      'sources:\n  mlflow:\n    - name: prod\n      url: https://mlflow.example.com\n      auth: { type: bearer, token: "${DATABRICKS_TOKEN}" }\n',
    );
    const result = run(['serve'], { MODELGRAPH_CONFIG: path });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('sources.mlflow[0].auth.token: environment variable DATABRICKS_TOKEN is not set');
  });

  /** `serve --config` with `text`, on a port this process holds; the busy port's listener needs its event loop, so not spawnSync. */
  async function serveOnBusyPort(text: (port: number) => string) {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (busy.address() as { port: number }).port;
      const path = configFile(text(port));
      const child = spawn(process.execPath, [BIN, 'serve', '--config', path], { env: { PATH: process.env.PATH } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      const lines = stderr.trim().split('\n');
      const warnings = lines
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: string; msg: string })
        .filter((l) => l.level === 'warn')
        .map((l) => l.msg);
      return { port, path, status, stdout, lastLine: lines.at(-1), warnings };
    } finally {
      busy.close();
    }
  }

  it('exits 2 when the port is in use, as on any start-up error, warning first of a config without sources', async () => {
    const result = await serveOnBusyPort((port) => `server: { port: ${port} }\n`);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.lastLine).toBe(`modelgraph: port ${result.port} is already in use; set PORT or --port to another one`);
    expect(result.warnings).toEqual([expect.stringMatching(new RegExp(`^no sources configured in ${result.path}: every query will answer with empty lists`))]);
  });

  it('does not warn of missing sources when the config has some', async () => {
    const result = await serveOnBusyPort((port) => `server: { port: ${port} }\nsources:\n  mlflow:\n    - name: prod\n      url: https://mlflow.example.com\n`);
    expect(result.status).toBe(2);
    expect(result.lastLine).toBe(`modelgraph: port ${result.port} is already in use; set PORT or --port to another one`);
    expect(result.warnings).toEqual([]);
  });

  it('rejects an unknown command and an unknown option with usage', () => {
    expect(run(['frobnicate']).status).toBe(2);
    const bad = run(['serve', '--frob']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--frob'/);
  });

  it('compose --check passes on the checked-in supergraph and fails on a stale one', () => {
    expect(run(['compose', '--check']).status).toBe(0);
    const stale = configFile('# an old supergraph\n');
    const result = run(['compose', '--check', '--out', stale]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is stale');
  });
});

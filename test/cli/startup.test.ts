import { spawnSync } from 'node:child_process';
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

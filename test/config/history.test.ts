import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load';
import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { createRuntime } from '../../gateway/stack';

/** The `history` section: defaults, durations, and errors that name the key. */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelgraph-history-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const path = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return loadConfig({ path, env });
}

function errorOf(yaml: string): string {
  try {
    load(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loaded');
}

describe('history config', () => {
  it('is off by default, in ./data/history.sqlite, once an hour at most', () => {
    expect(configSchema.parse({}).history).toEqual({
      enabled: false,
      path: './data/history.sqlite',
      postgresSchema: 'modelgraph_history',
      interval: 3_600_000,
    });
  });

  it('reads durations, and a postgresUrl with the password from the environment', () => {
    const config = load(
      ['history:', '  enabled: true', '  interval: 15m', '  postgresUrl: postgres://modelgraph:${PGPASSWORD}@db:5432/modelgraph', '  postgresSchema: governance'].join('\n'),
      { PGPASSWORD: 's3cret' },
    );
    expect(config.history).toMatchObject({ enabled: true, interval: 900_000, postgresUrl: 'postgres://modelgraph:s3cret@db:5432/modelgraph', postgresSchema: 'governance' });
    expect(load('history: { interval: 0 }').history.interval).toBe(0);
    expect(load('history: { interval: "90s" }').history.interval).toBe(90_000);
    expect(load('history: { interval: 2d }').history.interval).toBe(2 * 86_400_000);
  });

  it('names the key of a bad value', () => {
    expect(errorOf('history: { interval: 15 }')).toMatch(/history\.interval/);
    expect(errorOf('history: { interval: 1w }')).toMatch(/history\.interval.*duration/);
    expect(errorOf('history: { interval: 8d }')).toMatch(/history\.interval.*at most 7d/);
    expect(errorOf('history: { postgresUrl: "mysql://db" }')).toMatch(/history\.postgresUrl.*postgres:\/\//);
    expect(errorOf('history: { postgresSchema: "Bad-Name" }')).toMatch(/history\.postgresSchema/);
    expect(errorOf('history: { dataDir: ./data }')).toMatch(/history.*dataDir/);
  });

  it('opens no store while history is off, and names history when one cannot be opened', async () => {
    const off = createRuntime(configSchema.parse({ logLevel: 'silent' }), silentLogger);
    await expect(off.history()).resolves.toBeUndefined();
    await off.close();
    // A directory where the SQLite file should be.
    const on = createRuntime(configSchema.parse({ logLevel: 'silent', history: { enabled: true, path: dir } }), silentLogger);
    await expect(on.history()).rejects.toThrow(/^history: cannot open .*\(history\.path\)/);
    await on.close();
    const pg = createRuntime(
      configSchema.parse({ logLevel: 'silent', history: { enabled: true, postgresUrl: 'postgres://nobody:secret-pw@127.0.0.1:1/none' } }),
      silentLogger,
    );
    const failure = await pg.history().catch((err: Error) => err);
    expect(String(failure)).toMatch(/history: cannot open PostgreSQL history \(history\.postgresUrl/);
    expect(String(failure)).not.toContain('secret-pw');
    await pg.close();
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load';

/** `sources.unityCatalog` as a person writes it: each mistake named by its key, in one run. */

function load(text: string) {
  const path = join(mkdtempSync(join(tmpdir(), 'modelgraph-uc-config-')), 'modelgraph.yaml');
  writeFileSync(path, text);
  return { path, load: () => loadConfig({ path, env: { DATABRICKS_CLIENT_SECRET: 'dose-secret' } }) };
}

function errorOf(text: string): string {
  const { path, load: run } = load(text);
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message.replace(path, 'modelgraph.yaml');
  }
  throw new Error('the configuration loaded');
}

const GOOD = `
sources:
  mlflow:
    - { name: dbx-prod, url: "https://adb-4072916533890417.7.azuredatabricks.net" }
  unityCatalog:
    - name: lakehouse
      host: https://adb-4072916533890417.7.azuredatabricks.net
      auth: { type: oauth-m2m, clientId: 3f6b2c1e-9a4d-4e7b-8c52-7d1e0a9b4f36, clientSecret: "\${DATABRICKS_CLIENT_SECRET}" }
      catalogs: [ml_prod, ml_dev.experiments]
      workspaces:
        - { id: "4072916533890417", mlflow: dbx-prod }
`;

describe('sources.unityCatalog', () => {
  it('loads a service principal, catalogs and workspaces, with the default scope', () => {
    const config = load(GOOD).load();
    expect(config.sources.unityCatalog).toEqual([
      expect.objectContaining({
        name: 'lakehouse',
        auth: { type: 'oauth-m2m', clientId: '3f6b2c1e-9a4d-4e7b-8c52-7d1e0a9b4f36', clientSecret: 'dose-secret', scopes: ['all-apis'] },
        catalogs: ['ml_prod', 'ml_dev.experiments'],
        workspaces: [{ id: '4072916533890417', mlflow: 'dbx-prod' }],
      }),
    ]);
  });

  it('names every mistake by its key: a workspace naming no MLflow source, a bad catalog, a numeric id, no auth', () => {
    expect(
      errorOf(`
sources:
  mlflow:
    - { name: dbx-prod, url: "https://adb-1.7.azuredatabricks.net" }
  unityCatalog:
    - name: lakehouse
      host: https://adb-1.7.azuredatabricks.net
      auth: { type: pat, token: dapi0123 }
      catalogs: ["ml prod"]
      workspaces:
        - { id: "1", mlflow: dbx-prod }
        - { id: "2", mlflow: dbx-dev }
    - name: other
      host: https://adb-2.7.azuredatabricks.net
`),
    ).toBe(
      [
        'invalid configuration in modelgraph.yaml:',
        '  sources.unityCatalog[0].catalogs[0]: must be a catalog name or catalog.schema (no spaces or slashes)',
        '  sources.unityCatalog[1].auth: required',
      ].join('\n'),
    );
    expect(
      errorOf(`
sources:
  mlflow:
    - { name: dbx-prod, url: "https://adb-1.7.azuredatabricks.net" }
  unityCatalog:
    - name: lakehouse
      host: https://adb-1.7.azuredatabricks.net
      auth: { type: pat, token: dapi0123 }
      workspaces:
        - { id: "1", mlflow: dbx-prod }
        - { id: "2", mlflow: dbx-dev }
`),
    ).toBe(
      'invalid configuration in modelgraph.yaml:\n  sources.unityCatalog[0].workspaces[1].mlflow: no MLflow instance "dbx-dev" under sources.mlflow (there are: dbx-prod)',
    );
    expect(errorOf(`sources: { unityCatalog: [{ name: a, host: "https://x.cloud.databricks.com", auth: { type: pat, token: t }, workspaces: [{ id: 4072916533890417 }] }] }`)).toContain(
      'sources.unityCatalog[0].workspaces[0].id:',
    );
  });
});

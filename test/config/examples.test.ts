import { join } from 'node:path';
import { loadConfig } from '../../config/load';
import { checkExposure } from '../../gateway/exposure';
import { resolveSubgraphUrls } from '../../gateway/subgraphs';

/**
 * The example configurations a newcomer copies must load: a key renamed in the schema
 * would otherwise leave the examples failing at start-up with "unknown key".
 */
const EXAMPLES = join(__dirname, '..', '..', 'examples');
// The secrets the examples read from the environment, as a deployment would set them.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  [
    'MLFLOW_TRACKING_USERNAME',
    'MLFLOW_TRACKING_PASSWORD',
    'DATABRICKS_TOKEN',
    'JIRA_API_TOKEN',
    'GITHUB_TOKEN',
    'GITLAB_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'VERTEX_TOKEN',
    'AZURE_TOKEN',
    'MODELGRAPH_SUBGRAPH_SECRET',
  ].map((name) => [name, `example-${name.toLowerCase()}`]),
);
env.MODELGRAPH_API_KEY_HASH = `sha256:${'ab'.repeat(32)}`;
env.RECONCILE_CI_KEY_HASH = `sha256:${'cd'.repeat(32)}`;

describe('examples/', () => {
  it('modelgraph.yaml loads, governance settings included', () => {
    const config = loadConfig({ path: join(EXAMPLES, 'modelgraph.yaml'), env });
    expect(config.sources.mlflow.map((s) => s.name)).toEqual(['prod', 'databricks']);
    expect(config.governance.rules.APPROVED_NOT_DEPLOYED).toEqual({ enabled: true, severity: 'LOW', afterDays: 30 });
    expect(config.governance.approval.summaryPattern).toBe('approv');
    expect(config.history).toMatchObject({ enabled: true, path: '/var/lib/modelgraph/history.sqlite', interval: 3_600_000 });
    expect(config.governance.approval).toMatchObject({ versionField: null, acceptModelLevelTicket: false });
    expect(config.governance.serviceIdentities).toEqual(['svc-*']);
    expect(config.server.auth).toMatchObject({ mode: 'required', jwt: { audience: 'modelgraph' }, apiKeys: [{ name: 'reconcile-ci' }] });
    expect(() => checkExposure(config, 'all')).not.toThrow();
  });

  it('compose.yaml (docker-compose) loads', () => {
    const config = loadConfig({ path: join(EXAMPLES, 'compose.yaml'), env });
    // The inventory reads the sources itself: it needs no way back to the gateway.
    expect(config.inventory.graphUrl).toBeUndefined();
    expect(config.sources.sagemaker.length + config.sources.vertex.length + config.sources.azureml.length).toBeGreaterThan(0);
    // Every service of the split deployment starts: the gateway with auth, subgraphs with the secret.
    expect(config.server.subgraphSecret).toBe(env.MODELGRAPH_SUBGRAPH_SECRET);
    for (const role of ['gateway', 'inventory', 'mlflow', 'jira', 'git', 'registries']) {
      expect(() => checkExposure(config, role, resolveSubgraphUrls(config.subgraphs))).not.toThrow();
    }
  });

  it('compose.yaml without the secret refuses to start a subgraph, naming the variable', () => {
    const config = loadConfig({ path: join(EXAMPLES, 'compose.yaml'), env: { ...env, MODELGRAPH_SUBGRAPH_SECRET: undefined } });
    expect(() => checkExposure(config, 'jira')).toThrow(/MODELGRAPH_SUBGRAPH_SECRET/);
  });
});

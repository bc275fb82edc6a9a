import { join } from 'node:path';
import { loadConfig } from '../../config/load';

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
  ].map((name) => [name, `example-${name.toLowerCase()}`]),
);

describe('examples/', () => {
  it('modelgraph.yaml loads, governance settings included', () => {
    const config = loadConfig({ path: join(EXAMPLES, 'modelgraph.yaml'), env });
    expect(config.sources.mlflow.map((s) => s.name)).toEqual(['prod', 'databricks']);
    expect(config.governance.rules.APPROVED_NOT_DEPLOYED).toEqual({ enabled: true, severity: 'LOW', afterDays: 30 });
    expect(config.governance.approval.summaryPattern).toBe('approv');
  });

  it('compose.yaml (docker-compose) loads', () => {
    const config = loadConfig({ path: join(EXAMPLES, 'compose.yaml'), env });
    expect(config.inventory.graphUrl).toBe('http://gateway:4000/graphql');
    expect(config.sources.sagemaker.length + config.sources.vertex.length + config.sources.azureml.length).toBeGreaterThan(0);
  });
});

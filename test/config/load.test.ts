import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load';
import { configSchema } from '../../config/schema';
import { SOURCE_MODULES } from '../../connectors/sources';

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'modelgraph-config-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('is all defaults without a file', () => {
    const config = loadConfig({ env: {} });
    expect(config.server).toMatchObject({ port: 4000, host: '127.0.0.1', limits: { maxDepth: 15, maxTokens: 5000 } });
    expect(config.server.auth).toBeUndefined();
  });

  it('reads the older server.maxDepth and maxTokens as limits', () => {
    const config = configSchema.parse({ server: { maxDepth: 9, maxTokens: 700 } });
    expect(config.server.limits).toMatchObject({ maxDepth: 9, maxTokens: 700 });
    expect(config.cache.redisUrl).toBeUndefined();
    expect(config.sources.mlflow).toEqual([]);
  });

  it('reads YAML, interpolates ${VAR} and ${VAR:-default}, and applies PORT and REDIS_URL', () => {
    const path = file(
      'c.yaml',
      [
        'sources:',
        '  mlflow:',
        '    - name: prod',
        '      url: ${MLFLOW_URL:-https://mlflow.example.com}',
        '      auth: { type: bearer, token: "${TOKEN}" }',
      ].join('\n'),
    );
    const config = loadConfig({ path, env: { TOKEN: 'dapi-1', PORT: '8080', REDIS_URL: 'redis://cache:6379' } });
    expect(config.sources.mlflow[0]).toMatchObject({
      url: 'https://mlflow.example.com',
      auth: { type: 'bearer', token: 'dapi-1' },
      timeoutMs: 10000,
    });
    expect(config.server.port).toBe(8080);
    expect(config.cache.redisUrl).toBe('redis://cache:6379');
  });

  it('reads JSON', () => {
    const path = file('c.json', JSON.stringify({ server: { port: 5000 }, logLevel: 'warn' }));
    expect(loadConfig({ path, env: {} })).toMatchObject({ server: { port: 5000 }, logLevel: 'warn' });
  });

  it.each([
    ['an unknown key', 'server: { prot: 1 }', /server\.prot: unknown key/],
    ['a bad URL', 'sources: { mlflow: [{ name: prod, url: "ftp://x" }] }', /sources\.mlflow\[0\]\.url: must be an http\(s\) URL/],
    ['a bad instance name', 'sources: { mlflow: [{ name: "Prod!", url: "http://x" }] }', /sources\.mlflow\[0\]\.name/],
    [
      'a duplicate instance',
      'sources: { mlflow: [{ name: a, url: "http://x" }, { name: a, url: "http://y" }] }',
      /sources\.mlflow\[1\]\.name: duplicate instance name "a"/,
    ],
    ['an unknown auth type', 'sources: { mlflow: [{ name: a, url: "http://x", auth: { type: oauth } }] }', /sources\.mlflow\[0\]\.auth\.type/],
    ['a missing variable', 'sources: { mlflow: [{ name: a, url: "${NOPE}" }] }', /sources\.mlflow\[0\]\.url: environment variable NOPE is not set/],
    ['a non-mapping', '- just a list', /top level must be a mapping/],
    ['bad YAML', 'server: [1, 2', /not valid YAML or JSON/],
    ['an unknown severity', 'governance: { rules: { NO_OWNER: { severity: urgent } } }', /governance\.rules\.NO_OWNER\.severity/],
    ['an unknown rule', 'governance: { rules: { NO_TESTS: { enabled: true } } }', /governance\.rules\.NO_TESTS: unknown key/],
    ['a bad approval pattern', 'governance: { approval: { summaryPattern: "approv(" } }', /governance\.approval\.summaryPattern: must be a valid regular expression/],
    ['a waiver of no fingerprint', 'governance: { waivers: [{ fingerprint: "RISK-4", reason: "ok" }] }', /governance\.waivers\[0\]\.fingerprint: must be a finding fingerprint/],
    ['a waiver with a bad date', 'governance: { waivers: [{ fingerprint: "368ea436cf067ca1", reason: "ok", until: "next week" }] }', /governance\.waivers\[0\]\.until: must be an ISO date/],
    ['a negative threshold', 'governance: { rules: { APPROVED_NOT_DEPLOYED: { afterDays: -1 } } }', /governance\.rules\.APPROVED_NOT_DEPLOYED\.afterDays/],
    ['a version field that is no Jira field id', 'governance: { approval: { versionField: "Model Version" } }', /governance\.approval\.versionField: must be a Jira field id/],
    ['a model-level fallback that is no boolean', 'governance: { approval: { acceptModelLevelTicket: sometimes } }', /governance\.approval\.acceptModelLevelTicket/],
    ['an empty service identity pattern', 'governance: { serviceIdentities: [""] }', /governance\.serviceIdentities\[0\]/],
  ])('rejects %s, naming the key', (_what, text, message) => {
    const path = file('bad.yaml', text);
    expect(() => loadConfig({ path, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ path, env: {} })).toThrow(message);
  });

  function errorOf(text: string, env: NodeJS.ProcessEnv = {}): string {
    const path = file('bad.yaml', text);
    try {
      loadConfig({ path, env });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message.replace(path, 'bad.yaml');
    }
    throw new Error('the configuration loaded');
  }

  it('says "required" of a missing key, not what zod expected and received', () => {
    expect(errorOf('sources: { mlflow: [{ url: "https://mlflow.example.com" }] }')).toBe(
      'invalid configuration in bad.yaml:\n  sources.mlflow[0].name: required',
    );
  });

  it('says what type a key wants and what the file gave, in plain words', () => {
    expect(errorOf('server: { port: "8080", introspection: "yes" }\nsources: { mlflow: { name: prod } }\ncache: { ttlSeconds: [1] }')).toBe(
      [
        'invalid configuration in bad.yaml:',
        '  server.port: must be a number, got the text "8080"',
        '  server.introspection: must be true or false, got the text "yes"',
        '  cache.ttlSeconds: must be a number, got a list',
        '  sources.mlflow: must be a list, got a mapping',
      ].join('\n'),
    );
  });

  it('lists the allowed values of a key that takes one of a few', () => {
    expect(errorOf('logLevel: loud')).toBe('invalid configuration in bad.yaml:\n  logLevel: must be one of debug, info, warn, error, silent, got "loud"');
  });

  it('lists the source kinds there are under an unknown one, each unknown key on its line', () => {
    // Every registered kind, in the registry's order (a new source joins the list by itself).
    const kinds = SOURCE_MODULES.map((m) => m.configKey).join(', ');
    expect(kinds).toMatch(/^mlflow, jira, github, gitlab, sagemaker, vertex, azureml(, |$)/);
    expect(errorOf('sources: { wandb: [], neptune: [] }')).toBe(
      [
        'invalid configuration in bad.yaml:',
        `  sources.wandb: unknown key (source kinds: ${kinds})`,
        `  sources.neptune: unknown key (source kinds: ${kinds})`,
      ].join('\n'),
    );
  });

  it('reports every unset environment variable at once, and none that is set or has a default', () => {
    const text = [
      'sources:',
      '  mlflow:',
      '    - name: prod',
      '      url: ${MLFLOW_URL}',
      '      auth: { type: basic, username: "${USER_NAME}", password: "${PASSWORD}" }',
      '    - name: research',
      '      url: ${RESEARCH_URL:-https://research.example.com}',
      '      auth: { type: bearer, token: "${TOKEN}" }',
    ].join('\n');
    expect(errorOf(text, { USER_NAME: 'ci' })).toBe(
      [
        'bad.yaml: 3 environment variables are not set (export them, or give a default: ${VAR:-default}):',
        '  sources.mlflow[0].url: environment variable MLFLOW_URL is not set',
        '  sources.mlflow[0].auth.password: environment variable PASSWORD is not set',
        '  sources.mlflow[1].auth.token: environment variable TOKEN is not set',
      ].join('\n'),
    );
  });

  it('names all the variables examples/modelgraph.yaml needs in one run', () => {
    const message = (() => {
      try {
        loadConfig({ path: join(__dirname, '..', '..', 'examples', 'modelgraph.yaml'), env: {} });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('the example loaded without its variables');
    })();
    const variables = [...message.matchAll(/environment variable (\w+) is not set/g)].map((m) => m[1]);
    expect(message).toMatch(new RegExp(`^\\S+modelgraph\\.yaml: ${variables.length} environment variables are not set`));
    expect(variables.length).toBeGreaterThanOrEqual(3);
    expect(new Set(variables).size).toBe(variables.length);
  });

  it('rejects a bad PORT', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' } })).toThrow(/PORT: must be a port number/);
  });

  it('takes MODELGRAPH_SUBGRAPH_<NAME>_URL over the file\'s subgraphs.<name>, and names the key when it is not a URL', () => {
    const path = file('modelgraph.yaml', 'subgraphs:\n  mlflow: http://file:4002/graphql\n  jira: http://file:4003/graphql\n');
    const config = loadConfig({ path, env: { MODELGRAPH_SUBGRAPH_MLFLOW_URL: 'http://env:4002/graphql', MODELGRAPH_SUBGRAPH_GIT_URL: '' } });
    expect(config.subgraphs).toEqual({ mlflow: 'http://env:4002/graphql', jira: 'http://file:4003/graphql' });
    expect(() => loadConfig({ env: { MODELGRAPH_SUBGRAPH_GIT_URL: 'not a url' } })).toThrow(/subgraphs\.git/);
  });

  it('takes LOG_LEVEL over the file, and names the key when it is not a level', () => {
    expect(loadConfig({ env: { LOG_LEVEL: 'debug' } }).logLevel).toBe('debug');
    expect(() => loadConfig({ env: { LOG_LEVEL: 'verbose' } })).toThrow(/logLevel/);
  });

  it('gives requests in flight 20 s on shutdown unless server.shutdownGraceSeconds says otherwise', () => {
    expect(loadConfig({ env: {} }).server.shutdownGraceSeconds).toBe(20);
  });
});

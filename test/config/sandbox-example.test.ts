import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config/load';
import { configSchema } from '../../config/schema';
import { describeUpstreamKinds, sandboxConfig, sandboxUpstreams, startSandbox, type Sandbox } from '../../sandbox';
import { freePort, retryOnAddressInUse } from '../helpers/free-port';

/**
 * examples/sandbox.yaml is what the README tells a newcomer to serve next to `modelgraph
 * sandbox` (base port 5000): its sources must be the ones the embedded demo builds, at the
 * ports the sandbox command gives each server.
 */
const ROOT = join(__dirname, '..', '..');
const SANDBOX_COMMAND_BASE_PORT = 5000;

describe('examples/sandbox.yaml', () => {
  let sandbox: Sandbox;
  let base: number;

  beforeAll(async () => {
    sandbox = await retryOnAddressInUse(async () => {
      base = await freePort();
      return startSandbox({ basePort: base });
    });
  });
  afterAll(() => sandbox?.close());

  /** Where the server on `url` would listen under `modelgraph sandbox`, as the example names it. */
  function asSandboxCommand(url: string): string {
    const u = new URL(url);
    expect(u.hostname).toBe('127.0.0.1');
    return `http://localhost:${Number(u.port) - base + SANDBOX_COMMAND_BASE_PORT}`;
  }

  it('has the sources, credentials and tickets of the demo, at the sandbox command ports', () => {
    const example = loadConfig({ path: join(ROOT, 'examples', 'sandbox.yaml'), env: {} });
    const demo = sandboxConfig(sandbox);
    const expected = configSchema.parse({ sources: demo.sources, tickets: demo.tickets });
    // Every sandbox URL in a source's settings (`url`, `endpoint`, `host`, a workspace's `url`...).
    const atCommandPorts = (value: unknown): unknown => {
      if (typeof value === 'string') return value.startsWith('http://127.0.0.1:') ? asSandboxCommand(value) : value;
      if (Array.isArray(value)) return value.map(atCommandPorts);
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, atCommandPorts(v)]));
      return value;
    };
    expected.sources = atCommandPorts(expected.sources) as typeof expected.sources;
    expect(example.sources).toEqual(expected.sources);
    expect(example.tickets).toEqual(expected.tickets);
    expect(existsSync(join(ROOT, example.people.aliasesFile ?? 'unset'))).toBe(true);
  });

  it('sandboxUpstreams lists every server in port order, each with its credentials', () => {
    const upstreams = sandboxUpstreams(sandbox);
    expect(upstreams.map((u) => u.url)).toEqual(sandbox.all().map((s) => s.url));
    expect(upstreams.map((u) => Number(new URL(u.url).port) - base)).toEqual(upstreams.map((_, i) => i));
    const github = upstreams.find((u) => u.kind === 'GitHub');
    expect(github?.credentials).toContain('ghp_sandbox');
    // The banner's list: each kind once, in start order, with its instances when several.
    expect(describeUpstreamKinds(upstreams)).toBe(
      'MLflow (prod, research), Jira Cloud, GitHub, GitLab, SageMaker, Vertex AI, Azure ML and Unity Catalog',
    );
  });

  it('the credentials it prints are the ones the servers accept', async () => {
    const upstreams = sandboxUpstreams(sandbox);
    const header = (kind: string) => {
      const [name, value] = upstreams.find((u) => u.kind === kind)!.credentials.replace(/ \(.*$/, '').split(': ');
      return { [name]: value };
    };
    const jira = await fetch(`${sandbox.jira.corp.url}/rest/api/3/myself`, { headers: header('Jira Cloud') });
    expect(jira.status).toBe(200);
    const github = await fetch(`${sandbox.github.cloud.url}/rate_limit`, { headers: header('GitHub') });
    expect(github.status).toBe(200);
    const gitlab = await fetch(`${sandbox.gitlab.com.url}/api/v4/version`, { headers: header('GitLab') });
    expect(gitlab.status).toBe(200);
    const unityCatalog = await fetch(`${sandbox.unityCatalog.lakehouse!.url}/api/2.1/unity-catalog/models?max_results=1`, { headers: header('Unity Catalog') });
    expect(unityCatalog.status).toBe(200);
    const unauthenticated = await fetch(`${sandbox.github.cloud.url}/rate_limit`, { headers: { Authorization: 'Bearer ghp_wrong' } });
    expect(unauthenticated.status).toBe(401);
  });
});

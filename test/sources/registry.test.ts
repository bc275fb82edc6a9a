import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildASTSchema, parse, type GraphQLEnumType } from 'graphql';
import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { SOURCE_KIND_NAMES, sourceName, type SourceKind } from '../../connectors/core/source';
import { parseSourceName, SourceHealthRegistry } from '../../connectors/core/source-health';
import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../../connectors/core/vendor-rate-limits';
import { kindsWith, SOURCE_KIND_VALUES, SOURCE_MODULES } from '../../connectors/sources';
import { declaredSourceKinds, sourceKindEnumSdl, withRegistrySourceKinds } from '../../gateway/source-kind-sdl';
import { WEB_SOURCE_KINDS_PATH, webSourceKindsModule } from '../../gateway/source-kinds-web';
import { createRuntime, SOURCE_KINDS, SUBGRAPH_SOURCE_KINDS, configuredSources, type Runtime } from '../../gateway/stack';
import { SUBGRAPHS } from '../../gateway/subgraphs';
import { generateDemoOrg, sandboxConfig, type Sandbox } from '../../sandbox';
import { PeopleDirectory } from '../../subgraphs/common/identity';
import { SCHEMA_DIR } from '../../subgraphs/common/schema-file';
import { isCloudKind } from '../../subgraphs/inventory/governance/production';
import { readOverrides } from '../../subgraphs/inventory/linking';

/**
 * The sources registry (connectors/sources.ts) is the one table of sources: every place that
 * used to list the vendors now derives from it. Each test here fails when a registered kind
 * is missing from one of those places, so that adding a source cannot half-happen.
 */

const kinds = SOURCE_MODULES.map((m) => m.kind);

describe('the sources registry', () => {
  it('has one module per kind and per config key, and core knows every kind', () => {
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(new Set(SOURCE_MODULES.map((m) => m.configKey)).size).toBe(kinds.length);
    expect([...SOURCE_KIND_NAMES].sort()).toEqual([...kinds].sort());
    expect(SOURCE_KIND_VALUES).toEqual(kinds);
  });

  it('gives each kind a config schema under its key in `sources`', () => {
    const parsed = configSchema.parse({});
    expect(Object.keys(parsed.sources).sort()).toEqual(SOURCE_MODULES.map((m) => m.configKey).sort());
    for (const m of SOURCE_MODULES) {
      expect([m.configKey, parsed.sources[m.configKey]]).toEqual([m.configKey, []]);
      // The module's own schema is what validates the key: a nameless instance is refused there.
      const result = configSchema.safeParse({ sources: { [m.configKey]: [{}] } });
      expect(result.success).toBe(false);
      expect(result.error?.issues.some((i) => i.path.join('.') === `sources.${m.configKey}.0.name`)).toBe(true);
    }
  });

  it('describes each kind\'s health and rate limit, the same as core\'s vendor defaults', () => {
    for (const m of SOURCE_MODULES) {
      expect([m.kind, m.health.rateLimit]).toEqual([m.kind, VENDOR_RATE_LIMITS[m.kind]]);
      expect([m.kind, m.health.concurrency]).toEqual([m.kind, VENDOR_CONCURRENCY[m.kind]]);
      expect(m.label.trim()).not.toBe('');
      // Source health finds every kind's recorder from the name its plumbing is given.
      expect(parseSourceName(sourceName(m.kind, 'x'))).toEqual({ kind: m.kind, instance: 'x' });
      expect(new SourceHealthRegistry().recorderFor(sourceName(m.kind, 'x')).kind).toBe(m.kind);
    }
    expect(Object.keys(VENDOR_RATE_LIMITS).sort()).toEqual([...kinds].sort());
  });

  it('has each subgraph schema declare exactly the registry\'s SourceKind values, as the composed schemas do', () => {
    for (const s of SUBGRAPHS) {
      const sdl = readFileSync(join(SCHEMA_DIR, s.schemaFile), 'utf8');
      expect([s.schemaFile, declaredSourceKinds(sdl)]).toEqual([s.schemaFile, kinds]);
    }
    const publicSchema = buildASTSchema(
      // The public schema is plain SDL: what clients see must list every kind too.
      parse(readFileSync(join(SCHEMA_DIR, 'public.graphql'), 'utf8')),
    );
    const values = (publicSchema.getType('SourceKind') as GraphQLEnumType).getValues().map((v) => v.name);
    expect(values).toEqual(kinds);
  });

  it('writes a stale SourceKind enum from the registry (what `modelgraph compose` does)', () => {
    const stale = 'type Query { a: SourceKind }\n\nenum SourceKind {\n  MLFLOW\n}\n';
    const fixed = withRegistrySourceKinds(stale, 'x.graphql');
    expect(declaredSourceKinds(fixed)).toEqual(kinds);
    expect(fixed).toContain(sourceKindEnumSdl());
    expect(() => withRegistrySourceKinds('type Query { a: Int }\n', 'x.graphql')).toThrow('x.graphql declares no `enum SourceKind');
  });

  it('gives the web app every kind with its label and capabilities (the file `modelgraph compose` writes)', () => {
    const checkedIn = readFileSync(WEB_SOURCE_KINDS_PATH, 'utf8');
    expect(checkedIn).toBe(webSourceKindsModule());
    for (const m of SOURCE_MODULES) expect(checkedIn).toContain(`{ kind: '${m.kind}', label: '${m.label}'`);
  });

  it('links the model registries\' entries (overrides) and treats the deployment targets as clouds', () => {
    for (const kind of kindsWith('modelRegistry')) {
      const id = `${kind.toLowerCase()}:prod:fraud`;
      expect(readOverrides(`links:\n  "${id}": fraud-detector\n`, 'o.yaml')).toEqual({ [id]: 'fraud-detector' });
    }
    for (const kind of kinds.filter((k) => !kindsWith('modelRegistry').includes(k))) {
      expect(() => readOverrides(`links:\n  "${kind.toLowerCase()}:prod:x": y\n`, 'o.yaml')).toThrow('must be <kind>:<instance>:<native id>');
    }
    for (const kind of kinds) expect([kind, isCloudKind(kind)]).toEqual([kind, kindsWith('deploymentTarget').includes(kind)]);
  });

  it('accepts each source\'s identity tool in the people aliases file', () => {
    for (const m of SOURCE_MODULES) {
      if (!m.identityTool) continue;
      const raw = { people: [{ email: 'elena@acme.io', identities: [`${m.identityTool.toLowerCase()}:*:enguyen`] }] };
      expect(() => PeopleDirectory.fromData(raw)).not.toThrow();
    }
    // A source that names no people's identities is no tool of the aliases file.
    const silent = SOURCE_MODULES.find((m) => m.identityTool === null)!;
    const raw = { people: [{ email: 'elena@acme.io', identities: [`${silent.kind.toLowerCase()}:*:x`] }] };
    expect(() => PeopleDirectory.fromData(raw)).toThrow('tool one of');
  });

  describe('the runtime wiring', () => {
    let runtime: Runtime | undefined;
    afterEach(async () => {
      await runtime?.close();
      runtime = undefined;
    });

    it('builds a connector for every configured instance of every kind, in the subgraph that serves it', () => {
      // The sandbox's config: adding a source adds its sandbox, and so an instance here.
      const fake = Object.fromEntries(SOURCE_MODULES.map((m) => [m.configKey, { one: { url: 'http://127.0.0.1:9' } }]));
      const { sources } = sandboxConfig({ ...fake, org: generateDemoOrg({ models: 1 }) } as unknown as Sandbox);
      const config = configSchema.parse({ sources });
      for (const m of SOURCE_MODULES) expect([m.configKey, config.sources[m.configKey].length]).toEqual([m.configKey, 1]);
      expect(configuredSources(config)).toEqual(kinds.map((kind) => ({ kind, instance: 'one' })));
      expect(Object.entries(SOURCE_KINDS)).toEqual(SOURCE_MODULES.map((m) => [m.configKey, m.kind]));

      runtime = createRuntime(config, silentLogger);
      const built: Record<string, SourceKind[]> = {
        mlflow: runtime.mlflow.map((c) => parseSourceName(c.source)!.kind),
        jira: runtime.jira.map((c) => parseSourceName(c.source)!.kind),
        git: runtime.gitHosts.map((c) => parseSourceName(c.source)!.kind),
        registries: runtime.registries.map((c) => parseSourceName(c.source)!.kind),
      };
      expect(Object.values(built).flat().sort()).toEqual([...kinds].sort());
      // What each subgraph process reports under `GET /sources` is what it is handed.
      for (const [subgraph, got] of Object.entries(built)) {
        expect([subgraph, [...SUBGRAPH_SOURCE_KINDS[subgraph as keyof typeof SUBGRAPH_SOURCE_KINDS]]]).toEqual([subgraph, got]);
      }
      expect(SUBGRAPH_SOURCE_KINDS.inventory).toEqual(kinds);
    });
  });
});

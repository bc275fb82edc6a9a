import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildASTSchema, parse, type GraphQLEnumType, type GraphQLUnionType } from 'graphql';
import { configSchema } from '../../config/schema';
import { silentLogger } from '../../connectors/core/logger';
import { sourceName, type SourceKind } from '../../connectors/core/source';
import { parseSourceName, SourceHealthRegistry } from '../../connectors/core/source-health';
import { kindsWith, registryKinds, registryProfile, registryProfiles, SOURCE_KIND_VALUES, SOURCE_MODULES } from '../../connectors/sources';
import {
  declaredEnumValues,
  declaredSourceKinds,
  derivedEnumSdl,
  derivedEnumValues,
  versionDetailsSdl,
  withRegistrySourceKinds,
} from '../../gateway/source-kind-sdl';
import { WEB_SOURCE_KINDS_PATH, webSourceKindsModule } from '../../gateway/source-kinds-web';
import { createRuntime, SOURCE_KINDS, SUBGRAPH_SOURCE_KINDS, configuredSources, type Runtime } from '../../gateway/stack';
import { SUBGRAPHS } from '../../gateway/subgraphs';
import { REPO_ROOT, sourceFiles } from '../helpers/source-files';
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
  it('has one module per kind and per config key', () => {
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(new Set(SOURCE_MODULES.map((m) => m.configKey)).size).toBe(kinds.length);
    expect(SOURCE_KIND_VALUES).toEqual(kinds);
    for (const kind of kinds) expect(kind).toMatch(/^[A-Z][A-Z0-9_]*$/);
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

  it('describes each kind\'s health and default limits (its folder\'s limits.ts; the README table is checked in rate-limit-defaults)', () => {
    for (const m of SOURCE_MODULES) {
      expect([m.kind, typeof m.health.rateLimit]).toEqual([m.kind, 'object']);
      expect([m.kind, Number.isInteger(m.health.concurrency) && m.health.concurrency > 0]).toEqual([m.kind, true]);
      expect(m.label.trim()).not.toBe('');
      // Source health finds every kind's recorder from the name its plumbing is given.
      expect(parseSourceName(sourceName(m.kind, 'x'))).toEqual({ kind: m.kind, instance: 'x' });
      expect(new SourceHealthRegistry().recorderFor(sourceName(m.kind, 'x')).kind).toBe(m.kind);
    }
  });

  it('gives every cloud registry (the registries subgraph\'s sources) a profile of its own kind, and no other source one', () => {
    for (const m of SOURCE_MODULES) {
      const isCloudRegistry = m.slot === 'registries';
      expect([m.kind, m.registry !== undefined]).toEqual([m.kind, isCloudRegistry]);
      if (m.registry) expect(m.registry.kind).toBe(m.kind);
      // A cloud registry is a model registry to linking and governance too.
      if (isCloudRegistry) expect(m.capabilities).toContain('modelRegistry');
    }
    expect(registryProfiles().map((p) => p.kind)).toEqual(registryKinds());
    expect(registryKinds().length).toBeGreaterThan(0);
    expect(() => registryProfile('MLFLOW' as never)).toThrow('declares no registry profile');
  });

  it('has the registries schema declare every registry\'s kind and version details, as the public schema does', () => {
    const sdl = readFileSync(join(SCHEMA_DIR, 'registries.graphql'), 'utf8');
    expect(declaredEnumValues(sdl, 'RegistryKind')).toEqual(registryKinds());
    expect(sdl).toContain(versionDetailsSdl());
    const publicSchema = buildASTSchema(parse(readFileSync(join(SCHEMA_DIR, 'public.graphql'), 'utf8')));
    const members = (publicSchema.getType('CloudVersionDetails') as GraphQLUnionType).getTypes().map((t) => t.name);
    expect(members).toEqual(registryProfiles().map((p) => p.detailsType));
    const registryKindValues = (publicSchema.getType('RegistryKind') as GraphQLEnumType).getValues().map((v) => v.name);
    expect(registryKindValues).toEqual(registryKinds());
    for (const p of registryProfiles()) {
      // Each profile's SDL declares exactly its one details type.
      const defs = parse(p.detailsSdl).definitions.map((d) => ('name' in d ? d.name?.value : undefined));
      expect([p.kind, defs]).toEqual([p.kind, [p.detailsType]]);
    }
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
    expect(fixed).toContain(derivedEnumSdl('SourceKind'));
    expect(() => withRegistrySourceKinds('type Query { a: Int }\n', 'x.graphql')).toThrow('x.graphql declares no `enum SourceKind');
  });

  it('has every schema declaring GitHost or IdentityTool list the git hosts\' kinds and the modules\' identity tools', () => {
    const gitHosts = SOURCE_MODULES.filter((m) => m.slot === 'gitHosts').map((m) => m.kind);
    const tools = [...new Set(SOURCE_MODULES.flatMap((m) => (m.identityTool ? [m.identityTool] : [])))];
    expect(derivedEnumValues('GitHost')).toEqual(gitHosts);
    expect(derivedEnumValues('IdentityTool')).toEqual([...tools, 'GIT']);
    let declaring = 0;
    for (const s of SUBGRAPHS) {
      const sdl = readFileSync(join(SCHEMA_DIR, s.schemaFile), 'utf8');
      for (const name of ['GitHost', 'IdentityTool']) {
        const declared = declaredEnumValues(sdl, name);
        if (declared.length === 0) continue;
        declaring++;
        expect([s.schemaFile, name, declared]).toEqual([s.schemaFile, name, derivedEnumValues(name)]);
      }
    }
    expect(declaring).toBeGreaterThanOrEqual(4);
    const stale = 'enum SourceKind {\n  MLFLOW\n}\n\nenum GitHost {\n  GITHUB\n}\n';
    expect(declaredEnumValues(withRegistrySourceKinds(stale, 'x.graphql'), 'GitHost')).toEqual(gitHosts);
  });

  it('names a cloud registry or git host kind in no product file outside its own folder', () => {
    // The MLflow and Jira slots are served by subgraphs of their own (their tool's API is the
    // interface); every other kind is reached only through the registry and its folder.
    const product = ['connectors', 'subgraphs', 'gateway', 'config', 'cli', 'lib', 'web/src']
      .flatMap((dir) => sourceFiles(dir, /\.tsx?$/))
      .filter((f) => !f.startsWith('web/src/gql') && !f.startsWith('web/src/generated'));
    expect(product.length).toBeGreaterThan(100);
    const texts = new Map(product.map((f) => [f, readFileSync(join(REPO_ROOT, f), 'utf8')]));
    for (const m of SOURCE_MODULES.filter((m) => m.slot === 'registries' || m.slot === 'gitHosts')) {
      const literal = new RegExp(`['"\`]${m.kind}['"\`]`);
      const folders = new Set([...texts].filter(([, text]) => literal.test(text)).map(([f]) => f.split('/').slice(0, 2).join('/')));
      // Its own folder (the one whose source.ts declares the kind), and nowhere else.
      const own = [...texts].find(([f, text]) => f.endsWith('/source.ts') && text.includes(`kind: '${m.kind}'`))?.[0];
      expect(own).toMatch(/^connectors\/[a-z]+\/source\.ts$/);
      expect([m.kind, [...folders]]).toEqual([m.kind, [own!.split('/').slice(0, 2).join('/')]]);
    }
  });

  it('writes a stale RegistryKind enum and version-details block from the registry', () => {
    const current = readFileSync(join(SCHEMA_DIR, 'registries.graphql'), 'utf8');
    const block = versionDetailsSdl();
    const [start, end] = [block.split('\n')[0]!, block.split('\n').at(-1)!];
    const stale = current
      .replace(derivedEnumSdl('RegistryKind'), 'enum RegistryKind {\n  SAGEMAKER\n}')
      .replace(block, `${start}\nunion CloudVersionDetails = Old\n\ntype Old {\n  a: Int\n}\n${end}`);
    expect(stale).not.toBe(current);
    expect(withRegistrySourceKinds(stale, 'registries.graphql')).toBe(current);
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

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  isObjectType,
  lexicographicSortSchema,
  parse,
  printSchema,
  visit,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { composeCommand, SUPERGRAPH_PATH } from '../../gateway/compose';
import { PUBLIC_SCHEMA_FILE } from '../../gateway/public-schema';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';

/**
 * schema/public.graphql, the SDL clients generate types from, is the schema the gateway
 * serves: compared here with what the running gateway answers to introspection.
 */

const PUBLIC_SCHEMA_PATH = join(__dirname, '..', '..', 'schema', PUBLIC_SCHEMA_FILE);
const publicSdl = readFileSync(PUBLIC_SCHEMA_PATH, 'utf8');

/** Order-independent: the gateway lists types in its own order. */
const normalized = (schema: GraphQLSchema) => printSchema(lexicographicSortSchema(schema));

describe('the public schema', () => {
  let sandbox: Sandbox;
  let stack: Stack;
  beforeAll(async () => {
    sandbox = await startSandbox({ models: 4 });
    stack = await startDemoGraph(sandbox);
  });
  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  it('is what the gateway answers to introspection', async () => {
    const { data, errors } = await postGraphql(stack.graphqlUrl, getIntrospectionQuery({ descriptions: true }));
    expect(errors).toBeUndefined();
    const served = buildClientSchema(data as IntrospectionQuery);
    expect(normalized(buildSchema(publicSdl))).toBe(normalized(served));
  });

  it('holds no federation internals, nothing @inaccessible, and no server-side directives', () => {
    const schema = buildSchema(publicSdl);
    const names = Object.keys(schema.getTypeMap());
    expect(names.filter((n) => /^(join|link)__|^_Service$|^_Entity$|^_Any$/.test(n))).toEqual([]);
    expect(schema.getDirectives().map((d) => d.name).sort()).toEqual(['deprecated', 'include', 'oneOf', 'skip', 'specifiedBy']);
    const evidence = schema.getType('FindingEvidence');
    expect(isObjectType(evidence) && Object.keys(evidence.getFields())).toEqual(expect.arrayContaining(['versions', 'tickets']));
    expect(isObjectType(evidence) && Object.keys(evidence.getFields())).not.toContain('mlflowVersions');
    const used = new Set<string>();
    visit(parse(publicSdl), { Directive: (node) => void used.add(node.name.value) });
    expect([...used].filter((name) => name !== 'deprecated')).toEqual([]);
  });
});

describe('compose', () => {
  it('--check names a stale public schema even when the supergraph is current', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelgraph-public-'));
    const out = join(dir, 'supergraph.graphql');
    copyFileSync(SUPERGRAPH_PATH, out);
    writeFileSync(join(dir, PUBLIC_SCHEMA_FILE), publicSdl.replace('type FindingEvidence {', 'type FindingEvidence {\n  gone: String'));

    const result = composeCommand({ check: true, out });
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      `${join(dir, PUBLIC_SCHEMA_FILE)} is stale: the supergraph changed; run \`npm run compose\` and commit it`,
    );

    expect(composeCommand({ out })).toEqual({ ok: true, message: `wrote ${out}\nwrote ${join(dir, PUBLIC_SCHEMA_FILE)}` });
    expect(readFileSync(join(dir, PUBLIC_SCHEMA_FILE), 'utf8')).toBe(publicSdl);
    expect(composeCommand({ check: true, out }).ok).toBe(true);
  });

  it('`modelgraph schema --public` prints the checked-in public schema (built by `npm test`)', async () => {
    const bin = join(__dirname, '..', '..', 'bin', 'modelgraph.js');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'schema', '--public'], { maxBuffer: 8 * 1024 * 1024 });
    expect(stdout).toBe(publicSdl);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, Kind, parse, validate, type DocumentNode, type GraphQLError } from 'graphql';
import ts from 'typescript';
import {
  DEFAULT_OPERATION_LIMITS,
  estimateOperation,
  LIMIT_CODES,
  operationLimitRules,
  readCostDirectives,
  type OperationLimits,
} from '../../../gateway/limits/operation-limits';
import { PORTAL_PAGE_QUERY, PORTAL_PAGE_VARIABLES } from '../../bench/portal-page';

/**
 * The defaults must let through every query the project itself sends, and refuse the known
 * abuses. The legitimate documents are read from where they live (reports, README, the CLI,
 * the benchmark, the integration tests), with the variables
 * their callers pass, so a new report or a bigger page is measured here without editing
 * this file.
 */

const ROOT = join(__dirname, '..', '..', '..');
const SUPERGRAPH = readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8');
const schema = buildSchema(SUPERGRAPH);
const directives = readCostDirectives(SUPERGRAPH);

interface Found {
  where: string;
  text: string;
  /** Variable values the callers pass (literal ones only); `{}` is always tried too. */
  variableSets: Array<Record<string, unknown>>;
}

// ---- finding the documents -------------------------------------------------------------

function isOperationDocument(text: string): DocumentNode | undefined {
  try {
    const document = parse(text);
    return document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION) ? document : undefined;
  } catch {
    return undefined;
  }
}

function literalValue(node: ts.Expression): { ok: true; value: unknown } | { ok: false } {
  if (ts.isNumericLiteral(node)) return { ok: true, value: Number(node.text) };
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { ok: true, value: node.text };
  if (node.kind === ts.SyntaxKind.TrueKeyword) return { ok: true, value: true };
  if (node.kind === ts.SyntaxKind.FalseKeyword) return { ok: true, value: false };
  if (node.kind === ts.SyntaxKind.NullKeyword) return { ok: true, value: null };
  return { ok: false };
}

/**
 * GraphQL documents in a TypeScript file: string and template literals that parse as an
 * operation, with `${CONST}` substitutions folded from the file's own constants (other
 * substitutions, such as a model key inside quotes, become empty), and the literal
 * variables of the calls that pass them.
 */
function documentsInTypeScript(path: string): Found[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const consts = new Map<string, ts.Expression[]>();
  const collect = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      consts.set(node.name.text, [...(consts.get(node.name.text) ?? []), node.initializer]);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);

  const textOf = (node: ts.Expression, depth = 0): string | undefined => {
    if (depth > 5) return undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return textOf(node.expression, depth);
    if (ts.isTemplateExpression(node)) {
      let text = node.head.text;
      for (const span of node.templateSpans) {
        const folded = ts.isIdentifier(span.expression)
          ? (consts.get(span.expression.text) ?? []).map((c) => textOf(c, depth + 1)).find((t) => t !== undefined)
          : undefined;
        text += (folded ?? '') + span.literal.text;
      }
      return text;
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const left = textOf(node.left, depth);
      const right = textOf(node.right, depth);
      return left !== undefined && right !== undefined ? left + right : undefined;
    }
    return undefined;
  };
  const documentTexts = (node: ts.Expression): string[] => {
    if (ts.isIdentifier(node)) return (consts.get(node.text) ?? []).flatMap((c) => documentTexts(c));
    const text = textOf(node);
    return text !== undefined && isOperationDocument(text) ? [text] : [];
  };

  const found = new Map<string, Found>();
  const add = (text: string, variables?: Record<string, unknown>) => {
    const entry = found.get(text) ?? { where: path.slice(ROOT.length + 1), text, variableSets: [] };
    if (variables) entry.variableSets.push(variables);
    found.set(text, entry);
  };
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      for (const text of documentTexts(node)) add(text);
    }
    if (ts.isCallExpression(node)) {
      const docs = node.arguments.flatMap((a) => documentTexts(a));
      if (docs.length > 0) {
        const variables: Record<string, unknown> = {};
        for (const arg of node.arguments) {
          if (!ts.isObjectLiteralExpression(arg)) continue;
          for (const prop of arg.properties) {
            if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name)) continue;
            const value = literalValue(prop.initializer);
            if (value.ok) variables[prop.name.text] = value.value;
          }
        }
        for (const text of docs) add(text, Object.keys(variables).length > 0 ? variables : undefined);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found.values()];
}

function documentsInReadme(): Found[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const found: Found[] = [];
  for (const match of readme.matchAll(/```graphql\n([\s\S]*?)```/g)) {
    if (isOperationDocument(match[1])) found.push({ where: 'README.md', text: match[1], variableSets: [] });
  }
  for (const match of readme.matchAll(/-d '(\{[^']*\})'/g)) {
    const { query } = JSON.parse(match[1]) as { query: string };
    found.push({ where: 'README.md (curl)', text: query, variableSets: [] });
  }
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(ROOT, dir, f));
}

const reports: Found[] = readdirSync(join(ROOT, 'reports'))
  .filter((f) => f.endsWith('.graphql'))
  .map((f) => ({ where: `reports/${f}`, text: readFileSync(join(ROOT, 'reports', f), 'utf8'), variableSets: [] }));
const readme = documentsInReadme();
const cli = [join(ROOT, 'cli', 'main.ts'), join(ROOT, 'cli', 'reconcile.ts')].flatMap(documentsInTypeScript);
// The benchmark's page: its variables are a constant beside it, not a literal at the call.
const bench = documentsInTypeScript(join(ROOT, 'test', 'bench', 'portal-page.ts')).map((f) =>
  f.text === PORTAL_PAGE_QUERY ? { ...f, variableSets: [...f.variableSets, { ...PORTAL_PAGE_VARIABLES }] } : f,
);
const integration = tsFiles('test/integration').flatMap(documentsInTypeScript);

const operationNames = (found: Found[]) =>
  found.flatMap((f) => parse(f.text).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : [])));

describe('the documents this test measures', () => {
  it('finds them where they live, with the page sizes their callers use', () => {
    expect(reports.length).toBeGreaterThanOrEqual(8);
    expect(readme.length).toBeGreaterThanOrEqual(5);
    expect(cli.map((f) => f.text).some((t) => t.includes('models(first: 3)'))).toBe(true); // DEMO_EXAMPLE_QUERY
    expect(operationNames(cli)).toContain('Reconcile');
    expect(operationNames(bench)).toEqual(expect.arrayContaining(['Portal']));
    expect(integration.length).toBeGreaterThanOrEqual(15);

    const pageOf = (found: Found[], name: string) =>
      found.find((f) => operationNames([f]).includes(name))!.variableSets.map((v) => v.first);
    expect(pageOf(cli, 'Reconcile')).toContain(500);
    expect(pageOf(bench, 'Portal')).toContain(50);
  });
});

// ---- legitimate ones pass ----------------------------------------------------------------

function refusals(document: DocumentNode, limits: OperationLimits = DEFAULT_OPERATION_LIMITS): GraphQLError[] {
  // Only this rule: some integration tests send deliberately invalid documents, which
  // graphql's own rules refuse for other reasons.
  return validate(schema, document, operationLimitRules(limits, directives)).filter((e) => LIMIT_CODES.has(String(e.extensions.code)));
}

function runtimeCosts(found: Found): Array<{ operation: string; variables: Record<string, unknown>; cost: number; problem?: string }> {
  const document = parse(found.text);
  return document.definitions.flatMap((d) => {
    if (d.kind !== Kind.OPERATION_DEFINITION) return [];
    return [{}, ...found.variableSets].map((variables) => {
      const estimate = estimateOperation(schema, document, d.name?.value, variables, directives, DEFAULT_OPERATION_LIMITS.defaultListSize);
      return { operation: d.name?.value ?? '(anonymous)', variables, cost: estimate.cost, problem: estimate.slicingProblem };
    });
  });
}

describe.each([
  ['reports/', reports],
  ['README.md', readme],
  ['the CLI (DEMO_EXAMPLE_QUERY, reconcile)', cli],
  ['the benchmark', bench],
  ['the integration tests', integration],
])('the defaults accept every query of %s', (_name, found) => {
  it.each(found.map((f) => [`${f.where}: ${f.text.replace(/#.*\n/g, '').replace(/\s+/g, ' ').trim().slice(0, 80)}`, f] as const))(
    '%s',
    (_label, f) => {
      expect(refusals(parse(f.text)).map((e) => e.message)).toEqual([]);
      for (const run of runtimeCosts(f)) {
        expect({ ...run, withinLimit: run.cost <= DEFAULT_OPERATION_LIMITS.maxCost && !run.problem }).toMatchObject({ withinLimit: true });
      }
    },
  );
});

// ---- hostile ones are refused --------------------------------------------------------------

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

/** `depth` levels of fields that are never lists: only the depth limit can stop them. */
function deepRepository(depth: number): string {
  const chain = Array.from({ length: depth - 2 }, (_, i) => (i % 2 === 0 ? 'lastCommit' : 'repository'));
  const leaf = chain.length % 2 === 0 ? 'url' : 'sha';
  return `{ repository(url: "x") { ${chain.join(' { ')} { ${leaf} }${' }'.repeat(chain.length)} }`;
}

const HOSTILE = {
  'aliases of a heavy page': `{ ${repeat(280, (i) => `a${i}: models(first: 500) { nodes { findings { rule } } }`)} }`,
  'aliases of an upstream search': `{ ${repeat(200, (i) => `r${i}: mlflowRuns(instance: "prod", experimentIds: ["1"]) { nodes { runId } }`)} }`,
  'fragment fan-out': [
    '{ model(key: "fraud-detector") { ...F1 } }',
    ...Array.from({ length: 7 }, (_, i) => `fragment F${i + 1} on Model { ${repeat(8, () => `...F${i + 2}`)} }`),
    'fragment F8 on Model { versions { version } }',
  ].join('\n'),
  'depth 16': deepRepository(16),
  'a thousand directives': `{ model(key: "x") { ${repeat(1000, () => 'key @include(if: true)')} } }`,
};

describe('the defaults refuse', () => {
  const codes = (query: string, limits?: OperationLimits) => refusals(parse(query), limits).map((e) => e.extensions.code);

  it('280 aliases of models(first: 500) { nodes { findings { rule } } }, by aliases, root fields and cost', () => {
    expect(codes(HOSTILE['aliases of a heavy page'])).toEqual(['TOO_MANY_ALIASES', 'TOO_MANY_ROOT_FIELDS', 'COST_ESTIMATED_TOO_EXPENSIVE']);
  });

  it('200 aliases of mlflowRuns, by aliases, root fields and cost', () => {
    expect(codes(HOSTILE['aliases of an upstream search'])).toEqual(['TOO_MANY_ALIASES', 'TOO_MANY_ROOT_FIELDS', 'COST_ESTIMATED_TOO_EXPENSIVE']);
  });

  it('by cost alone, were the alias and root-field limits lifted', () => {
    const costOnly = { ...DEFAULT_OPERATION_LIMITS, maxAliases: Infinity, maxRootFields: undefined };
    for (const query of [HOSTILE['aliases of a heavy page'], HOSTILE['aliases of an upstream search'], HOSTILE['fragment fan-out']]) {
      expect(codes(query, costOnly)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    }
  });

  it('8 fragments each spreading the next 8 times, by cost', () => {
    // The depth rule this replaces took seconds on this document (8^7 walks); that the
    // analysis visits each selection once is counted in linearity.test.ts.
    expect(codes(HOSTILE['fragment fan-out'])).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
  });

  it('depth 16', () => {
    expect(codes(HOSTILE['depth 16'])).toEqual(['QUERY_TOO_DEEP']);
    expect(codes(deepRepository(15))).toEqual([]);
  });

  it('1000 @include(if: true)', () => {
    expect(codes(HOSTILE['a thousand directives'])).toEqual(['TOO_MANY_DIRECTIVES']);
  });

  it('a page of 100000 through a variable, once the variables are known', () => {
    const query = 'query Page($n: Int) { models(first: $n) { nodes { key findings { rule } } } }';
    expect(codes(query)).toEqual([]);
    const { cost } = estimateOperation(schema, parse(query), 'Page', { n: 100000 }, directives, DEFAULT_OPERATION_LIMITS.defaultListSize);
    expect(cost).toBeGreaterThan(DEFAULT_OPERATION_LIMITS.maxCost);
  });
});

import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { NO_COST_DIRECTIVES, operationLimitRules } from '../../../gateway/limits/operation-limits';

// Moved from test/gateway/depth-limit.test.ts: the depth limit is now one of the operation
// limits, with the same semantics and messages.

const schema = buildSchema(`
  type Query { model: Model }
  type Model { key: String, versions: [Version] }
  type Version { run: Run, model: Model }
  type Run { name: String, version: Version }
`);

const onlyDepth = (maxDepth: number) => ({
  maxDepth,
  maxAliases: Infinity,
  maxDirectives: Infinity,
  maxCost: Infinity,
  defaultListSize: 10,
});

function errors(query: string, max: number) {
  return validate(schema, parse(query), [...specifiedRules, ...operationLimitRules(onlyDepth(max), NO_COST_DIRECTIVES)]).map(
    (e) => e.message,
  );
}

describe('the nesting limit', () => {
  const nested = (n: number) => `{ model { ${'... on Model { '.repeat(n)}key${' }'.repeat(n)} } }`;
  const nestingErrors = (query: string, maxNesting: number) =>
    validate(schema, parse(query), [...specifiedRules, ...operationLimitRules({ ...onlyDepth(15), maxNesting }, NO_COST_DIRECTIVES)]).map(
      (e) => e.message,
    );

  it('counts inline fragments, which add no depth', () => {
    // The root set, model's set, and n inline fragments.
    expect(nestingErrors(nested(8), 10)).toEqual([]);
    expect(nestingErrors(nested(9), 10)).toEqual(['the operation nests 11 selection sets (fragments included); the limit is 10']);
    expect(errors(nested(900), 15)).toEqual([]);
  });

  it('counts named fragments spread in one another', () => {
    const chain = (n: number) =>
      `{ model { ...F1 } }\n${Array.from({ length: n - 1 }, (_, i) => `fragment F${i + 1} on Model { ...F${i + 2} }`).join('\n')}\nfragment F${n} on Model { key }`;
    expect(nestingErrors(chain(8), 10)).toEqual([]);
    expect(nestingErrors(chain(9), 10)).toHaveLength(1);
  });

  it('says only that the operation is too deep when the depth limit already refused it', () => {
    expect(nestingErrors('{ model { versions { run { version { run { name } } } } } }', 3).length).toBeGreaterThan(0);
    expect(
      validate(schema, parse('{ model { versions { run { version { run { name } } } } } }'), [
        ...operationLimitRules({ ...onlyDepth(4), maxNesting: 3 }, NO_COST_DIRECTIVES),
      ]).map((e) => e.message),
    ).toEqual(['the operation is 6 levels deep; the limit is 4']);
  });
});

describe('the depth limit', () => {
  it('accepts a query at the limit', () => {
    expect(errors('{ model { versions { run { name } } } }', 4)).toEqual([]);
  });

  it('refuses a query one level deeper, naming the depth and the limit', () => {
    expect(errors('query Deep { model { versions { run { version { run { name } } } } } }', 4)).toEqual([
      'operation "Deep" is 6 levels deep; the limit is 4',
    ]);
  });

  it('follows fragments and inline fragments', () => {
    const query = `
      { model { ...V } }
      fragment V on Model { versions { ... on Version { run { version { model { key } } } } } }`;
    expect(errors(query, 5)).toEqual(['the operation is 6 levels deep; the limit is 5']);
  });

  it('adds a fragment\'s depth where it is spread, however deep that is', () => {
    const query = `
      { model { versions { ...R } } a: model { ...M } }
      fragment R on Version { run { version { model { key } } } }
      fragment M on Model { key }`;
    expect(errors(query, 5)).toEqual(['the operation is 6 levels deep; the limit is 5']);
    expect(errors(query, 6)).toEqual([]);
  });

  it('counts introspection fields', () => {
    expect(errors('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', 6)).toEqual([
      'the operation is 7 levels deep; the limit is 6',
    ]);
    // The standard introspection query (what Sandbox and codegen send) is 15 deep: the default passes it.
    expect(errors(getIntrospectionQuery(), 15)).toEqual([]);
  });

  it('never loops on a fragment cycle, which graphql\'s NoFragmentCycles reports', () => {
    const query = `
      { model { ...A } }
      fragment A on Model { versions { model { ...B } } }
      fragment B on Model { versions { model { ...A } } }`;
    expect(errors(query, 100)).toEqual(['Cannot spread fragment "A" within itself via "B".']);
  });
});

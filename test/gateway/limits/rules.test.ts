import { ApolloServer } from '@apollo/server';
import { buildSchema, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import {
  DEFAULT_OPERATION_LIMITS,
  estimateOperation,
  operationLimitRules,
  operationLimitsPlugin,
  readCostDirectives,
  restoreLimitCode,
  type OperationEstimate,
  type OperationLimits,
} from '../../../gateway/limits/operation-limits';

const SDL = `
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  type Query {
    model(key: ID!): Model
    models(first: Int = 10): [Model!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
    search(first: Int, last: Int): [Model!]! @listSize(slicingArguments: ["first", "last"])
    labels: [String!]!
  }
  type Model { key: ID! versions: [Version!]! @listSize(assumedSize: 20) }
  type Version { version: String! model: Model }
`;
const schema = buildSchema(SDL);
const directives = readCostDirectives(SDL);

const LIMITS: OperationLimits = { maxDepth: 5, maxAliases: 3, maxDirectives: 2, maxCost: 100, defaultListSize: 50, maxRootFields: 3 };

function refusals(query: string, limits: OperationLimits = LIMITS): readonly GraphQLError[] {
  return validate(schema, parse(query), [...specifiedRules, ...operationLimitRules(limits, directives)]);
}
const codes = (query: string, limits?: OperationLimits) => refusals(query, limits).map((e) => e.extensions.code);
const estimate = (query: string): OperationEstimate => estimateOperation(schema, parse(query), undefined, undefined, directives, 50);

describe('counting', () => {
  it('counts each aliased field of the document once, however often its fragment is spread', () => {
    expect(estimate('{ model(key: "a") { ...A ...A } } fragment A on Model { k: key }').aliases).toBe(1);
    expect(estimate('{ a: model(key: "a") { ...A } b: model(key: "b") { ...A } } fragment A on Model { k: key }').aliases).toBe(3);
    // A fragment the operation does not reach is not the operation's (NoUnusedFragments refuses it anyway).
    expect(estimate('{ model(key: "a") { key } } fragment A on Model { k: key }').aliases).toBe(0);
  });

  it('counts every directive usage of the operation and the fragments it reaches, each once', () => {
    const query = `
      query Q($x: Boolean! @deprecated) @deprecated {
        model(key: "a") @include(if: $x) { key @skip(if: false) ...A @include(if: true) ...A ... @skip(if: false) { key } }
      }
      fragment A on Model @deprecated { k: key @include(if: true) }`;
    // variable 1 + operation 1 + model 1 + key 1 + the first spread 1 + inline 1 + fragment 1 + its field 1
    expect(estimate(query).directives).toBe(8);
  });

  it('counts root fields by response name, through fragments, merging repeats', () => {
    const query = `
      { model(key: "a") { key } model(key: "a") { key } m2: model(key: "b") { key } ...R ...R ... on Query { labels } }
      fragment R on Query { labels r: labels }`;
    expect(estimate(query).rootFields).toBe(4);
  });
});

describe('operationLimitRules', () => {
  it('accepts an operation within every limit', () => {
    expect(refusals('query Ok { a: model(key: "a") { versions { version } } }')).toEqual([]);
  });

  it('refuses each limit passed, once, naming the value measured and the limit', () => {
    const query = `query Big {
      a: models(first: 40) { k1: key k2: key @include(if: true) k3: key @include(if: true) k4: key @include(if: true) }
      b: labels c: labels d: labels
      e: models(first: 70) { versions { model { versions { model { key } } } } }
    }`;
    expect(refusals(query).map((e) => [e.extensions.code, e.message])).toEqual([
      ['QUERY_TOO_DEEP', 'operation "Big" is 6 levels deep; the limit is 5'],
      ['TOO_MANY_ALIASES', 'operation "Big" has 9 aliases; the limit is 3'],
      ['TOO_MANY_DIRECTIVES', 'operation "Big" has 3 directives; the limit is 2'],
      ['TOO_MANY_ROOT_FIELDS', 'operation "Big" has 5 top-level fields; the limit is 3'],
      // a: 40 models; e: 70 x (model 1 + 20 x (version 1 + model 1 + 20 x (version 1 + model 1)))
      ['COST_ESTIMATED_TOO_EXPENSIVE', `operation "Big" has an estimated cost of ${40 + 70 * (1 + 20 * (2 + 20 * 2))}; the limit is 100`],
    ]);
  });

  it('refuses a cost over the limit with the Router\'s code and extensions', () => {
    const [error] = refusals('query Page { models(first: 101) { key } }');
    expect(error.message).toBe('operation "Page" has an estimated cost of 101; the limit is 100');
    expect(error.extensions).toEqual({ code: 'COST_ESTIMATED_TOO_EXPENSIVE', measured: 101, limit: 100, 'cost.estimated': 101, 'cost.max': 100 });
    expect(codes('{ models(first: 100) { key } }')).toEqual([]);
  });

  it('says "at least" when the cost saturated', () => {
    const query = `{ models(first: 2147483647) { ${'versions { model { '.repeat(6)} key ${'} } '.repeat(6)} } }`;
    const [error] = refusals(query, { ...LIMITS, maxDepth: 20 });
    expect(error.message).toBe(`the operation has an estimated cost of at least ${Number.MAX_SAFE_INTEGER}; the limit is 100`);
  });

  it('costs a variable slicing argument at its default, else at the default list size', () => {
    expect(codes('query P($n: Int = 99) { models(first: $n) { key } }')).toEqual([]);
    expect(codes('query P($n: Int = 101) { models(first: $n) { key } }')).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(codes('query P($n: Int) { models(first: $n) { key } }')).toEqual([]); // 50, the default list size
    expect(codes('query P($n: Int) { models(first: $n) { key } }', { ...LIMITS, defaultListSize: 101 })).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
  });

  it('refuses, as the Router does, a list that requires one slicing argument and gets none or two', () => {
    expect(codes('{ search { key } }')).toEqual(['COST_QUERY_PARSE_FAILURE']);
    expect(codes('{ search(first: 1, last: 2) { key } }')).toEqual(['COST_QUERY_PARSE_FAILURE']);
    expect(codes('{ search(first: 1) { key } }')).toEqual([]);
  });

  it('judges each operation of a document on its own', () => {
    const query = `
      query Cheap { model(key: "a") { key } }
      query Dear { models(first: 500) { key } }`;
    expect(refusals(query).map((e) => e.message)).toEqual(['operation "Dear" has an estimated cost of 500; the limit is 100']);
  });

  it('reports after graphql\'s own refusals of the same operation', () => {
    const errors = refusals('{ labels @skip(if: false) @skip(if: false) @skip(if: false) }');
    expect(errors.map((e) => e.extensions.code ?? 'graphql')).toEqual(['graphql', 'graphql', 'TOO_MANY_DIRECTIVES']);
  });

  it('survives documents graphql\'s own rules refuse (unknown fields, types and fragments)', () => {
    const query = '{ nope { key } model(key: "a") { ...Missing ... on Nope { x } versions { nope } } }';
    expect(() => validate(schema, parse(query), operationLimitRules(LIMITS, directives))).not.toThrow();
    expect(validate(schema, parse(query), operationLimitRules(LIMITS, directives))).toEqual([]);
  });

  it('lets the standard introspection query through under the defaults', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    expect(validate(schema, parse(getIntrospectionQuery()), operationLimitRules(DEFAULT_OPERATION_LIMITS, directives))).toEqual([]);
  });
});

describe('operationLimitsPlugin', () => {
  const server = new ApolloServer({
    typeDefs: SDL,
    resolvers: { Query: { models: () => [], search: () => [] } },
    validationRules: operationLimitRules(LIMITS, directives),
    plugins: [operationLimitsPlugin(LIMITS, directives)],
    formatError: restoreLimitCode,
  });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  async function run(query: string, variables?: Record<string, unknown>) {
    const response = await server.executeOperation({ query, variables });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, result: response.body.singleResult };
  }

  it('refuses, with 400, what only the variables make too expensive', async () => {
    const query = 'query Page($n: Int) { models(first: $n) { key } }';
    expect((await run(query, { n: 5 })).result.errors).toBeUndefined();
    const refused = await run(query, { n: 100000 });
    expect(refused.status).toBe(400);
    expect(refused.result.errors).toEqual([
      expect.objectContaining({
        message: 'operation "Page" has an estimated cost of 100000; the limit is 100',
        extensions: expect.objectContaining({ code: 'COST_ESTIMATED_TOO_EXPENSIVE', 'cost.estimated': 100000, 'cost.max': 100 }),
      }),
    ]);
  });

  it('answers the validation rules\' refusals with their own code once formatError restores it', async () => {
    const refused = await run('query Deep { model(key: "a") { versions { model { versions { model { versions { version } } } } } } }');
    expect(refused.status).toBe(400);
    expect(refused.result.errors).toEqual([
      expect.objectContaining({
        message: 'operation "Deep" is 7 levels deep; the limit is 5',
        extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP', measured: 7, limit: 5 }),
      }),
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'COST_ESTIMATED_TOO_EXPENSIVE' }) }),
    ]);
    // graphql's own refusals keep Apollo Server's code.
    expect((await run('{ nope }')).result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('does not overflow the stack on variables nested 300,000 deep: coercion refuses them after', async () => {
    let nested: unknown = 'x';
    for (let i = 0; i < 300_000; i++) nested = [nested];
    const typeDefs = `${SDL} extend type Query { filtered(filter: [F]): [Model!]! } input F { and: [F] key: String }`;
    const deep = new ApolloServer({ typeDefs, plugins: [operationLimitsPlugin(LIMITS, directives)] });
    await deep.start();
    const response = await deep.executeOperation({ query: 'query($f: [F]) { filtered(filter: $f) { key } }', variables: { f: nested } });
    await deep.stop();
    expect(response.http.status).toBe(400);
    expect(response.body.kind === 'single' && response.body.singleResult.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('hands every estimate to onEstimate, e.g. for an audit log', async () => {
    const seen: Array<[string | null, number]> = [];
    const audited = new ApolloServer({
      typeDefs: SDL,
      resolvers: { Query: { models: () => [] } },
      plugins: [operationLimitsPlugin(LIMITS, directives, (e, name) => seen.push([name, e.cost]))],
    });
    await audited.start();
    await audited.executeOperation({ query: 'query Page($n: Int) { models(first: $n) { key } }', variables: { n: 7 } });
    await audited.stop();
    expect(seen).toEqual([['Page', 7]]);
  });
});

import { buildSchema, parse } from 'graphql';
import { estimateOperation, readCostDirectives, type CostDirectives } from '../../../gateway/limits/operation-limits';

/**
 * Costs by Apollo Router's demand-control rules, checked against values worked out by hand:
 * an object, interface or union field costs 1, a scalar or enum 0, a list its size times
 * its element's cost (the size from a slicing argument, else @listSize's assumedSize, else
 * the default list size), @cost replaces a field's or type's weight, arguments' @cost and
 * input objects (1 each) add once, a mutation starts at 10.
 */

const DIRECTIVES = `
  directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`;

const SDL = `${DIRECTIVES}
  type Query {
    model(key: ID!): Model
    models(first: Int = 50, after: String, filter: ModelFilter): ModelConnection!
      @listSize(slicingArguments: ["first"], sizedFields: ["nodes", "edges"], requireOneSlicingArgument: false)
    search(first: Int, last: Int): [Model!]! @listSize(slicingArguments: ["first", "last"])
    byIds(ids: [ID!]!): [Model!]! @listSize(slicingArguments: ["ids"], requireOneSlicingArgument: false)
    runSearch(query: String! @cost(weight: 30)): [Run!]! @listSize(assumedSize: 4)
    expensive: Run @cost(weight: 50)
    versions: [Version!]!
    labels: [String!]!
    audit: Audit
    node(id: ID!): Node
    thing: Thing
  }
  type Mutation { retrain(key: ID!): Run }
  type Model {
    key: ID!
    versions: [Version!]! @listSize(assumedSize: 20)
    owner: Person
    score: Float @cost(weight: 2)
    status: Status
    audit: Audit
  }
  type ModelConnection { nodes: [Model!]! edges: [ModelEdge!]! totalCount: Int! pageInfo: PageInfo! }
  type ModelEdge { cursor: String! node: Model! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  interface Node { id: ID! }
  type Version implements Node { id: ID! run: Run model: Model }
  type Run implements Node { id: ID! metrics: [Metric!]! @listSize(assumedSize: 5) version: Version }
  type Metric { key: String! value: Float! }
  type Person { id: ID! }
  type Audit @cost(weight: 7) { id: ID! }
  enum Status @cost(weight: 4) { A B }
  union Thing = Model | Run
  input ModelFilter { search: String team: String @cost(weight: 6) tags: [String!] }
`;

const schema = buildSchema(SDL);
const directives = readCostDirectives(SDL);
const DEFAULT_LIST_SIZE = 100;

function cost(query: string, variables?: Record<string, unknown>, costDirectives: CostDirectives = directives, on = schema) {
  return estimateOperation(on, parse(query), undefined, variables, costDirectives, DEFAULT_LIST_SIZE).cost;
}

describe('estimated cost', () => {
  it('an object costs 1 and its scalars nothing', () => {
    expect(cost('{ model(key: "a") { key } }')).toBe(1);
    expect(cost('{ model(key: "a") { __typename key } }')).toBe(1);
  });

  it('a list costs its assumedSize times its element', () => {
    expect(cost('{ model(key: "a") { versions { id } } }')).toBe(1 + 20 * 1);
  });

  it('a list without @listSize costs the default list size; a list of scalars nothing', () => {
    expect(cost('{ versions { id } }')).toBe(DEFAULT_LIST_SIZE);
    expect(cost('{ labels }')).toBe(0);
  });

  it('nested lists multiply', () => {
    // model 1 + 20 versions x (version 1 + run 1 + 5 metrics x 1)
    expect(cost('{ model(key: "a") { versions { run { metrics { key } } } } }')).toBe(1 + 20 * (1 + 1 + 5));
  });

  it('sizes a connection\'s nodes and edges by its slicing argument (sizedFields)', () => {
    // connection 1 + 10 nodes + 10 edges x (edge 1 + node 1) + pageInfo 1
    expect(cost('{ models(first: 10) { totalCount nodes { key } edges { cursor node { key } } pageInfo { hasNextPage } } }')).toBe(
      1 + 10 + 10 * 2 + 1,
    );
  });

  it('takes a slicing argument left out from the schema\'s default (first: Int = 50)', () => {
    expect(cost('{ models { nodes { key } } }')).toBe(1 + 50);
  });

  it('takes a slicing argument from the variables, the operation\'s default, the schema\'s, or else the default list size', () => {
    const query = 'query Q($n: Int) { models(first: $n) { nodes { key } } }';
    expect(cost(query, { n: 3 })).toBe(1 + 3);
    expect(cost(query, { n: 100000 })).toBe(1 + 100000);
    // Known variables without n: the argument is unset, so the schema's default applies.
    expect(cost(query, {})).toBe(1 + 50);
    // Not known yet (the validation rule): the list's assumedSize, else the default list size.
    expect(cost(query)).toBe(1 + DEFAULT_LIST_SIZE);
    const withDefault = 'query Q($n: Int = 7) { models(first: $n) { nodes { key } } }';
    expect(cost(withDefault)).toBe(1 + 7);
    expect(cost(withDefault, {})).toBe(1 + 7);
    expect(cost(withDefault, { n: 2 })).toBe(1 + 2);
  });

  it('counts a list slicing argument by its length', () => {
    expect(cost('{ byIds(ids: ["a", "b", "c"]) { key } }')).toBe(3);
    expect(cost('query Q($ids: [ID!]!) { byIds(ids: $ids) { key } }', { ids: ['a', 'b'] })).toBe(2);
  });

  it('gives a negative slicing argument no credit', () => {
    expect(cost('{ models(first: -100) { nodes { key } } }')).toBe(1);
    expect(cost('query Q($n: Int) { models(first: $n) { nodes { key } } }', { n: -5 })).toBe(1);
  });

  it('sizes nodes through fragments, each costed once and reused under parents of other sizes', () => {
    const query = `
      { a: models(first: 5) { ...Page } b: models(first: 7) { ...Page } }
      fragment Page on ModelConnection { nodes { ...M } }
      fragment M on Model { versions { id } }`;
    // each: connection 1 + first x (model 1 + 20 versions)
    expect(cost(query)).toBe(1 + 5 * 21 + (1 + 7 * 21));
  });

  it('lets @cost replace a field\'s weight, and a type\'s', () => {
    expect(cost('{ model(key: "a") { score } }')).toBe(1 + 2);
    expect(cost('{ expensive { id } }')).toBe(50);
    expect(cost('{ audit { id } }')).toBe(7);
    expect(cost('{ model(key: "a") { status audit { id } } }')).toBe(1 + 4 + 7);
  });

  it('adds an argument\'s @cost once, not per element of the list it returns', () => {
    expect(cost('{ runSearch(query: "x") { id } }')).toBe(4 * 1 + 30);
    const query = 'query S($q: String!) { runSearch(query: $q) { id } }';
    expect(cost(query, { q: 'x' })).toBe(4 + 30);
    // Before the variables are known, the argument is assumed given.
    expect(cost(query)).toBe(4 + 30);
  });

  it('costs an input object 1, plus the @cost of what it sets, from a literal or a variable', () => {
    expect(cost('{ models(first: 1, filter: { search: "x", team: "y" }) { totalCount } }')).toBe(1 + (1 + 0 + 6));
    expect(cost('{ models(first: 1, filter: { tags: ["a", "b"] }) { totalCount } }')).toBe(1 + 1);
    const query = 'query F($f: ModelFilter) { models(first: 1, filter: $f) { totalCount } }';
    expect(cost(query, { f: { search: 'x', team: 'y' } })).toBe(1 + 7);
    expect(cost(query, { f: null })).toBe(1);
  });

  it('adds up every fragment of an interface or union field, as the Router does', () => {
    // The Router sums the selections of every type condition (an upper bound), rather than
    // taking the dearest possible type: node 1 + Run's 5 metrics + Version's model 1.
    expect(cost('{ node(id: "1") { id ... on Run { metrics { key } } ... on Version { model { key } } } }')).toBe(1 + 5 + 1);
    expect(cost('{ thing { ... on Model { versions { id } } ... on Run { metrics { key } } } }')).toBe(1 + 20 + 5);
  });

  it('starts a mutation at 10', () => {
    expect(cost('mutation { retrain(key: "a") { id } }')).toBe(10 + 1);
  });

  it('leaves out fields skipped by a literal @skip or @include, and keeps those that depend on a variable', () => {
    expect(cost('{ model(key: "a") { versions @skip(if: true) { id } } }')).toBe(1);
    expect(cost('{ model(key: "a") { versions @include(if: false) { id } } }')).toBe(1);
    expect(cost('query Q($x: Boolean!) { model(key: "a") { versions @include(if: $x) { id } } }')).toBe(21);
  });

  it('reports a missing or doubled slicing argument that the schema requires', () => {
    const estimate = (query: string) => estimateOperation(schema, parse(query), undefined, undefined, directives, DEFAULT_LIST_SIZE);
    expect(estimate('{ search(first: 4) { key } }')).toMatchObject({ cost: 4 });
    expect(estimate('{ search(first: 4) { key } }').slicingProblem).toBeUndefined();
    expect(estimate('{ search { key } }').slicingProblem).toBe('search needs exactly one of its slicing arguments (first, last), but 0 are set');
    expect(estimate('{ search(first: 2, last: 3) { key } }')).toMatchObject({ cost: 3, slicingProblem: expect.stringContaining('2 are set') });
  });

  it('saturates at Number.MAX_SAFE_INTEGER', () => {
    const query = 'query Q($n: Int) { models(first: $n) { nodes { versions { run { metrics { key } } } } } }';
    expect(cost(query, { n: 1e15 })).toBe(Number.MAX_SAFE_INTEGER);
    const nested = `query Q($n: Int) { ${Array.from({ length: 30 }, (_, i) => `a${i}: models(first: $n) { nodes { key } }`).join(' ')} }`;
    expect(cost(nested, { n: Number.MAX_SAFE_INTEGER })).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('@requires', () => {
  // A supergraph's shape: the cost spec linked with only @listSize imported (so @cost keeps
  // its own name, as composition writes it), and what a field requires in @join__field.
  const SUPERGRAPH = `
    schema
      @link(url: "https://specs.apollo.dev/link/v1.0")
      @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
      @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])
    { query: Query }
    directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
    directive @join__field(graph: join__Graph, requires: join__FieldSet, external: Boolean) repeatable on FIELD_DEFINITION
    ${DIRECTIVES}
    scalar link__Import
    scalar join__FieldSet
    enum link__Purpose { SECURITY EXECUTION }
    enum join__Graph { A B }
    type Query { model(key: ID!): Model @join__field(graph: A) }
    type Model {
      key: ID!
      versions: [Version!]! @join__field(graph: A, external: true) @join__field(graph: B) @listSize(assumedSize: 3)
      findings: [Finding!] @join__field(graph: A, requires: "versions { id run { id } }") @listSize(assumedSize: 2)
    }
    type Version { id: ID! run: Run }
    type Run { id: ID! }
    type Finding { rule: String! }
  `;
  const superSchema = buildSchema(SUPERGRAPH);
  const superDirectives = readCostDirectives(SUPERGRAPH);

  it('adds what a field requires from other subgraphs: the gateway fetches it either way', () => {
    // model 1 + 2 findings x 1 + required 3 versions x (version 1 + run 1)
    expect(cost('{ model(key: "a") { findings { rule } } }', undefined, superDirectives, superSchema)).toBe(1 + 2 + 3 * 2);
  });

  it('adds it for every selection of the field, as the Router does (an upper bound)', () => {
    expect(cost('{ model(key: "a") { f: findings { rule } g: findings { rule } } }', undefined, superDirectives, superSchema)).toBe(1 + 2 * (2 + 6));
  });
});

describe('readCostDirectives', () => {
  const FIELD = (cost: string, listSize: string) =>
    `type Query { search(q: String ${cost}(weight: 3)): [Hit] ${cost}(weight: 9) ${listSize}(assumedSize: 12) } type Hit { id: ID }`;
  const read = (schemaExtension: string, cost: string, listSize: string) => readCostDirectives(`${schemaExtension}\n${FIELD(cost, listSize)}`);
  const expectRead = (directives: CostDirectives) => {
    expect(directives.cost.get('Query.search')).toBe(9);
    expect(directives.cost.get('Query.search(q:)')).toBe(3);
    expect(directives.listSize.get('Query.search')).toEqual({ assumedSize: 12, requireOneSlicingArgument: true });
  };

  it('reads the plain names when no spec is linked', () => {
    expectRead(read('', '@cost', '@listSize'));
  });

  it('follows the cost spec\'s @link: @cost keeps the spec\'s name, the rest are prefixed unless imported', () => {
    expectRead(read('extend schema @link(url: "https://specs.apollo.dev/cost/v0.1")', '@cost', '@cost__listSize'));
    expectRead(read('extend schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])', '@cost', '@listSize'));
    expectRead(read('extend schema @link(url: "https://specs.apollo.dev/cost/v0.1", as: "price")', '@price', '@price__listSize'));
    expectRead(
      read('extend schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@cost", as: "@weight" }, "@listSize"])', '@weight', '@listSize'),
    );
    // A directive under a name the link does not give it is someone else's.
    expect(read('extend schema @link(url: "https://specs.apollo.dev/cost/v0.1")', '@cost', '@listSize').listSize.size).toBe(0);
  });

  it('follows a subgraph\'s federation @link', () => {
    expectRead(read('extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@cost", "@listSize"])', '@cost', '@listSize'));
    expectRead(read('extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])', '@federation__cost', '@federation__listSize'));
  });

  it('reads slicing arguments, sized fields and requireOneSlicingArgument', () => {
    const directives = readCostDirectives(`${DIRECTIVES}
      type Query { models(first: Int): [M] @listSize(slicingArguments: ["first"], sizedFields: ["nodes"], requireOneSlicingArgument: false) }
      type M { id: ID }`);
    expect(directives.listSize.get('Query.models')).toEqual({
      slicingArguments: ['first'],
      sizedFields: ['nodes'],
      requireOneSlicingArgument: false,
    });
  });
});

import { buildSchema, parse, visit, type DocumentNode } from 'graphql';
import { estimateOperation, readCostDirectives, type EstimateStats } from '../../../gateway/limits/operation-limits';

/**
 * The analysis must take time linear in the document: a fragment spread N times, by
 * fragments themselves spread N times, is analysed once. Counted, not timed: the number of
 * selections visited must equal the number the document holds, however many paths lead to
 * them.
 */

const SDL = `
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  type Query { model(key: ID!): Model }
  type Model {
    key: ID!
    versions: [Version!]! @listSize(assumedSize: 20)
    deployments: [Deployment!]! @listSize(assumedSize: 5)
  }
  type Version { version: String! }
  type Deployment { model: Model }
`;
const schema = buildSchema(SDL);
const directives = readCostDirectives(SDL);

function selectionsIn(document: DocumentNode): number {
  let count = 0;
  visit(document, {
    Field: () => void count++,
    InlineFragment: () => void count++,
    FragmentSpread: () => void count++,
  });
  return count;
}

function measure(document: DocumentNode) {
  const stats: EstimateStats = { selections: 0 };
  const estimate = estimateOperation(schema, document, undefined, undefined, directives, 100, stats);
  return { estimate, visited: stats.selections, inDocument: selectionsIn(document) };
}

/** `levels` fragments, each spreading the next `fanOut` times in one selection set. */
function flatFanOut(levels: number, fanOut: number): DocumentNode {
  const fragments = Array.from({ length: levels - 1 }, (_, i) => `fragment F${i + 1} on Model { ${`...F${i + 2} `.repeat(fanOut)}}`);
  return parse(`{ model(key: "a") { ...F1 } }\n${fragments.join('\n')}\nfragment F${levels} on Model { k: versions { version } }`);
}

/** The same, each level one field deeper (model -> deployments -> model -> ...). */
function nestedFanOut(levels: number, fanOut: number): DocumentNode {
  const fragments = Array.from(
    { length: levels - 1 },
    (_, i) => `fragment F${i + 1} on Model { deployments { model { ${`...F${i + 2} `.repeat(fanOut)}} } }`,
  );
  return parse(`{ model(key: "a") { ...F1 } }\n${fragments.join('\n')}\nfragment F${levels} on Model { versions { version } }`);
}

describe('linearity', () => {
  it.each([4, 8, 12, 16])('visits each selection of a %i-level, 8-way fragment fan-out once', (levels) => {
    const { estimate, visited, inDocument } = measure(flatFanOut(levels, 8));
    expect(visited).toBe(inDocument);
    // ...while the cost counts every path, as the Router does: 8^(levels-1) spreads of 20 versions.
    expect(estimate.cost).toBe(Math.min(1 + 8 ** (levels - 1) * 20, Number.MAX_SAFE_INTEGER));
    expect(estimate.depth).toBe(3);
    // The aliased field is one node of the document, counted once however often it is reached.
    expect(estimate.aliases).toBe(1);
  });

  it('grows the work with the document, not with the paths through it', () => {
    const visits = [4, 8, 16, 32].map((levels) => measure(flatFanOut(levels, 8)).visited);
    // Doubling the levels doubles the document (8 spreads a level), and the work with it.
    for (let i = 1; i < visits.length; i++) expect(visits[i]).toBeLessThanOrEqual(2 * visits[i - 1] + 10);
  });

  it('visits each selection once when the fan-out also nests fields', () => {
    const { estimate, visited, inDocument } = measure(nestedFanOut(8, 8));
    expect(visited).toBe(inDocument);
    expect(estimate.depth).toBe(1 + 7 * 2 + 2);
    // Each level: 5 deployments x (deployment 1 + model 1 + 8 x the next level).
    let level = 20; // F8: 20 versions
    for (let i = 0; i < 7; i++) level = 5 * (1 + 1 + 8 * level);
    expect(estimate.cost).toBe(1 + level);
  });

  it('visits a fan-out of 30 levels, which has 8^29 paths, once per selection', () => {
    const { estimate, visited, inDocument } = measure(flatFanOut(30, 8));
    expect(visited).toBe(inDocument);
    expect(estimate.cost).toBe(Number.MAX_SAFE_INTEGER);
  });
});

import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { depthLimitRule } from '../../gateway/depth-limit';

const schema = buildSchema(`
  type Query { model: Model }
  type Model { key: String, versions: [Version] }
  type Version { run: Run, model: Model }
  type Run { name: String, version: Version }
`);

function errors(query: string, max: number) {
  return validate(schema, parse(query), [...specifiedRules, depthLimitRule(max)]).map((e) => e.message);
}

describe('depthLimitRule', () => {
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
});

import { findRowSource, flatten } from '../../../cli/report/flatten';
import { INVENTORY_DATA } from './inventory-fixture';

describe('flatten', () => {
  it('takes the rows from a connection’s nodes, not from the scalars around it', () => {
    const { rows, columns } = flatten({ models: { totalCount: 2, pageInfo: { hasNextPage: false }, nodes: [{ key: 'a' }, { key: 'b' }] } });
    expect(columns).toEqual(['key']);
    expect(rows).toEqual([{ key: 'a' }, { key: 'b' }]);
  });

  it('gives the same rows from edges[].node as from nodes, dropping the cursor', () => {
    const nodes = [{ key: 'a', owner: { email: 'a@x' } }, { key: 'b', owner: { email: 'b@x' } }];
    const viaEdges = flatten({ models: { edges: nodes.map((node, i) => ({ cursor: `c${i}`, node })) } });
    expect(viaEdges).toEqual(flatten({ models: { nodes } }));
    expect(viaEdges.columns).toEqual(['key', 'owner.email']);
    expect(findRowSource({ models: { edges: [] } })?.path).toEqual(['models', 'edges']);
  });

  it('makes dotted columns of nested objects', () => {
    const { rows, columns } = flatten({ models: { nodes: [{ key: 'a', repository: { url: 'u', owner: { login: 'acme' } } }] } });
    expect(columns).toEqual(['key', 'repository.url', 'repository.owner.login']);
    expect(rows[0]['repository.owner.login']).toBe('acme');
  });

  it('joins lists of scalars with "; " and lists of objects field by field, keeping empty slots', () => {
    const { rows, columns } = flatten({
      models: {
        nodes: [
          {
            tags: ['fraud', 'cards'],
            versions: [
              { version: '3', stage: 'Production', aliases: ['champion', 'blue'] },
              { version: '2', stage: null, aliases: [] },
              { version: '1', stage: 'Archived', aliases: ['old'] },
            ],
          },
        ],
      },
    });
    expect(columns).toEqual(['tags', 'versions.version', 'versions.stage', 'versions.aliases']);
    expect(rows[0]).toEqual({
      tags: 'fraud; cards',
      'versions.version': '3; 2; 1',
      'versions.stage': 'Production; ; Archived',
      'versions.aliases': 'champion, blue; ; old',
    });
  });

  it('leaves a null object or an empty list as empty cells under the columns other rows give it', () => {
    const { rows, columns } = flatten({
      models: {
        nodes: [
          { key: 'a', owner: null, versions: [] },
          { key: 'b', owner: { email: 'b@x', name: 'B' }, versions: [{ version: '1' }] },
        ],
      },
    });
    expect(columns).toEqual(['key', 'owner.email', 'owner.name', 'versions.version']);
    expect(rows[0]).toEqual({ key: 'a', 'owner.email': null, 'owner.name': null, 'versions.version': null });
    expect(rows[1]['versions.version']).toBe('1');
  });

  it('orders columns first seen, a late nested column next to its siblings', () => {
    const { columns } = flatten({
      nodes: [
        { key: 'a', owner: { name: 'A' }, stage: 'x' },
        { key: 'b', owner: { name: 'B', email: 'b@x' }, stage: 'y', extra: 1 },
      ],
    });
    expect(columns).toEqual(['key', 'owner.name', 'owner.email', 'stage', 'extra']);
  });

  it('prefers a list of objects to an earlier list of scalars, and uses the list name for scalars', () => {
    expect(flatten({ model: { tags: ['a'], versions: [{ version: '1' }] } }).rows).toEqual([{ version: '1' }]);
    expect(flatten({ model: { key: 'm', tags: ['a', 'b'] } })).toEqual({ columns: ['tags'], rows: [{ tags: 'a' }, { tags: 'b' }] });
    expect(flatten({ jiraSearch: [] })).toEqual({ columns: [], rows: [] });
  });

  it('makes one row of the whole data when it holds no list', () => {
    const { rows, columns } = flatten({ model: { key: 'fraud-detector', owner: { email: 'o@x' } }, count: 3 });
    expect(columns).toEqual(['model.key', 'model.owner.email', 'count']);
    expect(rows).toEqual([{ 'model.key': 'fraud-detector', 'model.owner.email': 'o@x', count: 3 }]);
    expect(flatten(null)).toEqual({ rows: [], columns: [] });
  });

  it('keeps scalars typed and treats a response key like constructor as a plain column', () => {
    const { rows } = flatten({ nodes: [{ n: 1.5, ok: true, constructor: 'x', __proto__x: null }] });
    expect(rows[0].n).toBe(1.5);
    expect(rows[0].ok).toBe(true);
    expect(rows[0].constructor).toBe('x');
  });

  it('flattens the inventory page predictably', () => {
    const { rows, columns } = flatten(INVENTORY_DATA);
    expect(rows).toHaveLength(3);
    expect(columns).not.toContain('codeOwners.person');
    expect(rows[0]['codeOwners.person.email']).toBe('; dana@acme.example');
    expect(rows[0]['versions.stage']).toBe('Production; Staging;');
    expect(rows[2]['codeOwners.handle']).toBeNull();
  });
});

import { buildSchema, parse } from 'graphql';
import { responseCacheKey, touchesCallerFields } from '../../gateway/response-cache/cache-key';
import type { Caller } from '../../lib/caller';

const base = {
  queryHash: 'h',
  operationName: 'Page',
  variables: { a: 1, b: { c: 2, d: 3 } },
  caller: { kind: 'apiKey', id: 'one', scopes: ['jira:read', 'mlflow:read'] } as Caller,
  callerDependent: false,
};

describe('responseCacheKey', () => {
  it('is the same for the same variables in another order and the same scopes in another order', () => {
    expect(responseCacheKey({ ...base, variables: { b: { d: 3, c: 2 }, a: 1 } })).toBe(responseCacheKey(base));
    expect(responseCacheKey({ ...base, caller: { ...base.caller, scopes: ['mlflow:read', 'jira:read'] } })).toBe(responseCacheKey(base));
  });

  it('is shared by callers with the same scopes unless the operation asks who the caller is', () => {
    const other = { ...base.caller, id: 'two' };
    expect(responseCacheKey({ ...base, caller: other })).toBe(responseCacheKey(base));
    expect(responseCacheKey({ ...base, caller: other, callerDependent: true })).not.toBe(responseCacheKey({ ...base, callerDependent: true }));
  });

  it('differs by document, operation, variables, scopes and authentication', () => {
    const key = responseCacheKey(base);
    expect(responseCacheKey({ ...base, queryHash: 'other' })).not.toBe(key);
    expect(responseCacheKey({ ...base, operationName: 'Other' })).not.toBe(key);
    expect(responseCacheKey({ ...base, variables: { a: 2, b: { c: 2, d: 3 } } })).not.toBe(key);
    expect(responseCacheKey({ ...base, caller: { ...base.caller, scopes: ['jira:read'] } })).not.toBe(key);
    const scopeless = { ...base, caller: { kind: 'apiKey', id: 'k', scopes: [] } as Caller };
    expect(responseCacheKey({ ...scopeless, caller: { kind: 'anonymous', id: 'anonymous', scopes: [] } })).not.toBe(responseCacheKey(scopeless));
  });
});

describe('touchesCallerFields', () => {
  const schema = buildSchema('type Query { me: Person, people: [Person] } type Person { id: ID, me: String }');

  it('finds Query.me at the root, in fragments and behind aliases, and nowhere else', () => {
    expect(touchesCallerFields(parse('{ me { id } }'), schema)).toBe(true);
    expect(touchesCallerFields(parse('{ who: me { id } }'), schema)).toBe(true);
    expect(touchesCallerFields(parse('{ ...F } fragment F on Query { me { id } }'), schema)).toBe(true);
    expect(touchesCallerFields(parse('{ people { id me } }'), schema)).toBe(false);
  });
});

describe('responseCacheKey of hostile variables', () => {
  it('is undefined (not cached) for variables nested deeper than any page, without walking them all', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(responseCacheKey({ ...base, variables: { deep } })).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Caller } from '../../lib/caller';

/**
 * Fields whose answer depends on who asks beyond the caller's scopes: an operation touching
 * one is cached per caller, never shared. `Query.me` is the caller's own person.
 */
export const CALLER_DEPENDENT_FIELDS: ReadonlySet<string> = new Set(['Query.me']);

/** Bumped when the key's parts or the entry's shape change, so that old and new replicas never share entries. */
const KEY_VERSION = 'v1';

export interface ResponseCacheKeyParts {
  /** sha256 of the document's source, as Apollo Server computes it (`requestContext.queryHash`). */
  queryHash: string;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
  caller: Caller;
  /** Whether the operation touches a {@link CALLER_DEPENDENT_FIELDS} field. */
  callerDependent: boolean;
}

/**
 * The key of one answer: the document, the operation in it, its variables (object keys
 * sorted, so that `{a, b}` and `{b, a}` share), and what decides what the caller may see —
 * whether it is authenticated (`@authenticated`) and its scopes (`@requiresScopes`), plus
 * its identity when the operation asks who it is. Two callers share an entry only when the
 * gateway's authorization would give both the same answer. Undefined: not to be cached
 * (variables nested too deep to be worth walking).
 */
export function responseCacheKey(parts: ResponseCacheKeyParts): string | undefined {
  let variables: unknown;
  try {
    variables = canonical(parts.variables ?? {}, 0);
  } catch (err) {
    if (err instanceof TooDeep) return undefined;
    throw err;
  }
  const { caller } = parts;
  const scopes = [...new Set(caller.scopes)].sort();
  const identity = parts.callerDependent ? `${caller.kind}:${caller.id}` : null;
  const material = JSON.stringify([
    KEY_VERSION,
    parts.queryHash,
    parts.operationName ?? null,
    variables,
    caller.kind !== 'anonymous',
    scopes,
    identity,
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/**
 * Variables nested deeper than this are no page's: the operation is not cached (and its
 * variables are left for execution to refuse) rather than walked, which on a hostile body
 * nested 100,000 levels would overflow the stack.
 */
const MAX_VARIABLE_DEPTH = 32;

class TooDeep extends Error {}

/** The same value with every object's keys sorted: equal variables, equal JSON. Throws {@link TooDeep}. */
function canonical(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_VARIABLE_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) return value.map((v) => canonical(v, depth + 1));
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((k) => [k, canonical(object[k], depth + 1)]),
  );
}

/**
 * Whether any selection in the document (its fragments included, used or not: cheaper to
 * over-approximate than to follow spreads) is a caller-dependent field. Remembered per
 * parsed document, which Apollo Server reuses for a query it has seen.
 */
export function touchesCallerFields(document: DocumentNode, schema: GraphQLSchema): boolean {
  const known = seen.get(document);
  if (known !== undefined) return known;
  let touches = false;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && CALLER_DEPENDENT_FIELDS.has(`${parent.name}.${node.name.value}`)) touches = true;
      },
    }),
  );
  seen.set(document, touches);
  return touches;
}

const seen = new WeakMap<DocumentNode, boolean>();

import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  TypeInfo,
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { hasScope, type Caller } from '../../lib/caller';

/**
 * Federation's `@authenticated` and `@requiresScopes`, enforced by the gateway as Apollo
 * Router enforces them: the subgraph schemas declare who may see what, composition carries
 * it into the supergraph, and a field the caller may not see is taken out of the operation
 * before planning (so nothing is fetched for it), then answered as null with a FORBIDDEN
 * error at each place it would have been. The rest of the answer stays.
 *
 * Apollo Gateway 2.14 refuses a supergraph whose `@link`s say `for: SECURITY` (it cannot
 * enforce them); {@link supergraphForApolloGateway} drops that purpose so it loads, and this
 * module takes over the enforcement.
 */

export interface Requirement {
  authenticated: boolean;
  /** Alternatives, each a set of scopes that must all be held (`[["a", "b"], ["c"]]`: a and b, or c). */
  scopes: readonly (readonly string[])[];
}

export interface AuthorizationPolicy {
  /** `Type` -> what it takes to reach a field returning it. */
  types: ReadonlyMap<string, Requirement>;
  /** `Type.field` -> what it takes to select it. */
  fields: ReadonlyMap<string, Requirement>;
}

const AUTHENTICATED_SPEC = /^https:\/\/specs\.apollo\.dev\/authenticated\/v\d/;
const REQUIRES_SCOPES_SPEC = /^https:\/\/specs\.apollo\.dev\/requiresScopes\/v\d/;

/** The supergraph without `for: SECURITY`, which Apollo Gateway would refuse. */
export function supergraphForApolloGateway(supergraphSdl: string): string {
  return supergraphSdl.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes|policy)\/v[^"]*"[^)]*?),\s*for:\s*SECURITY/g, '$1');
}

/** Reads the policy the supergraph's `@authenticated` / `@requiresScopes` declare, however the `@link` names them. */
export function readAuthorizationPolicy(supergraphSdl: string): AuthorizationPolicy {
  const document = parse(supergraphSdl, { noLocation: true });
  let authenticatedName = 'authenticated';
  let requiresScopesName = 'requiresScopes';
  for (const def of document.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArg(link, 'url') ?? '';
      const as = stringArg(link, 'as');
      if (AUTHENTICATED_SPEC.test(url)) authenticatedName = as ?? 'authenticated';
      if (REQUIRES_SCOPES_SPEC.test(url)) requiresScopesName = as ?? 'requiresScopes';
    }
  }
  const requirementOf = (directives: readonly DirectiveNode[] | undefined): Requirement | undefined => {
    let authenticated = false;
    let scopes: string[][] = [];
    for (const d of directives ?? []) {
      if (d.name.value === authenticatedName) authenticated = true;
      if (d.name.value === requiresScopesName) scopes = andScopes(scopes, scopesArg(d));
    }
    return authenticated || scopes.length > 0 ? { authenticated, scopes } : undefined;
  };

  const types = new Map<string, Requirement>();
  const fields = new Map<string, Requirement>();
  for (const def of document.definitions) {
    if (
      def.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      def.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      def.kind !== Kind.INTERFACE_TYPE_EXTENSION &&
      def.kind !== Kind.SCALAR_TYPE_DEFINITION &&
      def.kind !== Kind.ENUM_TYPE_DEFINITION
    ) {
      continue;
    }
    const typeRequirement = requirementOf(def.directives);
    if (typeRequirement) types.set(def.name.value, merge(types.get(def.name.value), typeRequirement)!);
    if (!('fields' in def)) continue;
    for (const field of def.fields ?? []) {
      const requirement = requirementOf(field.directives);
      if (requirement) fields.set(`${def.name.value}.${field.name.value}`, requirement);
    }
  }
  return { types, fields };
}

function stringArg(directive: DirectiveNode, name: string): string | undefined {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  return arg?.value.kind === Kind.STRING ? arg.value.value : undefined;
}

function scopesArg(directive: DirectiveNode): string[][] {
  const arg = directive.arguments?.find((a) => a.name.value === 'scopes');
  if (arg?.value.kind !== Kind.LIST) return [];
  return arg.value.values.map((inner) =>
    inner.kind === Kind.LIST ? inner.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : [],
  );
}

/** Both requirements at once: every pair of alternatives, joined. */
function andScopes(a: readonly (readonly string[])[], b: readonly (readonly string[])[]): string[][] {
  if (a.length === 0) return b.map((s) => [...s]);
  if (b.length === 0) return a.map((s) => [...s]);
  return a.flatMap((x) => b.map((y) => [...new Set([...x, ...y])]));
}

function merge(a: Requirement | undefined, b: Requirement | undefined): Requirement | undefined {
  if (!a) return b;
  if (!b) return a;
  return { authenticated: a.authenticated || b.authenticated, scopes: andScopes(a.scopes, b.scopes) };
}

export function satisfies(caller: Caller, requirement: Requirement): boolean {
  if (requirement.authenticated && caller.kind === 'anonymous') return false;
  if (requirement.scopes.length === 0) return true;
  return requirement.scopes.some((set) => set.every((scope) => hasScope(caller, scope)));
}

function describeRequirement(caller: Caller, requirement: Requirement): { text: string; missing: string[] } {
  if (requirement.authenticated && caller.kind === 'anonymous' && requirement.scopes.length === 0) {
    return { text: 'an authenticated caller', missing: [] };
  }
  const missing = requirement.scopes.map((set) => set.filter((s) => !hasScope(caller, s)));
  const easiest = missing.reduce((best, m) => (m.length < best.length ? m : best), missing[0] ?? []);
  const text =
    requirement.scopes.length === 1
      ? `scope ${requirement.scopes[0]!.join(' and ')}`
      : `one of the scope sets ${requirement.scopes.map((s) => `[${s.join(' ')}]`).join(' or ')}`;
  return { text, missing: easiest };
}

/** Marks the runtime type of objects under abstract fields, so the response walk knows which fragments applied. */
const TYPENAME_ALIAS = '__modelgraph_typename';

export interface AuthorizedOperation {
  /** The operation to plan: unchanged when the caller may see everything. */
  document: DocumentNode;
  /** Whether fields were taken out (then {@link patchResponse} must run on the answer). */
  filtered: boolean;
}

/**
 * Takes out of `document` every field the caller may not see. With nothing to take out the
 * same document comes back, so the usual query plan is reused.
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  policy: AuthorizationPolicy,
  caller: Caller,
): AuthorizedOperation {
  if (policy.fields.size === 0 && policy.types.size === 0) return { document, filtered: false };
  const typeInfo = new TypeInfo(schema);
  let forbidden = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (forbidden) return false;
        const requirement = requirementAt(typeInfo, policy, node);
        if (requirement && !satisfies(caller, requirement)) forbidden = true;
        return undefined;
      },
    }),
  );
  if (!forbidden) return { document, filtered: false };

  const rewrite = new TypeInfo(schema);
  const filtered = visit(
    document,
    visitWithTypeInfo(rewrite, {
      Field: {
        enter(node) {
          const requirement = requirementAt(rewrite, policy, node);
          return requirement && !satisfies(caller, requirement) ? null : undefined;
        },
        leave(node) {
          const type = rewrite.getType();
          if (!node.selectionSet || !type || !isAbstractType(getNamedType(type))) return undefined;
          return { ...node, selectionSet: withSelection(node.selectionSet, typenameField(TYPENAME_ALIAS)) };
        },
      },
    }),
  );
  // A selection set whose every field was taken out must still select something.
  const valid = visit(filtered, {
    SelectionSet: {
      leave(node) {
        return node.selections.length === 0 ? { ...node, selections: [typenameField()] } : undefined;
      },
    },
  });
  return { document: valid, filtered: true };
}

function requirementAt(typeInfo: TypeInfo, policy: AuthorizationPolicy, node: FieldNode): Requirement | undefined {
  const parent = typeInfo.getParentType();
  const field = typeInfo.getFieldDef();
  if (!parent || !field || node.name.value.startsWith('__')) return undefined;
  return merge(policy.fields.get(`${parent.name}.${node.name.value}`), policy.types.get(getNamedType(field.type).name));
}

function typenameField(alias?: string): FieldNode {
  return {
    kind: Kind.FIELD,
    ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
    name: { kind: Kind.NAME, value: '__typename' },
  };
}

function withSelection(set: SelectionSetNode, field: FieldNode): SelectionSetNode {
  return { ...set, selections: [...set.selections, field] };
}

/** At most this many FORBIDDEN errors in one answer; a page of 500 models would otherwise carry 500 of each. */
const MAX_FORBIDDEN_ERRORS = 50;

type Nulled = typeof NULLED;
const NULLED = Symbol('nulled');

/**
 * Puts `null` (and a FORBIDDEN error) where each taken-out field would have been, following
 * the original operation over the answer; a non-null field's null goes up to the nearest
 * nullable parent, as GraphQL execution would have done. Removes the typename markers.
 */
export function patchResponse(args: {
  schema: GraphQLSchema;
  /** The operation as the client sent it. */
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown>;
  policy: AuthorizationPolicy;
  caller: Caller;
  data: Record<string, unknown> | null | undefined;
}): { data: Record<string, unknown> | null | undefined; errors: GraphQLFormattedError[] } {
  const { schema, policy, caller } = args;
  const errors: GraphQLFormattedError[] = [];
  let more = 0;
  const operation = args.document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
  );
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of args.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const variables = args.variables ?? {};
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION || !args.data) return { data: args.data, errors };
  const root = schema.getRootType(operation.operation);
  if (!root) return { data: args.data, errors };

  const included = (node: ASTNode & { directives?: readonly DirectiveNode[] }): boolean => {
    const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
    return include?.if !== false;
  };
  const applies = (condition: string | undefined, type: GraphQLObjectType): boolean => {
    if (!condition || condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
  };
  const collect = (type: GraphQLObjectType, set: SelectionSetNode, into: Map<string, FieldNode[]>) => {
    for (const sel of set.selections) {
      if (!included(sel)) continue;
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        into.set(key, [...(into.get(key) ?? []), sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (applies(sel.typeCondition?.name.value, type)) collect(type, sel.selectionSet, into);
      } else {
        const fragment = fragments.get(sel.name.value);
        if (fragment && applies(fragment.typeCondition.name.value, type)) collect(type, fragment.selectionSet, into);
      }
    }
    return into;
  };

  const walkObject = (value: Record<string, unknown>, type: GraphQLObjectType, sets: readonly SelectionSetNode[], path: (string | number)[]): Nulled | undefined => {
    const fields = new Map<string, FieldNode[]>();
    for (const set of sets) collect(type, set, fields);
    for (const [key, nodes] of fields) {
      const name = nodes[0]!.name.value;
      if (name.startsWith('__')) continue;
      const field = type.getFields()[name];
      if (!field) continue;
      const requirement = merge(policy.fields.get(`${type.name}.${name}`), policy.types.get(getNamedType(field.type).name));
      if (requirement && !satisfies(caller, requirement)) {
        if (errors.length < MAX_FORBIDDEN_ERRORS) {
          const { text, missing } = describeRequirement(caller, requirement);
          errors.push({
            message: `Forbidden: ${type.name}.${name} needs ${text}`,
            path: [...path, key],
            extensions: { code: 'FORBIDDEN', field: `${type.name}.${name}`, missingScopes: missing },
          });
        } else {
          more++;
        }
        value[key] = null;
        if (isNonNullType(field.type)) return NULLED;
        continue;
      }
      if (!(key in value) || value[key] === null) continue;
      const subSets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      if (subSets.length === 0) continue;
      if (walkValue(value[key], field.type, subSets, [...path, key]) === NULLED) {
        if (isNonNullType(field.type)) return NULLED;
        value[key] = null;
      }
    }
    return undefined;
  };

  const walkValue = (value: unknown, type: GraphQLOutputType, sets: readonly SelectionSetNode[], path: (string | number)[]): Nulled | undefined => {
    if (value === null || value === undefined) return undefined;
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      if (!Array.isArray(value)) return undefined;
      for (let i = 0; i < value.length; i++) {
        if (walkValue(value[i], inner.ofType, sets, [...path, i]) === NULLED) {
          if (isNonNullType(inner.ofType)) return NULLED;
          value[i] = null;
        }
      }
      return undefined;
    }
    if (typeof value !== 'object') return undefined;
    const object = value as Record<string, unknown>;
    let runtime: GraphQLObjectType | undefined;
    if (isObjectType(inner)) runtime = inner;
    else {
      const name = object[TYPENAME_ALIAS] ?? object.__typename;
      const found = typeof name === 'string' ? schema.getType(name) : undefined;
      runtime = found && isObjectType(found) ? found : undefined;
    }
    delete object[TYPENAME_ALIAS];
    return runtime ? walkObject(object, runtime, sets, path) : undefined;
  };

  const data = args.data;
  const result = walkObject(data, root, [operation.selectionSet], []);
  if (more > 0) {
    errors.push({ message: `Forbidden: ${more} more fields were left out`, extensions: { code: 'FORBIDDEN' } });
  }
  return { data: result === NULLED ? null : data, errors };
}

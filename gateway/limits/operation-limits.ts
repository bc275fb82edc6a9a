/**
 * Refuses costly operations before anything is planned or fetched: too deep, too many
 * aliases, directives or root fields, or too expensive by Apollo Router's demand-control
 * estimate (https://specs.apollo.dev/cost/v0.1), read from the same @cost and @listSize in
 * the supergraph, so the weights mean the same thing if the graph ever moves to the Router.
 * (The Router scores the supergraph operation as here; when it enforces, it sums its query
 * plan's subgraph fetches instead, which sizes entity fetches by its configured list size.)
 *
 * Every measure is computed in one pass over the operation, and each fragment is analysed
 * once per operation however often it is spread: an analysis that re-walks a fragment per
 * spread is itself the denial of service (8 fragments each spreading the next 8 times are
 * 8^7 walks). Costs multiply list sizes, so they saturate at Number.MAX_SAFE_INTEGER.
 */
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInputObjectType,
  isListType,
  parse,
  type ArgumentNode,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';

export interface OperationLimits {
  /** Deepest field nesting (fragments followed, introspection counted). */
  maxDepth: number;
  /** Aliased fields in the operation and the fragments it reaches, each node counted once. */
  maxAliases: number;
  /** Directive usages in the operation and the fragments it reaches, each counted once. */
  maxDirectives: number;
  /** Apollo-Router-style estimated cost of the operation, list sizes multiplied. */
  maxCost: number;
  /** Assumed size of a list with no @listSize and no slicing argument. */
  defaultListSize: number;
  /** Top-level fields (distinct response names, aliases included) of one operation. */
  maxRootFields?: number;
  /**
   * Selection sets nested in one another, inline fragments and fragment spreads included
   * (which `maxDepth` does not count): Apollo Router's parser refuses deep recursion too.
   */
  maxNesting?: number;
}

/**
 * Chosen so that every query the project itself sends passes (reports at their page size,
 * the README's examples, the CLI banner, the benchmark page,
 * the integration tests) with room to spare, and the known abuses do not; see
 * test/gateway/limits/legitimate-queries.test.ts, which measures both sides.
 */
export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxDepth: 15,
  maxAliases: 30,
  maxDirectives: 50,
  maxCost: 250_000,
  defaultListSize: 100,
  maxRootFields: 20,
  maxNesting: 100,
});

export interface ListSize {
  assumedSize?: number;
  /** Argument names; `input.first` reaches into an input object. */
  slicingArguments?: readonly string[];
  /** Field names, as cost/v0.1 defines them (newer Routers' nested `a { b }` paths are not followed). */
  sizedFields?: readonly string[];
  requireOneSlicingArgument: boolean;
}

/**
 * What the supergraph says about cost, by schema coordinate: `Type` (a @cost on an object,
 * enum or scalar), `Type.field`, `Type.field(arg:)` and `Input.field`.
 */
export interface CostDirectives {
  cost: ReadonlyMap<string, number>;
  listSize: ReadonlyMap<string, ListSize>;
  /**
   * `@requires` selections (`@join__field(requires:)` in a supergraph): the Router adds
   * their cost to the field's, since the gateway fetches them whether or not they are asked.
   */
  requires: ReadonlyMap<string, SelectionSetNode>;
}

export const NO_COST_DIRECTIVES: CostDirectives = { cost: new Map(), listSize: new Map(), requires: new Map() };

export interface OperationEstimate {
  depth: number;
  /** Selection sets nested, fragments included. */
  nesting: number;
  aliases: number;
  directives: number;
  rootFields: number;
  cost: number;
  /** A slicing argument the schema requires (requireOneSlicingArgument) is missing or doubled. */
  slicingProblem?: string;
}

/** Counters for tests: how much work the analysis did. */
export interface EstimateStats {
  /** Selections of the document visited (each fragment's once per operation). */
  selections: number;
}

const MAX = Number.MAX_SAFE_INTEGER;
/** Deeper input values are not looked into (see valueCost). */
const MAX_VALUE_DEPTH = 32;
const add = (a: number, b: number) => (a + b >= MAX ? MAX : a + b);
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : a >= MAX / b ? MAX : a * b);

// ---- reading the supergraph ------------------------------------------------------------

const COST_SPEC = 'https://specs.apollo.dev/cost/';
const FEDERATION_SPEC = 'https://specs.apollo.dev/federation/';
const JOIN_SPEC = 'https://specs.apollo.dev/join/';

/**
 * The @cost and @listSize directives of a supergraph (or of a subgraph SDL), under whatever
 * names its @link imports give them: `@cost`, `@cost__listSize`, `@federation__cost`, an
 * `as:` rename... A schema that links neither spec is read with the plain names.
 */
export function readCostDirectives(supergraphSdl: string): CostDirectives {
  const document = parse(supergraphSdl);
  const links: ConstDirectiveNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.SCHEMA_DEFINITION || def.kind === Kind.SCHEMA_EXTENSION) {
      links.push(...(def.directives ?? []).filter((d) => d.name.value === 'link'));
    }
  }
  const costLink = links.find((l) => linkUrl(l)?.startsWith(COST_SPEC));
  const fedLink = links.find((l) => linkUrl(l)?.startsWith(FEDERATION_SPEC));
  const joinLink = links.find((l) => linkUrl(l)?.startsWith(JOIN_SPEC));
  const specLink = costLink ?? fedLink;
  const costName = specLink ? nameInSchema(specLink, 'cost') : 'cost';
  const listSizeName = specLink ? nameInSchema(specLink, 'listSize') : 'listSize';
  // A supergraph says what a field requires in @join__field; a subgraph in @requires.
  const requires = joinLink
    ? { directive: nameInSchema(joinLink, 'field'), argument: 'requires' }
    : { directive: fedLink ? nameInSchema(fedLink, 'requires') : 'requires', argument: 'fields' };

  const cost = new Map<string, number>();
  const listSize = new Map<string, ListSize>();
  const requiresMap = new Map<string, SelectionSetNode>();
  const weightOf = (directives: readonly ConstDirectiveNode[] | undefined) => {
    const value = directives?.find((d) => d.name.value === costName)?.arguments?.find((a) => a.name.value === 'weight')?.value;
    return value?.kind === Kind.INT ? Number(value.value) : undefined;
  };
  const setWeight = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    const weight = weightOf(directives);
    if (weight !== undefined) cost.set(coordinate, Math.max(weight, cost.get(coordinate) ?? -Infinity));
  };

  for (const def of document.definitions) {
    switch (def.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        setWeight(def.name.value, def.directives);
        for (const field of def.fields ?? []) {
          const coordinate = `${def.name.value}.${field.name.value}`;
          setWeight(coordinate, field.directives);
          for (const arg of field.arguments ?? []) setWeight(`${coordinate}(${arg.name.value}:)`, arg.directives);
          const size = field.directives?.find((d) => d.name.value === listSizeName);
          if (size && !listSize.has(coordinate)) listSize.set(coordinate, readListSize(size));
          // The first @join__field that requires anything: the Router reads only the first
          // @join__field, which on a field other subgraphs mark external requires nothing,
          // and would miss what the owning subgraph needs fetched.
          const fieldSet = (field.directives ?? [])
            .filter((d) => d.name.value === requires.directive)
            .map((d) => d.arguments?.find((a) => a.name.value === requires.argument)?.value)
            .find((v) => v?.kind === Kind.STRING);
          if (fieldSet?.kind === Kind.STRING && !requiresMap.has(coordinate)) {
            requiresMap.set(coordinate, parseFieldSet(fieldSet.value));
          }
        }
        break;
      }
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        for (const field of def.fields ?? []) setWeight(`${def.name.value}.${field.name.value}`, field.directives);
        break;
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
        setWeight(def.name.value, def.directives);
        break;
      default:
        break;
    }
  }
  return { cost, listSize, requires: requiresMap };
}

function linkUrl(link: ConstDirectiveNode): string | undefined {
  const url = link.arguments?.find((a) => a.name.value === 'url')?.value;
  return url?.kind === Kind.STRING ? url.value : undefined;
}

/** The name a linked spec's directive has in the schema, by the @link spec's rules. */
function nameInSchema(link: ConstDirectiveNode, directive: string): string {
  const args = new Map((link.arguments ?? []).map((a) => [a.name.value, a.value]));
  const imports = args.get('import');
  if (imports?.kind === Kind.LIST) {
    for (const item of imports.values) {
      if (item.kind === Kind.STRING && item.value === `@${directive}`) return directive;
      if (item.kind === Kind.OBJECT) {
        const name = item.fields.find((f) => f.name.value === 'name')?.value;
        const as = item.fields.find((f) => f.name.value === 'as')?.value;
        if (name?.kind === Kind.STRING && name.value === `@${directive}`) {
          return as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : directive;
        }
      }
    }
  }
  const specName = (linkUrl(link) ?? '').replace(/\/v[\d.]+\/?$/, '').split('/').pop() ?? '';
  const as = args.get('as');
  const prefix = as?.kind === Kind.STRING ? as.value : specName;
  // A spec's directive named like the spec itself (`@cost` of cost/v0.1) takes no prefix.
  return directive === specName ? prefix : `${prefix}__${directive}`;
}

function readListSize(directive: ConstDirectiveNode): ListSize {
  const arg = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
  const strings = (value: ConstValueNode | undefined) =>
    value?.kind === Kind.LIST ? value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : undefined;
  const assumed = arg('assumedSize');
  const requireOne = arg('requireOneSlicingArgument');
  return {
    ...(assumed?.kind === Kind.INT ? { assumedSize: Number(assumed.value) } : {}),
    ...(strings(arg('slicingArguments')) ? { slicingArguments: strings(arg('slicingArguments')) } : {}),
    ...(strings(arg('sizedFields')) ? { sizedFields: strings(arg('sizedFields')) } : {}),
    requireOneSlicingArgument: requireOne?.kind === Kind.BOOLEAN ? requireOne.value : true,
  };
}

function parseFieldSet(fieldSet: string): SelectionSetNode {
  const document = parse(`{${fieldSet}}`, { noLocation: true });
  return (document.definitions[0] as OperationDefinitionNode).selectionSet;
}

// ---- the analysis --------------------------------------------------------------------------

/**
 * The cost of a selection set before the enclosing field's @listSize(sizedFields:) is known:
 * `fixed` is final; a list field may still be sized by its parent (`nodes` of a connection),
 * so its per-item cost is kept by response-independent field name, beside what it costs at
 * its own size. Keeping this instead of a number is what lets a fragment be costed once and
 * reused under any parent.
 */
interface Profile {
  fixed: number;
  lists: Map<string, { perItem: number; unsized: number }>;
}

interface FragmentSummary {
  depth: number;
  nesting: number;
  profile: Profile;
}

const emptyProfile = (): Profile => ({ fixed: 0, lists: new Map() });

function mergeInto(target: Profile, source: Profile): void {
  target.fixed = add(target.fixed, source.fixed);
  for (const [name, entry] of source.lists) {
    const existing = target.lists.get(name);
    if (existing) {
      existing.perItem = add(existing.perItem, entry.perItem);
      existing.unsized = add(existing.unsized, entry.unsized);
    } else target.lists.set(name, { ...entry });
  }
}

/** A profile's cost under a parent that sizes `sizedFields` at `size` (both unknown at the root). */
function resolve(profile: Profile, size: number | undefined, sizedFields: readonly string[] | undefined): number {
  let total = profile.fixed;
  for (const [name, entry] of profile.lists) {
    total = add(total, size !== undefined && sizedFields?.includes(name) ? mul(size, entry.perItem) : entry.unsized);
  }
  return total;
}

/** Variable values: known ones (after the request arrived), else the operation's defaults. */
type VariableValues = { known: true; values: Readonly<Record<string, unknown>> } | { known: false };

class OperationAnalysis {
  aliases = 0;
  directives = 0;
  slicingProblem?: string;
  private readonly fragmentMemo = new Map<string, FragmentSummary | 'pending'>();
  private readonly requiresMemo = new Map<string, number | 'pending'>();
  private readonly variableDefaults = new Map<string, ConstValueNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragment: (name: string) => FragmentDefinitionNode | undefined,
    private readonly operation: OperationDefinitionNode,
    private readonly directivesOf: CostDirectives,
    private readonly defaultListSize: number,
    private readonly variables: VariableValues,
    private readonly stats?: EstimateStats,
  ) {
    for (const def of operation.variableDefinitions ?? []) {
      if (def.defaultValue) this.variableDefaults.set(def.variable.name.value, def.defaultValue);
      this.directives += def.directives?.length ?? 0;
    }
    this.directives += operation.directives?.length ?? 0;
  }

  run(): OperationEstimate {
    // No early exit once over a limit: the walk is linear, and stopping it would leave the
    // alias, directive and depth counts short. Costs saturate instead of overflowing.
    const { depth, nesting, profile } = this.selections(this.operation.selectionSet, this.rootType());
    const base = this.operation.operation === OperationTypeNode.MUTATION ? 10 : 0;
    return {
      depth,
      nesting,
      aliases: this.aliases,
      directives: this.directives,
      rootFields: this.rootKeys(this.operation.selectionSet, new Set(), new Set()).size,
      cost: add(base, resolve(profile, undefined, undefined)),
      ...(this.slicingProblem ? { slicingProblem: this.slicingProblem } : {}),
    };
  }

  private rootType(): GraphQLNamedType | undefined {
    switch (this.operation.operation) {
      case OperationTypeNode.MUTATION:
        return this.schema.getMutationType() ?? undefined;
      case OperationTypeNode.SUBSCRIPTION:
        return this.schema.getSubscriptionType() ?? undefined;
      default:
        return this.schema.getQueryType() ?? undefined;
    }
  }

  /**
   * Response names at the top level: fields with one name merge into one execution, so two
   * spreads of one fragment are one set of root fields. Each fragment is read once.
   */
  private rootKeys(set: SelectionSetNode, keys: Set<string>, seen: Set<string>): Set<string> {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) this.rootKeys(selection.selectionSet, keys, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const def = this.fragment(selection.name.value);
        if (def) this.rootKeys(def.selectionSet, keys, seen);
      }
    }
    return keys;
  }

  /**
   * Depth and cost profile of a selection set on `parent` (undefined when the document names
   * a type the schema lacks: graphql's own rules report that; this only must not crash).
   */
  private selections(set: SelectionSetNode, parent: GraphQLNamedType | undefined): FragmentSummary {
    const profile = emptyProfile();
    let depth = 0;
    let nested = 0;
    for (const selection of set.selections) {
      if (this.stats) this.stats.selections++;
      this.directives += selection.directives?.length ?? 0;
      switch (selection.kind) {
        case Kind.FIELD: {
          if (selection.alias) this.aliases++;
          const field = this.field(selection, parent, profile);
          depth = Math.max(depth, field.depth);
          nested = Math.max(nested, field.nesting);
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
          const inner = this.selections(selection.selectionSet, type ?? undefined);
          depth = Math.max(depth, inner.depth);
          nested = Math.max(nested, inner.nesting);
          mergeInto(profile, inner.profile);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const summary = this.fragmentSummary(selection.name.value);
          if (!summary) break;
          depth = Math.max(depth, summary.depth);
          nested = Math.max(nested, summary.nesting);
          mergeInto(profile, summary.profile);
          break;
        }
      }
    }
    return { depth, nesting: 1 + nested, profile };
  }

  /** Analysed once per operation. A cycle (reported by NoFragmentCycles) or an unknown name counts as nothing. */
  private fragmentSummary(name: string): FragmentSummary | undefined {
    const memo = this.fragmentMemo.get(name);
    if (memo === 'pending') return undefined;
    if (memo) return memo;
    const def = this.fragment(name);
    if (!def) return undefined;
    this.fragmentMemo.set(name, 'pending');
    this.directives += def.directives?.length ?? 0;
    const type = this.schema.getType(def.typeCondition.name.value) ?? undefined;
    const summary = this.selections(def.selectionSet, type);
    this.fragmentMemo.set(name, summary);
    return summary;
  }

  /** Adds the field's cost to `profile` and returns its depth and nesting. */
  private field(node: FieldNode, parent: GraphQLNamedType | undefined, profile: Profile): { depth: number; nesting: number } {
    const name = node.name.value;
    const definition = parent && 'getFields' in parent ? (parent.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name] : undefined;
    const namedType = definition ? getNamedType(definition.type) : undefined;
    // Introspection (and unknown) fields cost nothing, as on the Router, which answers
    // introspection itself; their depth still counts.
    const inner = node.selectionSet ? this.selections(node.selectionSet, namedType) : undefined;
    const depth = 1 + (inner?.depth ?? 0);
    const nesting = inner?.nesting ?? 0;
    if (!definition || !parent || skipped(node)) return { depth, nesting };

    const coordinate = `${parent.name}.${name}`;
    const listSize = this.directivesOf.listSize.get(coordinate);
    const expected = listSize ? this.expectedSize(node, definition, listSize) : undefined;
    const weight =
      this.directivesOf.cost.get(coordinate) ??
      this.directivesOf.cost.get(namedType!.name) ??
      (isCompositeType(namedType) ? 1 : 0);
    const perItem = add(weight, inner ? resolve(inner.profile, expected, listSize?.sizedFields) : 0);
    let extra = 0;
    for (const arg of node.arguments ?? []) extra = add(extra, this.argumentCost(arg, definition, coordinate));
    extra = add(extra, this.requiresCost(coordinate, parent, expected, listSize?.sizedFields));

    profile.fixed = add(profile.fixed, extra);
    if (isListType(getNullableType(definition.type))) {
      const unsized = mul(expected ?? this.defaultListSize, perItem);
      const existing = profile.lists.get(name);
      if (existing) {
        existing.perItem = add(existing.perItem, perItem);
        existing.unsized = add(existing.unsized, unsized);
      } else profile.lists.set(name, { perItem, unsized });
    } else profile.fixed = add(profile.fixed, perItem);
    return { depth, nesting };
  }

  /**
   * The size @listSize gives the field: the largest slicing argument (literal, variable,
   * the operation's default for the variable, or the schema's default for the argument),
   * else assumedSize; undefined leaves the list at the default size.
   */
  private expectedSize(node: FieldNode, definition: GraphQLField<unknown, unknown>, listSize: ListSize): number | undefined {
    if (!listSize.slicingArguments) return listSize.assumedSize;
    const given = new Map((node.arguments ?? []).map((a) => [a.name.value, a.value]));
    let found = 0;
    let largest: number | undefined;
    for (const path of listSize.slicingArguments) {
      const [argName, ...rest] = path.split('.');
      const size = this.sliceSize(given.get(argName), definition.args.find((a) => a.name === argName), rest);
      if (size === null) continue;
      found++;
      if (size !== undefined) largest = Math.max(largest ?? 0, size);
    }
    if (listSize.requireOneSlicingArgument && found !== 1 && !this.slicingProblem) {
      this.slicingProblem = `${definition.name} needs exactly one of its slicing arguments (${listSize.slicingArguments.join(', ')}), but ${found} ${found === 1 ? 'is' : 'are'} set`;
    }
    return largest ?? listSize.assumedSize;
  }

  /**
   * null: the argument is not there. undefined: it is there, but its value is unknown yet
   * (a variable with no default, before the request's variables are known).
   */
  private sliceSize(value: ValueNode | undefined, arg: GraphQLArgument | undefined, path: string[]): number | null | undefined {
    if (value === undefined) return arg?.defaultValue !== undefined ? sizeOfJson(arg.defaultValue, path) : null;
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      if (this.variables.known && this.variables.values[name] !== undefined) return sizeOfJson(this.variables.values[name], path);
      const fallback = this.variableDefaults.get(name);
      if (fallback) return this.sliceSize(fallback, undefined, path);
      // An absent variable leaves the argument unset: the schema default applies.
      return this.variables.known ? this.sliceSize(undefined, arg, path) : undefined;
    }
    if (path.length > 0) {
      if (value.kind !== Kind.OBJECT) return null;
      const inner = value.fields.find((f) => f.name.value === path[0])?.value;
      return inner === undefined ? null : this.sliceSize(inner, undefined, path.slice(1));
    }
    if (value.kind === Kind.INT) return clampSize(Number(value.value));
    if (value.kind === Kind.LIST) return value.values.length;
    return null;
  }

  /** As the Router scores arguments: an input object 1 (or its @cost), plus what is inside it. */
  private argumentCost(arg: ArgumentNode, field: GraphQLField<unknown, unknown>, coordinate: string): number {
    const definition = field.args.find((a) => a.name === arg.name.value);
    if (!definition) return 0;
    return this.valueCost(arg.value, definition.type, this.directivesOf.cost.get(`${coordinate}(${definition.name}:)`));
  }

  /**
   * `weight`: the @cost of the argument or input field the value is given to, if any.
   * `depth` stops the descent into nested values: variables arrive as JSON nested as deep as
   * a client likes (coercion refuses most of it later), and this runs before coercion.
   */
  private valueCost(value: ValueNode, type: GraphQLInputType, weight: number | undefined, depth = 0): number {
    const named = getNamedType(type);
    const own = weight ?? this.directivesOf.cost.get(named.name);
    if (depth > MAX_VALUE_DEPTH) return own ?? 0;
    switch (value.kind) {
      case Kind.VARIABLE: {
        const name = value.name.value;
        if (this.variables.known && this.variables.values[name] !== undefined) {
          return this.jsonCost(this.variables.values[name], type, weight, depth);
        }
        // A default is a constant: it holds no variables, so this recurses no further.
        const fallback = this.variableDefaults.get(name);
        if (fallback) return this.valueCost(fallback, type, weight, depth);
        // Before the request's variables are known, assume the value will be there: a
        // `jql: $jql` search must not pass validation for free.
        return this.variables.known ? 0 : (own ?? (isInputObjectType(named) ? 1 : 0));
      }
      case Kind.NULL:
        return 0;
      case Kind.LIST:
        return value.values.reduce((cost: number, item) => add(cost, this.valueCost(item, type, weight, depth + 1)), own ?? 0);
      case Kind.OBJECT: {
        if (!isInputObjectType(named)) return own ?? 0;
        const definitions = named.getFields();
        let cost = own ?? 1;
        for (const field of value.fields) {
          const definition = definitions[field.name.value];
          const inner = definition && this.directivesOf.cost.get(`${named.name}.${definition.name}`);
          if (definition) cost = add(cost, this.valueCost(field.value, definition.type, inner, depth + 1));
        }
        return cost;
      }
      default:
        return own ?? 0;
    }
  }

  /** The same, for a value from the request's variables (JSON). */
  private jsonCost(value: unknown, type: GraphQLInputType, weight: number | undefined, depth: number): number {
    const named = getNamedType(type);
    const own = weight ?? this.directivesOf.cost.get(named.name);
    if (value === null || value === undefined) return 0;
    if (depth > MAX_VALUE_DEPTH) return own ?? 0;
    if (Array.isArray(value)) return value.reduce((cost: number, item) => add(cost, this.jsonCost(item, type, weight, depth + 1)), own ?? 0);
    if (typeof value === 'object' && isInputObjectType(named)) {
      const definitions = named.getFields();
      let cost = own ?? 1;
      for (const [name, inner] of Object.entries(value as Record<string, unknown>)) {
        const definition = definitions[name];
        if (definition) cost = add(cost, this.jsonCost(inner, definition.type, this.directivesOf.cost.get(`${named.name}.${name}`), depth + 1));
      }
      return cost;
    }
    return own ?? 0;
  }

  /**
   * What the field's @requires selection costs: the gateway fetches it for every instance of
   * the field, whether or not the operation asks for it. Schema-owned, so costed once per
   * field and size, not per occurrence.
   */
  private requiresCost(coordinate: string, parent: GraphQLNamedType, size: number | undefined, sizedFields: readonly string[] | undefined): number {
    const selection = this.directivesOf.requires.get(coordinate);
    if (!selection) return 0;
    const key = `${coordinate}#${size ?? ''}`;
    const memo = this.requiresMemo.get(key);
    if (memo === 'pending') return 0;
    if (memo !== undefined) return memo;
    this.requiresMemo.set(key, 'pending');
    // The field set is the schema's, not the client's: it must not count as aliases,
    // directives or visits of the document.
    const saved = { aliases: this.aliases, directives: this.directives, visits: this.stats?.selections };
    const cost = resolve(this.selections(selection, parent).profile, size, sizedFields);
    this.aliases = saved.aliases;
    this.directives = saved.directives;
    if (this.stats && saved.visits !== undefined) this.stats.selections = saved.visits;
    this.requiresMemo.set(key, cost);
    return cost;
  }
}

function skipped(node: FieldNode): boolean {
  // As the Router: only literal conditions are known before execution.
  const literal = (directive: DirectiveNode | undefined) => {
    const value = directive?.arguments?.find((a) => a.name.value === 'if')?.value;
    return value?.kind === Kind.BOOLEAN ? value.value : undefined;
  };
  const directives = node.directives ?? [];
  return (
    literal(directives.find((d) => d.name.value === 'include')) === false ||
    literal(directives.find((d) => d.name.value === 'skip')) === true
  );
}

function clampSize(n: number): number {
  // A negative `first` must not buy an attacker credit against the rest of the operation.
  return Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 0), MAX) : MAX;
}

function sizeOfJson(value: unknown, path: string[]): number | null {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return null;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'number') return clampSize(current);
  if (Array.isArray(current)) return current.length;
  // A string such as "100000" fails coercion at execution anyway; count it as what it says.
  if (typeof current === 'string' && /^-?\d+$/.test(current)) return clampSize(Number(current));
  return null;
}

// ---- entry points ----------------------------------------------------------------------

/**
 * Measures one operation of `document`. With `variables` (the request's, before coercion),
 * slicing arguments bound to variables use their real values; without, the operation's
 * variable defaults, else the list's assumedSize or `defaultListSize`, as the validation
 * rule does.
 */
export function estimateOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  costDirectives: CostDirectives,
  defaultListSize: number,
  stats?: EstimateStats,
): OperationEstimate {
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new Error(operationName ? `no operation named "${operationName}"` : 'the document must name which operation to run');
  return analyse(schema, document, operation, variables, costDirectives, defaultListSize, stats);
}

function analyse(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  costDirectives: CostDirectives,
  defaultListSize: number,
  stats?: EstimateStats,
): OperationEstimate {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return new OperationAnalysis(
    schema,
    (name) => fragments.get(name),
    operation,
    costDirectives,
    defaultListSize,
    variables ? { known: true, values: variables } : { known: false },
    stats,
  ).run();
}

function describe(operation: OperationDefinitionNode): string {
  return operation.name ? `operation "${operation.name.value}"` : 'the operation';
}

/** The codes of these refusals: Apollo Server rewrites a validation error's code (see restoreLimitCode). */
export const LIMIT_CODES: ReadonlySet<string> = new Set([
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_DIRECTIVES',
  'TOO_MANY_ROOT_FIELDS',
  'COST_ESTIMATED_TOO_EXPENSIVE',
  'COST_QUERY_PARSE_FAILURE',
]);

function refusal(operation: OperationDefinitionNode, code: string, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { nodes: [operation], extensions: { code, ...extensions } });
}

/** The refusal for the cost, if any: over the limit, or not costable (as the Router refuses it). */
function costError(operation: OperationDefinitionNode, measured: OperationEstimate, limits: OperationLimits): GraphQLError | undefined {
  if (measured.cost > limits.maxCost) {
    const atLeast = measured.cost >= MAX ? 'at least ' : '';
    return refusal(
      operation,
      'COST_ESTIMATED_TOO_EXPENSIVE',
      `${describe(operation)} has an estimated cost of ${atLeast}${measured.cost}; the limit is ${limits.maxCost}`,
      // `cost.*` as Apollo Router names them; `measured`/`limit` as the other refusals.
      { measured: measured.cost, limit: limits.maxCost, 'cost.estimated': measured.cost, 'cost.max': limits.maxCost },
    );
  }
  if (measured.slicingProblem) {
    // Without the argument the list's size would be a guess; the Router refuses these too.
    return refusal(operation, 'COST_QUERY_PARSE_FAILURE', `${describe(operation)} cannot be costed: ${measured.slicingProblem}`);
  }
  return undefined;
}

/** Every refusal for one operation's measures: at most one per limit. */
export function limitErrors(operation: OperationDefinitionNode, measured: OperationEstimate, limits: OperationLimits): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const who = describe(operation);
  const check = (code: string, value: number, limit: number | undefined, message: string) => {
    if (limit !== undefined && value > limit) errors.push(refusal(operation, code, `${who} ${message}; the limit is ${limit}`, { measured: value, limit }));
  };
  check('QUERY_TOO_DEEP', measured.depth, limits.maxDepth, `is ${measured.depth} levels deep`);
  if (measured.depth <= limits.maxDepth) {
    check('QUERY_TOO_DEEP', measured.nesting, limits.maxNesting, `nests ${measured.nesting} selection sets (fragments included)`);
  }
  check('TOO_MANY_ALIASES', measured.aliases, limits.maxAliases, `has ${measured.aliases} aliases`);
  check('TOO_MANY_DIRECTIVES', measured.directives, limits.maxDirectives, `has ${measured.directives} directives`);
  check('TOO_MANY_ROOT_FIELDS', measured.rootFields, limits.maxRootFields, `has ${measured.rootFields} top-level fields`);
  const cost = costError(operation, measured, limits);
  if (cost) errors.push(cost);
  return errors;
}

/**
 * Apollo Server answers every validation error with the code GRAPHQL_VALIDATION_FAILED,
 * whatever code the rule gave it; the rule's error stays as the `originalError`. For
 * `formatError`: puts the limit's own code back, so a client (and the audit log) can tell
 * a cost refusal from a typo.
 */
export function restoreLimitCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const code = original instanceof GraphQLError ? original.extensions.code : undefined;
  if (typeof code !== 'string' || !LIMIT_CODES.has(code)) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code } };
}

/**
 * Validation rules enforcing `limits` on every operation of a document, before planning.
 * Variables are not known yet: a slicing argument bound to a variable counts at the
 * variable's default, else at the list's assumedSize or `defaultListSize`; the request's
 * real values are checked by `operationLimitsPlugin` once they are known.
 */
export function operationLimitRules(limits: OperationLimits, costDirectives: CostDirectives): ValidationRule[] {
  const rule: ValidationRule = (context) => ({
    OperationDefinition: {
      // On leave, so graphql's own refusals of the operation (a repeated @skip, an unknown
      // field) come first: they say what is wrong with the document itself.
      leave(node) {
        const measured = new OperationAnalysis(
          context.getSchema(),
          (name) => context.getFragment(name) ?? undefined,
          node,
          costDirectives,
          limits.defaultListSize,
          { known: false },
        ).run();
        for (const error of limitErrors(node, measured, limits)) context.reportError(error);
      },
    },
  });
  return [rule];
}

/**
 * The second check, once the request's variables are known: `first: $n` with n = 100000
 * passes validation (which assumes the default) and is refused here, before anything is
 * planned or fetched. The error carries HTTP 400, as validation refusals do; Apollo Server
 * answers 500 for an error thrown from didResolveOperation otherwise. `onEstimate` sees
 * every estimate, e.g. for an audit log.
 */
export function operationLimitsPlugin(
  limits: OperationLimits,
  costDirectives: CostDirectives,
  onEstimate?: (estimate: OperationEstimate, operationName: string | null) => void,
): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, operationName, request }) {
          if (!operation) return;
          const estimate = analyse(schema, document, operation, request.variables ?? {}, costDirectives, limits.defaultListSize);
          onEstimate?.(estimate, operationName);
          const error = costError(operation, estimate, limits);
          if (error) throw new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}

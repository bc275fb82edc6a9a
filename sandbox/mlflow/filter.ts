/**
 * The subset of MLflow's search syntax the sandbox serves: a tokenizer, an AND-only parser,
 * and per-entity validation with MLflow's own error messages
 * (`mlflow/utils/search_utils.py` and the SQLAlchemy stores).
 *
 * MLflow parses filters with sqlparse; this parser accepts the same well-formed filters and
 * rejects what MLflow rejects, with the same message where the message comes from MLflow's
 * validation rather than from sqlparse's tokenisation details.
 */
import { invalidParameter, MlflowError, pyRepr } from './errors';

export type Entity = 'experiments' | 'runs' | 'registeredModels' | 'modelVersions';
export type ClauseType = 'attribute' | 'tag' | 'param' | 'metric' | 'dataset';

export interface Clause {
  type: ClauseType;
  key: string;
  /** Upper case: `=`, `!=`, `>`, `>=`, `<`, `<=`, `LIKE`, `ILIKE`, `IN`, `NOT IN`. */
  comparator: string;
  value: string | number | string[];
  /** Compiled once for LIKE / ILIKE. */
  pattern?: RegExp;
}

export interface OrderTerm {
  type: ClauseType;
  key: string;
  ascending: boolean;
}

// ---- tokenizer ------------------------------------------------------------------------------

type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'keyword' | 'lparen' | 'rparen' | 'comma' | 'other';

interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** For numbers. */
  integer?: boolean;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'LIKE', 'ILIKE', 'IN', 'IS', 'NULL']);
const OPERATORS = ['!=', '<>', '<=', '>=', '==', '=', '<', '>'];

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = input.length;
  const isWordStart = (c: string): boolean => /[A-Za-z_]/.test(c);
  const isWord = (c: string): boolean => /[A-Za-z0-9_]/.test(c);

  /** A quoted run starting at `i` (the quote char), returns the index after the closing quote. */
  const quoted = (from: number): number => {
    const q = input[from]!;
    let j = from + 1;
    while (j < n) {
      if (input[j] === '\\' && q === "'") {
        j += 2;
        continue;
      }
      if (input[j] === q) {
        // SQL doubles a quote to escape it.
        if (input[j + 1] === q) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return -1;
  };

  /** One identifier segment (word or quoted), returns the end index or -1. */
  const segment = (from: number): number => {
    const c = input[from];
    if (c === '"' || c === '`') return quoted(from);
    if (c !== undefined && isWordStart(c)) {
      let j = from + 1;
      while (j < n && isWord(input[j]!)) j++;
      return j;
    }
    return -1;
  };

  while (i < n) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      const end = quoted(i);
      if (end < 0) {
        tokens.push({ kind: 'other', text: input.slice(i), start, end: n });
        break;
      }
      tokens.push({ kind: 'string', text: input.slice(start, end), start, end });
      i = end;
      continue;
    }
    if (c === '"' || c === '`' || isWordStart(c)) {
      let end = segment(i);
      if (end < 0) {
        tokens.push({ kind: 'other', text: input.slice(i), start, end: n });
        break;
      }
      // Dotted names: tags.`mlflow.source.git.commit`, metrics."my metric", params.lr.
      while (input[end] === '.') {
        const next = segment(end + 1);
        if (next < 0) break;
        end = next;
      }
      const text = input.slice(start, end);
      const upper = text.toUpperCase();
      tokens.push({ kind: KEYWORDS.has(upper) ? 'keyword' : 'ident', text, start, end });
      i = end;
      continue;
    }
    const num = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(input.slice(i));
    if (num && (c !== '-' || /[\d.]/.test(input[i + 1] ?? ''))) {
      const text = num[0];
      tokens.push({ kind: 'number', text, start, end: start + text.length, integer: /^-?\d+$/.test(text) });
      i += text.length;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, start, end: start + op.length });
      i += op.length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, start, end: start + 1 });
      i++;
      continue;
    }
    tokens.push({ kind: 'other', text: c, start, end: start + 1 });
    i++;
  }
  return tokens;
}

// ---- parser ---------------------------------------------------------------------------------

type RawValue =
  | { kind: 'string' | 'ident'; text: string }
  | { kind: 'number'; text: string; integer: boolean }
  | { kind: 'list'; text: string; items: Token[] };

interface RawComparison {
  identifier: string;
  comparator: string;
  value: RawValue;
}

class ClauseSyntaxError extends Error {}

/** Splits `a AND b AND c` into comparisons; anything else is an invalid clause. */
function parseComparisons(filter: string, entity: Entity): RawComparison[] {
  const tokens = tokenize(filter);
  const out: RawComparison[] = [];
  let i = 0;
  const invalidClause = (from: number): MlflowError => {
    // The offending text up to the next AND, as MLflow lists the clauses it could not read.
    let to = from;
    while (to < tokens.length && !(tokens[to]!.kind === 'keyword' && tokens[to]!.text.toUpperCase() === 'AND')) to++;
    const text = filter.slice(tokens[from]?.start ?? filter.length, tokens[to - 1]?.end ?? filter.length).trim();
    return invalidParameter(`Invalid clause(s) in filter string: ${entity === 'runs' ? `'${text}'` : text}`);
  };

  while (i < tokens.length) {
    const first = i;
    try {
      const ident = tokens[i++];
      if (!ident || ident.kind !== 'ident') throw new ClauseSyntaxError();
      const comparator = readComparator(tokens, i);
      i = comparator.next;
      const value = readValue(filter, tokens, i);
      i = value.next;
      out.push({ identifier: ident.text, comparator: comparator.text, value: value.value });
    } catch (err) {
      if (err instanceof ClauseSyntaxError) throw invalidClause(first);
      throw err;
    }
    if (i >= tokens.length) break;
    const and = tokens[i]!;
    if (and.kind !== 'keyword' || and.text.toUpperCase() !== 'AND' || i === tokens.length - 1) throw invalidClause(i);
    i++;
  }
  return out;
}

function readComparator(tokens: Token[], i: number): { text: string; next: number } {
  const t = tokens[i];
  if (!t) throw new ClauseSyntaxError();
  if (t.kind === 'op') return { text: t.text, next: i + 1 };
  if (t.kind === 'keyword') {
    const upper = t.text.toUpperCase();
    if (upper === 'LIKE' || upper === 'ILIKE' || upper === 'IN') return { text: upper, next: i + 1 };
    if (upper === 'NOT' && tokens[i + 1]?.kind === 'keyword' && tokens[i + 1]!.text.toUpperCase() === 'IN') {
      return { text: 'NOT IN', next: i + 2 };
    }
  }
  throw new ClauseSyntaxError();
}

function readValue(filter: string, tokens: Token[], i: number): { value: RawValue; next: number } {
  const t = tokens[i];
  if (!t) throw new ClauseSyntaxError();
  if (t.kind === 'string' || t.kind === 'ident') return { value: { kind: t.kind, text: t.text }, next: i + 1 };
  if (t.kind === 'number') return { value: { kind: 'number', text: t.text, integer: t.integer ?? false }, next: i + 1 };
  if (t.kind === 'lparen') {
    const items: Token[] = [];
    let j = i + 1;
    while (j < tokens.length && tokens[j]!.kind !== 'rparen') items.push(tokens[j++]!);
    if (j >= tokens.length) throw new ClauseSyntaxError();
    return { value: { kind: 'list', text: filter.slice(t.start, tokens[j]!.end), items }, next: j + 1 };
  }
  throw new ClauseSyntaxError();
}

// ---- MLflow's identifier and value rules ----------------------------------------------------

function isQuoted(value: string, quote: string): boolean {
  return value.length >= 2 && value.startsWith(quote) && value.endsWith(quote);
}

function trimBackticks(value: string): string {
  return isQuoted(value, '`') ? value.slice(1, -1) : value;
}

/** `SearchUtils._strip_quotes`. */
function stripQuotes(value: string, expectQuoted = false): string {
  if (isQuoted(value, "'") || isQuoted(value, '"')) return value.slice(1, -1);
  if (expectQuoted) {
    throw invalidParameter(
      `Parameter value is either not quoted or unidentified quote types used for string value ${value}. Use either single or double quotes.`,
    );
  }
  return value;
}

/** Splits at the first dot outside quotes: `tags.\`a.b\`` -> ['tags', '`a.b`']. */
function splitIdentifier(identifier: string): [string | undefined, string] {
  let quote: string | null = null;
  for (let i = 0; i < identifier.length; i++) {
    const c = identifier[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === '`') {
      quote = c;
    } else if (c === '.') {
      return [identifier.slice(0, i), identifier.slice(i + 1)];
    }
  }
  return [undefined, identifier];
}

const RUN_ENTITY_TYPES: Record<string, ClauseType> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'param',
  parameters: 'param',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

const RUN_STRING_ATTRIBUTES = ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'run name', 'Run name', 'Run Name'];
const RUN_NUMERIC_ATTRIBUTES = ['start_time', 'end_time', 'created', 'Created'];
const RUN_SEARCH_ATTRIBUTES = [...RUN_STRING_ATTRIBUTES, ...RUN_NUMERIC_ATTRIBUTES];
const RUN_ORDER_ATTRIBUTES = ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time', 'created', 'Created', 'experiment_id'];

const EXPERIMENT_SEARCH_ATTRIBUTES = ['name', 'creation_time', 'last_update_time'];
const EXPERIMENT_NUMERIC_ATTRIBUTES = ['creation_time', 'last_update_time'];
const EXPERIMENT_ORDER_ATTRIBUTES = ['name', 'experiment_id', 'creation_time', 'last_update_time'];

const MODEL_VERSION_SEARCH_ATTRIBUTES = ['name', 'version_number', 'run_id', 'source_path'];
const MODEL_VERSION_NUMERIC_ATTRIBUTES = ['version_number', 'creation_timestamp', 'last_updated_timestamp'];
const MODEL_VERSION_ORDER_ATTRIBUTES = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'];

const METRIC_COMPARATORS = ['>', '>=', '!=', '=', '<', '<='];
const TAG_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE'];
const STRING_ATTRIBUTE_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

const RUN_ID_LIST_ONLY = "Only the 'run_id' attribute supports comparison with a list of quoted string values.";

/** Entity prefixes the experiment and registry searches accept (`SearchExperimentsUtils._get_identifier`). */
function registryIdentifier(identifier: string, validAttributes: readonly string[]): { type: ClauseType; key: string } {
  const [entity, rawKey] = splitIdentifier(identifier);
  let type: ClauseType = 'attribute';
  if (entity !== undefined) {
    if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags') {
      throw invalidParameter(`Invalid entity type '${entity}'. Valid entity types are ${pyRepr(['attribute', 'tag', 'tags'], '()')}`);
    }
    type = entity === 'attribute' ? 'attribute' : 'tag';
  }
  const key = trimBackticks(stripQuotes(rawKey));
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${pyRepr(validAttributes)}'`);
  }
  return { type, key };
}

function runIdentifier(identifier: string, validAttributes: readonly string[]): { type: ClauseType; key: string } {
  const [entity, rawKey] = splitIdentifier(identifier);
  let type: ClauseType = 'attribute';
  if (entity !== undefined) {
    const trimmed = trimBackticks(entity);
    const mapped = RUN_ENTITY_TYPES[trimmed];
    if (!mapped) {
      throw invalidParameter(
        `Invalid entity type '${trimmed}'. Valid values are ${pyRepr(['metric', 'parameter', 'tag', 'attribute', 'dataset'], '[]')}`,
      );
    }
    type = mapped;
  }
  const key = trimBackticks(stripQuotes(rawKey));
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${pyRepr(validAttributes)}'`);
  }
  if (type === 'dataset' && !['name', 'digest', 'context'].includes(key)) {
    throw invalidParameter(`Invalid dataset key '${key}' specified. Valid keys are '${pyRepr(['name', 'digest', 'context'])}'`);
  }
  return { type, key };
}

/** `SearchUtils._parse_run_ids`: a non-empty list of quoted strings, lower-case ids only. */
function parseIdList(value: Extract<RawValue, { kind: 'list' }>): string[] {
  const significant = value.items.filter((t) => t.kind !== 'comma');
  if (significant.length === 0) {
    throw invalidParameter('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  }
  const wellFormed = value.items.every((t, i) => (i % 2 === 0 ? t.kind === 'string' : t.kind === 'comma'));
  if (!wellFormed || value.items.length % 2 === 0) {
    throw invalidParameter(
      `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${value.text}`,
    );
  }
  // MySQL compares IN case-insensitively and run ids are lower-case hex, so MLflow drops any
  // value that is not lower case (Python's str.islower()).
  return significant.map((t) => t.text.slice(1, -1)).filter((id) => /[a-z]/.test(id) && !/[A-Z]/.test(id));
}

function expectString(value: RawValue, type: 'tag' | 'param'): string {
  if (value.kind === 'string' || value.kind === 'ident') return stripQuotes(value.text, true);
  throw invalidParameter(`Expected a quoted string value for ${type === 'param' ? 'parameter' : 'tag'} (e.g. 'my-value'). Got value ${value.text}`);
}

/**
 * `SearchUtils.is_metric` / `is_param` / `is_tag` / `is_*_attribute`. Their messages differ in
 * small ways (a missing closing quote, the numeric check listing the string comparators), and
 * only the metric and param checks set an error code: the others surface as INTERNAL_ERROR.
 */
function checkComparator(
  comparator: string,
  allowed: readonly string[],
  how: { closeQuote: boolean; internal: boolean; listed?: readonly string[] },
): void {
  if (allowed.includes(comparator)) return;
  const message = `Invalid comparator '${comparator}' not one of '${pyRepr(how.listed ?? allowed)}${how.closeQuote ? "'" : ''}`;
  throw how.internal ? new MlflowError('INTERNAL_ERROR', message) : invalidParameter(message);
}

const AS_METRIC = { closeQuote: false, internal: false };
const AS_PARAM = { closeQuote: true, internal: false };
const AS_TAG = { closeQuote: false, internal: true };
const AS_STRING_ATTRIBUTE = { closeQuote: true, internal: true };
const AS_NUMERIC_ATTRIBUTE = { closeQuote: false, internal: true, listed: STRING_ATTRIBUTE_COMPARATORS };
const AS_DATASET = { closeQuote: false, internal: true };

function finish(clause: Clause): Clause {
  if ((clause.comparator === 'LIKE' || clause.comparator === 'ILIKE') && typeof clause.value === 'string') {
    clause.pattern = likeToRegExp(clause.value, clause.comparator === 'ILIKE');
  }
  return clause;
}

// ---- per-entity filters ---------------------------------------------------------------------

/** `runs/search`: metrics, params, tags and run attributes (`SearchUtils`). */
export function parseRunFilter(filter: string | undefined): Clause[] {
  if (!filter) return [];
  return parseComparisons(filter, 'runs').map(({ identifier, comparator, value }) => {
    const { type, key } = runIdentifier(identifier, RUN_SEARCH_ATTRIBUTES);
    switch (type) {
      case 'metric':
        if (value.kind !== 'number') throw invalidParameter(`Expected numeric value type for metric. Found ${value.text}`);
        checkComparator(comparator, METRIC_COMPARATORS, AS_METRIC);
        return finish({ type, key, comparator, value: Number(value.text) });
      case 'param':
      case 'tag':
        {
          const v = expectString(value, type);
          checkComparator(comparator, TAG_COMPARATORS, type === 'tag' ? AS_TAG : AS_PARAM);
          return finish({ type, key, comparator, value: v });
        }
      case 'dataset':
        if (value.kind === 'list') return finish({ type, key, comparator, value: parseIdList(value) });
        if (value.kind !== 'string' && value.kind !== 'ident') {
          throw invalidParameter(`Expected a quoted string value for dataset attributes. Got value ${value.text}`);
        }
        checkComparator(comparator, STRING_ATTRIBUTE_COMPARATORS, AS_DATASET);
        return finish({ type, key, comparator, value: stripQuotes(value.text, true) });
      default: {
        const attribute = translateRunAttribute(key);
        if (RUN_NUMERIC_ATTRIBUTES.includes(key)) {
          if (value.kind !== 'number') {
            throw invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${value.text}`);
          }
          checkComparator(comparator, METRIC_COMPARATORS, AS_NUMERIC_ATTRIBUTE);
          return finish({ type, key: attribute, comparator, value: Number(value.text) });
        }
        checkComparator(comparator, STRING_ATTRIBUTE_COMPARATORS, AS_STRING_ATTRIBUTE);
        if (value.kind === 'list') {
          if (key !== 'run_id') throw invalidParameter(RUN_ID_LIST_ONLY);
          return finish({ type, key: attribute, comparator, value: parseIdList(value) });
        }
        if (value.kind !== 'string' && value.kind !== 'ident') {
          throw invalidParameter(`Expected a quoted string value for attributes. Got value ${value.text}`);
        }
        return finish({ type, key: attribute, comparator, value: stripQuotes(value.text, true) });
      }
    }
  });
}

function translateRunAttribute(key: string): string {
  if (key === 'created' || key === 'Created') return 'start_time';
  if (key === 'run name' || key === 'Run name' || key === 'Run Name') return 'run_name';
  return key;
}

/** `experiments/search`: name and timestamps, tags (`SearchExperimentsUtils`). */
export function parseExperimentFilter(filter: string | undefined): Clause[] {
  if (!filter) return [];
  return parseComparisons(filter, 'experiments').map(({ identifier, comparator, value }) => {
    const { type, key } = registryIdentifier(identifier, EXPERIMENT_SEARCH_ATTRIBUTES);
    if (type === 'tag') {
      const v = expectString(value, 'tag');
      checkComparator(comparator, TAG_COMPARATORS, AS_TAG);
      return finish({ type, key, comparator, value: v });
    }
    if (EXPERIMENT_NUMERIC_ATTRIBUTES.includes(key)) {
      if (value.kind !== 'number') {
        throw invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${value.text}`);
      }
      checkComparator(comparator, METRIC_COMPARATORS, AS_NUMERIC_ATTRIBUTE);
      return finish({ type, key, comparator, value: Number(value.text) });
    }
    if (value.kind === 'list') throw invalidParameter(RUN_ID_LIST_ONLY);
    if (value.kind !== 'string' && value.kind !== 'ident') {
      throw invalidParameter(`Expected a quoted string value for attributes. Got value ${value.text}`);
    }
    checkComparator(comparator, STRING_ATTRIBUTE_COMPARATORS, AS_STRING_ATTRIBUTE);
    return finish({ type, key, comparator, value: stripQuotes(value.text, true) });
  });
}

/** `registered-models/search`: `name` and tags only (`SearchModelUtils` + the SQL store). */
export function parseRegisteredModelFilter(filter: string | undefined): Clause[] {
  if (!filter) return [];
  return parseComparisons(filter, 'registeredModels').map(({ identifier, comparator, value }) => {
    const { type, key } = registryIdentifier(identifier, ['name']);
    const v = registryValue(type, key, value, []);
    if (type === 'tag') {
      if (!TAG_COMPARATORS.includes(comparator)) throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
    } else if (!['=', '!=', 'LIKE', 'ILIKE'].includes(comparator)) {
      throw invalidParameter(`Invalid comparator for attribute: ${comparator}`);
    }
    return finish({ type, key, comparator, value: v });
  });
}

/** `model-versions/search`: name, version_number, run_id, source_path and tags (`SearchModelVersionUtils`). */
export function parseModelVersionFilter(filter: string | undefined): Clause[] {
  if (!filter) return [];
  return parseComparisons(filter, 'modelVersions').map(({ identifier, comparator, value }) => {
    const { type, key } = registryIdentifier(identifier, MODEL_VERSION_SEARCH_ATTRIBUTES);
    let v = registryValue(type, key, value, MODEL_VERSION_NUMERIC_ATTRIBUTES);
    if (type === 'tag') {
      if (!TAG_COMPARATORS.includes(comparator)) throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
    } else if (MODEL_VERSION_NUMERIC_ATTRIBUTES.includes(key)) {
      if (!METRIC_COMPARATORS.includes(comparator)) {
        throw invalidParameter(`Invalid comparator for attribute ${key}: ${comparator}`);
      }
      // The version column is an integer; a quoted number still compares as one in SQL.
      if (typeof v === 'string' && /^-?\d+$/.test(v)) v = Number(v);
    } else if (!['=', '!=', 'LIKE', 'ILIKE', 'IN'].includes(comparator) || (comparator === 'IN' && key !== 'run_id')) {
      throw invalidParameter(`Invalid comparator for attribute: ${comparator}`);
    }
    return finish({ type, key, comparator, value: v });
  });
}

/** `_get_value` of the registry searches. */
function registryValue(
  type: ClauseType,
  key: string,
  value: RawValue,
  numericAttributes: readonly string[],
): string | number | string[] {
  if (type === 'tag') return expectString(value, 'tag');
  if (value.kind === 'string' || value.kind === 'ident') return stripQuotes(value.text, true);
  if (value.kind === 'list') {
    if (key !== 'run_id') throw invalidParameter(RUN_ID_LIST_ONLY);
    return parseIdList(value);
  }
  if (numericAttributes.length > 0) {
    if (!numericAttributes.includes(key)) {
      throw invalidParameter(`Only the '${pyRepr(numericAttributes)}' attributes support comparison with numeric values.`);
    }
    return Number(value.text);
  }
  throw invalidParameter(`Expected a quoted string value or a list of quoted string values for attributes. Got value ${value.text}`);
}

// ---- evaluation -----------------------------------------------------------------------------

/** SQL LIKE: `%` any run, `_` one character, everything else literal. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (const c of pattern) {
    if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

/** Whether a value satisfies a clause; a missing value (absent tag, metric, …) never does. */
export function matchesClause(clause: Clause, actual: string | number | undefined): boolean {
  if (actual === undefined) return false;
  const expected = clause.value;
  switch (clause.comparator) {
    case '=':
      return actual === expected || (typeof actual === 'number' && actual === Number(expected));
    case '!=':
      return !(actual === expected || (typeof actual === 'number' && actual === Number(expected)));
    case 'LIKE':
    case 'ILIKE':
      return clause.pattern !== undefined && clause.pattern.test(String(actual));
    case 'IN':
      return Array.isArray(expected) && expected.includes(String(actual));
    case 'NOT IN':
      return Array.isArray(expected) && !expected.includes(String(actual));
    case '>':
      return actual > (expected as number | string);
    case '>=':
      return actual >= (expected as number | string);
    case '<':
      return actual < (expected as number | string);
    case '<=':
      return actual <= (expected as number | string);
    default:
      return false;
  }
}

// ---- order_by -------------------------------------------------------------------------------

/** `SearchUtils._parse_order_by_string`: an identifier and an optional ASC / DESC. */
function parseOrderClause(clause: string): { identifier: string; ascending: boolean } {
  const tokens = tokenize(clause.trim());
  const unparsable = (): MlflowError => invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  const first = tokens[0];
  if (!first || (first.kind !== 'ident' && first.kind !== 'keyword') || tokens.length > 2) throw unparsable();
  let ascending = true;
  if (tokens.length === 2) {
    const direction = tokens[1]!;
    if (direction.kind !== 'ident' && direction.kind !== 'keyword') throw unparsable();
    const d = direction.text.toLowerCase();
    if (d !== 'asc' && d !== 'desc') throw invalidParameter(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = d === 'asc';
  }
  return { identifier: first.text, ascending };
}

function rejectDuplicates(terms: OrderTerm[], clauses: readonly string[], canonical: (t: OrderTerm) => string): void {
  const seen = new Set<string>();
  for (const t of terms) {
    const k = canonical(t);
    if (seen.has(k)) {
      // MLflow raises this without an error code, so it surfaces as INTERNAL_ERROR (500).
      throw new MlflowError('INTERNAL_ERROR', `\`order_by\` contains duplicate fields: ${pyRepr(clauses, '[]')}`);
    }
    seen.add(k);
  }
}

export function parseRunOrderBy(clauses: readonly string[] | undefined): OrderTerm[] {
  return (clauses ?? []).map((clause) => {
    const { identifier, ascending } = parseOrderClause(clause);
    const { type, key } = runIdentifier(identifier, RUN_ORDER_ATTRIBUTES);
    return { type, key: type === 'attribute' ? translateRunAttribute(key) : key, ascending };
  });
}

export function parseExperimentOrderBy(clauses: readonly string[] | undefined): OrderTerm[] {
  return (clauses ?? []).map((clause) => {
    const { identifier, ascending } = parseOrderClause(clause);
    const { type, key } = registryIdentifier(identifier, EXPERIMENT_ORDER_ATTRIBUTES);
    if (type !== 'attribute') throw invalidParameter(`Invalid order_by entity: ${type}`);
    return { type, key, ascending };
  });
}

/** The SQL store: `name`, and `timestamp` / `last_updated_timestamp`, both the last-update time. */
export function parseRegisteredModelOrderBy(clauses: readonly string[] | undefined): OrderTerm[] {
  const list = clauses ?? [];
  const terms = list.map((clause): OrderTerm => {
    const { identifier, ascending } = parseOrderClause(clause);
    const key = identifier.replace(/`/g, '');
    if (key === 'name') return { type: 'attribute', key: 'name', ascending };
    if (key === 'timestamp' || key === 'last_updated_timestamp') {
      return { type: 'attribute', key: 'last_updated_timestamp', ascending };
    }
    throw invalidParameter(`Invalid order by key '${key}' specified. Valid keys are '${pyRepr(['name', 'timestamp'])}'`);
  });
  rejectDuplicates(terms, list, (t) => t.key);
  return terms;
}

export function parseModelVersionOrderBy(clauses: readonly string[] | undefined): OrderTerm[] {
  const list = clauses ?? [];
  const terms = list.map((clause): OrderTerm => {
    const { identifier, ascending } = parseOrderClause(clause);
    const { key } = registryIdentifier(identifier, MODEL_VERSION_ORDER_ATTRIBUTES);
    if (!MODEL_VERSION_ORDER_ATTRIBUTES.includes(key)) {
      throw invalidParameter(`Invalid order by key '${key}' specified. Valid keys are ${pyRepr(MODEL_VERSION_ORDER_ATTRIBUTES)}`);
    }
    return { type: 'attribute', key, ascending };
  });
  rejectDuplicates(terms, list, (t) => t.key);
  return terms;
}

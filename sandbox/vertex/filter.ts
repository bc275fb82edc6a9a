/**
 * The `filter` of Vertex AI's list methods, the subset their discovery descriptions
 * document (AIP-160 syntax):
 * - `labels.key=value`, `labels.key!=value`, `labels.key:*` and `labels:key` (existence);
 *   a key holding anything but letters, digits, `_` and `-` is quoted: `labels."a key"`;
 * - `=` and `!=` on the method's own fields (`model`, `display_name` for models.list;
 *   `endpoint`, `display_name` for endpoints.list); snake_case and camelCase alike;
 * - terms joined by `AND` (or juxtaposed), alternatives by `OR` (which binds tighter, as in
 *   AIP-160).
 * Values are double-quoted strings (with `\"` and `\\` escapes) or bare words. Anything
 * else is INVALID_ARGUMENT.
 */
import { invalidArgument } from './errors';

export type FilterTerm =
  | { kind: 'field'; field: string; negate: boolean; value: string }
  | { kind: 'label'; key: string; negate: boolean; value: string }
  | { kind: 'labelExists'; key: string };

/** A conjunction of disjunctions: every group must have a matching term. */
export type Filter = FilterTerm[][];

export interface Filterable {
  labels: Readonly<Record<string, string>>;
  /** Field values by canonical (snake_case) name, e.g. `display_name`, `model`. */
  fields: Readonly<Record<string, string>>;
}

/** `displayName` -> `display_name`. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function parseFilter(text: string | null | undefined, fields: readonly string[]): Filter {
  const src = (text ?? '').trim();
  if (!src) return [];
  const lexer = new Lexer(src);
  const groups: Filter = [];
  let group: FilterTerm[] = [];
  let expectTerm = true;
  while (!lexer.done()) {
    const word = lexer.peekWord();
    if (word === 'AND') {
      if (expectTerm) throw bad(src, 'AND without a term before it');
      lexer.skipWord();
      groups.push(group);
      group = [];
      expectTerm = true;
      continue;
    }
    if (word === 'OR') {
      if (expectTerm) throw bad(src, 'OR without a term before it');
      lexer.skipWord();
      expectTerm = true;
      continue;
    }
    if (!expectTerm) {
      // Juxtaposed terms are an implicit AND.
      groups.push(group);
      group = [];
    }
    group.push(parseTerm(lexer, src, fields));
    expectTerm = false;
  }
  if (expectTerm) throw bad(src, 'the filter ends with an operator');
  groups.push(group);
  return groups;
}

export function matchesFilter(item: Filterable, filter: Filter): boolean {
  return filter.every((group) => group.some((term) => matchesTerm(item, term)));
}

function matchesTerm(item: Filterable, term: FilterTerm): boolean {
  switch (term.kind) {
    case 'labelExists':
      return Object.prototype.hasOwnProperty.call(item.labels, term.key);
    case 'label': {
      const has = Object.prototype.hasOwnProperty.call(item.labels, term.key) && item.labels[term.key] === term.value;
      return term.negate ? !has : has;
    }
    case 'field': {
      const equal = item.fields[term.field] === term.value;
      return term.negate ? !equal : equal;
    }
  }
}

function parseTerm(lexer: Lexer, src: string, fields: readonly string[]): FilterTerm {
  const head = lexer.identifier();
  if (!head) throw bad(src, `unexpected ${JSON.stringify(lexer.rest().slice(0, 12))}`);
  if (head === 'labels') {
    if (lexer.eat(':')) {
      const key = lexer.value();
      if (!key) throw bad(src, 'labels: needs a key');
      return { kind: 'labelExists', key };
    }
    if (!lexer.eat('.')) throw bad(src, 'labels must be followed by .key or :key');
    const key = lexer.eat('"') ? lexer.quotedRest(src) : lexer.identifier();
    if (!key) throw bad(src, 'labels. needs a key');
    if (lexer.eat(':')) {
      if (!lexer.eat('*')) throw bad(src, `labels.${key}: supports only :*`);
      return { kind: 'labelExists', key };
    }
    const negate = comparator(lexer, src);
    return { kind: 'label', key, negate, value: valueOf(lexer, src) };
  }
  const field = snake(head);
  if (!fields.includes(field)) {
    throw invalidArgument(`Unsupported field "${head}" in filter "${src}"; supported: labels, ${fields.join(', ')}.`, 'filter');
  }
  const negate = comparator(lexer, src);
  return { kind: 'field', field, negate, value: valueOf(lexer, src) };
}

function comparator(lexer: Lexer, src: string): boolean {
  if (lexer.eat('!=')) return true;
  if (lexer.eat('=')) return false;
  throw bad(src, 'expected = or !=');
}

function valueOf(lexer: Lexer, src: string): string {
  const value = lexer.value();
  if (value === undefined) throw bad(src, 'a comparison needs a value');
  return value;
}

function bad(src: string, why: string) {
  return invalidArgument(`Invalid filter "${src}": ${why}.`, 'filter');
}

class Lexer {
  private pos = 0;

  constructor(private readonly src: string) {}

  done(): boolean {
    this.space();
    return this.pos >= this.src.length;
  }

  rest(): string {
    return this.src.slice(this.pos);
  }

  peekWord(): string {
    this.space();
    return /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.rest())?.[0] ?? '';
  }

  skipWord(): void {
    this.pos += this.peekWord().length;
  }

  eat(token: string): boolean {
    this.space();
    if (this.src.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  identifier(): string {
    this.space();
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.rest());
    if (!match) return '';
    this.pos += match[0].length;
    return match[0];
  }

  /** A quoted string or a bare word (up to whitespace, a parenthesis or a comparator). */
  value(): string | undefined {
    this.space();
    if (this.eat('"')) return this.quotedRest(this.src);
    const match = /^[^\s()"=!:]+/.exec(this.rest());
    if (!match) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  /** After an opening quote: the string up to the closing one. */
  quotedRest(src: string): string {
    let out = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos++]!;
      if (c === '"') return out;
      if (c === '\\' && this.pos < this.src.length) out += this.src[this.pos++];
      else out += c;
    }
    throw bad(src, 'an unterminated string');
  }

  private space(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }
}

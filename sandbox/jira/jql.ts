/**
 * The subset of JQL the sandbox understands, with Jira's wording for what it refuses.
 *
 * Grammar (keywords and field names ignore case):
 *
 *   query   := [or] [ORDER BY sort (',' sort)*]
 *   or      := and ((OR | '||' | '|') and)*
 *   and     := not ((AND | '&&' | '&') not)*
 *   not     := (NOT | '!') not | '(' or ')' | term
 *   term    := field op operand
 *   field   := word | "quoted" | cf[N]
 *   op      := '=' | '!=' | IN | NOT IN          (others parse, then are refused per field)
 *   operand := value | '(' value (',' value)* ')'
 *   value   := word | "double" | 'single'        (escapes \" \' \\ \n \r \t \  \uXXXX)
 *   sort    := field [ASC | DESC]
 *
 * Fields: project, key (issuekey), labels, component, status, statusCategory, and the
 * custom field as `cf[N]`, `customfield_N` or `"customfield_N"`. Sorting: key, created,
 * updated. Syntax errors are thrown by {@link parseJql}; unknown fields, values and
 * operators are found by the store's validation, which reports them all at once, as Jira does.
 *
 * Message wording follows Jira's (`Error in the JQL Query: ... (line 1, character N)`,
 * "Field 'x' does not exist or you do not have permission to view it.", "The value 'x'
 * does not exist for the field 'component'.").
 */

/** A 400 with an ErrorCollection: every message Jira would list. */
export class JqlError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join(' '));
  }
}

export type JqlOperator = '=' | '!=' | 'in' | 'not in' | '~' | '!~' | '<' | '>' | '<=' | '>=' | 'is' | 'is not';

export interface JqlTerm {
  kind: 'term';
  /** As written (for messages), e.g. `Component` or `cf[10042]`. */
  field: string;
  /** Lower-cased canonical name: `project`, `labels`, `cf[10042]`, `customfield_10042`... */
  fieldKey: string;
  op: JqlOperator;
  values: string[];
}

export type JqlClause =
  | JqlTerm
  | { kind: 'and' | 'or'; clauses: JqlClause[] }
  | { kind: 'not'; clause: JqlClause };

export interface JqlSort {
  field: string;
  fieldKey: string;
  direction: 'ASC' | 'DESC' | null;
}

export interface JqlQuery {
  /** Null for a query without a search restriction (`ORDER BY key` or nothing at all). */
  where: JqlClause | null;
  orderBy: JqlSort[];
}

// ---- lexer ----------------------------------------------------------------------------

type TokenType = 'word' | 'string' | 'cf' | 'op' | '(' | ')' | ',' | 'eof';

interface Token {
  type: TokenType;
  /** Decoded text: the word, the string's value, the cf id, the operator. */
  text: string;
  /** What was written, for messages. */
  raw: string;
  line: number;
  column: number;
}

/** Characters that end an unquoted word. */
const STOP = new Set([...' \t\r\n"\'=!<>()~,[]|&{}*/%+^$#@?;']);
/** Characters the JQL grammar reserves: outside quotes they are an error. */
const RESERVED_CHARS = new Set([...'{}*/%+^$#@?;[]']);

/** A subset of Jira's reserved words (`JqlStringSupportImpl.RESERVED_WORDS`): unquoted, they are not values. */
const RESERVED_WORDS = new Set(
  (
    'abort access add after alias all alter and any as asc audit avg before begin between boolean break by byte ' +
    'catch cf changed char character check count create current date decimal declare default delete desc ' +
    'distinct divide do double drop else empty end equals escape exists false fetch field first float for from ' +
    'function go goto grant greater group having if in index inner insert int integer intersect into is isempty ' +
    'isnull join last left less like limit lock long max min minus mode modify more multiply next not notin null ' +
    'number object of on option or order outer output power previous prior public raise raw rename return right row ' +
    'rows select session set share size sqrt start strict string subtract sum table then to trigger true union ' +
    'unique update user validate values view was when where while with'
  ).split(' '),
);

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', '\\': '\\', '"': '"', "'": "'", ' ': ' ' };

function syntax(detail: string, at?: { line: number; column: number }): JqlError {
  return new JqlError([`Error in the JQL Query: ${detail}${at ? ` (line ${at.line}, character ${at.column})` : ''}`]);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = () => ({ line, column: i - lineStart + 1 });
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const at = here();
    const start = i;
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: ch, text: ch, raw: ch, ...at });
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['!=', '!~', '<=', '>=', '&&', '||'].includes(two)) {
      tokens.push({ type: two === '&&' || two === '||' ? 'word' : 'op', text: two, raw: two, ...at });
      i += 2;
      continue;
    }
    if ('=~<>&|!'.includes(ch)) {
      tokens.push({ type: ch === '&' || ch === '|' || ch === '!' ? 'word' : 'op', text: ch, raw: ch, ...at });
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw syntax(`The quoted string '${value}' has not been completed.`, at);
        const c = text[i]!;
        if (c === ch) {
          i++;
          break;
        }
        if (c === '\\') {
          const next = text[i + 1];
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          if (next !== undefined && ESCAPES[next] !== undefined) {
            value += ESCAPES[next];
            i += 2;
            continue;
          }
          throw syntax(`The escape sequence '\\${next ?? ''}' in the quoted string '${value}' is invalid.`, here());
        }
        value += c;
        i++;
      }
      tokens.push({ type: 'string', text: value, raw: text.slice(start, i), ...at });
      continue;
    }
    if (RESERVED_CHARS.has(ch)) {
      const code = ch.charCodeAt(0).toString(16).padStart(4, '0');
      throw syntax(`The character '${ch}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${code}' instead.`, at);
    }
    while (i < text.length && !STOP.has(text[i]!)) i++;
    const word = text.slice(start, i);
    if (word.toLowerCase() === 'cf' && text[i] === '[') {
      const close = text.indexOf(']', i);
      const id = close > 0 ? text.slice(i + 1, close).trim() : '';
      if (close < 0 || !/^\d+$/.test(id)) throw syntax(`Expecting a custom field id in 'cf[...]'.`, at);
      i = close + 1;
      tokens.push({ type: 'cf', text: id, raw: `cf[${id}]`, ...at });
      continue;
    }
    tokens.push({ type: 'word', text: word, raw: word, ...at });
  }
  tokens.push({ type: 'eof', text: '', raw: '', line, column: i - lineStart + 1 });
  return tokens;
}

// ---- parser ---------------------------------------------------------------------------

const VALID_OPERATORS =
  "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.pos++;
    return t;
  }

  private isWord(t: Token, ...words: string[]): boolean {
    return t.type === 'word' && words.includes(t.text.toLowerCase());
  }

  parse(): JqlQuery {
    let where: JqlClause | null = null;
    if (this.peek().type !== 'eof' && !this.atOrderBy()) where = this.or();
    const orderBy: JqlSort[] = [];
    if (this.atOrderBy()) {
      this.next();
      this.next();
      do {
        const t = this.next();
        if (t.type === 'eof') throw syntax('Expecting a field name at the end of the query.');
        const field = this.fieldOf(t);
        let direction: JqlSort['direction'] = null;
        if (this.isWord(this.peek(), 'asc', 'desc')) direction = this.next().text.toUpperCase() as 'ASC' | 'DESC';
        orderBy.push({ field: field.field, fieldKey: field.fieldKey, direction });
      } while (this.peek().type === ',' && this.next());
    }
    const rest = this.peek();
    if (rest.type !== 'eof') {
      throw syntax(
        where || orderBy.length
          ? `Expecting either 'OR' or 'AND' but got '${rest.raw}'.`
          : `Expecting a field name but got '${rest.raw}'.`,
        rest,
      );
    }
    return { where, orderBy };
  }

  private atOrderBy(): boolean {
    return this.isWord(this.peek(), 'order') && this.isWord(this.peek(1), 'by');
  }

  private or(): JqlClause {
    const clauses = [this.and()];
    while (this.isWord(this.peek(), 'or', '||', '|')) {
      this.next();
      clauses.push(this.and());
    }
    return clauses.length === 1 ? clauses[0]! : { kind: 'or', clauses };
  }

  private and(): JqlClause {
    const clauses = [this.not()];
    while (this.isWord(this.peek(), 'and', '&&', '&')) {
      this.next();
      clauses.push(this.not());
    }
    return clauses.length === 1 ? clauses[0]! : { kind: 'and', clauses };
  }

  private not(): JqlClause {
    const t = this.peek();
    if (this.isWord(t, 'not', '!')) {
      this.next();
      return { kind: 'not', clause: this.not() };
    }
    if (t.type === '(') {
      this.next();
      const inner = this.or();
      const close = this.next();
      if (close.type === 'eof') throw syntax("Expecting ')' before the end of the query.");
      if (close.type !== ')') throw syntax(`Expecting either 'OR' or 'AND' but got '${close.raw}'.`, close);
      return inner;
    }
    return this.term();
  }

  private fieldOf(t: Token): { field: string; fieldKey: string } {
    if (t.type === 'cf') return { field: t.raw, fieldKey: `cf[${t.text}]` };
    if (t.type === 'string') return { field: t.text, fieldKey: t.text.toLowerCase() };
    if (t.type === 'word' && !RESERVED_WORDS.has(t.text.toLowerCase()) && !['&&', '||', '&', '|', '!'].includes(t.text)) {
      return { field: t.text, fieldKey: t.text.toLowerCase() };
    }
    throw syntax(`Expecting a field name but got '${t.raw}'. You must surround '${t.raw}' in quotation marks to use it as a field name.`, t);
  }

  private term(): JqlTerm {
    const t = this.next();
    if (t.type === 'eof') throw syntax('Expecting a field name at the end of the query.');
    const field = this.fieldOf(t);
    const op = this.operator();
    const values = op === 'in' || op === 'not in' ? this.list() : [this.value()];
    return { kind: 'term', ...field, op, values };
  }

  private operator(): JqlOperator {
    const t = this.next();
    if (t.type === 'eof') throw syntax(`Expecting operator before the end of the query. ${VALID_OPERATORS}`);
    if (t.type === 'op') return t.text as JqlOperator;
    if (this.isWord(t, 'in')) return 'in';
    if (this.isWord(t, 'is')) {
      if (this.isWord(this.peek(), 'not')) {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    if (this.isWord(t, 'not') && this.isWord(this.peek(), 'in')) {
      this.next();
      return 'not in';
    }
    throw syntax(`Expecting operator but got '${t.raw}'. ${VALID_OPERATORS}`, t);
  }

  private value(): string {
    const t = this.next();
    if (t.type === 'eof') throw syntax('Expecting either a value, list or function before the end of the query.');
    if (t.type === 'string') return t.text;
    if (t.type === 'word' && this.peek().type === '(') {
      throw new JqlError([`Unable to find JQL function '${t.text}()'.`]);
    }
    if (t.type === 'word' && !RESERVED_WORDS.has(t.text.toLowerCase()) && !['&&', '||', '&', '|', '!'].includes(t.text)) {
      return t.text;
    }
    throw syntax(
      `Expecting either a value, list or function but got '${t.raw}'. You must surround '${t.raw}' in quotation marks to use it as a value.`,
      t,
    );
  }

  private list(): string[] {
    const open = this.next();
    if (open.type === 'eof') throw syntax('Expecting either a value, list or function before the end of the query.');
    if (open.type !== '(') {
      throw syntax(`Expecting either a value, list or function but got '${open.raw}'.`, open);
    }
    const values = [this.value()];
    for (;;) {
      const t = this.next();
      if (t.type === ')') return values;
      if (t.type === 'eof') throw syntax("Expecting ')' before the end of the query.");
      if (t.type !== ',') throw syntax(`Expecting ',' or ')' but got '${t.raw}'.`, t);
      values.push(this.value());
    }
  }
}

/** Parses JQL; throws {@link JqlError} with Jira's wording for a syntax error. Empty JQL is `{where: null}`. */
export function parseJql(text: string): JqlQuery {
  return new Parser(tokenize(text)).parse();
}

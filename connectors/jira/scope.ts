import { ModelgraphError } from '../core/errors';
import type { JiraIssueBean } from './types';

/**
 * An instance's `projects` scope, applied to JQL and to issues: pure, no I/O.
 *
 * The caller's JQL is never trusted to stay inside the scope by itself. It is wrapped as
 * `project in ("A", "B") AND (<where>) ORDER BY <sort>`, and that wrapping is only sound if
 * Jira sees the same parentheses we do, so the JQL is tokenised as Jira tokenises it
 * (strings in double or single quotes with backslash escapes, parentheses outside them) and
 * refused unless its parentheses balance.
 */

/** The caller's JQL cannot be combined with the scope safely; nothing was sent upstream. */
export class JqlScopeError extends ModelgraphError {
  override readonly name = 'JqlScopeError';
  constructor(message: string) {
    super('JQL_OUT_OF_SCOPE', message);
  }
}

/** Characters that end an unquoted JQL word (Jira's STRINGSTOP, roughly), besides whitespace. */
const WORD_STOP = new Set([...'"\'()=!<>~,&|[]{}*/%+^$#@?;\\']);

interface Token {
  kind: 'word' | 'string' | '(' | ')' | 'other';
  text: string;
  /** Offset of the token's first character in the JQL. */
  start: number;
  /** Parenthesis depth the token sits at (a parenthesis: the depth outside it). */
  depth: number;
}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < jql.length) {
    const ch = jql[i]!;
    const start = i;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      i++;
      for (;;) {
        if (i >= jql.length) throw new JqlScopeError(`the quoted string starting at character ${start + 1} is not closed`);
        if (jql[i] === '\\') i += 2;
        else if (jql[i] === ch) break;
        else i++;
      }
      i++;
      tokens.push({ kind: 'string', text: jql.slice(start, i), start, depth });
    } else if (ch === '\\') {
      // Whether Jira reads `\"` outside quotes as an escaped quote or as the start of a
      // string decides where its strings (and so its parentheses) are; refusing it keeps
      // our reading and Jira's the same.
      throw new JqlScopeError(`a backslash outside a quoted string (character ${start + 1}); quote the value instead`);
    } else if (ch === '(') {
      tokens.push({ kind: '(', text: ch, start, depth });
      depth++;
      i++;
    } else if (ch === ')') {
      depth--;
      if (depth < 0) throw new JqlScopeError(`unbalanced parentheses: the ')' at character ${start + 1} closes nothing`);
      tokens.push({ kind: ')', text: ch, start, depth });
      i++;
    } else if (WORD_STOP.has(ch)) {
      tokens.push({ kind: 'other', text: ch, start, depth });
      i++;
    } else {
      while (i < jql.length && !WORD_STOP.has(jql[i]!) && !/\s/.test(jql[i]!)) i++;
      tokens.push({ kind: 'word', text: jql.slice(start, i), start, depth });
    }
  }
  if (depth !== 0) throw new JqlScopeError(`unbalanced parentheses: ${depth} '(' never closed`);
  return tokens;
}

const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.text.toLowerCase() === word;

/**
 * The JQL's search restriction and its `ORDER BY ...` clause (empty when there is none),
 * both trimmed. Throws {@link JqlScopeError} for JQL whose parentheses do not balance
 * outside quoted strings, an unclosed string, a backslash outside a string, or an
 * `ORDER BY` followed by parentheses (it can only name sort fields).
 */
export function splitOrderBy(jql: string): { where: string; orderBy: string } {
  const tokens = tokenize(jql);
  const at = tokens.findIndex((t, i) => t.depth === 0 && isWord(t, 'order') && isWord(tokens[i + 1], 'by'));
  if (at < 0) return { where: jql.trim(), orderBy: '' };
  const paren = tokens.slice(at).find((t) => t.kind === '(' || t.kind === ')');
  if (paren) throw new JqlScopeError(`ORDER BY may only name sort fields, but a '${paren.text}' follows it at character ${paren.start + 1}`);
  const split = tokens[at]!.start;
  return { where: jql.slice(0, split).trim(), orderBy: jql.slice(split).trim() };
}

/** `project in ("A", "B")`, keys as JQL string literals. */
export function projectClause(projects: readonly string[]): string {
  return `project in (${projects.map(jqlString).join(', ')})`;
}

/**
 * The JQL restricted to the projects: `project in ("A", "B") AND (<where>) <ORDER BY ...>`.
 * Without projects, the JQL unchanged. Throws {@link JqlScopeError} when the JQL cannot be
 * wrapped safely (see {@link splitOrderBy}).
 */
export function scopeJql(jql: string, projects: readonly string[] | undefined): string {
  if (!projects || projects.length === 0) return jql;
  const { where, orderBy } = splitOrderBy(jql);
  const restricted = where === '' ? projectClause(projects) : `${projectClause(projects)} AND (${where})`;
  return orderBy === '' ? restricted : `${restricted} ${orderBy}`;
}

const ISSUE_KEY = /^([A-Za-z][A-Za-z0-9_]*)-(\d+)$/;

/** `RISK` for `RISK-12` (any case); undefined for a numeric id or anything that is not an issue key. */
export function projectOfIssueKey(key: string): string | undefined {
  return ISSUE_KEY.exec(key)?.[1]!.toUpperCase();
}

/**
 * The project an issue is in now: `fields.project.key`, else the prefix of the key Jira
 * answered with (which follows the issue when it moves, unlike the key it was asked by).
 */
export function projectOfIssue(dto: JiraIssueBean): string | undefined {
  const key = dto.fields?.project?.key;
  if (typeof key === 'string' && key !== '') return key.toUpperCase();
  return typeof dto.key === 'string' ? projectOfIssueKey(dto.key) : undefined;
}

/**
 * A JQL string literal: double quotes, with `"` and `\` escaped by a backslash, line breaks
 * and tabs as `\n`, `\r`, `\t`, and the characters the JQL grammar refuses anywhere
 * (its CONTROLCHARS: C0 and C1 controls, U+FDD0..U+FDEF, U+FFFE/U+FFFF) as `\uXXXX` —
 * the same encoding as Jira's `JqlStringSupportImpl.encodeAsQuotedString`. Quoting
 * every value also keeps JQL's reserved words (`and`, `empty`, `order`...) and reserved
 * characters (`+`, `/`, `#`...) literal.
 */
export function jqlString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ch = value[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0xfdd0 && c <= 0xfdef) || c >= 0xfffe) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

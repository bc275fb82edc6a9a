import { JqlScopeError, projectOfIssue, projectOfIssueKey, scopeJql, splitOrderBy } from '../../connectors/jira';
import { parseJql } from '../../sandbox/jira';

/**
 * Combining a caller's JQL with an instance's `projects` scope: pure, no HTTP. The wrapped
 * JQL must mean "in these projects, and whatever the caller asked", whatever the caller
 * wrote; what cannot be wrapped safely is refused.
 */

const RISK = ['RISK'];

describe('scopeJql', () => {
  it('leaves JQL alone when the instance has no scope', () => {
    expect(scopeJql('project != RISK', undefined)).toBe('project != RISK');
    expect(scopeJql('x) OR (y', [])).toBe('x) OR (y');
  });

  it('wraps the search restriction in parentheses after the project clause, keys as string literals', () => {
    expect(scopeJql('project != RISK', RISK)).toBe('project in ("RISK") AND (project != RISK)');
    expect(scopeJql('labels = a OR labels = b', ['RISK', 'GROW'])).toBe('project in ("RISK", "GROW") AND (labels = a OR labels = b)');
  });

  it('moves a trailing ORDER BY out of the parentheses, in any case and spacing', () => {
    expect(scopeJql('project != RISK ORDER BY created DESC', RISK)).toBe('project in ("RISK") AND (project != RISK) ORDER BY created DESC');
    expect(scopeJql('labels = a or labels = b\norder\n  by key', RISK)).toBe('project in ("RISK") AND (labels = a or labels = b) order\n  by key');
    expect(scopeJql('(labels = a)ORDER BY key', RISK)).toBe('project in ("RISK") AND ((labels = a)) ORDER BY key');
  });

  it('scopes a JQL that is only an ORDER BY, or nothing, to the projects alone', () => {
    expect(scopeJql('ORDER BY updated DESC', RISK)).toBe('project in ("RISK") ORDER BY updated DESC');
    expect(scopeJql('   ', RISK)).toBe('project in ("RISK")');
  });

  it('does not take "order by" inside a quoted string, or as part of a word, for the clause', () => {
    expect(scopeJql('summary ~ "sort order by date" ORDER BY key', RISK)).toBe(
      'project in ("RISK") AND (summary ~ "sort order by date") ORDER BY key',
    );
    expect(scopeJql("summary ~ 'order by' OR summary ~ \"x\"", RISK)).toBe(
      'project in ("RISK") AND (summary ~ \'order by\' OR summary ~ "x")',
    );
    expect(scopeJql('labels = border AND labels = bypass', RISK)).toBe('project in ("RISK") AND (labels = border AND labels = bypass)');
  });

  it('keeps parentheses and escaped quotes inside strings as they are', () => {
    expect(scopeJql('summary ~ "a) OR (b" AND summary ~ "say \\"x) OR (y\\""', RISK)).toBe(
      'project in ("RISK") AND (summary ~ "a) OR (b" AND summary ~ "say \\"x) OR (y\\"")',
    );
  });

  it.each([
    ['closes the wrapper early', 'x = 1) OR (project = GROW'],
    ['closes it and comments nothing out', 'labels = a) OR project = GROW OR (labels = b'],
    ['leaves a parenthesis open', 'project = GROW OR (labels = a'],
    ['closes one too many', '(labels = a)) OR ((project = GROW)'],
    ['hides a quote from us behind a backslash', 'summary ~ x\\" ) OR project = GROW OR ( summary ~ "y"'],
    // Balanced if `\"` outside quotes opened a string, but Jira reads `a\"` as a word: its
    // `)` would close the wrapper.
    ['escapes a quote outside a string', 'summary ~ a\\" ) OR project = GROW OR ( summary ~ "x\\" y" AND labels = b'],
    ['leaves a string open to swallow the wrapper', 'summary ~ "abc'],
    ['leaves an escaped quote at the end of a string', "summary ~ 'abc\\'"],
    ['puts parentheses after ORDER BY', 'labels = a ORDER BY key) OR (project = GROW'],
    ['puts a balanced group after ORDER BY', 'labels = a ORDER BY (key)'],
  ])('refuses JQL that %s', (_why, jql) => {
    expect(() => scopeJql(jql, RISK)).toThrow(JqlScopeError);
  });

  it('says why it refused', () => {
    expect(() => scopeJql('x = 1) OR (project = GROW', RISK)).toThrow("unbalanced parentheses: the ')' at character 6 closes nothing");
    expect(() => scopeJql('project = GROW OR (labels = a', RISK)).toThrow("unbalanced parentheses: 1 '(' never closed");
  });

  it('produces JQL that parses with the wrapper as the top-level AND', () => {
    // The sandbox's parser is Jira's grammar in small: the scope clause must stay a sibling
    // of the caller's whole restriction, whatever OR it contains.
    const query = parseJql(scopeJql('project = GROW OR project = RISK ORDER BY key DESC', RISK));
    expect(query.where).toMatchObject({
      kind: 'and',
      clauses: [{ kind: 'term', fieldKey: 'project', op: 'in', values: ['RISK'] }, { kind: 'or' }],
    });
    expect(query.orderBy).toEqual([{ field: 'key', fieldKey: 'key', direction: 'DESC' }]);
  });
});

describe('splitOrderBy', () => {
  it('splits at the first top-level ORDER BY', () => {
    expect(splitOrderBy('a = 1 ORDER BY key ASC, created DESC')).toEqual({ where: 'a = 1', orderBy: 'ORDER BY key ASC, created DESC' });
    expect(splitOrderBy('a = 1')).toEqual({ where: 'a = 1', orderBy: '' });
  });
});

describe('projectOfIssueKey / projectOfIssue', () => {
  it('reads the project from a key, not from an id or anything else', () => {
    expect(projectOfIssueKey('RISK-12')).toBe('RISK');
    expect(projectOfIssueKey('risk-12')).toBe('RISK');
    expect(projectOfIssueKey('10042')).toBeUndefined();
    expect(projectOfIssueKey('RISK-12 OR x')).toBeUndefined();
    expect(projectOfIssueKey('../GROW-1')).toBeUndefined();
  });

  it("prefers the issue's project field to its key", () => {
    expect(projectOfIssue({ key: 'RISK-5', fields: { project: { key: 'GROW' } } })).toBe('GROW');
    expect(projectOfIssue({ key: 'GROW-9', fields: {} })).toBe('GROW');
    expect(projectOfIssue({ id: '10001' })).toBeUndefined();
  });
});

/**
 * The sandbox's Jira data and its JQL search: validation with Jira's messages (every
 * problem at once), evaluation, and ordering.
 */
import type { DemoOrg } from '../demo-org';
import { JqlError, parseJql, type JqlClause, type JqlQuery, type JqlTerm } from './jql';
import {
  JIRA_MODEL_FIELD,
  JIRA_STATUS_CATEGORIES,
  JIRA_STATUSES,
  seedJiraIssues,
  type JiraSeed,
  type JiraSeedIssue,
  type JiraSeedProject,
  type JiraSeedUser,
} from './seed';

export interface JiraSearchResult {
  issues: JiraSeedIssue[];
  /** Value problems reported as warnings instead of errors (Data Center `validateQuery=warn`). */
  warnings: string[];
  /** Whether the query had a search restriction (Cloud's `/search/jql` refuses it otherwise). */
  bounded: boolean;
}

export interface JiraStore {
  seed: JiraSeed;
  usersByPerson: ReadonlyMap<string, JiraSeedUser>;
  /** By key (any case) or id; undefined when there is none. */
  getIssue(keyOrId: string): JiraSeedIssue | undefined;
  /** Throws {@link JqlError} for a query Jira would refuse. */
  search(jql: string, options?: { validate?: 'strict' | 'warn' }): JiraSearchResult;
  /** The person a user reference of this flavour names (Cloud account id, Data Center username or key). */
  personOfUser(ref: string): string | undefined;
  /** Adds an issue as Jira creates one: the next id, and the next key of its project. */
  addIssue(issue: Omit<JiraSeedIssue, 'id' | 'key'>): JiraSeedIssue;
  /** Comments by issue id, oldest first. */
  comments: Map<string, JiraSeedComment[]>;
}

export interface JiraSeedComment {
  id: string;
  /** ADF (Cloud) or a string (Data Center), as posted. */
  body: unknown;
  created: number;
}

type FieldKind = 'project' | 'key' | 'labels' | 'component' | 'status' | 'statuscategory' | 'model' | 'assignee' | 'reporter';

const FIELD_ALIASES: Record<string, FieldKind> = {
  project: 'project',
  key: 'key',
  issuekey: 'key',
  labels: 'labels',
  component: 'component',
  status: 'status',
  statuscategory: 'statuscategory',
  assignee: 'assignee',
  reporter: 'reporter',
  [`cf[${JIRA_MODEL_FIELD.numericId}]`]: 'model',
  [JIRA_MODEL_FIELD.id]: 'model',
};

const SORTABLE = new Set(['key', 'issuekey', 'created', 'updated']);
/** The operators the sandbox evaluates; Jira supports more on some fields (`labels is EMPTY`). */
const SUPPORTED_OPERATORS = new Set(['=', '!=', 'in', 'not in']);

export function createJiraStore(org: DemoOrg, flavor: 'cloud' | 'datacenter'): JiraStore {
  return createStoreFromSeed(seedJiraIssues(org, { flavor }), flavor);
}

export function createStoreFromSeed(seed: JiraSeed, flavor: 'cloud' | 'datacenter' = 'cloud'): JiraStore {
  // User fields take what the flavour identifies users by: Cloud only account ids (usernames
  // went away with GDPR), Data Center usernames or user keys.
  const userByRef = new Map<string, string>();
  for (const u of seed.users) {
    if (flavor === 'cloud') userByRef.set(u.accountId.toLowerCase(), u.personId);
    else {
      userByRef.set(u.name.toLowerCase(), u.personId);
      userByRef.set(u.key.toLowerCase(), u.personId);
    }
  }
  const byKey = new Map(seed.issues.map((i) => [i.key.toLowerCase(), i]));
  const byId = new Map(seed.issues.map((i) => [i.id, i]));
  const projects = new Map<string, JiraSeedProject>();
  for (const p of seed.projects) {
    projects.set(p.key.toLowerCase(), p);
    projects.set(p.name.toLowerCase(), p);
    projects.set(p.id, p);
  }
  const components = new Set(seed.projects.flatMap((p) => p.components.flatMap((c) => [c.name.toLowerCase(), c.id])));
  const modelOptions = new Set(seed.modelFieldOptions.map((o) => o.toLowerCase()));
  const statuses = new Map(JIRA_STATUSES.flatMap((s) => [[s.name.toLowerCase(), s] as const, [s.id, s] as const]));
  const categories = new Map(
    Object.values(JIRA_STATUS_CATEGORIES).flatMap((c) => [
      [c.key, c.key] as const,
      [c.name.toLowerCase(), c.key] as const,
      [String(c.id), c.key] as const,
    ]),
  );
  const statusCategory = new Map(JIRA_STATUSES.map((s) => [s.name, s.category]));
  const keyNumber = (key: string) => Number(key.slice(key.lastIndexOf('-') + 1));

  /** Every problem of the query, in order; value problems separately (they may be warnings). */
  function validate(query: JqlQuery): { errors: string[]; valueErrors: string[] } {
    const errors: string[] = [];
    const valueErrors: string[] = [];
    const visit = (clause: JqlClause): void => {
      if (clause.kind !== 'term') {
        if (clause.kind === 'not') visit(clause.clause);
        else clause.clauses.forEach(visit);
        return;
      }
      const kind = FIELD_ALIASES[clause.fieldKey];
      if (!kind) {
        errors.push(`Field '${clause.field}' does not exist or you do not have permission to view it.`);
        return;
      }
      if (!SUPPORTED_OPERATORS.has(clause.op)) {
        errors.push(`The operator '${clause.op.toUpperCase()}' is not supported by the '${clause.field}' field.`);
        return;
      }
      for (const value of clause.values) {
        const lower = value.toLowerCase();
        if (kind === 'project' && !projects.has(lower)) valueErrors.push(`The value '${value}' does not exist for the field '${clause.field}'.`);
        if (kind === 'component' && !components.has(lower)) valueErrors.push(`The value '${value}' does not exist for the field '${clause.field}'.`);
        if (kind === 'status' && !statuses.has(lower)) valueErrors.push(`The value '${value}' does not exist for the field '${clause.field}'.`);
        if (kind === 'model' && !modelOptions.has(lower)) {
          valueErrors.push(`The option '${value}' for field '${JIRA_MODEL_FIELD.name}' does not exist.`);
        }
        if (kind === 'statuscategory' && !categories.has(lower)) valueErrors.push(`The value '${value}' does not exist for the field '${clause.field}'.`);
        if ((kind === 'assignee' || kind === 'reporter') && !userByRef.has(lower)) {
          valueErrors.push(`The value '${value}' does not exist for the field '${clause.field}'.`);
        }
        if (kind === 'key') {
          if (!/^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(value) && !/^\d+$/.test(value)) {
            errors.push(`The issue key '${value}' for field '${clause.field}' is invalid.`);
          } else if (!byKey.has(lower) && !byId.has(value)) {
            valueErrors.push(`An issue with key '${value}' does not exist for field '${clause.field}'.`);
          }
        }
      }
    };
    if (query.where) visit(query.where);
    for (const sort of query.orderBy) {
      if (!SORTABLE.has(sort.fieldKey)) errors.push(`Not able to sort using field '${sort.field}'.`);
    }
    return { errors, valueErrors };
  }

  function matchesTerm(term: JqlTerm, issue: JiraSeedIssue): boolean {
    const kind = FIELD_ALIASES[term.fieldKey]!;
    const wanted = term.values.map((v) => v.toLowerCase());
    let have: string[];
    switch (kind) {
      case 'project': {
        const keys = wanted.map((v) => projects.get(v)?.key.toLowerCase());
        have = [issue.projectKey.toLowerCase()];
        return negate(term, keys.includes(have[0]), true);
      }
      case 'key': {
        const keys = wanted.map((v) => (byId.get(v)?.key ?? v).toLowerCase());
        return negate(term, keys.includes(issue.key.toLowerCase()), true);
      }
      case 'status': {
        const names = wanted.map((v) => statuses.get(v)?.name.toLowerCase());
        return negate(term, names.includes(issue.status.toLowerCase()), true);
      }
      case 'statuscategory': {
        const keys = wanted.map((v) => categories.get(v));
        return negate(term, keys.includes(statusCategory.get(issue.status)), true);
      }
      case 'labels':
        have = issue.labels;
        break;
      case 'component':
        have = issue.components;
        break;
      case 'model':
        have = issue.modelField;
        break;
      case 'assignee':
      case 'reporter': {
        const people = wanted.map((v) => userByRef.get(v));
        const who = kind === 'assignee' ? issue.assignee : issue.reporter;
        return negate(term, who !== null && people.includes(who), who !== null);
      }
    }
    const lowerHave = have.map((h) => h.toLowerCase());
    // Multi-value fields: `!=` and `NOT IN` never match an issue where the field is empty.
    return negate(term, wanted.some((w) => lowerHave.includes(w)), lowerHave.length > 0);
  }

  function negate(term: JqlTerm, hit: boolean, hasValue: boolean): boolean {
    return term.op === '=' || term.op === 'in' ? hit : hasValue && !hit;
  }

  function matches(clause: JqlClause, issue: JiraSeedIssue): boolean {
    switch (clause.kind) {
      case 'and':
        return clause.clauses.every((c) => matches(c, issue));
      case 'or':
        return clause.clauses.some((c) => matches(c, issue));
      case 'not':
        return !matches(clause.clause, issue);
      default:
        return matchesTerm(clause, issue);
    }
  }

  function compare(query: JqlQuery): (a: JiraSeedIssue, b: JiraSeedIssue) => number {
    const sorts = query.orderBy.map((s) => {
      const field = s.fieldKey === 'issuekey' ? 'key' : s.fieldKey;
      // Jira's defaults: keys ascending, dates newest first.
      const direction = s.direction ?? (field === 'key' ? 'ASC' : 'DESC');
      return { field, sign: direction === 'ASC' ? 1 : -1 };
    });
    return (a, b) => {
      for (const { field, sign } of sorts) {
        let d = 0;
        if (field === 'key') d = a.projectKey.localeCompare(b.projectKey) || keyNumber(a.key) - keyNumber(b.key);
        else if (field === 'created') d = a.created - b.created;
        else if (field === 'updated') d = a.updated - b.updated;
        if (d !== 0) return d * sign;
      }
      return Number(a.id) - Number(b.id);
    };
  }

  const comments = new Map<string, JiraSeedComment[]>();
  return {
    seed,
    comments,
    personOfUser: (ref) => userByRef.get(ref.toLowerCase()),
    addIssue(draft) {
      const prefix = `${draft.projectKey}-`;
      const last = Math.max(0, ...seed.issues.filter((i) => i.key.startsWith(prefix)).map((i) => keyNumber(i.key)));
      const id = String(Math.max(9999, ...seed.issues.map((i) => Number(i.id))) + 1);
      const issue: JiraSeedIssue = { id, key: `${prefix}${last + 1}`, ...draft };
      seed.issues.push(issue);
      byKey.set(issue.key.toLowerCase(), issue);
      byId.set(issue.id, issue);
      return issue;
    },
    usersByPerson: new Map(seed.users.map((u) => [u.personId, u])),
    getIssue: (keyOrId) => byKey.get(keyOrId.toLowerCase()) ?? byId.get(keyOrId),
    search(jql, options = {}) {
      const query = parseJql(jql);
      const { errors, valueErrors } = validate(query);
      const validate_ = options.validate ?? 'strict';
      if (errors.length > 0 || (validate_ === 'strict' && valueErrors.length > 0)) {
        throw new JqlError([...errors, ...(validate_ === 'strict' ? valueErrors : [])]);
      }
      const where = query.where;
      const issues = (where ? seed.issues.filter((issue) => matches(where, issue)) : [...seed.issues]).sort(compare(query));
      return { issues, warnings: validate_ === 'strict' ? [] : valueErrors, bounded: where !== null };
    },
  };
}

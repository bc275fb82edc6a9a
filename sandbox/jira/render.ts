/**
 * The sandbox's issues as Jira sends them: Cloud (REST v3: account ids, mostly hidden
 * emails, ADF descriptions) or Data Center (REST v2: usernames and keys, emails, plain-text
 * descriptions), with `fields` selection as both APIs do it.
 */
import type { JiraChangelog, JiraIssueBean, JiraPageOfChangelogs, JiraUser } from '../../connectors/jira/types';
import {
  JIRA_ISSUE_TYPES,
  JIRA_MODEL_FIELD,
  JIRA_PRIORITIES,
  JIRA_STATUS_CATEGORIES,
  JIRA_STATUSES,
  type JiraSeedIssue,
  type JiraSeedUser,
} from './seed';
import type { JiraStore } from './store';

export type JiraSandboxFlavor = 'cloud' | 'datacenter';

export interface RenderContext {
  flavor: JiraSandboxFlavor;
  /** The site's base URL as the client reached it, e.g. `http://127.0.0.1:4321`. */
  baseUrl: string;
  store: JiraStore;
}

/** `expand` values, comma-separated and possibly repeated, as both APIs take them. */
export function expandList(values: ReadonlyArray<string | null | undefined>): string[] {
  return values.flatMap((v) => (v ?? '').split(',')).map((t) => t.trim()).filter(Boolean);
}

/** Every field the sandbox has; all of them are navigable. */
export const JIRA_SANDBOX_FIELDS = [
  'summary',
  'description',
  'issuetype',
  'status',
  'priority',
  'labels',
  'components',
  'assignee',
  'reporter',
  'created',
  'updated',
  'resolutiondate',
  'resolution',
  'project',
  JIRA_MODEL_FIELD.id,
] as const;

/**
 * The fields a `fields` parameter selects: comma-separated lists (the parameter may also
 * repeat), `*all` and `*navigable`, `id` (ids only: no fields), field ids, and `-field`
 * exclusions (on their own, from the navigable set). Unknown ids are ignored, as Jira does.
 */
export function selectFields(requested: readonly string[] | undefined, fallback: 'id' | '*navigable' | '*all'): Set<string> {
  const tokens = (requested ?? []).flatMap((v) => v.split(',')).map((t) => t.trim()).filter(Boolean);
  const list = tokens.length > 0 ? tokens : [fallback];
  const include = list.filter((t) => !t.startsWith('-'));
  const exclude = list.filter((t) => t.startsWith('-')).map((t) => t.slice(1));
  const selected = new Set<string>();
  const known = new Set<string>(JIRA_SANDBOX_FIELDS);
  for (const t of include.length > 0 ? include : ['*navigable']) {
    if (t === '*all' || t === '*navigable') JIRA_SANDBOX_FIELDS.forEach((f) => selected.add(f));
    else if (known.has(t)) selected.add(t);
  }
  for (const t of exclude) selected.delete(t);
  return selected;
}

/** Jira's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in a fixed offset: Cloud here in UTC, Data Center in UTC+1. */
export function jiraTime(ms: number, offsetMinutes: number): string {
  const shifted = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${shifted}${offsetMinutes < 0 ? '-' : '+'}${hh}${mm}`;
}

export function timeOffsetMinutes(flavor: JiraSandboxFlavor): number {
  return flavor === 'cloud' ? 0 : 60;
}

export function apiRoot(ctx: RenderContext): string {
  return `${ctx.baseUrl}/rest/api/${ctx.flavor === 'cloud' ? '3' : '2'}`;
}

function avatars(ctx: RenderContext, id: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const size of [16, 24, 32, 48]) out[`${size}x${size}`] = `${ctx.baseUrl}/secure/useravatar?size=${size}&ownerId=${encodeURIComponent(id)}`;
  return out;
}

export function renderUser(user: JiraSeedUser, ctx: RenderContext): JiraUser {
  if (ctx.flavor === 'cloud') {
    return {
      self: `${apiRoot(ctx)}/user?accountId=${user.accountId}`,
      accountId: user.accountId,
      ...(user.emailVisible ? { emailAddress: user.email } : {}),
      avatarUrls: avatars(ctx, user.accountId),
      displayName: user.displayName,
      active: user.active,
      timeZone: user.timeZone,
      accountType: 'atlassian',
    };
  }
  return {
    self: `${apiRoot(ctx)}/user?username=${encodeURIComponent(user.name)}`,
    name: user.name,
    key: user.key,
    emailAddress: user.email,
    avatarUrls: avatars(ctx, user.key),
    displayName: user.displayName,
    active: user.active,
    timeZone: user.timeZone,
  };
}

function renderField(field: string, issue: JiraSeedIssue, ctx: RenderContext): unknown {
  const api = apiRoot(ctx);
  const offset = timeOffsetMinutes(ctx.flavor);
  const person = (id: string | null) => {
    const user = id ? ctx.store.usersByPerson.get(id) : undefined;
    return user ? renderUser(user, ctx) : null;
  };
  switch (field) {
    case 'summary':
      return issue.summary;
    case 'description':
      return ctx.flavor === 'cloud'
        ? { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: issue.description }] }] }
        : issue.description;
    case 'issuetype': {
      const type = JIRA_ISSUE_TYPES[issue.type];
      return {
        self: `${api}/issuetype/${type.id}`,
        id: type.id,
        description: type.description,
        iconUrl: `${ctx.baseUrl}/images/icons/issuetypes/${issue.type.toLowerCase()}.svg`,
        name: issue.type,
        subtask: false,
        ...(ctx.flavor === 'cloud' ? { hierarchyLevel: 0 } : {}),
      };
    }
    case 'status': {
      const status = JIRA_STATUSES.find((s) => s.name === issue.status)!;
      const category = JIRA_STATUS_CATEGORIES[status.category];
      return {
        self: `${api}/status/${status.id}`,
        description: status.description,
        iconUrl: `${ctx.baseUrl}/images/icons/statuses/generic.png`,
        name: status.name,
        id: status.id,
        statusCategory: { self: `${api}/statuscategory/${category.id}`, ...category },
      };
    }
    case 'priority': {
      const id = JIRA_PRIORITIES[issue.priority];
      return {
        self: `${api}/priority/${id}`,
        iconUrl: `${ctx.baseUrl}/images/icons/priorities/${issue.priority.toLowerCase()}.svg`,
        name: issue.priority,
        id,
      };
    }
    case 'labels':
      return [...issue.labels];
    case 'components': {
      const project = ctx.store.seed.projects.find((p) => p.key === issue.projectKey);
      return issue.components.map((name) => {
        const id = project?.components.find((c) => c.name === name)?.id ?? '0';
        return { self: `${api}/component/${id}`, id, name };
      });
    }
    case 'assignee':
      return person(issue.assignee);
    case 'reporter':
      return person(issue.reporter);
    case 'created':
      return jiraTime(issue.created, offset);
    case 'updated':
      return jiraTime(issue.updated, offset);
    case 'resolutiondate':
      return issue.resolved === null ? null : jiraTime(issue.resolved, offset);
    case 'resolution':
      return issue.resolved === null
        ? null
        : { self: `${api}/resolution/10000`, id: '10000', description: 'Work has been completed on this issue.', name: 'Done' };
    case 'project': {
      const project = ctx.store.seed.projects.find((p) => p.key === issue.projectKey)!;
      return {
        self: `${api}/project/${project.id}`,
        id: project.id,
        key: project.key,
        name: project.name,
        projectTypeKey: 'software',
        ...(ctx.flavor === 'cloud' ? { simplified: false } : {}),
      };
    }
    case JIRA_MODEL_FIELD.id: {
      if (issue.modelField.length === 0) return null;
      const options = ctx.store.seed.modelFieldOptions;
      return issue.modelField.map((value) => {
        const id = String(10200 + options.indexOf(value));
        return { self: `${api}/customFieldOption/${id}`, value, id };
      });
    }
    default:
      return undefined;
  }
}

/**
 * The issue's changelog as `expand=changelog` adds it (`PageOfChangelogs`): its status moves,
 * by whom and when. Cloud lists "recent updates to an issue, sorted by date, starting from
 * the most recent"; Data Center lists them oldest first.
 */
export function renderChangelog(issue: JiraSeedIssue, ctx: RenderContext): JiraPageOfChangelogs {
  const histories = changelogHistories(issue, ctx);
  const ordered = ctx.flavor === 'cloud' ? [...histories].reverse() : histories;
  return { startAt: 0, maxResults: ordered.length, total: ordered.length, histories: ordered };
}

/** `Changelog`s of the issue, oldest first. */
export function changelogHistories(issue: JiraSeedIssue, ctx: RenderContext): JiraChangelog[] {
  const offset = timeOffsetMinutes(ctx.flavor);
  const statusId = (name: string) => JIRA_STATUSES.find((s) => s.name === name)?.id ?? '';
  return issue.transitions.map((move, i) => {
    const user = ctx.store.usersByPerson.get(move.by);
    return {
      id: String(Number(issue.id) * 10 + i),
      ...(user ? { author: renderUser(user, ctx) } : {}),
      created: jiraTime(move.at, offset),
      items: [
        {
          field: 'status',
          fieldtype: 'jira',
          ...(ctx.flavor === 'cloud' ? { fieldId: 'status' } : {}),
          from: statusId(move.from),
          fromString: move.from,
          to: statusId(move.to),
          toString: move.to,
        },
      ],
    };
  });
}

export function renderIssue(issue: JiraSeedIssue, ctx: RenderContext, fields: ReadonlySet<string>, expand: readonly string[] = []): JiraIssueBean {
  const out: JiraIssueBean = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: `${apiRoot(ctx)}/issue/${issue.id}`,
    key: issue.key,
  };
  if (fields.size > 0) {
    const rendered: Record<string, unknown> = {};
    for (const field of JIRA_SANDBOX_FIELDS) if (fields.has(field)) rendered[field] = renderField(field, issue, ctx);
    out.fields = rendered;
  }
  if (expand.includes('changelog')) out.changelog = renderChangelog(issue, ctx);
  return out;
}

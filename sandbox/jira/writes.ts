/**
 * The sandbox Jira's writes, as Jira answers them: create an issue (`POST /issue`, 201
 * `{id, key, self}`), comment on one (`POST /issue/{key}/comment`, 201 `Comment`), edit its
 * labels (`PUT /issue/{key}`, 204), and move it through the workflow (`GET|POST
 * /issue/{key}/transitions`, 204).
 *
 * Validation follows Jira's create screen: every problem of a request at once, in a 400
 * `ErrorCollection` whose `errors` are keyed by the field at fault, in Jira's wording
 * ("You must specify a summary of the issue.", "Field 'x' cannot be set. It is not on the
 * appropriate screen, or unknown."). Rich text is ADF on Cloud (v3) and a string on Data
 * Center (v2); people are account ids on Cloud and usernames on Data Center.
 */
import type { SandboxRequest, SandboxResponse } from '../http';
import { apiRoot, type RenderContext } from './render';
import { JIRA_ISSUE_TYPES, JIRA_PRIORITIES, JIRA_STATUS_CATEGORIES, JIRA_STATUSES, type JiraIssueTypeName, type JiraPriorityName } from './seed';
import type { JiraStore } from './store';

const JSON_TYPE = { 'content-type': 'application/json;charset=UTF-8' };

function json(status: number, body: unknown): SandboxResponse {
  return { status, headers: JSON_TYPE, body: JSON.stringify(body) };
}

function errorCollection(status: number, errorMessages: string[], errors: Record<string, string> = {}): SandboxResponse {
  return json(status, { errorMessages, errors });
}

const NO_CONTENT: SandboxResponse = { status: 204, headers: {}, body: '' };
const ISSUE_NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';
const INVALID_PAYLOAD = 'Invalid request payload. Refer to the REST API documentation and try again.';

/** The fields of the sandbox's create screen. */
const CREATE_SCREEN = new Set(['project', 'issuetype', 'summary', 'description', 'labels', 'priority', 'assignee', 'components']);

/** One transition per status, into it, from any other (a simplified workflow); ids as Jira numbers them. */
const TRANSITIONS = JIRA_STATUSES.map((status, i) => ({ id: String(11 + i * 10), name: status.name, to: status }));

/** A JSON object body, or the 400/415 Jira answers instead. */
function objectBody(req: SandboxRequest): Record<string, unknown> | SandboxResponse {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return errorCollection(415, ['Unsupported Media Type']);
  try {
    const body = JSON.parse(req.body.toString('utf8') || 'null') as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // falls through
  }
  return errorCollection(400, [INVALID_PAYLOAD]);
}

function isResponse(value: unknown): value is SandboxResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value && 'headers' in value;
}

/** An ADF document as Jira checks it: a `doc` of version 1 with block content. */
function isAdfDocument(value: unknown): boolean {
  const doc = value as { type?: unknown; version?: unknown; content?: unknown } | null;
  return !!doc && typeof doc === 'object' && doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content);
}

function richTextProblem(ctx: RenderContext, value: unknown): string | undefined {
  if (ctx.flavor === 'cloud') {
    return isAdfDocument(value) ? undefined : 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
  }
  return typeof value === 'string' ? undefined : 'Operation value must be a string';
}

function labelProblem(labels: unknown): string | undefined {
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) return 'Operation value must be an array of strings';
  const spaced = (labels as string[]).find((l) => /\s/.test(l));
  if (spaced !== undefined) return `The label '${spaced}' contains spaces which is invalid.`;
  const long = (labels as string[]).find((l) => l.length > 255);
  if (long !== undefined) return 'The label must not exceed 255 characters.';
  return undefined;
}

/** `{key}` / `{id}` / `{name}` references, as the create screen takes them. */
function refOf(value: unknown): { id?: string; key?: string; name?: string; accountId?: string } | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : undefined;
}

function createIssue(store: JiraStore, req: SandboxRequest, ctx: RenderContext): SandboxResponse {
  const body = objectBody(req);
  if (isResponse(body)) return body;
  const fields = refOf(body.fields) as Record<string, unknown> | undefined;
  if (!fields) return errorCollection(400, [INVALID_PAYLOAD]);
  const errors: Record<string, string> = {};

  for (const field of Object.keys(fields)) {
    if (!CREATE_SCREEN.has(field)) errors[field] = `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;
  }
  const projectRef = refOf(fields.project);
  const project = projectRef && store.seed.projects.find((p) => p.key === projectRef.key || p.id === projectRef.id);
  if (!project) errors.project = 'Specify a valid project ID or key';

  const typeRef = refOf(fields.issuetype);
  let type: JiraIssueTypeName | undefined;
  if (!typeRef) errors.issuetype = 'Specify an issue type';
  else {
    type = (Object.keys(JIRA_ISSUE_TYPES) as JiraIssueTypeName[]).find((t) => t === typeRef.name || JIRA_ISSUE_TYPES[t].id === typeRef.id);
    if (!type) errors.issuetype = 'Specify a valid issue type';
  }

  const summary = fields.summary;
  if (typeof summary !== 'string' || summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
  else if (summary.length > 254) errors.summary = 'Summary must be less than 255 characters.';
  else if (/[\r\n]/.test(summary)) errors.summary = 'The summary is invalid because it contains newline characters.';

  if (fields.description !== undefined && fields.description !== null) {
    const problem = richTextProblem(ctx, fields.description);
    if (problem) errors.description = problem;
  }

  let labels: string[] = [];
  if (fields.labels !== undefined && fields.labels !== null) {
    const problem = labelProblem(fields.labels);
    if (problem) errors.labels = problem;
    else labels = [...new Set(fields.labels as string[])];
  }

  let priority: JiraPriorityName = 'Medium';
  if (fields.priority !== undefined && fields.priority !== null) {
    const ref = refOf(fields.priority);
    const found = (Object.keys(JIRA_PRIORITIES) as JiraPriorityName[]).find((p) => p === ref?.name || JIRA_PRIORITIES[p] === ref?.id);
    if (!found) errors.priority = ref?.name ? `Priority name '${ref.name}' is not valid` : 'Specify the Priority (id or name) in the string format';
    else priority = found;
  }

  let assignee: string | null = null;
  if (fields.assignee !== undefined && fields.assignee !== null) {
    const ref = refOf(fields.assignee);
    const id = ctx.flavor === 'cloud' ? ref?.accountId ?? ref?.id : ref?.name ?? ref?.key;
    const person = id ? store.personOfUser(id) : undefined;
    if (!person) errors.assignee = ctx.flavor === 'cloud' ? 'Specify a valid value for assignee' : `User '${id ?? ''}' does not exist.`;
    else assignee = person;
  }

  if (Object.keys(errors).length > 0) return errorCollection(400, [], errors);
  const now = Date.now();
  const issue = store.addIssue({
    projectKey: project!.key,
    summary: summary as string,
    description: descriptionText(fields.description),
    type: type!,
    status: 'To Do',
    priority,
    labels,
    components: [],
    modelField: [],
    assignee,
    reporter: '',
    created: now,
    updated: now,
    resolved: null,
    transitions: [],
  });
  return json(201, { id: issue.id, key: issue.key, self: `${apiRoot(ctx)}/issue/${issue.id}` });
}

/** What the sandbox keeps of a description: the text of an ADF document, or the string. */
function descriptionText(value: unknown): string {
  if (typeof value === 'string') return value;
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const { text, content } = node as { text?: unknown; content?: unknown };
    if (typeof text === 'string') texts.push(text);
    if (Array.isArray(content)) content.forEach(walk);
  };
  walk(value);
  return texts.join(' ');
}

function addComment(store: JiraStore, req: SandboxRequest, ctx: RenderContext, issueId: string): SandboxResponse {
  const body = objectBody(req);
  if (isResponse(body)) return body;
  const problem =
    body.body === undefined || body.body === null || body.body === ''
      ? 'Comment body can not be empty!'
      : richTextProblem(ctx, body.body);
  if (problem) return errorCollection(400, [], { comment: problem });
  const list = store.comments.get(issueId) ?? [];
  const comment = { id: String(10000 + [...store.comments.values()].reduce((n, c) => n + c.length, 0)), body: body.body, created: Date.now() };
  store.comments.set(issueId, [...list, comment]);
  touch(store, issueId, comment.created);
  return json(201, renderComment(comment, ctx, issueId));
}

function renderComment(comment: { id: string; body: unknown; created: number }, ctx: RenderContext, issueId: string) {
  const at = new Date(comment.created).toISOString().replace('Z', '+0000');
  return { self: `${apiRoot(ctx)}/issue/${issueId}/comment/${comment.id}`, id: comment.id, body: comment.body, created: at, updated: at };
}

function listComments(store: JiraStore, ctx: RenderContext, issueId: string): SandboxResponse {
  const comments = store.comments.get(issueId) ?? [];
  return json(200, { startAt: 0, maxResults: 5000, total: comments.length, comments: comments.map((c) => renderComment(c, ctx, issueId)) });
}

function touch(store: JiraStore, issueId: string, at: number): void {
  const issue = store.getIssue(issueId);
  if (issue) issue.updated = at;
}

/** `PUT /issue/{key}`: labels only (`update.labels` add/remove/set, or `fields.labels`). */
function editIssue(store: JiraStore, req: SandboxRequest, issueId: string): SandboxResponse {
  const body = objectBody(req);
  if (isResponse(body)) return body;
  const issue = store.getIssue(issueId)!;
  const update = (refOf(body.update) ?? {}) as Record<string, unknown>;
  const fields = (refOf(body.fields) ?? {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  for (const field of [...Object.keys(update), ...Object.keys(fields)]) {
    if (field !== 'labels') errors[field] = `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;
  }
  if ('labels' in update && 'labels' in fields) errors.labels = 'Field labels cannot be specified in both fields and update.';
  let labels = [...issue.labels];
  if (Array.isArray(update.labels)) {
    for (const op of update.labels as Array<Record<string, unknown>>) {
      const value = op.add ?? op.remove ?? op.set;
      const values = Array.isArray(value) ? value : [value];
      const problem = labelProblem(values);
      if (problem) errors.labels = problem;
      else if ('add' in op) labels = [...new Set([...labels, ...(values as string[])])];
      else if ('remove' in op) labels = labels.filter((l) => !(values as string[]).includes(l));
      else if ('set' in op) labels = [...new Set(values as string[])];
    }
  } else if (update.labels !== undefined) errors.labels = INVALID_PAYLOAD;
  if (fields.labels !== undefined) {
    const problem = labelProblem(fields.labels);
    if (problem) errors.labels = problem;
    else labels = [...new Set(fields.labels as string[])];
  }
  if (Object.keys(errors).length > 0) return errorCollection(400, [], errors);
  issue.labels = labels;
  touch(store, issue.id, Date.now());
  return NO_CONTENT;
}

function listTransitions(store: JiraStore, ctx: RenderContext, issueId: string): SandboxResponse {
  const issue = store.getIssue(issueId)!;
  const api = apiRoot(ctx);
  return json(200, {
    expand: 'transitions',
    transitions: TRANSITIONS.filter((t) => t.to.name !== issue.status).map((t) => {
      const category = JIRA_STATUS_CATEGORIES[t.to.category];
      return {
        id: t.id,
        name: t.name,
        to: {
          self: `${api}/status/${t.to.id}`,
          description: t.to.description,
          name: t.to.name,
          id: t.to.id,
          statusCategory: { self: `${api}/statuscategory/${category.id}`, ...category },
        },
        hasScreen: false,
        isGlobal: true,
        isInitial: false,
        isAvailable: true,
        isConditional: false,
        isLooped: false,
      };
    }),
  });
}

function doTransition(store: JiraStore, req: SandboxRequest, issueId: string): SandboxResponse {
  const body = objectBody(req);
  if (isResponse(body)) return body;
  const issue = store.getIssue(issueId)!;
  const id = refOf(body.transition)?.id;
  if (!id) return errorCollection(400, ["Missing 'transition' identifier"]);
  const transition = TRANSITIONS.find((t) => t.id === String(id) && t.to.name !== issue.status);
  if (!transition) return errorCollection(400, [`Transition id '${id}' is not valid for this issue.`]);
  const now = Date.now();
  // The move goes into the changelog as Jira records it; the API's caller (the bot, '') is no person of the org.
  issue.transitions.push({ at: now, from: issue.status, to: transition.to.name, by: '' });
  issue.status = transition.to.name;
  issue.resolved = transition.to.category === 'done' ? now : null;
  issue.updated = now;
  return NO_CONTENT;
}

function methodNotAllowed(allowed: string[]): SandboxResponse {
  return { status: 405, headers: { allow: [...allowed, 'OPTIONS'].join(','), 'content-type': 'text/plain;charset=UTF-8' }, body: '' };
}

/**
 * The write endpoints under `/rest/api/{v}/`: `issue`, `issue/{key}` (PUT),
 * `issue/{key}/comment` and `issue/{key}/transitions`. Undefined for any other resource
 * (and for `GET issue/{key}`, which the read side answers).
 */
export function handleIssueWrite(store: JiraStore, req: SandboxRequest, ctx: RenderContext, resource: string): SandboxResponse | undefined {
  if (resource === 'issue') return req.method === 'POST' ? createIssue(store, req, ctx) : methodNotAllowed(['POST']);
  const match = /^issue\/([^/]+)(?:\/(comment|transitions))?$/.exec(resource);
  if (!match) return undefined;
  const [, rawKey, sub] = match as unknown as [string, string, string | undefined];
  if (!sub && req.method === 'GET') return undefined;
  const issue = store.getIssue(decodeURIComponent(rawKey));
  if (!issue) return errorCollection(404, [ISSUE_NOT_FOUND]);
  if (!sub) return req.method === 'PUT' ? editIssue(store, req, issue.id) : methodNotAllowed(['GET', 'PUT']);
  if (sub === 'comment') {
    if (req.method === 'POST') return addComment(store, req, ctx, issue.id);
    return req.method === 'GET' ? listComments(store, ctx, issue.id) : methodNotAllowed(['GET', 'POST']);
  }
  if (req.method === 'POST') return doTransition(store, req, issue.id);
  return req.method === 'GET' ? listTransitions(store, ctx, issue.id) : methodNotAllowed(['GET', 'POST']);
}

import type { JiraInstanceConfig } from './config';
import { isoFromMillis, type PersonIdentity } from '../core/graph';
import { escapeRegExp } from '../core/regexp';
import type { SourceRef } from '../core/source';
import { jqlString, scopeJql } from './scope';
import type { JiraFlavor, JiraIssueBean, JiraStatus, JiraUser } from './types';

export { jqlString } from './scope';

/**
 * Pure mapping from Jira DTOs to graph objects, and the pure half of the model-link rule
 * (which tickets belong to which model, and the JQL that finds them): no I/O, no clock.
 */

/** How a Jira issue belongs to a model, as configured per instance. */
export type JiraModelLink = JiraInstanceConfig['modelLink'];

/** What the mapping needs to know about the instance an issue came from. */
export interface JiraMapContext {
  /** The configured instance name, e.g. `corp`. */
  instance: string;
  /** The site's base URL without a trailing slash; browse links hang off it. */
  siteUrl: string;
  /** Cloud identifies people by account id, Data Center by username. */
  flavor: JiraFlavor;
  modelLink: JiraModelLink;
}

export type TicketStatusCategory = 'TODO' | 'IN_PROGRESS' | 'DONE' | 'UNKNOWN';

/** A Jira issue as the graph serves it. */
export interface Ticket {
  /** The issue key, e.g. `RISK-12`. */
  key: string;
  /**
   * `<instance>/<issue key>`: unique across Jira instances (like every graph object's id,
   * e.g. `ModelVersion.id`). Jira's own numeric id is not exposed.
   */
  id: string;
  /** kind `JIRA`, the instance, nativeId the issue key, url the browse URL. */
  source: SourceRef;
  /** `${siteUrl}/browse/${key}` */
  url: string;
  summary: string;
  /** The issue type's name (`Task`, `Bug`). */
  type: string | null;
  /** The status's name as the workflow calls it (`In Review`). */
  status: string | null;
  /** The status's category: Jira's `new` / `indeterminate` / `done`. */
  statusCategory: TicketStatusCategory;
  priority: string | null;
  labels: string[];
  /** Component names. */
  components: string[];
  /** tool `JIRA`; nativeId the Cloud account id or the Data Center username; email when Jira exposes it. */
  assignee: PersonIdentity | null;
  reporter: PersonIdentity | null;
  /** ISO-8601 UTC. */
  created: string | null;
  updated: string | null;
  /** `resolutiondate`: when the issue was resolved; null while unresolved. */
  resolved: string | null;
  /** The model keys this ticket links to under the instance's model-link rule. */
  modelKeys: string[];
  /**
   * The description as plain text (Cloud's ADF text flattened); null when it has none or it
   * was not asked for (only model ticket searches ask for it).
   */
  description?: string | null;
  /** The values, as text, of the extra fields the search asked for (an approval's version field), by field id. */
  fieldValues?: Record<string, string[]>;
  /** Status changes from the changelog, oldest first; absent when the changelog was not expanded. */
  statusChanges?: StatusChange[];
}

export interface StatusChange {
  /** ISO-8601 UTC. */
  at: string;
  from: string | null;
  to: string | null;
}

/** What a model ticket search reads besides {@link ticketFields}: the description, extra fields and the changelog. */
export interface TicketDetailsRequest {
  /** Field ids whose values to keep in `fieldValues` (`customfield_10042`). */
  extraFields: readonly string[];
}

/**
 * The fields every ticket search and lookup asks for. `/search/jql` returns only ids unless
 * told otherwise, and asking for fewer fields gets more issues per page.
 */
export function ticketFields(modelLink: JiraModelLink): string[] {
  const fields = [
    'summary',
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
    // Scoped instances check the project an issue is in now, not the one its key names.
    'project',
  ];
  if (modelLink.type === 'customField') fields.push(modelLink.field);
  return fields;
}

/**
 * An issue with what a model ticket search reads besides: the description's text, the extra
 * fields' values and the status changes of the changelog (when expanded).
 */
export function mapIssueWithDetails(dto: JiraIssueBean, ctx: JiraMapContext, request: TicketDetailsRequest): Ticket {
  const fields = dto.fields ?? {};
  const ticket: Ticket = { ...mapIssue(dto, ctx), description: descriptionText(fields.description) };
  if (request.extraFields.length > 0) {
    ticket.fieldValues = Object.fromEntries(
      request.extraFields.map((id) => {
        const value = fields[id as `customfield_${string}`];
        // A number field holds a version number as well as a text one does.
        const values = typeof value === 'number' ? [String(value)] : customFieldValues(value);
        return [id, values.map((v) => v.trim()).filter(Boolean)];
      }),
    );
  }
  if (dto.changelog) ticket.statusChanges = statusChangesOf(dto);
  return ticket;
}

/** The description as text: Data Center's string as it is, Cloud's ADF document flattened; null when empty. */
export function descriptionText(value: unknown): string | null {
  const text = typeof value === 'string' ? value : adfText(value);
  return text.trim() === '' ? null : text.trim();
}

const ADF_BLOCKS = new Set(['paragraph', 'heading', 'blockquote', 'codeBlock', 'listItem', 'tableCell', 'tableHeader', 'panel', 'rule']);

/**
 * The text of an Atlassian Document Format node: its text nodes, block nodes on lines of
 * their own, and the URLs of links and smart links (a registry URL pasted into Jira Cloud
 * becomes an `inlineCard`, whose text is only its URL attribute).
 */
export function adfText(node: unknown): string {
  if (node === null || typeof node !== 'object') return '';
  const n = node as { type?: unknown; text?: unknown; content?: unknown; attrs?: { url?: unknown; text?: unknown }; marks?: unknown };
  if (n.type === 'text' && typeof n.text === 'string') {
    const hrefs = (Array.isArray(n.marks) ? n.marks : [])
      .map((m: { type?: unknown; attrs?: { href?: unknown } }) => (m?.type === 'link' && typeof m.attrs?.href === 'string' ? m.attrs.href : null))
      .filter((h): h is string => h !== null && h !== n.text);
    return hrefs.length > 0 ? `${n.text} (${hrefs.join(' ')})` : n.text;
  }
  if (n.type === 'hardBreak') return '\n';
  if ((n.type === 'inlineCard' || n.type === 'blockCard' || n.type === 'embedCard') && typeof n.attrs?.url === 'string') return n.attrs.url;
  if (n.type === 'mention' && typeof n.attrs?.text === 'string') return n.attrs.text;
  const children = Array.isArray(n.content) ? n.content.map(adfText).join('') : '';
  return typeof n.type === 'string' && ADF_BLOCKS.has(n.type) ? `${children}\n` : children;
}

/** The changelog's status changes, oldest first (Cloud lists the newest first, Data Center the oldest). */
export function statusChangesOf(dto: JiraIssueBean): StatusChange[] {
  const changes: StatusChange[] = [];
  for (const history of dto.changelog?.histories ?? []) {
    const at = isoFromJira(history.created);
    if (!at) continue;
    for (const item of history.items ?? []) {
      if ((item.fieldId ?? item.field) !== 'status') continue;
      changes.push({ at, from: item.fromString ?? null, to: item.toString ?? null });
    }
  }
  return changes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

export function mapIssue(dto: JiraIssueBean, ctx: JiraMapContext): Ticket {
  const key = dto.key ?? '';
  const fields = dto.fields ?? {};
  const url = `${ctx.siteUrl}/browse/${encodeURIComponent(key)}`;
  return {
    key,
    id: `${ctx.instance}/${key}`,
    source: { kind: 'JIRA', instance: ctx.instance, nativeId: key, url },
    url,
    summary: fields.summary ?? '',
    type: fields.issuetype?.name || null,
    status: fields.status?.name || null,
    statusCategory: statusCategoryOf(fields.status),
    priority: fields.priority?.name || null,
    labels: (fields.labels ?? []).filter((l): l is string => typeof l === 'string' && l !== ''),
    components: (fields.components ?? [])
      .map((c) => c?.name)
      .filter((n): n is string => typeof n === 'string' && n !== ''),
    assignee: mapPerson(fields.assignee, ctx),
    reporter: mapPerson(fields.reporter, ctx),
    created: isoFromJira(fields.created),
    updated: isoFromJira(fields.updated),
    resolved: isoFromJira(fields.resolutiondate),
    modelKeys: modelKeysOf(dto, ctx.modelLink),
  };
}

const CATEGORY_BY_KEY: Record<string, TicketStatusCategory> = {
  new: 'TODO',
  indeterminate: 'IN_PROGRESS',
  done: 'DONE',
};

/** The three fixed categories' names, for a status category that came without its key. */
const CATEGORY_BY_NAME: Record<string, TicketStatusCategory> = {
  'to do': 'TODO',
  'in progress': 'IN_PROGRESS',
  done: 'DONE',
};

/** Jira's fixed status categories; `undefined` ("No Category") and anything else is UNKNOWN. */
export function statusCategoryOf(status: JiraStatus | null | undefined): TicketStatusCategory {
  const category = status?.statusCategory;
  if (!category) return 'UNKNOWN';
  if (category.key && CATEGORY_BY_KEY[category.key]) return CATEGORY_BY_KEY[category.key]!;
  return (category.name && CATEGORY_BY_NAME[category.name.toLowerCase()]) || 'UNKNOWN';
}

/**
 * A user field as a person identity: Cloud names people by `accountId` (username and key
 * are gone since the GDPR migration), Data Center by the username `name` (falling back to
 * the internal `key`). The email is kept only when Jira sends one: Cloud hides it for most
 * accounts.
 */
export function mapPerson(user: JiraUser | null | undefined, ctx: JiraMapContext): PersonIdentity | null {
  if (!user) return null;
  const nativeId =
    ctx.flavor === 'cloud' ? user.accountId || user.name || user.key : user.name || user.key || user.accountId;
  if (!nativeId) return null;
  const email = typeof user.emailAddress === 'string' ? user.emailAddress.trim() : '';
  return {
    tool: 'JIRA',
    instance: ctx.instance,
    nativeId,
    email: email || null,
    displayName: user.displayName || null,
  };
}

const JIRA_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Jira's timestamps (`2025-01-06T09:00:00.000+0000`, in the calling user's time zone, with
 * an offset that has no colon) to ISO-8601 UTC. `Date.parse` accepts `+0000` only as a
 * V8 extension, so the offset is normalised to `+00:00` first. A date without a time (a
 * due date) is midnight UTC; epoch milliseconds are accepted too. Anything else is null.
 */
export function isoFromJira(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return isoFromMillis(value);
  const match = JIRA_TIMESTAMP.exec(value.trim());
  if (!match) return null;
  const [, date, time = '00:00', offset] = match;
  const zone = !offset || offset === 'Z' ? 'Z' : offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
  // ECMAScript's date-time format has at most three fraction digits.
  const [hms, fraction] = time.split('.');
  const ms = Date.parse(`${date}T${hms}${fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : ''}${zone}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

// ---- the model-link rule --------------------------------------------------------------

/** The label or component name a model key is linked by, or (custom field) the key itself. */
export function modelLinkValue(modelKey: string, modelLink: JiraModelLink): string {
  return modelLink.type === 'customField' ? modelKey : modelLink.pattern.split('{key}').join(modelKey);
}

/** The JQL field of the rule: `labels`, `component`, or `cf[10042]` for `customfield_10042`. */
export function modelLinkField(modelLink: JiraModelLink): string {
  if (modelLink.type === 'label') return 'labels';
  if (modelLink.type === 'component') return 'component';
  return `cf[${modelLink.field.slice('customfield_'.length)}]`;
}

const patternCache = new Map<string, RegExp>();

/** `model:{key}` -> /^model:(.+)$/; later `{key}`s must repeat the first. */
function patternRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const parts = pattern.split('{key}').map(escapeRegExp);
    re = new RegExp(`^${parts[0]}(.+?)${parts.slice(1).join('\\1')}$`, 'i');
    patternCache.set(pattern, re);
  }
  return re;
}

/**
 * The model keys an issue links to under the rule: labels or component names that match the
 * pattern (ignoring case, as JQL matches component names), or the values of the custom field
 * (a text or labels field's strings, or a select field's option `value`s). In order of
 * appearance, without duplicates.
 */
export function modelKeysOf(dto: JiraIssueBean, modelLink: JiraModelLink): string[] {
  const fields = dto.fields ?? {};
  let candidates: string[];
  if (modelLink.type === 'label' || modelLink.type === 'component') {
    const names =
      modelLink.type === 'label'
        ? (fields.labels ?? [])
        : (fields.components ?? []).map((c) => c?.name);
    const re = patternRegExp(modelLink.pattern);
    candidates = names
      .filter((n): n is string => typeof n === 'string')
      .map((n) => re.exec(n)?.[1])
      .filter((k): k is string => k !== undefined);
  } else {
    candidates = customFieldValues(fields[modelLink.field as `customfield_${string}`]);
  }
  const seen = new Set<string>();
  return candidates
    .map((k) => k.trim())
    .filter((k) => {
      if (!k || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/** Strings out of a custom field value of any of the usual types (a Cloud text area's ADF included). */
function customFieldValues(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && (value as { type?: unknown }).type === 'doc') return [adfText(value)];
  if (Array.isArray(value)) return value.flatMap((v) => customFieldValues(v));
  if (typeof value === 'object') {
    const option = value as { value?: unknown; name?: unknown };
    if (typeof option.value === 'string') return [option.value];
    if (typeof option.name === 'string') return [option.name];
  }
  return [];
}

// ---- JQL ------------------------------------------------------------------------------

/**
 * One JQL search for the tickets of many models: `labels in ("model:a", "model:b")`,
 * `component in (...)` or `cf[10042] in (...)`, in key order (a stable order, which offset
 * paging on Data Center needs). With projects, exactly the JQL the connector sends once it
 * has applied the instance's scope, so that batches can be sized by it.
 */
export function jqlForModels(modelKeys: readonly string[], modelLink: JiraModelLink, projects?: readonly string[]): string {
  const values = [...new Set(modelKeys)].map((k) => jqlString(modelLinkValue(k, modelLink)));
  if (values.length === 0) throw new RangeError('jqlForModels needs at least one model key');
  return scopeJql(`${modelLinkField(modelLink)} in (${values.join(', ')}) ORDER BY key ASC`, projects);
}

export interface ChunkLimits {
  /** Keys per JQL. */
  maxKeys: number;
  /** Characters per JQL. */
  maxLength: number;
  projects?: readonly string[];
}

/**
 * Splits model keys into batches whose JQL stays within both limits, so that a GET search
 * URL stays short (the Cloud docs send over-long JQL to the POST variant; proxies commonly
 * cap URLs at 4-8 KB) however long the keys are. A key whose JQL alone is over the length
 * limit gets a batch of its own rather than being dropped.
 */
export function chunkModelKeys(modelKeys: readonly string[], modelLink: JiraModelLink, limits: ChunkLimits): string[][] {
  const maxKeys = Math.max(1, Math.floor(limits.maxKeys));
  const chunks: string[][] = [];
  let current: string[] = [];
  // The JQL grows by the quoted value plus ", " per key; computing it so (rather than
  // rebuilding the JQL per key) keeps this linear.
  const base = (k: string) => jqlForModels([k], modelLink, limits.projects).length;
  let length = 0;
  for (const key of new Set(modelKeys)) {
    const extra = jqlString(modelLinkValue(key, modelLink)).length + 2;
    if (current.length > 0 && (current.length >= maxKeys || length + extra > limits.maxLength)) {
      chunks.push(current);
      current = [];
    }
    length = current.length === 0 ? base(key) : length + extra;
    current.push(key);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

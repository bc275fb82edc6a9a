/**
 * Jira REST DTOs, named as Atlassian names them: Jira Cloud platform REST API v3
 * (`jira-cloud-platform-v3.openapi.json`: `IssueBean`, `SearchAndReconcileResults`,
 * `SearchAndReconcileRequestBean`, `User`, `StatusDetails`, `StatusCategory`,
 * `ErrorCollection`) and Jira Data Center / Server REST API v2 (`SearchResults` of
 * `/rest/api/2/search`).
 *
 * Jira leaves fields out when they were not asked for and sends `null` for empty ones
 * (`assignee`, `resolutiondate`, `priority`), so every field is optional and nullable here
 * and the mapping decides the defaults.
 */

/** Jira Cloud or Jira Data Center / Server: which REST API (v3 or v2) and which user ids. */
export type JiraFlavor = 'cloud' | 'datacenter';

/**
 * A user as an issue field carries it. Cloud identifies people by `accountId` and hides
 * `emailAddress` unless the person's profile makes it visible (GDPR migration: `name` and
 * `key` are "no longer available" on Cloud). Data Center identifies them by the username
 * `name` (and an internal `key`, `JIRAUSER10100` on recent versions) and sends the email.
 */
export interface JiraUser {
  self?: string;
  /** Cloud. */
  accountId?: string;
  /** Cloud: 'atlassian' (people), 'app' (integrations), 'customer' (service desk). */
  accountType?: string;
  /** Data Center: the username. Cloud: absent or ''. */
  name?: string;
  /** Data Center: the internal user key. Cloud: absent or ''. */
  key?: string;
  displayName?: string;
  /** "Depending on the user's privacy setting, this may be returned as null" (Cloud). */
  emailAddress?: string | null;
  active?: boolean;
  timeZone?: string;
  avatarUrls?: Record<string, string>;
}

/**
 * `StatusCategory`. Jira's own keys are `new` (To Do), `indeterminate` (In Progress),
 * `done` (Done) and `undefined` (No Category); the OpenAPI examples show invented ones
 * (`in-flight`, `completed`), which real sites never send.
 */
export interface JiraStatusCategory {
  self?: string;
  id?: number;
  key?: string;
  colorName?: string;
  name?: string;
}

/** `StatusDetails`. */
export interface JiraStatus {
  self?: string;
  id?: string;
  name?: string;
  description?: string;
  iconUrl?: string;
  statusCategory?: JiraStatusCategory;
}

/** `IssueTypeDetails`. */
export interface JiraIssueType {
  self?: string;
  id?: string;
  name?: string;
  description?: string;
  iconUrl?: string;
  subtask?: boolean;
  hierarchyLevel?: number;
}

/** `Priority`. */
export interface JiraPriority {
  self?: string;
  id?: string;
  name?: string;
  iconUrl?: string;
}

/** `ComponentJsonBean` as an issue's `components` field carries it. */
export interface JiraComponent {
  self?: string;
  id?: string;
  name?: string;
  description?: string;
}

/** The project an issue is in (`fields.project`). */
export interface JiraProjectRef {
  self?: string;
  id?: string;
  key?: string;
  name?: string;
  projectTypeKey?: string;
}

/**
 * A custom field option (single or multi select): `{self, value, id}`. Text custom fields
 * carry a plain string, labels-type custom fields an array of strings.
 */
export interface JiraCustomFieldOption {
  self?: string;
  id?: string;
  value?: string;
}

/**
 * The `fields` object of an `IssueBean`, for the system fields modelgraph reads. Custom
 * fields arrive under their ids (`customfield_10042`); their shape depends on the field type.
 * Dates are Jira's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (`2025-01-06T09:00:00.000+0000`), in the
 * time zone of the calling user.
 */
export interface JiraIssueFields {
  summary?: string | null;
  /** Cloud v3: an Atlassian Document Format object; Data Center v2: wiki-markup text. */
  description?: unknown;
  issuetype?: JiraIssueType | null;
  status?: JiraStatus | null;
  priority?: JiraPriority | null;
  labels?: string[] | null;
  components?: JiraComponent[] | null;
  assignee?: JiraUser | null;
  reporter?: JiraUser | null;
  created?: string | null;
  updated?: string | null;
  resolutiondate?: string | null;
  project?: JiraProjectRef | null;
  [customField: `customfield_${string}`]: unknown;
}

/** `ChangeDetails`: one field's change in a changelog entry. */
export interface JiraChangeDetails {
  field?: string;
  fieldId?: string;
  fieldtype?: string;
  from?: string | null;
  fromString?: string | null;
  to?: string | null;
  toString?: string | null;
}

/** `Changelog`: who changed what, when. */
export interface JiraChangelog {
  id?: string;
  author?: JiraUser;
  /** Jira's timestamp format, like the issue's dates. */
  created?: string;
  items?: JiraChangeDetails[];
}

/**
 * `PageOfChangelogs`, as `expand=changelog` puts it on an issue: "a list of recent updates
 * to an issue". A search returns only the most recent histories of a long-lived issue
 * (`total` then exceeds `histories.length`); `GET /issue/{key}/changelog` pages the rest.
 */
export interface JiraPageOfChangelogs {
  startAt?: number;
  maxResults?: number;
  total?: number;
  histories?: JiraChangelog[];
}

/**
 * `PageBeanChangelog` of `GET /rest/api/3/issue/{issueIdOrKey}/changelog` (Cloud): "all
 * changelogs for an issue sorted by date, starting from the oldest", paged by `startAt` and
 * `maxResults` (default 100).
 */
export interface JiraPageBeanChangelog {
  self?: string;
  nextPage?: string;
  startAt?: number;
  maxResults?: number;
  total?: number;
  isLast?: boolean;
  values?: JiraChangelog[];
}

/** `IssueBean`. */
export interface JiraIssueBean {
  expand?: string;
  id?: string;
  key?: string;
  self?: string;
  fields?: JiraIssueFields;
  /** With `expand=changelog` only. */
  changelog?: JiraPageOfChangelogs;
}

// ---- requests and responses -------------------------------------------------------

/**
 * GET /rest/api/3/search/jql query parameters (Cloud). `fields` is "a comma-separated list"
 * and defaults to `id` alone, so the connector always names its fields; `maxResults`
 * defaults to 50 and "returns max 5000 issues" (fewer per page when many fields are asked).
 */
export interface SearchJqlParams {
  jql: string;
  nextPageToken?: string;
  maxResults?: number;
  fields?: string;
  expand?: string;
  fieldsByKeys?: boolean;
  failFast?: boolean;
}

/** POST /rest/api/3/search/jql body (Cloud): `SearchAndReconcileRequestBean`. */
export interface SearchAndReconcileRequestBean {
  jql?: string;
  nextPageToken?: string;
  maxResults?: number;
  fields?: string[];
  expand?: string;
  properties?: string[];
  fieldsByKeys?: boolean;
  reconcileIssues?: number[];
}

/**
 * GET|POST /rest/api/3/search/jql response (Cloud). No `total`, `startAt` or `maxResults`:
 * `nextPageToken` is "not included in the response for the last page", and `isLast` says so.
 */
export interface SearchAndReconcileResults {
  issues?: JiraIssueBean[];
  nextPageToken?: string | null;
  isLast?: boolean;
  names?: Record<string, string>;
  schema?: Record<string, unknown>;
}

/** GET /rest/api/2/search query parameters (Data Center / Server). */
export interface SearchParamsV2 {
  jql: string;
  startAt?: number;
  maxResults?: number;
  fields?: string;
  expand?: string;
  validateQuery?: string | boolean;
}

/**
 * GET|POST /rest/api/2/search response (Data Center / Server). The server caps
 * `maxResults` (`jira.search.views.default.max`, 1000 by default) and reports the page
 * size it actually used in the response's `maxResults`.
 */
export interface SearchResultsV2 {
  expand?: string;
  startAt?: number;
  maxResults?: number;
  total?: number;
  issues?: JiraIssueBean[];
  warningMessages?: string[];
}

/** `ErrorCollection`: the error body of every Jira REST resource. */
export interface ErrorCollection {
  errorMessages?: string[];
  errors?: Record<string, string>;
  status?: number;
}

/** The parts of GET /rest/api/{2,3}/myself that health checks read. */
export interface JiraMyself extends JiraUser {
  locale?: string;
}

/**
 * Page sizes the client never exceeds.
 *
 * - `cloud`: `/search/jql`'s documented maximum ("It returns max 5000 issues"); with a
 *   real field list the server returns fewer per page, which token paging absorbs.
 * - `datacenter`: `jira.search.views.default.max`, whose default is 1000
 *   (`IssueSearchLimits.DEFAULT_MAX_RESULTS`); a site may lower it, and the response's
 *   `maxResults` then says what was used.
 */
export const JIRA_PAGE_LIMITS = {
  cloud: 5000,
  datacenter: 1000,
} as const;

/**
 * Default page sizes: 100 on Cloud (Jira Cloud answers field-heavy searches 100 at a time
 * whatever is asked), the server maximum on Data Center.
 */
export const JIRA_DEFAULT_PAGE_SIZES = {
  cloud: 100,
  datacenter: 1000,
} as const;

// ---- writes: issues, comments, transitions -------------------------------------------------

/**
 * An Atlassian Document Format node (Cloud v3 `description` and comment `body`): a `doc`
 * of block nodes (`paragraph`, `heading`, `bulletList`...) holding inline `text` nodes,
 * which may carry `marks` (`strong`, `code`, `link` with `attrs.href`).
 */
export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
}

/** The root of an ADF document: `{type: 'doc', version: 1, content}`. */
export interface AdfDocument extends AdfNode {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

/**
 * The `fields` of a create-issue request (`IssueUpdateDetails.fields`) that modelgraph
 * sets. Objects are referenced as Jira references them: project by `key`, issue type and
 * priority by `name`, the assignee by `accountId` (Cloud) or username `name` (Data Center).
 * `description` is ADF on Cloud v3 and a plain (wiki-markup) string on Data Center v2.
 */
export interface IssueCreateFields {
  project: { key: string };
  issuetype: { name: string };
  summary: string;
  description?: AdfDocument | string;
  labels?: string[];
  priority?: { name: string };
  assignee?: { accountId: string } | { name: string };
}

/** `IssueUpdateDetails`: the body of POST /issue (create), PUT /issue/{key} (edit) and POST transitions. */
export interface IssueUpdateDetails {
  fields?: Partial<IssueCreateFields>;
  /** Per field, operations such as `{labels: [{add: 'x'}]}` (`FieldUpdateOperation`). */
  update?: Record<string, Array<{ add?: unknown; remove?: unknown; set?: unknown }>>;
  /** `IssueTransition`: only `id` is writable. */
  transition?: { id: string };
}

/** `CreatedIssue`: the 201 of POST /issue. */
export interface CreatedIssue {
  id?: string;
  key?: string;
  self?: string;
}

/** The writable part of `Comment`: the body, ADF on Cloud v3 and a string on Data Center v2. */
export interface CommentRequest {
  body: AdfDocument | string;
}

/** `Comment` as POST /issue/{key}/comment answers it (201). */
export interface JiraComment {
  self?: string;
  id?: string;
  body?: unknown;
  created?: string;
}

/** `IssueTransition` as GET /issue/{key}/transitions lists it. */
export interface JiraTransition {
  id?: string;
  name?: string;
  to?: JiraStatus;
  isAvailable?: boolean;
}

/** `Transitions`: GET /issue/{key}/transitions. */
export interface JiraTransitions {
  expand?: string;
  transitions?: JiraTransition[];
}

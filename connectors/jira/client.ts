import { createSourceCaches, createSourceHttpClient, isNotFoundError } from '../core/plumbing';
import type { JiraInstanceConfig } from './config';
import { SourceCache } from '../core/cache/source-cache';
import type { ConnectorDeps } from '../core/connector';
import { SourceError, SourceErrorCode } from '../core/errors';
import { HttpClient, type ClassifiableResponse, type ResponseClassification } from '../core/http-client';
import { silentLogger, type Logger } from '../core/logger';
import { clampPageSize, collectTokenPages } from '../core/paginate';
import { readRateLimitHeaders } from '../core/rate-limit';
import { sourceName } from '../core/source';
import type { RateLimitReading } from '../core/source-health';
import {
  chunkModelKeys,
  jqlForModels,
  jqlString,
  mapIssue,
  mapIssueWithDetails,
  modelLinkValue,
  ticketFields,
  type JiraMapContext,
  type JiraModelLink,
  type Ticket,
  type TicketDetailsRequest,
} from './map';
import { addLabelsRequest, commentRequest, createIssueRequest, issueSummary, transitionRequest, type IssueDraft, type TextBlock } from './requests';
import type { TicketSearchOptions, TicketWriteConnector } from './ticket-connector';
import { JqlScopeError, projectOfIssue, projectOfIssueKey, scopeJql } from './scope';
import {
  type CreatedIssue,
  type JiraComment,
  type JiraTransitions,
  JIRA_DEFAULT_PAGE_SIZES,
  JIRA_PAGE_LIMITS,
  type ErrorCollection,
  type JiraFlavor,
  type JiraChangelog,
  type JiraIssueBean,
  type JiraMyself,
  type JiraPageBeanChangelog,
  type SearchAndReconcileResults,
  type SearchResultsV2,
} from './types';
import { JIRA_LIMITS } from './limits';

export interface JiraConnectorDeps extends ConnectorDeps {
  /**
   * Issues asked for per search page, clamped to `JIRA_PAGE_LIMITS[flavor]` (Cloud 5000,
   * Data Center 1000). Default: 100 on Cloud, 1000 on Data Center (tests use small pages).
   */
  pageSize?: number;
  /** Model keys per batched ticket search. Default 50. */
  keysPerSearch?: number;
  /**
   * Fields model ticket searches read besides the usual ones and the description (the
   * governance's `approval.versionField`), kept as text in `Ticket.fieldValues`.
   */
  modelTicketFields?: readonly string[];
  /**
   * Longest JQL a batched ticket search may have, in characters. Default 1500, which keeps
   * a GET search URL (JQL percent-encoded, plus the field list) under about 4 KB.
   */
  maxJqlLength?: number;
}

/**
 * JQL refused before any request because it cannot be combined with the instance's
 * `projects` scope safely (SOURCE_BAD_REQUEST). A class of its own so that the subgraph can
 * tell the caller why, which it cannot for a source's own errors.
 */
export class JqlRefusedError extends SourceError {}

/** The fields a search asks for (comma-separated) and what it expands. */
interface SearchRead {
  fields: string;
  expand?: string;
}

/** Beyond this many pages a search is refused rather than followed (a looping upstream). */
const MAX_PAGES = 1000;

/**
 * Jira Cloud (REST API v3) and Jira Data Center / Server (REST API v2): issue search by JQL
 * and lookup by key, mapped to {@link Ticket}s, and batched ticket lookup per model.
 *
 * Cloud searches use `GET /rest/api/3/search/jql` with `nextPageToken` paging (the old
 * `/rest/api/3/search` is removed, CHANGE-2046); Data Center uses `GET /rest/api/2/search`
 * with `startAt` paging. Both always send an explicit `fields` list.
 *
 * Sources: the Cloud OpenAPI (`searchAndReconsileIssuesUsingJql`: `fields` defaults to
 * `id`, `maxResults` defaults to 50 and "returns max 5000 issues", `nextPageToken` is left
 * out on the last page, over-long JQL goes to the POST variant; `getIssue`: 404 when the
 * issue is missing or invisible); Atlassian's "Rate limiting" page (429 with `Retry-After`
 * in seconds, `X-RateLimit-Reset` an ISO 8601 time, `RateLimit-Reason`), which HttpClient
 * honours; for Data Center, `IssueSearchLimits` (`jira.search.views.default.max`, 1000) and
 * the KB "Changing maxResults parameter for Jira REST API" (the response's `maxResults` is
 * the limit actually applied; page by it).
 */
export class JiraConnector implements TicketWriteConnector {
  readonly kind = 'JIRA' as const;
  readonly instance: string;
  readonly source: string;
  readonly flavor: JiraFlavor;

  private readonly ctx: JiraMapContext;
  private readonly modelLink: JiraModelLink;
  /** The configured `projects` scope; undefined when the instance is not scoped. */
  private readonly projects: readonly string[] | undefined;
  /**
   * Part of every cache key that is not a JQL (JQL keys carry the scope in the JQL itself):
   * replicas share the cache, and one running with another scope (or none, mid-rollout)
   * must not hand this one what it loaded.
   */
  private readonly scopeTag: string;
  /** `/rest/api/3` (Cloud) or `/rest/api/2` (Data Center). */
  private readonly api: string;
  /** Comma-separated, as both APIs take it in a query string. */
  private readonly fields: string;
  /** What model ticket searches read: {@link fields}, the description and the extra fields, with the changelog. */
  private readonly modelTicketRead: { fields: string; expand: string; details: TicketDetailsRequest; tag: string };
  /** Single issues and per-model ticket lists: many small entries. */
  private readonly cache: SourceCache;
  /** Whole search results: few, large entries, kept apart from the small ones. */
  private readonly listings: SourceCache;
  private readonly pageSize: number;
  private readonly keysPerSearch: number;
  private readonly maxJqlLength: number;
  private readonly logger: Logger;

  static fromConfig(config: JiraInstanceConfig, deps: JiraConnectorDeps): JiraConnector {
    const source = sourceName('JIRA', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const { headers, secrets } = authHeaders(config.auth);
    const http = createSourceHttpClient(config, { ...deps, logger }, {
      source,
      limits: JIRA_LIMITS,
      baseURL: siteUrl(config.url),
      headers,
      secrets,
      parseErrorBody,
      classifyResponse,
      parseRateLimit,
    });
    return new JiraConnector(config, http, { ...deps, logger });
  }

  private constructor(
    config: JiraInstanceConfig,
    private readonly http: HttpClient,
    deps: JiraConnectorDeps & { logger: Logger },
  ) {
    this.instance = config.name;
    this.source = http.source;
    this.flavor = config.flavor;
    this.modelLink = config.modelLink;
    this.projects = config.projects?.length ? [...config.projects] : undefined;
    this.scopeTag = this.projects ? `projects=${[...new Set(this.projects)].sort().join(',')}` : 'projects=*';
    this.api = config.flavor === 'cloud' ? '/rest/api/3' : '/rest/api/2';
    this.fields = ticketFields(config.modelLink).join(',');
    const extraFields = [...new Set(deps.modelTicketFields ?? [])].filter((f) => f !== '');
    this.modelTicketRead = {
      fields: [...new Set([...ticketFields(config.modelLink), 'description', ...extraFields])].join(','),
      // The approval time is a status change; expanding it in the search costs no call of its own.
      expand: 'changelog',
      details: { extraFields },
      tag: `details=${extraFields.join(',')}`,
    };
    this.ctx = { instance: config.name, siteUrl: siteUrl(config.url), flavor: config.flavor, modelLink: config.modelLink };
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source));
    const limit = JIRA_PAGE_LIMITS[config.flavor];
    this.pageSize = clampPageSize(deps.pageSize, limit, JIRA_DEFAULT_PAGE_SIZES[config.flavor]);
    this.keysPerSearch = Math.max(1, Math.floor(deps.keysPerSearch ?? 50));
    this.maxJqlLength = Math.max(100, Math.floor(deps.maxJqlLength ?? 1500));
    this.logger = deps.logger;
  }

  /** The signed-in user: the cheapest authenticated read Jira has. */
  async health(): Promise<void> {
    const me = await this.http.get<JiraMyself>(`${this.api}/myself`, undefined, { route: `${this.api}/myself` });
    if (!me || typeof me !== 'object') {
      throw new SourceError({
        source: this.source,
        code: SourceErrorCode.SOURCE_BAD_RESPONSE,
        message: 'GET myself answered without a user',
      });
    }
  }

  /** Releases the keep-alive sockets, so the process can exit. */
  close(): void {
    this.http.close();
  }

  /**
   * Every ticket a JQL search finds (all pages), within the instance's projects: the JQL is
   * combined with the scope (see {@link scopeJql}) and cached whole under the result. JQL
   * that cannot be combined safely is refused (SOURCE_BAD_REQUEST) before any request.
   */
  async searchTickets(jql: string, opts: TicketSearchOptions = {}): Promise<Ticket[]> {
    const limit = opts.maxResults !== undefined && opts.maxResults > 0 ? Math.floor(opts.maxResults) : undefined;
    // Keyed by the scoped JQL, which is what decides the result; refused JQL fails here, before the cache.
    const key = `search ${limit ?? 'all'} ${this.scoped(jql)}`;
    const load = async () => (await this.searchIssues(jql, limit)).map((dto) => mapIssue(dto, this.ctx));
    return (await this.listings.getOrLoad(key, load)).value;
  }

  /**
   * One issue by key (or id); null when Jira says it does not exist or is not visible, and
   * likewise when it is outside the instance's projects (so that nobody learns it exists).
   */
  async getTicket(key: string): Promise<Ticket | null> {
    if (this.projects && !this.mayBeInScope(key)) return null;
    try {
      const dto = (
        await this.cache.getOrLoad(`issue ${this.scopeTag} ${key}`, () =>
          this.http.get<JiraIssueBean>(`${this.api}/issue/${encodeURIComponent(key)}`, { fields: this.fields }, { route: `${this.api}/issue/{issueIdOrKey}` }),
        )
      ).value;
      if (!dto || typeof dto !== 'object') return null;
      // The key asked by is not enough: a key keeps answering after its issue moved to
      // another project.
      if (this.projects && !this.inScope(projectOfIssue(dto))) return null;
      return mapIssue(dto, this.ctx);
    } catch (err) {
      // Jira answers an unknown key and an invisible issue alike: 404, "Issue does not
      // exist or you do not have permission to see it."
      if (isNotFoundError(err)) return null;
      throw err;
    }
  }

  /**
   * The tickets of many models in a few searches: the keys go into `... in (...)` JQL
   * batches bounded in keys and characters, and each ticket found is assigned back to every
   * requested key it links to. Every requested key is in the map (an empty list when no
   * ticket links to it). Lists are cached per key, so a later request finds each key
   * whatever batch it comes in.
   */
  async ticketsForModels(modelKeys: readonly string[]): Promise<Map<string, Ticket[]>> {
    const unique = [...new Set(modelKeys)].filter((k) => k !== '');
    const result = new Map<string, Ticket[]>(unique.map((k) => [k, []]));
    const cached = await Promise.all(unique.map((k) => this.cache.peek<Ticket[]>(this.ticketsForKey(k))));
    const missing = unique.filter((k, i) => {
      const hit = cached[i];
      if (hit) result.set(k, hit);
      return !hit;
    });
    if (missing.length === 0) return result;

    const chunks = chunkModelKeys([...missing].sort(), this.modelLink, {
      maxKeys: this.keysPerSearch,
      maxLength: this.maxJqlLength,
      projects: this.projects,
    });
    const pages = await Promise.all(chunks.map((chunk) => this.searchForModels(chunk)));

    // Compared ignoring case: JQL matched the search that way (component names certainly),
    // so a ticket the search returned belongs to the key whatever case its label has.
    const byLowerKey = new Map<string, string[]>();
    for (const k of missing) {
      const lower = k.toLowerCase();
      byLowerKey.set(lower, [...(byLowerKey.get(lower) ?? []), k]);
    }
    const found = new Map<string, Map<string, Ticket>>(missing.map((k) => [k, new Map()]));
    for (const ticket of pages.flat()) {
      for (const linked of ticket.modelKeys) {
        for (const requested of byLowerKey.get(linked.toLowerCase()) ?? []) found.get(requested)!.set(ticket.key, ticket);
      }
    }
    for (const k of missing) {
      const tickets = [...found.get(k)!.values()];
      result.set(k, tickets);
      void this.cache.put(this.ticketsForKey(k), tickets);
    }
    return result;
  }

  /**
   * Tickets assigned to or reported by each of these users (Cloud account ids, Data Center
   * usernames), newest first: a few `assignee in (...) OR reporter in (...)` searches for
   * all of them, not one per person. Every requested id is in the map.
   */
  async ticketsOfUsers(userIds: readonly string[], options: { maxResults?: number } = {}): Promise<Map<string, Ticket[]>> {
    const unique = [...new Set(userIds)].filter((id) => id !== '').sort();
    const result = new Map<string, Ticket[]>(unique.map((id) => [id, []]));
    for (let i = 0; i < unique.length; i += this.keysPerSearch) {
      const users = unique.slice(i, i + this.keysPerSearch).map(jqlString).join(', ');
      const jql = `(assignee in (${users}) OR reporter in (${users})) ORDER BY updated DESC`;
      for (const ticket of await this.searchTickets(jql, options)) {
        const people = new Set([ticket.assignee?.nativeId, ticket.reporter?.nativeId]);
        for (const id of people) if (id && result.has(id)) result.get(id)!.push(ticket);
      }
    }
    return result;
  }

  /**
   * Every ticket a JQL search finds now, from Jira and not from the cache: for a decision
   * that must see what was written a moment ago (whether an issue exists before creating
   * one). Scoped like {@link searchTickets}.
   */
  async searchTicketsUncached(jql: string): Promise<Ticket[]> {
    return (await this.searchIssues(jql)).map((dto) => mapIssue(dto, this.ctx));
  }

  // ---- writes ----------------------------------------------------------------------
  //
  // POSTs are never retried (HttpClient retries only idempotent calls): a create that timed
  // out may have happened, and the caller's search-before-create finds it next time.

  /**
   * `POST /rest/api/{3|2}/issue`. Jira answers 201 `{id, key, self}`, or 400 with an
   * ErrorCollection whose `errors` name the fields at fault (see {@link fieldsInError}).
   */
  async createIssue(draft: IssueDraft): Promise<Ticket> {
    this.checkWritableProject(draft.project);
    const created = await this.http.post<CreatedIssue>(`${this.api}/issue`, createIssueRequest(draft, this.flavor), {
      route: `${this.api}/issue`,
    });
    if (!created || typeof created !== 'object' || typeof created.key !== 'string' || created.key === '') {
      throw new SourceError({ source: this.source, code: SourceErrorCode.SOURCE_BAD_RESPONSE, message: 'POST issue answered without an issue key' });
    }
    const url = `${this.ctx.siteUrl}/browse/${encodeURIComponent(created.key)}`;
    return {
      ...mapIssue({ key: created.key, fields: { summary: issueSummary(draft.summary), labels: draft.labels } }, this.ctx),
      type: draft.issueType,
      priority: draft.priority ?? null,
      url,
    };
  }

  /** `POST /rest/api/{3|2}/issue/{key}/comment` (201). */
  async addComment(issueKey: string, body: readonly TextBlock[]): Promise<void> {
    await this.http.post<JiraComment>(`${this.api}/issue/${encodeURIComponent(issueKey)}/comment`, commentRequest(body, this.flavor), {
      route: `${this.api}/issue/{issueIdOrKey}/comment`,
    });
  }

  /** `PUT /rest/api/{3|2}/issue/{key}` adding labels (204); the issue's other labels stay. */
  async addLabels(issueKey: string, labels: readonly string[]): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: `${this.api}/issue/${encodeURIComponent(issueKey)}`,
      body: addLabelsRequest(labels),
      route: `${this.api}/issue/{issueIdOrKey}`,
    });
  }

  /**
   * Moves the issue by the transition of this name (case-insensitive) among those its
   * workflow offers now (`GET .../transitions`, then `POST .../transitions`, 204). False when
   * none is called so (the issue is past it, or the workflow has no such step).
   */
  async transitionIssue(issueKey: string, transitionName: string): Promise<boolean> {
    const path = `${this.api}/issue/${encodeURIComponent(issueKey)}/transitions`;
    const route = `${this.api}/issue/{issueIdOrKey}/transitions`;
    const listed = await this.http.get<JiraTransitions>(path, undefined, { route });
    const wanted = transitionName.toLowerCase();
    const transition = (listed?.transitions ?? []).find((t) => t.name?.toLowerCase() === wanted && t.isAvailable !== false && t.id);
    if (!transition) return false;
    await this.http.post(path, transitionRequest(transition.id!), { route });
    return true;
  }

  /** A project outside the instance's scope is refused before anything is sent, as reads are. */
  private checkWritableProject(project: string): void {
    if (this.projects && !this.inScope(project)) {
      throw new SourceError({
        source: this.source,
        code: SourceErrorCode.SOURCE_BAD_REQUEST,
        message: `project ${project} is outside the projects Jira instance "${this.instance}" is restricted to`,
      });
    }
  }

  // ---- plumbing -------------------------------------------------------------------

  /** A model's ticket list: what was read of them (the extra fields) is part of the key, as the scope is. */
  private ticketsForKey(modelKey: string): string {
    return `tickets-for ${this.scopeTag} ${this.modelTicketRead.tag} ${modelKey}`;
  }

  /**
   * One batch of model keys. A component or select-list option that does not exist makes
   * Jira refuse the whole JQL (400, "The value 'x' does not exist for the field
   * 'component'."), and `/search/jql` has no `validateQuery=warn` to turn that into a
   * warning: such values cannot match any ticket, so they are dropped and the search
   * repeated. Each repeat drops at least one key, so this ends.
   */
  private async searchForModels(keys: string[]): Promise<Ticket[]> {
    let remaining = keys;
    while (remaining.length > 0) {
      const jql = jqlForModels(remaining, this.modelLink);
      try {
        const read = this.modelTicketRead;
        const issues = await this.withWholeChangelogs(await this.searchIssues(jql, undefined, read));
        return issues.map((dto) => mapIssueWithDetails(dto, this.ctx, read.details));
      } catch (err) {
        const unknown = unknownLinkValues(err);
        const next = remaining.filter((k) => !unknown.has(modelLinkValue(k, this.modelLink).toLowerCase()));
        if (next.length === remaining.length) throw err;
        remaining = next;
      }
    }
    return [];
  }

  /**
   * A search's `expand=changelog` holds only an issue's most recent histories (Cloud: the
   * page's `total` then exceeds them), which may leave out the move an approval time is read
   * from: those issues, and only those, get their whole changelog from
   * `GET /issue/{key}/changelog`. Data Center searches return whole changelogs.
   */
  private async withWholeChangelogs(issues: JiraIssueBean[]): Promise<JiraIssueBean[]> {
    if (this.flavor !== 'cloud') return issues;
    return Promise.all(
      issues.map(async (dto) => {
        const page = dto.changelog;
        if (!page || !dto.key || (page.total ?? 0) <= (page.histories?.length ?? 0)) return dto;
        const histories = await this.changelogOf(dto.key);
        return { ...dto, changelog: { startAt: 0, maxResults: histories.length, total: histories.length, histories } };
      }),
    );
  }

  /** Every changelog of an issue, oldest first, following `startAt` until `isLast`. */
  private async changelogOf(key: string): Promise<JiraChangelog[]> {
    const histories: JiraChangelog[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.http.get<JiraPageBeanChangelog>(
        `${this.api}/issue/${encodeURIComponent(key)}/changelog`,
        { startAt: histories.length, maxResults: 100 },
        { route: `${this.api}/issue/{issueIdOrKey}/changelog` },
      );
      const values = Array.isArray(res?.values) ? res.values : [];
      histories.push(...values);
      if (res?.isLast === true || values.length === 0 || (typeof res?.total === 'number' && histories.length >= res.total)) return histories;
    }
    throw new SourceError({
      source: this.source,
      code: SourceErrorCode.SOURCE_BAD_RESPONSE,
      message: `more than ${MAX_PAGES} changelog pages for ${key}; refusing to follow further`,
    });
  }

  /** The JQL within the instance's projects; SOURCE_BAD_REQUEST, naming the instance, when it cannot be combined safely. */
  private scoped(jql: string): string {
    try {
      return scopeJql(jql, this.projects);
    } catch (err) {
      if (!(err instanceof JqlScopeError)) throw err;
      throw new JqlRefusedError({
        source: this.source,
        code: SourceErrorCode.SOURCE_BAD_REQUEST,
        message: `JQL refused for Jira instance "${this.instance}", whose searches are restricted to its configured projects: ${err.message}`,
      });
    }
  }

  /**
   * The only way to Jira's search, so that no search can skip the scope: the JQL is scoped
   * here, whoever built it. Issues outside the projects are dropped as well, in case
   * anything between here and Jira (a proxy, an app's JQL function) did not honour it.
   */
  private async searchIssues(jql: string, limit?: number, read: SearchRead = { fields: this.fields }): Promise<JiraIssueBean[]> {
    const scoped = this.scoped(jql);
    const issues = await (this.flavor === 'cloud' ? this.searchCloud(scoped, limit, read) : this.searchDataCenter(scoped, limit, read));
    if (!this.projects) return issues;
    const inside = issues.filter((dto) => this.inScope(projectOfIssue(dto)));
    if (inside.length < issues.length) {
      this.logger.warn('Jira search answered issues outside the configured projects; dropped them', {
        dropped: issues.length - inside.length,
      });
    }
    return inside;
  }

  private inScope(project: string | undefined): boolean {
    return project !== undefined && this.projects!.includes(project);
  }

  /**
   * Whether a lookup by this key could find an issue in scope: a numeric id could be
   * anything (the answer's project decides); a key only when its prefix is in scope.
   */
  private mayBeInScope(key: string): boolean {
    return /^\d+$/.test(key) || this.inScope(projectOfIssueKey(key));
  }

  /**
   * `GET /rest/api/3/search/jql`: follows `nextPageToken` until `isLast` (the token is "not
   * included in the response for the last page"). A GET, so retried like any read; the JQL
   * batches stay short enough for a URL.
   */
  private async searchCloud(jql: string, limit: number | undefined, read: SearchRead): Promise<JiraIssueBean[]> {
    let count = 0;
    const issues = await collectTokenPages<JiraIssueBean>(
      async (nextPageToken) => {
        const res = this.checkPage(
          await this.http.get<SearchAndReconcileResults>(`${this.api}/search/jql`, {
            jql,
            maxResults: this.pageSize,
            fields: read.fields,
            ...(read.expand ? { expand: read.expand } : {}),
            nextPageToken,
          }, { route: `${this.api}/search/jql` }),
        );
        const page = res.issues ?? [];
        count += page.length;
        const last = res.isLast === true || (limit !== undefined && count >= limit);
        return { items: page, nextPageToken: last ? undefined : res.nextPageToken };
      },
      { source: this.source, maxPages: MAX_PAGES },
    );
    return limit === undefined ? issues : issues.slice(0, limit);
  }

  /**
   * `GET /rest/api/2/search`: offset paging. The server caps `maxResults` and reports the
   * page size it used in the response, so later pages ask for that; `startAt` advances by
   * the issues received, until `total`.
   */
  private async searchDataCenter(jql: string, limit: number | undefined, read: SearchRead): Promise<JiraIssueBean[]> {
    const issues: JiraIssueBean[] = [];
    let startAt = 0;
    let pageSize = this.pageSize;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = this.checkPage(
        await this.http.get<SearchResultsV2>(
          `${this.api}/search`,
          { jql, startAt, maxResults: pageSize, fields: read.fields, ...(read.expand ? { expand: read.expand } : {}) },
          { route: `${this.api}/search` },
        ),
      );
      const batch = res.issues ?? [];
      issues.push(...batch);
      if (typeof res.maxResults === 'number' && res.maxResults > 0 && res.maxResults < pageSize) pageSize = res.maxResults;
      startAt = (typeof res.startAt === 'number' ? res.startAt : startAt) + batch.length;
      const total = typeof res.total === 'number' ? res.total : startAt;
      // An empty page before `total` means the result shrank under us: what we have is all there is.
      if (batch.length === 0 || startAt >= total || (limit !== undefined && issues.length >= limit)) {
        return limit === undefined ? issues : issues.slice(0, limit);
      }
    }
    throw new SourceError({
      source: this.source,
      code: SourceErrorCode.SOURCE_BAD_RESPONSE,
      message: `more than ${MAX_PAGES} pages; refusing to follow further`,
    });
  }

  /** A 200 whose body is not a search result (an SSO page rendered as JSON, a proxy's reply). */
  private checkPage<T extends { issues?: unknown }>(res: T): T {
    if (!res || typeof res !== 'object' || (res.issues !== undefined && !Array.isArray(res.issues))) {
      throw new SourceError({
        source: this.source,
        code: SourceErrorCode.SOURCE_BAD_RESPONSE,
        message: 'the search answered with something that is not a page of issues',
      });
    }
    return res;
  }
}

function siteUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Cloud: Basic with the account's email and an API token. Data Center: a personal access
 * token as Bearer. Both the token and its encoded forms are redacted from every message.
 */
function authHeaders(auth: JiraInstanceConfig['auth']): { headers: Record<string, string>; secrets: string[] } {
  if (auth.type === 'basic') {
    const encoded = Buffer.from(`${auth.email}:${auth.apiToken}`).toString('base64');
    return { headers: { Authorization: `Basic ${encoded}` }, secrets: [auth.apiToken, encoded] };
  }
  return { headers: { Authorization: `Bearer ${auth.token}` }, secrets: [auth.token] };
}

const UNKNOWN_VALUE = /The value '(.*?)' does not exist for the field '([^']*)'/g;
const UNKNOWN_OPTION = /The option '(.*?)' for field '[^']*' does not exist/g;

/** Lower-cased values a 400 says do not exist (components, select options); empty for anything else. */
function unknownLinkValues(err: unknown): Set<string> {
  const out = new Set<string>();
  if (!(err instanceof SourceError) || err.status !== 400) return out;
  for (const m of err.message.matchAll(UNKNOWN_VALUE)) if (m[2] !== 'project') out.add(m[1]!.toLowerCase());
  for (const m of err.message.matchAll(UNKNOWN_OPTION)) out.add(m[1]!.toLowerCase());
  return out;
}

/**
 * Jira's `ErrorCollection` (`{errorMessages: [...], errors: {field: message}}`): every
 * message and every field error, joined. Cloud answers a bad credential with a plain-text
 * line ("Client must be authenticated to access this resource.") and unknown endpoints
 * with an RFC 7807 body (`detail`); proxies answer with HTML, which yields nothing (the
 * HTTP status text is used).
 */
/**
 * Jira Cloud answers a rate limit with 429 and `Retry-After` (which HttpClient honours);
 * when a proxy has dropped that header, `X-RateLimit-Reset` still says when the window
 * reopens, as an ISO 8601 time (Atlassian's rate-limiting guide), so wait until then
 * rather than guess with backoff.
 */
export function classifyResponse(res: ClassifiableResponse, nowMs: number): ResponseClassification | undefined {
  if (res.status !== 429 || res.headers['retry-after'] !== undefined) return undefined;
  const resetMs = Date.parse(res.headers['x-ratelimit-reset'] ?? '');
  if (!Number.isFinite(resetMs)) return undefined;
  return { retryable: true, delayMs: Math.max(0, resetMs - nowMs) };
}

/**
 * `X-RateLimit-Limit` and `X-RateLimit-Remaining` (Cloud, and Data Center with rate
 * limiting on), `X-RateLimit-Reset` as an ISO 8601 time (`2025-06-01T12:30Z`, Cloud) and
 * `RateLimit-Reason`, which of Cloud's limits answered (`jira-burst-based`, ...).
 */
export function parseRateLimit(headers: Readonly<Record<string, string>>): RateLimitReading | undefined {
  return readRateLimitHeaders(
    headers,
    { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', resource: 'ratelimit-reason' },
    'iso',
  );
}

const FIELD_ERROR = /^([a-z][A-Za-z0-9_]*): \S/;

/**
 * The fields a Jira 400 named (its ErrorCollection's `errors` keys), in the order Jira gave
 * them; empty for any other error. Read back from the message {@link parseErrorBody} wrote.
 */
export function fieldsInError(err: unknown): string[] {
  if (!(err instanceof SourceError) || err.status !== 400) return [];
  const text = err.message.replace(/^[^:]+:[^:]+: /, '');
  const afterStatus = text.replace(/^HTTP \d{3}[^:]*: /, '');
  return afterStatus
    .split('; ')
    .map((part) => FIELD_ERROR.exec(part)?.[1])
    .filter((f): f is string => f !== undefined);
}

export function parseErrorBody(_status: number, body: unknown): { upstreamCode?: string; message?: string } {
  if (body && typeof body === 'object') {
    const { errorMessages, errors } = body as ErrorCollection;
    // `errors` is keyed by the field at fault (`summary`, `customfield_10042`): keep the
    // name, which is what tells a caller what to fix (see fieldsInError).
    const parts = [
      ...(Array.isArray(errorMessages) ? errorMessages : []).filter((m) => typeof m === 'string' && m.trim() !== ''),
      ...(errors && typeof errors === 'object' ? Object.entries(errors) : [])
        .filter(([, m]) => typeof m === 'string' && m.trim() !== '')
        .map(([field, m]) => `${field}: ${m}`),
    ];
    if (parts.length > 0) return { message: parts.join('; ') };
    const { detail, message } = body as { detail?: unknown; message?: unknown };
    if (typeof detail === 'string' && detail.trim()) return { message: detail.trim() };
    if (typeof message === 'string' && message.trim()) return { message: message.trim() };
    return {};
  }
  if (typeof body === 'string') {
    const text = body.trim();
    return text && !text.startsWith('<') ? { message: text.slice(0, 300) } : {};
  }
  return {};
}

/**
 * Jira tickets for governance findings: one issue per finding that no waiver accepts and
 * that has none yet, and a comment (and a configured transition) on the issue of a finding
 * that is gone. The mutation `openFindingTickets` is the one place that writes, and every
 * run on a project holds its {@link TicketLock}: the search for a finding's fingerprint
 * label and the create that follows are not atomic in Jira, so two runs side by side would
 * otherwise both find nothing and both create.
 */
import { SourceError } from '../../../connectors/core/errors';
import type { KeyValueCache } from '../../../connectors/core/cache/types';
import type { Logger } from '../../../connectors/core/logger';
import { currentRequestScope } from '../../../connectors/core/request-scope';
import { fieldsInError, jqlString, type TicketWriteConnector, type Ticket } from '../../../connectors/jira';
import type { PeopleDirectory } from '../../common/identity';
import type { GraphFinding } from '../governance/graph-finding';
import type { GovernanceIndexData } from '../governance/inventory-index';
import { SEVERITY_ORDER, type FindingRule, type Severity } from '../governance/types';
import { FINDING_LABEL, GONE_LABEL, fingerprintLabel, fingerprintOfLabels, goneComment, ticketDraft, type TicketSettings } from './draft';
import type { TicketLock } from './ticket-lock';

export interface FindingTicketFilter {
  /** This severity or higher. */
  severity?: Severity | null;
  rule?: FindingRule | null;
  /** A model key. */
  model?: string | null;
  fingerprints?: readonly string[] | null;
}

export type TicketOutcome = 'CREATED' | 'EXISTING' | 'WOULD_CREATE' | 'FAILED';
export type GoneOutcome = 'RESOLVED' | 'WOULD_RESOLVE' | 'FAILED';

/** A failure as the caller needs it: which source, what it said, and the fields it named. */
export interface TicketProblem {
  code: string;
  source: string;
  message: string;
  /** The fields a Jira 400 named (`summary`, `priority`); empty otherwise. */
  fields: string[];
}

export interface FindingTicketResult {
  finding: GraphFinding;
  outcome: TicketOutcome;
  /** The issue, for CREATED and EXISTING. */
  ticket: Pick<Ticket, 'id' | 'key' | 'url'> | null;
  summary: string;
  /** The Person id the ticket is (or would be) assigned to. */
  assignee: string | null;
  note: string | null;
  error: TicketProblem | null;
}

export interface GoneTicketResult {
  fingerprint: string;
  outcome: GoneOutcome;
  ticket: Pick<Ticket, 'id' | 'key' | 'url'>;
  transitioned: boolean;
  note: string | null;
  error: TicketProblem | null;
}

export interface TicketRun {
  dryRun: boolean;
  jira: string;
  project: string;
  results: FindingTicketResult[];
  gone: GoneTicketResult[];
}

/**
 * How long a filed issue is remembered besides Jira's search: Jira Cloud indexes a new issue
 * for JQL a moment after it answers the create (the search is eventually consistent), and a
 * run in that moment must not file it again.
 */
export const FILED_MEMO_SECONDS = 900;

/** Fingerprint labels per search: ~40 characters each keeps a GET search URL well under 4 KB. */
export const FINGERPRINTS_PER_SEARCH = 40;

export interface FindingTicketsDeps {
  connector: TicketWriteConnector;
  settings: TicketSettings;
  governance: { get(): Promise<GovernanceIndexData> };
  people: PeopleDirectory;
  lock: TicketLock;
  /**
   * Where the issues filed in the last {@link FILED_MEMO_SECONDS} are remembered by
   * fingerprint: the cache every replica shares (Redis) when there is one.
   */
  filed: KeyValueCache;
  /** Told of failures that are not a source's (a bug): the caller sees only that one happened. Default: none. */
  logger?: Logger;
  /** Default: `() => new Date()`. */
  now?: () => Date;
}

export class FindingTickets {
  private readonly now: () => Date;

  constructor(private readonly deps: FindingTicketsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get source(): string {
    return this.deps.connector.source;
  }

  /**
   * Files the tickets the filter's unwaived findings lack (`dryRun`: says which it would)
   * and, with `resolveGone`, comments on the tickets of findings no longer reported.
   */
  async open(args: { filter?: FindingTicketFilter | null; dryRun: boolean; resolveGone: boolean }): Promise<TicketRun> {
    const index = await this.deps.governance.get();
    const wanted = index.findings.filter((f) => !f.waiver && matches(f, args.filter ?? {}));
    const { jira, project } = this.deps.settings;
    const run = async (): Promise<TicketRun> => {
      const existing = await this.existingTickets(wanted.map((f) => f.fingerprint));
      for (const f of wanted) {
        if (existing.has(f.fingerprint)) continue;
        const remembered = await this.deps.filed.get(this.filedKey(f.fingerprint));
        if (remembered) existing.set(f.fingerprint, JSON.parse(remembered) as Ticket);
      }
      const results: FindingTicketResult[] = [];
      // One at a time: an issue per finding, in the findings' order (most severe first).
      for (const finding of wanted) results.push(await this.fileOne(finding, existing.get(finding.fingerprint), index, args.dryRun));
      const gone = args.resolveGone ? await this.resolveGone(index, args.dryRun) : [];
      return { dryRun: args.dryRun, jira, project, results, gone };
    };
    // A dry run writes nothing, so it needs no lock (and does not wait behind a real run).
    if (args.dryRun) return run();
    // No longer than the request may take: past its deadline nothing could be filed anyway.
    const remaining = currentRequestScope()?.remainingMs();
    return this.deps.lock.run(`modelgraph:v1:tickets:${jira}:${project}`, run, remaining);
  }

  /**
   * The open ticket of each fingerprint that has one, through the connector's cache (as
   * every Jira read of the graph): one search per {@link FINGERPRINTS_PER_SEARCH}.
   */
  async ticketsFor(fingerprints: readonly string[]): Promise<Map<string, Ticket>> {
    return this.search(fingerprints, (jql) => this.deps.connector.searchTickets(jql));
  }

  /** As {@link ticketsFor}, from Jira itself: what a create must be decided on. */
  private existingTickets(fingerprints: readonly string[]): Promise<Map<string, Ticket>> {
    return this.search(fingerprints, (jql) => this.deps.connector.searchTicketsUncached(jql));
  }

  private async search(fingerprints: readonly string[], find: (jql: string) => Promise<Ticket[]>): Promise<Map<string, Ticket>> {
    const unique = [...new Set(fingerprints)].sort();
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += FINGERPRINTS_PER_SEARCH) chunks.push(unique.slice(i, i + FINGERPRINTS_PER_SEARCH));
    const pages = await Promise.all(
      chunks.map((chunk) =>
        find(
          `${this.projectClause()} AND labels in (${chunk.map((fp) => jqlString(fingerprintLabel(fp))).join(', ')}) ` +
            `AND labels not in (${jqlString(GONE_LABEL)}) ORDER BY key ASC`,
        ),
      ),
    );
    const found = new Map<string, Ticket>();
    // Key order: should a finding have two (one filed by hand with the label), the older one answers.
    for (const ticket of pages.flat()) {
      const fp = fingerprintOfLabels(ticket.labels);
      if (fp && !found.has(fp)) found.set(fp, ticket);
    }
    return found;
  }

  private filedKey(fingerprint: string): string {
    return `modelgraph:v1:tickets:${this.deps.settings.jira}:${this.deps.settings.project}:filed:${fingerprint}`;
  }

  private async remember(fingerprint: string, ticket: Pick<Ticket, 'id' | 'key' | 'url'>): Promise<void> {
    await this.deps.filed.set(this.filedKey(fingerprint), JSON.stringify(ticket), { ttlSeconds: FILED_MEMO_SECONDS });
  }

  private projectClause(): string {
    return `project = ${jqlString(this.deps.settings.project)}`;
  }

  private async fileOne(
    finding: GraphFinding,
    existing: Ticket | undefined,
    index: GovernanceIndexData,
    dryRun: boolean,
  ): Promise<FindingTicketResult> {
    const assignee = this.assigneeOf(finding, index);
    const draft = ticketDraft(finding, this.deps.settings, assignee?.jiraUser);
    const base = { finding, summary: draft.summary, assignee: assignee?.personId ?? null, note: null, error: null };
    if (existing) return { ...base, outcome: 'EXISTING', ticket: pick(existing), assignee: null };
    if (dryRun) return { ...base, outcome: 'WOULD_CREATE', ticket: null };
    try {
      const ticket = pick(await this.deps.connector.createIssue(draft));
      await this.remember(finding.fingerprint, ticket);
      return { ...base, outcome: 'CREATED', ticket };
    } catch (err) {
      // Jira refuses an assignee it does not know, or who may not be assigned in the
      // project: the finding still deserves its ticket, unassigned.
      const fields = fieldsInError(err);
      if (draft.assignee && fields.length === 1 && fields[0] === 'assignee') {
        try {
          const ticket = pick(await this.deps.connector.createIssue({ ...draft, assignee: undefined }));
          await this.remember(finding.fingerprint, ticket);
          return { ...base, outcome: 'CREATED', ticket, assignee: null, note: `filed unassigned: ${messageOf(err)}` };
        } catch (retryErr) {
          return { ...base, outcome: 'FAILED', ticket: null, error: this.problem(retryErr) };
        }
      }
      return { ...base, outcome: 'FAILED', ticket: null, error: this.problem(err) };
    }
  }

  /**
   * The model's code owners who are people, in id order, and the first of them Jira knows
   * (a `jira:<instance>:<id>` or `jira:*:<id>` identity in the people aliases): a Cloud
   * account id or a Data Center username. None: unassigned.
   */
  private assigneeOf(finding: GraphFinding, index: GovernanceIndexData): { personId: string; jiraUser: string } | undefined {
    const owners = finding.model ? [...(index.models.get(finding.model.key)?.codeOwnerPeople ?? [])].sort() : [];
    for (const personId of owners) {
      const identity = this.deps.people
        .describe(personId)
        .identities.find((i) => i.tool === 'JIRA' && (i.instance === this.deps.settings.jira || i.instance === '*'));
      if (identity) return { personId, jiraUser: identity.nativeId };
    }
    return undefined;
  }

  /** Tickets modelgraph filed whose finding the index no longer has (waived ones are still findings). */
  private async resolveGone(index: GovernanceIndexData, dryRun: boolean): Promise<GoneTicketResult[]> {
    const current = new Set(index.findings.map((f) => f.fingerprint));
    const filed = await this.deps.connector.searchTicketsUncached(
      `${this.projectClause()} AND labels = ${jqlString(FINDING_LABEL)} AND labels not in (${jqlString(GONE_LABEL)}) ORDER BY key ASC`,
    );
    const out: GoneTicketResult[] = [];
    for (const ticket of filed) {
      const fingerprint = fingerprintOfLabels(ticket.labels);
      if (!fingerprint || current.has(fingerprint)) continue;
      const base = { fingerprint, ticket: pick(ticket), transitioned: false, note: null, error: null };
      if (dryRun) {
        out.push({ ...base, outcome: 'WOULD_RESOLVE' });
        continue;
      }
      try {
        await this.deps.connector.addComment(ticket.key, goneComment(fingerprint, this.now()));
        await this.deps.connector.addLabels(ticket.key, [GONE_LABEL]);
        // Should the finding come back, it gets an issue of its own, not this closed one.
        await this.deps.filed.delete(this.filedKey(fingerprint));
        const transition = this.deps.settings.resolvedTransition;
        const transitioned = transition ? await this.deps.connector.transitionIssue(ticket.key, transition) : false;
        const note = transition && !transitioned ? `no transition "${transition}" is available from status ${ticket.status ?? 'unknown'}` : null;
        out.push({ ...base, outcome: 'RESOLVED', transitioned, note });
      } catch (err) {
        out.push({ ...base, outcome: 'FAILED', error: this.problem(err) });
      }
    }
    return out;
  }

  /**
   * A Jira 400's message is Jira's validation of what was sent (which field, and why): the
   * caller's to read. Any other failure is said by its code and status alone, as the gateway
   * says source errors (gateway/errors.ts): no upstream text, no internal address.
   */
  private problem(err: unknown): TicketProblem {
    if (err instanceof SourceError) {
      const message = err.status === 400 ? err.message : `${err.source}: ${err.code}${err.status ? ` (HTTP ${err.status})` : ''}`;
      return { code: err.code, source: err.source, message, fields: fieldsInError(err) };
    }
    this.deps.logger?.error('ticket flow failed', { source: this.source, error: messageOf(err) });
    return { code: 'INTERNAL_SERVER_ERROR', source: this.source, message: `${this.source}: ticket flow failed`, fields: [] };
  }
}

function pick(ticket: Ticket): Pick<Ticket, 'id' | 'key' | 'url'> {
  return { id: ticket.id, key: ticket.key, url: ticket.url };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function matches(finding: GraphFinding, filter: FindingTicketFilter): boolean {
  if (filter.severity && SEVERITY_ORDER[finding.severity] < SEVERITY_ORDER[filter.severity]) return false;
  if (filter.rule && finding.rule !== filter.rule) return false;
  if (filter.model && finding.model?.key !== filter.model) return false;
  if (filter.fingerprints && !filter.fingerprints.includes(finding.fingerprint)) return false;
  return true;
}

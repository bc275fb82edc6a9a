import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { Ticket } from '../../connectors/jira';
import { currentRequestScope } from '../../connectors/core/request-scope';
import type { Caller } from '../../lib/caller';
import type { PeopleDirectory } from '../common/identity';
import type { PartialErrorsContext } from '../common/partial-errors';
import { DateTimeScalar } from '../common/scalars';
import { servedModelId, type DeploymentWithRequiredVersion } from './deployment-model';
import { sliceConnection } from './connection';
import { modelByKey, modelByRef } from './listing-index';
import type { GraphFinding } from './governance/graph-finding';
import { compareFindings, type GovernanceIndex } from './governance/inventory-index';
import { lifecycleStats, roundDays } from './governance/lifecycle';
import { historyQueryResolvers, historyTypeResolvers } from './history/resolvers';
import type { HistoryStore } from './history/types';
import { SEVERITY_ORDER, type FindingRule, type Severity } from './governance/types';
import type { LinkedModel } from './linking';
import type { Listing } from './model-listing';
import { badInput, needsIndex, pageModels, type ModelFilter, type ModelOrder } from './model-query';
import type { OwnershipIndex } from './ownership';
import type { SourceStatusReader } from './sources';
import { mergeVersions, type ModelWithRequiredVersions } from './versions';
import type { FindingTicketFilter, FindingTicketResult, FindingTickets, GoneTicketResult, TicketRun } from './tickets/finding-tickets';
import { TicketLockBusyError } from './tickets/ticket-lock';

export interface InventoryContext extends PartialErrorsContext {
  people: PeopleDirectory;
  ownership: OwnershipIndex;
  governance: GovernanceIndex;
  sources: SourceStatusReader;
  /** The linked listing, computed at most once per request. */
  listing(): Promise<Listing>;
  /** Who the gateway says is asking (set by the server; absent in unit tests). */
  caller?: Caller;
  /** The governance history (`history`); undefined when it is off. */
  history?: HistoryStore;
  /** Tickets for findings; absent when the config has no `tickets`. */
  tickets?: {
    service: FindingTickets;
    /** The open ticket of each fingerprint, a page of findings in one search. */
    byFingerprint: DataLoader<string, Ticket | null>;
  };
}

const ticketRef = (ticket: { id: string } | null) => (ticket ? { __typename: 'Ticket', id: ticket.id } : null);

const MAX_PAGE = 500;

function checkFirst(first: number): void {
  if (first < 0 || first > MAX_PAGE) throw badInput(`first must be between 0 and ${MAX_PAGE}`);
}

/** Finding cursors carry the finding's sort position, like the models' (see model-query.ts). */
function encodeFindingCursor(f: GraphFinding): string {
  return Buffer.from(`finding:${JSON.stringify([f.severity, f.model?.key ?? null, f.rule, f.fingerprint])}`, 'utf8').toString('base64url');
}

function decodeFindingCursor(cursor: string): GraphFinding {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  try {
    if (!decoded.startsWith('finding:')) throw new Error('not a finding cursor');
    const [severity, key, rule, fingerprint] = JSON.parse(decoded.slice('finding:'.length)) as [Severity, string | null, FindingRule, string];
    if (!(severity in SEVERITY_ORDER) || typeof fingerprint !== 'string') throw new Error('not a finding cursor');
    const empty = { refs: [], versions: [], tickets: [], deployments: [] };
    return { severity, model: key === null ? null : { key }, version: null, trafficPercent: null, rule, fingerprint, message: '', evidence: empty, waiver: null };
  } catch {
    throw badInput(`invalid cursor "${cursor}"`);
  }
}

async function listingWithErrors(ctx: InventoryContext, path: string[]): Promise<LinkedModel[]> {
  const listing = await ctx.listing();
  for (const failure of listing.failures) ctx.partialErrors.add(failure, path);
  return listing.models;
}

export const resolvers: GraphQLResolverMap<InventoryContext> = {
  DateTime: DateTimeScalar,
  Query: {
    async models(
      _root: unknown,
      args: { filter?: ModelFilter | null; orderBy?: ModelOrder | null; first: number; after?: string | null },
      ctx: InventoryContext,
    ) {
      checkFirst(args.first);
      const models = await listingWithErrors(ctx, ['models']);
      const index = needsIndex(args.filter, args.orderBy ?? { field: 'KEY', direction: 'ASC' })
        ? (await ctx.governance.get()).models
        : undefined;
      return pageModels(models, index, args);
    },
    async model(_root: unknown, args: { key: string }, ctx: InventoryContext) {
      return modelByKey(await listingWithErrors(ctx, ['model']), args.key);
    },
    person: (_root: unknown, args: { id: string }, ctx: InventoryContext) => ctx.people.describe(args.id),
    me: (_root: unknown, _args: unknown, ctx: InventoryContext) => {
      const caller = ctx.caller;
      if (!caller || caller.kind !== 'jwt') return null;
      // The token's email names the person; a subject that is an email does too (some
      // identity providers use it as the subject). An opaque subject names nobody we know.
      const email = caller.email ?? (/^[^@\s]+@[^@\s]+$/.test(caller.id) ? caller.id : undefined);
      return email ? ctx.people.describe(email) : null;
    },
    async findings(
      _root: unknown,
      args: {
        severity?: Severity | null;
        rule?: FindingRule | null;
        includeWaived?: boolean | null;
        first: number;
        after?: string | null;
      },
      ctx: InventoryContext,
    ) {
      checkFirst(args.first);
      const { findings, models } = await ctx.governance.get();
      const least = args.severity ? SEVERITY_ORDER[args.severity] : 0;
      const matching = findings.filter(
        (f) =>
          SEVERITY_ORDER[f.severity] >= least && (!args.rule || f.rule === args.rule) && (args.includeWaived || !f.waiver),
      );
      const after = args.after ? decodeFindingCursor(args.after) : undefined;
      return {
        ...sliceConnection(
          matching,
          args,
          (f) => after !== undefined && compareFindings(f, after) > 0,
          (node) => ({ cursor: encodeFindingCursor(node), node }),
        ),
        modelsChecked: models.size,
      };
    },
    async lifecycleStats(_root: unknown, args: { groupBy: 'OWNER' | 'TEAM' | 'SOURCE' }, ctx: InventoryContext) {
      const { models } = await ctx.governance.get();
      const entries = [...models.values()].map((m) => {
        const groups =
          args.groupBy === 'OWNER' ? [...m.codeOwnerPeople] : args.groupBy === 'TEAM' ? [...m.teams].map((t) => `@${t}`) : m.sources;
        // Every model counts somewhere, so the groups add up to the inventory.
        return {
          groups: groups.length > 0 ? groups : ['(none)'],
          daysToProduction: m.lifecycle?.firstRunToProductionDays ?? null,
          precision: m.lifecycle?.firstProduction?.precision ?? null,
        };
      });
      return lifecycleStats(entries).map((s) => ({
        group: s.group,
        count: s.count,
        measured: s.measured,
        atMost: s.atMost,
        medianDaysToProduction: roundDays(s.medianDays),
        p90DaysToProduction: roundDays(s.p90Days),
      }));
    },
    ...historyQueryResolvers,
    sources(_root: unknown, _args: unknown, ctx: InventoryContext) {
      // Live health, read from no cache entry: an answer holding it is never reused.
      currentRequestScope()?.noteFreshUntil(Date.now());
      return ctx.sources.read();
    },
  },
  Mutation: {
    async openFindingTickets(
      _root: unknown,
      args: { filter?: FindingTicketFilter | null; dryRun: boolean; resolveGone: boolean },
      ctx: InventoryContext,
    ): Promise<TicketRun & Record<'created' | 'existing' | 'wouldCreate' | 'failed', number>> {
      if (!ctx.tickets) {
        throw new GraphQLError('tickets for findings are not configured: add a `tickets` section to the configuration', {
          extensions: { code: 'NOT_CONFIGURED' },
        });
      }
      let run: TicketRun;
      try {
        run = await ctx.tickets.service.open(args);
      } catch (err) {
        if (err instanceof TicketLockBusyError) throw new GraphQLError(err.message, { extensions: { code: err.code } });
        throw err;
      }
      const count = (outcome: FindingTicketResult['outcome']) => run.results.filter((r) => r.outcome === outcome).length;
      return {
        ...run,
        created: count('CREATED'),
        existing: count('EXISTING'),
        wouldCreate: count('WOULD_CREATE'),
        failed: count('FAILED') + run.gone.filter((g) => g.outcome === 'FAILED').length,
      };
    },
  },
  FindingTicketResult: {
    fingerprint: (r: FindingTicketResult) => r.finding.fingerprint,
    key: (r: FindingTicketResult) => r.ticket?.key ?? null,
    url: (r: FindingTicketResult) => r.ticket?.url ?? null,
    ticket: (r: FindingTicketResult) => ticketRef(r.ticket),
    assignee: (r: FindingTicketResult, _args: unknown, ctx: InventoryContext) => (r.assignee ? ctx.people.describe(r.assignee) : null),
  },
  GoneFindingTicket: {
    key: (g: GoneTicketResult) => g.ticket.key,
    url: (g: GoneTicketResult) => g.ticket.url,
    ticket: (g: GoneTicketResult) => ticketRef(g.ticket),
  },
  Person: {
    __resolveReference: (ref: { id: string }, ctx: InventoryContext) => ctx.people.describe(ref.id),
    async ownedModels(person: { id: string }, _args: unknown, ctx: InventoryContext) {
      const keys = new Set(await ctx.ownership.modelsOwnedBy(person.id));
      const listing = await ctx.listing();
      return listing.models.filter((m) => keys.has(m.key));
    },
  },
  Model: {
    async __resolveReference(ref: { key: string }, ctx: InventoryContext) {
      const model = modelByKey((await ctx.listing()).models, ref.key);
      // Keep what the gateway sent for `@requires` alongside the listing's fields.
      return model ? { ...ref, ...model } : null;
    },
    versions: (model: ModelWithRequiredVersions, args: { stage?: string | null }) => mergeVersions(model, args.stage),
    // Read from the governance index, as every governance answer is: a model's findings are
    // the inventory's list's, as fresh as the index (kept warm, refreshed ahead). A model
    // listed since the index was built is not evaluated yet: null, not "no findings".
    findings: async (model: LinkedModel, _args: unknown, ctx: InventoryContext) =>
      (await ctx.governance.get()).models.get(model.key)?.findings ?? null,
    lifecycle: async (model: LinkedModel, _args: unknown, ctx: InventoryContext) =>
      (await ctx.governance.get()).models.get(model.key)?.lifecycle ?? null,
  },
  ModelVersion: {
    __resolveType: (ref: { __typename: string }) => ref.__typename,
  },
  Deployment: {
    __resolveReference: (ref: DeploymentWithRequiredVersion) => ref,
    async model(deployment: DeploymentWithRequiredVersion, _args: unknown, ctx: InventoryContext) {
      const modelId = servedModelId(deployment);
      if (!modelId || !deployment.source) return null;
      return modelByRef((await ctx.listing()).models, deployment.source.kind, deployment.source.instance, modelId);
    },
  },
  FindingEpisode: historyTypeResolvers.FindingEpisode,
  Finding: {
    ...historyTypeResolvers.Finding,
    // The inventory owns Model, so the gateway asks it, not another subgraph, for the rest
    // of the model's fields: a bare `{ key }` would answer only `key`.
    async model(finding: GraphFinding, _args: unknown, ctx: InventoryContext) {
      return finding.model ? modelByKey((await ctx.listing()).models, finding.model.key) : null;
    },
    // Tickets and deployments are references the gateway completes in jira and registries.
    evidence: (finding: GraphFinding) => ({
      refs: finding.evidence.refs,
      versions: finding.evidence.versions,
      // @inaccessible (see schema/inventory.graphql): answered all the same, should an engine ask.
      mlflowVersions: finding.evidence.versions.filter((v) => v.__typename === 'MlflowModelVersion'),
      cloudVersions: finding.evidence.versions.filter((v) => v.__typename === 'CloudModelVersion'),
      tickets: finding.evidence.tickets.map((t) => ({ __typename: 'Ticket', id: t.id })),
      deployments: finding.evidence.deployments.map((d) => ({ __typename: 'Deployment', id: d.id })),
    }),
    ticket: async (finding: GraphFinding, _args: unknown, ctx: InventoryContext) =>
      ctx.tickets ? ticketRef(await ctx.tickets.byFingerprint.load(finding.fingerprint)) : null,
  },
};

/**
 * The governance index: every model's findings, lifecycle, owners, stages and whether it
 * serves traffic, plus the findings about deployments no registry holds, built from the
 * connectors directly (source-facts.ts), a page of models at a time, and the rules
 * evaluated here. Every governance answer reads it: `Model.findings`
 * and `Model.lifecycle` as well as the answers across the inventory (`Query.findings`,
 * `Query.lifecycleStats`, the owner/team/stage/deployed/severity filters of `Query.models`),
 * so a model's findings and the inventory's list agree, and no query plan has to carry a
 * model's every version, deployment, ticket and owner to the inventory (a `@requires` chain
 * only some engines plan; see issue #11, item 6).
 */
import { outsideRequestScope } from '../../../connectors/core/request-scope';
import { TtlValue, type RebuildObserver, type TtlValueOptions } from '../ttl-value';
import type { LinkedModel } from '../linking';
import type { Listing } from '../model-listing';
import { deploymentFact, modelFacts, type ModelWithRequiredFacts, type RequiredDeployment } from './facts';
import { lifecycleOf, roundDays } from './lifecycle';
import { isServing } from './production';
import { evaluateDeployments, evaluateModel } from './rules';
import { toGraphFinding, type GraphFinding } from './graph-finding';
import { waiverFor } from './waivers';
import { SEVERITY_ORDER, type GovernanceSettings, type Lifecycle } from './types';

/** A model as the index keeps it: its findings and lifecycle, and what the filters read. */
interface ModelNode {
  key: string;
  name: string;
  refs: Array<{ kind: string; instance: string }>;
  findings: GraphFinding[] | null;
  lifecycle: Lifecycle | null;
  versions: Array<{ stage: string | null }> | null;
  deployments: Array<{ status: RequiredDeployment['status']; trafficPercent: number | null }> | null;
  codeOwners: Array<{ kind: string; handle: string; person: { id: string } | null }> | null;
  tickets: Array<{ assignee: { id: string } | null }> | null;
  /** The parts of its facts a source could not give (ModelFacts.unavailable); absent in copies built before it existed. */
  unavailable?: string[];
}

export interface IndexedModel {
  key: string;
  name: string;
  /** `<kind>:<instance>` of every source holding the model, lower-case kind (`mlflow:prod`). */
  sources: string[];
  findings: GraphFinding[];
  /** The most severe unwaived finding's rank (SEVERITY_ORDER), 0 without any. */
  worstSeverity: number;
  /** Findings no waiver accepts. */
  openFindings: number;
  lifecycle: Lifecycle | null;
  stages: Set<string>;
  deployed: boolean;
  /** Person ids: code owners, and assignees of the model's tickets. */
  people: Set<string>;
  /** Person code owners only (what OWNER grouping counts). */
  codeOwnerPeople: Set<string>;
  /** Team handles, lower-case, without the leading `@`. */
  teams: Set<string>;
  /**
   * The parts of its facts that were unavailable (`tickets`, `codeOwners`...): its findings
   * are what could be concluded without them. Empty (or absent) when everything was read.
   */
  unavailable?: string[];
}

export interface GovernanceIndexData {
  models: Map<string, IndexedModel>;
  /** Every finding, models' and deployments', most severe first. */
  findings: GraphFinding[];
}

export function teamKey(handle: string): string {
  return handle.replace(/^@/, '').toLowerCase();
}

/** Code-point order: the same in every locale, so cursors compare as the list was sorted. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Severity first, then the model (model-less last), the rule and the fingerprint: a stable order to page. */
export function compareFindings(a: GraphFinding, b: GraphFinding): number {
  return (
    SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
    byCodePoint(a.model?.key ?? '\uffff', b.model?.key ?? '\uffff') ||
    byCodePoint(a.rule, b.rule) ||
    byCodePoint(a.fingerprint, b.fingerprint)
  );
}

export function indexModel(node: ModelNode): IndexedModel {
  const findings = node.findings ?? [];
  const open = findings.filter((f) => !f.waiver);
  const codeOwnerPeople = new Set((node.codeOwners ?? []).flatMap((o) => (o.person ? [o.person.id] : [])));
  return {
    key: node.key,
    name: node.name,
    sources: [...new Set(node.refs.map((r) => `${r.kind.toLowerCase()}:${r.instance}`))].sort(),
    findings,
    worstSeverity: Math.max(0, ...open.map((f) => SEVERITY_ORDER[f.severity])),
    openFindings: open.length,
    lifecycle: node.lifecycle,
    stages: new Set((node.versions ?? []).flatMap((v) => (v.stage ? [v.stage.toLowerCase()] : []))),
    deployed: (node.deployments ?? []).some((d) => isServing({ status: d.status, trafficPercent: d.trafficPercent })),
    people: new Set([...codeOwnerPeople, ...(node.tickets ?? []).flatMap((t) => (t.assignee ? [t.assignee.id] : []))]),
    codeOwnerPeople,
    teams: new Set((node.codeOwners ?? []).filter((o) => o.kind === 'TEAM').map((o) => teamKey(o.handle))),
    ...(node.unavailable?.length ? { unavailable: node.unavailable } : {}),
  };
}

/**
 * What a build stores, and replicas share through Redis: the outcome per model, as plain data.
 * Each process derives its lookups ({@link GovernanceIndexData}) from it once.
 */
interface GovernanceSnapshot {
  nodes: ModelNode[];
  /** Findings about deployments no registry holds, evaluated (waivers included) at build time. */
  orphanFindings: GraphFinding[];
}

/** Where a build reads from: the inventory's listing, and the sources' facts (see source-facts.ts). */
export interface GovernanceSources {
  listing(): Promise<Listing>;
  /** A fresh reader: it batches and holds what one page of models asks, nothing after. */
  reader(): {
    model(model: LinkedModel): Promise<ModelWithRequiredFacts>;
    allDeployments(): Promise<RequiredDeployment[]>;
  };
}

/** Models read per round: big enough to batch (a Jira search, a GitHub GraphQL query), small enough to hold. */
export const INDEX_PAGE_SIZE = 200;
/** Rounds side by side: one's upstream waits overlap another's CPU, with a few pages held at once. */
export const INDEX_PAGE_CONCURRENCY = 3;

/**
 * Told of every complete build this process made (not of copies adopted from another
 * replica, which recorded its own), with the time it was evaluated at: the history recorder.
 * Its failure is its own to report; the build stands.
 */
export type BuildListener = (data: GovernanceIndexData, at: Date) => Promise<void>;

export class GovernanceIndex {
  private readonly data: TtlValue<GovernanceSnapshot>;
  private readonly derived = new WeakMap<GovernanceSnapshot, GovernanceIndexData>();
  private readonly pageConcurrency: number;
  /** The process stopping: a build in progress gives up at its next page. */
  private readonly stop?: AbortSignal;
  private readonly onBuilt?: BuildListener;

  constructor(
    private readonly sources: GovernanceSources,
    private readonly settings: GovernanceSettings,
    ttlMs: number,
    private readonly now: () => number = Date.now,
    staleMs = 0,
    observe?: RebuildObserver,
    /**
     * Shared with the other replicas, refreshed ahead (see {@link TtlValueOptions}); `pageConcurrency`:
     * pages of models read side by side. Default: neither, one page at a time.
     */
    options: Omit<TtlValueOptions, 'rebuilds'> & { pageConcurrency?: number; stop?: AbortSignal; onBuilt?: BuildListener } = {},
  ) {
    this.pageConcurrency = options.pageConcurrency ?? 1;
    this.stop = options.stop;
    this.onBuilt = options.onBuilt;
    // Outside any request scope: a build is shared by every request that waits for it and,
    // once stale, runs in the background; none of them may pay for it or cut it short.
    this.data = new TtlValue(
      async () => outsideRequestScope(() => this.build()),
      ttlMs,
      now,
      staleMs,
      { rebuilds: { name: 'governance', observe }, ...options },
    );
  }

  async get(): Promise<GovernanceIndexData> {
    return this.derive(await this.data.get());
  }

  private derive(snapshot: GovernanceSnapshot): GovernanceIndexData {
    let data = this.derived.get(snapshot);
    if (!data) {
      const models = new Map(snapshot.nodes.map((node) => [node.key, indexModel(node)]));
      const findings = [...[...models.values()].flatMap((m) => m.findings), ...snapshot.orphanFindings].sort(compareFindings);
      data = { models, findings };
      this.derived.set(snapshot, data);
    }
    return data;
  }

  private async build(): Promise<GovernanceSnapshot> {
    const listing = await this.sources.listing();
    // A listing without a registry would evaluate its models as gone: refuse it, as any failed read.
    if (listing.failures.length > 0) throw listing.failures[0];
    const pages: LinkedModel[][] = [];
    for (let i = 0; i < listing.models.length; i += INDEX_PAGE_SIZE) pages.push(listing.models.slice(i, i + INDEX_PAGE_SIZE));
    const evaluated: ModelNode[][] = new Array(pages.length);
    let next = 0;
    const worker = async () => {
      while (next < pages.length) {
        this.stop?.throwIfAborted();
        const i = next++;
        const reader = this.sources.reader();
        evaluated[i] = await Promise.all(pages[i]!.map(async (model) => this.evaluate(model, await reader.model(model))));
      }
    };
    const [deployments] = await Promise.all([
      this.sources.reader().allDeployments(),
      ...Array.from({ length: Math.min(this.pageConcurrency, pages.length) }, worker),
    ]);
    const at = new Date(this.now());
    const orphanFindings = evaluateDeployments(deployments.map(deploymentFact), this.settings).map((f) =>
      toGraphFinding(f, waiverFor(f.fingerprint, this.settings, at)),
    );
    const snapshot = { nodes: evaluated.flat(), orphanFindings };
    // Only a complete build gets here: a failed read threw above, and an outage is not a fix.
    await this.onBuilt?.(this.derive(snapshot), at);
    return snapshot;
  }

  /** One model's findings (waivers applied) and lifecycle, from its facts, and what the filters read. */
  private evaluate(model: LinkedModel, read: ModelWithRequiredFacts): ModelNode {
    const facts = modelFacts(model, read, this.settings.approval.versionField);
    const at = new Date(this.now());
    return {
      key: model.key,
      name: model.name,
      refs: model.refs.map((r) => ({ kind: r.kind, instance: r.instance })),
      findings: evaluateModel(facts, this.settings, at).map((f) => toGraphFinding(f, waiverFor(f.fingerprint, this.settings, at))),
      lifecycle: roundedLifecycle(lifecycleOf(facts, this.settings)),
      versions: facts.versions.map((v) => ({ stage: v.stage })),
      deployments: facts.deployments.map((d) => ({ status: d.status, trafficPercent: d.trafficPercent })),
      codeOwners: facts.codeOwners.map((o) => ({ kind: o.kind, handle: o.handle, person: o.personId ? { id: o.personId } : null })),
      tickets: facts.tickets.map((t) => ({ assignee: t.assigneeId ? { id: t.assigneeId } : null })),
      unavailable: Object.entries(facts.unavailable).flatMap(([part, missing]) => (missing ? [part] : [])),
    };
  }
}

function roundedLifecycle(lifecycle: Lifecycle): Lifecycle {
  return {
    ...lifecycle,
    firstRunToRegisteredDays: roundDays(lifecycle.firstRunToRegisteredDays),
    registeredToApprovedDays: roundDays(lifecycle.registeredToApprovedDays),
    approvedToProductionDays: roundDays(lifecycle.approvedToProductionDays),
    firstRunToProductionDays: roundDays(lifecycle.firstRunToProductionDays),
  };
}

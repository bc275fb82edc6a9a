/**
 * The governance index: every model's findings, lifecycle, owners, stages and whether it
 * serves traffic, plus the findings about deployments no registry holds, built by walking
 * the graph and evaluating the rules here. Every governance answer reads it: `Model.findings`
 * and `Model.lifecycle` as well as the answers across the inventory (`Query.findings`,
 * `Query.lifecycleStats`, the owner/team/stage/deployed/severity filters of `Query.models`),
 * so a model's findings and the inventory's list agree, and no query plan has to carry a
 * model's every version, deployment, ticket and owner to the inventory (a `@requires` chain
 * only some engines plan; see issue #11, item 6).
 */
import { outsideRequestScope } from '../../../connectors/core/request-scope';
import { requireGraph, TtlValue, walkModels, type GraphQuery, type RebuildObserver } from '../graph-walk';
import type { TtlValueOptions } from '../ttl-value';
import type { LinkedModel } from '../linking';
import { deploymentFact, modelFacts, type ModelWithRequiredFacts, type RequiredDeployment } from './facts';
import { lifecycleOf, roundDays } from './lifecycle';
import { isServing } from './production';
import { evaluateDeployments, evaluateModel } from './rules';
import { toGraphFinding, type GraphFinding } from './graph-finding';
import { waiverFor } from './waivers';
import { SEVERITY_ORDER, type GovernanceSettings, type Lifecycle } from './types';


/**
 * What the rules read of every model: the same fields for every model, asked of the graph
 * as any client would (the versions from MLflow and the clouds, the deployments, tickets
 * and code owners from the subgraphs that own them). The findings and the lifecycle are
 * computed here, page by page, from these facts.
 */
const MODELS_QUERY = /* GraphQL */ `
  query GovernanceIndexModels($first: Int!, $after: String) {
    models(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        key
        name
        refs { kind instance nativeId url }
        mlflowVersions {
          id source { kind instance nativeId url } modelName version stage aliases status createdAt updatedAt createdBy
          run { id startTime git { commit } }
        }
        cloudVersions {
          id source { kind instance nativeId url } modelName version stage aliases status createdAt updatedAt createdBy
          approval mlflowSource { version runId }
        }
        deployments {
          id source { kind instance nativeId url } endpointName name status statusRaw statusMessage trafficPercent
          createdAt updatedAt modelVersionRef modelVersion { id }
        }
        tickets { id key url summary type status statusCategory labels created resolved assignee { id } }
        codeOwners { handle kind person { id } }
      }
    }
  }
`;

const DEPLOYMENTS_QUERY = /* GraphQL */ `
  query GovernanceIndexDeployments {
    deployments {
      id source { kind instance nativeId url } endpointName name status statusRaw statusMessage trafficPercent
      createdAt updatedAt modelVersionRef modelVersion { id }
    }
  }
`;

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
  };
}

/**
 * What a build stores, and replicas share through Redis: the walk's answers as plain data.
 * Each process derives its lookups ({@link GovernanceIndexData}) from it once.
 */
interface GovernanceSnapshot {
  nodes: ModelNode[];
  /** Findings about deployments no registry holds, evaluated (waivers included) at build time. */
  orphanFindings: GraphFinding[];
}

export class GovernanceIndex {
  private readonly data: TtlValue<GovernanceSnapshot>;
  private readonly derived = new WeakMap<GovernanceSnapshot, GovernanceIndexData>();
  private readonly walkConcurrency: number;

  constructor(
    graph: () => GraphQuery | undefined,
    private readonly settings: GovernanceSettings,
    ttlMs: number,
    private readonly now: () => number = Date.now,
    staleMs = 0,
    observe?: RebuildObserver,
    /**
     * Shared with the other replicas, refreshed ahead (see {@link TtlValueOptions}); `walkConcurrency`:
     * pages of the walk asked side by side (see walkModels). Default: neither, one page at a time.
     */
    options: Omit<TtlValueOptions, 'rebuilds'> & { walkConcurrency?: number } = {},
  ) {
    this.walkConcurrency = options.walkConcurrency ?? 1;
    // Async, so that a missing graph rejects the promise rather than throwing at the caller.
    // Outside any request scope: a build is shared by every request that waits for it and,
    // once stale, runs in the background; none of them may pay for it or cut it short.
    this.data = new TtlValue(
      async () => outsideRequestScope(() => this.build(requireGraph(graph, 'the governance index'))),
      ttlMs,
      now,
      staleMs,
      { rebuilds: { name: 'governance', observe }, ...options },
    );
  }

  async get(): Promise<GovernanceIndexData> {
    const snapshot = await this.data.get();
    let data = this.derived.get(snapshot);
    if (!data) {
      const models = new Map(snapshot.nodes.map((node) => [node.key, indexModel(node)]));
      const findings = [...[...models.values()].flatMap((m) => m.findings), ...snapshot.orphanFindings].sort(compareFindings);
      data = { models, findings };
      this.derived.set(snapshot, data);
    }
    return data;
  }

  private async build(query: GraphQuery): Promise<GovernanceSnapshot> {
    const [nodes, deployments] = await Promise.all([
      walkModels<LinkedModel & ModelWithRequiredFacts, ModelNode>(query, MODELS_QUERY, 200, this.walkConcurrency, (model) =>
        this.evaluate(model),
      ),
      query<{ deployments: RequiredDeployment[] }>(DEPLOYMENTS_QUERY, {}),
    ]);
    const at = new Date(this.now());
    const orphanFindings = evaluateDeployments(deployments.deployments.map(deploymentFact), this.settings).map((f) =>
      toGraphFinding(f, waiverFor(f.fingerprint, this.settings, at)),
    );
    return { nodes, orphanFindings };
  }

  /** One model's findings (waivers applied) and lifecycle, from its facts, and what the filters read. */
  private evaluate(model: LinkedModel & ModelWithRequiredFacts): ModelNode {
    const facts = modelFacts(model, model);
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

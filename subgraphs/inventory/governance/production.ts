/**
 * What "in production" and "approved" mean for the governance rules, decided once here so
 * that every rule and the lifecycle agree on it, plus the small helpers the rules share.
 */
import { createHash } from 'node:crypto';
import { ModelgraphError } from '../../../connectors/core/errors';
import { sourceName, type SourceKind } from '../../../connectors/core/source';
import { kindsWith } from '../../../connectors/sources';
import type {
  DeploymentFact,
  Finding,
  FindingEvidence,
  FindingRule,
  GovernanceSettings,
  ModelFacts,
  SourceRefFact,
  TicketFact,
  VersionFact,
} from './types';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The clouds: registries whose versions serve on their own endpoints (and mirror MLflow versions). */
const CLOUD_KINDS: ReadonlySet<SourceKind> = new Set(kindsWith('deploymentTarget'));

/**
 * Serving means taking requests now. UPDATING counts because clouds keep the old variant
 * serving during an update; a null traffic share counts because some clouds (Azure without a
 * traffic split) do not say, and the deployment is live all the same.
 */
export function isServing(d: Pick<DeploymentFact, 'status' | 'trafficPercent'>): boolean {
  return (d.status === 'IN_SERVICE' || d.status === 'UPDATING') && (d.trafficPercent === null || d.trafficPercent > 0);
}

const endpointPatterns = new Map<string, RegExp>();

/**
 * Whether an endpoint takes production traffic: clouds have no such notion, so endpoints
 * named like a staging or test one (`settings.nonProductionEndpoints`) do not.
 */
export function isProductionEndpoint(d: Pick<DeploymentFact, 'endpointName'>, settings: GovernanceSettings): boolean {
  const source = settings.nonProductionEndpoints;
  if (!source) return true;
  let pattern = endpointPatterns.get(source);
  if (!pattern) {
    pattern = new RegExp(source, 'i');
    endpointPatterns.set(source, pattern);
  }
  return !pattern.test(d.endpointName);
}

/** Deployments serving production traffic now. */
export function servingDeployments(model: ModelFacts, settings: GovernanceSettings): DeploymentFact[] {
  return model.deployments.filter((d) => isServing(d) && isProductionEndpoint(d, settings));
}

const lowerSet = (values: readonly string[]): Set<string> => new Set(values.map((s) => s.toLowerCase()));

/** The designations (`stage Production`, `alias champion`) that make `v` a production version. */
export function productionDesignations(
  v: VersionFact,
  settings: GovernanceSettings,
): Array<{ kind: 'stage' | 'alias'; name: string }> {
  const stages = lowerSet(settings.productionStages);
  const aliases = lowerSet(settings.productionAliases);
  const out: Array<{ kind: 'stage' | 'alias'; name: string }> = [];
  if (v.stage !== null && stages.has(v.stage.toLowerCase())) out.push({ kind: 'stage', name: v.stage });
  for (const alias of v.aliases) if (aliases.has(alias.toLowerCase())) out.push({ kind: 'alias', name: alias });
  return out;
}

export function isProductionDesignated(v: VersionFact, settings: GovernanceSettings): boolean {
  return productionDesignations(v, settings).length > 0;
}

export function designatedVersions(model: ModelFacts, settings: GovernanceSettings): VersionFact[] {
  return model.versions.filter((v) => isProductionDesignated(v, settings));
}

/**
 * The model's cloud versions that serving deployments serve. A deployment whose version is
 * not among the model's versions (no registry holds it, or the cloud registry failed) adds
 * nothing: its approval and its MLflow origin are unknown.
 */
export function servedCloudVersions(model: ModelFacts, settings: GovernanceSettings): VersionFact[] {
  const served = new Set(servingDeployments(model, settings).map((d) => d.modelVersionId));
  return model.versions.filter((v) => v.typename === 'CloudModelVersion' && served.has(v.id));
}

/** Designated versions in any registry, and the cloud versions that serve traffic; each once. */
export function productionVersions(model: ModelFacts, settings: GovernanceSettings): VersionFact[] {
  return uniqueVersions([...designatedVersions(model, settings), ...servedCloudVersions(model, settings)]);
}

/**
 * The MLflow version a cloud version was uploaded from. Without a recorded
 * `mlflow.version` the cloud's own number is the best guess: teams that push every MLflow
 * version to the cloud keep the numbers in step.
 */
export function mlflowVersionOf(cloudVersion: VersionFact): string {
  return cloudVersion.mlflowVersion ?? cloudVersion.version;
}

/**
 * The MLflow version numbers that serve traffic, through the cloud versions that mirror
 * them. Clouds do not record which MLflow instance a version came from, so a number stands
 * for that version in every MLflow registry of the model.
 */
export function servedMlflowVersionNumbers(model: ModelFacts, settings: GovernanceSettings): Set<string> {
  return new Set(servedCloudVersions(model, settings).map(mlflowVersionOf));
}

const matchesAny = (value: string | null, wanted: readonly string[]): boolean =>
  value !== null && lowerSet(wanted).has(value.toLowerCase());

const summaryRegExps = new Map<string, RegExp>();

function summaryRegExp(pattern: string): RegExp {
  let re = summaryRegExps.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern, 'i');
    } catch (e) {
      throw new ModelgraphError('CONFIG_INVALID', `governance.approval.summaryPattern is not a valid regular expression: ${(e as Error).message}`);
    }
    summaryRegExps.set(pattern, re);
  }
  return re;
}

/**
 * What the ticket is, apart from where it is in its workflow: summary, issue type and
 * labels. Labels compare case-insensitively because a label typed `Model-Approval` in Jira
 * and `model-approval` in the settings is the same intent.
 */
export function looksLikeApproval(t: TicketFact, settings: GovernanceSettings): boolean {
  const a = settings.approval;
  if (a.issueTypes.length > 0 && !matchesAny(t.type, a.issueTypes)) return false;
  if (a.labels.length > 0 && !t.labels.some((l) => matchesAny(l, a.labels))) return false;
  return a.summaryPattern === '' || summaryRegExp(a.summaryPattern).test(t.summary);
}

/**
 * An approval is a ticket that looks like one and has reached an approving state. The status
 * category always applies (an empty `statusCategories` therefore accepts no ticket); the
 * status names only when listed.
 */
export function isApprovalTicket(t: TicketFact, settings: GovernanceSettings): boolean {
  const a = settings.approval;
  if (!a.statusCategories.includes(t.statusCategory)) return false;
  if (a.statuses.length > 0 && !matchesAny(t.status, a.statuses)) return false;
  return looksLikeApproval(t, settings);
}

/**
 * A hash of what a finding is about, so it stays the same while the same thing is wrong.
 * Ids are sorted so that callers need not agree on an order, and JSON-encoded so that
 * `['a,b']` and `['a', 'b']` cannot collide.
 */
export function fingerprint(rule: FindingRule, ...ids: string[]): string {
  const payload = JSON.stringify([rule, ...[...ids].sort()]);
  return createHash('sha256').update(payload).digest('hex').slice(0, 16);
}

/** `sagemaker:prod-us`: how messages name a registry or a cloud. */
export function registryName(source: Pick<SourceRefFact, 'kind' | 'instance'>): string {
  return sourceName(source.kind, source.instance);
}

export const sameRegistry = (
  a: Pick<SourceRefFact, 'kind' | 'instance'>,
  b: Pick<SourceRefFact, 'kind' | 'instance'>,
): boolean => a.kind === b.kind && a.instance === b.instance;

export const isCloudKind = (kind: SourceKind): boolean => CLOUD_KINDS.has(kind);

/**
 * Whether a failed version source may hide versions of this model: only a registry that
 * lists the model (or a cloud that deploys it) can hold its versions, so the failure of
 * another one changes nothing.
 */
export function mlflowVersionsMayBeMissing(model: ModelFacts): boolean {
  return model.unavailable.mlflowVersions && model.refs.some((r) => r.kind === 'MLFLOW');
}

export function cloudVersionsMayBeMissing(model: ModelFacts): boolean {
  return (
    model.unavailable.cloudVersions && (model.refs.some((r) => isCloudKind(r.kind)) || model.deployments.length > 0)
  );
}

/** `sagemaker:prod-us endpoint credit-risk-scorer-prod` */
export function describeEndpoint(d: DeploymentFact): string {
  return `${registryName(d.source)} endpoint ${d.endpointName}`;
}

/** `mlflow:prod version 3` */
export function describeVersion(v: VersionFact): string {
  return `${registryName(v.source)} version ${v.version}`;
}

/** Milliseconds since the epoch, or null for a missing or unreadable time. */
export function timeOf(iso: string | null | undefined): number | null {
  if (iso == null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export function uniqueVersions(versions: readonly VersionFact[]): VersionFact[] {
  const seen = new Map<string, VersionFact>();
  for (const v of versions) seen.set(`${v.typename}:${v.id}`, v);
  return [...seen.values()];
}

const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Evidence with every list sorted, so that equal findings compare equal. */
export function evidence(parts: {
  refs?: readonly SourceRefFact[];
  versions?: readonly VersionFact[];
  tickets?: readonly TicketFact[];
  deployments?: readonly DeploymentFact[];
}): FindingEvidence {
  const refKey = (r: SourceRefFact) => `${r.kind}:${r.instance}:${r.nativeId}`;
  const refs = new Map((parts.refs ?? []).map((r) => [refKey(r), r] as const));
  return {
    refs: [...refs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r),
    versions: uniqueVersions(parts.versions ?? [])
      .sort((a, b) => (a.typename < b.typename ? -1 : a.typename > b.typename ? 1 : byId(a, b)))
      .map((v) => ({ typename: v.typename, id: v.id })),
    tickets: [...new Set((parts.tickets ?? []).map((t) => t.id))].sort(),
    deployments: [...new Set((parts.deployments ?? []).map((d) => d.id))].sort(),
  };
}

/** A finding of `rule` with the severity the settings give it. */
export function makeFinding(
  rule: FindingRule,
  settings: GovernanceSettings,
  fields: { fingerprintIds: string[]; message: string; modelKey: string | null; evidence: FindingEvidence },
): Finding {
  return {
    rule,
    severity: settings.rules[rule].severity,
    fingerprint: fingerprint(rule, ...fields.fingerprintIds),
    message: fields.message,
    modelKey: fields.modelKey,
    evidence: fields.evidence,
  };
}

/** Numbers in numeric order, anything else after them in text order: `2, 10, v3`. */
export function compareVersionNumbers(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  const aNum = a.trim() !== '' && Number.isFinite(na);
  const bNum = b.trim() !== '' && Number.isFinite(nb);
  if (aNum && bNum) return na - nb;
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `a`, `a and b`, `a, b and c` */
export function listPhrase(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

import {
  cloudVersionsMayBeMissing,
  describeEndpoint,
  describeVersion,
  evidence,
  isApprovalTicket,
  listPhrase,
  looksLikeApproval,
  makeFinding,
  mlflowVersionOf,
  productionDesignations,
  servedCloudVersions,
  servingDeployments,
} from '../production';
import { isModelLevelTicket, ticketNamesVersion } from '../version-naming';
import type { DeploymentFact, Finding, GovernanceSettings, ModelFacts, TicketFact, VersionFact } from '../types';

const RULE = 'PRODUCTION_WITHOUT_APPROVAL';

/** Below this share of its endpoint's traffic a serving version is called a canary. */
const CANARY_BELOW_PERCENT = 50;

/** One version in production, and what puts it there. */
interface ProductionVersion {
  version: VersionFact;
  /** Serving production deployments of it (cloud versions only). */
  deployments: DeploymentFact[];
  /** Designated versions it stands for: itself, and the MLflow versions a served cloud version was uploaded from. */
  designated: VersionFact[];
}

const byId = (a: VersionFact, b: VersionFact): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Every version in production, each once: the cloud versions serving production traffic
 * (canaries included), then the production-designated versions no served one stands for.
 * A designated MLflow version is covered by a served cloud copy of it (same MLflow number):
 * one artefact, one approval, one finding.
 */
function productionVersionsOf(model: ModelFacts, settings: GovernanceSettings): ProductionVersion[] {
  const serving = servingDeployments(model, settings);
  const designated = model.versions.filter((v) => productionDesignations(v, settings).length > 0);
  const out: ProductionVersion[] = [];
  const covered = new Set<string>();
  for (const v of [...servedCloudVersions(model, settings)].sort(byId)) {
    const origins = designated.filter((d) => d.typename === 'MlflowModelVersion' && d.version === mlflowVersionOf(v));
    const stands = [...(designated.includes(v) ? [v] : []), ...origins];
    for (const d of [v, ...origins]) covered.add(d.id);
    out.push({ version: v, deployments: serving.filter((d) => d.modelVersionId === v.id), designated: stands });
  }
  for (const v of [...designated].sort(byId)) {
    if (!covered.has(v.id)) out.push({ version: v, deployments: [], designated: [v] });
  }
  return out;
}

/** Whether the cloud approved the version (for an MLflow version: a cloud copy of it). */
function cloudApproved(p: ProductionVersion, model: ModelFacts): boolean {
  if (p.version.approval === 'APPROVED') return true;
  if (p.version.typename !== 'MlflowModelVersion') return false;
  return model.versions.some((c) => c.typename === 'CloudModelVersion' && mlflowVersionOf(c) === p.version.version && c.approval === 'APPROVED');
}

/** `canary, 20% of traffic on vertex_ai:prod endpoint router-prod` */
function trafficPhrase(d: DeploymentFact): string {
  if (d.trafficPercent === null) return `serving on ${describeEndpoint(d)}, traffic share not reported`;
  const canary = d.trafficPercent < CANARY_BELOW_PERCENT ? 'canary, ' : '';
  return `${canary}${d.trafficPercent}% of traffic on ${describeEndpoint(d)}`;
}

/** `alias champion`; for another version it stands for, `stage Production in mlflow:prod version 3`. */
function designationPhrase(d: VersionFact, of: VersionFact, settings: GovernanceSettings): string {
  const names = productionDesignations(d, settings).map((x) => `${x.kind} ${x.name}`).join(', ');
  return d === of ? names : `${names} in ${describeVersion(d)}`;
}

const byKey = (a: TicketFact, b: TicketFact): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Every version in production (serving production traffic, canaries included, or holding a
 * production stage or alias) needs an approval of that version: the cloud's approval of it,
 * or a done approval ticket naming it (number, model version id or registry URL, in the
 * summary, description or `approval.versionField`). A ticket naming no version approves
 * every version only with `approval.acceptModelLevelTicket`.
 *
 * One finding per unapproved version, fingerprinted by the model and the version id, so that
 * approving one version resolves exactly its finding. The evidence names the tickets a
 * reviewer has to chase: approval tickets for that version (or for the model) not done yet,
 * and model-level approvals that are not accepted.
 */
export function productionWithoutApproval(model: ModelFacts, settings: GovernanceSettings, _now?: Date): Finding[] {
  if (!settings.rules[RULE].enabled) return [];
  // A Jira outage would otherwise read as "no approval".
  if (model.unavailable.tickets) return [];
  // The production version's approval may sit in the cloud registry that failed.
  if (cloudVersionsMayBeMissing(model)) return [];
  const inProduction = productionVersionsOf(model, settings);
  if (inProduction.length === 0) return [];

  const approvals = model.tickets.filter((t) => isApprovalTicket(t, settings));
  const modelLevel = approvals.filter((t) => isModelLevelTicket(t, model, settings)).sort(byKey);
  if (settings.approval.acceptModelLevelTicket && modelLevel.length > 0) return [];
  const pending = model.tickets.filter((t) => looksLikeApproval(t, settings) && !approvals.includes(t));

  const findings: Finding[] = [];
  for (const p of inProduction) {
    const v = p.version;
    if (cloudApproved(p, model)) continue;
    if (approvals.some((t) => ticketNamesVersion(t, v, model, settings))) continue;

    const attempts = pending
      .filter((t) => ticketNamesVersion(t, v, model, settings) || isModelLevelTicket(t, model, settings))
      .sort(byKey);
    const where =
      p.deployments.length > 0
        ? `(${p.deployments.map(trafficPhrase).sort().join('; ')}) serves production traffic`
        : `(${p.designated.map((d) => designationPhrase(d, v, settings)).join('; ')}) is designated for production`;
    const notes = [
      ...attempts.map((t) => `${t.key} is ${t.status ?? 'not done'}`),
      ...(modelLevel.length > 0
        ? [`${listPhrase(modelLevel.map((t) => t.key))} ${modelLevel.length > 1 ? 'approve' : 'approves'} the model but ${modelLevel.length > 1 ? 'name' : 'names'} no version`]
        : []),
    ];
    const shares = p.deployments.map((d) => d.trafficPercent).filter((n): n is number => n !== null);
    findings.push({
      ...makeFinding(RULE, settings, {
        fingerprintIds: [`model:${model.key}`, `version:${v.typename}:${v.id}`],
        message: `${model.key} ${describeVersion(v)} ${where} with no approval of that version${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
        modelKey: model.key,
        evidence: evidence({
          refs: model.refs,
          versions: [v, ...p.designated],
          tickets: [...attempts, ...modelLevel],
          deployments: p.deployments,
        }),
      }),
      version: { typename: v.typename, id: v.id },
      trafficPercent: shares.length > 0 ? Math.max(...shares) : null,
    });
  }
  return findings;
}

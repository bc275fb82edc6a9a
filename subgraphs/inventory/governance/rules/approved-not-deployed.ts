import { DAY_MS, describeVersion, evidence, makeFinding, timeOf } from '../production';
import type { Finding, GovernanceSettings, ModelFacts } from '../types';

const RULE = 'APPROVED_NOT_DEPLOYED';

/**
 * Cloud versions approved more than `afterDays` days ago that no deployment serves. Clouds
 * record no approval time, so the version's last update (else its creation) stands for it:
 * approving a SageMaker package updates it. A version without either time has no age and is
 * left alone. Any deployment of the version counts, whatever its status, because a failed
 * or stopped one is already another rule's finding or a deliberate choice.
 */
export function approvedNotDeployed(model: ModelFacts, settings: GovernanceSettings, now: Date): Finding[] {
  const rule = settings.rules[RULE];
  if (!rule.enabled) return [];
  if (model.unavailable.deployments) return [];
  const deployed = new Set(model.deployments.map((d) => d.modelVersionId));
  const findings: Finding[] = [];
  for (const v of model.versions) {
    if (v.typename !== 'CloudModelVersion' || v.approval !== 'APPROVED' || deployed.has(v.id)) continue;
    const approvedIso = v.updatedAt ?? v.createdAt;
    const approvedAt = timeOf(approvedIso);
    if (approvedAt === null || now.getTime() - approvedAt <= rule.afterDays * DAY_MS) continue;
    findings.push(
      makeFinding(RULE, settings, {
        fingerprintIds: [`version:${v.typename}:${v.id}`],
        message: `${model.key} ${describeVersion(v)} was approved (last updated ${approvedIso}) more than ${rule.afterDays} days ago and no deployment serves it`,
        modelKey: model.key,
        evidence: evidence({ refs: [v.source], versions: [v] }),
      }),
    );
  }
  return findings;
}

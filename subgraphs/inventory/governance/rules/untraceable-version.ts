import {
  describeVersion,
  evidence,
  isProductionDesignated,
  makeFinding,
  mlflowVersionOf,
  servedCloudVersions,
  servingDeployments,
} from '../production';
import type { Finding, GovernanceSettings, ModelFacts } from '../types';

const RULE = 'UNTRACEABLE_VERSION';

/**
 * Production MLflow versions (designated, or mirrored by a serving cloud version) that cannot
 * be traced back to code: no run, or a run without a git commit. Only the versions that
 * matter are checked, since old experiments without a commit are nobody's risk.
 */
export function untraceableVersion(model: ModelFacts, settings: GovernanceSettings, _now?: Date): Finding[] {
  if (!settings.rules[RULE].enabled) return [];
  const served = servedCloudVersions(model, settings);
  const serving = servingDeployments(model, settings);
  const findings: Finding[] = [];
  for (const v of model.versions) {
    if (v.typename !== 'MlflowModelVersion') continue;
    const mirrors = served.filter((c) => mlflowVersionOf(c) === v.version);
    const designated = isProductionDesignated(v, settings);
    if (!designated && mirrors.length === 0) continue;
    const commit = v.run?.gitCommit?.trim();
    if (v.run !== null && commit) continue;
    const why = designated ? 'production-designated' : 'served in production';
    const gap = v.run === null ? 'names no run to trace it to code' : `has run ${v.run.id} with no git commit`;
    const mirrorIds = new Set(mirrors.map((c) => c.id));
    findings.push(
      makeFinding(RULE, settings, {
        fingerprintIds: [`version:${v.typename}:${v.id}`],
        message: `${model.key} ${describeVersion(v)} is ${why} but ${gap}`,
        modelKey: model.key,
        evidence: evidence({
          refs: [v.source],
          versions: [v, ...mirrors],
          deployments: serving.filter((d) => d.modelVersionId !== null && mirrorIds.has(d.modelVersionId)),
        }),
      }),
    );
  }
  return findings;
}

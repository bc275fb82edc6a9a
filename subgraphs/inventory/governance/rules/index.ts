/**
 * Runs the governance rules. Each rule is a pure function of the facts; this module only
 * picks the enabled ones and puts their findings in one stable order.
 */
import { SEVERITY_ORDER, type DeploymentFact, type Finding, type FindingRule, type GovernanceSettings, type ModelFacts } from '../types';
import { approvedNotDeployed } from './approved-not-deployed';
import { deployedNotRegistered } from './deployed-not-registered';
import { failedDeployment } from './failed-deployment';
import { noOwner } from './no-owner';
import { productionWithoutApproval } from './production-without-approval';
import { stageDrift } from './stage-drift';
import { untraceableVersion } from './untraceable-version';

export type ModelRule = (model: ModelFacts, settings: GovernanceSettings, now: Date) => Finding[];

/** Every rule about one model; DEPLOYED_NOT_REGISTERED is about deployments without one. */
export const MODEL_RULES: Readonly<Record<Exclude<FindingRule, 'DEPLOYED_NOT_REGISTERED'>, ModelRule>> = {
  PRODUCTION_WITHOUT_APPROVAL: productionWithoutApproval,
  NO_OWNER: noOwner,
  STAGE_DRIFT: stageDrift,
  FAILED_DEPLOYMENT: failedDeployment,
  APPROVED_NOT_DEPLOYED: approvedNotDeployed,
  UNTRACEABLE_VERSION: untraceableVersion,
};

/** Most severe first, then by rule name and fingerprint so that equal runs list equally. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)
  );
}

export function evaluateModel(model: ModelFacts, settings: GovernanceSettings, now: Date): Finding[] {
  const findings: Finding[] = [];
  for (const [rule, run] of Object.entries(MODEL_RULES) as Array<[FindingRule, ModelRule]>) {
    if (settings.rules[rule].enabled) findings.push(...run(model, settings, now));
  }
  return findings.sort(compareFindings);
}

export function evaluateDeployments(deployments: readonly DeploymentFact[], settings: GovernanceSettings): Finding[] {
  return deployedNotRegistered(deployments, settings).sort(compareFindings);
}

export {
  approvedNotDeployed,
  deployedNotRegistered,
  failedDeployment,
  noOwner,
  productionWithoutApproval,
  stageDrift,
  untraceableVersion,
};

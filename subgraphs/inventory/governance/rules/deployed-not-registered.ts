import { describeEndpoint, evidence, makeFinding } from '../production';
import type { DeploymentFact, Finding, GovernanceSettings } from '../types';

const RULE = 'DEPLOYED_NOT_REGISTERED';

/**
 * Deployments of the whole organisation that serve something no registry holds. Failed
 * ones are FAILED_DEPLOYMENT's, and deleting ones are on their way out.
 */
export function deployedNotRegistered(deployments: readonly DeploymentFact[], settings: GovernanceSettings): Finding[] {
  if (!settings.rules[RULE].enabled) return [];
  return deployments
    .filter((d) => d.modelVersionId === null && d.status !== 'FAILED' && d.status !== 'DELETING')
    .map((d) =>
      makeFinding(RULE, settings, {
        fingerprintIds: [`deployment:${d.id}`],
        message: `Deployment ${d.name} on ${describeEndpoint(d)} serves ${d.modelVersionRef ?? 'a model'} that no registry holds`,
        modelKey: null,
        evidence: evidence({ refs: [d.source], deployments: [d] }),
      }),
    );
}

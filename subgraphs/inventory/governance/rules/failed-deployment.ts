import { describeEndpoint, evidence, makeFinding } from '../production';
import type { Finding, GovernanceSettings, ModelFacts } from '../types';

const RULE = 'FAILED_DEPLOYMENT';

/** One finding per failed deployment of the model; the cloud's own status word and reason are kept for the reader. */
export function failedDeployment(model: ModelFacts, settings: GovernanceSettings, _now?: Date): Finding[] {
  if (!settings.rules[RULE].enabled) return [];
  return model.deployments
    .filter((d) => d.status === 'FAILED')
    .map((d) =>
      makeFinding(RULE, settings, {
        fingerprintIds: [`deployment:${d.id}`],
        message: `${model.key} deployment ${d.name} on ${describeEndpoint(d)} failed (status ${d.statusRaw ?? d.status})${d.statusMessage ? `: ${d.statusMessage}` : ''}`,
        modelKey: model.key,
        evidence: evidence({ refs: [d.source], deployments: [d] }),
      }),
    );
}

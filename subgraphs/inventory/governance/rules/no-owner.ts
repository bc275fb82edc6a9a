import { cloudVersionsMayBeMissing, evidence, makeFinding, mlflowVersionsMayBeMissing } from '../production';
import type { Finding, GovernanceSettings, ModelFacts } from '../types';

const RULE = 'NO_OWNER';

/**
 * Nobody to ask about the model: no CODEOWNERS entry, no assignee on any of its tickets and
 * no registry record of who registered a version. Each of the three sources must have
 * answered, the registries included, since an outage and an owner-less model look alike.
 */
export function noOwner(model: ModelFacts, settings: GovernanceSettings, _now?: Date): Finding[] {
  if (!settings.rules[RULE].enabled) return [];
  if (model.unavailable.codeOwners || model.unavailable.tickets) return [];
  if (mlflowVersionsMayBeMissing(model) || cloudVersionsMayBeMissing(model)) return [];
  if (model.codeOwners.length > 0) return [];
  if (model.tickets.some((t) => t.assigneeId !== null && t.assigneeId !== '')) return [];
  if (model.versions.some((v) => v.createdBy !== null && v.createdBy.trim() !== '')) return [];
  return [
    makeFinding(RULE, settings, {
      fingerprintIds: [`model:${model.key}`],
      message: `${model.key} has no owner: no CODEOWNERS entry, no assignee on its tickets and no registry record of who registered it`,
      modelKey: model.key,
      evidence: evidence({ refs: model.refs }),
    }),
  ];
}

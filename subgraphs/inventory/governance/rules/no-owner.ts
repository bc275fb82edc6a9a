import { cloudVersionsMayBeMissing, evidence, makeFinding, mlflowVersionsMayBeMissing } from '../production';
import { isServiceCreator, matchesServicePattern } from '../../../common/service-identities';
import type { Finding, GovernanceSettings, ModelFacts } from '../types';

const RULE = 'NO_OWNER';

/**
 * Nobody to ask about the model: no CODEOWNERS entry, no assignee on any of its tickets and
 * no registry record of a person who registered a version. Service identities (a pipeline's
 * account, an application, an assumed role: see service-identities.ts) are nobody to ask,
 * so they own nothing. Each of the three sources must have answered, the registries
 * included, since an outage and an owner-less model look alike.
 */
export function noOwner(model: ModelFacts, settings: GovernanceSettings, _now?: Date): Finding[] {
  if (!settings.rules[RULE].enabled) return [];
  if (model.unavailable.codeOwners || model.unavailable.tickets) return [];
  if (mlflowVersionsMayBeMissing(model) || cloudVersionsMayBeMissing(model)) return [];
  if (model.codeOwners.length > 0) return [];
  if (model.tickets.some((t) => t.assigneeId !== null && t.assigneeId !== '' && !matchesServicePattern(t.assigneeId, settings))) return [];
  if (model.versions.some((v) => v.createdBy !== null && v.createdBy.trim() !== '' && !isServiceCreator(v, settings))) return [];
  const byServices = model.versions.filter((v) => v.createdBy !== null && v.createdBy.trim() !== '' && isServiceCreator(v, settings));
  const services = [...new Set(byServices.map((v) => v.createdBy!))].sort();
  return [
    makeFinding(RULE, settings, {
      fingerprintIds: [`model:${model.key}`],
      message: `${model.key} has no owner: no CODEOWNERS entry, no assignee on its tickets and no registry record of a person who registered it${
        services.length > 0 ? ` (only service identities: ${services.join(', ')})` : ''
      }`,
      modelKey: model.key,
      evidence: evidence({ refs: model.refs, versions: byServices }),
    }),
  ];
}

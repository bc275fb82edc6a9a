import {
  cloudVersionsMayBeMissing,
  describeEndpoint,
  describeVersion,
  designatedVersions,
  evidence,
  isApprovalTicket,
  listPhrase,
  looksLikeApproval,
  makeFinding,
  productionVersions,
  servingDeployments,
} from '../production';
import type { Finding, GovernanceSettings, ModelFacts } from '../types';

const RULE = 'PRODUCTION_WITHOUT_APPROVAL';

/**
 * A model in production (serving traffic, or designated for production in any registry) with
 * neither an approval ticket nor a cloud approval on any of its production versions.
 *
 * The evidence names the tickets that look like approvals but are not done yet (the
 * attempts), not every ticket of the model: those are what a reviewer has to chase.
 */
export function productionWithoutApproval(model: ModelFacts, settings: GovernanceSettings, _now?: Date): Finding[] {
  if (!settings.rules[RULE].enabled) return [];
  // A Jira outage would otherwise read as "no approval".
  if (model.unavailable.tickets) return [];
  const serving = servingDeployments(model, settings);
  const designated = designatedVersions(model, settings);
  // Missing deployments or versions can only hide production, never invent it.
  if (serving.length === 0 && designated.length === 0) return [];
  // The production version's approval may sit in the cloud registry that failed.
  if (cloudVersionsMayBeMissing(model)) return [];
  if (model.tickets.some((t) => isApprovalTicket(t, settings))) return [];
  const versions = productionVersions(model, settings);
  if (versions.some((v) => v.approval === 'APPROVED')) return [];

  const attempts = model.tickets
    .filter((t) => looksLikeApproval(t, settings))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const where =
    serving.length > 0
      ? `serves production traffic (${listPhrase([...new Set(serving.map(describeEndpoint))].sort())})`
      : `has production-designated versions (${listPhrase(designated.map(describeVersion).sort())})`;
  const pending =
    attempts.length > 0
      ? `; ${listPhrase(attempts.map((t) => `${t.key} is ${t.status ?? 'not done'}`))}`
      : '';
  return [
    makeFinding(RULE, settings, {
      fingerprintIds: [`model:${model.key}`],
      message: `${model.key} ${where} with no approved ticket and no cloud approval${pending}`,
      modelKey: model.key,
      evidence: evidence({ refs: model.refs, versions, tickets: attempts, deployments: serving }),
    }),
  ];
}

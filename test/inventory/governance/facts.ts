/** Builders of hand-made governance facts: defaults that trip no rule, overridden per test. */
import type { SourceKind } from '../../../connectors/core/source';
import {
  DEFAULT_GOVERNANCE,
  type DeploymentFact,
  type FindingRule,
  type GovernanceSettings,
  type ModelFacts,
  type RuleSettings,
  type SourceRefFact,
  type TicketFact,
  type VersionFact,
} from '../../../subgraphs/inventory/governance/types';

export const ref = (kind: SourceKind, instance: string, nativeId: string): SourceRefFact => ({
  kind,
  instance,
  nativeId,
  url: null,
});

/** An MLflow version `mlflow:prod/<model>/<version>` with a traceable run. */
export function mlflowVersion(version: string, over: Partial<VersionFact> = {}, model = 'credit-risk-scorer'): VersionFact {
  const instance = over.source?.instance ?? 'prod';
  return {
    typename: 'MlflowModelVersion',
    id: `${instance}/${model}/${version}`,
    source: ref('MLFLOW', instance, `${model}/${version}`),
    modelName: model,
    version,
    stage: null,
    aliases: [],
    status: 'READY',
    createdAt: '2026-01-10T00:00:00Z',
    updatedAt: null,
    createdBy: null,
    approval: null,
    run: { id: `run-${version}`, startTime: '2026-01-05T00:00:00Z', gitCommit: 'abc123' },
    mlflowVersion: null,
    ...over,
  };
}

/** A cloud version `<kind>:<instance>/<model>/<version>`. */
export function cloudVersion(
  version: string,
  over: Partial<VersionFact> = {},
  where: { kind?: SourceKind; instance?: string; model?: string } = {},
): VersionFact {
  const kind = where.kind ?? 'SAGEMAKER';
  const instance = where.instance ?? 'prod-us';
  const model = where.model ?? 'credit-risk-scorer';
  return {
    typename: 'CloudModelVersion',
    id: `${kind.toLowerCase()}:${instance}/${model}/${version}`,
    source: ref(kind, instance, `${model}/${version}`),
    modelName: model,
    version,
    stage: null,
    aliases: [],
    status: 'READY',
    createdAt: '2026-01-12T00:00:00Z',
    updatedAt: null,
    createdBy: null,
    approval: null,
    run: null,
    mlflowVersion: null,
    ...over,
  };
}

/** A serving deployment of `served` (a VersionFact or an id), on the same cloud instance by default. */
export function deployment(
  name: string,
  served: VersionFact | string | null,
  over: Partial<DeploymentFact> = {},
): DeploymentFact {
  const servedId = typeof served === 'string' || served === null ? served : served.id;
  const source = over.source ?? (typeof served === 'object' && served !== null ? served.source : ref('SAGEMAKER', 'prod-us', ''));
  const endpointName = over.endpointName ?? 'credit-risk-scorer-prod';
  return {
    id: `${source.kind.toLowerCase()}:${source.instance}/${endpointName}/${name}`,
    source: { ...source, nativeId: `${endpointName}/${name}` },
    endpointName,
    name,
    status: 'IN_SERVICE',
    statusRaw: 'InService',
    trafficPercent: 100,
    createdAt: '2026-02-01T00:00:00Z',
    updatedAt: null,
    modelVersionId: servedId,
    modelVersionRef: null,
    ...over,
  };
}

export function ticket(key: string, over: Partial<TicketFact> = {}): TicketFact {
  return {
    id: `jira/${key}`,
    key,
    url: null,
    summary: `Work on ${key}`,
    type: 'Task',
    status: 'Done',
    statusCategory: 'DONE',
    labels: [],
    created: '2026-01-15T00:00:00Z',
    resolved: null,
    assigneeId: null,
    ...over,
  };
}

export const approvalTicket = (key: string, over: Partial<TicketFact> = {}): TicketFact =>
  ticket(key, { summary: 'Approve credit-risk-scorer for production', resolved: '2026-01-20T00:00:00Z', ...over });

export function model(over: Partial<Omit<ModelFacts, 'unavailable'>> & { unavailable?: Partial<ModelFacts['unavailable']> } = {}): ModelFacts {
  const { unavailable, ...rest } = over;
  return {
    key: 'credit-risk-scorer',
    name: 'credit-risk-scorer',
    refs: [ref('MLFLOW', 'prod', 'credit-risk-scorer'), ref('SAGEMAKER', 'prod-us', 'credit-risk-scorer')],
    versions: [],
    deployments: [],
    tickets: [],
    codeOwners: [],
    ...rest,
    unavailable: {
      mlflowVersions: false,
      cloudVersions: false,
      deployments: false,
      tickets: false,
      codeOwners: false,
      ...unavailable,
    },
  };
}

/** The defaults with some rules' settings changed; the rest copied so tests cannot leak into each other. */
export function settings(
  rules: Partial<Record<FindingRule, Partial<RuleSettings> & { afterDays?: number }>> = {},
  over: Partial<Omit<GovernanceSettings, 'rules'>> = {},
): GovernanceSettings {
  const base = structuredClone(DEFAULT_GOVERNANCE);
  for (const [rule, patch] of Object.entries(rules) as Array<[FindingRule, Partial<RuleSettings>]>) {
    Object.assign(base.rules[rule], patch);
  }
  return { ...base, ...structuredClone(over) };
}

export const NOW = new Date('2026-06-01T00:00:00Z');

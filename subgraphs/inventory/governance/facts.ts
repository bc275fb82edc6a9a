/**
 * From what the governance index reads of each model (source-facts.ts: the fields the graph
 * answers for `Model.mlflowVersions`, `cloudVersions`, `deployments`, `tickets`, `codeOwners`) to the rules' `ModelFacts`. A field answered as null (or
 * left out) came from a subgraph that failed: it becomes an empty list marked unavailable,
 * so no rule reads an outage as "nothing there".
 */
import type { LinkedModel } from '../linking';
import type {
  ApprovalStatus,
  CodeOwnerFact,
  DeploymentFact,
  DeploymentStatus,
  ModelFacts,
  SourceRefFact,
  TicketFact,
  TicketStatusCategory,
  VersionFact,
  VersionStatus,
} from './types';

interface RequiredVersion {
  id: string;
  source: SourceRefFact;
  modelName: string;
  version: string;
  stage?: string | null;
  aliases?: string[] | null;
  status?: VersionStatus | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  createdBy?: string | null;
}

export interface RequiredMlflowVersion extends RequiredVersion {
  run?: { id: string; startTime?: string | null; git?: { commit?: string | null } | null } | null;
}

export interface RequiredCloudVersion extends RequiredVersion {
  approval?: ApprovalStatus | null;
  createdByType?: 'USER' | 'SERVICE' | null;
  mlflowSource?: { version?: string | null; runId?: string | null } | null;
}

export interface RequiredDeployment {
  id: string;
  source: SourceRefFact;
  endpointName: string;
  name: string;
  status: DeploymentStatus;
  statusRaw?: string | null;
  statusMessage?: string | null;
  trafficPercent?: number | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  modelVersionRef?: string | null;
  modelVersion?: { id: string } | null;
}

export interface RequiredTicket {
  id: string;
  key: string;
  url?: string | null;
  summary: string;
  type?: string | null;
  status?: string | null;
  statusCategory: TicketStatusCategory;
  labels?: string[] | null;
  created?: string | null;
  resolved?: string | null;
  assignee?: { id: string } | null;
  description?: string | null;
  /** Every field's values as text, by field id, for the configured version field. */
  fieldValues?: Record<string, string[]> | null;
  statusChanges?: Array<{ at: string; from: string | null; to: string | null }> | null;
}

export interface RequiredCodeOwner {
  handle: string;
  kind: CodeOwnerFact['kind'];
  person?: { id: string } | null;
}

/** A `Model` with the fields the rules read, as the sources answer them. */
export interface ModelWithRequiredFacts {
  key: string;
  mlflowVersions?: RequiredMlflowVersion[] | null;
  cloudVersions?: RequiredCloudVersion[] | null;
  deployments?: RequiredDeployment[] | null;
  tickets?: RequiredTicket[] | null;
  codeOwners?: RequiredCodeOwner[] | null;
}

function versionBase(v: RequiredVersion): Omit<VersionFact, 'typename' | 'approval' | 'run' | 'mlflowVersion'> {
  return {
    id: v.id,
    source: v.source,
    modelName: v.modelName,
    version: v.version,
    stage: v.stage ?? null,
    aliases: v.aliases ?? [],
    status: v.status ?? 'UNKNOWN',
    createdAt: v.createdAt ?? null,
    updatedAt: v.updatedAt ?? null,
    createdBy: v.createdBy ?? null,
  };
}

export function mlflowVersionFact(v: RequiredMlflowVersion): VersionFact {
  return {
    ...versionBase(v),
    typename: 'MlflowModelVersion',
    approval: null,
    run: v.run ? { id: v.run.id, startTime: v.run.startTime ?? null, gitCommit: v.run.git?.commit ?? null } : null,
    mlflowVersion: null,
  };
}

export function cloudVersionFact(v: RequiredCloudVersion): VersionFact {
  return {
    ...versionBase(v),
    typename: 'CloudModelVersion',
    approval: v.approval ?? null,
    createdByType: v.createdByType ?? null,
    run: null,
    mlflowVersion: v.mlflowSource?.version ?? null,
  };
}

export function deploymentFact(d: RequiredDeployment): DeploymentFact {
  return {
    id: d.id,
    source: d.source,
    endpointName: d.endpointName,
    name: d.name,
    status: d.status,
    statusRaw: d.statusRaw ?? null,
    statusMessage: d.statusMessage ?? null,
    trafficPercent: d.trafficPercent ?? null,
    createdAt: d.createdAt ?? null,
    updatedAt: d.updatedAt ?? null,
    modelVersionId: d.modelVersion?.id ?? null,
    modelVersionRef: d.modelVersionRef ?? null,
  };
}

export function ticketFact(t: RequiredTicket, versionField: string | null = null): TicketFact {
  return {
    id: t.id,
    key: t.key,
    url: t.url ?? null,
    summary: t.summary,
    type: t.type ?? null,
    status: t.status ?? null,
    statusCategory: t.statusCategory,
    labels: t.labels ?? [],
    created: t.created ?? null,
    resolved: t.resolved ?? null,
    assigneeId: t.assignee?.id ?? null,
    description: t.description ?? '',
    versionFieldValues: versionField ? (t.fieldValues?.[versionField] ?? []) : [],
    statusChanges: t.statusChanges ?? null,
  };
}

export function modelFacts(model: LinkedModel, required: ModelWithRequiredFacts, versionField: string | null = null): ModelFacts {
  return {
    key: model.key,
    name: model.name,
    refs: model.refs,
    versions: [...(required.mlflowVersions ?? []).map(mlflowVersionFact), ...(required.cloudVersions ?? []).map(cloudVersionFact)],
    deployments: (required.deployments ?? []).map(deploymentFact),
    tickets: (required.tickets ?? []).map((t) => ticketFact(t, versionField)),
    codeOwners: (required.codeOwners ?? []).map((o) => ({ handle: o.handle, kind: o.kind, personId: o.person?.id ?? null })),
    unavailable: {
      mlflowVersions: required.mlflowVersions == null,
      cloudVersions: required.cloudVersions == null,
      deployments: required.deployments == null,
      tickets: required.tickets == null,
      codeOwners: required.codeOwners == null,
    },
  };
}

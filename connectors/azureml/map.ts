import { isoFromText, nonBlank, type KeyValue, type ModelVersionStatus } from '../core/graph';
import { sourceName, type SourceRef } from '../core/source';
import { stripUrlCredentials } from '../core/urls';
import type { ApprovalStatus, CloudModel, CloudModelVersion, CreatorType, Deployment, DeploymentStatus } from '../registry/types';
import { AZUREML_PROVIDER, type ModelContainer, type ModelVersion, type OnlineDeployment, type OnlineEndpoint, type SystemData } from './types';

/** Pure mapping from Azure ML DTOs to graph objects: no I/O, no clock, no config lookups. */

/** Azure Machine Learning studio, where the graph's links point. */
export const AZUREML_STUDIO_URL = 'https://ml.azure.com';

/**
 * The version tag read as an approval. Azure ML records no approval of its own (a model
 * version has a free-form `stage` and tags, nothing like SageMaker's ModelApprovalStatus),
 * so an approval exists only where a team's process writes one into a tag.
 */
export const AZUREML_APPROVAL_TAG = 'modelgraph.approval';

/** What the mapping needs to know about the instance an object came from. */
export interface AzuremlMapContext {
  /** The configured instance name. */
  instance: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  /** Studio root without a trailing slash. Default in the connector: {@link AZUREML_STUDIO_URL}. */
  studioUrl: string;
  /** Version tag holding an approval. Default in the connector: {@link AZUREML_APPROVAL_TAG}. */
  approvalTag: string;
}

export type ModelContainerTransformer = (dto: ModelContainer, ctx: AzuremlMapContext) => CloudModel;
export type ModelVersionTransformer = (dto: ModelVersion, ctx: AzuremlMapContext, modelName?: string) => CloudModelVersion;
export type OnlineDeploymentTransformer = (
  dto: OnlineDeployment,
  ctx: AzuremlMapContext,
  endpoint: OnlineEndpoint,
) => Deployment;

// ---- ids and links ----------------------------------------------------------------------

/** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}` */
export function workspaceResourceId(ctx: Pick<AzuremlMapContext, 'subscriptionId' | 'resourceGroup' | 'workspace'>): string {
  return `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/${AZUREML_PROVIDER}/workspaces/${ctx.workspace}`;
}

/** The ARM id of a model version in the instance's workspace. */
export function modelVersionResourceId(ctx: AzuremlMapContext, modelName: string, version: string): string {
  return `${workspaceResourceId(ctx)}/models/${modelName}/versions/${version}`;
}

const ARM_MODEL_VERSION =
  /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/models\/([^/]+)\/versions\/([^/?#]+)\/?$/i;
/** The asset URI form of the same id (`azureml://subscriptions/.../resourcegroups/.../workspaces/...`). */
const ASSET_MODEL_VERSION =
  /^azureml:\/\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/workspaces\/([^/]+)\/models\/([^/]+)\/versions\/([^/?#]+)\/?$/i;
/** Any other `azureml://` asset id of a version: a registry's, or a workspace named by its GUID. */
const OTHER_ASSET_VERSION = /^azureml:\/\/.+\/models\/([^/]+)\/versions\/([^/?#]+)\/?$/i;
/** The CLI and SDK short form: `azureml:<name>:<version>`, `azureml:<name>@<label>`, `azureml:<name>`. */
const SHORT_REFERENCE = /^azureml:([a-zA-Z0-9][a-zA-Z0-9._-]*)(?::([^:@/]+)|@([^:@/]+))?$/;

/**
 * One spelling of a model version's ARM id, so that what a deployment names and what the
 * registry lists compare equal as strings. ARM names of subscriptions, resource groups and
 * workspaces are case-insensitive (model names and versions are not): an id in the
 * configured workspace takes the configured spelling; one elsewhere is lower-cased there.
 */
export function canonicalModelVersionId(
  ctx: AzuremlMapContext,
  parts: { subscriptionId: string; resourceGroup: string; workspace: string; modelName: string; version: string },
): string {
  const here =
    parts.subscriptionId.toLowerCase() === ctx.subscriptionId.toLowerCase() &&
    parts.resourceGroup.toLowerCase() === ctx.resourceGroup.toLowerCase() &&
    parts.workspace.toLowerCase() === ctx.workspace.toLowerCase();
  const ws = here
    ? ctx
    : {
        subscriptionId: parts.subscriptionId.toLowerCase(),
        resourceGroup: parts.resourceGroup.toLowerCase(),
        workspace: parts.workspace.toLowerCase(),
      };
  return `${workspaceResourceId(ws)}/models/${parts.modelName}/versions/${parts.version}`;
}

/** What a deployment's `properties.model` says it serves. */
export interface ModelReference {
  /**
   * The model version's ARM id (canonical, see {@link canonicalModelVersionId}); for a
   * version that has no ARM id in reach (a registry's, a workspace known only by GUID) its
   * `azureml://` asset id; null when the reference names no version (`azureml:name@latest`,
   * a bare URI).
   */
  versionRef: string | null;
  /** The model (container) name, or the raw reference when it names no registered model. */
  modelName: string | null;
  version: string | null;
}

/**
 * Normalises `properties.model` of an online deployment. The service returns the ARM id of
 * the version it resolved; deployments created from the CLI or SDK may still carry what they
 * were created with: `azureml:<name>:<version>` (a version of this workspace),
 * `azureml://subscriptions/...` (the asset id form), `azureml://registries/...` (a registry's).
 */
export function parseModelReference(raw: string | null | undefined, ctx: AzuremlMapContext): ModelReference {
  const value = raw?.trim();
  if (!value) return { versionRef: null, modelName: null, version: null };
  // `azureml:/subscriptions/...` is the ARM id behind the `azureml:` prefix.
  const armCandidate = value.replace(/^azureml:(?=\/subscriptions\/)/i, '');
  const arm = ARM_MODEL_VERSION.exec(armCandidate) ?? ASSET_MODEL_VERSION.exec(value);
  if (arm) {
    const [, subscriptionId, resourceGroup, workspace, modelName, version] = arm;
    return {
      versionRef: canonicalModelVersionId(ctx, { subscriptionId, resourceGroup, workspace, modelName, version }),
      modelName,
      version,
    };
  }
  const asset = OTHER_ASSET_VERSION.exec(value);
  if (asset) return { versionRef: value, modelName: asset[1]!, version: asset[2]! };
  const short = SHORT_REFERENCE.exec(value);
  if (short) {
    const [, modelName, version] = short;
    return version
      ? { versionRef: modelVersionResourceId(ctx, modelName!, version), modelName: modelName!, version }
      : { versionRef: null, modelName: modelName!, version: null };
  }
  // A bare storage URI or path: something runs, but not a registered version.
  return { versionRef: null, modelName: stripUrlCredentials(value), version: null };
}

/** The studio page of a workspace's models, of one version, of a real-time endpoint. */
export function studioUrl(
  ctx: AzuremlMapContext,
  page: { model: string; version?: string | null } | { endpoint: string },
): string {
  const wsid = `?wsid=${workspaceResourceId(ctx)}`;
  if ('endpoint' in page) return `${ctx.studioUrl}/endpoints/realtime/${encodeURIComponent(page.endpoint)}/detail${wsid}`;
  if (page.version) return `${ctx.studioUrl}/model/${encodeURIComponent(page.model)}:${encodeURIComponent(page.version)}/details${wsid}`;
  return `${ctx.studioUrl}/model/list${wsid}`;
}

// ---- small helpers ------------------------------------------------------------------------

/** A tag map as key/values, in the order Azure sent them; null values read as ''. */
export function mapTags(tags: Record<string, string | null> | null | undefined): KeyValue[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value: stripUrlCredentials(value ?? '') }));
}

/** The last `/`-separated segment after `marker` in an ARM id (`.../models/<name>/versions/...`). */
function segmentAfter(id: string | undefined, marker: string): string | null {
  if (!id) return null;
  const parts = id.split('/');
  const at = parts.findIndex((p) => p.toLowerCase() === marker);
  return at >= 0 && at + 1 < parts.length ? parts[at + 1]! || null : null;
}

function ref(ctx: AzuremlMapContext, nativeId: string, url: string | null): SourceRef {
  return { kind: 'AZURE_ML', instance: ctx.instance, nativeId, url };
}

function times(systemData: SystemData | undefined): { createdAt: string | null; updatedAt: string | null } {
  return { createdAt: isoFromText(systemData?.createdAt), updatedAt: isoFromText(systemData?.lastModifiedAt) };
}

// ---- models -----------------------------------------------------------------------------

/** A model container as a `CloudModel`; its native id is the container name. */
export const mapModelContainer: ModelContainerTransformer = (dto, ctx) => {
  const name = dto.name ?? segmentAfter(dto.id, 'models') ?? '';
  const props = dto.properties ?? {};
  return {
    source: ref(ctx, name, studioUrl(ctx, { model: name, version: nonBlank(props.latestVersion) })),
    name,
    description: nonBlank(props.description),
    tags: mapTags(props.tags),
    ...times(dto.systemData),
  };
};

const VERSION_STATUS: Record<string, ModelVersionStatus> = {
  succeeded: 'READY',
  creating: 'PENDING',
  updating: 'PENDING',
  failed: 'FAILED',
  canceled: 'FAILED',
};

/**
 * `provisioningState` of a version: Succeeded is READY, Creating/Updating PENDING,
 * Failed/Canceled FAILED; Deleting and an absent state (older API versions sent none) say
 * nothing, so UNKNOWN.
 */
export function versionStatus(state: string | null | undefined): ModelVersionStatus {
  return (state && VERSION_STATUS[state.toLowerCase()]) || 'UNKNOWN';
}

const APPROVALS: Record<string, ApprovalStatus> = {
  approved: 'APPROVED',
  pending: 'PENDING',
  pendingmanualapproval: 'PENDING',
  rejected: 'REJECTED',
};

/**
 * The approval a version's tag records (see {@link AZUREML_APPROVAL_TAG}):
 * `approved`, `pending` (or SageMaker's `PendingManualApproval`), `rejected`, in any case.
 * Null when the tag is absent or says anything else: Azure ML itself never approves.
 */
export function approvalFromTags(tags: Record<string, string | null> | null | undefined, tag: string): ApprovalStatus | null {
  const value = tags?.[tag];
  return (value && APPROVALS[value.trim().toLowerCase().replace(/[\s_-]/g, '')]) || null;
}

/**
 * `systemData.createdByType` (ARM's `createdByType`: User, Application, ManagedIdentity,
 * Key): a person only for User; null when absent or unknown.
 */
export function creatorType(value: string | null | undefined): CreatorType | null {
  const type = value?.trim().toLowerCase();
  if (type === 'user') return 'USER';
  return type === 'application' || type === 'managedidentity' || type === 'key' ? 'SERVICE' : null;
}

/**
 * A model version as a `CloudModelVersion`. The DTO's `name` is the version; the model
 * name comes from the ARM id (`.../models/<name>/versions/<version>`), or from the caller
 * that listed the container's versions when the id is missing.
 */
export const mapModelVersion: ModelVersionTransformer = (dto, ctx, modelName) => {
  const name = segmentAfter(dto.id, 'models') ?? modelName ?? '';
  const version = dto.name ?? segmentAfter(dto.id, 'versions') ?? '';
  const props = dto.properties ?? {};
  const stage = nonBlank(props.stage);
  const jobName = nonBlank(props.jobName);
  const parsed = dto.id ? ARM_MODEL_VERSION.exec(dto.id) : null;
  const resourceId = parsed
    ? canonicalModelVersionId(ctx, {
        subscriptionId: parsed[1]!,
        resourceGroup: parsed[2]!,
        workspace: parsed[3]!,
        modelName: parsed[4]!,
        version: parsed[5]!,
      })
    : modelVersionResourceId(ctx, name, version);
  return {
    id: `${sourceName('AZURE_ML', ctx.instance)}/${name}/${version}`,
    source: ref(ctx, `${name}/${version}`, studioUrl(ctx, { model: name, version })),
    modelName: name,
    version,
    stage,
    // Workspace models have no aliases (registries have only the implicit `@latest` label).
    aliases: [],
    status: versionStatus(props.provisioningState),
    statusRaw: nonBlank(props.provisioningState),
    statusMessage: null,
    description: nonBlank(props.description),
    artifactUri: props.modelUri ? stripUrlCredentials(props.modelUri) : null,
    // An Azure ML job's name is also its MLflow run id.
    runId: jobName,
    createdBy: nonBlank(dto.systemData?.createdBy),
    createdByType: creatorType(dto.systemData?.createdByType),
    ...times(dto.systemData),
    tags: mapTags(props.tags),
    approval: approvalFromTags(props.tags, ctx.approvalTag),
    details: { kind: 'AZURE_ML', resourceId, modelType: nonBlank(props.modelType), stage, jobName },
  };
};

/** Newest first: by version number when both are numeric, else by creation time, else by name. */
export function compareVersionsNewestFirst(a: CloudModelVersion, b: CloudModelVersion): number {
  const na = Number(a.version);
  const nb = Number(b.version);
  if (a.version !== '' && b.version !== '' && Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return nb - na;
  const byTime = (b.createdAt ?? '').localeCompare(a.createdAt ?? '');
  return byTime !== 0 ? byTime : b.version.localeCompare(a.version);
}

// ---- deployments ------------------------------------------------------------------------

const DEPLOYMENT_STATUS: Record<string, DeploymentStatus> = {
  creating: 'CREATING',
  updating: 'UPDATING',
  scaling: 'UPDATING',
  succeeded: 'IN_SERVICE',
  failed: 'FAILED',
  // The last operation was stopped before it completed: Azure promises nothing about what serves.
  canceled: 'FAILED',
  deleting: 'DELETING',
};

/**
 * `provisioningState` of an online deployment (`DeploymentProvisioningState`): Succeeded is
 * IN_SERVICE, Creating CREATING, Updating and Scaling UPDATING, Failed and Canceled FAILED,
 * Deleting DELETING; anything else UNKNOWN.
 */
export function deploymentStatus(state: string | null | undefined): DeploymentStatus {
  return (state && DEPLOYMENT_STATUS[state.toLowerCase()]) || 'UNKNOWN';
}

/**
 * The deployment's share of the endpoint's live traffic. A deployment the traffic map does
 * not name gets none (0); without a traffic map at all nothing is known (null).
 * Deployment names are matched case-insensitively, as Azure ML does.
 */
export function trafficPercent(endpoint: OnlineEndpoint, deploymentName: string): number | null {
  const traffic = endpoint.properties?.traffic;
  if (!traffic || typeof traffic !== 'object') return null;
  if (typeof traffic[deploymentName] === 'number') return traffic[deploymentName]!;
  const lower = deploymentName.toLowerCase();
  const key = Object.keys(traffic).find((k) => k.toLowerCase() === lower);
  return key !== undefined && typeof traffic[key] === 'number' ? traffic[key]! : 0;
}

/**
 * The instance count: `sku.capacity` (what Azure ML reports for managed deployments), else the
 * floor of a TargetUtilization autoscale range.
 */
function instanceCount(dto: OnlineDeployment): number | null {
  if (typeof dto.sku?.capacity === 'number') return dto.sku.capacity;
  const scale = dto.properties?.scaleSettings;
  if (scale?.scaleType === 'TargetUtilization' && typeof scale.minInstances === 'number') return scale.minInstances;
  return null;
}

/**
 * `properties.instanceType` (the VM size); else `sku.name`, unless that is the placeholder
 * `Default` managed deployments carry.
 */
function instanceType(dto: OnlineDeployment): string | null {
  const fromProps = nonBlank(dto.properties?.instanceType);
  if (fromProps) return fromProps;
  const sku = nonBlank(dto.sku?.name);
  return sku && sku.toLowerCase() !== 'default' ? sku : null;
}

/** An online deployment, with its endpoint's traffic split, as a `Deployment`. */
export const mapOnlineDeployment: OnlineDeploymentTransformer = (dto, ctx, endpoint) => {
  const endpointName = endpoint.name ?? segmentAfter(endpoint.id, 'onlineendpoints') ?? segmentAfter(dto.id, 'onlineendpoints') ?? '';
  const name = dto.name ?? segmentAfter(dto.id, 'deployments') ?? '';
  const props = dto.properties ?? {};
  const model = parseModelReference(props.model, ctx);
  const consoleUrl = studioUrl(ctx, { endpoint: endpointName });
  return {
    id: `${sourceName('AZURE_ML', ctx.instance)}/${endpointName}/${name}`,
    provider: 'AZURE_ML',
    instance: ctx.instance,
    region: nonBlank(dto.location) ?? nonBlank(endpoint.location),
    endpointName,
    name,
    status: deploymentStatus(props.provisioningState),
    statusRaw: nonBlank(props.provisioningState),
    // ARM reports a failed provisioning's reason on the operation, not on the deployment.
    statusMessage: null,
    modelVersionRef: model.versionRef,
    servedModelName: model.modelName,
    trafficPercent: trafficPercent(endpoint, name),
    instanceType: instanceType(dto),
    instanceCount: instanceCount(dto),
    ...times(dto.systemData),
    consoleUrl,
    source: ref(ctx, `${endpointName}/${name}`, consoleUrl),
  };
};

/**
 * The model and version a `Deployment.modelVersionRef` produced here names:
 * `.../models/<name>/versions/<version>` of an ARM id or an `azureml://` asset id.
 */
export function parseModelVersionRef(versionRef: string | null | undefined): { modelName: string; version: string } | null {
  if (!versionRef) return null;
  const match = /\/models\/([^/]+)\/versions\/([^/?#]+)\/?$/i.exec(versionRef);
  return match ? { modelName: match[1]!, version: match[2]! } : null;
}

import type { KeyValue } from '../core/graph';
import { sourceName, type SourceRef } from '../core/source';
import type { CloudModel, CloudModelVersion, Deployment, DeploymentStatus } from '../registry/types';
import type {
  GoogleCloudAiplatformV1DeployedModel,
  GoogleCloudAiplatformV1Endpoint,
  GoogleCloudAiplatformV1Model,
} from './types';

/** Pure mapping from Vertex AI DTOs to graph objects: no I/O, no clock, no config lookups. */

/** What the mapping needs to know about the instance an object came from. */
export interface VertexMapContext {
  instance: string;
  /** The configured project id (`acme-ml-prod`): the one spelling used in refs the graph joins on. */
  project: string;
  /** The configured location (`europe-west4`). */
  location: string;
}

const CONSOLE = 'https://console.cloud.google.com/vertex-ai';

// ---- resource names -------------------------------------------------------------------------

export interface VertexResourceName {
  /** A project id or number, as the name spells it. */
  project: string;
  location: string;
  collection: 'models' | 'endpoints';
  /** The last segment: a model or endpoint id. */
  id: string;
  /** What follows `@`: a version id or a version alias; null when absent. */
  version: string | null;
}

const RESOURCE_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/(models|endpoints)\/([^/@]+)(?:@([^/]+))?$/;

/** `projects/{p}/locations/{l}/models/{id}[@{version}]` (or `endpoints/{id}`); null when it is not one. */
export function parseResourceName(name: string | undefined | null): VertexResourceName | null {
  const match = name ? RESOURCE_NAME.exec(name.trim()) : null;
  if (!match) return null;
  return {
    project: match[1]!,
    location: match[2]!,
    collection: match[3] as 'models' | 'endpoints',
    id: match[4]!,
    version: match[5] ?? null,
  };
}

/**
 * `projects/{project}/locations/{location}/models/{id}@{versionId}`: the name a version and
 * a deployment share, so the registries subgraph can join them (`Deployment.modelVersionRef`
 * = `CloudVersionDetails.resourceName`). Models of the instance's own project are always
 * spelled with the configured project id, whether the API answered with the id or the number.
 */
export function modelVersionRef(project: string, location: string, modelId: string, versionId: string): string {
  return `projects/${project}/locations/${location}/models/${modelId}@${versionId}`;
}

export function modelConsoleUrl(ctx: Pick<VertexMapContext, 'project' | 'location'>, modelId: string): string {
  return `${CONSOLE}/models/locations/${enc(ctx.location)}/models/${enc(modelId)}?project=${enc(ctx.project)}`;
}

export function modelVersionConsoleUrl(
  ctx: Pick<VertexMapContext, 'project' | 'location'>,
  modelId: string,
  versionId: string,
): string {
  return `${CONSOLE}/models/locations/${enc(ctx.location)}/models/${enc(modelId)}/versions/${enc(versionId)}?project=${enc(ctx.project)}`;
}

export function endpointConsoleUrl(ctx: Pick<VertexMapContext, 'project' | 'location'>, endpointId: string): string {
  return `${CONSOLE}/locations/${enc(ctx.location)}/endpoints/${enc(endpointId)}?project=${enc(ctx.project)}`;
}

// ---- small conversions ----------------------------------------------------------------------

/**
 * An RFC 3339 `google-datetime` (`2025-03-04T10:22:31.123456789Z`, or with an offset) to
 * ISO-8601 in UTC with milliseconds, as every other connector dates things; absent or
 * unreadable is null.
 */
export function isoFromTimestamp(value: string | undefined | null): string | null {
  if (!value) return null;
  // Date.parse is only specified for three fractional digits; Google sends up to nine.
  const text = value.trim().replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Labels, sorted by key so that two reads of one resource compare equal. */
export function labelsToTags(labels: Record<string, string> | undefined): KeyValue[] {
  return Object.entries(labels ?? {})
    .filter(([key]) => key !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value: value ?? '' }));
}

/** Version ids are decimal numbers in strings; newest (largest) first, odd ones last. */
export function compareVersionIdsDesc(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  const aNum = a !== '' && Number.isFinite(na);
  const bNum = b !== '' && Number.isFinite(nb);
  if (aNum && bNum) return nb - na;
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a < b ? 1 : a > b ? -1 : 0;
}

function enc(part: string): string {
  return encodeURIComponent(part);
}

function text(value: string | undefined): string | null {
  return value && value.trim() !== '' ? value : null;
}

// ---- models and versions --------------------------------------------------------------------

function modelRef(ctx: VertexMapContext, modelId: string): SourceRef {
  return { kind: 'VERTEX_AI', instance: ctx.instance, nativeId: modelId, url: modelConsoleUrl(ctx, modelId) };
}

/** A model as `models.list` or `models.get` returns it (its default version stands for it). */
export function mapModel(dto: GoogleCloudAiplatformV1Model, ctx: VertexMapContext): CloudModel {
  const modelId = parseResourceName(dto.name)?.id ?? dto.name ?? '';
  return {
    source: modelRef(ctx, modelId),
    name: dto.displayName ?? modelId,
    description: text(dto.description),
    tags: labelsToTags(dto.labels),
    createdAt: isoFromTimestamp(dto.createTime),
    updatedAt: isoFromTimestamp(dto.updateTime),
  };
}

/**
 * One version (`models.listVersions`, or `models.get` of `{id}@{version}`).
 *
 * Vertex has no stages, no approval and no per-version status: a version exists only once
 * its upload operation finished, so every listed version is READY; stage and approval are
 * null. Labels become tags (Vertex labels live on each version).
 */
export function mapModelVersion(dto: GoogleCloudAiplatformV1Model, ctx: VertexMapContext): CloudModelVersion {
  const parsed = parseResourceName(dto.name);
  const modelId = parsed?.id ?? dto.name ?? '';
  // listVersions names carry `@{versionId}`; `versionId` is authoritative when both exist.
  const versionId = dto.versionId ?? (parsed?.version && /^\d+$/.test(parsed.version) ? parsed.version : '');
  const aliases = [...(dto.versionAliases ?? [])];
  return {
    id: `${sourceName('VERTEX_AI', ctx.instance)}/${modelId}/${versionId}`,
    source: {
      kind: 'VERTEX_AI',
      instance: ctx.instance,
      nativeId: `${modelId}@${versionId}`,
      url: modelVersionConsoleUrl(ctx, modelId, versionId),
    },
    modelName: dto.displayName ?? modelId,
    version: versionId,
    stage: null,
    aliases,
    status: 'READY',
    statusRaw: null,
    statusMessage: null,
    description: text(dto.versionDescription),
    artifactUri: text(dto.artifactUri),
    runId: null,
    createdBy: null,
    createdByType: null,
    createdAt: isoFromTimestamp(dto.versionCreateTime ?? dto.createTime),
    updatedAt: isoFromTimestamp(dto.versionUpdateTime ?? dto.updateTime),
    tags: labelsToTags(dto.labels),
    approval: null,
    details: {
      kind: 'VERTEX_AI',
      resourceName: modelVersionRef(ctx.project, ctx.location, modelId, versionId),
      versionId,
      versionAliases: aliases,
      containerImage: text(dto.containerSpec?.imageUri),
    },
  };
}

// ---- deployments ----------------------------------------------------------------------------

/**
 * What is known of the registry when deployments are mapped, to judge whether what a
 * deployed model points at still exists. Without one, every deployed model is IN_SERVICE.
 */
export interface DeployedModelCatalog {
  /** The spellings of the instance's own project: its id and the number the API answers with. */
  projects: ReadonlySet<string>;
  /** The version ids of a model of the instance's project and location; undefined when there is no such model. */
  versions(modelId: string): ReadonlySet<string> | undefined;
}

/**
 * Every deployed model of an endpoint, as one `Deployment` each.
 *
 * Vertex keeps no state on an endpoint or a deployed model (the resource has no failed
 * state), so the status is derived:
 * - IN_SERVICE: the deployed model exists, and its model version exists in the registry or
 *   cannot be checked (no catalog; a model of another project or location, which the
 *   `model` field allows). Traffic does not change this: a deployed model outside the
 *   traffic split is still deployed (and billed), at `trafficPercent` 0.
 * - UNKNOWN: the deployed model names a model or version of the instance's own project and
 *   location that the registry does not have. Vertex refuses to delete a deployed model
 *   or version, so this means the registry cannot be read consistently (permissions, a
 *   listing raced a change), not that serving stopped; what actually serves is unknown.
 * - FAILED: the traffic split sends a share to a deployed model id the endpoint does not
 *   have. Those requests cannot be served, so the share is reported as a deployment of its
 *   own (name = the missing id, no model) with that traffic.
 * Vertex has no status value of its own, so `statusRaw` is always null.
 */
export function mapEndpointDeployments(
  dto: GoogleCloudAiplatformV1Endpoint,
  ctx: VertexMapContext,
  catalog?: DeployedModelCatalog,
): Deployment[] {
  const endpointId = parseResourceName(dto.name)?.id ?? dto.name ?? '';
  const endpointName = dto.displayName || endpointId;
  const consoleUrl = endpointConsoleUrl(ctx, endpointId);
  const split = dto.trafficSplit ?? {};
  const updatedAt = isoFromTimestamp(dto.updateTime);
  const base = (deployedModelId: string) => ({
    id: `${sourceName('VERTEX_AI', ctx.instance)}/${endpointId}/${deployedModelId}`,
    provider: 'VERTEX_AI' as const,
    instance: ctx.instance,
    region: ctx.location,
    endpointName,
    name: deployedModelId,
    consoleUrl,
    // The endpoint's update time: the traffic share, which is this row's to report, lives there.
    updatedAt,
    source: {
      kind: 'VERTEX_AI' as const,
      instance: ctx.instance,
      nativeId: `${endpointId}/${deployedModelId}`,
      url: consoleUrl,
    },
  });

  const deployed = dto.deployedModels ?? [];
  const out: Deployment[] = deployed.map((dm) => {
    const deployedModelId = dm.id ?? '';
    const target = servedVersion(dm, ctx, catalog);
    const resources = dm.dedicatedResources;
    return {
      ...base(deployedModelId),
      status: target.status,
      statusRaw: null,
      statusMessage: null,
      modelVersionRef: target.ref,
      servedModelName: text(dm.displayName) ?? text(dm.model),
      trafficPercent: trafficShare(split[deployedModelId]),
      instanceType: text(resources?.machineSpec?.machineType),
      instanceCount: resources?.minReplicaCount ?? dm.automaticResources?.minReplicaCount ?? null,
      createdAt: isoFromTimestamp(dm.createTime),
    };
  });

  const present = new Set(deployed.map((dm) => dm.id ?? ''));
  for (const [deployedModelId, percent] of Object.entries(split).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (present.has(deployedModelId) || !(trafficShare(percent) > 0)) continue;
    out.push({
      ...base(deployedModelId),
      status: 'FAILED',
      statusRaw: null,
      statusMessage: `the traffic split sends ${trafficShare(percent)}% to deployed model ${deployedModelId}, which the endpoint does not have`,
      modelVersionRef: null,
      servedModelName: null,
      trafficPercent: trafficShare(percent),
      instanceType: null,
      instanceCount: null,
      createdAt: null,
    });
  }
  return out;
}

function trafficShare(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The version a deployed model serves, as a joinable ref, and what the registry says of it. */
function servedVersion(
  dm: GoogleCloudAiplatformV1DeployedModel,
  ctx: VertexMapContext,
  catalog: DeployedModelCatalog | undefined,
): { ref: string | null; status: DeploymentStatus } {
  const model = parseResourceName(dm.model);
  if (!model || model.collection !== 'models') return { ref: null, status: catalog ? 'UNKNOWN' : 'IN_SERVICE' };
  // `modelVersionId` is output only and authoritative; an `@2` in `model` is the request's
  // spelling, and an `@alias` says nothing about which version was resolved.
  const versionId = dm.modelVersionId || (model.version && /^\d+$/.test(model.version) ? model.version : null);
  const own = model.location === ctx.location && (model.project === ctx.project || (catalog?.projects.has(model.project) ?? false));
  const project = own ? ctx.project : model.project;
  const ref = versionId ? modelVersionRef(project, model.location, model.id, versionId) : null;
  if (!catalog || !own) return { ref, status: 'IN_SERVICE' };
  const versions = catalog.versions(model.id);
  if (!versions) return { ref, status: 'UNKNOWN' };
  if (versionId && !versions.has(versionId)) return { ref, status: 'UNKNOWN' };
  return { ref, status: 'IN_SERVICE' };
}

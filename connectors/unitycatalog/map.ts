import { isoFromMillis, nonBlank, type ModelVersionStatus } from '../core/graph';
import { sourceName, type SourceRef } from '../core/source';
import { stripUrlCredentials } from '../core/urls';
import type { CloudModel, CloudModelVersion, CreatorType } from '../registry/types';
import type { ModelVersionInfo, RegisteredModelAlias, RegisteredModelInfo } from './types';

/** Pure mapping from Unity Catalog DTOs to graph objects: no I/O, no clock, no config lookups. */

/** What the mapping needs to know about the instance an object came from. */
export interface UnityCatalogMapContext {
  /** The configured instance name. */
  instance: string;
  /** The workspace URL without a trailing slash: Catalog Explorer's links point there. */
  host: string;
  /** Workspace id (digits) -> the `sources.mlflow` instance reading its runs. */
  runWorkspaces: ReadonlyMap<string, string | undefined>;
}

// ---- ids and links ----------------------------------------------------------------------

/**
 * A model's native id: its three-level name, lower-cased. Unity Catalog stores names in
 * lower case and resolves them case-insensitively, so two spellings are one model.
 */
export function nativeModelId(fullName: string): string {
  return fullName.toLowerCase();
}

function definedOnly<T extends object>(dto: T): Partial<T> {
  return Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Partial<T>;
}

function parts(dto: { catalog_name?: string; schema_name?: string; name?: string; model_name?: string; full_name?: string }) {
  const [c, s, m] = (dto.full_name ?? '').split('.');
  const catalog = nonBlank(dto.catalog_name) ?? c ?? '';
  const schema = nonBlank(dto.schema_name) ?? s ?? '';
  const model = nonBlank(dto.name) ?? nonBlank(dto.model_name) ?? m ?? '';
  return { catalog, schema, model, fullName: nativeModelId(nonBlank(dto.full_name) ?? `${catalog}.${schema}.${model}`) };
}

/** Catalog Explorer's page of a model (or of one of its versions). */
export function explorerUrl(ctx: Pick<UnityCatalogMapContext, 'host'>, p: { catalog: string; schema: string; model: string }, version?: string): string {
  const path = [p.catalog, p.schema, p.model].map(encodeURIComponent).join('/');
  return `${ctx.host}/explore/data/models/${path}${version === undefined ? '' : `/version/${encodeURIComponent(version)}`}`;
}

function ref(ctx: UnityCatalogMapContext, nativeId: string, url: string | null): SourceRef {
  return { kind: 'UNITY_CATALOG', instance: ctx.instance, nativeId, url };
}

// ---- models -----------------------------------------------------------------------------

/**
 * A registered model. Its `name` (the last part of the three-level name) is what linking
 * matches, so `ml_prod.fraud.fraud_detector` joins the `fraud-detector` of the other
 * registries. Unity Catalog's REST API returns no MLflow tags on a model, so no
 * `modelgraph.key` tag can be read: `linking.overridesFile` names what the name gets wrong.
 */
export function mapRegisteredModel(dto: RegisteredModelInfo, ctx: UnityCatalogMapContext): CloudModel {
  const p = parts(dto);
  return {
    source: ref(ctx, p.fullName, explorerUrl(ctx, p)),
    name: p.model,
    description: nonBlank(dto.comment),
    tags: [],
    createdAt: isoFromMillis(dto.created_at),
    updatedAt: isoFromMillis(dto.updated_at),
  };
}

// ---- versions ---------------------------------------------------------------------------

const STATUS: Record<string, ModelVersionStatus> = {
  READY: 'READY',
  PENDING_REGISTRATION: 'PENDING',
  FAILED_REGISTRATION: 'FAILED',
};

/** `created_by` is a user's e-mail, or a service principal's application id (a UUID). */
export function creatorType(createdBy: string | null): CreatorType | null {
  if (!createdBy) return null;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(createdBy)) return 'SERVICE';
  return createdBy.includes('@') ? 'USER' : null;
}

/** An int64 the HTTP client kept as digits (past 2^53) or a number JSON could hold: its digits. */
export function int64Digits(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value) && !/^0+$/.test(value)) return value;
  return null;
}

/** The aliases pointing at each version number, from a registered model's `aliases`. */
export function aliasesByVersion(aliases: readonly RegisteredModelAlias[] | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const alias of aliases ?? []) {
    if (!alias.alias_name || alias.version_num === undefined) continue;
    const key = String(alias.version_num);
    out.set(key, [...(out.get(key) ?? []), alias.alias_name].sort());
  }
  return out;
}

/**
 * A model version. Unity Catalog has no stages (aliases took their place) and records no
 * approval, so `stage` and `approval` are null; the MLflow run that produced the version is
 * `runId`, in the workspace `run_workspace_id`, mapped to the configured MLflow source that
 * reads it. `aliases` come from the registered model (listings of versions carry none).
 */
export function mapModelVersion(
  dto: ModelVersionInfo,
  ctx: UnityCatalogMapContext,
  aliases: readonly string[] = [],
  /** The full name the versions were asked for: every response field is optional. */
  modelId?: string,
): CloudModelVersion {
  const p = parts({ full_name: modelId, ...definedOnly(dto) });
  const version = dto.version === undefined || dto.version === null ? '' : String(dto.version);
  const status = nonBlank(dto.status);
  const createdBy = nonBlank(dto.created_by);
  const runId = nonBlank(dto.run_id);
  const runWorkspaceId = int64Digits(dto.run_workspace_id);
  return {
    id: `${sourceName('UNITY_CATALOG', ctx.instance)}/${p.fullName}/${version}`,
    source: ref(ctx, `${p.fullName}/${version}`, explorerUrl(ctx, p, version)),
    modelName: p.fullName,
    version,
    stage: null,
    aliases: [...aliases],
    status: (status ? STATUS[status] : undefined) ?? 'UNKNOWN',
    statusRaw: status,
    // Unity Catalog states no reason for a failed registration.
    statusMessage: null,
    description: nonBlank(dto.comment),
    artifactUri: dto.source ? stripUrlCredentials(dto.source) : nonBlank(dto.storage_location),
    runId,
    createdBy,
    createdByType: creatorType(createdBy),
    createdAt: isoFromMillis(dto.created_at),
    updatedAt: isoFromMillis(dto.updated_at),
    tags: [],
    approval: null,
    details: {
      kind: 'UNITY_CATALOG',
      fullName: p.fullName,
      catalogName: p.catalog,
      schemaName: p.schema,
      versionId: nonBlank(dto.id),
      metastoreId: nonBlank(dto.metastore_id),
      status,
      runId,
      runWorkspaceId,
      runMlflowInstance: runId && runWorkspaceId ? (ctx.runWorkspaces.get(runWorkspaceId) ?? null) : null,
      storageLocation: nonBlank(dto.storage_location),
    },
  };
}

/** Newest first, by version number. */
export function compareVersionsNewestFirst(a: CloudModelVersion, b: CloudModelVersion): number {
  return Number(b.version) - Number(a.version) || b.version.localeCompare(a.version);
}

import { ModelgraphError } from '../core/errors';
import { isoFromMillis, type KeyValue, type ModelVersion, type ModelVersionStatus } from '../core/graph';
import type { SourceRef } from '../core/source';
import { stripUrlCredentials } from '../core/urls';
import {
  MLFLOW_TAGS,
  type MlflowExperiment,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
  type MlflowRun,
  type MlflowTag,
} from './types';

/** Pure mapping from MLflow DTOs to graph objects: no I/O, no clock, no config lookups. */

/** What the mapping needs to know about the instance an object came from. */
export interface MlflowMapContext {
  instance: string;
  /** Base URL of the MLflow UI, without a trailing slash. */
  uiUrl: string;
}

export interface Experiment {
  id: string;
  experimentId: string;
  source: SourceRef;
  name: string;
  artifactLocation: string | null;
  lifecycleStage: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  tags: KeyValue[];
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED' | 'UNKNOWN';

export interface Metric {
  key: string;
  value: number;
  timestamp: string | null;
  step: number;
}

/** The code a run was trained from, as MLflow records it in `mlflow.source.git.*` tags. */
export interface GitSource {
  repoUrl: string;
  commit: string | null;
  branch: string | null;
  /** The entry point's path in the repository, when the run was a job started from a file there. */
  path: string | null;
}

export interface Run {
  id: string;
  runId: string;
  source: SourceRef;
  name: string | null;
  experimentId: string | null;
  status: RunStatus;
  startTime: string | null;
  endTime: string | null;
  /** `mlflow.user` tag, falling back to the deprecated `user_id` field. */
  user: string | null;
  artifactUri: string | null;
  lifecycleStage: string | null;
  metrics: Metric[];
  params: KeyValue[];
  tags: KeyValue[];
  git: GitSource | null;
}

export interface ModelAlias {
  alias: string;
  version: string;
}

export interface RegisteredModel {
  id: string;
  source: SourceRef;
  name: string;
  description: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  tags: KeyValue[];
  aliases: ModelAlias[];
  /** Latest READY version per stage, as the registry reports it. */
  latestVersions: ModelVersion[];
}

/** Tags and params, with any credentials embedded in URL values removed. */
export function mapTags(tags: MlflowTag[] | undefined): KeyValue[] {
  return (tags ?? [])
    .filter((tag): tag is { key: string; value?: string } => typeof tag.key === 'string')
    .map((tag) => ({ key: tag.key, value: stripUrlCredentials(tag.value ?? '') }));
}

function tagValue(tags: MlflowTag[] | undefined, key: string): string | null {
  const found = tags?.find((tag) => tag.key === key)?.value;
  return found === undefined || found === '' ? null : stripUrlCredentials(found);
}

function ref(ctx: MlflowMapContext, nativeId: string, path: string): SourceRef {
  return { kind: 'MLFLOW', instance: ctx.instance, nativeId, url: `${ctx.uiUrl}/#/${path}` };
}

export function mapExperiment(dto: MlflowExperiment, ctx: MlflowMapContext): Experiment {
  const experimentId = dto.experiment_id ?? '';
  return {
    id: `${ctx.instance}/${experimentId}`,
    experimentId,
    source: ref(ctx, experimentId, `experiments/${encodeURIComponent(experimentId)}`),
    name: dto.name ?? '',
    artifactLocation: dto.artifact_location ?? null,
    lifecycleStage: dto.lifecycle_stage ?? null,
    createdAt: isoFromMillis(dto.creation_time),
    updatedAt: isoFromMillis(dto.last_update_time),
    tags: mapTags(dto.tags),
  };
}

const RUN_STATUSES: ReadonlySet<string> = new Set(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

export function mapRun(dto: MlflowRun, ctx: MlflowMapContext): Run {
  const info = dto.info ?? {};
  const data = dto.data ?? {};
  // run_uuid is the pre-1.0 name of run_id; old servers send only it.
  const runId = info.run_id ?? info.run_uuid ?? '';
  const experimentId = info.experiment_id ?? null;
  const repoUrl = tagValue(data.tags, MLFLOW_TAGS.gitRepoUrl);
  const commit = tagValue(data.tags, MLFLOW_TAGS.gitCommit);
  return {
    id: `${ctx.instance}/${runId}`,
    runId,
    source: ref(
      ctx,
      runId,
      `experiments/${encodeURIComponent(experimentId ?? '0')}/runs/${encodeURIComponent(runId)}`,
    ),
    name: info.run_name ?? tagValue(data.tags, MLFLOW_TAGS.runName),
    experimentId,
    status: info.status && RUN_STATUSES.has(info.status) ? info.status : 'UNKNOWN',
    startTime: isoFromMillis(info.start_time),
    endTime: isoFromMillis(info.end_time),
    user: tagValue(data.tags, MLFLOW_TAGS.user) ?? (info.user_id || null),
    artifactUri: info.artifact_uri ?? null,
    lifecycleStage: info.lifecycle_stage ?? null,
    metrics: (data.metrics ?? [])
      .filter((m) => typeof m.key === 'string')
      .map((m) => ({
        key: m.key as string,
        // proto3 JSON renders NaN and infinities as strings; GraphQL Float cannot carry them.
        value: typeof m.value === 'number' ? m.value : Number.NaN,
        timestamp: isoFromMillis(m.timestamp),
        step: m.step ?? 0,
      }))
      .filter((m) => Number.isFinite(m.value)),
    params: mapTags(data.params),
    tags: mapTags(data.tags),
    // A commit without a repository tells nobody where to look, so both or nothing
    // (but a repository without a commit is still worth showing).
    git: repoUrl
      ? { repoUrl, commit, branch: tagValue(data.tags, MLFLOW_TAGS.gitBranch), path: repositoryPath(data.tags) }
      : null,
  };
}

/**
 * `mlflow.source.name` of a JOB run is the entry point as the job ran it, relative to the
 * repository (`models/ltv/train.py`); notebooks and absolute paths say nothing about it.
 */
function repositoryPath(tags: MlflowTag[] | undefined): string | null {
  const name = tagValue(tags, MLFLOW_TAGS.sourceName);
  if (!name || tagValue(tags, MLFLOW_TAGS.sourceType) !== 'JOB') return null;
  if (name.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(name)) return null;
  return name.replace(/^\.\//, '');
}

const VERSION_STATUS: Record<string, ModelVersionStatus> = {
  READY: 'READY',
  PENDING_REGISTRATION: 'PENDING',
  FAILED_REGISTRATION: 'FAILED',
};

export function mapModelVersion(dto: MlflowModelVersion, ctx: MlflowMapContext): ModelVersion {
  const name = dto.name ?? '';
  const version = dto.version ?? '';
  const stage = dto.current_stage && dto.current_stage !== 'None' ? dto.current_stage : null;
  return {
    id: `${ctx.instance}/${name}/${version}`,
    source: ref(ctx, `${name}/${version}`, `models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`),
    modelName: name,
    version,
    stage,
    aliases: dto.aliases ?? [],
    status: (dto.status && VERSION_STATUS[dto.status]) || 'UNKNOWN',
    statusRaw: dto.status ?? null,
    statusMessage: dto.status_message || null,
    description: dto.description || null,
    artifactUri: dto.source ?? null,
    runId: dto.run_id || null,
    createdBy: dto.user_id || null,
    createdAt: isoFromMillis(dto.creation_timestamp),
    updatedAt: isoFromMillis(dto.last_updated_timestamp),
    tags: mapTags(dto.tags),
  };
}

export function mapRegisteredModel(dto: MlflowRegisteredModel, ctx: MlflowMapContext): RegisteredModel {
  const name = dto.name ?? '';
  return {
    id: `${ctx.instance}/${name}`,
    source: ref(ctx, name, `models/${encodeURIComponent(name)}`),
    name,
    description: dto.description || null,
    createdAt: isoFromMillis(dto.creation_timestamp),
    updatedAt: isoFromMillis(dto.last_updated_timestamp),
    tags: mapTags(dto.tags),
    aliases: (dto.aliases ?? [])
      .filter((a): a is { alias: string; version: string } => Boolean(a.alias && a.version))
      .map((a) => ({ alias: a.alias, version: a.version })),
    latestVersions: (dto.latest_versions ?? []).map((v) => mapModelVersion(v, ctx)),
  };
}

/**
 * Quotes a value for an MLflow filter string. MLflow strips the outer quotes and does not
 * unescape anything inside (`SearchUtils._strip_quotes`), so a value holding a single quote
 * goes in double quotes instead; one holding both cannot be expressed, and is refused.
 */
export function quoteFilterValue(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new ModelgraphError('MLFLOW_FILTER_UNQUOTABLE', `cannot express ${JSON.stringify(value)} in an MLflow filter: it holds both quote characters`);
}

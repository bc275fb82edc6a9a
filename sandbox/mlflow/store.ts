/**
 * One MLflow tracking server's data, built from a DemoOrg, answering as MLflow's SQLAlchemy
 * stores do (`mlflow/store/tracking/sqlalchemy_store.py`,
 * `mlflow/store/model_registry/sqlalchemy_store.py`): same ordering, paging, validation and
 * messages, and the same gaps, e.g. `model-versions/search` returns no `aliases` (mlflow#9783)
 * and `latest_versions` is the newest version per stage whatever its status.
 *
 * DTOs are built once; indexes by name and run id keep `name = '…'` and `run_id IN (…)`
 * searches over 10,000 models and 40,000+ versions from scanning everything.
 */
import type {
  GetExperimentResponse,
  GetLatestVersionsResponse,
  GetModelVersionByAliasResponse,
  GetRegisteredModelResponse,
  GetRunResponse,
  MlflowExperiment,
  MlflowMetric,
  MlflowModelVersion,
  MlflowRegisteredModel,
  MlflowRun,
  MlflowTag,
  MlflowViewType,
  SearchExperimentsResponse,
  SearchModelVersionsResponse,
  SearchRegisteredModelsResponse,
  SearchRunsResponse,
} from '../../connectors/mlflow/types';
import { MLFLOW_TAGS } from '../../connectors/mlflow/types';
import {
  DEMO_EPOCH_MS,
  mlflowArtifactRoot,
  mlflowRunArtifactUri,
  type DemoExperiment,
  type DemoModelVersion,
  type DemoOrg,
  type DemoRegistration,
  type DemoRun,
} from '../demo-org';
import { invalidParameter, MlflowError, notFound } from './errors';
import {
  matchesClause,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  type Clause,
  type OrderTerm,
} from './filter';

export interface SearchArgs {
  filter?: string;
  /** Already defaulted by the handler layer, as MLflow's proto defaults do. */
  maxResults: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface GetModelVersionResponse {
  model_version?: MlflowModelVersion;
}

export interface GetModelVersionDownloadUriResponse {
  artifact_uri?: string;
}

export interface MlflowStore {
  readonly instance: string;
  searchExperiments(args: SearchArgs & { viewType: MlflowViewType }): SearchExperimentsResponse;
  getExperiment(experimentId: string): GetExperimentResponse;
  getExperimentByName(name: string): GetExperimentResponse;
  searchRuns(args: SearchArgs & { experimentIds: string[]; runViewType: MlflowViewType }): SearchRunsResponse;
  getRun(runId: string): GetRunResponse;
  searchRegisteredModels(args: SearchArgs): SearchRegisteredModelsResponse;
  getRegisteredModel(name: string): GetRegisteredModelResponse;
  getLatestVersions(name: string, stages: string[]): GetLatestVersionsResponse;
  searchModelVersions(args: SearchArgs): SearchModelVersionsResponse;
  getModelVersion(name: string, version: string): GetModelVersionResponse;
  getModelVersionByAlias(name: string, alias: string): GetModelVersionByAliasResponse;
  getModelVersionDownloadUri(name: string, version: string): GetModelVersionDownloadUriResponse;
}

/** MLflow's own thresholds (SEARCH_MAX_RESULTS_THRESHOLD and the registry's). */
export const MLFLOW_MAX_RESULTS = {
  experiments: 50_000,
  runs: 50_000,
  registeredModels: 1_000,
  modelVersions: 200_000,
} as const;

// ---- page tokens ----------------------------------------------------------------------------

/** `SearchUtils.create_page_token`: base64 of Python's `json.dumps({"offset": n})`. */
export function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

/** `SearchUtils.parse_start_offset_from_page_token`, messages included. */
export function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  const alphabet = token.replace(/[^A-Za-z0-9+/=]/g, '');
  if (alphabet.length % 4 !== 0 || /=[^=]/.test(alphabet)) {
    throw invalidParameter('Invalid page token, could not base64-decode');
  }
  const decoded = Buffer.from(alphabet, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=b'${decoded}'`);
  }
  const offset = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>).offset : undefined;
  if (!offset) throw invalidParameter(`Invalid page token, parsed value=${pyValueRepr(parsed)}`);
  const n = typeof offset === 'number' ? Math.trunc(offset) : typeof offset === 'string' && /^\s*-?\d+\s*$/.test(offset) ? Number(offset) : NaN;
  if (!Number.isFinite(n)) throw invalidParameter(`Invalid page token, not stringable ${String(offset)}`);
  return n;
}

function pyValueRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(pyValueRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `'${k}': ${pyValueRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

function page<T, R>(items: readonly T[], args: SearchArgs, render: (item: T) => R): { items: R[]; nextPageToken?: string } {
  const offset = decodePageToken(args.pageToken);
  const end = offset + args.maxResults;
  const out = items.slice(Math.max(0, offset), end).map(render);
  return end < items.length ? { items: out, nextPageToken: encodePageToken(end) } : { items: out };
}

function checkPositive(maxResults: number): void {
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`);
  }
}

// ---- records --------------------------------------------------------------------------------

interface ExperimentRecord {
  id: string;
  idNum: number;
  name: string;
  lifecycleStage: string;
  creationTime: number;
  lastUpdateTime: number;
  tags: Map<string, string>;
  dto: MlflowExperiment;
}

interface RunRecord {
  id: string;
  experimentId: string;
  lifecycleStage: string;
  startTime: number;
  attributes: Record<string, string | number | undefined>;
  metrics: Map<string, number>;
  params: Map<string, string>;
  tags: Map<string, string>;
  dto: MlflowRun;
}

interface VersionRecord {
  name: string;
  version: number;
  creationTime: number;
  lastUpdatedTime: number;
  runId: string;
  source: string;
  stage: string;
  status: string;
  tags: Map<string, string>;
  /** As search and latest_versions render it: no aliases, like the SQL store. */
  dto: MlflowModelVersion;
  aliases: string[];
}

interface ModelRecord {
  name: string;
  creationTime: number;
  lastUpdatedTime: number;
  tags: Map<string, string>;
  versions: VersionRecord[];
  aliases: Map<string, number>;
  dto: MlflowRegisteredModel;
}

function tagList(tags: Record<string, string> | Map<string, string>): MlflowTag[] | undefined {
  const entries = tags instanceof Map ? [...tags] : Object.entries(tags);
  return entries.length > 0 ? entries.map(([key, value]) => ({ key, value })) : undefined;
}

/** Builds the proto-JSON object with unset fields left out, in proto field order. */
function compact<T extends object>(fields: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as T;
}

const DEFAULT_EXPERIMENT_CREATED = DEMO_EPOCH_MS - 30 * 24 * 3600_000;

function experimentRecord(e: DemoExperiment | { id: string; name: string; artifactLocation: string; lifecycleStage: string; creationTime: number; lastUpdateTime: number; tags: Record<string, string> }): ExperimentRecord {
  const dto = compact<MlflowExperiment>({
    experiment_id: e.id,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: tagList(e.tags),
  });
  return {
    id: e.id,
    idNum: Number(e.id),
    name: e.name,
    lifecycleStage: e.lifecycleStage,
    creationTime: e.creationTime,
    lastUpdateTime: e.lastUpdateTime,
    tags: new Map(Object.entries(e.tags)),
    dto,
  };
}

function runRecord(run: DemoRun): RunRecord {
  const tags = new Map<string, string>();
  tags.set(MLFLOW_TAGS.user, run.userId);
  tags.set(MLFLOW_TAGS.runName, run.name);
  tags.set(MLFLOW_TAGS.sourceName, run.sourceName);
  tags.set(MLFLOW_TAGS.sourceType, run.sourceType);
  if (run.git) {
    tags.set(MLFLOW_TAGS.gitCommit, run.git.commit);
    tags.set(MLFLOW_TAGS.gitRepoUrl, run.git.repoUrl);
    tags.set(MLFLOW_TAGS.gitBranch, run.git.branch);
  }
  const artifactUri = mlflowRunArtifactUri(run);
  const metrics: MlflowMetric[] = run.metrics.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step }));
  const params = Object.entries(run.params).map(([key, value]) => ({ key, value }));
  // RunInfo fields in proto field-number order, as MessageToJson writes them.
  const info = compact({
    run_uuid: run.id,
    experiment_id: run.experimentId,
    run_name: run.name,
    user_id: run.userId,
    status: run.status,
    start_time: run.startTime,
    end_time: run.endTime,
    artifact_uri: artifactUri,
    lifecycle_stage: run.lifecycleStage,
    run_id: run.id,
  });
  const dto: MlflowRun & { inputs: Record<string, never> } = {
    info,
    data: compact({ metrics, params, tags: tagList(tags) }),
    // Run.to_proto always sets an (empty) RunInputs, so the real server sends `"inputs": {}`.
    inputs: {},
  };
  return {
    id: run.id,
    experimentId: run.experimentId,
    lifecycleStage: run.lifecycleStage,
    startTime: run.startTime,
    attributes: {
      run_id: run.id,
      run_name: run.name,
      status: run.status,
      user_id: run.userId,
      artifact_uri: artifactUri,
      start_time: run.startTime,
      end_time: run.endTime,
      experiment_id: Number(run.experimentId),
    },
    metrics: new Map(run.metrics.map((m) => [m.key, m.value])),
    params: new Map(Object.entries(run.params)),
    tags,
    dto,
  };
}

function versionRecord(name: string, v: DemoModelVersion): VersionRecord {
  const base = {
    name,
    version: String(v.version),
    creation_timestamp: v.creationTime,
    last_updated_timestamp: v.lastUpdatedTime,
    // OSS MLflow's create_model_version takes no user, so user_id is never set on the wire.
    current_stage: v.stage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    status_message: v.statusMessage,
    tags: tagList(v.tags),
  };
  return {
    name,
    version: v.version,
    creationTime: v.creationTime,
    lastUpdatedTime: v.lastUpdatedTime,
    runId: v.runId,
    source: v.source,
    stage: v.stage,
    status: v.status,
    tags: new Map(Object.entries(v.tags)),
    dto: compact<MlflowModelVersion>(base),
    aliases: v.aliases,
  };
}

/** As get, get-by-alias and get-latest-versions render a version: with its aliases. */
function withAliases(v: VersionRecord): MlflowModelVersion {
  return v.aliases.length > 0 ? { ...v.dto, aliases: [...v.aliases] } : v.dto;
}

/** `get_model_version_download_uri`: the storage location, which differs from the source for URIs. */
function downloadUri(v: VersionRecord, run: DemoRun | undefined): string {
  if (!run) return v.source;
  // A logged model's storage location under its experiment.
  if (v.source.startsWith('models:/m-')) {
    return `${mlflowArtifactRoot(run.instance)}/${run.experimentId}/models/${v.source.slice('models:/'.length)}/artifacts`;
  }
  if (v.source.startsWith('runs:/')) return `${mlflowRunArtifactUri(run)}/model`;
  return v.source;
}

function modelRecord(reg: DemoRegistration): ModelRecord {
  const versions = reg.versions.map((v) => versionRecord(reg.name, v)).sort((a, b) => a.version - b.version);
  // SqlRegisteredModel.to_mlflow_entity: the highest version per stage, in order of first
  // appearance, with no status filter and no aliases on the versions.
  const latest = new Map<string, VersionRecord>();
  for (const v of versions) {
    const current = latest.get(v.stage);
    if (!current || current.version < v.version) latest.set(v.stage, v);
  }
  const dto = compact<MlflowRegisteredModel>({
    name: reg.name,
    creation_timestamp: reg.creationTime,
    last_updated_timestamp: reg.lastUpdatedTime,
    description: reg.description,
    latest_versions: [...latest.values()].map((v) => v.dto),
    tags: tagList(reg.tags),
    aliases: reg.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
  });
  return {
    name: reg.name,
    creationTime: reg.creationTime,
    lastUpdatedTime: reg.lastUpdatedTime,
    tags: new Map(Object.entries(reg.tags)),
    versions,
    aliases: new Map(reg.aliases.map((a) => [a.alias, a.version])),
    dto,
  };
}

// ---- sorting --------------------------------------------------------------------------------

type SortValue = string | number | undefined;

/** NULLs last in both directions, as MLflow's SQL ordering arranges. */
function compareValues(a: SortValue, b: SortValue, ascending: boolean): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (a === b) return 0;
  const lt = a < b;
  return (lt ? -1 : 1) * (ascending ? 1 : -1);
}

function sortBy<T>(items: T[], keys: Array<{ get: (item: T) => SortValue; ascending: boolean }>): T[] {
  return items.sort((x, y) => {
    for (const k of keys) {
      const c = compareValues(k.get(x), k.get(y), k.ascending);
      if (c !== 0) return c;
    }
    return 0;
  });
}

const STAGES: Record<string, string> = { none: 'None', staging: 'Staging', production: 'Production', archived: 'Archived' };

/** `get_canonical_stage`. */
function canonicalStage(stage: string): string {
  const canonical = STAGES[stage.toLowerCase()];
  if (!canonical) {
    throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of None, Staging, Production, Archived.`);
  }
  return canonical;
}

function lifecycleStages(viewType: MlflowViewType): Set<string> {
  if (viewType === 'DELETED_ONLY') return new Set(['deleted']);
  if (viewType === 'ALL') return new Set(['active', 'deleted']);
  return new Set(['active']);
}

function matchesAll<T>(item: T, clauses: Clause[], value: (item: T, clause: Clause) => string | number | undefined): boolean {
  for (const c of clauses) if (!matchesClause(c, value(item, c))) return false;
  return true;
}

// ---- the store ------------------------------------------------------------------------------

/**
 * The data of one MLflow instance (`prod`, `research`, …) of the org. An instance no model is
 * registered in still has MLflow's Default experiment "0", like a fresh server.
 */
export function createMlflowStore(org: DemoOrg, instance: string): MlflowStore {
  const experiments: ExperimentRecord[] = [
    experimentRecord({
      id: '0',
      name: 'Default',
      artifactLocation: `${mlflowArtifactRoot(instance)}/0`,
      lifecycleStage: 'active',
      creationTime: DEFAULT_EXPERIMENT_CREATED,
      lastUpdateTime: DEFAULT_EXPERIMENT_CREATED,
      tags: {},
    }),
  ];
  // Run records (DTO, lookup maps) are built on first use: a 10,000-model org has ~50,000 runs
  // and most searches touch a few experiments.
  const demoRuns = new Map<string, DemoRun>();
  const runsByExperiment = new Map<string, DemoRun[]>();
  const runRecords = new Map<string, RunRecord>();
  const models: ModelRecord[] = [];

  for (const model of org.models) {
    for (const e of model.experiments) {
      if (e.instance !== instance) continue;
      experiments.push(experimentRecord(e));
      runsByExperiment.set(e.id, e.runs);
      for (const r of e.runs) demoRuns.set(r.id, r);
    }
    for (const reg of model.registrations) if (reg.instance === instance) models.push(modelRecord(reg));
  }

  function runById(id: string): RunRecord | undefined {
    let record = runRecords.get(id);
    if (!record) {
      const run = demoRuns.get(id);
      if (!run) return undefined;
      record = runRecord(run);
      runRecords.set(id, record);
    }
    return record;
  }

  const experimentsById = new Map(experiments.map((e) => [e.id, e]));
  const experimentsByName = new Map(experiments.map((e) => [e.name, e]));
  const modelsByName = new Map(models.map((m) => [m.name, m]));
  const versionsByRunId = new Map<string, VersionRecord[]>();
  const allVersions: VersionRecord[] = [];
  for (const m of models) {
    for (const v of m.versions) {
      allVersions.push(v);
      const list = versionsByRunId.get(v.runId);
      if (list) list.push(v);
      else versionsByRunId.set(v.runId, [v]);
    }
  }

  // The default orders, computed once; a filter keeps their relative order.
  const modelsByNameAsc = sortBy(models.slice(), [{ get: (m) => m.name, ascending: true }]);
  const defaultVersionOrder = parseModelVersionOrderBy(['last_updated_timestamp DESC', 'name ASC', 'version_number DESC']);
  let versionsDefault: VersionRecord[] | undefined;
  const experimentsDefault = sortExperiments(experiments.slice(), []);

  function sortExperiments(items: ExperimentRecord[], terms: OrderTerm[]): ExperimentRecord[] {
    const effective = terms.length > 0 ? terms : parseExperimentOrderBy(['creation_time DESC', 'experiment_id ASC']);
    const keys = effective.map((t) => ({ get: (e: ExperimentRecord): SortValue => experimentValue(e, t.key), ascending: t.ascending }));
    if (!effective.some((t) => t.key === 'experiment_id')) keys.push({ get: (e) => e.idNum, ascending: false });
    return sortBy(items, keys);
  }

  function experimentValue(e: ExperimentRecord, key: string): SortValue {
    switch (key) {
      case 'experiment_id':
        return e.idNum;
      case 'name':
        return e.name;
      case 'creation_time':
        return e.creationTime;
      case 'last_update_time':
        return e.lastUpdateTime;
      default:
        return undefined;
    }
  }

  function sortVersions(items: VersionRecord[], terms: OrderTerm[]): VersionRecord[] {
    const keys = terms.map((t) => ({ get: (v: VersionRecord): SortValue => versionValue(v, t.key), ascending: t.ascending }));
    if (!terms.some((t) => t.key === 'name')) keys.push({ get: (v) => v.name, ascending: true });
    if (!terms.some((t) => t.key === 'version_number')) keys.push({ get: (v) => v.version, ascending: false });
    return sortBy(items, keys);
  }

  function versionValue(v: VersionRecord, key: string): SortValue {
    switch (key) {
      case 'name':
        return v.name;
      case 'version_number':
        return v.version;
      case 'run_id':
        return v.runId;
      case 'source_path':
        return v.source;
      case 'creation_timestamp':
        return v.creationTime;
      case 'last_updated_timestamp':
        return v.lastUpdatedTime;
      default:
        return undefined;
    }
  }

  function runValue(r: RunRecord, type: string, key: string): SortValue {
    switch (type) {
      case 'metric':
        return r.metrics.get(key);
      case 'param':
        return r.params.get(key);
      case 'tag':
        return r.tags.get(key);
      case 'attribute':
        return r.attributes[key];
      default:
        return undefined;
    }
  }

  function requireModel(name: string): ModelRecord {
    const model = modelsByName.get(name);
    if (!model) throw notFound(`Registered Model with name=${name} not found`);
    return model;
  }

  function requireVersion(name: string, version: string): VersionRecord {
    if (name === '') throw invalidParameter('Registered model name cannot be empty.');
    if (!/^\s*[-+]?\d+\s*$/.test(version)) {
      throw invalidParameter(`Model version must be an integer, got '${version}'`);
    }
    const n = Number(version);
    const found = modelsByName.get(name)?.versions.find((v) => v.version === n);
    if (!found) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    return found;
  }

  return {
    instance,

    searchExperiments(args) {
      checkPositive(args.maxResults);
      if (args.maxResults > MLFLOW_MAX_RESULTS.experiments) {
        throw invalidParameter(
          `Invalid value for max_results. It must be at most ${MLFLOW_MAX_RESULTS.experiments}, but got ${args.maxResults}`,
        );
      }
      const clauses = parseExperimentFilter(args.filter);
      const terms = parseExperimentOrderBy(args.orderBy);
      const stages = lifecycleStages(args.viewType);
      const base = terms.length > 0 ? sortExperiments(experiments.slice(), terms) : experimentsDefault;
      const matching = base.filter(
        (e) =>
          stages.has(e.lifecycleStage) &&
          matchesAll(e, clauses, (item, c) => (c.type === 'tag' ? item.tags.get(c.key) : experimentValue(item, c.key))),
      );
      const { items, nextPageToken } = page(matching, args, (e) => e.dto);
      return compact<SearchExperimentsResponse>({ experiments: items, next_page_token: nextPageToken });
    },

    getExperiment(experimentId) {
      const e = experimentsById.get(experimentId);
      if (!e) throw notFound(`No Experiment with id=${experimentId} exists`);
      return { experiment: e.dto };
    },

    getExperimentByName(name) {
      const e = experimentsByName.get(name);
      if (!e) throw notFound(`Could not find experiment with name '${name}'`);
      return { experiment: e.dto };
    },

    searchRuns(args) {
      checkPositive(args.maxResults);
      if (args.maxResults > MLFLOW_MAX_RESULTS.runs) {
        throw invalidParameter(
          `Invalid value for request parameter max_results. It must be at most ${MLFLOW_MAX_RESULTS.runs}, but got value ${args.maxResults}`,
        );
      }
      const clauses = parseRunFilter(args.filter);
      const terms = parseRunOrderBy(args.orderBy);
      decodePageToken(args.pageToken);
      const stages = lifecycleStages(args.runViewType);

      let candidates: RunRecord[] = [];
      const idClause = clauses.find((c) => c.type === 'attribute' && c.key === 'run_id' && (c.comparator === '=' || c.comparator === 'IN'));
      if (idClause) {
        const ids = Array.isArray(idClause.value) ? idClause.value : [String(idClause.value)];
        const wanted = new Set(args.experimentIds);
        for (const id of new Set(ids)) {
          const r = runById(id);
          if (r && wanted.has(r.experimentId)) candidates.push(r);
        }
      } else {
        for (const id of new Set(args.experimentIds)) {
          for (const run of runsByExperiment.get(id) ?? []) candidates.push(runById(run.id)!);
        }
      }
      candidates = candidates.filter(
        (r) =>
          stages.has(r.lifecycleStage) &&
          matchesAll(r, clauses, (item, c) => (c.type === 'dataset' ? undefined : runValue(item, c.type, c.key))),
      );
      const keys = terms.map((t) => ({ get: (r: RunRecord): SortValue => runValue(r, t.type, t.key), ascending: t.ascending }));
      // SqlAlchemyStore appends start_time DESC and run_uuid ASC unless already ordered by them.
      if (!terms.some((t) => t.type === 'attribute' && t.key === 'start_time')) keys.push({ get: (r) => r.startTime, ascending: false });
      if (!terms.some((t) => t.type === 'attribute' && t.key === 'run_id')) keys.push({ get: (r) => r.id, ascending: true });
      sortBy(candidates, keys);
      const { items, nextPageToken } = page(candidates, args, (r) => r.dto);
      return compact<SearchRunsResponse>({ runs: items, next_page_token: nextPageToken });
    },

    getRun(runId) {
      const r = runById(runId);
      if (!r) throw notFound(`Run with id=${runId} not found`);
      return { run: r.dto };
    },

    searchRegisteredModels(args) {
      if (args.maxResults > MLFLOW_MAX_RESULTS.registeredModels) {
        throw invalidParameter(
          `Invalid value for request parameter max_results. It must be at most ${MLFLOW_MAX_RESULTS.registeredModels}, but got value ${args.maxResults}`,
        );
      }
      checkPositive(args.maxResults);
      const clauses = parseRegisteredModelFilter(args.filter);
      const terms = parseRegisteredModelOrderBy(args.orderBy);
      decodePageToken(args.pageToken);

      const exact = clauses.find((c) => c.type === 'attribute' && c.comparator === '=');
      let candidates: ModelRecord[];
      if (exact) {
        const hit = modelsByName.get(String(exact.value));
        candidates = hit ? [hit] : [];
      } else {
        candidates = modelsByNameAsc;
      }
      let matching = candidates.filter((m) =>
        matchesAll(m, clauses, (item, c) => (c.type === 'tag' ? item.tags.get(c.key) : item.name)),
      );
      if (terms.length > 0) {
        const keys = terms.map((t) => ({
          get: (m: ModelRecord): SortValue => (t.key === 'name' ? m.name : m.lastUpdatedTime),
          ascending: t.ascending,
        }));
        if (!terms.some((t) => t.key === 'name')) keys.push({ get: (m) => m.name, ascending: true });
        matching = sortBy(matching, keys);
      }
      const { items, nextPageToken } = page(matching, args, (m) => m.dto);
      return compact<SearchRegisteredModelsResponse>({ registered_models: items, next_page_token: nextPageToken });
    },

    getRegisteredModel(name) {
      return { registered_model: requireModel(name).dto };
    },

    getLatestVersions(name, stages) {
      const model = requireModel(name);
      const wanted = new Set(stages.length > 0 ? stages.map(canonicalStage) : Object.values(STAGES));
      const latest = new Map<string, VersionRecord>();
      for (const v of model.versions) {
        const current = latest.get(v.stage);
        if (!current || current.version < v.version) latest.set(v.stage, v);
      }
      const out = [...latest.values()].filter((v) => wanted.has(v.stage)).map(withAliases);
      return compact<GetLatestVersionsResponse>({ model_versions: out });
    },

    searchModelVersions(args) {
      checkPositive(args.maxResults);
      if (args.maxResults > MLFLOW_MAX_RESULTS.modelVersions) {
        throw invalidParameter(
          `Invalid value for request parameter max_results. It must be at most ${MLFLOW_MAX_RESULTS.modelVersions}, but got value ${args.maxResults}`,
        );
      }
      const clauses = parseModelVersionFilter(args.filter);
      const terms = parseModelVersionOrderBy(args.orderBy);
      decodePageToken(args.pageToken);

      let candidates: VersionRecord[] | undefined;
      for (const c of clauses) {
        if (c.type !== 'attribute') continue;
        if (c.key === 'name' && c.comparator === '=') {
          candidates = modelsByName.get(String(c.value))?.versions.slice() ?? [];
          break;
        }
        if (c.key === 'run_id' && (c.comparator === '=' || c.comparator === 'IN')) {
          const ids = Array.isArray(c.value) ? c.value : [String(c.value)];
          candidates = [...new Set(ids)].flatMap((id) => versionsByRunId.get(id) ?? []);
          break;
        }
      }
      const fromIndex = candidates !== undefined;
      versionsDefault ??= sortVersions(allVersions.slice(), defaultVersionOrder);
      let matching = (candidates ?? versionsDefault).filter((v) =>
        matchesAll(v, clauses, (item, c) => (c.type === 'tag' ? item.tags.get(c.key) : versionValue(item, c.key))),
      );
      if (terms.length > 0) matching = sortVersions(matching, terms);
      else if (fromIndex) matching = sortVersions(matching, defaultVersionOrder);
      const { items, nextPageToken } = page(matching, args, (v) => v.dto);
      return compact<SearchModelVersionsResponse>({ model_versions: items, next_page_token: nextPageToken });
    },

    getModelVersion(name, version) {
      return { model_version: withAliases(requireVersion(name, version)) };
    },

    getModelVersionByAlias(name, alias) {
      const version = modelsByName.get(name)?.aliases.get(alias);
      // MLflow answers a missing alias (or model) with INVALID_PARAMETER_VALUE, not a 404.
      if (version === undefined) throw new MlflowError('INVALID_PARAMETER_VALUE', `Registered model alias ${alias} not found.`);
      return { model_version: withAliases(requireVersion(name, String(version))) };
    },

    getModelVersionDownloadUri(name, version) {
      const v = requireVersion(name, version);
      return { artifact_uri: downloadUri(v, demoRuns.get(v.runId)) };
    },
  };
}

import { createSourceCaches, createSourceHttpClient, isNotFoundError, nullIfNotFound } from '../core/plumbing';
import type { MlflowInstanceConfig } from './config';
import { SourceCache } from '../core/cache/source-cache';
import type { ConnectorDeps } from '../core/connector';
import { SourceError } from '../core/errors';
import type { ModelVersion } from '../core/graph';
import { HttpClient } from '../core/http-client';
import { silentLogger, type Logger } from '../core/logger';
import { clampPageSize, clampPageSizes, collectTokenPages } from '../core/paginate';
import { sourceName } from '../core/source';
import { stableJson } from '../core/stable-json';
import type { RunSearch, TrackingConnector } from './tracking-connector';
import {
  mapExperiment,
  mapModelVersion,
  mapRegisteredModel,
  mapRun,
  quoteFilterValue,
  type Experiment,
  type MlflowMapContext,
  type RegisteredModel,
  type Run,
} from './map';
import {
  MLFLOW_PAGE_LIMITS,
  type GetExperimentResponse,
  type GetLatestVersionsResponse,
  type GetModelVersionByAliasResponse,
  type GetModelVersionResponse,
  type GetRegisteredModelResponse,
  type GetRunResponse,
  type MlflowErrorBody,
  type SearchExperimentsRequest,
  type SearchExperimentsResponse,
  type SearchModelVersionsResponse,
  type SearchRegisteredModelsResponse,
  type SearchRunsRequest,
  type SearchRunsResponse,
} from './types';
import { MLFLOW_LIMITS } from './limits';

export interface MlflowConnectorDeps extends ConnectorDeps {
  /** Page sizes, clamped to MLflow's documented maxima (tests use small pages). */
  pageSizes?: Partial<Record<keyof typeof MLFLOW_PAGE_LIMITS, number>>;
  /**
   * Up to this many names, a batch of registered models or versions is fetched one name at
   * a time; above it, one paged listing of the whole registry is cheaper (MLflow's filters
   * accept `IN (...)` only for run ids, so names cannot be batched into one search).
   * Default 4.
   */
  perNameLookupLimit?: number;
  /** Run ids per `attributes.run_id IN (...)` search; default 100 keeps the filter short. */
  runIdsPerSearch?: number;
}

/** Default page sizes: MLflow's own defaults, which every backend accepts. */
const DEFAULT_PAGE_SIZES = {
  experiments: 1000,
  runs: 1000,
  registeredModels: 1000,
  modelVersions: 10_000,
} as const;

/**
 * MLflow tracking server and model registry, REST API 2.0 (`service.proto`,
 * `model_registry.proto`). Works against open-source MLflow and Databricks alike.
 */
export class MlflowConnector implements TrackingConnector {
  readonly kind = 'MLFLOW' as const;
  readonly instance: string;
  readonly source: string;

  private readonly ctx: MlflowMapContext;
  /** Requests and runs: many small entries. */
  private readonly cache: SourceCache;
  /**
   * Whole listings: few, large entries, kept apart so that thousands of small ones never
   * push them out of the in-process layer.
   */
  private readonly listings: SourceCache;
  private readonly pageSizes: Record<keyof typeof MLFLOW_PAGE_LIMITS, number>;
  private readonly perNameLookupLimit: number;
  private readonly runIdsPerSearch: number;

  static fromConfig(config: MlflowInstanceConfig, deps: MlflowConnectorDeps): MlflowConnector {
    const source = sourceName('MLFLOW', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const { headers, secrets } = authHeaders(config.auth);
    const http = createSourceHttpClient(config, { ...deps, logger }, {
      source,
      limits: MLFLOW_LIMITS,
      baseURL: `${config.url.replace(/\/+$/, '')}/api/2.0/mlflow`,
      headers,
      secrets,
      parseErrorBody,
    });
    return new MlflowConnector(config, http, { ...deps, logger });
  }

  private constructor(
    config: MlflowInstanceConfig,
    private readonly http: HttpClient,
    deps: MlflowConnectorDeps & { logger: Logger },
  ) {
    this.instance = config.name;
    this.source = http.source;
    this.ctx = { instance: config.name, uiUrl: (config.uiUrl ?? config.url).replace(/\/+$/, '') };
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source));
    this.pageSizes = clampPageSizes(deps.pageSizes, MLFLOW_PAGE_LIMITS, DEFAULT_PAGE_SIZES);
    this.perNameLookupLimit = deps.perNameLookupLimit ?? 4;
    this.runIdsPerSearch = deps.runIdsPerSearch ?? 100;
  }

  /** One registered model, one page: the cheapest authenticated read MLflow has. */
  async health(): Promise<void> {
    await this.http.get<SearchRegisteredModelsResponse>('/registered-models/search', { max_results: 1 }, { route: '/registered-models/search' });
  }

  /** Releases the keep-alive sockets, so the process can exit. */
  close(): void {
    this.http.close();
  }

  // ---- experiments ----------------------------------------------------------------

  /** Every experiment, active and deleted (runs of deleted experiments still back versions). */
  listExperiments(): Promise<Experiment[]> {
    return this.listing('experiments', mapExperiment, async (pageToken) => {
      const body: SearchExperimentsRequest = {
        // Always explicit: MLflow rejects a search without it (mlflow/mlflow#10819).
        max_results: this.pageSizes.experiments,
        view_type: 'ALL',
        ...(pageToken ? { page_token: pageToken } : {}),
      };
      const res = await this.http.post<SearchExperimentsResponse>('/experiments/search', body, { idempotent: true, route: '/experiments/search' });
      return { items: res.experiments ?? [], nextPageToken: res.next_page_token };
    });
  }

  async getExperiment(experimentId: string): Promise<Experiment | null> {
    const res = await nullIfNotFound(
      this.cachedGet<GetExperimentResponse>('/experiments/get', { experiment_id: experimentId }),
      isResourceMissing,
    );
    return res?.experiment ? mapExperiment(res.experiment, this.ctx) : null;
  }

  // ---- runs -----------------------------------------------------------------------

  /** One page of a run search, for callers that page themselves (cursor connections). */
  async searchRuns(search: RunSearch): Promise<{ runs: Run[]; nextPageToken: string | null }> {
    const body: SearchRunsRequest = {
      experiment_ids: search.experimentIds,
      max_results: clampPageSize(search.maxResults, MLFLOW_PAGE_LIMITS.runs, this.pageSizes.runs),
      ...(search.filter ? { filter: search.filter } : {}),
      ...(search.orderBy?.length ? { order_by: search.orderBy } : {}),
      ...(search.pageToken ? { page_token: search.pageToken } : {}),
    };
    const res = await this.cachedPost<SearchRunsResponse>('/runs/search', body);
    return { runs: (res.runs ?? []).map((r) => mapRun(r, this.ctx)), nextPageToken: res.next_page_token ?? null };
  }

  async getRun(runId: string): Promise<Run | null> {
    const res = await nullIfNotFound(this.cachedGet<GetRunResponse>('/runs/get', { run_id: runId }), isResourceMissing);
    return res?.run ? mapRun(res.run, this.ctx) : null;
  }

  /**
   * Many runs in a few searches: `attributes.run_id IN (...)` over every experiment, since
   * SearchRuns needs experiment ids and a model version names only its run. Callers that
   * already listed the experiments pass their ids. Runs are cached one by one, so a later
   * request finds them whichever batch it asks them in.
   */
  async getRunsByIds(runIds: readonly string[], knownExperimentIds?: readonly string[]): Promise<Map<string, Run>> {
    const found = new Map<string, Run>();
    const unique = [...new Set(runIds)].filter(Boolean).sort();
    const cached = await Promise.all(unique.map((id) => this.cache.peek<Run>(`run ${id}`)));
    const missing = unique.filter((id, i) => {
      const run = cached[i];
      if (run) found.set(id, run);
      return !run;
    });
    if (missing.length === 0) return found;
    const experimentIds = [...(knownExperimentIds ?? (await this.listExperiments()).map((e) => e.experimentId))];
    if (experimentIds.length === 0) return found;
    // By id, a run is wanted whatever its lifecycle: a version may come from a deleted run.
    const chunks: string[][] = [];
    for (let i = 0; i < missing.length; i += this.runIdsPerSearch) chunks.push(missing.slice(i, i + this.runIdsPerSearch));
    const pages = await Promise.all(
      chunks.map((chunk) =>
        collectTokenPages(
          async (pageToken) => {
            const res = await this.http.post<SearchRunsResponse>(
              '/runs/search',
              {
                experiment_ids: experimentIds,
                max_results: this.pageSizes.runs,
                run_view_type: 'ALL',
                filter: `attributes.run_id IN (${chunk.map(quoteFilterValue).join(', ')})`,
                ...(pageToken ? { page_token: pageToken } : {}),
              } satisfies SearchRunsRequest,
              { idempotent: true, route: '/runs/search' },
            );
            return { items: (res.runs ?? []).map((r) => mapRun(r, this.ctx)), nextPageToken: res.next_page_token };
          },
          { source: this.source },
        ),
      ),
    );
    for (const run of pages.flat()) {
      found.set(run.runId, run);
      void this.cache.put(`run ${run.runId}`, run);
    }
    return found;
  }

  // ---- registered models ----------------------------------------------------------

  listRegisteredModels(filter?: string): Promise<RegisteredModel[]> {
    return this.listing(`registered-models ${filter ?? ''}`, mapRegisteredModel, async (pageToken) => {
      const res = await this.http.get<SearchRegisteredModelsResponse>('/registered-models/search', {
        max_results: this.pageSizes.registeredModels,
        order_by: ['name ASC'],
        filter,
        page_token: pageToken,
      }, { route: '/registered-models/search' });
      return { items: res.registered_models ?? [], nextPageToken: res.next_page_token };
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | null> {
    const res = await nullIfNotFound(
      this.cachedGet<GetRegisteredModelResponse>('/registered-models/get', { name }),
      isResourceMissing,
    );
    return res?.registered_model ? mapRegisteredModel(res.registered_model, this.ctx) : null;
  }

  async getRegisteredModels(names: readonly string[]): Promise<Map<string, RegisteredModel>> {
    const unique = [...new Set(names)];
    const found = new Map<string, RegisteredModel>();
    if (unique.length <= this.perNameLookupLimit) {
      const models = await Promise.all(unique.map((name) => this.getRegisteredModel(name)));
      models.forEach((m) => m && found.set(m.name, m));
    } else {
      const wanted = new Set(unique);
      for (const m of await this.listRegisteredModels()) if (wanted.has(m.name)) found.set(m.name, m);
    }
    return found;
  }

  // ---- model versions -------------------------------------------------------------

  searchModelVersions(filter?: string): Promise<ModelVersion[]> {
    return this.listing(`model-versions ${filter ?? ''}`, mapModelVersion, async (pageToken) => {
      const res = await this.http.get<SearchModelVersionsResponse>('/model-versions/search', {
        max_results: this.pageSizes.modelVersions,
        filter,
        page_token: pageToken,
      }, { route: '/model-versions/search' });
      return { items: res.model_versions ?? [], nextPageToken: res.next_page_token };
    });
  }

  /** Every version of each named model, newest first; a model with none maps to []. */
  async getModelVersionsForModels(names: readonly string[]): Promise<Map<string, ModelVersion[]>> {
    const unique = [...new Set(names)];
    if (unique.length <= this.perNameLookupLimit) {
      const lists = await Promise.all(unique.map((n) => this.searchModelVersions(`name = ${quoteFilterValue(n)}`)));
      return new Map(unique.map((n, i) => [n, newestFirst(lists[i].filter((v) => v.modelName === n))]));
    }
    const index = byModelName(await this.searchModelVersions());
    return new Map(unique.map((n) => [n, index.get(n) ?? []]));
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion | null> {
    const res = await nullIfNotFound(
      this.cachedGet<GetModelVersionResponse>('/model-versions/get', { name, version }),
      isResourceMissing,
    );
    return res?.model_version ? mapModelVersion(res.model_version, this.ctx) : null;
  }

  /** Latest READY version per stage (all stages, "None" included, when none are named). */
  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[] | null> {
    const res = await nullIfNotFound(
      this.cachedPost<GetLatestVersionsResponse>('/registered-models/get-latest-versions', {
        name,
        ...(stages?.length ? { stages } : {}),
      }),
      isResourceMissing,
    );
    return res ? (res.model_versions ?? []).map((v) => mapModelVersion(v, this.ctx)) : null;
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | null> {
    try {
      const res = await nullIfNotFound(
        this.cachedGet<GetModelVersionByAliasResponse>('/registered-models/alias', { name, alias }),
        isResourceMissing,
      );
      return res?.model_version ? mapModelVersion(res.model_version, this.ctx) : null;
    } catch (err) {
      // Open-source MLflow answers an unknown alias with 400 INVALID_PARAMETER_VALUE
      // ("Registered model alias X not found."), Databricks with RESOURCE_DOES_NOT_EXIST.
      if (
        err instanceof SourceError &&
        err.upstreamCode === 'INVALID_PARAMETER_VALUE' &&
        /alias .* not found/i.test(err.message)
      ) {
        return null;
      }
      throw err;
    }
  }

  // ---- plumbing -------------------------------------------------------------------

  /**
   * A whole paged listing, mapped, under one cache key: readers get graph objects without
   * re-walking pages or re-mapping DTOs, and a listing is never a mix of pages of
   * different ages.
   */
  private async listing<TDto, TGraph>(
    key: string,
    map: (dto: TDto, ctx: MlflowMapContext) => TGraph,
    fetchPage: (pageToken: string | undefined) => Promise<{ items: TDto[]; nextPageToken?: string }>,
  ): Promise<TGraph[]> {
    const load = async () => {
      const dtos = await collectTokenPages(fetchPage, { source: this.source });
      return dtos.map((dto) => map(dto, this.ctx));
    };
    return (await this.listings.getOrLoad(`list ${key}`, load)).value;
  }

  private async cachedGet<T>(path: string, params: Record<string, string | number | string[] | undefined>): Promise<T> {
    const key = `GET ${path} ${stableJson(params)}`;
    return (await this.cache.getOrLoad(key, () => this.http.get<T>(path, params, { route: path }))).value;
  }

  /** MLflow's searches are POSTs but read-only, so they are cached and retried like GETs. */
  private async cachedPost<T>(path: string, body: unknown): Promise<T> {
    const key = `POST ${path} ${stableJson(body)}`;
    return (await this.cache.getOrLoad(key, () => this.http.post<T>(path, body, { idempotent: true, route: path }))).value;
  }
}

/**
 * Not found, and said so by MLflow itself (`RESOURCE_DOES_NOT_EXIST`): a 404 without it
 * is a wrong URL or an endpoint this MLflow does not have, which must not read as "no such
 * model".
 */
function isResourceMissing(err: unknown): boolean {
  return isNotFoundError(err) && err.upstreamCode === 'RESOURCE_DOES_NOT_EXIST';
}

function newestFirst(versions: ModelVersion[]): ModelVersion[] {
  return [...versions].sort((a, b) => Number(b.version) - Number(a.version));
}

/**
 * Versions grouped by model, newest first, computed once per cached listing: the listing
 * array is the same object for as long as the cache keeps it in process.
 */
const versionIndexes = new WeakMap<readonly ModelVersion[], Map<string, ModelVersion[]>>();
function byModelName(versions: readonly ModelVersion[]): Map<string, ModelVersion[]> {
  let index = versionIndexes.get(versions);
  if (!index) {
    index = new Map();
    for (const v of versions) {
      const list = index.get(v.modelName);
      if (list) list.push(v);
      else index.set(v.modelName, [v]);
    }
    for (const [name, list] of index) index.set(name, newestFirst(list));
    versionIndexes.set(versions, index);
  }
  return index;
}

function authHeaders(auth: MlflowInstanceConfig['auth']): { headers: Record<string, string>; secrets: string[] } {
  switch (auth.type) {
    case 'none':
      return { headers: {}, secrets: [] };
    case 'basic': {
      const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      return { headers: { Authorization: `Basic ${encoded}` }, secrets: [auth.password, encoded] };
    }
    case 'bearer':
      return { headers: { Authorization: `Bearer ${auth.token}` }, secrets: [auth.token] };
  }
}

/** `{error_code, message}`; MLflow's basic-auth layer answers 401 in plain text instead. */
export function parseErrorBody(_status: number, body: unknown): { upstreamCode?: string; message?: string } {
  if (body && typeof body === 'object') {
    const { error_code, message } = body as MlflowErrorBody;
    return { upstreamCode: error_code, message };
  }
  if (typeof body === 'string' && body.trim()) return { message: body.trim().slice(0, 300) };
  return {};
}

import type { SourceCache } from '../core/cache/source-cache';
import type { Connector, ConnectorDeps } from '../core/connector';
import { SourceError, SourceErrorCode } from '../core/errors';
import { isRememberedFailure } from '../core/failure-memo';
import type { ClassifiableResponse, HttpClient, HttpRequest, ResponseClassification } from '../core/http-client';
import { silentLogger, type Logger } from '../core/logger';
import { clampPageSizes, collectTokenPages } from '../core/paginate';
import { createSourceCaches, createSourceHttpClient, isNotFoundError, loadEach } from '../core/plumbing';
import { sourceName } from '../core/source';
import type { CloudModel, CloudModelVersion, Deployment, RegistryConnector } from '../registry/types';
import type { UnityCatalogInstanceConfig } from './config';
import { aliasesByVersion, compareVersionsNewestFirst, mapModelVersion, mapRegisteredModel, nativeModelId, type UnityCatalogMapContext } from './map';
import { ClientCredentialsTokenSource, staticToken, type BearerTokenSource } from './oauth';
import {
  UC_API_PREFIX,
  UC_PAGE_SIZE,
  type DatabricksErrorBody,
  type ListModelVersionsResponse,
  type ListRegisteredModelsResponse,
  type ListSchemasResponse,
  type RegisteredModelInfo,
} from './types';
import { UNITY_CATALOG_LIMITS } from './limits';

export interface UnityCatalogConnectorDeps extends ConnectorDeps {
  /** `max_results` per listing, clamped to the reference's maxima (tests use small pages). Default: the maxima. */
  pageSize?: Partial<Record<keyof typeof UC_PAGE_SIZE, number>>;
}

type Params = Record<string, string | number | boolean | undefined>;

/**
 * Databricks Unity Catalog (REST API 2.1, `/api/2.1/unity-catalog/`) as a model registry: the
 * registered models of one metastore (every one the principal may see, or the configured
 * catalogs and schemas), their versions and aliases, read through one workspace's host.
 *
 * Each version names the MLflow run that produced it and the workspace holding that run;
 * `workspaces` maps those to configured MLflow sources, so the graph follows the version to
 * its run and commit. Unity Catalog serves no deployments here (Model Serving endpoints are
 * another API): `listDeployments` is empty and the kind offers no `deploymentTarget`.
 */
export class UnityCatalogConnector implements Connector, RegistryConnector {
  readonly kind = 'UNITY_CATALOG' as const;
  readonly instance: string;
  readonly source: string;

  private readonly ctx: UnityCatalogMapContext;
  private readonly cache: SourceCache;
  private readonly listings: SourceCache;
  private readonly pageSize: Record<keyof typeof UC_PAGE_SIZE, number>;
  private readonly catalogs: readonly string[] | undefined;
  private readonly logger: Logger;

  static fromConfig(config: UnityCatalogInstanceConfig, deps: UnityCatalogConnectorDeps): UnityCatalogConnector {
    const source = sourceName('UNITY_CATALOG', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const auth = config.auth;
    const secrets = auth.type === 'pat' ? [auth.token] : ClientCredentialsTokenSource.secretsOf(auth);
    const http = createSourceHttpClient(config, { ...deps, logger }, {
      source,
      limits: UNITY_CATALOG_LIMITS,
      baseURL: hostOf(config),
      secrets,
      parseErrorBody,
      classifyResponse,
      // Workspace ids are int64s of up to 19 digits: past 2^53 JSON numbers round.
      int64Fields: ['run_workspace_id'],
    });
    const tokens = auth.type === 'pat' ? staticToken(auth.token) : new ClientCredentialsTokenSource(http, auth, deps.clock?.now);
    return new UnityCatalogConnector(config, http, tokens, { ...deps, logger });
  }

  private constructor(
    config: UnityCatalogInstanceConfig,
    private readonly http: HttpClient,
    private readonly tokens: BearerTokenSource,
    deps: UnityCatalogConnectorDeps & { logger: Logger },
  ) {
    this.instance = config.name;
    this.source = http.source;
    this.ctx = {
      instance: config.name,
      host: hostOf(config),
      runWorkspaces: new Map(config.workspaces.map((w) => [w.id.replace(/^0+(?=\d)/, ''), w.mlflow])),
    };
    this.catalogs = config.catalogs;
    this.logger = deps.logger;
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source));
    this.pageSize = clampPageSizes(
      deps.pageSize,
      { models: UC_PAGE_SIZE.models.max, modelsInSchema: UC_PAGE_SIZE.modelsInSchema.max, versions: UC_PAGE_SIZE.versions.max, schemas: UC_PAGE_SIZE.schemas.max },
    );
  }

  /** One model of the metastore: the cheapest authenticated read (and the OAuth token, when used). */
  async health(): Promise<void> {
    await this.get<ListRegisteredModelsResponse>('/models', '/models', { max_results: 1 });
  }

  close(): void {
    this.http.close();
  }

  // ---- models ---------------------------------------------------------------------------------

  /** Every registered model of the metastore (or of the configured catalogs and schemas), all pages. */
  async listModels(): Promise<CloudModel[]> {
    const { value } = await this.listings.getOrLoad('models', async () => {
      const dtos = this.catalogs ? (await Promise.all(this.catalogs.map((c) => this.modelsOf(c)))).flat() : await this.metastoreModels();
      // A catalog listed with one of its schemas would list that schema's models twice.
      const byName = new Map<string, RegisteredModelInfo>();
      for (const dto of dtos) if (dto.full_name) byName.set(nativeModelId(dto.full_name), dto);
      return [...byName.values()].map((dto) => mapRegisteredModel(dto, this.ctx));
    });
    return value;
  }

  /** Models across the metastore: pages of at most 1,000, possibly empty before the last. */
  private metastoreModels(): Promise<RegisteredModelInfo[]> {
    return this.collect('/models', '/models', {}, this.pageSize.models, (res: ListRegisteredModelsResponse) => res.registered_models);
  }

  /**
   * The models of `catalog.schema`, or of every schema of `catalog`: the API lists models by
   * catalog only together with a schema (pages of up to 10,000 there).
   */
  private async modelsOf(entry: string): Promise<RegisteredModelInfo[]> {
    const [catalog, schema] = entry.split('.') as [string, string | undefined];
    if (schema) return this.modelsInSchema(catalog, schema);
    const schemas = (
      await this.collect('/schemas', '/schemas', { catalog_name: catalog }, this.pageSize.schemas, (res: ListSchemasResponse) => res.schemas)
    ).flatMap((s) => (s.name && s.name !== 'information_schema' ? [s.name] : []));
    const lists = await Promise.all(
      schemas.map(async (s) => {
        try {
          return await this.modelsInSchema(catalog, s);
        } catch (err) {
          // As the metastore-wide listing leaves out what the principal may not see, a schema
          // of a configured catalog it may not use is left out, not the whole listing.
          if (!(err instanceof SourceError) || err.code !== SourceErrorCode.SOURCE_FORBIDDEN) throw err;
          this.logger.warn('skipping a schema the principal may not use', { schema: `${catalog}.${s}`, error: err.message });
          return [];
        }
      }),
    );
    return lists.flat();
  }

  private modelsInSchema(catalog: string, schema: string): Promise<RegisteredModelInfo[]> {
    return this.collect('/models', '/models', { catalog_name: catalog, schema_name: schema }, this.pageSize.modelsInSchema, (res: ListRegisteredModelsResponse) => res.registered_models);
  }

  /**
   * Every version of each model (by `CloudModel.source.nativeId`, its full name), newest first,
   * with the aliases pointing at them: the version listing (which carries no aliases) and the
   * model read with `include_aliases`, side by side. A model Unity Catalog does not have maps to [].
   */
  async getVersionsForModels(modelIds: readonly string[]): Promise<Map<string, CloudModelVersion[]>> {
    return loadEach(modelIds, (id) => this.versionsOf(id));
  }

  private async versionsOf(modelId: string): Promise<CloudModelVersion[]> {
    const { value } = await this.cache.getOrLoad(`versions ${modelId}`, async () => {
      const path = `/models/${encodeURIComponent(modelId)}`;
      try {
        const [dtos, model] = await Promise.all([
          this.collect('/models/{full_name}/versions', `${path}/versions`, {}, this.pageSize.versions, (res: ListModelVersionsResponse) => res.model_versions),
          this.get<RegisteredModelInfo>('/models/{full_name}', path, { include_aliases: true }),
        ]);
        const aliases = aliasesByVersion(model?.aliases);
        return dtos
          .map((dto) => mapModelVersion(dto, this.ctx, aliases.get(String(dto.version)) ?? [], modelId))
          .sort(compareVersionsNewestFirst);
      } catch (err) {
        if (isModelMissing(err)) return [];
        throw err;
      }
    });
    return value;
  }

  /** Unity Catalog serves no deployments through this API. */
  async listDeployments(): Promise<Deployment[]> {
    return [];
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /**
   * A GET with the bearer token of the moment. An OAuth token the API refuses (revoked, or
   * expired early) is dropped and the call made once more with a new one.
   */
  private async get<T>(route: string, path: string, params?: Params): Promise<T> {
    const renewable = this.tokens instanceof ClientCredentialsTokenSource;
    const send = async (token: string, credentialsRenewable: boolean) => {
      const req: HttpRequest = {
        method: 'GET',
        path: `${UC_API_PREFIX}${path}`,
        params,
        route: `${UC_API_PREFIX}${route}`,
        headers: { Authorization: `Bearer ${token}` },
        credentialsRenewable,
      };
      return (await this.http.request<T>(req)).data;
    };
    const token = await this.tokens.token();
    try {
      return await send(token, renewable);
    } catch (err) {
      if (!renewable || !isRefusedToken(err)) throw err;
      this.tokens.invalidate(token);
      // Once only: a new token refused too is the source's failure, remembered as such.
      return send(await this.tokens.token(), false);
    }
  }

  /**
   * A `page_token` / `next_page_token` listing followed to its end. Pages may be empty and
   * still carry a token: only its absence ends the listing.
   */
  private collect<R extends { next_page_token?: string }, T>(
    route: string,
    path: string,
    params: Params,
    maxResults: number,
    items: (res: R) => T[] | undefined,
  ): Promise<T[]> {
    return collectTokenPages<T>(
      async (pageToken) => {
        const res = await this.get<R>(route, path, { ...params, max_results: maxResults, page_token: pageToken });
        if (!res || typeof res !== 'object' || Array.isArray(res)) {
          throw new SourceError({ source: this.source, code: SourceErrorCode.SOURCE_BAD_RESPONSE, message: `${route}: the response is not a JSON object` });
        }
        return { items: items(res) ?? [], nextPageToken: res.next_page_token };
      },
      { source: this.source },
    );
  }
}

/**
 * A 404 about the model (`RESOURCE_DOES_NOT_EXIST`, `*_DOES_NOT_EXIST`, `NOT_FOUND`): an
 * answer. `ENDPOINT_NOT_FOUND` (a wrong host or path prefix, a proxy) is a failure: it must not
 * read as "this model has no versions".
 */
function isModelMissing(err: unknown): boolean {
  if (!isNotFoundError(err)) return false;
  const code = err.upstreamCode;
  return code === undefined || code === 'NOT_FOUND' || /_DOES_NOT_EXIST$/.test(code);
}

/**
 * A bearer token the workspace refused just now (see {@link classifyResponse}); not a refusal
 * remembered from earlier in the request, which no new token would change.
 */
function isRefusedToken(err: unknown): boolean {
  return err instanceof SourceError && err.code === SourceErrorCode.SOURCE_UNAUTHENTICATED && !isRememberedFailure(err);
}

/**
 * Some workspaces refuse an expired, revoked or unknown token with 403 "Invalid access token."
 * (and a numeric `error_code` of 403) rather than 401: that is a credential problem, not a
 * missing privilege, so it is SOURCE_UNAUTHENTICATED (an OAuth token is renewed, a PAT's
 * error says to replace it). Everything else follows the client's default rules.
 */
export function classifyResponse(res: ClassifiableResponse): ResponseClassification | undefined {
  if (res.status !== 403) return undefined;
  const message = parseErrorBody(res.status, res.body).message ?? '';
  return /invalid access token|token (has )?expired/i.test(message) ? { retryable: false, code: SourceErrorCode.SOURCE_UNAUTHENTICATED } : undefined;
}

/** The workspace's origin: a URL pasted from the browser (`/?o=<workspace id>`, `/browse`) keeps only scheme and host. */
function hostOf(config: Pick<UnityCatalogInstanceConfig, 'host'>): string {
  return new URL(config.host).origin;
}

/**
 * Databricks' `{"error_code", "message"}` on the REST API, and RFC 6749's
 * `{"error", "error_description"}` from the token endpoint. HTML pages (a proxy, a login
 * page) yield nothing.
 */
export function parseErrorBody(_status: number, body: unknown): { upstreamCode?: string; message?: string } {
  if (typeof body === 'string') {
    const text = body.trim();
    return text && !text.startsWith('<') ? { message: text.slice(0, 300) } : {};
  }
  if (!body || typeof body !== 'object') return {};
  const b = body as Omit<DatabricksErrorBody, 'error_code'> & { error_code?: unknown; error?: unknown; error_description?: unknown };
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  // Some front ends send the HTTP status as a number (`"error_code": 403`).
  const code = typeof b.error_code === 'number' ? String(b.error_code) : text(b.error_code);
  if (code || text(b.message)) return { upstreamCode: code, message: text(b.message) };
  return { upstreamCode: text(b.error), message: text(b.error_description) ?? text(b.error) };
}

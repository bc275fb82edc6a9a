import { GoogleAuth, type GoogleAuthOptions } from 'google-auth-library';
import type { VertexInstanceConfig } from './config';
import type { SourceCache } from '../core/cache/source-cache';
import type { Connector, ConnectorDeps } from '../core/connector';
import { SourceError, SourceErrorCode, redact } from '../core/errors';
import type { ClassifiableResponse, HttpClient, HttpRequest, ResponseClassification } from '../core/http-client';
import { silentLogger, type Logger } from '../core/logger';
import { clampPageSize, collectTokenPages } from '../core/paginate';
import { cachedLookup, createSourceCaches, createSourceHttpClient, isNotFoundError, loadEach } from '../core/plumbing';
import { isRequestLimitError, outsideRequestScope, untilRequestDeadline } from '../core/request-scope';
import { sourceName } from '../core/source';
import type { CloudModel, CloudModelVersion, Deployment, RegistryConnector } from '../registry/types';
import {
  compareVersionIdsDesc,
  mapEndpointDeployments,
  mapModel,
  mapModelVersion,
  parseResourceName,
  type DeployedModelCatalog,
  type VertexMapContext,
} from './map';
import {
  VERTEX_PAGE_SIZE,
  VERTEX_SCOPE,
  type GoogleApiErrorBody,
  type GoogleCloudAiplatformV1Endpoint,
  type GoogleCloudAiplatformV1ListEndpointsResponse,
  type GoogleCloudAiplatformV1ListModelVersionsResponse,
  type GoogleCloudAiplatformV1ListModelsResponse,
  type GoogleCloudAiplatformV1Model,
  type GoogleRpcDetail,
} from './types';
import { VERTEX_AI_LIMITS } from './limits';

/**
 * Where OAuth access tokens come from: google-auth-library's `GoogleAuth` (which caches the
 * token and refreshes it before it expires), or anything shaped like it in tests.
 */
export interface AccessTokenSource {
  getAccessToken(): Promise<string | null | undefined>;
}

/**
 * Application default credentials for Vertex AI: google-auth-library's `GoogleAuth` with the
 * cloud-platform scope. It finds the credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's
 * user credentials, workload identity, the metadata server on Google Cloud) on first use,
 * caches the access token and refreshes it shortly before it expires. `options` are passed
 * on (tests set the HTTP transport).
 */
export function createAdcTokenSource(options: Omit<GoogleAuthOptions, 'scopes'> = {}): GoogleAuth {
  return new GoogleAuth({ ...options, scopes: [VERTEX_SCOPE] });
}

export interface VertexConnectorDeps extends ConnectorDeps {
  /**
   * For `auth: adc`: where tokens come from. Default: {@link createAdcTokenSource}().
   * Unused for `auth: token`.
   */
  tokenSource?: AccessTokenSource;
  /** `pageSize` of every listing, clamped to 1..{@link VERTEX_PAGE_SIZE}.max (tests use small pages). Default 100. */
  pageSize?: number;
  /**
   * Whether `listDeployments` checks each deployed model's version against the registry
   * (one `listVersions` per distinct model, through the cache the versions are read
   * through anyway) so that a deployment of a missing model or version is UNKNOWN rather
   * than IN_SERVICE. Default true.
   */
  verifyDeployedModels?: boolean;
}

type Params = Record<string, string | number | undefined>;

/**
 * Vertex AI (REST v1, `aiplatform.googleapis.com`) as a cloud model registry: the models of
 * one project and location, their versions, and the models deployed on its endpoints.
 *
 * Calls go to the regional host `https://{location}-aiplatform.googleapis.com/v1` (or the
 * configured `endpoint`), as `projects/{project}/locations/{location}/...` with the
 * project id; responses name the project by number, which the mapping folds back to the id.
 */
export class VertexConnector implements Connector, RegistryConnector {
  readonly kind = 'VERTEX_AI' as const;
  readonly instance: string;
  readonly source: string;

  private readonly ctx: VertexMapContext;
  private readonly parent: string;
  /** Single lookups and each model's versions: many small entries. */
  private readonly cache: SourceCache;
  /** The model and deployment listings: few, large entries. */
  private readonly listings: SourceCache;
  private readonly pageSize: number;
  private readonly verifyDeployedModels: boolean;

  static fromConfig(config: VertexInstanceConfig, deps: VertexConnectorDeps): VertexConnector {
    const source = sourceName('VERTEX_AI', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const staticToken = config.auth.type === 'token' ? config.auth.token : undefined;
    const http = createSourceHttpClient(config, { ...deps, logger }, {
      source,
      limits: VERTEX_AI_LIMITS,
      baseURL: `${apiRoot(config)}/v1`,
      // A static token is a fixed header (redacted by the client); ADC tokens are added per request.
      headers: staticToken ? { Authorization: `Bearer ${staticToken}` } : {},
      secrets: staticToken ? [staticToken] : [],
      parseErrorBody,
      classifyResponse,
    });
    const tokens = staticToken ? undefined : (deps.tokenSource ?? createAdcTokenSource());
    return new VertexConnector(config, http, tokens, { ...deps, logger });
  }

  private constructor(
    config: VertexInstanceConfig,
    private readonly http: HttpClient,
    /** Undefined with a static token. */
    private readonly tokens: AccessTokenSource | undefined,
    deps: VertexConnectorDeps & { logger: Logger },
  ) {
    this.instance = config.name;
    this.source = http.source;
    this.ctx = { instance: config.name, project: config.project, location: config.location };
    this.parent = `/projects/${encodeURIComponent(config.project)}/locations/${encodeURIComponent(config.location)}`;
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source));
    this.pageSize = clampPageSize(deps.pageSize, VERTEX_PAGE_SIZE.max, VERTEX_PAGE_SIZE.default);
    this.verifyDeployedModels = deps.verifyDeployedModels ?? true;
  }

  /** One model of one page: the cheapest authenticated read of the project and location. */
  async health(): Promise<void> {
    await this.get<GoogleCloudAiplatformV1ListModelsResponse>('/{parent}/models', `${this.parent}/models`, { pageSize: 1 });
  }

  /** Releases the keep-alive sockets, so the process can exit. */
  close(): void {
    this.http.close();
  }

  // ---- models ---------------------------------------------------------------------------------

  /** Every model of the location (`models.list`: each model's default version), all pages. */
  async listModels(): Promise<CloudModel[]> {
    const { value } = await this.listings.getOrLoad('models', async () => {
      const dtos = await this.collect('/{parent}/models', `${this.parent}/models`, (res: GoogleCloudAiplatformV1ListModelsResponse) => res.models);
      return dtos.map((dto) => mapModel(dto, this.ctx));
    });
    return value;
  }

  /** `models.get`; null when Vertex has no such model. */
  getModel(modelId: string): Promise<CloudModel | null> {
    return this.lookup(`model ${modelId}`, async () => mapModel(await this.get<GoogleCloudAiplatformV1Model>('/{parent}/models/{model}', this.modelPath(modelId)), this.ctx));
  }

  /** `models.get` of `{id}@{version}` (a version id or an alias); null when there is no such model or version. */
  getModelVersion(modelId: string, version: string): Promise<CloudModelVersion | null> {
    return this.lookup(`model ${modelId}@${version}`, async () =>
      // `{model}@{version}` as the documentation spells it: the `@` is part of the name.
      mapModelVersion(await this.get<GoogleCloudAiplatformV1Model>('/{parent}/models/{model}@{version}', `${this.modelPath(modelId)}@${encodeURIComponent(version)}`), this.ctx),
    );
  }

  /**
   * Every version of each model (`models.listVersions`, all pages), newest first. A model
   * Vertex does not have maps to [] (every Vertex model has at least one version). Each
   * model's list is cached on its own, so a later batch finds it whatever else it asks for.
   */
  async getVersionsForModels(modelIds: readonly string[]): Promise<Map<string, CloudModelVersion[]>> {
    // There is no batch listVersions.
    return loadEach(modelIds, (id) => this.versionsOf(id));
  }

  private async versionsOf(modelId: string): Promise<CloudModelVersion[]> {
    // Per model, among the small entries: hundreds of models must not push the big listings out.
    const { value } = await this.cache.getOrLoad(`versions ${modelId}`, async () => {
      try {
        const dtos = await this.collect(
          '/{parent}/models/{model}:listVersions',
          `${this.modelPath(modelId)}:listVersions`,
          (res: GoogleCloudAiplatformV1ListModelVersionsResponse) => res.models,
        );
        return dtos.map((dto) => mapModelVersion(dto, this.ctx)).sort((a, b) => compareVersionIdsDesc(a.version, b.version));
      } catch (err) {
        if (isNotFoundError(err)) return [];
        throw err;
      }
    });
    return value;
  }

  // ---- deployments ----------------------------------------------------------------------------

  /**
   * Every deployed model on every endpoint of the location (`endpoints.list`, all pages),
   * with statuses derived as {@link mapEndpointDeployments} documents.
   */
  async listDeployments(): Promise<Deployment[]> {
    const { value } = await this.listings.getOrLoad('deployments', async () => {
      const endpoints = await this.collect(
        '/{parent}/endpoints',
        `${this.parent}/endpoints`,
        (res: GoogleCloudAiplatformV1ListEndpointsResponse) => res.endpoints,
      );
      const catalog = await this.catalogFor(endpoints);
      return endpoints.flatMap((endpoint) => mapEndpointDeployments(endpoint, this.ctx, catalog));
    });
    return value;
  }

  /** The deployments of one endpoint (`endpoints.get`); null when Vertex has no such endpoint. */
  getEndpointDeployments(endpointId: string): Promise<Deployment[] | null> {
    return this.lookup(`endpoint ${endpointId}`, async () => {
      const endpoint = await this.get<GoogleCloudAiplatformV1Endpoint>('/{parent}/endpoints/{endpoint}', `${this.parent}/endpoints/${encodeURIComponent(endpointId)}`);
      return mapEndpointDeployments(endpoint, this.ctx, await this.catalogFor([endpoint]));
    });
  }

  /**
   * The registry as far as these endpoints need it: the versions of every model of this
   * project and location they deploy. The project's number (which the API answers with)
   * is learnt from the endpoints' own names.
   */
  private async catalogFor(endpoints: readonly GoogleCloudAiplatformV1Endpoint[]): Promise<DeployedModelCatalog | undefined> {
    if (!this.verifyDeployedModels) return undefined;
    const projects = new Set([this.ctx.project]);
    for (const endpoint of endpoints) {
      const name = parseResourceName(endpoint.name);
      if (name) projects.add(name.project);
    }
    const modelIds = new Set<string>();
    for (const endpoint of endpoints) {
      for (const dm of endpoint.deployedModels ?? []) {
        const model = parseResourceName(dm.model);
        if (model && model.location === this.ctx.location && projects.has(model.project)) modelIds.add(model.id);
      }
    }
    const versions = await this.getVersionsForModels([...modelIds].sort());
    return {
      projects,
      versions: (modelId) => {
        const list = versions.get(modelId);
        return list && list.length > 0 ? new Set(list.map((v) => v.version)) : undefined;
      },
    };
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private modelPath(modelId: string): string {
    return `${this.parent}/models/${encodeURIComponent(modelId)}`;
  }

  /** A GET with the access token of the moment: GoogleAuth hands out its cached token until it nears expiry. */
  private async get<T>(route: string, path: string, params?: Params): Promise<T> {
    const req: HttpRequest = { method: 'GET', path, params, route };
    if (this.tokens) req.headers = { Authorization: `Bearer ${await this.accessToken()}` };
    return (await this.http.request<T>(req)).data;
  }

  private async accessToken(): Promise<string> {
    let token: string | null | undefined;
    try {
      // A token fetch is no Vertex API call, and GoogleAuth shares one refresh between
      // requests: not charged to this request, only not waited for past its deadline.
      token = await untilRequestDeadline(this.source, 'waiting for an access token', () =>
        outsideRequestScope(() => this.tokens!.getAccessToken()),
      );
    } catch (err) {
      if (isRequestLimitError(err)) throw err;
      throw new SourceError({
        source: this.source,
        code: SourceErrorCode.SOURCE_UNAUTHENTICATED,
        message: `no access token from application default credentials: ${redact((err as Error)?.message ?? String(err), [])}`,
        cause: err,
      });
    }
    if (!token) {
      throw new SourceError({
        source: this.source,
        code: SourceErrorCode.SOURCE_UNAUTHENTICATED,
        message: 'application default credentials gave no access token',
      });
    }
    return token;
  }

  /** A `pageToken` / `nextPageToken` listing followed to its end. */
  private collect<R extends { nextPageToken?: string }, T>(
    route: string,
    path: string,
    items: (res: R) => T[] | undefined,
  ): Promise<T[]> {
    return collectTokenPages<T>(
      async (pageToken) => {
        const res = await this.get<R>(route, path, { pageSize: this.pageSize, pageToken });
        if (!res || typeof res !== 'object' || Array.isArray(res)) {
          throw new SourceError({
            source: this.source,
            code: SourceErrorCode.SOURCE_BAD_RESPONSE,
            message: `${path.split('/').pop()}: the response is not a JSON object`,
          });
        }
        return { items: items(res) ?? [], nextPageToken: res.nextPageToken };
      },
      { source: this.source },
    );
  }

  /** A single lookup through the cache; a 404 is an answer (null), cached like any other. */
  private lookup<T>(key: string, load: () => Promise<T>): Promise<T | null> {
    return cachedLookup(this.cache, key, load);
  }
}

/** The configured root (trailing `/` and `/v1` dropped), or the location's regional host. */
function apiRoot(config: Pick<VertexInstanceConfig, 'endpoint' | 'location'>): string {
  if (config.endpoint) return config.endpoint.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `https://${config.location}-aiplatform.googleapis.com`;
}

function detailOf(body: GoogleApiErrorBody | undefined, type: string): GoogleRpcDetail | undefined {
  const details = body?.error?.details;
  return Array.isArray(details) ? details.find((d) => typeof d?.['@type'] === 'string' && d['@type'].endsWith(`/google.rpc.${type}`)) : undefined;
}

/** Some Google front ends wrap the body in a one-element array. */
function googleBody(body: unknown): GoogleApiErrorBody | undefined {
  const candidate = Array.isArray(body) ? body[0] : body;
  return candidate && typeof candidate === 'object' ? (candidate as GoogleApiErrorBody) : undefined;
}

/**
 * Google's error body `{"error": {"code", "message", "status", "details"}}`: the canonical
 * status (`RESOURCE_EXHAUSTED`, `PERMISSION_DENIED`, ...) is the upstream code, and the
 * `ErrorInfo` reason (`RATE_LIMIT_EXCEEDED`, `IAM_PERMISSION_DENIED`, ...) is appended to
 * the message. HTML pages (Google's front end on an unknown path, a proxy) yield nothing.
 */
export function parseErrorBody(_status: number, body: unknown): { upstreamCode?: string; message?: string } {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    return trimmed && !trimmed.startsWith('<') ? { message: trimmed.slice(0, 300) } : {};
  }
  const error = googleBody(body)?.error;
  if (!error || typeof error !== 'object') return {};
  const reason = detailOf(googleBody(body), 'ErrorInfo')?.reason;
  const message = typeof error.message === 'string' && error.message.trim() ? error.message.trim() : undefined;
  return {
    upstreamCode: typeof error.status === 'string' && error.status ? error.status : undefined,
    message: message && typeof reason === 'string' && reason ? `${message} [${reason}]` : message,
  };
}

/**
 * Google states how long to wait in a `google.rpc.RetryInfo` detail (`"retryDelay": "30s"`)
 * more often than in `Retry-After`. A 429 or 503 without Retry-After but with RetryInfo
 * waits that long; everything else follows the client's default rules (Retry-After, else a
 * jittered backoff, for 429/502/503/504).
 */
export function classifyResponse(res: ClassifiableResponse, _nowMs: number): ResponseClassification | undefined {
  if ((res.status !== 429 && res.status !== 503) || res.headers['retry-after'] !== undefined) return undefined;
  const delay = detailOf(googleBody(res.body), 'RetryInfo')?.retryDelay;
  const ms = parseDuration(delay);
  return ms === undefined ? undefined : { retryable: true, delayMs: ms };
}

/** A protobuf JSON Duration (`"30s"`, `"1.500s"`) in ms; undefined when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d{1,9})?)s$/.exec(value.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

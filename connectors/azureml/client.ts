import { DefaultAzureCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import type { AzuremlInstanceConfig } from './config';
import type { SourceCache } from '../core/cache/source-cache';
import type { Connector, ConnectorDeps } from '../core/connector';
import { SourceError, SourceErrorCode, redact } from '../core/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../core/http-client';
import { silentLogger, type Logger } from '../core/logger';
import { collectTokenPages } from '../core/paginate';
import { cachedLookup, createSourceCaches, createSourceHttpClient, isNotFoundError, loadEach } from '../core/plumbing';
import { readRateLimitHeaders } from '../core/rate-limit';
import { outsideRequestScope, untilRequestDeadline } from '../core/request-scope';
import { sourceName } from '../core/source';
import type { RateLimitReading } from '../core/source-health';
import type { CloudModel, CloudModelVersion, Deployment, RegistryConnector } from '../registry/types';
import {
  AZUREML_APPROVAL_TAG,
  AZUREML_STUDIO_URL,
  compareVersionsNewestFirst,
  mapModelContainer,
  mapModelVersion,
  mapOnlineDeployment,
  workspaceResourceId,
  type AzuremlMapContext,
} from './map';
import {
  AZUREML_API_VERSION,
  type ArmPaginatedResult,
  type ErrorResponse,
  type ModelContainer,
  type ModelVersion,
  type OnlineDeployment,
  type OnlineEndpoint,
  type Workspace,
} from './types';
import { AZURE_ML_LIMITS } from './limits';

export interface AzuremlConnectorDeps extends ConnectorDeps {
  /**
   * The credential for `auth: default`, e.g. a `ManagedIdentityCredential` with a client id,
   * or a fake in tests. Default: `new DefaultAzureCredential()` (environment, workload
   * identity, managed identity, Azure CLI, ...). Ignored for `auth: token`.
   */
  credential?: TokenCredential;
  /** Root of links into the studio. Default {@link AZUREML_STUDIO_URL}. */
  studioUrl?: string;
  /** The version tag read as an approval. Default {@link AZUREML_APPROVAL_TAG}. */
  approvalTag?: string;
  /** A listing following more `nextLink`s than this fails rather than loop. Default 1000. */
  maxPages?: number;
}

/**
 * A 404 that names the subscription or the resource group (or, see `isConfigurationNotFound`,
 * the workspace) says the configuration is wrong, not that one model or deployment is
 * missing: never turned into "not found".
 */
const CONFIGURATION_NOT_FOUND: ReadonlySet<string> = new Set(['SubscriptionNotFound', 'ResourceGroupNotFound']);

/** Get a new token this long before the current one expires (what the Azure SDK's own pipeline does). */
const TOKEN_REFRESH_MARGIN_MS = 2 * 60_000;

type Params = Record<string, string | number | undefined>;

/**
 * Azure Machine Learning through Azure Resource Manager (`Microsoft.MachineLearningServices`,
 * api-version 2025-09-01): a workspace's model containers and versions, and its online
 * endpoints and deployments, as the cloud-registry graph shapes.
 *
 * Every listing follows `nextLink` (an absolute URL that carries its own continuation
 * token) to the end, and only on the configured endpoint's origin, since the bearer token
 * goes with every request.
 */
export class AzuremlConnector implements Connector, RegistryConnector {
  readonly kind = 'AZURE_ML' as const;
  readonly instance: string;
  readonly source: string;

  private readonly ctx: AzuremlMapContext;
  /** Versions, single lookups: many small entries. */
  private readonly cache: SourceCache;
  /** Whole listings (models, deployments): few, large entries. */
  private readonly listings: SourceCache;
  private readonly origin: string;
  private readonly maxPages: number;

  static fromConfig(config: AzuremlInstanceConfig, deps: AzuremlConnectorDeps): AzuremlConnector {
    const source = sourceName('AZURE_ML', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const endpoint = config.endpoint.replace(/\/+$/, '');
    const origin = new URL(endpoint).origin;
    const staticToken = config.auth.type === 'token' ? config.auth.token : undefined;
    const http = createSourceHttpClient(config, { ...deps, logger }, {
      source,
      limits: AZURE_ML_LIMITS,
      baseURL: `${endpoint}${workspacePath(config)}`,
      headers: staticToken ? { Authorization: `Bearer ${staticToken}` } : {},
      secrets: staticToken ? [staticToken] : [],
      parseErrorBody,
      parseRateLimit,
    });
    const tokens =
      config.auth.type === 'default'
        ? new ArmTokenProvider(
            deps.credential ?? new DefaultAzureCredential(),
            // The Resource Manager audience of this cloud: https://management.azure.com/.default
            `${origin}/.default`,
            source,
            deps.clock?.now ?? Date.now,
          )
        : undefined;
    return new AzuremlConnector(config, http, tokens, origin, { ...deps, logger });
  }

  private constructor(
    config: AzuremlInstanceConfig,
    private readonly http: HttpClient,
    private readonly tokens: ArmTokenProvider | undefined,
    origin: string,
    deps: AzuremlConnectorDeps & { logger: Logger },
  ) {
    this.instance = config.name;
    this.source = http.source;
    this.origin = origin;
    this.maxPages = deps.maxPages ?? 1000;
    this.ctx = {
      instance: config.name,
      subscriptionId: config.subscriptionId,
      resourceGroup: config.resourceGroup,
      workspace: config.workspace,
      studioUrl: (deps.studioUrl ?? AZUREML_STUDIO_URL).replace(/\/+$/, ''),
      approvalTag: deps.approvalTag ?? AZUREML_APPROVAL_TAG,
    };
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source));
  }

  /** `GET` the workspace itself: proves the credentials, the subscription, group and workspace in one cheap read. */
  async health(): Promise<void> {
    await this.get<Workspace>('/', '');
  }

  /** Releases the keep-alive sockets, so the process can exit. */
  close(): void {
    this.http.close();
  }

  /** The workspace's ARM id, the `wsid` of studio links. */
  get workspaceId(): string {
    return workspaceResourceId(this.ctx);
  }

  // ---- models ---------------------------------------------------------------------

  /**
   * Every model container (`GET .../models`), archived ones included (`listViewType=All`):
   * a deployment may still serve a version of an archived model, and a model missing from
   * the inventory would then look unregistered.
   */
  async listModels(): Promise<CloudModel[]> {
    const { value } = await this.listings.getOrLoad('models', async () => {
      const dtos = await this.listAll<ModelContainer>('/models', '/models', { listViewType: 'All' });
      return dtos.map((dto) => mapModelContainer(dto, this.ctx));
    });
    return value;
  }

  /** One container (`GET .../models/{name}`); null when the workspace has none of that name. */
  getModel(name: string): Promise<CloudModel | null> {
    return this.lookup(`model ${name}`, async () => mapModelContainer(await this.get<ModelContainer>('/models/{name}', modelPath(name)), this.ctx));
  }

  /**
   * The versions of each named container, newest first (`GET .../models/{name}/versions`,
   * archived included). Azure ML has no listing across containers, so it is one listing per
   * name, run side by side within the connection limit and cached per name. A name with no
   * container maps to [].
   */
  async getVersionsForModels(modelIds: readonly string[]): Promise<Map<string, CloudModelVersion[]>> {
    return loadEach(modelIds, (name) => this.versionsOf(name));
  }

  /** One version (`GET .../models/{name}/versions/{version}`); null when it does not exist. */
  getModelVersion(name: string, version: string): Promise<CloudModelVersion | null> {
    return this.lookup(`version ${name} ${version}`, async () =>
      mapModelVersion(await this.get<ModelVersion>('/models/{name}/versions/{version}', `${modelPath(name)}/versions/${encodeURIComponent(version)}`), this.ctx, name),
    );
  }

  // ---- deployments ----------------------------------------------------------------

  /**
   * Every deployment of every online endpoint: the endpoints (`GET .../onlineEndpoints`),
   * then each endpoint's deployments (`GET .../onlineEndpoints/{name}/deployments`) side by
   * side, each joined with its endpoint's traffic split. An endpoint deleted between the two
   * calls contributes nothing.
   */
  async listDeployments(): Promise<Deployment[]> {
    const { value } = await this.listings.getOrLoad('deployments', async () => {
      const endpoints = await this.listAll<OnlineEndpoint>('/onlineEndpoints', '/onlineEndpoints');
      const perEndpoint = await Promise.all(
        endpoints.map(async (endpoint) => {
          const name = endpoint.name ?? '';
          const dtos = await this.notFoundAs(this.listAll<OnlineDeployment>('/onlineEndpoints/{name}/deployments', `${endpointPath(name)}/deployments`), []);
          return dtos.map((dto) => mapOnlineDeployment(dto, this.ctx, endpoint));
        }),
      );
      return perEndpoint.flat().sort((a, b) => a.endpointName.localeCompare(b.endpointName) || a.name.localeCompare(b.name));
    });
    return value;
  }

  /** One deployment with its endpoint's traffic; null when the endpoint or the deployment does not exist. */
  getDeployment(endpointName: string, deploymentName: string): Promise<Deployment | null> {
    return this.lookup(`deployment ${endpointName} ${deploymentName}`, async () => {
      const [endpoint, dto] = await Promise.all([
        this.get<OnlineEndpoint>('/onlineEndpoints/{name}', endpointPath(endpointName)),
        this.get<OnlineDeployment>('/onlineEndpoints/{name}/deployments/{deployment}', `${endpointPath(endpointName)}/deployments/${encodeURIComponent(deploymentName)}`),
      ]);
      return mapOnlineDeployment(dto, this.ctx, endpoint);
    });
  }

  // ---- plumbing -------------------------------------------------------------------

  private versionsOf(name: string): Promise<CloudModelVersion[]> {
    return this.cache
      .getOrLoad(`versions ${name}`, async () => {
        const dtos = await this.notFoundAs(this.listAll<ModelVersion>('/models/{name}/versions', `${modelPath(name)}/versions`, { listViewType: 'All' }), []);
        return dtos.map((dto) => mapModelVersion(dto, this.ctx, name)).sort(compareVersionsNewestFirst);
      })
      .then((r) => r.value);
  }

  /** A single lookup through the cache; a 404 is an answer (null), cached like any other. */
  private lookup<T>(key: string, load: () => Promise<T>): Promise<T | null> {
    return cachedLookup(this.cache, key, load, (err) => isNotFoundError(err) && !this.isConfigurationNotFound(err));
  }

  private async notFoundAs<T, F>(pending: Promise<T>, fallback: F): Promise<T | F> {
    try {
      return await pending;
    } catch (err) {
      if (isNotFoundError(err) && !this.isConfigurationNotFound(err)) return fallback;
      throw err;
    }
  }

  /**
   * Whether a 404 is about the configured subscription, resource group or workspace rather
   * than the thing asked for: Resource Manager names the missing parent
   * (`The Resource 'Microsoft.MachineLearningServices/workspaces/<ws>' under resource group ...`).
   */
  private isConfigurationNotFound(err: SourceError): boolean {
    if (CONFIGURATION_NOT_FOUND.has(err.upstreamCode ?? '')) return true;
    return (
      err.upstreamCode === 'ResourceNotFound' &&
      err.message.toLowerCase().includes(`/workspaces/${this.ctx.workspace.toLowerCase()}'`)
    );
  }

  /** GET below the workspace, with the pinned api-version. */
  private async get<T>(route: string, path: string, params: Params = {}): Promise<T> {
    return (await this.send<T>({ method: 'GET', path, route, params: { ...params, 'api-version': AZUREML_API_VERSION } })).data;
  }

  /**
   * Every page of a listing: the first from `path`, the rest from each page's `nextLink`
   * until a page has none. A `nextLink` must be on the configured endpoint's origin (the
   * bearer token is sent with it); one that lacks the api-version gets it added.
   */
  private listAll<T>(route: string, path: string, params: Params = {}): Promise<T[]> {
    return collectTokenPages<T>(
      async (nextLink) => {
        const res = nextLink
          ? await this.send<ArmPaginatedResult<T>>({ method: 'GET', path: nextLink, route })
          : await this.send<ArmPaginatedResult<T>>({ method: 'GET', path, route, params: { ...params, 'api-version': AZUREML_API_VERSION } });
        const page = res.data;
        if (!page || typeof page !== 'object' || (page.value !== undefined && !Array.isArray(page.value))) {
          throw new SourceError({
            source: this.source,
            code: SourceErrorCode.SOURCE_BAD_RESPONSE,
            message: `GET ${path}: expected a page {"value": [...]}, got ${page === undefined ? 'an empty body' : typeof page}`,
            status: res.status,
          });
        }
        return { items: page.value ?? [], nextPageToken: page.nextLink ? this.followable(page.nextLink, path) : undefined };
      },
      { source: this.source, maxPages: this.maxPages },
    );
  }

  private followable(nextLink: string, path: string): string {
    let url: URL;
    try {
      url = new URL(nextLink, `${this.origin}/`);
    } catch {
      throw this.badNextLink(path, 'is not a URL');
    }
    if (url.origin !== this.origin) {
      // URL.origin never includes credentials, so it is safe to name.
      throw this.badNextLink(path, `points to ${url.origin}, not ${this.origin}; not sending the token there`);
    }
    if (!url.searchParams.has('api-version')) url.searchParams.set('api-version', AZUREML_API_VERSION);
    return url.toString();
  }

  private badNextLink(path: string, why: string): SourceError {
    return new SourceError({
      source: this.source,
      code: SourceErrorCode.SOURCE_BAD_RESPONSE,
      message: `GET ${path}: the nextLink ${why}`,
    });
  }

  /** Sends with a fresh bearer token for `auth: default`; a 401 drops the cached token so the next call gets a new one. */
  private async send<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const headers = this.tokens ? { Authorization: `Bearer ${await this.tokens.get()}` } : undefined;
    try {
      return await this.http.request<T>({ ...req, headers });
    } catch (err) {
      if (this.tokens && err instanceof SourceError && err.status === 401) this.tokens.invalidate();
      throw err;
    }
  }
}

function workspacePath(config: Pick<AzuremlInstanceConfig, 'subscriptionId' | 'resourceGroup' | 'workspace'>): string {
  const enc = encodeURIComponent;
  return `/subscriptions/${enc(config.subscriptionId)}/resourceGroups/${enc(config.resourceGroup)}/providers/Microsoft.MachineLearningServices/workspaces/${enc(config.workspace)}`;
}

function modelPath(name: string): string {
  return `/models/${encodeURIComponent(name)}`;
}

function endpointPath(name: string): string {
  return `/onlineEndpoints/${encodeURIComponent(name)}`;
}

/**
 * Tokens for Resource Manager from an `@azure/identity` credential, reused until shortly
 * before they expire, with concurrent requests sharing one refresh. Not every credential in
 * the DefaultAzureCredential chain caches (AzureCliCredential runs `az` per call), and the
 * Azure SDK's own clients keep a token the same way (core-rest-pipeline's token cycler).
 */
export class ArmTokenProvider {
  private current?: AccessToken;
  private pending?: Promise<string>;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    private readonly source: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waited for no longer than the current request's deadline; the fetch itself is charged to no request. */
  get(): Promise<string> {
    const token = this.current;
    if (token && this.now() < refreshAt(token)) return Promise.resolve(token.token);
    // Shared by every request that asks meanwhile, so it belongs to none of them: no
    // deadline of one may abort it, and it is no Resource Manager call to charge.
    this.pending ??= outsideRequestScope(() => this.fetch()).finally(() => {
      this.pending = undefined;
    });
    const pending = this.pending;
    return untilRequestDeadline(this.source, 'waiting for an access token', () => pending);
  }

  /** Forget the current token (it was refused). */
  invalidate(): void {
    this.current = undefined;
  }

  private async fetch(): Promise<string> {
    let token: AccessToken | null;
    try {
      token = await this.credential.getToken(this.scope);
    } catch (err) {
      throw this.failure(err);
    }
    if (!token?.token) throw this.failure(new Error('the credential returned no token'));
    this.current = token;
    return token.token;
  }

  private failure(err: unknown): SourceError {
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    return new SourceError({
      source: this.source,
      code: SourceErrorCode.SOURCE_UNAUTHENTICATED,
      // Credential errors list every credential they tried, line after line: the first line says enough.
      message: `no access token for ${this.scope}: ${name}: ${redact(message.split('\n')[0] ?? '', [])}`,
      cause: err,
    });
  }
}

function refreshAt(token: AccessToken): number {
  const margin = token.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS;
  return token.refreshAfterTimestamp !== undefined ? Math.min(token.refreshAfterTimestamp, margin) : margin;
}

/**
 * Resource Manager states only what is left of the subscription's read budget
 * (`x-ms-ratelimit-remaining-subscription-reads`), never the limit or the reset; every call
 * of this connector is a read.
 */
export function parseRateLimit(headers: Readonly<Record<string, string>>): RateLimitReading | undefined {
  const reading = readRateLimitHeaders(headers, { remaining: 'x-ms-ratelimit-remaining-subscription-reads' }, 'iso');
  return reading && { ...reading, resource: 'subscription-reads' };
}

/**
 * Resource Manager's `ErrorResponse` (`{"error": {"code", "message", "details": [...]}}`),
 * and the bare `{"code", "message"}` some gateways answer with. The ARM code becomes the
 * upstream code; the messages of `details`, when they add anything, follow the message.
 * Anything else (an HTML page from a proxy) yields nothing, so the HTTP status speaks.
 */
export function parseErrorBody(_status: number, body: unknown): { upstreamCode?: string; message?: string } {
  if (typeof body === 'string') {
    const text = body.trim();
    return text && !text.startsWith('<') ? { message: text.slice(0, 300) } : {};
  }
  if (!body || typeof body !== 'object') return {};
  const b = body as ErrorResponse & { code?: unknown; message?: unknown };
  const error = b.error && typeof b.error === 'object' ? b.error : (b as ErrorResponse['error']);
  if (!error) return {};
  const code = typeof error.code === 'string' && error.code.trim() ? error.code.trim() : undefined;
  const message = typeof error.message === 'string' && error.message.trim() ? error.message.trim() : undefined;
  const details = (Array.isArray(error.details) ? error.details : [])
    .map((d) => (d && typeof d.message === 'string' ? `${typeof d.code === 'string' && d.code ? `${d.code}: ` : ''}${d.message.trim()}` : ''))
    .filter((d) => d && d !== message);
  const full = [message, ...details].filter(Boolean).join('; ');
  return { upstreamCode: code, message: full || undefined };
}

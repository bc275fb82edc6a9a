import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  SageMakerClient,
  paginateListEndpoints,
  paginateListModelPackages,
  paginateSearch,
  type SageMakerClientConfig,
} from '@aws-sdk/client-sagemaker';
import type { SagemakerInstanceConfig } from '../../config/schema';
import type { SourceCache } from '../core/cache/source-cache';
import { CircuitBreaker } from '../core/circuit-breaker';
import { Semaphore } from '../core/concurrency';
import type { Connector, ConnectorDeps } from '../core/connector';
import { SourceError, SourceErrorCode, codeForStatus, redact } from '../core/errors';
import { silentLogger, type Logger } from '../core/logger';
import { createSourceCaches } from '../core/plumbing';
import { sourceName } from '../core/source';
import { circuitState } from '../core/source-health';
import type { CloudModel, CloudModelVersion, Deployment, RegistryConnector } from '../registry/types';
import {
  isoDate,
  mapEndpoint,
  mapModelPackage,
  mapModelPackageGroup,
  newestFirst,
  packageDetails,
  type SagemakerMapContext,
} from './map';
import { recordSdkCalls } from './health';
import {
  SAGEMAKER_LIST_TAGS_PAGE_SIZE,
  SAGEMAKER_PAGE_LIMITS,
  type DescribeEndpointConfigOutput,
  type DescribeEndpointOutput,
  type DescribeModelOutput,
  type DescribeModelPackageOutput,
  type EndpointSummary,
  type ModelPackageGroup,
  type ModelPackageSummary,
  type Tag,
} from './types';

export interface SagemakerConnectorDeps extends ConnectorDeps {
  /** Page sizes (`MaxResults`), clamped to the documented maxima (tests use small pages). Default: the maxima. */
  pageSizes?: Partial<Record<keyof typeof SAGEMAKER_PAGE_LIMITS, number>>;
  /** For tests: the jitter source of retry backoff, in [0, 1). Default: `Math.random`. */
  random?: () => number;
}

/** A runaway upstream that keeps answering with a NextToken stops here, as an error. */
const MAX_PAGES = 1000;

/**
 * Amazon SageMaker through the official SDK (`@aws-sdk/client-sagemaker`, AWS JSON 1.1 with
 * SigV4): the model registry's package groups and versioned packages, and the real-time
 * endpoints that serve them.
 *
 * Every SDK call goes through one middleware at the top of the client's stack (so paginator
 * pages too): a concurrency limit, a circuit breaker, and the conversion of whatever the SDK
 * throws into a `SourceError` naming `sagemaker:<instance>`. Retries happen below it, in the
 * SDK's retry middleware, with a strategy that applies the instance's `retry` settings.
 */
export class SagemakerConnector implements Connector, RegistryConnector {
  readonly kind = 'SAGEMAKER' as const;
  readonly instance: string;
  readonly source: string;
  readonly region: string;

  private readonly ctx: SagemakerMapContext;
  /** Single groups (`getModel`): many small entries. */
  private readonly cache: SourceCache;
  /** The group listing, version lists per group, the deployment listing. */
  private readonly listings: SourceCache;
  private readonly pageSizes: Record<keyof typeof SAGEMAKER_PAGE_LIMITS, number>;
  private readonly logger: Logger;

  static fromConfig(config: SagemakerInstanceConfig, deps: SagemakerConnectorDeps): SagemakerConnector {
    const source = sourceName('SAGEMAKER', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const credentials = config.credentials;
    const secrets =
      credentials.type === 'static' ? [credentials.secretAccessKey, ...(credentials.sessionToken ? [credentials.sessionToken] : [])] : [];
    const retry = new SagemakerRetryStrategy({
      ...config.retry,
      sleep: deps.clock?.sleep,
      now: deps.clock?.now,
      random: deps.random,
      logger,
    });
    const agent = { keepAlive: true, maxSockets: config.maxConcurrency };
    const clientConfig: SageMakerClientConfig = {
      region: config.region,
      endpoint: config.endpoint,
      // Undefined: the SDK's default chain (environment, shared files, SSO, web identity,
      // container and instance roles), which also honours `profile`.
      credentials:
        credentials.type === 'static'
          ? {
              accessKeyId: credentials.accessKeyId,
              secretAccessKey: credentials.secretAccessKey,
              ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
            }
          : undefined,
      // `@aws-sdk/credential-providers` (fromIni) is not a dependency; the client's own
      // `profile` option selects the profile for the default chain just the same.
      profile: credentials.type === 'profile' ? credentials.profile : undefined,
      maxAttempts: retry.maxAttempts,
      retryStrategy: retry,
      requestHandler: {
        connectionTimeout: config.timeoutMs,
        requestTimeout: config.timeoutMs,
        // Without it a slow response is only logged, never cut (node-http-handler's default).
        throwOnRequestTimeout: true,
        httpAgent: agent,
        httpsAgent: agent,
      },
    };
    const client = new SageMakerClient(clientConfig);
    const breaker = new CircuitBreaker(source, {
      failureThreshold: config.breaker?.failureThreshold,
      resetAfterMs: config.breaker?.resetSeconds === undefined ? undefined : config.breaker.resetSeconds * 1000,
      now: deps.clock?.now,
    });
    const semaphore = new Semaphore(config.maxConcurrency);
    client.middlewareStack.add(
      (next, context) => (args) =>
        breaker.run(() =>
          semaphore.run(async () => {
            try {
              return await next(args);
            } catch (err) {
              throw toSourceError(err, source, { operation: context.commandName?.replace(/Command$/, ''), secrets });
            }
          }),
        ),
      { step: 'initialize', name: 'modelgraphSourceGuard', priority: 'high' },
    );
    const recorder = deps.health?.recorder('SAGEMAKER', config.name);
    if (recorder) {
      recordSdkCalls(client, {
        recorder,
        guard: 'modelgraphSourceGuard',
        toError: (err, operation) => toSourceError(err, source, { operation, secrets }),
        now: deps.clock?.now,
      });
      recorder.attachCircuit(() => circuitState(breaker.status));
    }
    return new SagemakerConnector(config, client, { ...deps, logger });
  }

  private constructor(
    config: SagemakerInstanceConfig,
    private readonly client: SageMakerClient,
    deps: SagemakerConnectorDeps & { logger: Logger },
  ) {
    this.instance = config.name;
    this.source = sourceName('SAGEMAKER', config.name);
    this.region = config.region;
    this.logger = deps.logger;
    this.ctx = { instance: config.name, region: config.region };
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source, { now: deps.clock?.now }));
    this.pageSizes = Object.fromEntries(
      (Object.keys(SAGEMAKER_PAGE_LIMITS) as (keyof typeof SAGEMAKER_PAGE_LIMITS)[]).map((k) => [
        k,
        Math.max(1, Math.min(Math.floor(deps.pageSizes?.[k] ?? SAGEMAKER_PAGE_LIMITS[k]), SAGEMAKER_PAGE_LIMITS[k])),
      ]),
    ) as Record<keyof typeof SAGEMAKER_PAGE_LIMITS, number>;
  }

  /** `ListEndpoints` with one result: cheap, and proves the credentials and the region. */
  async health(): Promise<void> {
    await this.client.send(new ListEndpointsCommand({ MaxResults: 1 }));
  }

  /** Releases the keep-alive sockets, so the process can exit. */
  close(): void {
    this.client.destroy();
  }

  // ---- models ---------------------------------------------------------------------------

  /**
   * Every model package group of the account and region (not those shared from other
   * accounts), with its tags: one paged `Search` over `ModelPackageGroup` resources, whose
   * records carry `Tags` (ListModelPackageGroups' summaries do not, and a `ListTags` per group
   * would cost one call per group on every refresh). No `SearchExpression`: every group;
   * no `CrossAccountFilterOption`: the default (null) searches this account only. Sorted by
   * name, which is unique, so pages do not shift while they are followed.
   */
  async listModels(): Promise<CloudModel[]> {
    const { value } = await this.listings.getOrLoad('list model-package-groups', async () => {
      const records = await this.collect(
        paginateSearch(this.pages(this.pageSizes.modelPackageGroups), {
          Resource: 'ModelPackageGroup',
          SortBy: 'ModelPackageGroupName',
          SortOrder: 'Ascending',
        }),
        (page) => page.Results,
      );
      return records
        .map((r) => r.ModelPackageGroup)
        .filter((g): g is ModelPackageGroup => !!g)
        .map((g) => mapModelPackageGroup(g, g.Tags ?? [], this.ctx));
    });
    return value;
  }

  /** One group by name (or ARN); null when it does not exist. */
  async getModel(name: string): Promise<CloudModel | null> {
    const { value } = await this.cache.getOrLoad(`model-package-group ${name}`, async () => {
      const group = await this.nullIfMissing(this.client.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name })));
      return group ? mapModelPackageGroup(group, await this.listTags(group.ModelPackageGroupArn), this.ctx) : null;
    });
    return value;
  }

  // ---- versions -------------------------------------------------------------------------

  /** {@link RegistryConnector.getVersionsForModels}: ids are group names; an unknown group maps to []. */
  async getVersionsForModels(modelIds: readonly string[]): Promise<Map<string, CloudModelVersion[]>> {
    const unique = [...new Set(modelIds)];
    const lists = await Promise.all(unique.map((group) => this.getVersions(group)));
    return new Map(unique.map((group, i) => [group, lists[i]!]));
  }

  /**
   * Every versioned package of one group, newest first. The listing gives number, status and
   * approval; `DescribeModelPackage` adds customer metadata, images and creator, and is asked
   * only for packages that are new or changed since the entry held in the cache (a version's
   * containers never change; its approval and status come fresh from the listing anyway).
   */
  async getVersions(group: string): Promise<CloudModelVersion[]> {
    const { value } = await this.listings.getOrRevalidate<CloudModelVersion[]>(`list model-packages ${group}`, async (previous) => {
      let summaries: ModelPackageSummary[];
      try {
        summaries = await this.collect(
          paginateListModelPackages(this.pages(this.pageSizes.modelPackages), {
            ModelPackageGroupName: group,
            // The API's default is Unversioned: registry versions must be asked for.
            ModelPackageType: 'Versioned',
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
          }),
          (page) => page.ModelPackageSummaryList,
        );
      } catch (err) {
        if (isNotFound(err)) return [];
        throw err;
      }
      // A version's native id is its model package ARN.
      const held = new Map((previous?.value ?? []).map((v) => [v.source.nativeId, v]));
      const versions = await Promise.all(
        summaries.map(async (summary) => {
          const kept = held.get(summary.ModelPackageArn ?? '');
          if (kept && unchangedPackage(kept, summary)) return kept;
          const described = await this.describeModelPackage(summary.ModelPackageArn ?? '');
          return mapModelPackage(summary, described && packageDetails(described), this.ctx);
        }),
      );
      return newestFirst(versions);
    });
    return value;
  }

  // ---- deployments ----------------------------------------------------------------------

  /**
   * Every production variant of every endpoint: `ListEndpoints`, then per endpoint
   * `DescribeEndpoint` -> `DescribeEndpointConfig` -> `DescribeModel` per variant model
   * (configurations and models shared by endpoints are asked once per load). An endpoint
   * whose `LastModifiedTime` and status are what the cached entry recorded is taken from it
   * unchanged; weight and capacity updates move `LastModifiedTime`.
   */
  async listDeployments(): Promise<Deployment[]> {
    const { value } = await this.listings.getOrRevalidate<Deployment[]>('list deployments', async (previous) => {
      const endpoints = await this.collect(
        paginateListEndpoints(this.pages(this.pageSizes.endpoints), { SortBy: 'Name', SortOrder: 'Ascending' }),
        (page) => page.Endpoints,
      );
      const held = new Map<string, Deployment[]>();
      for (const d of previous?.value ?? []) held.set(d.endpointName, [...(held.get(d.endpointName) ?? []), d]);
      const configs = new Map<string, Promise<DescribeEndpointConfigOutput | null>>();
      const models = new Map<string, Promise<DescribeModelOutput | null>>();
      const once = <T>(memo: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> => {
        let pending = memo.get(key);
        if (!pending) memo.set(key, (pending = load()));
        return pending;
      };
      const perEndpoint = await Promise.all(
        endpoints.map(async (summary) => {
          const kept = held.get(summary.EndpointName ?? '');
          if (kept && unchangedEndpoint(kept, summary)) return kept;
          const endpoint = await this.describeEndpoint(summary.EndpointName ?? '');
          // Deleted between the listing and now.
          if (!endpoint) return [];
          const configName = endpoint.EndpointConfigName;
          const config = configName ? await once(configs, configName, () => this.describeEndpointConfig(configName)) : null;
          const modelNames = [...new Set((config?.ProductionVariants ?? []).map((v) => v.ModelName).filter((n): n is string => !!n))];
          const described = await Promise.all(modelNames.map((n) => once(models, n, () => this.describeModel(n))));
          return mapEndpoint({ endpoint, config, models: Object.fromEntries(modelNames.map((n, i) => [n, described[i]!])) }, this.ctx);
        }),
      );
      return perEndpoint.flat();
    });
    return value;
  }

  // ---- single calls -----------------------------------------------------------------------

  private describeModelPackage(arn: string): Promise<DescribeModelPackageOutput | null> {
    return this.nullIfMissing(this.client.send(new DescribeModelPackageCommand({ ModelPackageName: arn })));
  }

  private describeEndpoint(name: string): Promise<DescribeEndpointOutput | null> {
    return this.nullIfMissing(this.client.send(new DescribeEndpointCommand({ EndpointName: name })));
  }

  private describeEndpointConfig(name: string): Promise<DescribeEndpointConfigOutput | null> {
    return this.nullIfMissing(this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
  }

  private describeModel(name: string): Promise<DescribeModelOutput | null> {
    return this.nullIfMissing(this.client.send(new DescribeModelCommand({ ModelName: name })));
  }

  /** All tags of a resource (`ListTags` pages, `MaxResults` at its documented minimum of 50). */
  private async listTags(arn: string | undefined): Promise<Tag[]> {
    if (!arn) return [];
    const tags: Tag[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.client.send(
        new ListTagsCommand({ ResourceArn: arn, MaxResults: SAGEMAKER_LIST_TAGS_PAGE_SIZE, ...(token ? { NextToken: token } : {}) }),
      );
      tags.push(...(res.Tags ?? []));
      if (!res.NextToken || res.NextToken === token) return tags;
      token = res.NextToken;
    }
    throw this.tooManyPages('ListTags');
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private pages(pageSize: number): { client: SageMakerClient; pageSize: number; stopOnSameToken: true } {
    return { client: this.client, pageSize, stopOnSameToken: true };
  }

  /** Drains an SDK paginator into one list, refusing to follow more than {@link MAX_PAGES} pages. */
  private async collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
    const out: T[] = [];
    let count = 0;
    for await (const page of pages) {
      if (++count > MAX_PAGES) throw this.tooManyPages('listing');
      out.push(...(items(page) ?? []));
    }
    return out;
  }

  private tooManyPages(what: string): SourceError {
    return new SourceError({
      source: this.source,
      code: SourceErrorCode.SOURCE_BAD_RESPONSE,
      message: `${what}: more than ${MAX_PAGES} pages; refusing to follow further`,
    });
  }

  /** A single lookup of something that does not exist is an answer (null), not a failure. */
  private async nullIfMissing<T>(pending: Promise<T>): Promise<T | null> {
    try {
      return await pending;
    } catch (err) {
      if (isNotFound(err)) {
        this.logger.debug('not found', { error: (err as Error).message });
        return null;
      }
      throw err;
    }
  }
}

function unchangedPackage(kept: CloudModelVersion, summary: ModelPackageSummary): boolean {
  return (
    kept.details.kind === 'SAGEMAKER' &&
    kept.details.modelApprovalStatus === (summary.ModelApprovalStatus ?? null) &&
    kept.details.modelPackageStatus === (summary.ModelPackageStatus ?? null)
  );
}

function unchangedEndpoint(kept: Deployment[], summary: EndpointSummary): boolean {
  const first = kept[0];
  return !!first && first.updatedAt === isoDate(summary.LastModifiedTime) && first.statusRaw === (summary.EndpointStatus ?? null);
}

function isNotFound(err: unknown): boolean {
  return err instanceof SourceError && err.code === SourceErrorCode.SOURCE_NOT_FOUND;
}

// ---- errors ---------------------------------------------------------------------------------

/** Error codes (`__type`, sanitised by the SDK into `name`) that mean the credentials were refused. */
const AUTH_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  // Raised by the SDK itself when no credential provider of the chain has any.
  'CredentialsProviderError',
]);
const FORBIDDEN_ERRORS = new Set(['AccessDeniedException', 'AccessDenied', 'NotAuthorized']);
/** As the SDK's retry middleware classifies throttling (plus the 429 status). */
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ThrottledException',
  'LimitExceededException',
  'SlowDown',
]);
/** SageMaker has no not-found error for most lookups: a ValidationException says so in words. */
const NODE_ERROR_CODE = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/;
const NOT_FOUND_MESSAGE = /\bcould not find\b|\bdoes not exist\b|\bnot found\b/i;

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; attempts?: number; requestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * Whatever the SDK throws, as a `SourceError` naming the source:
 * - `name` is the sanitised `__type` of the AWS JSON error body (`ValidationException`,
 *   `ResourceNotFound`, `ThrottlingException`, ...), `$metadata.httpStatusCode` the status;
 * - `ResourceNotFound`, and a `ValidationException` whose message says "Could not find" or
 *   "does not exist" (how SageMaker answers a Describe* of a missing resource), are
 *   SOURCE_NOT_FOUND; throttling is SOURCE_RATE_LIMITED whatever its status (AWS JSON sends
 *   400); credential errors SOURCE_UNAUTHENTICATED; the rest follow the status;
 * - no status at all means no answer (connection refused or reset, DNS): SOURCE_UNAVAILABLE,
 *   or SOURCE_TIMEOUT for the request handler's `TimeoutError`.
 */
export function toSourceError(
  err: unknown,
  source: string,
  options: { operation?: string; secrets?: readonly string[] } = {},
): SourceError {
  if (err instanceof SourceError) return err;
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as SdkErrorShape;
  const name = e.name && e.name !== 'Error' ? e.name : undefined;
  // The SDK turns what is not an `Error` of its own realm into "AWS SDK error wrapper for
  // <text>", losing the code; the text still names it.
  const netCode = e.code ?? NODE_ERROR_CODE.exec(e.message ?? '')?.[1];
  const status = e.$metadata?.httpStatusCode;
  const answered = status !== undefined && e.$fault !== undefined;
  const vendorMessage = redact((e.message ?? '').replace(/^AWS SDK error wrapper for (Error: )?/, ''), options.secrets ?? []).slice(0, 500);
  let code: SourceErrorCode;
  if (name && THROTTLING_ERRORS.has(name)) code = SourceErrorCode.SOURCE_RATE_LIMITED;
  else if (name && AUTH_ERRORS.has(name)) code = SourceErrorCode.SOURCE_UNAUTHENTICATED;
  else if (name && FORBIDDEN_ERRORS.has(name)) code = SourceErrorCode.SOURCE_FORBIDDEN;
  else if (name === 'ResourceNotFound' || (name === 'ValidationException' && NOT_FOUND_MESSAGE.test(vendorMessage))) {
    code = SourceErrorCode.SOURCE_NOT_FOUND;
  } else if (netCode === 'ETIMEDOUT' || (name === 'TimeoutError' && !netCode)) {
    // The request handler names resets and refusals `TimeoutError` too; only a real timeout is one.
    code = SourceErrorCode.SOURCE_TIMEOUT;
  }
  else if (status === undefined) code = SourceErrorCode.SOURCE_UNAVAILABLE;
  else if (!answered && status >= 200 && status < 300) code = SourceErrorCode.SOURCE_BAD_RESPONSE;
  else code = codeForStatus(status);

  const what = options.operation ? `${options.operation}: ` : '';
  const statusText = status === undefined ? '' : `HTTP ${status} `;
  const upstreamCode = answered ? name : (netCode ?? name);
  const retryAfter = Number(e.$response?.headers?.['retry-after']);
  return new SourceError({
    source,
    code,
    message: `${what}${statusText}${upstreamCode ?? 'error'}: ${vendorMessage || 'no message'}`,
    status,
    upstreamCode,
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
    attempts: e.$metadata?.attempts,
    cause: err,
  });
}

// ---- retries --------------------------------------------------------------------------------

type RetryStrategyV2 = Extract<NonNullable<SageMakerClientConfig['retryStrategy']>, { refreshRetryTokenForRetry: unknown }>;
type RetryErrorInfo = Parameters<RetryStrategyV2['refreshRetryTokenForRetry']>[1];

interface SagemakerRetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
  /** When the first attempt started (the budget counts from there). */
  readonly startedAt: number;
}

export interface SagemakerRetryOptions {
  /** Attempts in all, the first included; 1 disables retries. Default 4 (as for every source). */
  maxAttempts?: number;
  /** Upper bound of the first backoff; it doubles per retry (full jitter). Default 200. */
  baseDelayMs?: number;
  /** Upper bound of any one backoff. Default 5000. */
  maxDelayMs?: number;
  /** Time for one call, attempts and waits included; a wait that would not fit stops the retries. Default 15000. */
  budgetMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  logger?: Logger;
}

/**
 * The SDK's retry middleware decides *what* failed (it classifies each error as THROTTLING,
 * TRANSIENT, SERVER_ERROR or CLIENT_ERROR, and reads `Retry-After` / `x-amz-retry-after`);
 * this strategy decides *whether and when* to try again, with the instance's `retry`
 * settings, so that they mean the same for SageMaker as for every HTTP source: full-jitter
 * exponential backoff, a Retry-After hint honoured, a total budget, and the injected clock
 * (tests wait no real time). As in the SDK's standard mode, throttling and transient errors
 * (timeouts, resets, 500/502/503/504) are retried; client errors are not.
 */
export class SagemakerRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly budgetMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logger: Logger;

  constructor(options: SagemakerRetryOptions = {}) {
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.budgetMs = options.budgetMs ?? 15_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
  }

  async acquireInitialRetryToken(_scope: string): Promise<SagemakerRetryToken> {
    return token(0, this.now());
  }

  async refreshRetryTokenForRetry(previous: SagemakerRetryToken, info: RetryErrorInfo): Promise<SagemakerRetryToken> {
    const retries = previous.getRetryCount();
    const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
    if (!retryable || retries + 1 >= this.maxAttempts) throw new Error('no retry');
    const backoff = Math.floor(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** retries));
    // The middleware dates the hint with the real clock (`Date.now() + Retry-After`), so it is read with it too.
    const hinted = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : 0;
    const delay = Math.max(backoff, hinted);
    const startedAt = previous.startedAt;
    if (this.now() - startedAt + delay > this.budgetMs) throw new Error('retry budget exhausted');
    this.logger.warn('retrying SageMaker call', {
      attempt: retries + 2,
      errorType: info.errorType,
      error: info.error?.name,
      delayMs: delay,
    });
    if (delay > 0) await this.sleep(delay);
    return token(retries + 1, startedAt);
  }

  recordSuccess(_token: SagemakerRetryToken): void {
    // No retry quota to refill: the circuit breaker is what protects a failing upstream.
  }
}

function token(retries: number, startedAt: number): SagemakerRetryToken {
  return { getRetryCount: () => retries, getRetryDelay: () => 0, startedAt };
}

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageGroupCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  SageMakerClient,
  paginateSearch,
  type Filter,
  type SageMakerClientConfig,
  type SearchExpression,
} from '@aws-sdk/client-sagemaker';
import type { SagemakerInstanceConfig } from './config';
import type { SourceCache } from '../core/cache/source-cache';
import { CircuitBreaker } from '../core/circuit-breaker';
import { Semaphore } from '../core/concurrency';
import type { Connector, ConnectorDeps } from '../core/connector';
import { SourceError, SourceErrorCode, codeForStatus, redact } from '../core/errors';
import { silentLogger, type Logger } from '../core/logger';
import { FailureMemo, isRememberedFailure } from '../core/failure-memo';
import { clampPageSizes } from '../core/paginate';
import { createSourceCaches, nullIfNotFound, rememberFailureMs } from '../core/plumbing';
import { backoffMs, requestForbidsRetry, retryPolicy, type RetryOptions, type RetryPolicy } from '../core/retry-policy';
import { RateLimiter, waitForSlot } from '../core/rate-limiter';
import { resolveConcurrency, resolveRateLimit } from '../core/vendor-rate-limits';
import { SAGEMAKER_LIMITS } from './limits';
import {
  currentRequestScope,
  isRequestLimitError,
  outsideRequestScope,
  untilRequestDeadline,
  type RequestScope,
} from '../core/request-scope';
import { sourceName } from '../core/source';
import { circuitState, type SourceHealthRecorder } from '../core/source-health';
import type { CloudModel, CloudModelVersion, Deployment, RegistryConnector } from '../registry/types';
import {
  endpointConfigFacts,
  isoDate,
  mapEndpoint,
  mapModelPackageGroup,
  mapModelPackageRecord,
  modelFacts,
  newestFirst,
  type SagemakerMapContext,
} from './map';
import { recordSdkCalls } from './health';
import {
  SAGEMAKER_LIST_TAGS_PAGE_SIZE,
  SAGEMAKER_PAGE_LIMITS,
  type Endpoint,
  type EndpointConfigFacts,
  type ModelFacts,
  type ModelPackageGroup,
  type Tag,
} from './types';

export interface SagemakerConnectorDeps extends ConnectorDeps {
  /** Page sizes (`MaxResults`), clamped to the documented maxima (tests use small pages). Default: the maxima. */
  pageSizes?: Partial<Record<keyof typeof SAGEMAKER_PAGE_LIMITS, number>>;
  /** For tests: the jitter source of retry backoff, in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /**
   * How long past ttl + stale a listing is kept only to be revalidated: the deployment
   * listing's endpoint configurations are reused from it rather than described again.
   * Default 86400 (a day).
   */
  revalidateSeconds?: number;
}

/** A runaway upstream that keeps answering with a NextToken stops here, as an error. */
const MAX_PAGES = 1000;

/** `Filter.Value`: "Length Constraints: ... Maximum length of 1024" (SageMaker API Reference, `Filter`). */
export const SEARCH_FILTER_VALUE_MAX_LENGTH = 1024;
/** `SearchExpression.Filters`: "Array Members: Minimum number of 1 item. Maximum number of 20 items." */
export const SEARCH_EXPRESSION_MAX_FILTERS = 20;

/** The listings cache's key of the deployment listing (a {@link DeploymentListing}). */
const DEPLOYMENTS_KEY = 'list endpoints';

/**
 * The deployment listing as cached: the deployments, and what they were built from that the
 * next load may reuse (see {@link SagemakerConnector.listDeployments}). Plain JSON.
 */
interface DeploymentListing {
  deployments: Deployment[];
  /** By endpoint name. */
  endpoints: Record<string, HeldEndpoint>;
  /** How many pages the last `Search` over models took: what searching them again would cost. */
  modelSearchPages: number;
}

/** One endpoint's configuration and models as last described, with the endpoint's state then. */
interface HeldEndpoint {
  configName: string | null;
  lastModifiedTime: string | null;
  status: string | null;
  config: EndpointConfigFacts | null;
  /**
   * True when `config` was inferred from the Model Dashboard rather than described: it names
   * the variant's model, not its instance type (see {@link dashboardConfig}). Absent in
   * entries held from before it existed, which were all described.
   */
  inferred?: boolean;
  models: Record<string, ModelFacts | null>;
}

/** An endpoint configuration as described for an instance type asked later, and when (epoch ms). */
interface HeldConfig {
  config: EndpointConfigFacts | null;
  describedAt: number;
}

/** The Model Dashboard's records: each model, and which endpoints it lists as hosting it. */
interface DashboardSearch {
  models: Map<string, ModelFacts>;
  /** By endpoint name: the models whose record lists the endpoint, with its LastModifiedTime there. */
  hosting: Map<string, Array<{ model: string; lastModifiedTime: string | null }>>;
  pages: number;
}

/** The listings cache's key of one group's versions, shared by single and batched reads. */
const versionsKey = (group: string) => `list model-packages ${group}`;

/**
 * Amazon SageMaker through the official SDK (`@aws-sdk/client-sagemaker`, AWS JSON 1.1 with
 * SigV4): the model registry's package groups and versioned packages, and the real-time
 * endpoints that serve them.
 *
 * Every SDK call goes through one middleware at the top of the client's stack (so paginator
 * pages too): a concurrency limit, a circuit breaker, and the conversion of whatever the SDK
 * throws into a `SourceError` naming `sagemaker:<instance>`. Retries happen below it, in the
 * SDK's retry middleware, with a strategy that applies the instance's `retry` settings.
 * Below the retries, one middleware per attempt charges the attempt to the current request
 * scope and bounds it by the time left (see {@link limitAttempts}).
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
  private readonly now: () => number;
  /** How long a configuration described for its instance type is reused without asking again. */
  private readonly revalidateMs: number;
  /** Version lists of groups being searched for now, joined by overlapping batches; with the request scope searching (undefined: a background one). */
  private readonly versionLoads = new Map<string, { list: Promise<CloudModelVersion[]>; scope: RequestScope | undefined }>();

  static fromConfig(config: SagemakerInstanceConfig, deps: SagemakerConnectorDeps): SagemakerConnector {
    const source = sourceName('SAGEMAKER', config.name);
    const logger = (deps.logger ?? silentLogger).child({ source });
    const credentials = config.credentials;
    const secrets =
      credentials.type === 'static' ? [credentials.secretAccessKey, ...(credentials.sessionToken ? [credentials.sessionToken] : [])] : [];
    const failures = new FailureMemo(source, { rememberMs: rememberFailureMs(config), now: deps.clock?.now });
    const retry = new SagemakerRetryStrategy({
      ...config.retry,
      failures,
      sleep: deps.clock?.sleep,
      now: deps.clock?.now,
      random: deps.random,
      logger,
    });
    const maxConcurrency = resolveConcurrency(SAGEMAKER_LIMITS, config.maxConcurrency);
    const agent = { keepAlive: true, maxSockets: maxConcurrency };
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
    limitAttempts(client, {
      source,
      timeoutMs: config.timeoutMs,
      budgetMs: retry.budgetMs,
      now: deps.clock?.now ?? Date.now,
      sleep: deps.clock?.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      failures,
      limiterFor: operationLimiters(source, config.rateLimit, deps.clock?.now),
      health: deps.health?.recorder('SAGEMAKER', config.name),
    });
    const breaker = new CircuitBreaker(source, {
      failureThreshold: config.breaker?.failureThreshold,
      resetAfterMs: config.breaker?.resetSeconds === undefined ? undefined : config.breaker.resetSeconds * 1000,
      now: deps.clock?.now,
    });
    const semaphore = new Semaphore(maxConcurrency);
    client.middlewareStack.add(
      (next, context) => (args) =>
        // The race frees the caller at the deadline from what no attempt's abort covers:
        // the wait for a connection slot, the credential chain (IMDS, SSO) before signing.
        untilRequestDeadline(source, 'waiting for SageMaker', async () => {
          const scope = currentRequestScope();
          // A source that just failed is not asked again: each asking would wait out the budget.
          const remembered = failures.recall(scope);
          if (remembered) throw remembered;
          try {
            const output = await breaker.run(() =>
              semaphore.run(async () => {
                try {
                  return await next(args);
                } catch (err) {
                  throw toSourceError(err, source, { operation: context.commandName?.replace(/Command$/, ''), secrets });
                }
              }),
            );
            failures.noteSuccess();
            return output;
          } catch (err) {
            failures.noteFailure(err, scope);
            throw err;
          }
        }),
      { step: 'initialize', name: 'modelgraphSourceGuard', priority: 'high' },
    );
    const recorder = deps.health?.recorder('SAGEMAKER', config.name);
    if (recorder) {
      recordSdkCalls(client, {
        ...recordingWithoutRequestLimits(recorder, (err, operation) => toSourceError(err, source, { operation, secrets })),
        guard: 'modelgraphSourceGuard',
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
    this.now = deps.clock?.now ?? Date.now;
    this.revalidateMs = (deps.revalidateSeconds ?? 86_400) * 1000;
    ({ entries: this.cache, listings: this.listings } = createSourceCaches(config, deps, this.source, {
      revalidateSeconds: deps.revalidateSeconds ?? 86_400,
      now: deps.clock?.now,
    }));
    this.pageSizes = clampPageSizes(deps.pageSizes, SAGEMAKER_PAGE_LIMITS);
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
        .map((g) => mapModelPackageGroup(g, this.ctx, g.Tags ?? []));
    });
    return value;
  }

  /** One group by name (or ARN); null when it does not exist. */
  async getModel(name: string): Promise<CloudModel | null> {
    const { value } = await this.cache.getOrLoad(`model-package-group ${name}`, async () => {
      const group = await nullIfNotFound(this.client.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name })));
      return group ? mapModelPackageGroup(group, this.ctx, await this.listTags(group.ModelPackageGroupArn)) : null;
    });
    return value;
  }

  // ---- versions -------------------------------------------------------------------------

  /**
   * {@link RegistryConnector.getVersionsForModels}: every versioned package of each group,
   * newest first; ids are group names, and a group SageMaker does not have maps to [].
   *
   * Groups whose list the cache holds fresh are served from it; the rest are fetched
   * together with `Search` over `ModelPackage` resources, whose records are whole model
   * packages (customer metadata, creator, images: what `DescribeModelPackage` answers).
   * `ListModelPackages` per group and then `DescribeModelPackage` per package cost one call
   * per group and one per package (~250 calls for a page of 100 models); this costs one call
   * per 100 packages, give or take a page per request (see {@link modelPackageSearchExpressions}).
   * Search reads an index that can lag writes by a few seconds (a version just registered or
   * approved may show a moment later): acceptable behind a cache whose entries live a minute.
   *
   * Each group's list is stored in the listings cache under the key single reads use too, so
   * a later batch finds it whatever else it asks for. Loads of a group already under way in
   * this process are joined rather than asked again.
   */
  async getVersionsForModels(modelIds: readonly string[]): Promise<Map<string, CloudModelVersion[]>> {
    const unique = [...new Set(modelIds)];
    const cached = await Promise.all(unique.map((group) => this.listings.peekServable<CloudModelVersion[]>(versionsKey(group))));
    const pending = new Map<string, Promise<CloudModelVersion[]>>();
    const missing: string[] = [];
    const stale: string[] = [];
    unique.forEach((group, i) => {
      const held = cached[i];
      if (held) {
        pending.set(group, Promise.resolve(held.value));
        if (!held.fresh && !this.versionLoads.has(group)) stale.push(group);
      } else if (this.versionLoads.has(group)) pending.set(group, this.joinVersions(group, this.versionLoads.get(group)!));
      else missing.push(group);
    });
    if (missing.length > 0) this.loadVersions(missing, pending);
    // Stale lists are served now and refreshed by one background search, as the cache does
    // for single entries; a failed refresh leaves them until they expire. It serves later
    // requests, not this one: outside its scope, neither charged to it nor cut at its deadline.
    if (stale.length > 0) {
      outsideRequestScope(() => this.loadVersions(stale)).catch((err) => this.logger.warn('background refresh failed', { error: String(err) }));
    }
    const lists = await Promise.all(unique.map((group) => pending.get(group)!));
    return new Map(unique.map((group, i) => [group, lists[i]!]));
  }

  /** One search for these groups, joined by later callers while it runs. */
  private loadVersions(groups: readonly string[], pending?: Map<string, Promise<CloudModelVersion[]>>): Promise<unknown> {
    const scope = currentRequestScope();
    const loading = this.searchVersions(groups);
    for (const group of groups) {
      const one = { list: loading.then((found) => found.get(group) ?? []), scope };
      this.versionLoads.set(group, one);
      pending?.set(group, one.list);
      // The list is in the cache (its in-process layer at once) before the load is let go.
      one.list.catch(() => undefined).finally(() => {
        if (this.versionLoads.get(group) === one) this.versionLoads.delete(group);
      });
    }
    return loading;
  }

  /**
   * A search under way, joined (and charged nothing). When another request's budget or
   * deadline ends it, that is no answer for this request, which then asks on its own account.
   */
  private joinVersions(
    group: string,
    running: { list: Promise<CloudModelVersion[]>; scope: RequestScope | undefined },
  ): Promise<CloudModelVersion[]> {
    const scope = currentRequestScope();
    if (running.scope === undefined || running.scope === scope) return running.list;
    return running.list.catch((err: unknown) => {
      if (!isRequestLimitError(err)) throw err;
      if (this.versionLoads.get(group) === running) this.versionLoads.delete(group);
      return this.getVersions(group);
    });
  }

  /** Every versioned package of one group, newest first: the batched read with one group. */
  async getVersions(group: string): Promise<CloudModelVersion[]> {
    return (await this.getVersionsForModels([group])).get(group) ?? [];
  }

  /**
   * The versions of these groups by as few `Search` calls as the filter limits allow, each
   * followed through its pages (`MaxResults` at the page size, 100 by default). Sorted by
   * creation time, newest first, so that pages shift only when a package is registered
   * meanwhile (a record seen twice is kept once). A record goes to every requested name
   * equal to its group's ignoring case (group ARNs hold names lower-cased, and a name may be
   * asked in another case than it was created with). Every group is in the map and stored in
   * the cache, [] when the search found nothing for it.
   */
  private async searchVersions(groups: readonly string[]): Promise<Map<string, CloudModelVersion[]>> {
    const { expressions } = modelPackageSearchExpressions(groups);
    const records = await Promise.all(
      expressions.map((expression) =>
        this.collect(
          paginateSearch(this.pages(this.pageSizes.modelPackages), {
            Resource: 'ModelPackage',
            SearchExpression: expression,
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
          }),
          (page) => page.Results,
        ),
      ),
    );
    const byLowerName = new Map<string, string[]>();
    for (const group of groups) byLowerName.set(group.toLowerCase(), [...(byLowerName.get(group.toLowerCase()) ?? []), group]);
    const found = new Map<string, Map<string, CloudModelVersion>>(groups.map((g) => [g, new Map()]));
    for (const record of records.flat()) {
      const pkg = record.ModelPackage;
      // Unversioned packages (no group, no version) are no registry versions; the group
      // filter already leaves them out, this keeps it so whatever the service answers.
      const version = pkg && mapModelPackageRecord(pkg, this.ctx);
      if (!version) continue;
      for (const group of byLowerName.get(version.modelName.toLowerCase()) ?? []) {
        found.get(group)!.set(version.source.nativeId || version.id, version);
      }
    }
    const result = new Map<string, CloudModelVersion[]>();
    for (const group of groups) {
      const versions = newestFirst([...found.get(group)!.values()]);
      result.set(group, versions);
      void this.listings.put(versionsKey(group), versions);
    }
    return result;
  }

  // ---- deployments ----------------------------------------------------------------------

  /**
   * Every production variant of every endpoint, from one paged `Search` over `Endpoint`
   * resources (records as `DescribeEndpoint` answers them: status, failure reason, times,
   * and each running variant's current weight, instance count and image), one paged
   * `Search` over `Model` resources (the Model Dashboard's records: each model's containers,
   * so its model package, and the endpoints hosting it), and `DescribeEndpointConfig` only
   * for the endpoints whose variants' models the dashboard cannot tell. Search reads an
   * index that can lag writes by a few seconds: acceptable behind a cache whose entries
   * live a minute.
   *
   * The trade-off: the `Endpoint` record does not say which model a variant runs, nor on
   * which instance type (`ProductionVariantSummary` has neither; both live in the endpoint
   * configuration only). The Model Dashboard's `Endpoints` tells the model of a
   * single-variant endpoint: when exactly one model's record lists the endpoint (at the
   * LastModifiedTime its own record has, so not a listing the index has yet to update), and
   * the endpoint runs one production variant and no shadow one, that variant runs that
   * model (see {@link dashboardConfig}). Multi-variant endpoints (canaries, A/B tests),
   * endpoints no record lists, or several do, have their configuration described. The
   * instance type of an endpoint not described is left null with the configuration's name
   * in `instanceTypeLookup`: {@link instanceTypes} describes it when a query asks for it.
   *
   * What was read is held: a configuration cannot be changed (there is no
   * UpdateEndpointConfig; `UpdateEndpoint` switches to another one, which moves the
   * endpoint's `EndpointConfigName` and `LastModifiedTime`). An endpoint whose configuration
   * name, `LastModifiedTime` and status are those held reuses its configuration (described
   * or inferred) and models without a call; the others are resolved again: from the
   * dashboard when it is searched in this load (cold, or more endpoints changed than its
   * search takes pages), else described (memoised per configuration name within a load).
   * Models are looked up in the dashboard's records, or with `DescribeModel` one by one when
   * fewer are missing than a search took pages (and for any the search missed).
   *
   * So a cold listing costs ceil(endpoints/100) + ceil(models/100) Search calls and one
   * `DescribeEndpointConfig` per configuration of a multi-variant endpoint (or one the
   * dashboard does not settle), and a revalidation ceil(endpoints/100) Search calls plus
   * what changed. At the default rate limit (5 a second per operation) a cold listing of
   * 3,000 endpoints, a tenth of them canaries, takes about a minute of configurations rather
   * than ten (the sandbox's 10,000-model org, 3,112 endpoints with 3 to describe: 64 searches
   * and 3 descriptions, 11 s with the limiter on); the instance types, when a query selects them, cost one described
   * configuration each, held for `revalidateSeconds`. The held entry outlives the listing's
   * ttl + stale by `revalidateSeconds`, so that a listing after expiry still revalidates
   * rather than starting cold.
   */
  async listDeployments(): Promise<Deployment[]> {
    const { value } = await this.listings.getOrRevalidate<DeploymentListing>(DEPLOYMENTS_KEY, (previous) => this.loadDeployments(previous?.value));
    return value.deployments;
  }

  private async loadDeployments(previous: DeploymentListing | undefined): Promise<DeploymentListing> {
    // Cold, every endpoint needs its models: their search runs alongside the endpoints'.
    const coldModels = previous ? undefined : this.searchModels();
    // Awaited below; should the endpoint search fail first, its failure is the listing's.
    coldModels?.catch(() => undefined);
    const endpoints = await this.searchEndpoints();
    const held = previous?.endpoints ?? {};
    const keptOf = (endpoint: Endpoint): HeldEndpoint | undefined => {
      const kept = held[endpoint.EndpointName ?? ''];
      return kept && unchangedEndpoint(kept, endpoint) ? kept : undefined;
    };
    let modelSearchPages = previous?.modelSearchPages ?? 0;
    // The dashboard is searched before any configuration is described, cold or when it costs
    // fewer calls than the changed endpoints would (each a configuration, otherwise).
    const changed = endpoints.filter((e) => !keptOf(e)).length;
    const dashboard = await (coldModels ?? (changed > modelSearchPages ? this.searchModels() : undefined));

    const configs = new Map<string, Promise<EndpointConfigFacts | null>>();
    const resolved = await Promise.all(
      endpoints.map(async (endpoint) => {
        const kept = keptOf(endpoint);
        if (kept) return { endpoint, config: kept.config, inferred: kept.inferred === true, models: kept.models };
        const inferred = dashboard ? dashboardConfig(endpoint, dashboard.hosting) : null;
        if (inferred) return { endpoint, config: inferred, inferred: true, models: undefined };
        const configName = endpoint.EndpointConfigName;
        const config = configName ? await once(configs, configName, () => this.describeEndpointConfig(configName)) : null;
        return { endpoint, config, inferred: false, models: undefined };
      }),
    );

    // A model cannot be changed either (there is no UpdateModel): one held for another endpoint serves.
    const found = new Map<string, ModelFacts>();
    for (const kept of Object.values(held)) for (const [name, model] of Object.entries(kept.models)) if (model) found.set(name, model);
    const wanted = [...new Set(resolved.flatMap((r) => (r.models ? [] : modelNamesOf(r.config))))];
    let searched = dashboard;
    if (!searched && wanted.filter((name) => !found.has(name)).length > modelSearchPages) searched = await this.searchModels();
    if (searched) {
      for (const [name, model] of searched.models) found.set(name, model);
      modelSearchPages = searched.pages;
    }
    const described = new Map<string, Promise<ModelFacts | null>>();
    const models = new Map<string, ModelFacts | null>(
      await Promise.all(
        wanted.map(async (name): Promise<[string, ModelFacts | null]> => [
          name,
          found.get(name) ?? (await once(described, name, () => this.describeModel(name))),
        ]),
      ),
    );

    const listing: DeploymentListing = { deployments: [], endpoints: {}, modelSearchPages };
    for (const r of resolved) {
      const name = r.endpoint.EndpointName ?? '';
      const modelsOf = r.models ?? Object.fromEntries(modelNamesOf(r.config).map((n) => [n, models.get(n) ?? null]));
      listing.endpoints[name] = {
        configName: r.endpoint.EndpointConfigName ?? null,
        lastModifiedTime: isoDate(r.endpoint.LastModifiedTime),
        status: r.endpoint.EndpointStatus ?? null,
        config: r.config,
        ...(r.inferred ? { inferred: true } : {}),
        models: modelsOf,
      };
      listing.deployments.push(...mapEndpoint({ endpoint: r.endpoint, config: r.config, models: modelsOf, configInferred: r.inferred }, this.ctx));
    }
    return listing;
  }

  /**
   * {@link RegistryConnector.instanceTypes}: a deployment listed with an `instanceTypeLookup`
   * (the name of a configuration the listing did not describe) gets its variant's instance
   * type from `DescribeEndpointConfig`, once per configuration however many deployments
   * share it. A configuration cannot be changed, so what was described is reused for
   * `revalidateSeconds` (a day) from when it was described, whatever the cache's ttl.
   */
  async instanceTypes(deployments: readonly Deployment[]): Promise<Array<string | null>> {
    return Promise.all(
      deployments.map(async (deployment) => {
        const name = deployment.instanceTypeLookup;
        if (deployment.instanceType !== null || !name) return deployment.instanceType;
        // Deployments sharing a configuration ask together: the cache joins their loads into one.
        const config = await this.heldEndpointConfig(name);
        const variant = config?.ProductionVariants?.find((v) => v.VariantName === deployment.name);
        return variant?.InstanceType ?? (variant?.ServerlessConfig ? 'serverless' : null);
      }),
    );
  }

  /** A configuration from the entries cache, described when not held or held too long. */
  private async heldEndpointConfig(name: string): Promise<EndpointConfigFacts | null> {
    const { value } = await this.cache.getOrRevalidate<HeldConfig>(`endpoint-config ${name}`, async (previous) => {
      // Past the entry's ttl it is still the same configuration; a missing one may have been created since.
      const kept = previous?.value;
      if (kept?.config && this.now() - kept.describedAt < this.revalidateMs) return kept;
      return { config: await this.describeEndpointConfig(name), describedAt: this.now() };
    });
    return value.config;
  }

  /**
   * Every endpoint's record, by name. Sorted by creation time, oldest first, so that an
   * endpoint created while the pages are followed lands on the last page instead of shifting
   * the others (`SortBy` takes any of the resource's properties, `CreationTime` is one of
   * the `Endpoint` record's; a record seen twice is kept once).
   */
  private async searchEndpoints(): Promise<Endpoint[]> {
    const records = await this.collect(
      paginateSearch(this.pages(this.pageSizes.endpoints), { Resource: 'Endpoint', SortBy: 'CreationTime', SortOrder: 'Ascending' }),
      (page) => page.Results,
    );
    const byName = new Map<string, Endpoint>();
    for (const record of records) if (record.Endpoint?.EndpointName) byName.set(record.Endpoint.EndpointName, record.Endpoint);
    return [...byName.values()].sort((a, b) => compareText(a.EndpointName ?? '', b.EndpointName ?? ''));
  }

  /**
   * Every model of the account, by name, from the Model Dashboard's records
   * (`SearchRecord.Model`, a `ModelDashboardModel` whose `Model` is what `DescribeModel`
   * answers), and how many pages that took. Neither sort nor filter is sent: AWS documents
   * no searchable property names for these nested records, and the default sort is always
   * valid; a model a shifting page skips is described on its own.
   */
  private async searchModels(): Promise<DashboardSearch> {
    let pages = 0;
    const records = await this.collect(paginateSearch(this.pages(this.pageSizes.models), { Resource: 'Model' }), (page) => {
      pages++;
      return page.Results;
    });
    const models = new Map<string, ModelFacts>();
    const hosting = new Map<string, Array<{ model: string; lastModifiedTime: string | null }>>();
    for (const record of records) {
      const model = record.Model?.Model;
      if (!model?.ModelName) continue;
      models.set(model.ModelName, modelFacts(model));
      for (const endpoint of record.Model?.Endpoints ?? []) {
        if (!endpoint.EndpointName) continue;
        const listed = { model: model.ModelName, lastModifiedTime: isoDate(endpoint.LastModifiedTime) };
        const listings = hosting.get(endpoint.EndpointName);
        if (listings) listings.push(listed);
        else hosting.set(endpoint.EndpointName, [listed]);
      }
    }
    return { models, hosting, pages };
  }

  // ---- single calls -----------------------------------------------------------------------

  private async describeEndpointConfig(name: string): Promise<EndpointConfigFacts | null> {
    const config = await nullIfNotFound(this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
    return config && endpointConfigFacts(config);
  }

  private async describeModel(name: string): Promise<ModelFacts | null> {
    const model = await nullIfNotFound(this.client.send(new DescribeModelCommand({ ModelName: name })));
    return model && modelFacts(model);
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

}

/**
 * The `SearchExpression`s that find the model packages of these groups, each within the
 * documented limits: `In` lists ("Only supported for text properties. The word list is a
 * comma separated list of string values") of at most {@link SEARCH_FILTER_VALUE_MAX_LENGTH}
 * characters, a lone name as `Equals`, and at most {@link SEARCH_EXPRESSION_MAX_FILTERS}
 * filters per expression, joined with `Or` (one request, however many lists it takes).
 *
 * - A name with a comma cannot be told apart inside a comma separated list: it is asked on
 *   its own, with `Equals`, as a filter of its own.
 * - A name that no filter could hold (empty, or longer than a Value may be) names no group
 *   (group names are 1 to 63 characters): it is in `unaskable`, and is asked nothing.
 * - The group filter is also what restricts the search to versioned packages: an
 *   unversioned package has no `ModelPackageGroupName`, so none of these filters matches it.
 *
 * Names are taken in sorted order, so the same groups always make the same requests.
 */
export function modelPackageSearchExpressions(groups: readonly string[]): { expressions: SearchExpression[]; unaskable: string[] } {
  const name = 'ModelPackageGroupName';
  const filters: Filter[] = [];
  const unaskable: string[] = [];
  let list: string[] = [];
  let length = 0;
  const flush = () => {
    if (list.length === 1) filters.push({ Name: name, Operator: 'Equals', Value: list[0]! });
    else if (list.length > 1) filters.push({ Name: name, Operator: 'In', Value: list.join(',') });
    list = [];
    length = 0;
  };
  for (const group of [...new Set(groups)].sort()) {
    if (group.length === 0 || group.length > SEARCH_FILTER_VALUE_MAX_LENGTH) {
      unaskable.push(group);
    } else if (group.includes(',')) {
      filters.push({ Name: name, Operator: 'Equals', Value: group });
    } else {
      const added = list.length === 0 ? group.length : length + 1 + group.length;
      if (added > SEARCH_FILTER_VALUE_MAX_LENGTH) flush();
      length = list.length === 0 ? group.length : length + 1 + group.length;
      list.push(group);
    }
  }
  flush();
  const expressions: SearchExpression[] = [];
  for (let i = 0; i < filters.length; i += SEARCH_EXPRESSION_MAX_FILTERS) {
    const some = filters.slice(i, i + SEARCH_EXPRESSION_MAX_FILTERS);
    expressions.push(some.length === 1 ? { Filters: some } : { Filters: some, Operator: 'Or' });
  }
  return { expressions, unaskable };
}

function unchangedEndpoint(kept: HeldEndpoint, endpoint: Endpoint): boolean {
  return (
    kept.configName === (endpoint.EndpointConfigName ?? null) &&
    kept.lastModifiedTime === isoDate(endpoint.LastModifiedTime) &&
    kept.status === (endpoint.EndpointStatus ?? null)
  );
}

/**
 * The configuration of an endpoint as far as the Model Dashboard settles it, without
 * `DescribeEndpointConfig`: its one production variant (the `Endpoint` record's) runs the
 * one model whose record lists the endpoint (`ModelDashboardModel.Endpoints`). Null, to be
 * described, when the endpoint runs several variants or a shadow one, lists none (a failed
 * creation), when no model or several list it, or when a listing's `LastModifiedTime` is not
 * the endpoint's (the dashboard's index has not caught up with an update).
 */
function dashboardConfig(endpoint: Endpoint, hosting: DashboardSearch['hosting']): EndpointConfigFacts | null {
  const variants = endpoint.ProductionVariants ?? [];
  const variant = variants[0]?.VariantName;
  if (variants.length !== 1 || !variant || !endpoint.EndpointConfigName) return null;
  if ((endpoint.ShadowProductionVariants ?? []).length > 0) return null;
  const listings = hosting.get(endpoint.EndpointName ?? '') ?? [];
  const models = new Set(listings.map((l) => l.model));
  if (models.size !== 1) return null;
  const modified = isoDate(endpoint.LastModifiedTime);
  if (listings.some((l) => l.lastModifiedTime !== null && l.lastModifiedTime !== modified)) return null;
  return { EndpointConfigName: endpoint.EndpointConfigName, ProductionVariants: [{ VariantName: variant, ModelName: [...models][0]! }] };
}

/** The models an endpoint configuration's variants name, each once. */
function modelNamesOf(config: EndpointConfigFacts | null): string[] {
  return [...new Set((config?.ProductionVariants ?? []).map((v) => v.ModelName).filter((n): n is string => !!n))];
}

/** The load of `key` under way or done in this memo, else `load()`'s, kept there. */
function once<T>(memo: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let pending = memo.get(key);
  if (!pending) memo.set(key, (pending = load()));
  return pending;
}

/** Code-unit order, as the names were sorted when `ListEndpoints` sorted them. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
  // The request deadline aborted the attempt (see limitAttempts); the handler wraps the reason.
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  if ((err as Error | undefined)?.name === 'AbortError' && isRequestLimitError(cause)) return cause;
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

// ---- request scope, per attempt ---------------------------------------------------------------

/** What the request handler is to give the attempt under way (see {@link limitAttempts}). */
const attemptLimits = new AsyncLocalStorage<{ requestTimeout: number; abortSignal?: AbortSignal }>();

interface HandlerOptions {
  abortSignal?: unknown;
  requestTimeout?: number;
  [key: string]: unknown;
}

/**
 * One client-side limiter per SageMaker operation, made on its first call: AWS throttles
 * each API on its own (per account and region), so a burst of `DescribeEndpoint` must not
 * hold up the `Search` that lists the registry. Each has the instance's `rateLimit` (the
 * vendor default, limits.ts) with `rateLimit.operations.<Operation>` over it.
 */
export function operationLimiters(
  source: string,
  config: SagemakerInstanceConfig['rateLimit'],
  now?: () => number,
): (operation: string) => RateLimiter | undefined {
  const limiters = new Map<string, RateLimiter | undefined>();
  return (operation) => {
    if (!limiters.has(operation)) {
      const limit = resolveRateLimit(SAGEMAKER_LIMITS.rateLimit, { ...config, ...config?.operations?.[operation] });
      limiters.set(operation, limit && new RateLimiter(`${source} ${operation}`, limit, { now }));
    }
    return limiters.get(operation);
  };
}

/**
 * One middleware per attempt, below the SDK's retry middleware and signing (so that a
 * credential fetch is never charged), above the health's per-attempt recording (so that a
 * refused attempt is recorded as no attempt):
 * - the deadline reached, the attempt is refused (SOURCE_TIMEOUT) before anything is sent;
 * - the source failed elsewhere in the request meanwhile, it is not sent either;
 * - it waits for its operation's rate-limiter slot, or fails at once (SOURCE_RATE_LIMITED,
 *   nothing sent) when that slot lies past the deadline or the retry budget; waiting after
 *   signing is safe, as the wait is bounded by them, far within SigV4's 5-minute validity;
 * - otherwise it is charged to the current request scope, which may refuse it
 *   (REQUEST_BUDGET_EXCEEDED);
 * - its `requestTimeout` is the configured timeout capped by what is left of the retry
 *   budget: without the cap a retry got the full timeout whatever was left, and one call
 *   could take 20 s against a 15 s budget;
 * - when the deadline comes first, an `abortSignal` aborts it then.
 * The SDK hands a request handler the options of `send`, the same for every attempt, so the
 * handler is wrapped to read each attempt's own from {@link attemptLimits}.
 */
function limitAttempts(
  client: SageMakerClient,
  options: {
    source: string;
    timeoutMs: number;
    budgetMs: number;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    failures: FailureMemo;
    limiterFor: (operation: string) => RateLimiter | undefined;
    health?: SourceHealthRecorder;
  },
): void {
  const { source, timeoutMs, budgetMs, now, sleep, failures, limiterFor, health } = options;
  const handler = client.config.requestHandler as unknown as {
    handle: (request: unknown, options?: HandlerOptions) => Promise<unknown>;
  };
  const handle = handler.handle.bind(handler);
  handler.handle = (request, handlerOptions = {}) => {
    const limits = attemptLimits.getStore();
    if (!limits) return handle(request, handlerOptions);
    const signals = [handlerOptions.abortSignal as AbortSignal | undefined, limits.abortSignal].filter((s): s is AbortSignal => !!s);
    return handle(request, {
      ...handlerOptions,
      requestTimeout: limits.requestTimeout,
      abortSignal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
    });
  };

  // Keyed by the per-call handler context, which every attempt of one `send` shares.
  const callStarts = new WeakMap<object, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      let startedAt = callStarts.get(context);
      if (startedAt === undefined) callStarts.set(context, (startedAt = now()));
      const scope = currentRequestScope();
      scope?.checkDeadline(source);
      // The source failed elsewhere in this request while this call waited or backed off.
      const remembered = failures.recallInRequest(scope);
      if (remembered) throw remembered;
      const budgetExpired = () =>
        new SourceError({
          source,
          code: SourceErrorCode.SOURCE_TIMEOUT,
          message: `${operationOf(context.commandName) ?? 'call'}: the ${budgetMs} ms budget ran out before the next attempt`,
        });
      if (startedAt + budgetMs - now() <= 0) throw budgetExpired();
      const limiter = limiterFor(operationOf(context.commandName) ?? 'other');
      if (limiter) {
        await waitForSlot(limiter, { source, budgetLeftMs: startedAt + budgetMs - now(), budgetMs, sleep, health });
        scope?.checkDeadline(source);
      }
      const budgetLeft = startedAt + budgetMs - now();
      if (budgetLeft <= 0) throw budgetExpired();
      scope?.charge(source);
      const requestTimeout = Math.max(1, Math.min(timeoutMs, budgetLeft));
      const deadlineLeft = scope?.remainingMs();
      if (deadlineLeft === undefined || deadlineLeft >= requestTimeout) {
        return attemptLimits.run({ requestTimeout }, () => next(args));
      }
      // The reason travels as the AbortError's `cause`, where toSourceError finds it.
      const cut = (scope as RequestScope).deadlineError(source, `after ${deadlineLeft} ms without an answer`);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(cut), deadlineLeft);
      try {
        return await attemptLimits.run({ requestTimeout, abortSignal: controller.signal }, () => next(args));
      } catch (err) {
        throw controller.signal.aborted ? cut : err;
      } finally {
        clearTimeout(timer);
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'modelgraphAttemptLimits' },
  );
}

/**
 * What health.ts is given to record with, minus the failures that were the request's own
 * limit (an attempt refused or cut short): the source may be perfectly fine. health.ts turns
 * each failure into a SourceError with `toError` and records it straight after, with no
 * await in between, so the recording that follows a limit's `toError` is that limit's.
 */
function recordingWithoutRequestLimits(
  recorder: SourceHealthRecorder,
  toError: (err: unknown, operation: string | undefined) => SourceError,
): { recorder: SourceHealthRecorder; toError: (err: unknown, operation: string | undefined) => SourceError } {
  let limited = false;
  return {
    toError: (err, operation) => {
      const error = toError(err, operation);
      // A failure remembered from earlier was recorded when it happened.
      limited = isRequestLimitError(error) || isRememberedFailure(error);
      return error;
    },
    recorder: {
      get source() {
        return recorder.source;
      },
      get kind() {
        return recorder.kind;
      },
      get instance() {
        return recorder.instance;
      },
      recordCall: (outcome) => {
        const skip = limited && !outcome.ok;
        limited = false;
        if (!skip) recorder.recordCall(outcome);
      },
      recordCache: (hit, lookup) => recorder.recordCache(hit, lookup),
      recordCacheError: (operation) => recorder.recordCacheError(operation),
      recordRefreshFailure: () => recorder.recordRefreshFailure(),
      recordRateLimit: (reading) => recorder.recordRateLimit(reading),
      recordRateLimitWait: (wait) => recorder.recordRateLimitWait?.(wait),
      attachCircuit: (read) => recorder.attachCircuit(read),
      snapshot: () => recorder.snapshot(),
    },
  };
}

function operationOf(commandName: string | undefined): string | undefined {
  return commandName?.replace(/Command$/, '');
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

/** The instance's `retry` settings (core's {@link RetryOptions}, the same defaults as every source's), and what carries them out. */
export interface SagemakerRetryOptions extends RetryOptions {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  logger?: Logger;
  /** The instance's memory of failures: no retry once a concurrent call of the request has failed. Default: none. */
  failures?: FailureMemo;
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
  private readonly policy: RetryPolicy;
  readonly maxAttempts: number;
  readonly budgetMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly failures: FailureMemo | undefined;

  constructor(options: SagemakerRetryOptions = {}) {
    this.failures = options.failures;
    this.policy = retryPolicy(options);
    ({ maxAttempts: this.maxAttempts, budgetMs: this.budgetMs } = this.policy);
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
    // Refused or cut by the request's own limit: another attempt would be refused too.
    if (isRequestLimitError(info.error)) throw new Error('request limit');
    const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
    if (!retryable || retries + 1 >= this.maxAttempts) throw new Error('no retry');
    const backoff = backoffMs(this.policy, retries, this.random);
    // The middleware dates the hint with the real clock (`Date.now() + Retry-After`), so it is read with it too.
    const hinted = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : 0;
    const delay = Math.max(backoff, hinted);
    const startedAt = previous.startedAt;
    if (this.now() - startedAt + delay > this.budgetMs) throw new Error('retry budget exhausted');
    // The SDK then throws the upstream's own error, whatever this one says.
    const forbidden = requestForbidsRetry(delay, currentRequestScope(), this.failures);
    if (forbidden) throw new Error(forbidden);
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

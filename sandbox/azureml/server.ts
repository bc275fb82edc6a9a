/**
 * A local Azure Resource Manager front for one Azure Machine Learning workspace, serving the
 * read operations of `Microsoft.MachineLearningServices` api-version 2025-09-01 that
 * modelgraph uses, as the REST specification and its examples describe them
 * (`mfe.json`: ModelContainers_List/Get, ModelVersions_List/Get, OnlineEndpoints_List/Get,
 * OnlineDeployments_List/Get; `Workspaces_Get`):
 *
 * - `Authorization: Bearer` required, checked first (401 `AuthenticationFailed` without a
 *   header, `InvalidAuthenticationToken` with a wrong one, and a `WWW-Authenticate` challenge);
 * - `api-version` required and pinned (400 `MissingApiVersionParameter` /
 *   `InvalidApiVersionParameter`);
 * - ARM's case-insensitive path segments and names of subscriptions, groups and workspaces
 *   (model names are case-sensitive, as the spec says);
 * - `{"value": [...], "nextLink": "<absolute URL>"}` pages, the link on the server's own
 *   origin with an opaque `$skipToken` (as the examples name it; the spec's
 *   `PaginationParameter` is `$skip`, accepted too);
 * - ARM's `{"error": {"code", "message", "details"}}` bodies, `x-ms-request-id` and
 *   `x-ms-ratelimit-remaining-subscription-reads` headers, and throttling as 429
 *   `SubscriptionRequestsThrottled` with `Retry-After` when the fault switch says so.
 */
import type { ErrorDetail, ModelContainer, ModelVersion, OnlineDeployment, OnlineEndpoint } from '../../connectors/azureml/types';
import { AZUREML_API_VERSION } from '../../connectors/azureml/types';
import type { DemoOrg } from '../demo-org';
import { startSandboxHttpServer, type Faults, type SandboxHandler, type SandboxRequest, type SandboxResponse } from '../http';
import type { SandboxServer } from '../mlflow/server';
import { seedAzureml, type AzuremlSeed } from './seed';

/** The bearer token the sandbox accepts unless told another. */
export const AZUREML_SANDBOX_TOKEN = 'sandbox-azureml-arm-token';

/** Items per page when the client does not ask for fewer. */
export const AZUREML_SANDBOX_PAGE_SIZE = 20;

export interface AzuremlSandboxOptions {
  org: DemoOrg;
  /** The connector instance it stands in for, e.g. `prod`: names the server in seeds and errors. */
  instance: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  faults?: Partial<Faults>;
  /** The one bearer token accepted. Default {@link AZUREML_SANDBOX_TOKEN}. */
  token?: string;
  /** Items per page. Default {@link AZUREML_SANDBOX_PAGE_SIZE}. */
  pageSize?: number;
  /** Seeds fault injection. Default: the org's seed. */
  seed?: number;
}

export async function startAzuremlSandbox(options: AzuremlSandboxOptions): Promise<SandboxServer> {
  const seed = seedAzureml(options.org);
  let faults: Faults | undefined;
  const server = await startSandboxHttpServer({
    name: `azure_ml:${options.instance}`,
    host: options.host,
    port: options.port,
    faults: options.faults,
    seed: options.seed ?? options.org.seed,
    handler: createAzuremlHandler(seed, { token: options.token, pageSize: options.pageSize }),
    faultResponse: (status) => azuremlFaultResponse(status, seed.coordinates.subscriptionId, faults?.retryAfterSeconds ?? 1),
  });
  faults = server.faults;
  return { url: server.url, instance: options.instance, stats: server.stats, faults: server.faults, close: server.close };
}

// ---- responses ------------------------------------------------------------------------------

export interface ArmErrorInit {
  code: string;
  message: string;
  details?: ErrorDetail[];
  /** Azure ML's inner error chain (`{"code": "NotFoundError"}`). */
  innerError?: { code: string };
}

/** `ErrorResponse` of the ARM common types. */
export function armError(status: number, init: ArmErrorInit, headers: Record<string, string> = {}): SandboxResponse {
  const error: Record<string, unknown> = { code: init.code, message: init.message };
  if (init.details) error.details = init.details;
  if (init.innerError) error.innerError = init.innerError;
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify({ error }),
  };
}

/** Injected failures, worded as Resource Manager words them. */
export function azuremlFaultResponse(status: number, subscriptionId: string, retryAfterSeconds = 1): SandboxResponse {
  if (status === 429) {
    return armError(
      429,
      {
        code: 'SubscriptionRequestsThrottled',
        message:
          `Number of 'read' requests for subscription '${subscriptionId}' actor 'modelgraph' exceeded. ` +
          `Please try again after '${retryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
      },
      { 'x-ms-ratelimit-remaining-subscription-reads': '0' },
    );
  }
  if (status === 503) return armError(503, { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please try again later.' });
  if (status === 504 || status === 502) {
    return armError(status, {
      code: 'GatewayTimeout',
      message: "The gateway did not receive a response from 'Microsoft.MachineLearningServices' within the specified time period.",
    });
  }
  if (status === 500) return armError(500, { code: 'InternalServerError', message: 'Encountered internal server error. Please try again.' });
  return armError(status, { code: 'Error', message: `HTTP ${status}` });
}

// ---- the handler ----------------------------------------------------------------------------

interface HandlerOptions {
  token?: string;
  pageSize?: number;
}

type Page<T> = { value: T[]; nextLink?: string };

const LIST_VIEW_TYPES = new Set(['ActiveOnly', 'ArchivedOnly', 'All']);
const ORDER_STRINGS = new Set(['CreatedAtDesc', 'CreatedAtAsc', 'UpdatedAtDesc', 'UpdatedAtAsc']);

export function createAzuremlHandler(seed: AzuremlSeed, options: HandlerOptions = {}): SandboxHandler {
  const token = options.token ?? AZUREML_SANDBOX_TOKEN;
  const pageSize = Math.max(1, options.pageSize ?? AZUREML_SANDBOX_PAGE_SIZE);
  const ws = seed.coordinates;
  const containers = new Map(seed.containers.map((c) => [c.name ?? '', c]));
  const endpoints = new Map(seed.endpoints.map((e) => [(e.name ?? '').toLowerCase(), e]));
  let requestCount = 0;

  return (req) => {
    requestCount++;
    const common = armHeaders(requestCount);
    const respond = (res: SandboxResponse): SandboxResponse => ({ ...res, headers: { ...common, ...res.headers } });
    return respond(route(req));
  };

  function route(req: SandboxRequest): SandboxResponse {
    // Resource Manager authenticates before it looks at anything else.
    const auth = req.headers.authorization;
    if (!auth) {
      return armError(
        401,
        { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." },
        challenge('invalid_token', "The authentication failed because of missing 'Authorization' header."),
      );
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!bearer || bearer[1] !== token) {
      return armError(
        401,
        { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' },
        challenge('invalid_token', 'The access token is invalid.'),
      );
    }

    const apiVersion = req.query.get('api-version');
    if (apiVersion === null || apiVersion === '') {
      return armError(400, {
        code: 'MissingApiVersionParameter',
        message: 'The api-version query parameter (?api-version=) is required for all requests.',
      });
    }
    if (apiVersion !== AZUREML_API_VERSION) {
      return armError(400, {
        code: 'InvalidApiVersionParameter',
        message: `The api-version '${apiVersion}' is invalid. The supported versions are '${AZUREML_API_VERSION}'.`,
      });
    }

    const segments = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    const lower = segments.map((s) => s.toLowerCase());
    if (lower[0] !== 'subscriptions' || segments.length < 2) return notFoundPath(req.path);
    if (lower[1] !== ws.subscriptionId.toLowerCase()) {
      return armError(404, { code: 'SubscriptionNotFound', message: `The subscription '${segments[1]}' could not be found.` });
    }
    if (lower[2] !== 'resourcegroups' || segments.length < 4) return notFoundPath(req.path);
    if (lower[3] !== ws.resourceGroup.toLowerCase()) {
      return armError(404, { code: 'ResourceGroupNotFound', message: `Resource group '${segments[3]}' could not be found.` });
    }
    if (lower[4] !== 'providers' || lower[5] !== 'microsoft.machinelearningservices' || lower[6] !== 'workspaces' || segments.length < 8) {
      return notFoundPath(req.path);
    }
    if (lower[7] !== ws.workspace.toLowerCase()) {
      return armError(404, {
        code: 'ResourceNotFound',
        message:
          `The Resource 'Microsoft.MachineLearningServices/workspaces/${segments[7]}' under resource group '${segments[3]}' was not found. ` +
          'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
      });
    }
    if (req.method !== 'GET') {
      return armError(405, { code: 'MethodNotAllowed', message: `The sandbox serves reads only; ${req.method} is not allowed.` });
    }

    const rest = segments.slice(8);
    const kinds = lower.slice(8);
    if (rest.length === 0) return ok(seed.workspace);

    if (kinds[0] === 'models') {
      if (rest.length === 1) {
        const view = listViewType(req);
        if (typeof view !== 'string') return view;
        return page(req, [...containers.values()].filter((c) => inView(c.properties?.isArchived, view)));
      }
      const container = containers.get(rest[1]!);
      if (!container) return modelNotFound(rest[1]!);
      if (rest.length === 2) return ok(container);
      if (kinds[2] !== 'versions' || rest.length > 4) return notFoundPath(req.path);
      const versions = seed.versions.get(container.name ?? '') ?? [];
      if (rest.length === 4) {
        const version = versions.find((v) => v.name === rest[3]);
        return version ? ok(version) : modelNotFound(`${rest[1]}:${rest[3]}`);
      }
      const view = listViewType(req);
      if (typeof view !== 'string') return view;
      const wanted = req.query.get('version');
      // Newest first, as the service lists versions.
      const listed = [...versions]
        .reverse()
        .filter((v) => inView(v.properties?.isArchived, view) && (!wanted || v.name === wanted));
      return page(req, capped(req, '$top', listed));
    }

    if (kinds[0] === 'onlineendpoints') {
      if (rest.length === 1) {
        const orderBy = req.query.get('orderBy');
        if (orderBy !== null && !ORDER_STRINGS.has(orderBy)) {
          return armError(400, { code: 'UserError', message: `The value '${orderBy}' is not valid for orderBy.` });
        }
        const name = req.query.get('name');
        let listed = [...endpoints.values()].filter((e) => !name || e.name === name);
        if (orderBy) listed = orderEndpoints(listed, orderBy);
        return page(req, listed, req.query.get('count'));
      }
      const endpoint = endpoints.get(kinds[1]!);
      if (!endpoint) return endpointNotFound();
      if (rest.length === 2) return ok(endpoint);
      if (kinds[2] !== 'deployments' || rest.length > 4) return notFoundPath(req.path);
      const deployments = seed.deployments.get(endpoint.name ?? '') ?? [];
      if (rest.length === 4) {
        const deployment = deployments.find((d) => (d.name ?? '').toLowerCase() === kinds[3]);
        return deployment ? ok(deployment) : endpointNotFound();
      }
      return page(req, capped(req, '$top', deployments));
    }

    return armError(404, {
      code: 'InvalidResourceType',
      message: `The resource type '${rest[0]}' could not be found in the namespace 'Microsoft.MachineLearningServices' for api version '${AZUREML_API_VERSION}'.`,
    });
  }

  /**
   * One page from the continuation token (`$skipToken`, or the spec's `$skip`), with a
   * `nextLink` back to this same URL and query, on the origin the client used.
   */
  function page<T extends ModelContainer | ModelVersion | OnlineEndpoint | OnlineDeployment>(
    req: SandboxRequest,
    items: T[],
    requestedSize?: string | null,
  ): SandboxResponse {
    const tokenValue = req.query.get('$skipToken') ?? req.query.get('$skip');
    const offset = tokenValue === null ? 0 : decodeSkipToken(tokenValue);
    if (offset === undefined || offset > items.length) {
      return armError(400, { code: 'UserError', message: 'The continuation token is not valid for this request.' });
    }
    const size = requestedSize && /^\d+$/.test(requestedSize) && Number(requestedSize) > 0 ? Math.min(Number(requestedSize), pageSize) : pageSize;
    const body: Page<T> = { value: items.slice(offset, offset + size) };
    if (offset + size < items.length) {
      const query = new URLSearchParams(req.query);
      query.delete('$skipToken');
      query.delete('$skip');
      // `$` literally, as ARM's links carry it.
      const rest = query.toString().replace(/%24/g, '$');
      body.nextLink = `http://${req.headers.host ?? '127.0.0.1'}${req.path}?${rest ? `${rest}&` : ''}$skipToken=${encodeSkipToken(offset + size)}`;
    }
    return ok(body);
  }
}

function ok(body: unknown): SandboxResponse {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

/** What every ARM response carries: request ids and the remaining read budget. */
function armHeaders(n: number): Record<string, string> {
  const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  return {
    'x-ms-request-id': id,
    'x-ms-correlation-request-id': id,
    'x-ms-routing-request-id': `WESTEUROPE:20250106T090000Z:${id}`,
    'x-ms-ratelimit-remaining-subscription-reads': String(11999 - ((n - 1) % 12000)),
    'x-ms-ratelimit-remaining-subscription-global-reads': String(15999 - ((n - 1) % 16000)),
    'cache-control': 'no-cache',
  };
}

function challenge(error: string, description: string): Record<string, string> {
  return {
    'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/00000000-0000-4000-8000-0000000000aa", error="${error}", error_description="${description}"`,
  };
}

function notFoundPath(path: string): SandboxResponse {
  return armError(404, { code: 'NotFound', message: `No route for the request path '${path}'.` });
}

/** The Azure ML resource provider's own 404 for a model or a version (`UserError` with a NotFoundError inside). */
function modelNotFound(what: string): SandboxResponse {
  return armError(404, {
    code: 'UserError',
    message: `Could not find asset with ID: ${what}`,
    details: [],
    innerError: { code: 'NotFoundError' },
  });
}

/** Online endpoints and deployments answer a missing name as the inference service does. */
function endpointNotFound(): SandboxResponse {
  return armError(404, { code: 'NotFound', message: 'The specified resource was not found.' });
}

function listViewType(req: SandboxRequest): string | SandboxResponse {
  const view = req.query.get('listViewType') ?? 'ActiveOnly';
  if (!LIST_VIEW_TYPES.has(view)) {
    return armError(400, { code: 'UserError', message: `The value '${view}' is not valid for listViewType.` });
  }
  return view;
}

function inView(archived: boolean | undefined, view: string): boolean {
  if (view === 'All') return true;
  return view === 'ArchivedOnly' ? archived === true : archived !== true;
}

/** `$top`: "Maximum number of records to return" in all. */
function capped<T>(req: SandboxRequest, name: string, items: T[]): T[] {
  const top = req.query.get(name);
  return top && /^\d+$/.test(top) ? items.slice(0, Number(top)) : items;
}

function orderEndpoints(items: OnlineEndpoint[], orderBy: string): OnlineEndpoint[] {
  const key = orderBy.startsWith('Created') ? 'createdAt' : 'lastModifiedAt';
  const sign = orderBy.endsWith('Desc') ? -1 : 1;
  return [...items].sort((a, b) => sign * (a.systemData?.[key] ?? '').localeCompare(b.systemData?.[key] ?? ''));
}

/** Opaque to clients: base64url of the offset, as real continuation tokens are opaque blobs. */
export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64url');
}

export function decodeSkipToken(token: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    return typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 ? parsed.o : undefined;
  } catch {
    return undefined;
  }
}

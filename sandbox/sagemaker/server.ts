/**
 * A local SageMaker API for one AWS account and region, speaking the real wire protocol so
 * that the official SDK (`@aws-sdk/client-sagemaker`) runs against it unchanged, pointed at
 * it with the client's `endpoint` option:
 *
 * - AWS JSON 1.1: `POST /`, the operation in `X-Amz-Target: SageMaker.<Operation>`, bodies
 *   `application/x-amz-json-1.1`, timestamps in epoch seconds;
 * - errors as `{"__type": ..., "message": ...}` with `x-amzn-ErrorType` and
 *   `x-amzn-RequestId`: status 400 for client errors *and throttling*
 *   (`ThrottlingException`, "Rate exceeded"), 500/503 for `InternalFailure` /
 *   `ServiceUnavailable`. The SDK reads the error code from `__type` first (the part after
 *   `#`), then `code`, then the header;
 * - SigV4: every request must carry an `Authorization: AWS4-HMAC-SHA256 Credential=...`
 *   header and `X-Amz-Date`; the credential scope must name this region and the `sagemaker`
 *   service, and, when the sandbox is given credentials, the configured access key id. The
 *   signature itself is not verified.
 */
import { hashSeed } from '../prng';
import type { DemoOrg } from '../demo-org';
import { proxyErrorPage, startSandboxHttpServer, type Faults, type SandboxHandler, type SandboxRequest, type SandboxResponse } from '../http';
import type { SandboxServer } from '../mlflow/server';
import { SAGEMAKER_SANDBOX_INSTANCE, seedSagemaker, type SagemakerSeed } from './seed';
import {
  createSagemakerStore,
  SAGEMAKER_OPERATIONS,
  SagemakerApiError,
  serializationError,
  type SagemakerOperation,
  type SagemakerStore,
} from './store';

export interface SagemakerSandboxCredentials {
  accessKeyId: string;
  /** Not checked (signatures are not verified); accepted so that a config's credentials can be passed whole. */
  secretAccessKey?: string;
}

export interface SagemakerSandboxOptions {
  org: DemoOrg;
  /** The instance name it stands for in configs and ids. Default `prod-us`. */
  instance?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  faults?: Partial<Faults>;
  /** When set, requests must be signed with this access key id. Default: any signed request is accepted. */
  credentials?: SagemakerSandboxCredentials;
  /** Use a seed built elsewhere (tests that change it) instead of `seedSagemaker(org)`. */
  seed?: SagemakerSeed;
  /** Seeds fault injection. Default: the org's seed. */
  faultSeed?: number;
}

export interface SagemakerSandboxServer extends SandboxServer {
  store: SagemakerStore;
  /**
   * The next `count` requests (of `operation` only, when named) answer 400
   * `ThrottlingException` "Rate exceeded", as SageMaker does when a caller exceeds its
   * request rate. Unlike `faults.failRate`, exactly those requests fail.
   */
  throttle(count: number, operation?: SagemakerOperation): void;
}

export async function startSagemakerSandbox(options: SagemakerSandboxOptions): Promise<SagemakerSandboxServer> {
  const instance = options.instance ?? SAGEMAKER_SANDBOX_INSTANCE;
  const store = createSagemakerStore(options.seed ?? seedSagemaker(options.org));
  const throttles: Array<{ remaining: number; operation?: SagemakerOperation }> = [];
  const server = await startSandboxHttpServer({
    name: `sagemaker:${instance}`,
    port: options.port,
    host: options.host,
    faults: options.faults,
    seed: options.faultSeed ?? options.org.seed,
    handler: createSagemakerHandler(store, { credentials: options.credentials, throttles }),
    faultResponse: sagemakerFaultResponse,
    // Every call is POST /: the operation is what SageMaker throttles and callers count.
    operationOf: (headers) => {
      const target = headers['x-amz-target'];
      return typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    },
    isThrottle: (response) => response.headers?.['x-amzn-errortype'] === 'ThrottlingException:',
  });
  return {
    url: server.url,
    instance,
    stats: server.stats,
    faults: server.faults,
    close: server.close,
    store,
    throttle(count, operation) {
      if (count > 0) throttles.push({ remaining: count, operation });
    },
  };
}

export interface SagemakerHandlerOptions {
  credentials?: SagemakerSandboxCredentials;
  /** Pending throttles, consumed in order (see {@link SagemakerSandboxServer.throttle}). */
  throttles?: Array<{ remaining: number; operation?: SagemakerOperation }>;
}

const JSON_11 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'SageMaker.';

export function createSagemakerHandler(store: SagemakerStore, options: SagemakerHandlerOptions = {}): SandboxHandler {
  let requests = 0;
  return (req) => {
    const requestId = requestIdFor(++requests);
    try {
      if (req.method !== 'POST' || req.path !== '/') {
        return awsError(new SagemakerApiError('UnknownOperationException', `No operation at ${req.method} ${req.path}`, 404), requestId);
      }
      checkSignature(req, store.region, options.credentials);
      const operation = operationOf(req);
      const input = parseInput(req);
      const throttle = options.throttles?.find((t) => t.remaining > 0 && (!t.operation || t.operation === operation));
      if (throttle) {
        throttle.remaining--;
        return awsError(throttlingError(), requestId);
      }
      return { status: 200, headers: { 'content-type': JSON_11, 'x-amzn-requestid': requestId }, body: JSON.stringify(store[operation](input)) };
    } catch (err) {
      if (err instanceof SagemakerApiError) return awsError(err, requestId);
      throw err;
    }
  };
}

// ---- protocol --------------------------------------------------------------------------------

function operationOf(req: SandboxRequest): SagemakerOperation {
  const target = header(req, 'x-amz-target');
  const name = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  if (!name || !(SAGEMAKER_OPERATIONS as readonly string[]).includes(name)) {
    throw new SagemakerApiError('com.amazon.coral.service#UnknownOperationException', target ? `Unknown operation ${target}` : 'Missing X-Amz-Target');
  }
  return name as SagemakerOperation;
}

function parseInput(req: SandboxRequest): Record<string, unknown> {
  const contentType = header(req, 'content-type')?.split(';')[0]?.trim();
  if (contentType !== JSON_11) {
    throw new SagemakerApiError('com.amazon.coral.service#UnknownOperationException', `Content-Type must be ${JSON_11}`);
  }
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw serializationError('Start of structure or map found where not expected.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw serializationError('Start of structure or map found where not expected.');
  return parsed as Record<string, unknown>;
}

const CREDENTIAL = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=[0-9a-f]{64}$/;

/**
 * SigV4's shape, not its math: the header and the date present, the scope naming this
 * region and service, and the configured access key id. What AWS answers when they are not.
 */
function checkSignature(req: SandboxRequest, region: string, credentials: SagemakerSandboxCredentials | undefined): void {
  const authorization = header(req, 'authorization');
  if (!authorization) throw new SagemakerApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = CREDENTIAL.exec(authorization);
  if (!m || !header(req, 'x-amz-date')) {
    throw new SagemakerApiError(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, and an X-Amz-Date header.",
    );
  }
  const [, accessKeyId, , scopeRegion, service, signedHeaders] = m;
  if (service !== 'sagemaker') {
    throw new SagemakerApiError('InvalidSignatureException', `Credential should be scoped to correct service: 'sagemaker'. `);
  }
  if (scopeRegion !== region) {
    throw new SagemakerApiError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${scopeRegion}'. `);
  }
  if (!signedHeaders!.split(';').includes('x-amz-target')) {
    throw new SagemakerApiError('InvalidSignatureException', 'The request signature must cover the x-amz-target header.');
  }
  if (credentials && accessKeyId !== credentials.accessKeyId) {
    throw new SagemakerApiError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
}

function header(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// ---- responses ----------------------------------------------------------------------------------

function awsError(err: SagemakerApiError, requestId: string): SandboxResponse {
  // Coral's own errors use `message`; SageMaker's modelled ones (ResourceNotFound, ...) `Message`.
  const messageKey = err.type.startsWith('com.amazon.coral') || /Exception$/.test(err.code) ? 'message' : 'Message';
  return {
    status: err.status,
    headers: { 'content-type': JSON_11, 'x-amzn-requestid': requestId, 'x-amzn-errortype': `${err.code}:` },
    body: JSON.stringify({ __type: err.type, [messageKey]: err.message }),
  };
}

function throttlingError(): SagemakerApiError {
  return new SagemakerApiError('ThrottlingException', 'Rate exceeded');
}

/**
 * Injected failures as AWS words them: a "429" is SageMaker's 400 ThrottlingException (AWS
 * JSON services throttle with 400), 500 `InternalFailure`, 503 `ServiceUnavailable`; other
 * statuses come from whatever proxy sits in front (a VPC endpoint's load balancer).
 */
export function sagemakerFaultResponse(status: number): SandboxResponse {
  const id = requestIdFor(hashSeed('fault', status));
  if (status === 429) return awsError(throttlingError(), id);
  if (status === 500) return awsError(new SagemakerApiError('InternalFailure', 'We encountered an internal error. Please try again.', 500), id);
  if (status === 503) return awsError(new SagemakerApiError('ServiceUnavailable', 'Service Unavailable', 503), id);
  return proxyErrorPage(status);
}

/** A request id shaped like AWS's (a UUID), unique per request of one server and the same on every run. */
function requestIdFor(n: number): string {
  const h = (k: number) => hashSeed('sagemaker-request', n, k).toString(16).padStart(8, '0');
  const a = h(1);
  const b = h(2);
  const c = h(3);
  const d = h(4);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

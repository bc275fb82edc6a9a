/**
 * Google's error model as Vertex AI's REST front end renders it: `google.rpc.Status` as
 * `{"error": {"code", "message", "status", "details"}}`, pretty-printed, with the HTTP status
 * the canonical code maps to (`google/rpc/code.proto`).
 */
import type { GoogleRpcDetail } from '../../connectors/vertex/types';
import type { SandboxResponse } from '../http';

export type GoogleCanonicalCode =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'OUT_OF_RANGE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ABORTED'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'INTERNAL'
  | 'UNKNOWN'
  | 'UNIMPLEMENTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED';

export const GOOGLE_HTTP_STATUS: Record<GoogleCanonicalCode, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** The canonical code of an HTTP status, for injected failures. */
export function canonicalCodeFor(status: number): GoogleCanonicalCode {
  const exact = (Object.entries(GOOGLE_HTTP_STATUS) as Array<[GoogleCanonicalCode, number]>).find(([, s]) => s === status);
  if (exact) return exact[0];
  return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
}

export const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
export const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
export const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
export const HELP = 'type.googleapis.com/google.rpc.Help';

/** What the store and the handler throw; the server renders it as Google's error body. */
export class VertexError extends Error {
  constructor(
    readonly status: GoogleCanonicalCode,
    message: string,
    readonly details: GoogleRpcDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'VertexError';
  }

  get httpStatus(): number {
    return GOOGLE_HTTP_STATUS[this.status];
  }

  toResponse(): SandboxResponse {
    const error: Record<string, unknown> = { code: this.httpStatus, message: this.message, status: this.status };
    if (this.details.length) error.details = this.details;
    return {
      status: this.httpStatus,
      headers: { 'content-type': 'application/json; charset=UTF-8', vary: 'Origin, X-Origin, Referer', ...this.headers },
      body: `${JSON.stringify({ error }, null, 2)}\n`,
    };
  }
}

export function invalidArgument(message: string, field?: string, description?: string): VertexError {
  return new VertexError(
    'INVALID_ARGUMENT',
    message,
    field ? [{ '@type': BAD_REQUEST, fieldViolations: [{ field, description: description ?? message }] }] : [],
  );
}

export function notFound(message: string): VertexError {
  return new VertexError('NOT_FOUND', message);
}

/** IAM's answer for a project the caller cannot see, or that does not exist (it does not say which). */
export function permissionDenied(permission: string, resource: string): VertexError {
  return new VertexError(
    'PERMISSION_DENIED',
    `Permission '${permission}' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
    [
      {
        '@type': ERROR_INFO,
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'aiplatform.googleapis.com',
        metadata: { permission, resource },
      },
    ],
  );
}

/** Google's front end on a path no API serves: an HTML page, not JSON. */
export function frontEndNotFound(path: string): SandboxResponse {
  const safe = path.replace(/[<>&"]/g, '');
  return {
    status: 404,
    headers: { 'content-type': 'text/html; charset=UTF-8' },
    body:
      '<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n' +
      `  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL <code>${safe}</code> was not found on this server.  <ins>That’s all we know.</ins>\n`,
  };
}

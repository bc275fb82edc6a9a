/**
 * MLflow's error model: an `ErrorCode` name from databricks.proto and the HTTP status
 * MLflow maps it to (`mlflow/exceptions.py`, ERROR_CODE_TO_HTTP_STATUS).
 */

export type MlflowErrorCode =
  | 'INTERNAL_ERROR'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'ENDPOINT_NOT_FOUND'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_STATE'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_IMPLEMENTED';

export const MLFLOW_HTTP_STATUS: Record<MlflowErrorCode, number> = {
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  ENDPOINT_NOT_FOUND: 404,
  REQUEST_LIMIT_EXCEEDED: 429,
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_IMPLEMENTED: 501,
};

/** What the store and the handlers throw; the server renders it as MLflow's error body. */
export class MlflowError extends Error {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MlflowError';
  }

  get httpStatus(): number {
    return MLFLOW_HTTP_STATUS[this.errorCode];
  }

  /**
   * `MlflowException.serialize_as_json`: Python's `json.dumps` with its default separators,
   * so the body is byte-for-byte what the real server sends (ASCII messages).
   */
  toJson(): string {
    return `{"error_code": ${JSON.stringify(this.errorCode)}, "message": ${JSON.stringify(this.message)}}`;
  }
}

export function invalidParameter(message: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', message);
}

export function notFound(message: string): MlflowError {
  return new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
}

/** Python's `repr()` of a set or list of strings, which MLflow puts in its messages verbatim. */
export function pyRepr(values: readonly string[], brackets: '{}' | '[]' | '()' = '{}'): string {
  return `${brackets[0]}${values.map((v) => `'${v}'`).join(', ')}${brackets[1]}`;
}

import type { Logger } from '../connectors/core/logger';

/**
 * Node prints process warnings (deprecations, the AWS SDK's NodeVersionSupportWarning on
 * Node < 22) as plain multi-line text on stderr, in the middle of the JSON log stream, where
 * a log shipper splits them into lines nobody can parse. This sends each one to the logger
 * instead, as one warn line; on Node 22 and later the AWS SDK emits none.
 *
 * Call it before anything that may warn is loaded or constructed.
 */
export function logProcessWarnings(logger: Logger): void {
  // Node's own printer is a 'warning' listener: without it nothing is printed twice.
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    logger.warn('process warning', {
      warning: warning.name,
      ...(warning.code ? { code: warning.code } : {}),
      message: warning.message,
    });
  });
}

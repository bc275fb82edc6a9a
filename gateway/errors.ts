import type { GraphQLFormattedError } from 'graphql';
import { LIMIT_CODES } from './limits/operation-limits';

/**
 * What an error may tell a client. Without `server.debug`, an answer carries no stack trace,
 * no internal URL and no upstream response text: a source's error is rewritten from its
 * code, status and source alone, and an error of no known kind says only that it happened.
 * With `debug`, errors pass as they are (for a developer's own machine).
 */

/** Codes whose messages modelgraph writes itself, from nothing a caller should not see. */
const OWN_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'SUBGRAPH_UNAVAILABLE',
  'REQUEST_BUDGET_EXCEEDED',
  // The governance history is off: the message names the key that turns it on.
  'HISTORY_DISABLED',
  // A feature the configuration leaves off (`tickets`).
  'NOT_CONFIGURED',
  // Another replica's `openFindingTickets` held the project's lock past this request's wait.
  'TICKET_RUN_IN_PROGRESS',
  ...LIMIT_CODES,
]);

const SOURCE_WORDS: Record<string, string> = {
  SOURCE_UNAVAILABLE: 'is unavailable',
  SOURCE_TIMEOUT: 'did not answer in time',
  SOURCE_RATE_LIMITED: 'is rate-limiting modelgraph',
  SOURCE_UNAUTHENTICATED: 'refused modelgraph\'s credentials',
  SOURCE_FORBIDDEN: 'does not let modelgraph see this',
  SOURCE_NOT_FOUND: 'has no such object',
  SOURCE_BAD_REQUEST: 'refused the request',
  SOURCE_BAD_RESPONSE: 'answered something unexpected',
};

/** Extensions a client may see; the rest (stack traces, Apollo's `serviceName`, responses) stay inside. */
const PUBLIC_EXTENSIONS = [
  'code',
  'source',
  'status',
  'upstreamCode',
  'retryAfterMs',
  'subgraph',
  'field',
  'missingScopes',
  'limit',
  'measured',
  'cost.estimated',
  'cost.max',
];

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi;

export function formatGatewayError(formatted: GraphQLFormattedError, debug: boolean): GraphQLFormattedError {
  if (debug) return formatted;
  const extensions = (formatted.extensions ?? {}) as Record<string, unknown>;
  const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
  const kept: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSIONS) if (extensions[key] !== undefined) kept[key] = extensions[key];
  kept.code = code;

  let message: string;
  if (code in SOURCE_WORDS && typeof extensions.source === 'string') {
    // A source's own message quotes the vendor's response body, and socket errors name the
    // upstream's address; the code says what matters.
    const status = typeof extensions.status === 'number' ? ` (HTTP ${extensions.status})` : '';
    message = `${extensions.source}: the source ${SOURCE_WORDS[code]}${status}`;
  } else if (OWN_CODES.has(code) || code.startsWith('SOURCE_')) {
    message = formatted.message.replace(URL_PATTERN, '[url]');
  } else {
    message = 'internal server error';
  }
  return {
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: kept,
  };
}

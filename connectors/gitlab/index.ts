export {
  GitlabConnector,
  classifyResponse,
  parseErrorBody,
  parseRateLimit,
  type GitlabConnectorConfig,
  type GitlabConnectorDeps,
} from './client';
// Core's, shared with GitHub; re-exported where it was.
export { parseLinkHeader } from '../core/link-pages';
export * from './map';
export type * from './types';
export { GITLAB_CODEOWNERS_PATHS, GITLAB_PAGINATION } from './types';

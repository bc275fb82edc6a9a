export {
  GitlabConnector,
  classifyResponse,
  parseErrorBody,
  parseLinkHeader,
  parseRateLimit,
  type GitlabConnectorConfig,
  type GitlabConnectorDeps,
} from './client';
export * from './map';
export type * from './types';
export { GITLAB_CODEOWNERS_PATHS, GITLAB_PAGINATION } from './types';

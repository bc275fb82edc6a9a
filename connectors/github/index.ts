export {
  GithubConnector,
  classifyResponse,
  createGithubHttpClient,
  githubWebOrigin,
  parseErrorBody,
  parseRateLimit,
  type GithubConnectorDeps,
} from './client';
// The Link walker and parser are core's, shared with GitLab; re-exported where they were.
export { parseLinkHeader, walkLinkPages, type LinkPage } from '../core/link-pages';
export * from './map';
export type * from './types';
export { GITHUB_API_VERSION, GITHUB_CODEOWNERS_PATHS, GITHUB_MEDIA_TYPE, GITHUB_PAGE_LIMITS } from './types';

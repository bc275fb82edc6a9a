export {
  GithubConnector,
  classifyGithubResponse,
  createGithubHttpClient,
  githubWebOrigin,
  parseGithubErrorBody,
  parseGithubRateLimit,
  parseLinkHeader,
  walkLinkPages,
  type GithubConnectorDeps,
  type LinkPage,
} from './client';
export * from './map';
export type * from './types';
export { GITHUB_API_VERSION, GITHUB_CODEOWNERS_PATHS, GITHUB_MEDIA_TYPE, GITHUB_PAGE_LIMITS } from './types';

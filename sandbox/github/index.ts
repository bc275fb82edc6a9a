export {
  createGithubHandler,
  githubFaultResponse,
  startGithubSandbox,
  type GithubRateLimitOptions,
  type GithubSandboxAuth,
  type GithubSandboxOptions,
} from './server';
export {
  createGithubStore,
  gitBlobSha,
  WEB_FLOW,
  type CodeOwnersLocation,
  type GitSignature,
  type GithubSandboxStore,
  type SandboxCommit,
  type SandboxRepository,
} from './store';

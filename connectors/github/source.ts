import { defineSource } from '../source-module';
import { GITHUB_LIMITS } from './limits';
import { GithubConnector } from './client';
import { githubInstanceSchema } from './config';

/** GitHub as one source of the graph (see connectors/source-module.ts). */
export const githubSource = defineSource({
  kind: 'GITHUB',
  configKey: 'github',
  label: 'GitHub',
  schema: githubInstanceSchema,
  capabilities: ['gitHost'],
  identityTool: 'GITHUB',
  health: { ...GITHUB_LIMITS, reportsRateLimit: true },
  slot: 'gitHosts',
  create: (config, context) => GithubConnector.fromConfig(config, context),
});

declare module '../core/source' {
  interface SourceKinds {
    GITHUB: true;
  }
}

declare module '../core/graph' {
  interface IdentityTools {
    GITHUB: true;
  }
}

declare module '../git/types' {
  interface GitHosts {
    GITHUB: true;
  }
}

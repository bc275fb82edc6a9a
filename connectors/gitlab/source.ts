import { defineSource } from '../source-module';
import { GITLAB_LIMITS } from './limits';
import { GitlabConnector } from './client';
import { gitlabInstanceSchema } from './config';

/** GitLab as one source of the graph (see connectors/source-module.ts). */
export const gitlabSource = defineSource({
  kind: 'GITLAB',
  configKey: 'gitlab',
  label: 'GitLab',
  schema: gitlabInstanceSchema,
  capabilities: ['gitHost'],
  identityTool: 'GITLAB',
  health: { ...GITLAB_LIMITS, reportsRateLimit: true },
  slot: 'gitHosts',
  create: (config, context) => GitlabConnector.fromConfig(config, context),
});

declare module '../core/source' {
  interface SourceKinds {
    GITLAB: true;
  }
}

declare module '../core/graph' {
  interface IdentityTools {
    GITLAB: true;
  }
}

declare module '../git/types' {
  interface GitHosts {
    GITLAB: true;
  }
}

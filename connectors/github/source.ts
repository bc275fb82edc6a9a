import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../core/vendor-rate-limits';
import { defineSource } from '../source-module';
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
  health: { rateLimit: VENDOR_RATE_LIMITS.GITHUB, concurrency: VENDOR_CONCURRENCY.GITHUB, reportsRateLimit: true },
  slot: 'gitHosts',
  create: (config, context) => GithubConnector.fromConfig(config, context),
});

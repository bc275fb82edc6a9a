import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../core/vendor-rate-limits';
import { defineSource } from '../source-module';
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
  health: { rateLimit: VENDOR_RATE_LIMITS.GITLAB, concurrency: VENDOR_CONCURRENCY.GITLAB, reportsRateLimit: true },
  slot: 'gitHosts',
  create: (config, context) => GitlabConnector.fromConfig(config, context),
});

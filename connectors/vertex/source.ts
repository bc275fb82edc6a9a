import { VENDOR_CONCURRENCY, VENDOR_RATE_LIMITS } from '../core/vendor-rate-limits';
import { defineSource } from '../source-module';
import { VertexConnector } from './client';
import { vertexInstanceSchema } from './config';

/** Vertex AI as one source of the graph (see connectors/source-module.ts). */
export const vertexSource = defineSource({
  kind: 'VERTEX_AI',
  configKey: 'vertex',
  label: 'Vertex AI',
  schema: vertexInstanceSchema,
  capabilities: ['modelRegistry', 'deploymentTarget'],
  identityTool: null,
  health: { rateLimit: VENDOR_RATE_LIMITS.VERTEX_AI, concurrency: VENDOR_CONCURRENCY.VERTEX_AI, reportsRateLimit: false },
  slot: 'registries',
  create: (config, context) => VertexConnector.fromConfig(config, context),
});

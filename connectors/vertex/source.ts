import { defineSource } from '../source-module';
import { vertexRegistry } from './registry';
import { VERTEX_AI_LIMITS } from './limits';
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
  health: { ...VERTEX_AI_LIMITS, reportsRateLimit: false },
  registry: vertexRegistry,
  slot: 'registries',
  create: (config, context) => VertexConnector.fromConfig(config, context),
});

declare module '../core/source' {
  interface SourceKinds {
    VERTEX_AI: true;
  }
}

// The Vertex AI sandbox's public surface, for `sandbox/index.ts` to re-export.
export {
  createVertexHandler,
  startVertexSandbox,
  vertexFaultResponse,
  VERTEX_SANDBOX_TOKEN,
  type VertexHandlerOptions,
  type VertexSandboxOptions,
} from './server';
export { createVertexStore, paginate, timestamp, VERTEX_SANDBOX_PAGE_SIZE, type ListArgs, type VertexStore } from './store';
export {
  seedVertex,
  VERTEX_SANDBOX_LOCATION,
  VERTEX_SANDBOX_PROJECT,
  VERTEX_SEED_EXTRA_MODELS,
  VERTEX_SEED_GAPS,
  VERTEX_SEED_KEY_LABEL,
  VERTEX_SEED_TEAMS,
  type VertexSeed,
  type VertexSeedDeployedModel,
  type VertexSeedEndpoint,
  type VertexSeedModel,
  type VertexSeedVersion,
} from './seed';
export { parseFilter, matchesFilter, type Filter, type FilterTerm, type Filterable } from './filter';
export { VertexError, GOOGLE_HTTP_STATUS, type GoogleCanonicalCode } from './errors';

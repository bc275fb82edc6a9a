// The Vertex AI connector's public surface.
export {
  VertexConnector,
  classifyResponse,
  createAdcTokenSource,
  parseDuration,
  parseErrorBody,
  type AccessTokenSource,
  type VertexConnectorDeps,
} from './client';
export * from './map';
export type * from './types';
export { VERTEX_KEY_LABEL, VERTEX_PAGE_SIZE, VERTEX_SCOPE } from './types';

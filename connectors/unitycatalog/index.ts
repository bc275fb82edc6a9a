// The Unity Catalog connector's public surface.
export { UnityCatalogConnector, parseErrorBody, type UnityCatalogConnectorDeps } from './client';
export { ClientCredentialsTokenSource, staticToken, type BearerTokenSource, type ClientCredentials } from './oauth';
export * from './map';
export type * from './types';
export { DATABRICKS_OAUTH_SCOPE, UC_API_PREFIX, UC_PAGE_SIZE } from './types';

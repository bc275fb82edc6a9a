/**
 * Endpoint names with a staging, dev, test or QA word (`fraud-staging`, `dev_scoring`): the
 * default of `governance.nonProductionEndpoints`. Here, below both, so that config/schema.ts
 * states the default without importing a subgraph and the governance's own defaults agree.
 */
export const NON_PRODUCTION_ENDPOINTS = '(^|[-_.])(staging|stage|stg|dev|test|testing|qa|sandbox)([-_.]|$)';

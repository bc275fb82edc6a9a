export { JiraConnector, parseErrorBody, parseRateLimit, type JiraConnectorDeps, type TicketSearchOptions } from './client';
export * from './map';
export type * from './types';
export { JIRA_DEFAULT_PAGE_SIZES, JIRA_PAGE_LIMITS } from './types';

export { JiraConnector, JqlRefusedError, fieldsInError, parseErrorBody, parseRateLimit, type JiraConnectorDeps } from './client';
export type { TicketConnector, TicketSearchOptions, TicketWriteConnector } from './ticket-connector';
export * from './map';
export { JqlScopeError, projectClause, projectOfIssue, projectOfIssueKey, scopeJql, splitOrderBy } from './scope';
export type * from './types';
export { JIRA_DEFAULT_PAGE_SIZES, JIRA_PAGE_LIMITS } from './types';
export * from './requests';

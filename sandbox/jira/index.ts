// The Jira sandbox's public surface, for `sandbox/index.ts` to re-export.
export {
  createJiraHandler,
  jiraFaultResponse,
  startJiraSandbox,
  JIRA_CLOUD_MAX_RESULTS,
  type JiraHandlerOptions,
  type JiraSandboxAuth,
  type JiraSandboxFlavor,
  type JiraSandboxOptions,
} from './server';
export { createJiraStore, createStoreFromSeed, type JiraSearchResult, type JiraStore } from './store';
export { JqlError, parseJql, type JqlClause, type JqlQuery, type JqlSort, type JqlTerm } from './jql';
export {
  seedJiraIssues,
  JIRA_MODEL_FIELD,
  JIRA_SEED_GAPS,
  JIRA_STATUSES,
  type JiraSeed,
  type JiraSeedIssue,
  type JiraSeedOptions,
  type JiraSeedProject,
  type JiraSeedUser,
} from './seed';
export { jiraTime, renderIssue, renderUser, selectFields } from './render';

import { defineSource } from '../source-module';
import { JIRA_LIMITS } from './limits';
import { JiraConnector } from './client';
import { jiraInstanceSchema } from './config';

/** Jira as one source of the graph (see connectors/source-module.ts). */
export const jiraSource = defineSource({
  kind: 'JIRA',
  configKey: 'jira',
  label: 'Jira',
  schema: jiraInstanceSchema,
  capabilities: ['tracker'],
  identityTool: 'JIRA',
  health: { ...JIRA_LIMITS, reportsRateLimit: true },
  slot: 'jira',
  // `context.modelTicketFields`: the approval field is read with the model tickets, not in a call of its own.
  create: (config, context) => JiraConnector.fromConfig(config, context),
});

declare module '../core/source' {
  interface SourceKinds {
    JIRA: true;
  }
}

declare module '../core/graph' {
  interface IdentityTools {
    JIRA: true;
  }
}

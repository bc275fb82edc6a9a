import { z } from 'zod';
import { instanceName, httpUrl, connectionOptions } from '../core/config';

/**
 * How a Jira issue belongs to a model: a label (`{key}` stands for the model key), a
 * component named by the same pattern, or a custom field holding the key.
 */
const jiraModelLinkSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('label'), pattern: z.string().includes('{key}').default('model:{key}') }).strict(),
  z.object({ type: z.literal('component'), pattern: z.string().includes('{key}').default('{key}') }).strict(),
  z
    .object({
      type: z.literal('customField'),
      /** e.g. `customfield_10042` */
      field: z.string().regex(/^customfield_\d+$/, 'must be a custom field id such as customfield_10042'),
    })
    .strict(),
]);

/** A `sources.jira` instance, as the configuration file writes it (config/schema.ts assembles `sources` from these). */
export const jiraInstanceSchema = z
  .object({
    name: instanceName,
    /** Jira Cloud (REST v3) or Jira Data Center / Server (REST v2). */
    flavor: z.enum(['cloud', 'datacenter']).default('cloud'),
    /** Site URL, e.g. https://acme.atlassian.net or https://jira.example.com */
    url: httpUrl,
    auth: z.discriminatedUnion('type', [
      /** Cloud: the account's email and an API token. */
      z.object({ type: z.literal('basic'), email: z.string().min(1), apiToken: z.string().min(1) }).strict(),
      /** Data Center: a personal access token. */
      z.object({ type: z.literal('bearer'), token: z.string().min(1) }).strict(),
    ]),
    modelLink: jiraModelLinkSchema.default({ type: 'label', pattern: 'model:{key}' }),
    /** Every path into this Jira sees only these projects: searches are wrapped in `project in (...) AND (...)`, and a ticket of another project is answered as missing. */
    projects: z.array(z.string().regex(/^[A-Z][A-Z0-9_]+$/, 'must be a Jira project key')).optional(),
    ...connectionOptions,
  })
  .strict();

export type JiraInstanceConfig = z.infer<typeof jiraInstanceSchema>;

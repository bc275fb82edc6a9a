import { z } from 'zod';
import { instanceName, httpUrl, connectionOptions } from '../core/config';

/** A `sources.github` instance, as the configuration file writes it (config/schema.ts assembles `sources` from these). */
export const githubInstanceSchema = z
  .object({
    name: instanceName,
    /** REST API root: https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server. */
    url: httpUrl.default('https://api.github.com'),
    /** Web root for links, e.g. https://github.com (derived from `url` when omitted). */
    webUrl: httpUrl.optional(),
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('none') }).strict(),
        /** A personal access token or an installation token. */
        z.object({ type: z.literal('token'), token: z.string().min(1) }).strict(),
      ])
      .default({ type: 'none' }),
    ...connectionOptions,
  })
  .strict();

export type GithubInstanceConfig = z.infer<typeof githubInstanceSchema>;

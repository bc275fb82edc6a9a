import { z } from 'zod';
import { instanceName, httpUrl, connectionOptions } from '../core/config';

/** A `sources.gitlab` instance, as the configuration file writes it (config/schema.ts assembles `sources` from these). */
export const gitlabInstanceSchema = z
  .object({
    name: instanceName,
    /** Instance root: https://gitlab.com or a self-managed URL (the API is under /api/v4). */
    url: httpUrl.default('https://gitlab.com'),
    /** Web root repositories are known by, when it differs from `url` (a proxy, an API-only host). */
    webUrl: httpUrl.optional(),
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('none') }).strict(),
        /** Sent as `PRIVATE-TOKEN` (personal, project or group access token). */
        z.object({ type: z.literal('privateToken'), token: z.string().min(1) }).strict(),
        /** Sent as `Authorization: Bearer` (OAuth token). */
        z.object({ type: z.literal('bearer'), token: z.string().min(1) }).strict(),
      ])
      .default({ type: 'none' }),
    ...connectionOptions,
  })
  .strict();

export type GitlabInstanceConfig = z.infer<typeof gitlabInstanceSchema>;

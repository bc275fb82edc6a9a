import { z } from 'zod';
import { instanceName, httpUrl, connectionOptions } from '../core/config';

/** A `sources.vertex` instance, as the configuration file writes it (config/schema.ts assembles `sources` from these). */
export const vertexInstanceSchema = z
  .object({
    name: instanceName,
    /** Google Cloud project id. */
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id'),
    /** Region, e.g. europe-west4; the API host is `{location}-aiplatform.googleapis.com`. */
    location: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'must be a Google Cloud region such as europe-west4'),
    /** API root override (the sandbox, Private Service Connect); default the regional host. */
    endpoint: httpUrl.optional(),
    /** Default: application default credentials through google-auth-library. */
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('adc') }).strict(),
        z.object({ type: z.literal('token'), token: z.string().min(1) }).strict(),
      ])
      .default({ type: 'adc' }),
    ...connectionOptions,
  })
  .strict();

export type VertexInstanceConfig = z.infer<typeof vertexInstanceSchema>;

import { z } from 'zod';
import { instanceName, httpUrl, connectionOptions, rateLimitSchema, rateLimitFields } from '../core/config';

/** A `sources.sagemaker` instance, as the configuration file writes it (config/schema.ts assembles `sources` from these). */
export const sagemakerInstanceSchema = z
  .object({
    name: instanceName,
    /** AWS region, e.g. us-east-1. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'),
    /** Endpoint override (a VPC endpoint, the sandbox); default: the SDK's regional endpoint. */
    endpoint: httpUrl.optional(),
    /**
     * Default: the AWS SDK's standard credential chain (environment, shared config and
     * profile, SSO, web identity, container and instance roles). `static` is for the sandbox
     * or short tests; `profile` picks a named profile of the shared config files.
     */
    credentials: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('default') }).strict(),
        z.object({ type: z.literal('profile'), profile: z.string().min(1) }).strict(),
        z
          .object({
            type: z.literal('static'),
            accessKeyId: z.string().min(1),
            secretAccessKey: z.string().min(1),
            sessionToken: z.string().min(1).optional(),
          })
          .strict(),
      ])
      .default({ type: 'default' }),
    ...connectionOptions,
    /**
     * SageMaker throttles each API on its own, so each operation has its own limiter with
     * these settings; `operations.<Operation>` (`DescribeEndpoint`, `Search`...) overrides
     * them for one.
     */
    rateLimit: rateLimitSchema
      .extend({
        operations: z
          .record(z.string().regex(/^[A-Z][A-Za-z]+$/, 'must be a SageMaker operation such as DescribeEndpoint'), z.object(rateLimitFields).strict())
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SagemakerInstanceConfig = z.infer<typeof sagemakerInstanceSchema>;

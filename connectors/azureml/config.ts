import { z } from 'zod';
import { instanceName, httpUrl, connectionOptions } from '../core/config';

/** A `sources.azureml` instance, as the configuration file writes it (config/schema.ts assembles `sources` from these). */
export const azuremlInstanceSchema = z
  .object({
    name: instanceName,
    subscriptionId: z.guid({ error: 'must be a subscription id (a GUID)' }),
    resourceGroup: z.string().min(1).max(90),
    workspace: z.string().min(1),
    /** Resource Manager root; default https://management.azure.com (sovereign clouds differ). */
    endpoint: httpUrl.default('https://management.azure.com'),
    /** Default: DefaultAzureCredential from @azure/identity, for the management scope. */
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('default') }).strict(),
        z.object({ type: z.literal('token'), token: z.string().min(1) }).strict(),
      ])
      .default({ type: 'default' }),
    ...connectionOptions,
  })
  .strict();

export type AzuremlInstanceConfig = z.infer<typeof azuremlInstanceSchema>;

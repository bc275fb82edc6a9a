import { mlflowSourceFromEntries } from '../registry/mlflow-source';
import type { RegistryProfile } from '../registry/types';

/** What Azure ML says of a model version that the shared version shape has no place for. */
export interface AzureMlVersionDetails {
  kind: 'AZURE_ML';
  /** The ARM resource id of the model version. */
  resourceId: string;
  /** `modelType`: custom_model, mlflow_model, triton_model. */
  modelType: string | null;
  stage: string | null;
  jobName: string | null;
}

declare module '../registry/types' {
  interface CloudVersionDetailsByKind {
    AZURE_ML: AzureMlVersionDetails;
  }
}

/** Azure ML as a model registry (see RegistryProfile). */
export const azuremlRegistry: RegistryProfile<'AZURE_ML'> = {
  kind: 'AZURE_ML',
  detailsType: 'AzureMlVersionDetails',
  detailsSdl: `
"What Azure ML says of a model version."
type AzureMlVersionDetails {
  resourceId: String!
  modelType: String
  stage: String
  jobName: String
}
`,
  versionRef: (version) => version.details.resourceId.toLowerCase(),
  // A model version's ARM id, `.../workspaces/<ws>/models/<name>/versions/<version>`
  // (case-insensitive, as ARM ids are).
  parseVersionRef(ref) {
    const match = /\/workspaces\/[^/]+\/models\/([^/]+)\/versions\/([^/]+)$/i.exec(ref);
    return match ? { modelId: match[1], version: match[2] } : null;
  },
  // `mlflow.registered_model` tags, and `azureml.mlflow.run_id` on models MLflow logged.
  mlflowSource: (version) => mlflowSourceFromEntries(version.tags),
};

import type { KeyValue } from '../core/graph';
import { mlflowSourceFromEntries } from '../registry/mlflow-source';
import type { RegistryProfile } from '../registry/types';

/** What SageMaker says of a model package that the shared version shape has no place for. */
export interface SageMakerVersionDetails {
  kind: 'SAGEMAKER';
  modelPackageArn: string;
  modelPackageGroupName: string;
  /** `ModelApprovalStatus`: Approved, Rejected, PendingManualApproval. */
  modelApprovalStatus: string | null;
  /** `ModelPackageStatus`: Pending, InProgress, Completed, Failed, Deleting. */
  modelPackageStatus: string | null;
  customerMetadata: KeyValue[];
  /** Container images of the inference specification. */
  images: string[];
}

declare module '../registry/types' {
  interface CloudVersionDetailsByKind {
    SAGEMAKER: SageMakerVersionDetails;
  }
}

/** SageMaker as a model registry (see RegistryProfile). */
export const sagemakerRegistry: RegistryProfile<'SAGEMAKER'> = {
  kind: 'SAGEMAKER',
  detailsType: 'SageMakerVersionDetails',
  detailsSdl: `
"What Amazon SageMaker says of a model package (a version)."
type SageMakerVersionDetails {
  modelPackageArn: String!
  modelPackageGroupName: String!
  modelApprovalStatus: String
  modelPackageStatus: String
  customerMetadata: [KeyValue!]! @listSize(assumedSize: 10)
  images: [String!]!
}
`,
  versionRef: (version) => version.details.modelPackageArn.toLowerCase(),
  // A model package ARN, `arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>`.
  parseVersionRef(ref) {
    const match = /^arn:aws[a-z-]*:sagemaker:[^:]*:\d*:model-package\/([^/]+)\/(\d+)$/i.exec(ref);
    return match ? { modelId: match[1], version: match[2] } : null;
  },
  // MLflow's SageMaker deployment plugin and upload scripts write `mlflow.*` customer metadata.
  mlflowSource: (version) => mlflowSourceFromEntries([...version.tags, ...version.details.customerMetadata]),
};

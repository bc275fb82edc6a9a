// Written by `modelgraph compose` from the sources registry (connectors/sources.ts): do not edit.
// `npm run compose` rewrites it; `compose --check` fails while it is stale.

export type SourceCapability = 'experimentTracker' | 'modelRegistry' | 'tracker' | 'gitHost' | 'deploymentTarget';

export interface SourceKindInfo {
  kind: string;
  /** The product name as people write it. */
  label: string;
  capabilities: readonly SourceCapability[];
}

/** Every source kind, in the registry's order. */
export const SOURCE_KINDS: readonly SourceKindInfo[] = [
  { kind: 'MLFLOW', label: 'MLflow', capabilities: ['experimentTracker', 'modelRegistry'] },
  { kind: 'JIRA', label: 'Jira', capabilities: ['tracker'] },
  { kind: 'GITHUB', label: 'GitHub', capabilities: ['gitHost'] },
  { kind: 'GITLAB', label: 'GitLab', capabilities: ['gitHost'] },
  { kind: 'SAGEMAKER', label: 'SageMaker', capabilities: ['modelRegistry', 'deploymentTarget'] },
  { kind: 'VERTEX_AI', label: 'Vertex AI', capabilities: ['modelRegistry', 'deploymentTarget'] },
  { kind: 'AZURE_ML', label: 'Azure ML', capabilities: ['modelRegistry', 'deploymentTarget'] },
  { kind: 'UNITY_CATALOG', label: 'Unity Catalog', capabilities: ['modelRegistry'] },
];

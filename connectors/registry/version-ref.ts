import type { RegistryKind } from './types';

/**
 * Reads the model and version out of what a cloud endpoint says it serves, so that a
 * deployment can be joined to the registry's version:
 * - SageMaker: a model package ARN, `arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>`
 * - Vertex AI: `projects/<p>/locations/<l>/models/<model id>@<version id>`
 * - Azure ML: a model version's ARM id, `.../workspaces/<ws>/models/<name>/versions/<version>`
 *   (case-insensitive, as ARM ids are).
 * - Unity Catalog: `<catalog>.<schema>.<model>/<version>`, the served entity's name and
 *   version as Databricks Model Serving writes them (`entity_name`, `entity_version`);
 *   case-insensitive, as Unity Catalog names are.
 * `modelId` is what the connector uses as the model's native id.
 */
export function parseVersionRef(kind: RegistryKind, ref: string | null): { modelId: string; version: string } | null {
  if (!ref) return null;
  let match: RegExpExecArray | null;
  switch (kind) {
    case 'SAGEMAKER':
      match = /^arn:aws[a-z-]*:sagemaker:[^:]*:\d*:model-package\/([^/]+)\/(\d+)$/i.exec(ref);
      return match ? { modelId: match[1], version: match[2] } : null;
    case 'VERTEX_AI':
      match = /^projects\/[^/]+\/locations\/[^/]+\/models\/([^/@]+)@([^/@]+)$/.exec(ref);
      return match ? { modelId: match[1], version: match[2] } : null;
    case 'AZURE_ML':
      match = /\/workspaces\/[^/]+\/models\/([^/]+)\/versions\/([^/]+)$/i.exec(ref);
      return match ? { modelId: match[1], version: match[2] } : null;
    case 'UNITY_CATALOG':
      match = /^([^./]+\.[^./]+\.[^./]+)\/(\d+)$/.exec(ref);
      return match ? { modelId: match[1].toLowerCase(), version: match[2] } : null;
  }
}

import { mlflowSourceFromEntries } from '../registry/mlflow-source';
import type { RegistryProfile } from '../registry/types';

/** What Vertex AI says of a model version that the shared version shape has no place for. */
export interface VertexAiVersionDetails {
  kind: 'VERTEX_AI';
  /** `projects/{p}/locations/{l}/models/{id}@{versionId}` */
  resourceName: string;
  versionId: string;
  versionAliases: string[];
  /** The container image of `containerSpec`, when the model has one. */
  containerImage: string | null;
}

declare module '../registry/types' {
  interface CloudVersionDetailsByKind {
    VERTEX_AI: VertexAiVersionDetails;
  }
}

/** Vertex AI as a model registry (see RegistryProfile). */
export const vertexRegistry: RegistryProfile<'VERTEX_AI'> = {
  kind: 'VERTEX_AI',
  detailsType: 'VertexAiVersionDetails',
  detailsSdl: `
"What Vertex AI says of a model version."
type VertexAiVersionDetails {
  resourceName: String!
  versionId: String!
  versionAliases: [String!]!
  containerImage: String
}
`,
  versionRef: (version) => version.details.resourceName.toLowerCase(),
  // `projects/<p>/locations/<l>/models/<model id>@<version id>`, as a deployed model names it.
  parseVersionRef(ref) {
    const match = /^projects\/[^/]+\/locations\/[^/]+\/models\/([^/@]+)@([^/@]+)$/.exec(ref);
    return match ? { modelId: match[1], version: match[2] } : null;
  },
  // Labels cannot hold dots, so Vertex records none of MLflow's keys; kept for labels a script mapped.
  mlflowSource: (version) => mlflowSourceFromEntries(version.tags),
};

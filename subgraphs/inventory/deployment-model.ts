/**
 * `Deployment.model`: which inventory model a cloud deployment serves. The registries
 * subgraph knows the version a deployment serves; the inventory knows which model holds
 * that cloud model's ref. A cloud version id is `<kind>:<instance>/<model id>/<version>`
 * and the model id is what the inventory's ref holds (a SageMaker group name, a Vertex AI
 * model id, an Azure ML container name; none of them can hold a `/`).
 */
import { sourceName, type SourceKind } from '../../connectors/core/source';

export interface DeploymentWithRequiredVersion {
  id: string;
  source?: { kind: SourceKind; instance: string } | null;
  modelVersion?: { id: string } | null;
}

/** The cloud model's native id, from the id of the version the deployment serves. */
export function servedModelId(deployment: DeploymentWithRequiredVersion): string | null {
  const { source, modelVersion } = deployment;
  if (!source || !modelVersion) return null;
  const prefix = `${sourceName(source.kind, source.instance)}/`;
  if (!modelVersion.id.startsWith(prefix)) return null;
  const rest = modelVersion.id.slice(prefix.length);
  const slash = rest.lastIndexOf('/');
  return slash > 0 ? rest.slice(0, slash) : null;
}

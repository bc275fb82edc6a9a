import DataLoader from 'dataloader';
import type { CloudModelVersion, Deployment, RegistryConnector } from '../../connectors/registry/types';
import { parseVersionRef } from '../../connectors/registry/version-ref';

/**
 * The string a cloud endpoint names a registered version by: the model package ARN, the
 * Vertex model version name, the Azure model version id. Compared ignoring case, as ARNs
 * and ARM ids are.
 */
export function versionRefOf(version: CloudModelVersion): string {
  const details = version.details;
  switch (details.kind) {
    case 'SAGEMAKER':
      return details.modelPackageArn.toLowerCase();
    case 'VERTEX_AI':
      return details.resourceName.toLowerCase();
    case 'AZURE_ML':
      return details.resourceId.toLowerCase();
  }
}

/**
 * Per-request loaders for one cloud registry instance: versions of many models in the
 * connector's batched way, and the instance's models and deployments listed once per
 * request.
 */
export class RegistryLoaders {
  readonly versions: DataLoader<string, CloudModelVersion[]>;
  private deploymentList?: Promise<Deployment[]>;
  private modelIds?: Promise<Map<string, string>>;

  constructor(readonly connector: RegistryConnector) {
    this.versions = new DataLoader(
      async (modelIds) => {
        const found = await connector.getVersionsForModels(modelIds);
        return modelIds.map((id) => found.get(id) ?? []);
      },
      { batchScheduleFn: (dispatch) => setImmediate(dispatch) },
    );
  }

  deployments(): Promise<Deployment[]> {
    return (this.deploymentList ??= this.connector.listDeployments());
  }

  /** The deployments serving any version of a model (by its native id). */
  async deploymentsOfModel(modelId: string): Promise<Deployment[]> {
    const wanted = modelId.toLowerCase();
    return (await this.deployments()).filter(
      (d) => parseVersionRef(this.connector.kind, d.modelVersionRef)?.modelId.toLowerCase() === wanted,
    );
  }

  /** The deployments serving one version. */
  async deploymentsOfVersion(version: CloudModelVersion): Promise<Deployment[]> {
    const ref = versionRefOf(version);
    return (await this.deployments()).filter((d) => d.modelVersionRef?.toLowerCase() === ref);
  }

  /** The registered version a deployment serves, or null when no registry entry matches. */
  async versionServedBy(deployment: Deployment): Promise<CloudModelVersion | null> {
    const parsed = parseVersionRef(this.connector.kind, deployment.modelVersionRef);
    if (!parsed || !deployment.modelVersionRef) return null;
    const versions = await this.versions.load(await this.canonicalModelId(parsed.modelId));
    const ref = deployment.modelVersionRef.toLowerCase();
    return versions.find((v) => versionRefOf(v) === ref) ?? null;
  }

  /** ARNs carry names lower-cased: the model's id as the registry lists it. */
  private async canonicalModelId(id: string): Promise<string> {
    this.modelIds ??= this.connector
      .listModels()
      .then((models) => new Map(models.map((m) => [m.source.nativeId.toLowerCase(), m.source.nativeId])));
    return (await this.modelIds).get(id.toLowerCase()) ?? id;
  }
}

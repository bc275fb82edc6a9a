import DataLoader from 'dataloader';
import type { CloudModelVersion, Deployment, RegistryConnector } from '../../connectors/registry/types';
import { parseVersionRef } from '../../connectors/registry/version-ref';

/**
 * Per-request loaders for one cloud registry instance: versions of many models in the
 * connector's batched way, and the instance's deployments listed once per request.
 */
export class RegistryLoaders {
  readonly versions: DataLoader<string, CloudModelVersion[]>;
  private deploymentList?: Promise<Deployment[]>;

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
    return (await this.deployments()).filter(
      (d) => parseVersionRef(this.connector.kind, d.modelVersionRef)?.modelId === modelId,
    );
  }

  /** The registered version a deployment serves, or null. */
  async versionServedBy(deployment: Deployment): Promise<CloudModelVersion | null> {
    const ref = parseVersionRef(this.connector.kind, deployment.modelVersionRef);
    if (!ref) return null;
    const versions = await this.versions.load(ref.modelId);
    return versions.find((v) => v.version === ref.version) ?? null;
  }
}

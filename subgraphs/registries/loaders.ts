import DataLoader from 'dataloader';
import type { CloudModelVersion, Deployment, RegistryConnector } from '../../connectors/registry/types';
import { registryProfile } from '../../connectors/sources';

/**
 * The string a cloud endpoint names a registered version by (the model package ARN, the
 * Vertex model version name, the Azure model version id, ...), lower-cased: each registry's
 * profile says how.
 */
export function versionRefOf(version: CloudModelVersion): string {
  return registryProfile(version.details.kind).versionRef(version);
}

/** The model and version a deployment's ref names, as its registry reads it; null for anything else. */
function parseVersionRef(kind: RegistryConnector['kind'], ref: string | null): { modelId: string; version: string } | null {
  return ref ? registryProfile(kind).parseVersionRef(ref) : null;
}

interface DeploymentIndex {
  /** By the served model's native id, lower-cased. */
  byModel: Map<string, Deployment[]>;
  /** By the served version's ref, lower-cased. */
  byVersionRef: Map<string, Deployment[]>;
}

/**
 * Per deployments array, which the connector's cache hands out unchanged for as long as the
 * listing is fresh: a page asking for the deployments of 50 models then parses every ref
 * once per listing, not once per model per request.
 */
const deploymentIndexes = new WeakMap<readonly Deployment[], DeploymentIndex>();

function deploymentIndexOf(kind: RegistryConnector['kind'], deployments: readonly Deployment[]): DeploymentIndex {
  let index = deploymentIndexes.get(deployments);
  if (index) return index;
  index = { byModel: new Map(), byVersionRef: new Map() };
  for (const deployment of deployments) {
    const modelId = parseVersionRef(kind, deployment.modelVersionRef)?.modelId.toLowerCase();
    if (modelId !== undefined) push(index.byModel, modelId, deployment);
    const ref = deployment.modelVersionRef?.toLowerCase();
    if (ref) push(index.byVersionRef, ref, deployment);
  }
  deploymentIndexes.set(deployments, index);
  return index;
}

/**
 * A model's cloud versions across registries, newest first, as `Model.cloudVersions` lists
 * them (and the governance index reads them): sorted in place.
 */
export function newestVersionsFirst(versions: CloudModelVersion[]): CloudModelVersion[] {
  return versions.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Per-request loaders for one cloud registry instance: versions of many models in the
 * connector's batched way, and the instance's models and deployments listed once per
 * request.
 */
export class RegistryLoaders {
  readonly versions: DataLoader<string, CloudModelVersion[]>;
  /**
   * Instance types the listing left to look up (`Deployment.instanceTypeLookup`), by
   * deployment id: the deployments a request selects `instanceType` of go to the connector
   * together, which describes each configuration once. Undefined for connectors that list them.
   */
  private readonly instanceTypeLoader?: DataLoader<Deployment, string | null, string>;
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
    const instanceTypes = connector.instanceTypes?.bind(connector);
    if (instanceTypes) {
      this.instanceTypeLoader = new DataLoader((deployments) => instanceTypes(deployments), {
        cacheKeyFn: (deployment) => deployment.id,
        batchScheduleFn: (dispatch) => setImmediate(dispatch),
      });
    }
  }

  /** A deployment's instance type: as listed, else looked up (batched) when the listing left it to be. */
  instanceTypeOf(deployment: Deployment): Promise<string | null> | string | null {
    if (deployment.instanceType !== null || !deployment.instanceTypeLookup || !this.instanceTypeLoader) return deployment.instanceType;
    return this.instanceTypeLoader.load(deployment);
  }

  deployments(): Promise<Deployment[]> {
    return (this.deploymentList ??= this.connector.listDeployments());
  }

  /** The deployments serving any version of a model (by its native id). */
  async deploymentsOfModel(modelId: string): Promise<Deployment[]> {
    const index = deploymentIndexOf(this.connector.kind, await this.deployments());
    return index.byModel.get(modelId.toLowerCase()) ?? [];
  }

  /** The deployments serving one version. */
  async deploymentsOfVersion(version: CloudModelVersion): Promise<Deployment[]> {
    const index = deploymentIndexOf(this.connector.kind, await this.deployments());
    return index.byVersionRef.get(versionRefOf(version)) ?? [];
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

import DataLoader from 'dataloader';
import type { ModelVersion } from '../../connectors/core/graph';
import type { Experiment, MlflowConnector, RegisteredModel, Run } from '../../connectors/mlflow';

/**
 * Per-request loaders for one MLflow instance. Every resolver goes through them, so a
 * query over N models asks MLflow a number of questions that grows with result pages,
 * not with N, and never asks the same thing twice.
 */
export class MlflowInstanceLoaders {
  readonly registeredModel: DataLoader<string, RegisteredModel | null>;
  readonly versions: DataLoader<string, ModelVersion[]>;
  readonly run: DataLoader<string, Run | null>;
  readonly experiment: DataLoader<string, Experiment | null>;

  constructor(readonly connector: MlflowConnector) {
    this.registeredModel = new DataLoader(async (names) => {
      const found = await connector.getRegisteredModels(names);
      return names.map((n) => found.get(n) ?? null);
    });
    this.versions = new DataLoader(async (names) => {
      const found = await connector.getModelVersionsForModels(names);
      return names.map((n) => found.get(n) ?? []);
    });
    this.run = new DataLoader(async (ids) => {
      const found = await connector.getRunsByIds(ids);
      return ids.map((id) => found.get(id) ?? null);
    });
    this.experiment = new DataLoader(async (ids) => {
      const byId = new Map((await connector.listExperiments()).map((e) => [e.experimentId, e]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }
}

/** The loaders of every configured instance, created lazily per request. */
export class MlflowLoaders {
  private readonly byInstance = new Map<string, MlflowInstanceLoaders>();

  constructor(private readonly connectors: ReadonlyMap<string, MlflowConnector>) {}

  /** Undefined for an instance this subgraph is not configured with. */
  forInstance(instance: string): MlflowInstanceLoaders | undefined {
    let loaders = this.byInstance.get(instance);
    if (!loaders) {
      const connector = this.connectors.get(instance);
      if (!connector) return undefined;
      loaders = new MlflowInstanceLoaders(connector);
      this.byInstance.set(instance, loaders);
    }
    return loaders;
  }
}

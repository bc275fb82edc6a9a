import DataLoader from 'dataloader';
import type { ModelVersion } from '../../connectors/core/graph';
import { quoteFilterValue, type Experiment, type TrackingConnector, type RegisteredModel, type Run } from '../../connectors/mlflow';

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
  /**
   * Runs by `mlflow.user` value, newest first: one search per value, since MLflow filters
   * cannot OR. Matched ignoring case (ILIKE, then checked exactly): clients report the same
   * email in different cases.
   */
  readonly runsByUser: DataLoader<string, Run[]>;

  private experiments?: Promise<Experiment[]>;

  constructor(readonly connector: TrackingConnector) {
    // Loads arrive in waves (models known to two instances resolve a few promise hops
    // later than the rest); dispatching on setImmediate rather than the default next tick
    // lets every wave of the same I/O turn join one batch, at no added latency.
    const options = { batchScheduleFn: (dispatch: () => void) => setImmediate(dispatch) };
    this.registeredModel = new DataLoader(async (names) => {
      const found = await connector.getRegisteredModels(names);
      return names.map((n) => found.get(n) ?? null);
    }, options);
    this.versions = new DataLoader(async (names) => {
      const found = await connector.getModelVersionsForModels(names);
      return names.map((n) => found.get(n) ?? []);
    }, options);
    this.run = new DataLoader(async (ids) => {
      const experimentIds = (await this.allExperiments()).map((e) => e.experimentId);
      const found = await connector.getRunsByIds(ids, experimentIds);
      return ids.map((id) => found.get(id) ?? null);
    }, options);
    this.experiment = new DataLoader(async (ids) => {
      const byId = new Map((await this.allExperiments()).map((e) => [e.experimentId, e]));
      return ids.map((id) => byId.get(id) ?? null);
    }, options);
    this.runsByUser = new DataLoader(async (users) => {
      const experimentIds = (await this.allExperiments()).map((e) => e.experimentId);
      return Promise.all(
        users.map(async (user) =>
          experimentIds.length === 0
            ? []
            : (
                await connector.searchRuns({
                  experimentIds,
                  filter: `tags.\`mlflow.user\` ILIKE ${quoteFilterValue(user)}`,
                  orderBy: ['attributes.start_time DESC'],
                  maxResults: MlflowInstanceLoaders.RUNS_PER_USER,
                })
              ).runs.filter((run) => run.user?.toLowerCase() === user.toLowerCase()),
        ),
      );
    }, options);
  }

  /** How many of a person's newest runs are fetched per instance; `first` narrows it further. */
  static readonly RUNS_PER_USER = 500;

  /** Run searches need every experiment id, and experiments come from the same listing: list once. */
  private allExperiments(): Promise<Experiment[]> {
    return (this.experiments ??= this.connector.listExperiments());
  }
}

/** The loaders of every configured instance, created lazily per request. */
export class MlflowLoaders {
  private readonly byInstance = new Map<string, MlflowInstanceLoaders>();

  constructor(private readonly connectors: ReadonlyMap<string, TrackingConnector>) {}

  /** The loaders of every configured instance. */
  all(): MlflowInstanceLoaders[] {
    return [...this.connectors.keys()].map((instance) => this.forInstance(instance)!);
  }

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

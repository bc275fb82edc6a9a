import type { Connector } from '../core/connector';
import type { ModelVersion } from '../core/graph';
import type { Experiment, RegisteredModel, Run } from './map';

/**
 * What the mlflow subgraph and the inventory need of an MLflow tracking server and model
 * registry: they depend on this, as the git subgraph does on GitHostConnector and the
 * registries subgraph on RegistryConnector, never on MlflowConnector itself.
 */
export interface TrackingConnector extends Connector {
  readonly kind: 'MLFLOW';
  /** Every experiment (all pages, active and deleted). */
  listExperiments(): Promise<Experiment[]>;
  /** One page of a run search, for callers that page themselves (cursor connections). */
  searchRuns(search: RunSearch): Promise<{ runs: Run[]; nextPageToken: string | null }>;
  /** Many runs by id; an id that does not exist is left out of the map. */
  getRunsByIds(runIds: readonly string[], knownExperimentIds?: readonly string[]): Promise<Map<string, Run>>;
  /** Every registered model (all pages). */
  listRegisteredModels(filter?: string): Promise<RegisteredModel[]>;
  /** Many registered models by name; a name that does not exist is left out of the map. */
  getRegisteredModels(names: readonly string[]): Promise<Map<string, RegisteredModel>>;
  /** The versions of many models, newest first; every requested name is in the map. */
  getModelVersionsForModels(names: readonly string[]): Promise<Map<string, ModelVersion[]>>;
}

export interface RunSearch {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}

import type { KeyValue } from '../core/graph';

/** What a cloud records of the MLflow version a model version was uploaded from. */
export interface MlflowSource {
  registeredModel: string | null;
  version: string | null;
  runId: string | null;
}

/*
 * The keys MLflow's own deployment plugins and common upload scripts leave behind: SageMaker
 * customer metadata (`mlflow.run_id`, ...), Azure ML tags (`mlflow.registered_model`) and,
 * for Azure ML models logged by MLflow, `azureml.mlflow.run_id`. Vertex AI labels cannot
 * hold dots, so Vertex records none of these.
 */
const KEYS: Record<keyof MlflowSource, readonly string[]> = {
  registeredModel: ['mlflow.registered_model', 'mlflow.registered_model_name'],
  version: ['mlflow.version', 'mlflow.model_version'],
  runId: ['mlflow.run_id', 'mlflow.source.run_id', 'azureml.mlflow.run_id'],
};

/**
 * The MLflow version recorded in tags or metadata under the usual keys (see KEYS); null when
 * none is there, so "unknown" is never an empty object.
 */
export function mlflowSourceFromEntries(entries: readonly KeyValue[]): MlflowSource | null {
  const find = (keys: readonly string[]) =>
    entries.find((e) => keys.includes(e.key.toLowerCase()) && e.value.trim() !== '')?.value.trim() ?? null;
  const source = { registeredModel: find(KEYS.registeredModel), version: find(KEYS.version), runId: find(KEYS.runId) };
  return source.registeredModel || source.version || source.runId ? source : null;
}

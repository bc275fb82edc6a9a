import type { ModelVersion } from '../../connectors/core/graph';
import type { GitSource } from '../../connectors/mlflow';
import type { MlflowInstanceLoaders } from './loaders';

/**
 * What the mlflow subgraph answers about a model's versions and code, as functions of its
 * loaders: the resolvers and the inventory's governance index read the same facts the same
 * way.
 */

/**
 * MLflow's version search leaves aliases out (mlflow/mlflow#9783) while the registered
 * model always lists them, so an empty list is filled from there (batched, cached).
 */
export async function versionAliases(version: ModelVersion, loaders: MlflowInstanceLoaders | undefined): Promise<string[]> {
  if (version.aliases.length > 0) return version.aliases;
  const model = await loaders?.registeredModel.load(version.modelName);
  return (model?.aliases ?? []).filter((a) => a.version === version.version).map((a) => a.alias);
}

export interface SourceCodeCandidate {
  version: ModelVersion;
  git: GitSource | null;
}

/** Each version of one registered model that names a run, with the run's git source. */
export async function sourceCodeCandidates(loaders: MlflowInstanceLoaders, name: string): Promise<SourceCodeCandidate[]> {
  const versions = (await loaders.versions.load(name)).filter((v) => v.runId);
  // All runs at once, so that they join one batched search.
  const runs = await Promise.all(versions.map((v) => loaders.run.load(v.runId as string)));
  return versions.map((version, i) => ({ version, git: runs[i]?.git ?? null }));
}

/** The code behind the newest registration (across instances) is the model's code now. */
export function newestSourceCode(candidates: SourceCodeCandidate[]): GitSource | null {
  const newestFirst = [...candidates].sort((a, b) => (b.version.createdAt ?? '').localeCompare(a.version.createdAt ?? ''));
  return newestFirst.find((c) => c.git)?.git ?? null;
}

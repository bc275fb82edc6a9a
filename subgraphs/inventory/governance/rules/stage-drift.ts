import {
  compareVersionNumbers,
  describeEndpoint,
  evidence,
  listPhrase,
  makeFinding,
  mlflowVersionOf,
  productionDesignations,
  registryName,
  sameRegistry,
  servedCloudVersions,
  servingDeployments,
} from '../production';
import type { DeploymentFact, Finding, GovernanceSettings, ModelFacts, SourceRefFact, VersionFact } from '../types';

const RULE = 'STAGE_DRIFT';

/** The versions of one registry that carry one production designation (`alias champion`). */
interface Designation {
  source: SourceRefFact;
  kind: 'stage' | 'alias';
  /** As the first version (by id) spells it. */
  name: string;
  versions: VersionFact[];
}

function designations(model: ModelFacts, settings: GovernanceSettings): Map<string, Designation> {
  const groups = new Map<string, Designation>();
  const versions = [...model.versions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const v of versions) {
    for (const d of productionDesignations(v, settings)) {
      // Lower-cased so that `Production` and `production` are one designation and one fingerprint.
      const key = `${registryName(v.source)}|${d.kind}|${d.name.toLowerCase()}`;
      const group = groups.get(key);
      if (group) group.versions.push(v);
      else groups.set(key, { source: v.source, kind: d.kind, name: d.name, versions: [v] });
    }
  }
  return groups;
}

const versionList = (versions: readonly VersionFact[]): string =>
  listPhrase([...new Set(versions.map((v) => v.version))].sort(compareVersionNumbers));

/**
 * A registry's production designation that points elsewhere than what serves traffic.
 *
 * A cloud registry is compared with the deployments of that same cloud instance, and only
 * when one of them serves: a designation left in a cloud the model no longer runs in is
 * stale, not drift. An MLflow registry is compared with the MLflow versions every serving
 * cloud version mirrors; when no serving deployment resolves to a known cloud version there
 * is nothing to compare with, and the rule says nothing for MLflow.
 */
export function stageDrift(model: ModelFacts, settings: GovernanceSettings, _now?: Date): Finding[] {
  if (!settings.rules[RULE].enabled) return [];
  if (model.unavailable.deployments) return [];
  const serving = servingDeployments(model, settings);
  if (serving.length === 0) return [];
  const served = servedCloudVersions(model, settings);
  const servedMlflow = new Set(served.map(mlflowVersionOf));

  const findings: Finding[] = [];
  for (const group of designations(model, settings).values()) {
    const isMlflow = group.source.kind === 'MLFLOW';
    let compared: DeploymentFact[];
    let servedHere: VersionFact[];
    let drifted: VersionFact[];
    let servedPhrase: string;
    if (isMlflow) {
      if (served.length === 0) continue;
      compared = serving.filter((d) => served.some((v) => v.id === d.modelVersionId));
      servedHere = served;
      drifted = group.versions.filter((v) => !servedMlflow.has(v.version));
      servedPhrase = `production serves MLflow version${servedMlflow.size > 1 ? 's' : ''} ${listPhrase([...servedMlflow].sort(compareVersionNumbers))}`;
    } else {
      compared = serving.filter((d) => sameRegistry(d.source, group.source));
      if (compared.length === 0) continue;
      const ids = new Set(compared.map((d) => d.modelVersionId));
      servedHere = served.filter((v) => ids.has(v.id));
      drifted = group.versions.filter((v) => !ids.has(v.id));
      const parts: string[] = [];
      if (servedHere.length > 0) parts.push(`version${servedHere.length > 1 ? 's' : ''} ${versionList(servedHere)}`);
      if (compared.some((d) => d.modelVersionId === null)) parts.push('an unregistered model');
      if (compared.some((d) => d.modelVersionId !== null && !served.some((v) => v.id === d.modelVersionId))) {
        parts.push('a version the model does not list');
      }
      servedPhrase = `its deployments there (${listPhrase([...new Set(compared.map(describeEndpoint))].sort())}) serve ${listPhrase(parts)}`;
    }
    if (drifted.length === 0) continue;
    const registry = registryName(group.source);
    const designation = `${group.kind} ${group.name}`;
    findings.push(
      makeFinding(RULE, settings, {
        fingerprintIds: [`model:${model.key}`, `registry:${registry}`, `designation:${group.kind}:${group.name.toLowerCase()}`],
        message: `${model.key} has ${designation} on version ${versionList(drifted)} in ${registry} but ${servedPhrase}`,
        modelKey: model.key,
        evidence: evidence({
          refs: model.refs.filter((r) => sameRegistry(r, group.source)),
          versions: [...drifted, ...servedHere],
          deployments: compared,
        }),
      }),
    );
  }
  return findings;
}

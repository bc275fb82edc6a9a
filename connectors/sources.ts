import type { IdentityTool } from './core/graph';
import type { SourceKind } from './core/source';
import { azuremlSource } from './azureml/source';
import { githubSource } from './github/source';
import { gitlabSource } from './gitlab/source';
import { jiraSource } from './jira/source';
import { mlflowSource } from './mlflow/source';
import { sagemakerSource } from './sagemaker/source';
import { unityCatalogSource } from './unitycatalog/source';
import { vertexSource } from './vertex/source';
import type { MlflowSource } from './registry/mlflow-source';
import type { CloudModelVersion, RegistryKind, RegistryProfile } from './registry/types';
import type { ConnectorSlot, ConnectorSlots, SourceCapability, SourceContext, SourceModule } from './source-module';

/**
 * The one table of sources: every kind modelgraph reads from, one line each. Config
 * validation (`sources`), the runtime wiring, `Query.sources`, linking and the `SourceKind`
 * enum of every subgraph schema are derived from it (test/sources/registry.test.ts checks
 * each). The order is the order connectors are built and listed in.
 */
export const SOURCE_MODULES = [
  mlflowSource,
  jiraSource,
  githubSource,
  gitlabSource,
  sagemakerSource,
  vertexSource,
  azuremlSource,
  unityCatalogSource,
] as const;

export type RegisteredSource = (typeof SOURCE_MODULES)[number];
/** The keys under `sources` in the configuration file. */
export type SourceConfigKey = RegisteredSource['configKey'];

// Every kind core names has a module, and no module a kind core does not know.
type Unregistered = Exclude<SourceKind, RegisteredSource['kind']>;
const everyKindRegistered: [Unregistered] extends [never] ? true : Unregistered = true;
void everyKindRegistered;

const BY_KIND = new Map<SourceKind, SourceModule>(SOURCE_MODULES.map((m) => [m.kind, m as SourceModule]));

/** Every registered kind, in the registry's order. */
export const SOURCE_KIND_VALUES: readonly SourceKind[] = SOURCE_MODULES.map((m) => m.kind);

export function sourceModule(kind: SourceKind): SourceModule {
  const module = BY_KIND.get(kind);
  if (!module) throw new Error(`no source module for kind ${kind}`);
  return module;
}

/** What differs between registries, for a registry's kind (see RegistryProfile). */
export function registryProfile(kind: RegistryKind): RegistryProfile {
  const profile = sourceModule(kind).registry;
  if (!profile) throw new Error(`source kind ${kind} declares no registry profile`);
  return profile;
}

/**
 * What a cloud version records of the MLflow version it was uploaded from, as its registry
 * reads it (tags, metadata, or a run field of its own); null when nothing.
 */
export function mlflowSourceOf(version: CloudModelVersion): MlflowSource | null {
  return registryProfile(version.details.kind).mlflowSource(version);
}

/** The kinds whose connectors join `slot` (the subgraph that serves them), in the registry's order. */
export function kindsInSlot(slot: ConnectorSlot): SourceKind[] {
  return SOURCE_MODULES.filter((m) => m.slot === slot).map((m) => m.kind);
}

/** The kinds the registries subgraph serves (cloud registries; MLflow's registry has its own subgraph), in the registry's order. */
export function registryKinds(): RegistryKind[] {
  return kindsInSlot('registries') as RegistryKind[];
}

/** The sources' identity tools, then GIT: commit authors, whom any git host's commits carry. */
export function identityTools(): IdentityTool[] {
  return [...new Set(SOURCE_MODULES.flatMap((m): IdentityTool[] => (m.identityTool ? [m.identityTool] : []))), 'GIT'];
}

/** Every cloud registry's profile, in the registry's order. */
export function registryProfiles(): RegistryProfile[] {
  return registryKinds().map(registryProfile);
}

/** The kinds offering `capability`, in the registry's order. */
export function kindsWith(capability: SourceCapability): SourceKind[] {
  return SOURCE_MODULES.filter((m) => (m.capabilities as readonly SourceCapability[]).includes(capability)).map((m) => m.kind);
}

/** Every configured instance, by config key, as config/schema.ts parses `sources`. */
export type SourcesConfig = { [M in RegisteredSource as M['configKey']]: Array<import('zod').infer<M['schema']>> };

/** The configured instances' connectors, grouped as the runtime holds them (see ConnectorSlots). */
export type ConnectorsBySlot = { [S in ConnectorSlot]: Array<ConnectorSlots[S]> };

/** Builds every configured instance's connector, in the registry's order within each slot. */
export function createConnectors(sources: SourcesConfig, context: SourceContext): ConnectorsBySlot {
  const out: ConnectorsBySlot = { mlflow: [], jira: [], gitHosts: [], registries: [] };
  for (const module of SOURCE_MODULES as readonly SourceModule[]) {
    const instances = (sources as Record<string, unknown[]>)[module.configKey] ?? [];
    const slot = out[module.slot] as unknown[];
    for (const instance of instances) slot.push(module.create(instance, context));
  }
  return out;
}

/** Every configured source instance, as `Query.sources` lists them. */
export function configuredInstances(sources: SourcesConfig): Array<{ kind: SourceKind; instance: string }> {
  return SOURCE_MODULES.flatMap((m) => (sources[m.configKey] as Array<{ name: string }>).map((s) => ({ kind: m.kind, instance: s.name })));
}

import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { SourceRef } from '../../connectors/core/source';
import type { CloudModelVersion, Deployment, DeploymentStatus, RegistryKind } from '../../connectors/registry/types';
import { mlflowSourceOf, registryProfile, SOURCE_MODULES } from '../../connectors/sources';
import { acrossSources } from '../common/across-sources';
import type { PartialErrorsContext } from '../common/partial-errors';
import { DateTimeScalar } from '../common/scalars';
import { newestVersionsFirst, type RegistryLoaders } from './loaders';

export interface RegistriesContext extends PartialErrorsContext {
  /** By `<kind>:<instance>`, e.g. `SAGEMAKER:prod-us`. */
  registries: ReadonlyMap<string, RegistryLoaders>;
}

interface ModelRepresentation {
  key: string;
  refs?: Array<Pick<SourceRef, 'kind' | 'instance' | 'nativeId'>>;
}

/** The kinds this subgraph is handed connectors of (connectors/sources.ts). */
const REGISTRY_KINDS: ReadonlySet<string> = new Set(SOURCE_MODULES.filter((m) => m.slot === 'registries').map((m) => m.kind));

function registryOf(ctx: RegistriesContext, kind: string, instance: string): RegistryLoaders | undefined {
  return ctx.registries.get(`${kind}:${instance}`);
}

/** One load per cloud ref of the model (refs to unconfigured instances are skipped). */
function perCloudRef<T>(
  model: ModelRepresentation,
  ctx: RegistriesContext,
  info: GraphQLResolveInfo,
  load: (loaders: RegistryLoaders, nativeId: string) => Promise<T[]>,
): Promise<T[]> {
  const loads = (model.refs ?? [])
    .filter((ref) => REGISTRY_KINDS.has(ref.kind))
    .flatMap((ref) => {
      const loaders = registryOf(ctx, ref.kind, ref.instance);
      return loaders ? [() => load(loaders, ref.nativeId)] : [];
    });
  return acrossSources(ctx, info, loads);
}

export const resolvers: GraphQLResolverMap<RegistriesContext> = {
  DateTime: DateTimeScalar,

  CloudVersionDetails: {
    __resolveType: (details: CloudModelVersion['details']) => registryProfile(details.kind).detailsType,
  },

  Query: {
    deployments(
      _root: unknown,
      args: { provider?: RegistryKind | null; instance?: string | null; status?: DeploymentStatus | null },
      ctx: RegistriesContext,
      info: GraphQLResolveInfo,
    ) {
      const loads = [...ctx.registries.values()]
        .filter((r) => (!args.provider || r.connector.kind === args.provider) && (!args.instance || r.connector.instance === args.instance))
        .map((r) => async () => (await r.deployments()).filter((d) => !args.status || d.status === args.status));
      return acrossSources(ctx, info, loads);
    },
  },

  Model: {
    __resolveReference: (model: ModelRepresentation) => model,
    async cloudVersions(model: ModelRepresentation, _args: unknown, ctx: RegistriesContext, info: GraphQLResolveInfo) {
      const versions = await perCloudRef(model, ctx, info, (loaders, id) => loaders.versions.load(id));
      return newestVersionsFirst(versions);
    },
    deployments: (model: ModelRepresentation, _args: unknown, ctx: RegistriesContext, info: GraphQLResolveInfo) =>
      perCloudRef(model, ctx, info, (loaders, id) => loaders.deploymentsOfModel(id)),
  },

  CloudModelVersion: {
    async __resolveReference(ref: { id: string }, ctx: RegistriesContext) {
      for (const loaders of ctx.registries.values()) {
        if (!ref.id.startsWith(`${loaders.connector.source}/`)) continue;
        const rest = ref.id.slice(loaders.connector.source.length + 1);
        const slash = rest.lastIndexOf('/');
        const found = (await loaders.versions.load(rest.slice(0, slash))).find((v) => v.id === ref.id);
        if (found) return found;
      }
      return null;
    },
    mlflowSource: (version: CloudModelVersion) => mlflowSourceOf(version),
    // A reference the mlflow subgraph resolves; only where the registry says which tracking server holds the run.
    run(version: CloudModelVersion) {
      const run = registryProfile(version.details.kind).run?.(version);
      return run ? { id: `${run.mlflowInstance}/${run.runId}` } : null;
    },
    deployments(version: CloudModelVersion, _args: unknown, ctx: RegistriesContext) {
      return registryOf(ctx, version.source.kind, version.source.instance)?.deploymentsOfVersion(version) ?? [];
    },
  },

  Deployment: {
    async __resolveReference(ref: { id: string }, ctx: RegistriesContext) {
      for (const loaders of ctx.registries.values()) {
        if (!ref.id.startsWith(`${loaders.connector.source}/`)) continue;
        return (await loaders.deployments()).find((d) => d.id === ref.id) ?? null;
      }
      return null;
    },
    /** Read only when selected: SageMaker leaves some to be described then (see RegistryLoaders.instanceTypeOf). */
    instanceType(deployment: Deployment, _args: unknown, ctx: RegistriesContext) {
      return registryOf(ctx, deployment.provider, deployment.instance)?.instanceTypeOf(deployment) ?? deployment.instanceType;
    },
    modelVersion(deployment: Deployment, _args: unknown, ctx: RegistriesContext) {
      const loaders = registryOf(ctx, deployment.provider, deployment.instance);
      if (!loaders) throw new GraphQLError(`no registry ${deployment.provider}:${deployment.instance}`);
      return loaders.versionServedBy(deployment);
    },
  },
};

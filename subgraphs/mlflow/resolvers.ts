import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { ModelVersion } from '../../connectors/core/graph';
import type { SourceRef } from '../../connectors/core/source';
import type { Experiment, RegisteredModel, Run } from '../../connectors/mlflow';
import { acrossSources } from '../common/across-sources';
import type { PartialErrorsContext } from '../common/partial-errors';
import type { PeopleDirectory } from '../common/identity';
import { DateTimeScalar } from '../common/scalars';
import { matchesServicePattern, type ServiceIdentitySettings } from '../common/service-identities';
import { MlflowInstanceLoaders, type MlflowLoaders } from './loaders';
import { newestSourceCode, sourceCodeCandidates, versionAliases } from './model-code';

export interface MlflowContext extends PartialErrorsContext {
  mlflow: MlflowLoaders;
  people: PeopleDirectory;
  /** Who is a service identity (absent: nobody). */
  services?: ServiceIdentitySettings;
}

/** A Model as the gateway hands it over: its key and, through @requires, its refs. */
interface ModelRepresentation {
  key: string;
  refs?: Array<Pick<SourceRef, 'kind' | 'instance' | 'nativeId'>>;
}

const MAX_RUNS_PAGE = 1000;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function loadersFor(ctx: MlflowContext, instance: string): MlflowInstanceLoaders {
  const loaders = ctx.mlflow.forInstance(instance);
  if (!loaders) throw badInput(`unknown MLflow instance "${instance}"`);
  return loaders;
}

/**
 * One load per MLflow ref of the model. Refs to instances this subgraph is not configured
 * with are skipped: inventory and mlflow read the same configuration, so that only happens
 * mid-rollout of a config change.
 */
function perMlflowRef<T>(
  model: ModelRepresentation,
  ctx: MlflowContext,
  info: GraphQLResolveInfo,
  load: (loaders: MlflowInstanceLoaders, nativeId: string) => Promise<T[]>,
): Promise<T[]> {
  const loads = (model.refs ?? [])
    .filter((ref) => ref.kind === 'MLFLOW')
    .flatMap((ref) => {
      const loaders = ctx.mlflow.forInstance(ref.instance);
      return loaders ? [() => load(loaders, ref.nativeId)] : [];
    });
  return acrossSources(ctx, info, loads);
}

/** `<instance>/<rest>`: instance names cannot hold a slash (config validation). */
function splitId(id: string): { instance: string; rest: string } {
  const slash = id.indexOf('/');
  if (slash <= 0) throw badInput(`malformed id "${id}"`);
  return { instance: id.slice(0, slash), rest: id.slice(slash + 1) };
}

/** MLflow user ids are emails on most servers, bare logins on some: the directory decides. */
function personRef(ctx: MlflowContext, instance: string, userId: string): { id: string } {
  return ctx.people.resolve({ tool: 'MLFLOW', instance, nativeId: userId, email: null, displayName: null });
}

async function runsOfVersions(loaders: MlflowInstanceLoaders, modelName: string): Promise<Run[]> {
  const versions = await loaders.versions.load(modelName);
  const runs = await Promise.all(versions.filter((v) => v.runId).map((v) => loaders.run.load(v.runId as string)));
  return runs.filter((r): r is Run => r !== null);
}

export const resolvers: GraphQLResolverMap<MlflowContext> = {
  DateTime: DateTimeScalar,

  Query: {
    async mlflowRuns(
      _root: unknown,
      args: { instance: string; experimentIds: string[]; filter?: string | null; orderBy?: string[] | null; first: number; after?: string | null },
      ctx: MlflowContext,
    ) {
      if (args.first < 1 || args.first > MAX_RUNS_PAGE) throw badInput(`first must be between 1 and ${MAX_RUNS_PAGE}`);
      const { connector } = loadersFor(ctx, args.instance);
      const page = await connector.searchRuns({
        experimentIds: args.experimentIds,
        filter: args.filter ?? undefined,
        orderBy: args.orderBy ?? undefined,
        maxResults: args.first,
        pageToken: args.after ?? undefined,
      });
      return {
        nodes: page.runs,
        pageInfo: { hasNextPage: page.nextPageToken !== null, endCursor: page.nextPageToken },
      };
    },
    mlflowExperiment: (_root: unknown, args: { instance: string; experimentId: string }, ctx: MlflowContext) =>
      loadersFor(ctx, args.instance).experiment.load(args.experimentId),
    mlflowRun: (_root: unknown, args: { instance: string; runId: string }, ctx: MlflowContext) =>
      loadersFor(ctx, args.instance).run.load(args.runId),
    mlflowRegisteredModel: (_root: unknown, args: { instance: string; name: string }, ctx: MlflowContext) =>
      loadersFor(ctx, args.instance).registeredModel.load(args.name),
    async mlflowModelVersion(
      _root: unknown,
      args: { instance: string; name: string; version: string },
      ctx: MlflowContext,
    ) {
      const versions = await loadersFor(ctx, args.instance).versions.load(args.name);
      return versions.find((v) => v.version === args.version) ?? null;
    },
  },

  Model: {
    __resolveReference: (model: ModelRepresentation) => model,
    registered: (model: ModelRepresentation, _args: unknown, ctx: MlflowContext, info: GraphQLResolveInfo) =>
      perMlflowRef(model, ctx, info, async (loaders, name) => {
        const found = await loaders.registeredModel.load(name);
        return found ? [found] : [];
      }),
    async mlflowVersions(
      model: ModelRepresentation,
      args: { stage?: string | null },
      ctx: MlflowContext,
      info: GraphQLResolveInfo,
    ) {
      const versions = await perMlflowRef(model, ctx, info, (loaders, name) => loaders.versions.load(name));
      if (args.stage === undefined || args.stage === null) return versions;
      const wanted = args.stage.toLowerCase();
      return versions.filter((v) => (v.stage ?? 'none').toLowerCase() === wanted);
    },
    async sourceCode(model: ModelRepresentation, _args: unknown, ctx: MlflowContext, info: GraphQLResolveInfo) {
      return newestSourceCode(await perMlflowRef(model, ctx, info, sourceCodeCandidates));
    },
    experiments: (model: ModelRepresentation, _args: unknown, ctx: MlflowContext, info: GraphQLResolveInfo) =>
      perMlflowRef(model, ctx, info, async (loaders, name) => {
        const runs = await runsOfVersions(loaders, name);
        const ids = [...new Set(runs.map((r) => r.experimentId).filter((id): id is string => Boolean(id)))];
        const experiments = await Promise.all(ids.map((id) => loaders.experiment.load(id)));
        return experiments.filter((e): e is Experiment => e !== null);
      }),
  },

  RegisteredModel: {
    __resolveReference(ref: { id: string }, ctx: MlflowContext) {
      const { instance, rest } = splitId(ref.id);
      return ctx.mlflow.forInstance(instance)?.registeredModel.load(rest) ?? null;
    },
    async versionByAlias(model: RegisteredModel, args: { alias: string }, ctx: MlflowContext) {
      const target = model.aliases.find((a) => a.alias === args.alias);
      if (!target) return null;
      const versions = await loadersFor(ctx, model.source.instance).versions.load(model.name);
      return versions.find((v) => v.version === target.version) ?? null;
    },
  },

  MlflowModelVersion: {
    async __resolveReference(ref: { id: string }, ctx: MlflowContext) {
      const { instance, rest } = splitId(ref.id);
      const slash = rest.lastIndexOf('/');
      const loaders = ctx.mlflow.forInstance(instance);
      if (!loaders || slash <= 0) return null;
      const versions = await loaders.versions.load(rest.slice(0, slash));
      return versions.find((v) => v.version === rest.slice(slash + 1)) ?? null;
    },
    aliases: (version: ModelVersion, _args: unknown, ctx: MlflowContext) =>
      versionAliases(version, ctx.mlflow.forInstance(version.source.instance)),
    // A service identity (a pipeline's account) is shown as such, never as a Person.
    createdByType: (version: ModelVersion, _args: unknown, ctx: MlflowContext) =>
      ctx.services && matchesServicePattern(version.createdBy, ctx.services) ? 'SERVICE' : null,
    creator: (version: ModelVersion, _args: unknown, ctx: MlflowContext) =>
      version.createdBy && !(ctx.services && matchesServicePattern(version.createdBy, ctx.services))
        ? personRef(ctx, version.source.instance, version.createdBy)
        : null,
    run(version: ModelVersion, _args: unknown, ctx: MlflowContext) {
      if (!version.runId) return null;
      return ctx.mlflow.forInstance(version.source.instance)?.run.load(version.runId) ?? null;
    },
  },

  Run: {
    __resolveReference(ref: { id: string }, ctx: MlflowContext) {
      const { instance, rest } = splitId(ref.id);
      return ctx.mlflow.forInstance(instance)?.run.load(rest) ?? null;
    },
    experiment(run: Run, _args: unknown, ctx: MlflowContext) {
      if (!run.experimentId) return null;
      return ctx.mlflow.forInstance(run.source.instance)?.experiment.load(run.experimentId) ?? null;
    },
    metric: (run: Run, args: { key: string }) => run.metrics.find((m) => m.key === args.key)?.value ?? null,
    person: (run: Run, _args: unknown, ctx: MlflowContext) => (run.user ? personRef(ctx, run.source.instance, run.user) : null),
  },

  Person: {
    __resolveReference: (person: { id: string }) => person,
    async runs(
      person: { email?: string | null; identities?: Array<{ tool: string; instance: string; nativeId: string }> },
      args: { first: number },
      ctx: MlflowContext,
      info: GraphQLResolveInfo,
    ) {
      if (args.first < 1 || args.first > MlflowInstanceLoaders.RUNS_PER_USER) {
        throw badInput(`first must be between 1 and ${MlflowInstanceLoaders.RUNS_PER_USER}`);
      }
      const mlflowIds = (person.identities ?? []).filter((i) => i.tool === 'MLFLOW');
      const loads = ctx.mlflow.all().map((loaders) => async () => {
        const instance = loaders.connector.instance;
        // MLflow records whatever the client reported: the email (in any case) or a login.
        const users = new Set(
          [
            ...(person.email ? [person.email] : []),
            ...mlflowIds.filter((i) => i.instance === instance || i.instance === '*').map((i) => i.nativeId),
          ].map((u) => u.toLowerCase()),
        );
        const byId = new Map<string, Run>();
        for (const list of await loaders.runsByUser.loadMany([...users])) {
          if (list instanceof Error) throw list;
          for (const run of list) byId.set(run.runId, run);
        }
        return [...byId.values()]
          .sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''))
          .slice(0, args.first);
      });
      return acrossSources(ctx, info, loads);
    },
  },

  Experiment: {
    __resolveReference(ref: { id: string }, ctx: MlflowContext) {
      const { instance, rest } = splitId(ref.id);
      return ctx.mlflow.forInstance(instance)?.experiment.load(rest) ?? null;
    },
  },
};

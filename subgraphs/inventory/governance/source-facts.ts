/**
 * The facts the governance rules read of each model, from the connectors directly (issue
 * #11: an index of 10,000 models is not a walk of the graph through the gateway). Each
 * field is read with the loaders and the functions the subgraph that answers it uses
 * (versions and code from mlflow's, cloud versions and deployments from registries', tickets
 * from jira's, code owners from git's), so the index and the graph say the same thing; a test
 * compares them on the demo organisation.
 *
 * Unlike a subgraph, nothing here is partial: a source that fails fails the read, and the
 * index keeps its previous copy rather than evaluate "no tickets" for a Jira outage.
 */
import type { SourceRef } from '../../../connectors/core/source';
import type { GitHostConnector } from '../../../connectors/git/types';
import type { TicketConnector } from '../../../connectors/jira';
import type { TrackingConnector } from '../../../connectors/mlflow';
import { mlflowSourceOf } from '../../../connectors/sources';
import type { Deployment, RegistryConnector } from '../../../connectors/registry/types';
import type { PeopleDirectory } from '../../common/identity';
import { modelCodeOwners } from '../../git/code-owners';
import { GitLoaders } from '../../git/loaders';
import { JiraLoaders } from '../../jira/loaders';
import { MlflowLoaders, type MlflowInstanceLoaders } from '../../mlflow/loaders';
import { newestSourceCode, sourceCodeCandidates, versionAliases } from '../../mlflow/model-code';
import { newestVersionsFirst, RegistryLoaders } from '../../registries/loaders';
import type { LinkedModel } from '../linking';
import type { ModelWithRequiredFacts, RequiredCloudVersion, RequiredDeployment, RequiredMlflowVersion, RequiredTicket } from './facts';

/** The connectors and settings the facts come from: the process's runtime. */
export interface FactSources {
  mlflow: readonly TrackingConnector[];
  registries: readonly RegistryConnector[];
  jira: readonly TicketConnector[];
  gitHosts: readonly GitHostConnector[];
  people: PeopleDirectory;
  /** Config `linking.repositories`: model key -> repository URL. */
  modelRepositories: Readonly<Record<string, string>>;
}

/**
 * One round of reads: loaders batch and dedupe what is asked within it and hold it until
 * it is dropped, so a build reads a page of models per round and keeps nothing of it after.
 */
export class FactReader {
  private readonly mlflow: MlflowLoaders;
  private readonly registries: Map<string, RegistryLoaders>;
  private readonly jira: JiraLoaders[];
  private readonly git: GitLoaders;

  constructor(private readonly sources: FactSources) {
    this.mlflow = new MlflowLoaders(new Map(sources.mlflow.map((c) => [c.instance, c])));
    this.registries = new Map(sources.registries.map((c) => [`${c.kind}:${c.instance}`, new RegistryLoaders(c)]));
    this.jira = sources.jira.map((c) => new JiraLoaders(c));
    this.git = new GitLoaders(sources.gitHosts);
  }

  /** What `Model.mlflowVersions`, `cloudVersions`, `deployments`, `tickets` and `codeOwners` answer. */
  async model(model: LinkedModel): Promise<ModelWithRequiredFacts> {
    const mlflowRefs = this.refsOf(model, (ref) => (ref.kind === 'MLFLOW' ? this.mlflow.forInstance(ref.instance) : undefined));
    const cloudRefs = this.refsOf(model, (ref) => this.registries.get(`${ref.kind}:${ref.instance}`));
    const [mlflowVersions, cloudVersions, deployments, tickets, codeOwners] = await Promise.all([
      this.mlflowVersions(mlflowRefs),
      this.cloudVersions(cloudRefs),
      this.deploymentsOf(cloudRefs),
      this.tickets(model.key),
      this.codeOwners(model.key, mlflowRefs),
    ]);
    return { key: model.key, mlflowVersions, cloudVersions, deployments, tickets, codeOwners };
  }

  /** Every deployment of every cloud (`Query.deployments`), with the registered version each serves. */
  async allDeployments(): Promise<RequiredDeployment[]> {
    const lists = await Promise.all([...this.registries.values()].map(async (r) => this.withVersions(r, await r.deployments())));
    return lists.flat();
  }

  private refsOf<L>(model: LinkedModel, loadersOf: (ref: SourceRef) => L | undefined): Array<{ loaders: L; nativeId: string }> {
    // Refs to instances this process is not configured with are skipped, as the subgraphs do.
    return model.refs.flatMap((ref) => {
      const loaders = loadersOf(ref);
      return loaders ? [{ loaders, nativeId: ref.nativeId }] : [];
    });
  }

  private async mlflowVersions(refs: Array<{ loaders: MlflowInstanceLoaders; nativeId: string }>): Promise<RequiredMlflowVersion[]> {
    const perRef = await Promise.all(
      refs.map(async ({ loaders, nativeId }) => {
        const versions = await loaders.versions.load(nativeId);
        return Promise.all(
          versions.map(async (v): Promise<RequiredMlflowVersion> => {
            const [aliases, run] = await Promise.all([versionAliases(v, loaders), v.runId ? loaders.run.load(v.runId) : null]);
            return {
              ...v,
              aliases,
              run: run && { id: run.id, startTime: run.startTime, git: run.git && { commit: run.git.commit } },
            };
          }),
        );
      }),
    );
    return perRef.flat();
  }

  private async cloudVersions(refs: Array<{ loaders: RegistryLoaders; nativeId: string }>): Promise<RequiredCloudVersion[]> {
    const versions = (await Promise.all(refs.map(({ loaders, nativeId }) => loaders.versions.load(nativeId)))).flat();
    return newestVersionsFirst(versions).map((v) => ({ ...v, mlflowSource: mlflowSourceOf(v) }));
  }

  private async deploymentsOf(refs: Array<{ loaders: RegistryLoaders; nativeId: string }>): Promise<RequiredDeployment[]> {
    const perRef = await Promise.all(refs.map(async ({ loaders, nativeId }) => this.withVersions(loaders, await loaders.deploymentsOfModel(nativeId))));
    return perRef.flat();
  }

  private withVersions(loaders: RegistryLoaders, deployments: readonly Deployment[]): Promise<RequiredDeployment[]> {
    return Promise.all(
      deployments.map(async (d) => {
        const served = await loaders.versionServedBy(d);
        return { ...d, modelVersion: served && { id: served.id } };
      }),
    );
  }

  private async tickets(modelKey: string): Promise<RequiredTicket[]> {
    const perSite = await Promise.all(this.jira.map((site) => site.ticketsByModel.load(modelKey)));
    return perSite.flat().map((t) => ({ ...t, assignee: t.assignee && this.sources.people.resolve(t.assignee) }));
  }

  private async codeOwners(modelKey: string, refs: Array<{ loaders: MlflowInstanceLoaders; nativeId: string }>) {
    const candidates = (await Promise.all(refs.map(({ loaders, nativeId }) => sourceCodeCandidates(loaders, nativeId)))).flat();
    const sourceCode = newestSourceCode(candidates);
    return modelCodeOwners({ git: this.git, people: this.sources.people, modelRepositories: this.sources.modelRepositories }, { key: modelKey, sourceCode });
  }
}

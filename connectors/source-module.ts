import type { z } from 'zod';
import type { Connector, ConnectorDeps } from './core/connector';
import type { IdentityTool } from './core/graph';
import type { RateLimit } from './core/rate-limiter';
import type { SourceKind } from './core/source';
import type { GitHostConnector } from './git/types';
import type { JiraConnector } from './jira/client';
import type { MlflowConnector } from './mlflow/client';
import type { RegistryConnector, RegistryProfile } from './registry/types';

/**
 * What one kind of source declares about itself, in its own folder (`connectors/<kind>/source.ts`):
 * everything the layers above need to know to configure, build, report and link it. The
 * registry (connectors/sources.ts) lists the modules; config validation, the wiring in
 * gateway/stack.ts, `Query.sources`, linking and every subgraph's `SourceKind` enum are
 * derived from it, so adding a source touches its folder and one line there.
 */

/** What a source offers the graph; the layers above pick their sources by these. */
export type SourceCapability =
  /** MLflow-style runs, metrics and their git source. */
  | 'experimentTracker'
  /** Registered models and versions: linked into the inventory (`linking.overridesFile` may name them). */
  | 'modelRegistry'
  /** Endpoints serving versions: where the governance looks for production traffic. */
  | 'deploymentTarget'
  /** Tickets linked to models (approvals, finding tickets). */
  | 'tracker'
  /** Repositories, commits and code owners. */
  | 'gitHost';

/**
 * The runtime's lists a connector joins (gateway/stack.ts `Runtime`): the subgraphs are
 * handed connectors by the interface they speak, not by vendor.
 */
export interface ConnectorSlots {
  mlflow: MlflowConnector;
  jira: JiraConnector;
  gitHosts: GitHostConnector & Pick<Connector, 'close'>;
  registries: RegistryConnector & Pick<Connector, 'close'>;
}
export type ConnectorSlot = keyof ConnectorSlots;

/**
 * What the wiring hands every factory: the shared deps, plus the few settings of other
 * config sections a connector needs, as plain values (connectors never read config/schema.ts).
 */
export interface SourceContext extends ConnectorDeps {
  /** Jira fields read with a model's tickets (the governance's approval `versionField`). */
  modelTicketFields?: readonly string[];
}

/** How a source's health and rate limit are described (`Query.sources`, the README's table). */
export interface SourceHealthDescription {
  /** The client-side limit an instance runs with unless its `rateLimit` says otherwise. */
  rateLimit: Readonly<RateLimit>;
  /** Requests in flight when `maxConcurrency` is not configured. */
  concurrency: number;
  /** Whether the upstream reports its own limit in responses (headers or body): `Query.sources`' `rateLimit`. */
  reportsRateLimit: boolean;
}

export interface SourceModule<
  K extends SourceKind = SourceKind,
  Key extends string = string,
  Schema extends z.ZodType = z.ZodType,
  Slot extends ConnectorSlot = ConnectorSlot,
> {
  kind: K;
  /** The key under `sources` in the configuration file. */
  configKey: Key;
  /** The product's name as people write it (`Azure ML`): ticket descriptions, messages. */
  label: string;
  /** One instance's schema; `sources.<configKey>` is an array of these. */
  schema: Schema;
  capabilities: readonly SourceCapability[];
  /** Which tool's identities (people) the source reports; null when it names none a person directory knows. */
  identityTool: IdentityTool | null;
  health: SourceHealthDescription;
  /**
   * What differs between registries, as the layers above read it (version refs, the details'
   * GraphQL type, MLflow lineage): required in the `registries` slot (test/sources/registry.test.ts).
   */
  registry?: RegistryProfile;
  slot: Slot;
  create(config: z.infer<Schema>, context: SourceContext): ConnectorSlots[Slot];
  /**
   * The instances of other sources this instance names (Unity Catalog's workspaces name the
   * MLflow sources reading their runs): the configuration is refused, naming the key, when
   * one does not exist.
   */
  references?(config: z.infer<Schema>): SourceReference[];
}

/** An instance of another source, named by an instance's setting at `path` (below the instance). */
export interface SourceReference {
  path: Array<string | number>;
  /** The key under `sources` it must be an instance of. */
  configKey: string;
  name: string;
}

/** Declares a module with its types inferred from the literal, checked against {@link SourceModule}. */
export function defineSource<K extends SourceKind, Key extends string, Schema extends z.ZodType, Slot extends ConnectorSlot>(
  module: SourceModule<K, Key, Schema, Slot>,
): SourceModule<K, Key, Schema, Slot> {
  return module;
}

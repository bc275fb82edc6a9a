/**
 * The governance rules' inputs and outputs. Rules are pure functions over these facts,
 * which the governance index reads from the sources (source-facts.ts), so each rule can be
 * tested on hand-built facts without a graph.
 */
import { governanceSchema } from '../../../config/schema';
import type { SourceKind } from '../../../connectors/core/source';

export type Severity = 'LOW' | 'MEDIUM' | 'HIGH';

export const SEVERITY_ORDER: Record<Severity, number> = { LOW: 1, MEDIUM: 2, HIGH: 3 };

export type FindingRule =
  | 'DEPLOYED_NOT_REGISTERED'
  | 'PRODUCTION_WITHOUT_APPROVAL'
  | 'NO_OWNER'
  | 'STAGE_DRIFT'
  | 'FAILED_DEPLOYMENT'
  | 'APPROVED_NOT_DEPLOYED'
  | 'UNTRACEABLE_VERSION';

export const FINDING_RULES: readonly FindingRule[] = [
  'DEPLOYED_NOT_REGISTERED',
  'PRODUCTION_WITHOUT_APPROVAL',
  'NO_OWNER',
  'STAGE_DRIFT',
  'FAILED_DEPLOYMENT',
  'APPROVED_NOT_DEPLOYED',
  'UNTRACEABLE_VERSION',
];

export interface SourceRefFact {
  kind: SourceKind;
  instance: string;
  nativeId: string;
  url: string | null;
}

export type VersionStatus = 'READY' | 'PENDING' | 'FAILED' | 'UNKNOWN';
export type ApprovalStatus = 'APPROVED' | 'PENDING' | 'REJECTED';
export type DeploymentStatus = 'CREATING' | 'UPDATING' | 'IN_SERVICE' | 'FAILED' | 'DELETING' | 'OUT_OF_SERVICE' | 'UNKNOWN';
export type TicketStatusCategory = 'TODO' | 'IN_PROGRESS' | 'DONE' | 'UNKNOWN';

/** A version in one registry, MLflow's or a cloud's. Times are ISO-8601 strings. */
export interface VersionFact {
  typename: 'MlflowModelVersion' | 'CloudModelVersion';
  /** Unique within `typename` (MLflow `<instance>/<name>/<version>`, cloud `<kind>:<instance>/<model>/<version>`). */
  id: string;
  /** The registry: kind and instance; `nativeId` is the version's own id there. */
  source: SourceRefFact;
  modelName: string;
  version: string;
  stage: string | null;
  aliases: string[];
  status: VersionStatus;
  createdAt: string | null;
  updatedAt: string | null;
  /** The registry's record of who registered it (an MLflow user id, an AWS profile, an Azure UPN). */
  createdBy: string | null;
  /**
   * What the registry says `createdBy` is: SERVICE for Azure's `createdByType` Application,
   * ManagedIdentity or Key and for an AWS assumed role whose session names no person; USER
   * for a person; null where the registry does not say (MLflow, Vertex AI). The settings'
   * `serviceIdentities` patterns apply on top (see `isServiceIdentity`).
   */
  createdByType?: 'USER' | 'SERVICE' | null;
  /** Cloud versions: the cloud's approval (SageMaker); null where the cloud has none, and for MLflow. */
  approval: ApprovalStatus | null;
  /**
   * MLflow versions: the run that produced the version; null when the version names no run
   * or the run is not in that MLflow instance. Always null for cloud versions.
   */
  run: { id: string; startTime: string | null; gitCommit: string | null } | null;
  /**
   * Cloud versions: the MLflow version they were uploaded from, when the cloud records it
   * (`mlflow.version` in SageMaker customer metadata or a tag); null when unknown.
   */
  mlflowVersion: string | null;
}

/** A deployment on a cloud endpoint (a SageMaker variant, a Vertex deployed model, an Azure deployment). */
export interface DeploymentFact {
  /** `<kind>:<instance>/<endpoint>/<name>` */
  id: string;
  source: SourceRefFact;
  endpointName: string;
  name: string;
  status: DeploymentStatus;
  statusRaw: string | null;
  /** Why, when the cloud says (SageMaker's FailureReason). */
  statusMessage?: string | null;
  /** Share of the endpoint's traffic, 0..100; null when the cloud does not say. */
  trafficPercent: number | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** The cloud version (`VersionFact.id`, typename CloudModelVersion) it serves; null when no registry holds it. */
  modelVersionId: string | null;
  /** What the cloud says it serves (a model package ARN, a Vertex model version name, an Azure model id). */
  modelVersionRef: string | null;
}

export interface TicketFact {
  /** `<instance>/<key>` */
  id: string;
  key: string;
  url: string | null;
  summary: string;
  type: string | null;
  status: string | null;
  statusCategory: TicketStatusCategory;
  labels: string[];
  created: string | null;
  resolved: string | null;
  /** The assignee's Person id, when the ticket has one. */
  assigneeId: string | null;
  /** The description as plain text (Cloud's ADF flattened); '' when it has none. */
  description?: string;
  /** The values of `settings.approval.versionField` on the ticket, as text; empty when unset. */
  versionFieldValues?: string[];
  /**
   * The ticket's status changes from its changelog, oldest first; null when the changelog
   * was not read (an approval time then falls back to the resolution date).
   */
  statusChanges?: StatusChangeFact[] | null;
}

export interface StatusChangeFact {
  /** ISO-8601. */
  at: string;
  /** The status names, as the changelog's `fromString` and `toString` give them. */
  from: string | null;
  to: string | null;
}

export interface CodeOwnerFact {
  /** As CODEOWNERS writes it: `@login`, `@org/team`, an email. */
  handle: string;
  kind: 'USER' | 'TEAM' | 'EMAIL';
  /** The Person id for a user or email owner; null for a team. */
  personId: string | null;
}

/**
 * Everything the rules know of one model. A list is empty when the model has none of the
 * thing; a part is `unavailable` when the source that holds it failed, and then no rule
 * may conclude anything from its absence (an owner-less model and a Jira outage look the
 * same otherwise).
 */
export interface ModelFacts {
  key: string;
  name: string;
  refs: SourceRefFact[];
  /** Every version in every registry (MLflow and the clouds). */
  versions: VersionFact[];
  deployments: DeploymentFact[];
  tickets: TicketFact[];
  codeOwners: CodeOwnerFact[];
  unavailable: {
    mlflowVersions: boolean;
    cloudVersions: boolean;
    deployments: boolean;
    tickets: boolean;
    codeOwners: boolean;
  };
}

export interface FindingEvidence {
  refs: SourceRefFact[];
  versions: Array<{ typename: VersionFact['typename']; id: string }>;
  /** Ticket ids (`<instance>/<key>`). */
  tickets: string[];
  /** Deployment ids. */
  deployments: string[];
}

export interface Finding {
  rule: FindingRule;
  /** The version the finding is about, when it is about one (PRODUCTION_WITHOUT_APPROVAL). */
  version?: { typename: VersionFact['typename']; id: string } | null;
  /** The share of its endpoint's traffic `version` takes (the largest, on several endpoints); null when not served or not said. */
  trafficPercent?: number | null;
  severity: Severity;
  /**
   * Stable across runs while the same thing is wrong: a hash of the rule and the ids of
   * what it is about (never of times, messages or severities), so a script can track or
   * silence one finding.
   */
  fingerprint: string;
  /** One sentence a person understands, naming the model and what is wrong. */
  message: string;
  /** The model it is about; null for a deployment serving something no registry holds. */
  modelKey: string | null;
  evidence: FindingEvidence;
}

export interface RuleSettings {
  enabled: boolean;
  severity: Severity;
}

export interface GovernanceSettings {
  /** Registry stages that mean production, compared case-insensitively. */
  productionStages: string[];
  /** Aliases that mean "the version that should serve", compared case-insensitively. */
  productionAliases: string[];
  /**
   * A case-insensitive regular expression matching endpoints that take no production
   * traffic (staging, test); empty: every endpoint is production.
   */
  nonProductionEndpoints: string;
  /** What makes a Jira ticket linked to the model an approval. */
  approval: {
    /** Status categories an approval ticket must be in (DONE by default). */
    statusCategories: TicketStatusCategory[];
    /** When non-empty, the ticket's status name must be one of these (case-insensitive). */
    statuses: string[];
    /** When non-empty, the issue type must be one of these (case-insensitive). */
    issueTypes: string[];
    /** When non-empty, the ticket must carry one of these labels. */
    labels: string[];
    /** A case-insensitive regular expression the summary must match; empty matches any. */
    summaryPattern: string;
    /**
     * A Jira field id (`customfield_10042`) whose values name the approved version(s): a
     * number, a model version id or a registry URL. Null: only summary and description do.
     */
    versionField: string | null;
    /**
     * Whether an approval ticket that names no version approves every version of the model.
     * Off by default: such a ticket does not say which version was reviewed.
     */
    acceptModelLevelTicket: boolean;
  };
  /**
   * Glob patterns (`*`, `?`; case-insensitive) of identities that are services, not people
   * (`svc-*`): matched against version creators (an AWS role session and role name too) and
   * ticket assignees. A service never makes a model owned.
   */
  serviceIdentities: string[];
  rules: Record<FindingRule, RuleSettings> & {
    APPROVED_NOT_DEPLOYED: RuleSettings & { afterDays: number };
  };
  /** Findings accepted for now, by fingerprint: listed with the waiver, never failing a gate. */
  waivers: Waiver[];
}

export interface Waiver {
  fingerprint: string;
  /** Why it is accepted, and by whom: shown with the finding. */
  reason: string;
  /** ISO date (through that UTC day) or date-time; null: until removed. */
  until: string | null;
}

export { NON_PRODUCTION_ENDPOINTS } from '../../../lib/non-production-endpoints';

/** The settings of a config that says nothing of governance: the config schema's defaults, written only there. */
export const DEFAULT_GOVERNANCE: GovernanceSettings = governanceSchema.parse({});

/** EXACT: the tool recorded when it happened. AT_MOST: it happened at or before this time (a last-update time). */
export type TimePrecision = 'EXACT' | 'AT_MOST';

export type LifecycleTimeSource =
  | 'TICKET_TRANSITION'
  | 'TICKET_RESOLUTION'
  | 'CLOUD_APPROVAL'
  | 'DEPLOYMENT_CREATED'
  | 'VERSION_DESIGNATED';

/** A milestone's time, where it comes from and how exact it is. */
export interface LifecycleTime {
  at: string;
  precision: TimePrecision;
  source: LifecycleTimeSource;
  /** What it was read from: `jira:corp/RISK-12 moved to Done`, `sagemaker:prod-us version 3 last modified`. */
  detail: string;
}

/** The milestones of a model's way to production, and the days between them. */
export interface Lifecycle {
  firstRunAt: string | null;
  registeredAt: string | null;
  approvedAt: string | null;
  firstProductionAt: string | null;
  /** `approvedAt` and `firstProductionAt` with their source and precision. */
  approved: LifecycleTime | null;
  firstProduction: LifecycleTime | null;
  /**
   * Days between milestones (fractional); null when either end is unknown, or when the
   * earlier end is only an upper bound (AT_MOST: the difference bounds nothing). A duration
   * ending at an AT_MOST milestone is itself an upper bound. Negative when the later
   * milestone came first (deployed before it was approved): that is worth seeing.
   */
  firstRunToRegisteredDays: number | null;
  registeredToApprovedDays: number | null;
  approvedToProductionDays: number | null;
  firstRunToProductionDays: number | null;
}

import type { SourceRef } from './source';

/**
 * Graph-shaped objects shared by more than one connector. Connectors produce them with
 * pure mapping functions; subgraphs serve them as they are. Times are ISO-8601 strings so
 * that objects survive the JSON round trip through the cache unchanged.
 */

export interface KeyValue {
  key: string;
  value: string;
}

/** One version of a model in one registry (MLflow now; the cloud registries later). */
export interface ModelVersion {
  /** `<instance>/<model name>/<version>`: unique across instances, stable across requests. */
  id: string;
  source: SourceRef;
  modelName: string;
  version: string;
  /** The registry's stage (MLflow: Staging, Production, Archived); null when none. */
  stage: string | null;
  aliases: string[];
  status: ModelVersionStatus;
  /** The registry's own status value, for when the normalised one is not enough. */
  statusRaw: string | null;
  statusMessage: string | null;
  description: string | null;
  /** Where the model's artifacts live (MLflow's `source`). */
  artifactUri: string | null;
  runId: string | null;
  createdBy: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  tags: KeyValue[];
}

export type ModelVersionStatus = 'READY' | 'PENDING' | 'FAILED' | 'UNKNOWN';

/** Epoch milliseconds (as MLflow sends them) to ISO-8601; absent or zero is null. */
export function isoFromMillis(ms: number | string | undefined | null): string | null {
  if (ms === undefined || ms === null || ms === '') return null;
  const n = typeof ms === 'string' ? Number(ms) : ms;
  if (!Number.isFinite(n) || n <= 0) return null;
  return new Date(n).toISOString();
}

/** A date-time as a vendor writes it (any offset, any precision) as ISO-8601 UTC; absent or unreadable is null. */
export function isoFromText(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** The string when it holds more than whitespace, else null: vendors send '' and blanks for "none". */
export function nonBlank(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

/**
 * Tools that know people, as named in a person's identities: GIT (a commit author), and each
 * source kind whose folder adds itself here (declaration merging, as SourceKinds) and names
 * itself its module's `identityTool`.
 */
export interface IdentityTools {
  GIT: true;
}

export type IdentityTool = keyof IdentityTools & string;

/**
 * A person as one tool knows them, before identity resolution: an MLflow user id, a Jira
 * account id, a GitHub or GitLab login, or a commit author (tool GIT, nativeId the email).
 * The identity module turns these into one `Person`.
 */
export interface PersonIdentity {
  tool: IdentityTool;
  /** The configured instance (`GIT` identities use the repository host's instance). */
  instance: string;
  /** The tool's own id: account id, login, user id, or for GIT the author email. */
  nativeId: string;
  /** When the tool exposes one (Jira Cloud often hides it). */
  email: string | null;
  displayName: string | null;
}

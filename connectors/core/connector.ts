import type { SourceKind } from './source';

/** What every connector is, whatever product it speaks to. */
export interface Connector {
  readonly kind: SourceKind;
  /** The configured instance name (`prod`). */
  readonly instance: string;
  /** `<kind>:<instance>` (`mlflow:prod`): the name used in errors, logs and cache keys. */
  readonly source: string;
  /** Resolves when the upstream answers an authenticated, cheap read; rejects with a SourceError. */
  health(): Promise<void>;
  /** Releases sockets and timers; the connector is not used afterwards. */
  close(): void;
}

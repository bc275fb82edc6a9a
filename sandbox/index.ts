/**
 * The sandbox: vendor-faithful local upstreams seeded by one deterministic demo organisation.
 * `npm start` (demo mode), the integration tests and the benchmarks all start it here.
 */
import { DEMO_MLFLOW_INSTANCES, generateDemoOrg, type DemoOrg } from './demo-org';
import type { Faults } from './http';
import { startMlflowSandbox, type MlflowAuth, type SandboxServer } from './mlflow/server';

export interface SandboxOptions {
  /** Default 42. */
  seed?: number;
  /** Number of models in the demo org. Default 36. */
  models?: number;
  /** One MLflow server per name. Default `['prod', 'research']`. */
  mlflowInstances?: string[];
  /** Initial faults for every server; each server's `faults` can be changed afterwards. */
  faults?: Partial<Faults>;
  /** Fixed ports per MLflow instance; wins over basePort. */
  mlflowPorts?: Record<string, number>;
  /** MLflow instance i listens on basePort + i. Default: free ports. */
  basePort?: number;
  /** Default 127.0.0.1; `0.0.0.0` to serve a container's network. */
  host?: string;
  /** Auth per MLflow instance; instances not listed run without auth. */
  mlflowAuth?: Record<string, MlflowAuth>;
  /** Use an org built elsewhere instead of generating one (seed and models are then ignored). */
  org?: DemoOrg;
}

export interface Sandbox {
  org: DemoOrg;
  /** Keyed by instance name. */
  mlflow: Record<string, SandboxServer>;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const org = options.org ?? generateDemoOrg({ seed: options.seed, models: options.models });
  const instances = options.mlflowInstances ?? [...DEMO_MLFLOW_INSTANCES];
  const mlflow: Record<string, SandboxServer> = {};
  try {
    for (const [i, instance] of instances.entries()) {
      mlflow[instance] = await startMlflowSandbox({
        org,
        instance,
        host: options.host,
        port: options.mlflowPorts?.[instance] ?? (options.basePort !== undefined ? options.basePort + i : undefined),
        faults: options.faults,
        auth: options.mlflowAuth?.[instance],
      });
    }
  } catch (err) {
    // Half a sandbox would leak listening sockets into the caller's process.
    await Promise.all(Object.values(mlflow).map((s) => s.close()));
    throw err;
  }
  return {
    org,
    mlflow,
    close: async () => {
      await Promise.all(Object.values(mlflow).map((s) => s.close()));
    },
  };
}

export { generateDemoOrg, DEMO_EPOCH_MS, DEMO_MLFLOW_INSTANCES, mlflowRunArtifactUri } from './demo-org';
export type {
  DemoExperiment,
  DemoGitSource,
  DemoMetric,
  DemoModel,
  DemoModelVersion,
  DemoOrg,
  DemoOrgOptions,
  DemoPerson,
  DemoRegistration,
  DemoRepository,
  DemoRun,
  DemoRunStatus,
  DemoServiceAccount,
  DemoStage,
  DemoTaskType,
  DemoTeam,
  DemoVersionStatus,
} from './demo-org';
export { DEFAULT_FAULTS, startSandboxHttpServer, createRequestStats } from './http';
export type { Faults, RequestStats, SandboxHandler, SandboxHttpServer, SandboxRequest, SandboxResponse } from './http';
export { startMlflowSandbox, createMlflowHandler } from './mlflow/server';
export type { MlflowAuth, MlflowSandboxOptions, SandboxServer } from './mlflow/server';
export { createMlflowStore, encodePageToken, decodePageToken } from './mlflow/store';
export type { MlflowStore } from './mlflow/store';
export { Prng, createPrng, hashSeed } from './prng';

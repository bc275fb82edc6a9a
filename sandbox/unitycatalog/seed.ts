/**
 * The Databricks Unity Catalog side of the demo organisation: one workspace fronting one
 * metastore, with a few of the org's models registered in UC as `<catalog>.<schema>.<name>`,
 * in a renderer-neutral form that `store.ts` turns into the REST API's JSON.
 *
 * What is seeded (five models in the default org, seed 42):
 * - catalog `ml_prod`, one schema per org team (the team slug with `-` -> `_`), plus the
 *   `default` and `information_schema` schemas every UC catalog has; catalog `ml_dev` with the
 *   schema of its one model's team, `default` and `information_schema`.
 * - models, by slot (each slot takes its preferred org model when that model is registered
 *   in MLflow with runs, else the first such org model not yet taken, in org order):
 *     0 `fraud-detector`             -> `ml_prod.risk.fraud_detector`
 *     1 `sentiment-classifier`       -> `ml_prod.customer_ai.sentiment_classifier`
 *     2 `demand-forecaster`          -> `ml_prod.supply_chain.demand_forecaster`
 *     3 `price-elasticity-estimator` -> `ml_prod.research.price_elasticity_estimator`
 *     4 `entity-resolver`            -> `ml_dev.ml_platform.entity_resolver`
 *   The UC `name` is the org key with `-` -> `_`, so modelgraph links it by name.
 * - versions mirror the model's MLflow registration — `prod`, except slot 3, which takes the
 *   `research` registration (its runs live in the research workspace, whose id is above 2^53)
 *   — one UC version per MLflow version, same number, `run_id` the MLflow version's run,
 *   `run_workspace_id` the workspace of the MLflow instance holding the run
 *   ({@link UC_SANDBOX_WORKSPACES}), `source` the run's `dbfs:/databricks/mlflow-tracking/...`
 *   artifact path (or the MLflow 3 `models:/m-...` logged model when MLflow has one), READY.
 * - owners: the org model's owner's email; slot 2 (and any model nobody owns) is owned by a
 *   group, `<team>-ml-owners`, as UC owners may be groups. `created_by`: the MLflow
 *   registrant's email; a registrant that is a service account (`svc-training-pipeline`,
 *   `gitlab-runner`) is the application id (a UUID) of that account's service principal
 *   ({@link UC_SANDBOX_SERVICE_PRINCIPALS}); the newest READY version of slot 2 is always
 *   registered by the training pipeline's service principal.
 * - aliases: `champion` on the newest READY version of every `ml_prod` model; the `ml_dev`
 *   model has none, only `challenger` on its newest READY version.
 *
 * DELIBERATE GAPS ({@link UC_SEED_GAPS}, and `seed.gaps` for any org):
 * - slot 0's newest version is PENDING_REGISTRATION (its files were never finalized);
 * - slot 1's newest version is FAILED_REGISTRATION;
 * - slot 4's oldest version names a run in a workspace modelgraph does not know
 *   ({@link UC_SANDBOX_UNKNOWN_WORKSPACE}, not in {@link UC_SANDBOX_WORKSPACES}).
 * Every other version is READY, whatever its MLflow status (UC is a registry of its own).
 *
 * Determinism: everything comes from the org and `Prng` streams forked per concern and per
 * model; times derive from the MLflow registrations' times, never the clock.
 */
import type { DemoModel, DemoModelVersion, DemoOrg, DemoRegistration } from '../demo-org';
import { hashSeed, Prng } from '../prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The workspace's personal access token (`dapi` + 32 hex digits). */
export const UC_SANDBOX_TOKEN = 'dapi8c1e4f7a2b9d03e6f5a7c1b2d4e6f809';

/** The OAuth client (a service principal) allowed to mint tokens at `POST /oidc/v1/token`. */
export const UC_SANDBOX_CLIENT = Object.freeze({
  clientId: '3f6b2c1e-9a4d-4e7b-8c52-7d1e0a9b4f36',
  clientSecret: 'dose5b8e2a7c4f1d9e3b6a0c8f2e7d4b1a9c',
});

/** The one metastore's id. */
export const UC_SANDBOX_METASTORE_ID = 'b71e8c2a-4d3f-4a96-9e0b-5c7d1f2a8e64';

/**
 * Databricks workspace ids of the MLflow instances whose runs UC versions name, as strings
 * (int64: `research`'s is above 2^53, a JS number cannot hold it). The sandbox host itself is
 * the `prod` workspace.
 */
export const UC_SANDBOX_WORKSPACES: Readonly<Record<string, string>> = Object.freeze({
  prod: '4072916533890417',
  research: '9174382915067243',
});

/** A workspace id that is none of {@link UC_SANDBOX_WORKSPACES}: a run nobody can resolve. */
export const UC_SANDBOX_UNKNOWN_WORKSPACE = '5820374619283741';

/** Application ids (UUIDs) of the service principals behind the org's service accounts. */
export const UC_SANDBOX_SERVICE_PRINCIPALS: Readonly<Record<string, string>> = Object.freeze({
  'svc-training-pipeline': '8d2f4a61-3c7e-4b95-a1d0-6e9b2c5f7a38',
  'gitlab-runner': 'c4a9e1b7-6f2d-4d83-9b5e-0a7c3e1f9d52',
});

export const UC_SEED_CATALOGS = { prod: 'ml_prod', dev: 'ml_dev' } as const;

/** The org models each slot prefers (see the module comment). */
export const UC_SEED_PREFERRED = [
  'fraud-detector',
  'sentiment-classifier',
  'demand-forecaster',
  'price-elasticity-estimator',
  'entity-resolver',
] as const;

/** The deliberate gaps in the default org (seed 42); `seedUnityCatalog(org).gaps` for any org. */
export const UC_SEED_GAPS = Object.freeze({
  /** The newest version is PENDING_REGISTRATION. */
  pendingRegistration: Object.freeze({ fullName: 'ml_prod.risk.fraud_detector', version: 6 }),
  /** The newest version is FAILED_REGISTRATION. */
  failedRegistration: Object.freeze({ fullName: 'ml_prod.customer_ai.sentiment_classifier', version: 5 }),
  /** `run_workspace_id` is {@link UC_SANDBOX_UNKNOWN_WORKSPACE}. */
  unknownWorkspace: Object.freeze({ fullName: 'ml_dev.ml_platform.entity_resolver', version: 1, workspaceId: UC_SANDBOX_UNKNOWN_WORKSPACE }),
  /** Runs in the `research` workspace (id above 2^53). */
  researchRuns: Object.freeze({ fullName: 'ml_prod.research.price_elasticity_estimator', workspaceId: '9174382915067243' }),
  /** Owned by a group, not a person. */
  groupOwner: Object.freeze({ fullName: 'ml_prod.supply_chain.demand_forecaster', owner: 'supply-chain-ml-owners' }),
  /** `created_by` a service principal's application id. */
  servicePrincipalVersion: Object.freeze({
    fullName: 'ml_prod.supply_chain.demand_forecaster',
    version: 5,
    applicationId: '8d2f4a61-3c7e-4b95-a1d0-6e9b2c5f7a38',
  }),
  /** No `champion`; `challenger` on its newest READY version. */
  challengerOnly: Object.freeze({ fullName: 'ml_dev.ml_platform.entity_resolver', version: 2 }),
});

export type UcSeedGaps = {
  pendingRegistration: { fullName: string; version: number };
  failedRegistration: { fullName: string; version: number };
  unknownWorkspace: { fullName: string; version: number; workspaceId: string };
  researchRuns: { fullName: string; workspaceId: string };
  groupOwner: { fullName: string; owner: string };
  servicePrincipalVersion: { fullName: string; version: number; applicationId: string };
  challengerOnly: { fullName: string; version: number };
};

export type UcVersionStatus = 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';

export interface UcSeedVersion {
  version: number;
  /** UUID. */
  id: string;
  status: UcVersionStatus;
  comment?: string;
  source: string;
  runId: string;
  /** int64 digits. */
  runWorkspaceId: string;
  storageLocation: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  /** The MLflow version it mirrors. */
  mlflow: { instance: string; name: string; version: number };
}

export interface UcSeedAlias {
  alias: string;
  version: number;
  /** UUID. */
  id: string;
}

export interface UcSeedModel {
  /** The org model key it mirrors. */
  key: string;
  catalog: string;
  schema: string;
  /** The key with `-` -> `_`. */
  name: string;
  /** UUID, part of the storage location. */
  id: string;
  comment: string;
  owner: string;
  storageLocation: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  /** Oldest first; numbers 1..n. */
  versions: UcSeedVersion[];
  aliases: UcSeedAlias[];
}

export interface UcSeedCatalog {
  name: string;
  comment: string;
  owner: string;
  storageRoot: string;
  createdAt: number;
  createdBy: string;
}

export interface UcSeedSchema {
  catalog: string;
  name: string;
  /** UUID. */
  id: string;
  comment: string;
  owner: string;
  createdAt: number;
  createdBy: string;
}

export interface UcSeed {
  metastoreId: string;
  /** The sandbox host's own workspace id (the `prod` one). */
  workspaceId: string;
  workspaces: Readonly<Record<string, string>>;
  catalogs: UcSeedCatalog[];
  /** By catalog, then name. */
  schemas: UcSeedSchema[];
  /** By full name. */
  models: UcSeedModel[];
  /** Every gap in the default org; a small org may lack the models some need. */
  gaps: Partial<UcSeedGaps>;
}

const STORAGE_ROOT = 's3://acme-uc-metastore-eu-west-1';

export function seedUnityCatalog(org: DemoOrg): UcSeed {
  const root = new Prng(hashSeed('unitycatalog', org.seed));
  const uuids = new Uuids(root.fork('uuids'));
  const people = new Map(org.people.map((p) => [p.id, p]));
  const teamSlugs = org.teams.map((t) => t.slug);
  const schemaOf = (team: string) => team.replace(/-/g, '_');
  const groupOf = (team: string) => `${team}-ml-owners`;
  const admin = 'uc-metastore-admins';

  const eligible = (m: DemoModel) => m.registrations.some((r) => r.versions.length > 0 && r.versions.every((v) => v.runId !== ''));
  const taken = new Set<string>();
  const chosen: DemoModel[] = [];
  for (const preferred of UC_SEED_PREFERRED) {
    let model = org.models.find((m) => m.key === preferred && !taken.has(m.key) && eligible(m));
    model ??= org.models.find((m) => !taken.has(m.key) && eligible(m));
    if (!model) break;
    taken.add(model.key);
    chosen.push(model);
  }

  const models: UcSeedModel[] = [];
  const gaps: Partial<UcSeedGaps> = {};
  chosen.forEach((model, slot) => {
    const rng = root.fork('model', model.key);
    const registration = pickRegistration(model, slot === 3 ? 'research' : 'prod');
    const catalog = slot === 4 ? UC_SEED_CATALOGS.dev : UC_SEED_CATALOGS.prod;
    const schema = schemaOf(model.team);
    const name = model.key.replace(/-/g, '_');
    const fullName = `${catalog}.${schema}.${name}`;
    const modelId = uuids.next();
    const storageLocation = `${STORAGE_ROOT}/metastore/${UC_SANDBOX_METASTORE_ID}/models/${modelId}`;
    const person = model.ownerId ? people.get(model.ownerId) : undefined;
    const owner = slot === 2 || !person ? groupOf(model.team) : person.email;
    const workspaceId = UC_SANDBOX_WORKSPACES[registration.instance] ?? UC_SANDBOX_WORKSPACES.prod!;
    const times = rng.fork('times');

    const n = registration.versions.length;
    const versions: UcSeedVersion[] = registration.versions.map((v, i) => {
      let status: UcVersionStatus = 'READY';
      if (i === n - 1 && slot === 0) status = 'PENDING_REGISTRATION';
      if (i === n - 1 && slot === 1) status = 'FAILED_REGISTRATION';
      const versionId = uuids.next();
      const createdAt = v.creationTime + times.int(2, 45) * MINUTE + times.int(0, 59_999);
      const createdBy = registrant(v);
      const updatedAt = status === 'PENDING_REGISTRATION' ? createdAt : Math.max(createdAt + times.int(5, 90) * 1000, v.lastUpdatedTime + times.int(1, 30) * MINUTE);
      const out: UcSeedVersion = {
        version: i + 1,
        id: versionId,
        status,
        source: sourceOf(model, registration, v),
        runId: v.runId,
        runWorkspaceId: slot === 4 && i === 0 ? UC_SANDBOX_UNKNOWN_WORKSPACE : workspaceId,
        storageLocation: `${storageLocation}/versions/${versionId}`,
        createdAt,
        createdBy,
        updatedAt,
        updatedBy: createdBy,
        mlflow: { instance: registration.instance, name: registration.name, version: v.version },
      };
      if (v.description) out.comment = v.description;
      return out;
    });

    const ready = versions.filter((v) => v.status === 'READY');
    const newestReady = ready[ready.length - 1];
    if (slot === 2 && newestReady) {
      const sp = UC_SANDBOX_SERVICE_PRINCIPALS['svc-training-pipeline']!;
      newestReady.createdBy = sp;
      newestReady.updatedBy = sp;
      gaps.servicePrincipalVersion = { fullName, version: newestReady.version, applicationId: sp };
      gaps.groupOwner = { fullName, owner };
    }

    const aliases: UcSeedAlias[] = [];
    if (newestReady) {
      if (catalog === UC_SEED_CATALOGS.dev) {
        aliases.push({ alias: 'challenger', version: newestReady.version, id: uuids.next() });
        gaps.challengerOnly = { fullName, version: newestReady.version };
      } else {
        aliases.push({ alias: 'champion', version: newestReady.version, id: uuids.next() });
      }
    }
    if (slot === 0) gaps.pendingRegistration = { fullName, version: n };
    if (slot === 1) gaps.failedRegistration = { fullName, version: n };
    if (slot === 3) gaps.researchRuns = { fullName, workspaceId };
    if (slot === 4) gaps.unknownWorkspace = { fullName, version: 1, workspaceId: UC_SANDBOX_UNKNOWN_WORKSPACE };

    // UC registration came after MLflow's: the model was created just before its first version.
    const createdAt = Math.min(registration.creationTime + times.int(1, 30) * MINUTE, versions[0]!.createdAt - times.int(1, 10) * MINUTE);
    const latest = versions.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a));
    models.push({
      key: model.key,
      catalog,
      schema,
      name,
      id: modelId,
      comment: model.description,
      owner,
      storageLocation,
      createdAt,
      createdBy: versions[0]!.createdBy,
      updatedAt: Math.max(createdAt, latest.updatedAt),
      updatedBy: latest.updatedBy,
      versions,
      aliases,
    });
  });
  models.sort((a, b) => (fullNameOf(a) < fullNameOf(b) ? -1 : 1));

  // Catalogs and schemas, created before any model.
  const first = Math.min(...models.map((m) => m.createdAt), org.epochMs);
  const setup = root.fork('setup');
  const catalogs: UcSeedCatalog[] = [
    { name: UC_SEED_CATALOGS.dev, comment: 'Development models; not for serving.', owner: admin, storageRoot: `${STORAGE_ROOT}/catalogs/ml_dev`, createdAt: first - 30 * DAY + setup.int(0, 23) * HOUR, createdBy: admin },
    { name: UC_SEED_CATALOGS.prod, comment: 'Production models of every team.', owner: admin, storageRoot: `${STORAGE_ROOT}/catalogs/ml_prod`, createdAt: first - 30 * DAY + setup.int(0, 23) * HOUR, createdBy: admin },
  ];
  const devTeams = [...new Set(models.filter((m) => m.catalog === UC_SEED_CATALOGS.dev).map((m) => m.schema))];
  const schemaNames: Record<string, string[]> = {
    [UC_SEED_CATALOGS.prod]: ['default', 'information_schema', ...teamSlugs.map(schemaOf)],
    [UC_SEED_CATALOGS.dev]: ['default', 'information_schema', ...devTeams],
  };
  const teamBySchema = new Map(teamSlugs.map((t) => [schemaOf(t), t]));
  const schemas: UcSeedSchema[] = [];
  for (const catalog of catalogs) {
    for (const name of [...new Set(schemaNames[catalog.name])].sort()) {
      const team = teamBySchema.get(name);
      schemas.push({
        catalog: catalog.name,
        name,
        id: uuids.next(),
        comment:
          name === 'information_schema'
            ? 'Information schema (auto-created)'
            : name === 'default'
              ? 'Default schema (auto-created)'
              : `Models of the ${org.teams.find((t) => t.slug === team)?.name ?? team} team.`,
        owner: team ? groupOf(team) : name === 'information_schema' ? 'System user' : admin,
        createdAt: catalog.createdAt + setup.int(1, 120) * MINUTE,
        createdBy: admin,
      });
    }
  }

  return {
    metastoreId: UC_SANDBOX_METASTORE_ID,
    workspaceId: UC_SANDBOX_WORKSPACES.prod!,
    workspaces: UC_SANDBOX_WORKSPACES,
    catalogs,
    schemas,
    models,
    gaps,
  };

  function registrant(v: DemoModelVersion): string {
    if (v.personId) return people.get(v.personId)?.email ?? v.userId;
    return UC_SANDBOX_SERVICE_PRINCIPALS[v.userId] ?? v.userId;
  }
}

export function fullNameOf(model: Pick<UcSeedModel, 'catalog' | 'schema' | 'name'>): string {
  return `${model.catalog}.${model.schema}.${model.name}`;
}

function pickRegistration(model: DemoModel, instance: string): DemoRegistration {
  const usable = model.registrations.filter((r) => r.versions.length > 0);
  return usable.find((r) => r.instance === instance) ?? usable.find((r) => r.instance === 'prod') ?? usable[0]!;
}

/** The MLflow 3 logged model when MLflow names one, else the run's artifacts as Databricks stores them. */
function sourceOf(model: DemoModel, registration: DemoRegistration, v: DemoModelVersion): string {
  if (v.source.startsWith('models:/m-')) return v.source;
  const experiment = model.experiments.find((e) => e.instance === registration.instance && e.runs.some((r) => r.id === v.runId));
  const experimentId = experiment?.id ?? String(hashSeed('experiment', model.key) % 100_000);
  return `dbfs:/databricks/mlflow-tracking/${experimentId}/${v.runId}/artifacts/model`;
}

/** Version-4 UUIDs drawn from a seeded stream, unique within the seed. */
class Uuids {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Prng) {}

  next(): string {
    for (;;) {
      const hex = this.rng.hex(32).split('');
      hex[12] = '4';
      hex[16] = '89ab'[parseInt(hex[16]!, 16) % 4]!;
      const s = hex.join('');
      const id = `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

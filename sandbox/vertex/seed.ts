/**
 * The Vertex AI side of the demo organisation: one project and location
 * (`acme-ml-prod` / `europe-west4`) holding a share of the org's models, their versions and
 * the endpoints that serve them, in a Vertex-shaped but renderer-neutral form that
 * `store.ts` turns into REST v1 JSON.
 *
 * What is seeded:
 * - every model of the `search` and `customer-ai` teams, and `fraud-detector` (which the
 *   org also runs in other clouds), mirrored from its MLflow registration (`prod` when it
 *   has one): one Vertex version per READY MLflow version, same number (Vertex version ids
 *   count up from 1, as MLflow's do; only the newest MLflow version is ever not READY, so
 *   the numbers stay aligned). A registration that failed or is pending was never uploaded.
 * - aliases: `default` on the served version (the Production one), else the newest; the
 *   MLflow aliases (`champion`, `challenger`) on the versions that carry them.
 * - labels `team` and `task` on every model; about a third of the models also carry the
 *   label `modelgraph-key` (GCP label keys cannot hold dots, so this is Vertex's spelling of
 *   the `modelgraph.key` tag) and a display name that does not normalise to the key
 *   (`query_intent_classifier_v2`), the others a display name that does (`Search Ranker`).
 * - endpoints: each model with a Production version gets `<key>-prod` serving it, as an
 *   80/20 canary with a newer READY candidate (the `challenger`, else the newest Staging or
 *   newer version) when there is one; a model without Production but with a READY Staging
 *   version gets `<key>-staging` serving it.
 *
 * DELIBERATE GAPS, for the governance rules ({@link VERTEX_SEED_GAPS}):
 * - `vision-legacy-classifier`: a Vertex-only model, registered in no MLflow, deployed on
 *   its own endpoint (v2 80%, a newer v3 on a 20% canary);
 * - `search-ranker`: its Vertex `champion` alias was moved to another version (the newest
 *   READY one other than the served one, newer preferred), and the endpoint was never
 *   redeployed: the champion takes no traffic;
 * - `review-summarizer`: MLflow has a Production version, Vertex has the model, and no
 *   endpoint serves it.
 * In the default org (seed 42, 36 models) each gap holds as described (the sandbox tests
 * check them); in other orgs a gap model without the versions it needs is seeded plainly.
 *
 * Determinism: everything comes from the org and `Prng` streams forked per concern and per
 * model; times derive from the MLflow versions' times (or DEMO_EPOCH_MS), never the clock.
 */
import { DEMO_EPOCH_MS, type DemoModel, type DemoModelVersion, type DemoOrg, type DemoRegistration, type DemoTaskType } from '../demo-org';
import { hashSeed, Prng } from '../prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const VERTEX_SANDBOX_PROJECT = 'acme-ml-prod';
export const VERTEX_SANDBOX_LOCATION = 'europe-west4';
/** The label naming a model's modelgraph key (`modelgraph.key` cannot be a GCP label key). */
export const VERTEX_SEED_KEY_LABEL = 'modelgraph-key';
/** Teams whose models live in Vertex AI, plus single models run there too. */
export const VERTEX_SEED_TEAMS = ['search', 'customer-ai'] as const;
export const VERTEX_SEED_EXTRA_MODELS = ['fraud-detector'] as const;

/** The deliberate gaps, by model key (see the module comment). */
export const VERTEX_SEED_GAPS = {
  /** Registered in Vertex and deployed, registered in no MLflow instance. */
  unregisteredInMlflow: 'vision-legacy-classifier',
  /** The Vertex `champion` alias is on a version that takes no traffic. */
  championNotServing: 'search-ranker',
  /** MLflow says Production; Vertex has the model and deploys it nowhere. */
  notDeployed: 'review-summarizer',
} as const;

export interface VertexSeedVersion {
  /** `1`, `2`, ...: the MLflow version number it mirrors. */
  versionId: string;
  aliases: string[];
  description?: string;
  createTime: number;
  updateTime: number;
  artifactUri: string;
  imageUri: string;
  labels: Record<string, string>;
  /** The MLflow version it was uploaded from; null for Vertex-only models. */
  mlflow: { instance: string; name: string; version: number } | null;
}

export interface VertexSeedModel {
  /** The numeric model id (last segment of the resource name). */
  id: string;
  /** The org model it mirrors, or (for a Vertex-only model) the key it would have. */
  key: string;
  displayName: string;
  description: string;
  labels: Record<string, string>;
  /** Oldest first. */
  versions: VertexSeedVersion[];
}

export interface VertexSeedDeployedModel {
  /** Up to 10 digits. */
  id: string;
  modelId: string;
  versionId: string;
  displayName: string;
  createTime: number;
  machineType: string;
  acceleratorType?: string;
  acceleratorCount?: number;
  minReplicaCount: number;
  maxReplicaCount: number;
}

export interface VertexSeedEndpoint {
  id: string;
  displayName: string;
  description: string;
  labels: Record<string, string>;
  createTime: number;
  updateTime: number;
  deployedModels: VertexSeedDeployedModel[];
  /** Deployed model id -> percent (adds up to 100). */
  trafficSplit: Record<string, number>;
}

export interface VertexSeed {
  project: string;
  /** What resource names in responses carry instead of the project id. */
  projectNumber: string;
  location: string;
  models: VertexSeedModel[];
  endpoints: VertexSeedEndpoint[];
}

export function seedVertex(org: DemoOrg): VertexSeed {
  const root = new Prng(hashSeed('vertex', org.seed));
  const ids = new Ids(root.fork('ids'));
  const teams = new Set<string>(VERTEX_SEED_TEAMS);
  const extras = new Set<string>(VERTEX_SEED_EXTRA_MODELS);
  const chosen = org.models.filter((m) => teams.has(m.team) || extras.has(m.key));

  const models: VertexSeedModel[] = [];
  const endpoints: VertexSeedEndpoint[] = [];
  for (const model of chosen) {
    const rng = root.fork('model', model.key);
    const registration = model.registrations.find((r) => r.instance === 'prod') ?? model.registrations[0];
    if (!registration) continue;
    const seeded = mirrorModel(rng, ids, model, registration);
    if (!seeded) continue;
    models.push(seeded.model);
    const endpoint = deployModel(rng.fork('deploy'), ids, model, seeded);
    if (endpoint) endpoints.push(endpoint);
  }

  const legacy = legacyModel(root.fork('legacy'), ids);
  models.push(legacy.model);
  endpoints.push(legacy.endpoint);

  // Listed in creation order, as the sandbox lists them when no order is asked for.
  const firstCreated = (m: VertexSeedModel) => Math.min(...m.versions.map((v) => v.createTime));
  models.sort((a, b) => firstCreated(a) - firstCreated(b) || (a.id < b.id ? -1 : 1));
  endpoints.sort((a, b) => a.createTime - b.createTime || (a.id < b.id ? -1 : 1));

  return {
    project: VERTEX_SANDBOX_PROJECT,
    projectNumber: new Ids(root.fork('project')).next(12),
    location: VERTEX_SANDBOX_LOCATION,
    models,
    endpoints,
  };
}

// ---- models ---------------------------------------------------------------------------------

interface MirroredModel {
  model: VertexSeedModel;
  /** The version endpoints serve; undefined when none should. */
  served?: VertexSeedVersion;
  /** A newer candidate for a canary. */
  candidate?: VertexSeedVersion;
  /** Served version's MLflow stage. */
  servedStage?: 'Production' | 'Staging';
}

function mirrorModel(rng: Prng, ids: Ids, model: DemoModel, registration: DemoRegistration): MirroredModel | undefined {
  const ready = registration.versions.filter((v) => v.status === 'READY');
  if (ready.length === 0) return undefined;
  const framework = frameworkOf(ready);
  const production = ready.find((v) => v.stage === 'Production');
  const staging = [...ready].reverse().find((v) => v.stage === 'Staging');
  const gapChampion = model.key === VERTEX_SEED_GAPS.championNotServing;

  // What an endpoint serves: Production; the gap model serves something even without it.
  let served: DemoModelVersion | undefined = production;
  let servedStage: MirroredModel['servedStage'] = production ? 'Production' : undefined;
  if (!served && gapChampion) served = ready[ready.length - 1];
  if (!served && staging) {
    served = staging;
    servedStage = 'Staging';
  }
  const defaultVersion = production ?? ready[ready.length - 1]!;

  const naming = rng.fork('naming');
  const labels: Record<string, string> = { team: labelValue(model.team), task: labelValue(model.task) };
  let displayName: string;
  const style = naming.next();
  if (style < 0.35) {
    labels[VERTEX_SEED_KEY_LABEL] = model.key;
    displayName = `${model.key.replace(/-/g, '_')}_${naming.pick(['v2', 'prod', 'tf', 'serving'])}`;
  } else if (style < 0.7) {
    displayName = model.key;
  } else {
    displayName = model.displayName;
  }

  const times = rng.fork('times');
  const imageUri = servingImage(model.task, framework, model.key);
  const versions: VertexSeedVersion[] = ready.map((v) => {
    const createTime = v.creationTime + times.int(5, 90) * MINUTE + times.int(0, 59_999);
    const aliases = v === defaultVersion ? ['default'] : [];
    for (const alias of v.aliases) if (!(gapChampion && alias === 'champion')) aliases.push(alias);
    const out: VertexSeedVersion = {
      versionId: String(v.version),
      aliases,
      createTime,
      updateTime: Math.max(createTime, v.lastUpdatedTime + times.int(1, 30) * MINUTE),
      artifactUri: `gs://${VERTEX_SANDBOX_PROJECT}-models/${model.key}/v${v.version}/`,
      imageUri,
      labels: { ...labels },
      mlflow: { instance: registration.instance, name: registration.name, version: v.version },
    };
    if (v.description) out.description = v.description;
    return out;
  });

  const byNumber = new Map(ready.map((v, i) => [v, versions[i]!]));
  const servedVersion = served ? byNumber.get(served) : undefined;
  if (gapChampion && servedVersion) {
    // The alias was moved by hand in Vertex; nobody redeployed the endpoint.
    const others = versions.filter((v) => v !== servedVersion);
    const newer = others.filter((v) => Number(v.versionId) > Number(servedVersion.versionId));
    const target = (newer.length ? newer : others)[(newer.length ? newer : others).length - 1];
    if (target) {
      target.aliases.push('champion');
      target.updateTime = Math.max(target.updateTime, servedVersion.updateTime) + 2 * DAY;
    }
  }

  let candidate: VertexSeedVersion | undefined;
  if (production && servedVersion && !gapChampion) {
    const newer = ready.filter((v) => v.version > production.version && v.stage !== 'Archived');
    const pick = newer.find((v) => v.aliases.includes('challenger')) ?? [...newer].reverse().find((v) => v.stage === 'Staging') ?? newer[newer.length - 1];
    candidate = pick ? byNumber.get(pick) : undefined;
  }

  return {
    model: {
      id: ids.next(19),
      key: model.key,
      displayName,
      description: model.description,
      labels,
      versions,
    },
    served: model.key === VERTEX_SEED_GAPS.notDeployed ? undefined : servedVersion,
    candidate,
    servedStage,
  };
}

function frameworkOf(versions: DemoModelVersion[]): string | undefined {
  for (const v of versions) if (v.tags.framework) return v.tags.framework;
  return undefined;
}

/** Vertex's prebuilt prediction containers where one fits, a custom image otherwise. */
function servingImage(task: DemoTaskType, framework: string | undefined, key: string): string {
  const prebuilt = 'europe-docker.pkg.dev/vertex-ai/prediction';
  if (framework?.startsWith('XGB')) return `${prebuilt}/xgboost-cpu.1-7:latest`;
  if (framework && /Forest|Boosting|Logistic/.test(framework)) return `${prebuilt}/sklearn-cpu.1-3:latest`;
  if (task === 'computer-vision') return `${prebuilt}/pytorch-gpu.2-1:latest`;
  return `${VERTEX_SANDBOX_LOCATION}-docker.pkg.dev/${VERTEX_SANDBOX_PROJECT}/serving/${key}:latest`;
}

/** GCP label values: lower-case letters, digits, `_` and `-`, at most 63. */
function labelValue(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 63);
}

// ---- endpoints ------------------------------------------------------------------------------

function deployModel(rng: Prng, ids: Ids, model: DemoModel, seeded: MirroredModel): VertexSeedEndpoint | undefined {
  const served = seeded.served;
  if (!served) return undefined;
  const env = seeded.servedStage === 'Staging' ? 'staging' : 'prod';
  const machine = machineFor(rng, model.task);
  const deployedAt = served.updateTime + rng.int(10, 180) * MINUTE;
  const primary: VertexSeedDeployedModel = {
    id: ids.next(10),
    modelId: seeded.model.id,
    versionId: served.versionId,
    displayName: seeded.model.displayName,
    createTime: deployedAt,
    ...machine,
    minReplicaCount: rng.int(1, 3),
    maxReplicaCount: 0,
  };
  primary.maxReplicaCount = primary.minReplicaCount + rng.int(0, 4);
  const deployedModels = [primary];
  const trafficSplit: Record<string, number> = { [primary.id]: 100 };
  if (seeded.candidate) {
    const canaryAt = Math.max(deployedAt, seeded.candidate.updateTime) + rng.int(30, 600) * MINUTE;
    const canary: VertexSeedDeployedModel = {
      ...primary,
      id: ids.next(10),
      versionId: seeded.candidate.versionId,
      createTime: canaryAt,
      minReplicaCount: 1,
      maxReplicaCount: 2,
    };
    deployedModels.push(canary);
    trafficSplit[primary.id] = 80;
    trafficSplit[canary.id] = 20;
  }
  return {
    id: ids.next(19),
    displayName: `${model.key}-${env}`,
    description: `Online predictions for ${model.displayName} (${env}).`,
    labels: { team: labelValue(model.team), env },
    createTime: deployedAt - rng.int(1, 30) * MINUTE,
    updateTime: Math.max(...deployedModels.map((d) => d.createTime)),
    deployedModels,
    trafficSplit,
  };
}

function machineFor(rng: Prng, task: DemoTaskType): Pick<VertexSeedDeployedModel, 'machineType' | 'acceleratorType' | 'acceleratorCount'> {
  if (task === 'computer-vision') return { machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 1 };
  if (task === 'nlp') return { machineType: rng.pick(['n1-standard-8', 'n1-highmem-8']) };
  return { machineType: rng.pick(['n1-standard-4', 'e2-standard-4', 'n2-standard-4']) };
}

/**
 * `vision-legacy-classifier`: trained before the org had MLflow and uploaded straight to
 * Vertex; still retrained there, its newest version on a 20% canary.
 */
function legacyModel(rng: Prng, ids: Ids): { model: VertexSeedModel; endpoint: VertexSeedEndpoint } {
  const key = VERTEX_SEED_GAPS.unregisteredInMlflow;
  const labels = { team: 'search', task: 'computer-vision' };
  const imageUri = 'europe-docker.pkg.dev/vertex-ai/prediction/tf2-gpu.2-12:latest';
  // About ten months before the org's MLflow history starts, then once in its fifth month.
  const first = DEMO_EPOCH_MS - 320 * DAY + rng.int(0, 30) * DAY + rng.int(0, 23) * HOUR + rng.int(0, 59) * MINUTE;
  const created = [first, first + 41 * DAY + rng.int(0, 23) * HOUR, DEMO_EPOCH_MS + 130 * DAY + rng.int(0, 23) * HOUR];
  const notes = ['First upload from the legacy training box.', 'Retrained on the 2024 catalogue images.', 'Retrained with the spring catalogue; on canary.'];
  const versions: VertexSeedVersion[] = created.map((createTime, i) => ({
    versionId: String(i + 1),
    aliases: i === 1 ? ['default', 'champion'] : [],
    description: notes[i]!,
    createTime,
    updateTime: createTime + rng.int(1, 5) * DAY,
    artifactUri: `gs://${VERTEX_SANDBOX_PROJECT}-legacy/${key}/${i + 1}/`,
    imageUri,
    labels: { ...labels },
    mlflow: null,
  }));
  const model: VertexSeedModel = {
    id: ids.next(19),
    key,
    displayName: key,
    description: 'Classifies catalogue images into product categories (pre-MLflow model).',
    labels,
    versions,
  };
  const deployed = (version: VertexSeedVersion, minReplicaCount: number): VertexSeedDeployedModel => ({
    id: ids.next(10),
    modelId: model.id,
    versionId: version.versionId,
    displayName: key,
    createTime: version.updateTime + rng.int(1, 48) * HOUR + rng.int(0, 59) * MINUTE,
    machineType: 'n1-standard-8',
    acceleratorType: 'NVIDIA_TESLA_T4',
    acceleratorCount: 1,
    minReplicaCount,
    maxReplicaCount: minReplicaCount + 2,
  });
  const stable = deployed(versions[1]!, 2);
  const canary = deployed(versions[2]!, 1);
  return {
    model,
    endpoint: {
      id: ids.next(19),
      displayName: `${key}-prod`,
      description: 'Legacy image classification endpoint.',
      labels: { team: 'search', env: 'prod' },
      createTime: stable.createTime - rng.int(5, 40) * MINUTE,
      updateTime: canary.createTime,
      deployedModels: [stable, canary],
      trafficSplit: { [stable.id]: 80, [canary.id]: 20 },
    },
  };
}

/** Unique numeric ids of a fixed length, the first digit never 0. */
class Ids {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Prng) {}

  next(digits: number): string {
    for (;;) {
      let id = String(this.rng.int(1, 9));
      while (id.length < digits) id += String(this.rng.int(0, 9));
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

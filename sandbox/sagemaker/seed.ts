/**
 * The SageMaker side of the demo organisation: one AWS account and region (`prod-us`,
 * us-east-1) where a share of the org's production models are registered as model package
 * groups and served by real-time endpoints.
 *
 * What is seeded:
 * - a share of the models registered in MLflow `prod` (every model the gaps below name,
 *   and about half of the others) becomes a model package group whose versions mirror the
 *   MLflow versions one for one (same numbers; READY -> Completed, PENDING_REGISTRATION ->
 *   InProgress, FAILED_REGISTRATION -> Failed), registered a little after MLflow's;
 * - approval follows MLflow: the Production version is Approved (PendingManualApproval
 *   when its `validation_status` tag says `pending`), Archived versions are Rejected, the
 *   rest PendingManualApproval; a version serving as a canary is Approved;
 * - groups are usually named after the model key; some carry the tag `modelgraph.key`,
 *   others are linked by name only, some in another naming style (PascalCase);
 * - every Production version is served by an endpoint `<model>-prod` (variant
 *   `AllTraffic`); a few endpoints split traffic 90/10 between the Production version
 *   (`primary`) and a newer one (`canary`);
 * - versioned model packages carry no tags (SageMaker refuses them), but customer metadata
 *   naming the MLflow run, model and version they were registered from.
 *
 * DELIBERATE GAPS, for the governance rules (see {@link SAGEMAKER_SEED_GAPS}):
 * - `legacy-pricing`: an endpoint serving a package group no MLflow knows
 *   (`legacy-pricing-model`);
 * - `pricing-rules-engine`: an endpoint serving a bare image model (no package at all);
 * - `supplier-risk-scorer`: its Production version is Approved but nothing serves it;
 * - `search-ranker-gpu`: an endpoint in `Failed` status (search-ranker's newest version on GPU);
 * - `email-propensity`: its endpoint serves the Production version, while MLflow's
 *   `champion` alias points at an older one (the org's "champion is not production" quirk);
 * - `credit-risk-scorer`: served although its version is still PendingManualApproval
 *   (MLflow's "production not approved" quirk, carried over);
 * - `ltv-predictor` is registered as `customer-ltv`, linked only by its `modelgraph.key` tag;
 *   `credit-risk-scorer` and `demand-forecaster` as `CreditRiskScorer` and
 *   `DemandForecaster`, linked by name only; `next-best-action` (MLflow prod calls it
 *   `NextBestAction`) as `next-best-action`.
 *
 * The named models are those of the default org (36 models); a smaller org simply lacks
 * the gaps of models it does not have.
 *
 * Determinism: everything comes from the org and `Prng` streams forked per concern and per
 * model; times derive from the models' version times, never the clock.
 */
import type { DemoModel, DemoModelVersion, DemoOrg, DemoPerson, DemoTaskType } from '../demo-org';
import { hashSeed, Prng } from '../prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The AWS documentation's example account: obviously not a real one. */
export const SAGEMAKER_SANDBOX_ACCOUNT = '111122223333';
export const SAGEMAKER_SANDBOX_REGION = 'us-east-1';
/** The instance name the sandbox stands for in configs and ids. */
export const SAGEMAKER_SANDBOX_INSTANCE = 'prod-us';
/** The MLflow instance whose registrations are mirrored. */
const MIRRORED_MLFLOW = 'prod';

/** The deliberate gaps (see the module comment). */
export const SAGEMAKER_SEED_GAPS = {
  unregisteredGroup: { group: 'legacy-pricing-model', endpoint: 'legacy-pricing', model: 'legacy-pricing-model-v2' },
  bareImageModel: { endpoint: 'pricing-rules-engine', model: 'pricing-rules-engine-2023-11' },
  approvedNeverDeployed: 'supplier-risk-scorer',
  failedEndpoint: { modelKey: 'search-ranker', endpoint: 'search-ranker-gpu' },
  championNotServed: 'email-propensity',
  servedNotApproved: 'credit-risk-scorer',
  /** 90/10 between the Production version and a newer one. */
  splitTraffic: ['support-ticket-router', 'warehouse-slotting'] as const,
  tagLinked: { modelKey: 'ltv-predictor', group: 'customer-ltv' },
  /** Model key -> group name, linked by name only (no `modelgraph.key` tag). */
  renamed: {
    'credit-risk-scorer': 'CreditRiskScorer',
    'demand-forecaster': 'DemandForecaster',
    'next-best-action': 'next-best-action',
  } as Readonly<Record<string, string>>,
} as const;

/** The tag that names a group's model key, as `linking.keyTag` defaults to. */
export const SAGEMAKER_KEY_TAG = 'modelgraph.key';

export type SeedApproval = 'Approved' | 'Rejected' | 'PendingManualApproval';
export type SeedPackageStatus = 'Completed' | 'InProgress' | 'Failed';
export type SeedEndpointStatus = 'InService' | 'Failed' | 'Creating' | 'Updating' | 'OutOfService';

export interface SeedTag {
  Key: string;
  Value: string;
}

/** Who did something: a Studio user profile, or an IAM principal (a role session). */
export interface SeedPrincipal {
  userProfileName?: string;
  domainId?: string;
  iamArn?: string;
}

export interface SagemakerSeedGroup {
  name: string;
  arn: string;
  description?: string;
  creationTime: number;
  createdBy: SeedPrincipal;
  tags: SeedTag[];
  /** The org model it is; null for the legacy group no MLflow knows. Not on the wire. */
  modelKey: string | null;
}

export interface SagemakerSeedPackage {
  groupName: string;
  version: number;
  arn: string;
  description?: string;
  creationTime: number;
  lastModifiedTime: number;
  approval: SeedApproval;
  approvalDescription?: string;
  status: SeedPackageStatus;
  image: string;
  modelDataUrl: string;
  contentTypes: string[];
  instanceTypes: string[];
  customerMetadata: Record<string, string>;
  createdBy: SeedPrincipal;
  /** The MLflow version it mirrors. Not on the wire. */
  mlflow: { instance: string; name: string; version: number } | null;
}

export interface SagemakerSeedModel {
  name: string;
  arn: string;
  creationTime: number;
  executionRoleArn: string;
  /** A registered version (its ARN), or a bare image and artifact. */
  container: { modelPackageArn: string } | { image: string; modelDataUrl: string };
  /** Listed under `Containers` (an inference pipeline of one) instead of `PrimaryContainer`. */
  asPipeline: boolean;
  tags: SeedTag[];
}

export interface SagemakerSeedVariant {
  name: string;
  modelName: string;
  instanceType: string;
  instanceCount: number;
  weight: number;
}

export interface SagemakerSeedEndpointConfig {
  name: string;
  arn: string;
  creationTime: number;
  variants: SagemakerSeedVariant[];
  tags: SeedTag[];
}

export interface SagemakerSeedEndpoint {
  name: string;
  arn: string;
  configName: string;
  status: SeedEndpointStatus;
  failureReason?: string;
  creationTime: number;
  lastModifiedTime: number;
  tags: SeedTag[];
  /** The org model it serves; null when none (the gaps). Not on the wire. */
  modelKey: string | null;
}

export interface SagemakerSeed {
  accountId: string;
  region: string;
  groups: SagemakerSeedGroup[];
  packages: SagemakerSeedPackage[];
  models: SagemakerSeedModel[];
  endpointConfigs: SagemakerSeedEndpointConfig[];
  endpoints: SagemakerSeedEndpoint[];
}

export interface SagemakerSeedOptions {
  /** Default {@link SAGEMAKER_SANDBOX_ACCOUNT}. */
  accountId?: string;
  /** Default {@link SAGEMAKER_SANDBOX_REGION}. */
  region?: string;
  /** Share of the non-gap production models registered in SageMaker. Default 0.5. */
  share?: number;
}

/** The models the gaps name: always part of the share when the org has them. */
const FORCED = new Set<string>([
  SAGEMAKER_SEED_GAPS.approvedNeverDeployed,
  SAGEMAKER_SEED_GAPS.failedEndpoint.modelKey,
  SAGEMAKER_SEED_GAPS.championNotServed,
  SAGEMAKER_SEED_GAPS.servedNotApproved,
  ...SAGEMAKER_SEED_GAPS.splitTraffic,
  SAGEMAKER_SEED_GAPS.tagLinked.modelKey,
  ...Object.keys(SAGEMAKER_SEED_GAPS.renamed),
]);

/** Groups never tagged with the key: the point is that they are linked by name only. */
const NAME_ONLY = new Set(Object.keys(SAGEMAKER_SEED_GAPS.renamed));

export function seedSagemaker(org: DemoOrg, options: SagemakerSeedOptions = {}): SagemakerSeed {
  const accountId = options.accountId ?? SAGEMAKER_SANDBOX_ACCOUNT;
  const region = options.region ?? SAGEMAKER_SANDBOX_REGION;
  const share = options.share ?? 0.5;
  const root = new Prng(hashSeed('sagemaker', org.seed));
  const arn = (type: string, name: string) => `arn:aws:sagemaker:${region}:${accountId}:${type}/${name.toLowerCase()}`;
  const people = new Map(org.people.map((p) => [p.id, p]));
  const seed: SagemakerSeed = { accountId, region, groups: [], packages: [], models: [], endpointConfigs: [], endpoints: [] };
  const executionRole = `arn:aws:iam::${accountId}:role/service-role/AmazonSageMaker-ExecutionRole-prod-us`;

  for (const model of org.models) {
    const registration = model.registrations.find((r) => r.instance === MIRRORED_MLFLOW);
    if (!registration) continue;
    const rng = root.fork('model', model.key);
    // Drawn for every model, so the share of one never shifts with another's inclusion.
    const included = rng.chance(share);
    if (!FORCED.has(model.key) && !included) continue;

    const groupName = groupNameOf(model.key);
    const groupArn = arn('model-package-group', groupName);
    const owner = model.ownerId ? people.get(model.ownerId) ?? null : null;
    const tags: SeedTag[] = [{ Key: 'team', Value: model.team }];
    const tagged = model.key === SAGEMAKER_SEED_GAPS.tagLinked.modelKey || (!NAME_ONLY.has(model.key) && rng.chance(0.4));
    if (tagged) tags.push({ Key: SAGEMAKER_KEY_TAG, Value: model.key });
    if (rng.chance(0.5)) tags.push({ Key: 'cost-center', Value: `cc-${rng.int(1000, 9999)}` });
    seed.groups.push({
      name: groupName,
      arn: groupArn,
      ...(registration.description ? { description: registration.description } : {}),
      creationTime: registration.creationTime + rng.int(1, 48) * HOUR,
      createdBy: principal(rng, owner, accountId),
      tags,
      modelKey: model.key,
    });

    const image = imageOf(rng, model, accountId, region);
    const ready = registration.versions.filter((v) => v.status === 'READY');
    const production = ready.find((v) => v.stage === 'Production');
    const canary =
      production && (SAGEMAKER_SEED_GAPS.splitTraffic as readonly string[]).includes(model.key)
        ? [...ready].reverse().find((v) => v.version > production.version)
        : undefined;

    const packages = new Map<number, SagemakerSeedPackage>();
    for (const v of registration.versions) {
      const creationTime = v.creationTime + rng.int(5, 90) * MINUTE;
      const pkg: SagemakerSeedPackage = {
        groupName,
        version: v.version,
        arn: `${arn('model-package', groupName)}/${v.version}`,
        ...(v.description ? { description: v.description } : {}),
        creationTime,
        lastModifiedTime: Math.max(creationTime, v.lastUpdatedTime + rng.int(0, 120) * MINUTE),
        approval: approvalOf(v, v === canary),
        status: v.status === 'READY' ? 'Completed' : v.status === 'PENDING_REGISTRATION' ? 'InProgress' : 'Failed',
        image,
        modelDataUrl: `s3://acme-sagemaker-${region}/model-registry/${groupName.toLowerCase()}/v${v.version}/model.tar.gz`,
        contentTypes: [model.task === 'nlp' ? 'application/json' : 'text/csv'],
        instanceTypes: [instanceTypeOf(model.task), 'ml.m5.large'],
        customerMetadata: {
          'mlflow.run_id': v.runId,
          'mlflow.registered_model': registration.name,
          'mlflow.version': String(v.version),
          ...(v.tags.framework ? { framework: v.tags.framework } : {}),
        },
        createdBy: v.personId ? principal(rng, people.get(v.personId) ?? null, accountId) : pipelinePrincipal(accountId, v.userId),
        mlflow: { instance: registration.instance, name: registration.name, version: v.version },
      };
      if (pkg.approval === 'Approved') pkg.approvalDescription = `Approved for production by ${owner?.email ?? 'mlops-oncall@acme.io'}`;
      packages.set(v.version, pkg);
      seed.packages.push(pkg);
    }

    const endpointBase = kebab(groupName);
    if (production && model.key !== SAGEMAKER_SEED_GAPS.approvedNeverDeployed) {
      const served = [{ version: production, variant: canary ? 'primary' : 'AllTraffic', weight: canary ? 0.9 : 1 }];
      if (canary) served.push({ version: canary, variant: 'canary', weight: 0.1 });
      const createdAt = packages.get(production.version)!.lastModifiedTime + rng.int(1, 24) * HOUR;
      addEndpoint(seed, rng, {
        name: `${endpointBase}-prod`,
        arn,
        status: 'InService',
        createdAt,
        modifiedAt: createdAt + (canary ? rng.int(2, 10) * DAY : rng.int(0, 60) * MINUTE),
        model,
        variants: served.map((s) => ({
          variant: s.variant,
          weight: s.weight,
          modelName: `${endpointBase}-v${s.version.version}`,
          container: { modelPackageArn: packages.get(s.version.version)!.arn },
        })),
        executionRole,
      });
    }
    if (model.key === SAGEMAKER_SEED_GAPS.failedEndpoint.modelKey) {
      const newest = ready[ready.length - 1];
      if (newest) {
        const createdAt = packages.get(newest.version)!.creationTime + rng.int(2, 30) * HOUR;
        addEndpoint(seed, rng, {
          name: SAGEMAKER_SEED_GAPS.failedEndpoint.endpoint,
          arn,
          status: 'Failed',
          failureReason:
            'The primary container for production variant AllTraffic did not pass the ping health check. ' +
            'Please check CloudWatch logs for this endpoint.',
          createdAt,
          modifiedAt: createdAt + rng.int(8, 25) * MINUTE,
          model,
          instanceType: 'ml.g5.2xlarge',
          variants: [
            {
              variant: 'AllTraffic',
              weight: 1,
              modelName: `${endpointBase}-gpu-v${newest.version}`,
              container: { modelPackageArn: packages.get(newest.version)!.arn },
            },
          ],
          executionRole,
        });
      }
    }
  }

  addLegacy(seed, root.fork('legacy'), arn, executionRole, accountId, region);
  return seed;
}

/** The group name a model is registered under (see the gaps). */
function groupNameOf(key: string): string {
  if (key === SAGEMAKER_SEED_GAPS.tagLinked.modelKey) return SAGEMAKER_SEED_GAPS.tagLinked.group;
  return SAGEMAKER_SEED_GAPS.renamed[key] ?? key;
}

/** `CreditRiskScorer` -> `credit-risk-scorer`; kebab names stay as they are. */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function approvalOf(v: DemoModelVersion, canary: boolean): SeedApproval {
  if (canary) return 'Approved';
  if (v.stage === 'Production') return v.tags.validation_status === 'pending' ? 'PendingManualApproval' : 'Approved';
  if (v.stage === 'Archived') return 'Rejected';
  return 'PendingManualApproval';
}

/** A person registers from SageMaker Studio (their user profile) or from a notebook with an assumed role. */
function principal(rng: Prng, person: DemoPerson | null, accountId: string): SeedPrincipal {
  if (!person) return pipelinePrincipal(accountId, 'svc-training-pipeline');
  if (rng.chance(0.5)) return { userProfileName: person.id.replace('.', '-'), domainId: 'd-acme0produs1' };
  return { iamArn: `arn:aws:sts::${accountId}:assumed-role/DataScientist/${person.email}` };
}

function pipelinePrincipal(accountId: string, session: string): SeedPrincipal {
  return { iamArn: `arn:aws:sts::${accountId}:assumed-role/mlops-model-registration/${session}` };
}

function instanceTypeOf(task: DemoTaskType): string {
  if (task === 'nlp' || task === 'computer-vision') return 'ml.g5.xlarge';
  if (task === 'ranking') return 'ml.c5.2xlarge';
  return 'ml.m5.xlarge';
}

/** AWS's own framework images (their us-east-1 registries), or the team's image in the account's ECR. */
function imageOf(rng: Prng, model: DemoModel, accountId: string, region: string): string {
  if (rng.chance(0.25)) return `${accountId}.dkr.ecr.${region}.amazonaws.com/${model.key}-serving:${rng.int(1, 9)}.${rng.int(0, 20)}.${rng.int(0, 9)}`;
  switch (model.task) {
    case 'nlp':
      return `763104351884.dkr.ecr.${region}.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04`;
    case 'computer-vision':
      return `763104351884.dkr.ecr.${region}.amazonaws.com/pytorch-inference:2.1.0-gpu-py310`;
    default:
      return rng.chance(0.5)
        ? `683313688378.dkr.ecr.${region}.amazonaws.com/sagemaker-xgboost:1.7-1`
        : `683313688378.dkr.ecr.${region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3`;
  }
}

interface EndpointPlan {
  name: string;
  arn: (type: string, name: string) => string;
  status: SeedEndpointStatus;
  failureReason?: string;
  createdAt: number;
  modifiedAt: number;
  model: DemoModel | null;
  instanceType?: string;
  variants: Array<{ variant: string; weight: number; modelName: string; container: SagemakerSeedModel['container'] }>;
  executionRole: string;
}

function addEndpoint(seed: SagemakerSeed, rng: Prng, plan: EndpointPlan): void {
  const stamp = new Date(plan.createdAt).toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const configName = `${plan.name}-config-${stamp}`;
  const tags: SeedTag[] = plan.model ? [{ Key: 'team', Value: plan.model.team }] : [{ Key: 'team', Value: 'pricing' }];
  const variants: SagemakerSeedVariant[] = [];
  for (const v of plan.variants) {
    if (!seed.models.some((m) => m.name === v.modelName)) {
      seed.models.push({
        name: v.modelName,
        arn: plan.arn('model', v.modelName),
        creationTime: plan.createdAt - rng.int(5, 50) * MINUTE,
        executionRoleArn: plan.executionRole,
        container: v.container,
        asPipeline: rng.chance(0.2),
        tags,
      });
    }
    variants.push({
      name: v.variant,
      modelName: v.modelName,
      instanceType: plan.instanceType ?? instanceTypeOf(plan.model?.task ?? 'regression'),
      instanceCount: rng.int(1, 4),
      weight: v.weight,
    });
  }
  seed.endpointConfigs.push({
    name: configName,
    arn: plan.arn('endpoint-config', configName),
    creationTime: plan.createdAt - rng.int(1, 4) * MINUTE,
    variants,
    tags,
  });
  seed.endpoints.push({
    name: plan.name,
    arn: plan.arn('endpoint', plan.name),
    configName,
    status: plan.status,
    ...(plan.failureReason ? { failureReason: plan.failureReason } : {}),
    creationTime: plan.createdAt,
    lastModifiedTime: plan.modifiedAt,
    tags,
    modelKey: plan.model?.key ?? null,
  });
}

/** The endpoints nobody registered in MLflow: a legacy package group and a bare image model, from 2023. */
function addLegacy(
  seed: SagemakerSeed,
  rng: Prng,
  arn: (type: string, name: string) => string,
  executionRole: string,
  accountId: string,
  region: string,
): void {
  const gap = SAGEMAKER_SEED_GAPS.unregisteredGroup;
  const created = Date.UTC(2023, 9, 16, 14, 5, 0);
  const legacyArn = arn('model-package', gap.group);
  seed.groups.push({
    name: gap.group,
    arn: arn('model-package-group', gap.group),
    description: 'Price optimisation model from the 2023 pricing project (pre-MLflow).',
    creationTime: created,
    createdBy: pipelinePrincipal(accountId, 'pricing-batch'),
    tags: [
      { Key: 'team', Value: 'pricing' },
      { Key: 'cost-center', Value: 'cc-4410' },
    ],
    modelKey: null,
  });
  [1, 2].forEach((version) => {
    const creationTime = created + (version - 1) * 97 * DAY + rng.int(0, 600) * MINUTE;
    seed.packages.push({
      groupName: gap.group,
      version,
      arn: `${legacyArn}/${version}`,
      description: version === 2 ? 'Retrained with 2023 holiday season data.' : 'Initial model.',
      creationTime,
      lastModifiedTime: creationTime + 2 * DAY,
      approval: version === 2 ? 'Approved' : 'Rejected',
      status: 'Completed',
      image: `683313688378.dkr.ecr.${region}.amazonaws.com/sagemaker-xgboost:1.5-1`,
      modelDataUrl: `s3://acme-pricing-legacy/models/legacy-pricing-model/v${version}/model.tar.gz`,
      contentTypes: ['text/csv'],
      instanceTypes: ['ml.m5.large'],
      customerMetadata: { project: 'pricing-2023' },
      createdBy: pipelinePrincipal(accountId, 'pricing-batch'),
      mlflow: null,
    });
  });
  addEndpoint(seed, rng, {
    name: gap.endpoint,
    arn,
    status: 'InService',
    createdAt: created + 100 * DAY,
    modifiedAt: created + 120 * DAY,
    model: null,
    instanceType: 'ml.m5.large',
    variants: [{ variant: 'AllTraffic', weight: 1, modelName: gap.model, container: { modelPackageArn: `${legacyArn}/2` } }],
    executionRole,
  });

  const bare = SAGEMAKER_SEED_GAPS.bareImageModel;
  addEndpoint(seed, rng, {
    name: bare.endpoint,
    arn,
    status: 'InService',
    createdAt: Date.UTC(2023, 10, 2, 10, 30, 0),
    modifiedAt: Date.UTC(2024, 1, 12, 16, 45, 0),
    model: null,
    instanceType: 'ml.c5.xlarge',
    variants: [
      {
        variant: 'AllTraffic',
        weight: 1,
        modelName: bare.model,
        container: {
          image: `${accountId}.dkr.ecr.${region}.amazonaws.com/pricing-rules:1.4.2`,
          modelDataUrl: 's3://acme-pricing-legacy/rules/pricing-rules-1.4.2.tar.gz',
        },
      },
    ],
    executionRole,
  });
}

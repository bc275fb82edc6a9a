/**
 * One Azure Machine Learning workspace, seeded from the demo organisation: a share of the
 * org's models (the supply-chain and risk teams') registered as model containers whose
 * versions mirror their MLflow versions, online endpoints with blue/green deployments and
 * traffic splits, and the deliberate inconsistencies a governance tool must find
 * ({@link AZUREML_SEED_GAPS}).
 *
 * Everything is built as the Resource Manager DTOs of api-version 2025-09-01
 * (`connectors/azureml/types.ts`), so the server only pages and filters them.
 * Deterministic: the same org gives a deep-equal seed; time comes from the org's epoch.
 */
import {
  AZUREML_API_VERSION,
  type ModelContainer,
  type ModelVersion,
  type OnlineDeployment,
  type OnlineEndpoint,
  type SystemData,
  type Workspace,
} from '../../connectors/azureml/types';
import { DEMO_EPOCH_MS, type DemoModel, type DemoModelVersion, type DemoOrg, type DemoRegistration } from '../demo-org';
import { hashSeed, Prng } from '../prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Where the sandbox's workspace lives: what a config's `subscriptionId`/`resourceGroup`/`workspace` say. */
export const AZUREML_SANDBOX_WORKSPACE = {
  /** A GUID of the zero style, valid for the config schema (RFC 4122 version and variant digits). */
  subscriptionId: '00000000-0000-4000-8000-000000000001',
  resourceGroup: 'rg-ml-prod',
  workspace: 'mlw-prod-weu',
  location: 'westeurope',
  tenantId: '00000000-0000-4000-8000-0000000000aa',
} as const;

/** The teams whose models the workspace holds. */
export const AZUREML_SEED_TEAMS: readonly string[] = ['supply-chain', 'risk'];

/** The tag that names a container's model key (the config's `linking.keyTag` default). */
export const AZUREML_KEY_TAG = 'modelgraph.key';
/** The version tag the connector reads as an approval (`AZUREML_APPROVAL_TAG`). */
export const AZUREML_SEED_APPROVAL_TAG = 'modelgraph.approval';

/**
 * The deliberate inconsistencies of the default org's workspace (each exists when its model
 * is in the org; `AzuremlSeed.gaps` says which did):
 * - `failedDeployment`: a green deployment whose provisioning failed (`Failed`), outside the
 *   traffic map, next to a healthy blue one;
 * - `unregisteredModel`: a container registered in no MLflow, served by an online
 *   deployment that names it the CLI way (`azureml:ocr-invoice-extractor:2`);
 * - `zeroTrafficDeployment`: an endpoint whose traffic map names a healthy deployment with 0%;
 * - `tagOnlyLink`: a container under another name than the model's, linked only by its
 *   `modelgraph.key` tag;
 * - `nameOnlyLink`: a container whose name differs from the key only in spelling
 *   (`demand_forecaster`), with no tag: linked by name normalisation or not at all.
 */
export const AZUREML_SEED_GAPS = {
  failedDeployment: { modelKey: 'delivery-eta-predictor', endpoint: 'delivery-eta-predictor-ep', deployment: 'green' },
  unregisteredModel: { container: 'ocr-invoice-extractor', version: '2', endpoint: 'ocr-invoice-ep', deployment: 'default' },
  zeroTrafficDeployment: { modelKey: 'credit-risk-scorer', endpoint: 'credit-risk-scorer-ep', deployment: 'green' },
  tagOnlyLink: { modelKey: 'fraud-detector', container: 'fraud-scoring-model' },
  nameOnlyLink: { modelKey: 'demand-forecaster', container: 'demand_forecaster' },
} as const;

export type AzuremlSeedGap = keyof typeof AZUREML_SEED_GAPS;

export interface AzuremlSeed {
  coordinates: typeof AZUREML_SANDBOX_WORKSPACE;
  /** `/subscriptions/.../workspaces/mlw-prod-weu` */
  workspaceId: string;
  workspace: Workspace;
  /** By name, in listing order (creation time). */
  containers: ModelContainer[];
  /** Container name -> versions, oldest first. */
  versions: Map<string, ModelVersion[]>;
  endpoints: OnlineEndpoint[];
  /** Endpoint name -> deployments. */
  deployments: Map<string, OnlineDeployment[]>;
  /** Container name -> the model key it holds (absent for the unregistered one). */
  modelKeys: Map<string, string>;
  /** The gaps of {@link AZUREML_SEED_GAPS} this org's workspace has. */
  gaps: AzuremlSeedGap[];
}

const PROVIDER_TYPE = 'Microsoft.MachineLearningServices/workspaces';
const INSTANCE_TYPES = ['Standard_DS3_v2', 'Standard_F4s_v2', 'Standard_DS4_v2', 'Standard_E4s_v3'];
const GPU_INSTANCE_TYPES = ['Standard_NC6s_v3', 'Standard_NC4as_T4_v3'];

export function seedAzureml(org: DemoOrg): AzuremlSeed {
  const ws = AZUREML_SANDBOX_WORKSPACE;
  const workspaceId = `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspace}`;
  const root = new Prng(hashSeed('azureml', org.seed));
  const people = new Map(org.people.map((p) => [p.id, p]));
  const accounts = new Map(org.serviceAccounts.map((s) => [s.mlflowUserId, s]));

  const who = (personId: string | null, userId: string): Pick<SystemData, 'createdBy' | 'createdByType'> => {
    const person = personId ? people.get(personId) : undefined;
    if (person) return { createdBy: person.displayName, createdByType: 'User' };
    // A service principal shows as its application's name.
    return { createdBy: accounts.get(userId)?.id ?? userId, createdByType: 'Application' };
  };
  const systemData = (created: number, modified: number, by: Pick<SystemData, 'createdBy' | 'createdByType'>): SystemData => ({
    createdAt: azureTime(created),
    createdBy: by.createdBy,
    createdByType: by.createdByType,
    lastModifiedAt: azureTime(modified),
    lastModifiedBy: by.createdBy,
    lastModifiedByType: by.createdByType,
  });

  const containers: ModelContainer[] = [];
  const versions = new Map<string, ModelVersion[]>();
  const modelKeys = new Map<string, string>();
  const endpoints: OnlineEndpoint[] = [];
  const deployments = new Map<string, OnlineDeployment[]>();
  const gaps: AzuremlSeedGap[] = [];
  const gapByModel = new Map<string, AzuremlSeedGap>(
    (['failedDeployment', 'zeroTrafficDeployment', 'tagOnlyLink', 'nameOnlyLink'] as const).map((g) => [AZUREML_SEED_GAPS[g].modelKey, g]),
  );

  // ---- containers and versions ----------------------------------------------------------
  const teams = new Set(AZUREML_SEED_TEAMS);
  const hosted = org.models.filter((m) => teams.has(m.team));
  const served: Array<{ model: DemoModel; container: string; versions: ModelVersion[]; demo: DemoModelVersion[] }> = [];
  for (const model of hosted) {
    const rng = root.fork('model', model.key);
    const registration = model.registrations.find((r) => r.instance === 'prod') ?? model.registrations[0]!;
    const gap = gapByModel.get(model.key);
    const name =
      gap === 'tagOnlyLink'
        ? AZUREML_SEED_GAPS.tagOnlyLink.container
        : gap === 'nameOnlyLink'
          ? AZUREML_SEED_GAPS.nameOnlyLink.container
          : containerName(registration.name);
    if (gap === 'tagOnlyLink' || gap === 'nameOnlyLink') gaps.push(gap);
    const tagged = gap === 'tagOnlyLink' || (gap !== 'nameOnlyLink' && rng.chance(0.5));
    const containerId = `${workspaceId}/models/${name}`;
    const mapped = registration.versions.map((v) => versionDto(rng, containerId, v, model, registration, systemData(v.creationTime, v.lastUpdatedTime, who(v.personId, v.userId))));
    const owner = model.ownerId ? people.get(model.ownerId) : undefined;
    const tags: Record<string, string> = { team: model.team, task: model.task };
    if (tagged) tags[AZUREML_KEY_TAG] = model.key;
    if (owner && rng.chance(0.6)) tags.owner = owner.email;
    const latest = registration.versions[registration.versions.length - 1]!;
    containers.push({
      id: containerId,
      name,
      type: `${PROVIDER_TYPE}/models`,
      properties: {
        description: registration.description ?? null,
        tags,
        properties: {},
        isArchived: false,
        latestVersion: String(latest.version),
        nextVersion: String(latest.version + 1),
        provisioningState: 'Succeeded',
      },
      systemData: systemData(registration.creationTime, registration.lastUpdatedTime, who(model.ownerId, owner?.mlflowUserId ?? 'svc-training-pipeline')),
    });
    versions.set(name, mapped);
    modelKeys.set(name, model.key);
    served.push({ model, container: name, versions: mapped, demo: registration.versions });
  }

  // The model only Azure knows: an invoice OCR model the supply-chain team deployed from a notebook.
  const ocr = AZUREML_SEED_GAPS.unregisteredModel;
  {
    const rng = root.fork('ocr');
    const containerId = `${workspaceId}/models/${ocr.container}`;
    const created = DEMO_EPOCH_MS + 140 * DAY + 10 * HOUR;
    const by = { createdBy: 'svc-training-pipeline', createdByType: 'Application' };
    const ocrVersions: ModelVersion[] = [1, 2].map((n) => {
      const at = created + (n - 1) * 21 * DAY;
      return {
        id: `${containerId}/versions/${n}`,
        name: String(n),
        type: `${PROVIDER_TYPE}/models/versions`,
        properties: {
          description: n === 2 ? 'Fine-tuned on Q2 supplier invoices.' : 'Layout-aware OCR for supplier invoices.',
          tags: { team: 'supply-chain', framework: 'pytorch' },
          properties: {},
          isAnonymous: false,
          isArchived: false,
          flavors: null,
          jobName: `${rng.pick(ADJECTIVES)}_${rng.pick(NOUNS)}_${rng.hex(10)}`,
          modelType: 'custom_model',
          modelUri: `azureml://subscriptions/${ws.subscriptionId}/resourcegroups/${ws.resourceGroup}/workspaces/${ws.workspace}/datastores/workspaceblobstore/paths/LocalUpload/${rng.hex(32)}/ocr-invoice-extractor/`,
          provisioningState: 'Succeeded',
          stage: n === 2 ? 'Production' : 'Archived',
        },
        systemData: systemData(at, at + 2 * HOUR, by),
      };
    });
    containers.push({
      id: containerId,
      name: ocr.container,
      type: `${PROVIDER_TYPE}/models`,
      properties: {
        description: 'Extracts supplier, totals and line items from scanned invoices.',
        tags: { team: 'supply-chain' },
        properties: {},
        isArchived: false,
        latestVersion: '2',
        nextVersion: '3',
        provisioningState: 'Succeeded',
      },
      systemData: systemData(created, created + 21 * DAY + 2 * HOUR, by),
    });
    versions.set(ocr.container, ocrVersions);
    const endpoint = endpointDto(rng, workspaceId, ocr.endpoint, { [ocr.deployment]: 100 }, 'Invoice OCR for the accounts-payable pipeline.', systemData(created + 22 * DAY, created + 22 * DAY, by), { team: 'supply-chain' });
    endpoints.push(endpoint);
    deployments.set(ocr.endpoint, [
      deploymentDto(rng, endpoint, ocr.deployment, {
        // As the CLI wrote it (`model: azureml:ocr-invoice-extractor:2`), not the resolved ARM id.
        model: `azureml:${ocr.container}:${ocr.version}`,
        state: 'Succeeded',
        instanceType: 'Standard_NC4as_T4_v3',
        capacity: 1,
        systemData: systemData(created + 22 * DAY + HOUR, created + 22 * DAY + 2 * HOUR, by),
      }),
    ]);
    gaps.push('unregisteredModel');
  }

  // ---- endpoints and deployments ----------------------------------------------------------
  for (const entry of served) {
    const { model, demo } = entry;
    const rng = root.fork('endpoint', model.key);
    const gap = gapByModel.get(model.key);
    const production = [...demo].reverse().find((v) => v.stage === 'Production' && v.status === 'READY');
    const forced = gap === 'failedDeployment' || gap === 'zeroTrafficDeployment';
    // A team that signs a version off in Azure deploys it: the demo's one "approved, never
    // deployed" version is SageMaker's (SAGEMAKER_SEED_GAPS.approvedNeverDeployed).
    const signedOff = production !== undefined && isApproved(entry.versions.find((v) => v.name === String(production.version)));
    if (!forced && (!production || (!rng.chance(0.75) && !signedOff))) continue;
    const newest = [...demo].reverse().find((v) => v.status === 'READY');
    const blueVersion = production ?? newest;
    if (!blueVersion) continue;
    const candidate = [...demo]
      .reverse()
      .find((v) => v.version > blueVersion.version && v.status === 'READY' && v.stage !== 'Archived');
    const greenVersion = candidate ?? (forced ? newest : undefined);

    const endpointName = endpointNameFor(model.key);
    const owner = model.ownerId ? people.get(model.ownerId) : undefined;
    const by = owner ? { createdBy: owner.displayName, createdByType: 'User' } : { createdBy: 'svc-training-pipeline', createdByType: 'Application' };
    const blueAt = blueVersion.lastUpdatedTime + rng.int(1, 20) * HOUR;
    const greenAt = greenVersion ? Math.max(blueAt, greenVersion.lastUpdatedTime) + rng.int(1, 48) * HOUR : blueAt;

    let traffic: Record<string, number>;
    let greenState = 'Succeeded';
    if (gap === 'failedDeployment') {
      // The green rollout failed: traffic was never moved to it.
      traffic = { blue: 100 };
      greenState = 'Failed';
    } else if (gap === 'zeroTrafficDeployment') {
      traffic = { blue: 100, green: 0 };
    } else if (greenVersion) {
      traffic = { blue: 90, green: 10 };
    } else {
      traffic = { blue: 100 };
    }
    if (forced) gaps.push(gap);

    const endpoint = endpointDto(rng, workspaceId, endpointName, traffic, `Real-time scoring for ${model.displayName}.`, systemData(blueAt - HOUR, greenAt, by), { team: model.team });
    endpoints.push(endpoint);
    const gpu = model.task === 'computer-vision';
    const instanceType = rng.pick(gpu ? GPU_INSTANCE_TYPES : INSTANCE_TYPES);
    const list: OnlineDeployment[] = [
      deploymentDto(rng, endpoint, 'blue', {
        model: `${workspaceId}/models/${entry.container}/versions/${blueVersion.version}`,
        state: 'Succeeded',
        instanceType,
        capacity: rng.int(1, 3),
        autoscale: rng.chance(0.3),
        systemData: systemData(blueAt, blueAt + rng.int(5, 40) * MINUTE, by),
      }),
    ];
    if (greenVersion) {
      list.push(
        deploymentDto(rng, endpoint, 'green', {
          model: `${workspaceId}/models/${entry.container}/versions/${greenVersion.version}`,
          state: greenState,
          instanceType,
          capacity: 1,
          systemData: systemData(greenAt, greenAt + rng.int(5, 40) * MINUTE, by),
        }),
      );
    }
    deployments.set(endpointName, list);
  }

  const byCreation = (a: { systemData?: SystemData; name?: string }, b: { systemData?: SystemData; name?: string }) =>
    (a.systemData?.createdAt ?? '').localeCompare(b.systemData?.createdAt ?? '') || (a.name ?? '').localeCompare(b.name ?? '');
  containers.sort(byCreation);
  endpoints.sort(byCreation);

  const workspace: Workspace = {
    id: workspaceId,
    name: ws.workspace,
    type: PROVIDER_TYPE,
    location: ws.location,
    kind: 'Default',
    tags: {},
    identity: { type: 'SystemAssigned', principalId: guid(root.fork('workspace-identity')), tenantId: ws.tenantId },
    sku: { name: 'Basic', tier: 'Basic' },
    properties: {
      friendlyName: 'ML production (West Europe)',
      description: `${org.name} production models`,
      provisioningState: 'Succeeded',
      workspaceId: guid(root.fork('workspace-id')),
      discoveryUrl: `https://${ws.location}.api.azureml.ms/discovery`,
      mlFlowTrackingUri: `azureml://${ws.location}.api.azureml.ms/mlflow/v1.0${workspaceId}`,
      publicNetworkAccess: 'Enabled',
    },
    systemData: systemData(DEMO_EPOCH_MS - 30 * DAY, DEMO_EPOCH_MS - 30 * DAY, { createdBy: 'svc-training-pipeline', createdByType: 'Application' }),
  };

  return { coordinates: ws, workspaceId, workspace, containers, versions, endpoints, deployments, modelKeys, gaps };
}

// ---- DTO builders -------------------------------------------------------------------------

const STAGE: Record<string, string | null> = { Production: 'Production', Staging: 'Staging', Archived: 'Archived', None: null };
const PROVISIONING: Record<string, string> = { READY: 'Succeeded', PENDING_REGISTRATION: 'Creating', FAILED_REGISTRATION: 'Failed' };

function isApproved(version: ModelVersion | undefined): boolean {
  return version?.properties?.tags?.[AZUREML_SEED_APPROVAL_TAG]?.toLowerCase() === 'approved';
}

function versionDto(
  rng: Prng,
  containerId: string,
  v: DemoModelVersion,
  model: DemoModel,
  registration: DemoRegistration,
  systemData: SystemData,
): ModelVersion {
  const ws = AZUREML_SANDBOX_WORKSPACE;
  const tags: Record<string, string> = { ...v.tags, 'mlflow.registered_model': `${registration.instance}/${registration.name}` };
  // Some teams record their sign-off on the version itself; Azure ML has no field for it.
  const validation = v.tags.validation_status;
  if (validation && (v.stage === 'Production' || v.stage === 'Staging') && rng.chance(0.7)) tags[AZUREML_SEED_APPROVAL_TAG] = validation;
  const mlflow = rng.chance(0.8);
  return {
    id: `${containerId}/versions/${v.version}`,
    name: String(v.version),
    type: `${PROVIDER_TYPE}/models/versions`,
    properties: {
      description: v.description ?? null,
      tags,
      properties: mlflow ? { 'azureml.mlflow.run_id': v.runId } : {},
      isAnonymous: false,
      isArchived: v.stage === 'Archived',
      flavors: mlflow ? { python_function: { data: { loader_module: `mlflow.${flavorOf(model)}` } } } : null,
      // In Azure ML a job's name is its MLflow run id.
      jobName: v.runId,
      modelType: mlflow ? 'mlflow_model' : 'custom_model',
      modelUri: `azureml://subscriptions/${ws.subscriptionId}/resourcegroups/${ws.resourceGroup}/workspaces/${ws.workspace}/datastores/workspaceartifactstore/paths/ExperimentRun/dcid.${v.runId}/model`,
      provisioningState: PROVISIONING[v.status] ?? 'Succeeded',
      stage: STAGE[v.stage] ?? null,
    },
    systemData,
  };
}

function flavorOf(model: DemoModel): string {
  if (model.task === 'computer-vision' || model.task === 'nlp') return 'pytorch';
  return 'sklearn';
}

function endpointDto(
  rng: Prng,
  workspaceId: string,
  name: string,
  traffic: Record<string, number>,
  description: string,
  systemData: SystemData,
  tags: Record<string, string>,
): OnlineEndpoint {
  const ws = AZUREML_SANDBOX_WORKSPACE;
  const id = `${workspaceId}/onlineEndpoints/${name}`;
  return {
    id,
    name,
    type: `${PROVIDER_TYPE}/onlineEndpoints`,
    location: ws.location,
    kind: 'Managed',
    tags,
    identity: { type: 'SystemAssigned', principalId: guid(rng.fork('identity')), tenantId: ws.tenantId },
    properties: {
      description,
      properties: { 'azureml.onlineendpointid': id.toLowerCase(), AzureAsyncOperationUri: `https://management.azure.com/subscriptions/${ws.subscriptionId}/providers/Microsoft.MachineLearningServices/locations/${ws.location}/mfeOperationsStatus/oe:${guid(rng.fork('operation'))}?api-version=${AZUREML_API_VERSION}` },
      authMode: 'Key',
      scoringUri: `https://${name}.${ws.location}.inference.ml.azure.com/score`,
      swaggerUri: `https://${name}.${ws.location}.inference.ml.azure.com/swagger.json`,
      provisioningState: 'Succeeded',
      publicNetworkAccess: 'Enabled',
      traffic,
      mirrorTraffic: {},
    },
    systemData,
  };
}

function deploymentDto(
  rng: Prng,
  endpoint: OnlineEndpoint,
  name: string,
  spec: { model: string; state: string; instanceType: string; capacity: number; autoscale?: boolean; systemData: SystemData },
): OnlineDeployment {
  return {
    id: `${endpoint.id}/deployments/${name}`,
    name,
    type: `${PROVIDER_TYPE}/onlineEndpoints/deployments`,
    location: endpoint.location,
    kind: 'Managed',
    tags: {},
    sku: { name: 'Default', tier: 'Standard', capacity: spec.capacity },
    properties: {
      description: null,
      properties: { 'azureml.deploymentid': guid(rng.fork('deployment', name)) },
      appInsightsEnabled: rng.chance(0.5),
      egressPublicNetworkAccess: 'Enabled',
      endpointComputeType: 'Managed',
      instanceType: spec.instanceType,
      model: spec.model,
      livenessProbe: { failureThreshold: 30, successThreshold: 1, timeout: 'PT2S', period: 'PT10S', initialDelay: 'PT10S' },
      readinessProbe: { failureThreshold: 30, successThreshold: 1, timeout: 'PT2S', period: 'PT10S', initialDelay: 'PT10S' },
      requestSettings: { requestTimeout: 'PT5S', maxConcurrentRequestsPerInstance: 1 },
      scaleSettings: spec.autoscale
        ? { scaleType: 'TargetUtilization', minInstances: spec.capacity, maxInstances: spec.capacity + 3, pollingInterval: 'PT1M', targetUtilizationPercentage: 70 }
        : { scaleType: 'Default' },
      provisioningState: spec.state,
    },
    systemData: spec.systemData,
  };
}

// ---- names and values -----------------------------------------------------------------------

/** Azure ML container names: `^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$`. */
function containerName(registered: string): string {
  const cleaned = registered.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return (cleaned || 'model').slice(0, 255);
}

/** Online endpoint names are 3-32 characters, a letter first, letters, digits and `-`; unique per region. */
export function endpointNameFor(modelKey: string): string {
  const name = `${modelKey}-ep`.replace(/[^a-zA-Z0-9-]/g, '-');
  if (name.length <= 32) return name;
  return `${name.slice(0, 25).replace(/-+$/, '')}-${(hashSeed(modelKey) % 0xfffff).toString(16).padStart(5, '0')}`;
}

/** Azure's timestamp style: seven fractional digits and an explicit offset. */
function azureTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, (_m, frac: string) => `.${frac}0000+00:00`);
}

function guid(rng: Prng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ADJECTIVES = ['sharp', 'calm', 'brave', 'quiet', 'witty', 'lucid', 'frosty', 'gentle'];
const NOUNS = ['hat', 'river', 'lamp', 'kettle', 'comet', 'pepper', 'anchor', 'tiger'];

import { isoFromText as isoDate } from '../../connectors/core/graph';
import {
  approvalFromTags,
  compareVersionsNewestFirst,
  creatorType,
  deploymentStatus,
  mapModelContainer,
  mapModelVersion,
  mapOnlineDeployment,
  parseModelReference,
  parseModelVersionRef,
  trafficPercent,
  versionStatus,
  type AzuremlMapContext,
} from '../../connectors/azureml/map';
import type { ModelContainer, ModelVersion, OnlineDeployment, OnlineEndpoint } from '../../connectors/azureml/types';
import managedDeploymentGet from '../fixtures/azureml/managed-online-deployment-get.json';
import containerGet from '../fixtures/azureml/model-container-get.json';
import containerList from '../fixtures/azureml/model-container-list.json';
import versionGet from '../fixtures/azureml/model-version-get.json';
import versionList from '../fixtures/azureml/model-version-list.json';
import deploymentList from '../fixtures/azureml/online-deployment-list.json';
import endpointGet from '../fixtures/azureml/online-endpoint-get.json';
import endpointList from '../fixtures/azureml/online-endpoint-list.json';

/**
 * Mapping against the example responses of the Azure ML REST specification
 * (`stable/2025-09-01/examples`, copied unchanged into test/fixtures/azureml), with no HTTP.
 * The examples use placeholders ("string", zero GUIDs) as published; the realistic cases
 * below change only the fields they are about.
 */

/** The container examples' workspace. */
const ctx: AzuremlMapContext = {
  instance: 'prod',
  subscriptionId: '00000000-1111-2222-3333-444444444444',
  resourceGroup: 'testrg123',
  workspace: 'workspace123',
  studioUrl: 'https://ml.azure.com',
  approvalTag: 'modelgraph.approval',
};
const WSID = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/testrg123/providers/Microsoft.MachineLearningServices/workspaces/workspace123';

const containerDto = containerList.responses['200'].body.value[0] as ModelContainer;
const versionDto = versionList.responses['200'].body.value[0] as ModelVersion;
const endpointDto = endpointList.responses['200'].body.value[0] as OnlineEndpoint;
const deploymentDto = deploymentList.responses['200'].body.value[0] as OnlineDeployment;

describe('mapModelContainer', () => {
  it('maps the listed container: name as native id, properties.tags, systemData times', () => {
    expect(mapModelContainer(containerDto, ctx)).toEqual({
      source: { kind: 'AZURE_ML', instance: 'prod', nativeId: 'testContainer', url: `https://ml.azure.com/model/list?wsid=${WSID}` },
      name: 'testContainer',
      description: 'Model container description',
      tags: [
        { key: 'tag1', value: 'value1' },
        { key: 'tag2', value: 'value2' },
      ],
      createdAt: '2020-12-01T12:00:00.000Z',
      updatedAt: '2020-12-01T12:00:00.000Z',
    });
  });

  it('maps a single GET the same as the listed item', () => {
    expect(mapModelContainer(containerGet.responses['200'].body as ModelContainer, ctx)).toEqual(mapModelContainer(containerDto, ctx));
  });

  it('links to the latest version when the container reports one, and takes the name from the id when absent', () => {
    const dto: ModelContainer = { ...containerDto, name: undefined, properties: { ...containerDto.properties, latestVersion: '7' } };
    const model = mapModelContainer(dto, ctx);
    expect(model.name).toBe('testContainer');
    expect(model.source.url).toBe(`https://ml.azure.com/model/testContainer:7/details?wsid=${WSID}`);
  });

  it('reads a tag holding modelgraph.key like any other tag, and null tag values as empty', () => {
    const dto: ModelContainer = { ...containerDto, properties: { tags: { 'modelgraph.key': 'fraud-detector', note: null } } };
    expect(mapModelContainer(dto, ctx).tags).toEqual([
      { key: 'modelgraph.key', value: 'fraud-detector' },
      { key: 'note', value: '' },
    ]);
  });
});

describe('mapModelVersion', () => {
  it('maps the listed example version (placeholder id, no provisioning state)', () => {
    expect(mapModelVersion(versionDto, ctx, 'credit-default')).toEqual({
      id: 'azure_ml:prod/credit-default/string',
      source: {
        kind: 'AZURE_ML',
        instance: 'prod',
        nativeId: 'credit-default/string',
        url: `https://ml.azure.com/model/credit-default:string/details?wsid=${WSID}`,
      },
      modelName: 'credit-default',
      version: 'string',
      stage: null,
      aliases: [],
      status: 'UNKNOWN',
      statusRaw: null,
      statusMessage: null,
      description: 'string',
      artifactUri: 'string',
      runId: null,
      createdBy: 'string',
      // The example's systemData.createdByType is "User".
      createdByType: 'USER',
      createdAt: '2020-01-01T12:34:56.999Z',
      updatedAt: '2020-01-01T12:34:56.999Z',
      tags: [{ key: 'string', value: 'string' }],
      approval: null,
      details: {
        kind: 'AZURE_ML',
        resourceId: `${WSID}/models/credit-default/versions/string`,
        modelType: 'CustomModel',
        stage: null,
        jobName: null,
      },
    });
  });

  it('maps a single GET the same as the listed item', () => {
    expect(mapModelVersion(versionGet.responses['200'].body as ModelVersion, ctx, 'm')).toEqual(mapModelVersion(versionDto, ctx, 'm'));
  });

  it('takes model name and version from a real ARM id, keeps stage, job and type, and reads provisioningState', () => {
    const dto: ModelVersion = {
      ...versionDto,
      // Resource Manager ids arrive in more than one casing; the configured one wins.
      id: '/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/TESTRG123/providers/microsoft.machinelearningservices/workspaces/Workspace123/models/fraud-scoring-model/versions/5',
      name: '5',
      properties: {
        ...versionDto.properties,
        stage: 'Production',
        jobName: 'sharp_hat_7x4k2m9q1r',
        modelType: 'mlflow_model',
        modelUri: 'azureml://subscriptions/x/resourcegroups/y/workspaces/z/datastores/workspaceartifactstore/paths/ExperimentRun/dcid.sharp_hat_7x4k2m9q1r/model',
        provisioningState: 'Succeeded',
        tags: { 'modelgraph.approval': 'Approved', validation_status: 'approved' },
      },
      systemData: { ...versionDto.systemData, createdAt: '2023-08-18T21:53:03.0292962+00:00', createdBy: 'Matt Mazzola' },
    };
    const version = mapModelVersion(dto, ctx, 'ignored-when-the-id-says');
    expect(version).toMatchObject({
      id: 'azure_ml:prod/fraud-scoring-model/5',
      modelName: 'fraud-scoring-model',
      version: '5',
      stage: 'Production',
      status: 'READY',
      statusRaw: 'Succeeded',
      runId: 'sharp_hat_7x4k2m9q1r',
      createdBy: 'Matt Mazzola',
      createdAt: '2023-08-18T21:53:03.029Z',
      approval: 'APPROVED',
      details: {
        kind: 'AZURE_ML',
        resourceId: `${WSID}/models/fraud-scoring-model/versions/5`,
        modelType: 'mlflow_model',
        stage: 'Production',
        jobName: 'sharp_hat_7x4k2m9q1r',
      },
    });
  });

  it('strips credentials from a model URI', () => {
    const dto: ModelVersion = { ...versionDto, properties: { modelUri: 'https://user:secret@store.example.com/models/m' } };
    expect(mapModelVersion(dto, ctx, 'm').artifactUri).toBe('https://store.example.com/models/m');
  });
});

describe('versionStatus and deploymentStatus', () => {
  it('maps every AssetProvisioningState', () => {
    expect(['Succeeded', 'Creating', 'Updating', 'Failed', 'Canceled', 'Deleting', undefined, 'Weird'].map(versionStatus)).toEqual([
      'READY',
      'PENDING',
      'PENDING',
      'FAILED',
      'FAILED',
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
    ]);
  });

  it('maps every DeploymentProvisioningState, Succeeded being IN_SERVICE', () => {
    expect(
      ['Creating', 'Updating', 'Scaling', 'Succeeded', 'Failed', 'Canceled', 'Deleting', 'succeeded', null, 'Other'].map(deploymentStatus),
    ).toEqual(['CREATING', 'UPDATING', 'UPDATING', 'IN_SERVICE', 'FAILED', 'FAILED', 'DELETING', 'IN_SERVICE', 'UNKNOWN', 'UNKNOWN']);
  });
});

describe('approvalFromTags', () => {
  it('reads the configured tag only, in any case and spelling of the three values', () => {
    expect(approvalFromTags({ 'modelgraph.approval': 'approved' }, 'modelgraph.approval')).toBe('APPROVED');
    expect(approvalFromTags({ 'modelgraph.approval': 'Rejected' }, 'modelgraph.approval')).toBe('REJECTED');
    expect(approvalFromTags({ 'modelgraph.approval': 'PendingManualApproval' }, 'modelgraph.approval')).toBe('PENDING');
    expect(approvalFromTags({ approval: 'pending' }, 'approval')).toBe('PENDING');
  });

  it('is null without the tag or with any other value: Azure ML has no approval of its own', () => {
    expect(approvalFromTags({ validation_status: 'approved' }, 'modelgraph.approval')).toBeNull();
    expect(approvalFromTags({ 'modelgraph.approval': 'yes' }, 'modelgraph.approval')).toBeNull();
    expect(approvalFromTags(null, 'modelgraph.approval')).toBeNull();
  });
});

describe('parseModelReference', () => {
  const armId = `${WSID}/models/fraud-scoring-model/versions/5`;

  it('keeps an ARM id of this workspace in the configured spelling', () => {
    const shouting = armId.replace('resourceGroups/testrg123', 'resourcegroups/TESTRG123').replace('Microsoft.MachineLearningServices', 'MICROSOFT.MACHINELEARNINGSERVICES');
    expect(parseModelReference(shouting, ctx)).toEqual({ versionRef: armId, modelName: 'fraud-scoring-model', version: '5' });
    expect(parseModelReference(`azureml:${armId}`, ctx).versionRef).toBe(armId);
  });

  it('turns the CLI short form azureml:<name>:<version> into this workspace\'s ARM id', () => {
    expect(parseModelReference('azureml:ocr-invoice-extractor:2', ctx)).toEqual({
      versionRef: `${WSID}/models/ocr-invoice-extractor/versions/2`,
      modelName: 'ocr-invoice-extractor',
      version: '2',
    });
  });

  it('reads the asset-id form of a workspace version as its ARM id', () => {
    expect(
      parseModelReference('azureml://subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/testrg123/workspaces/workspace123/models/m/versions/3', ctx)
        .versionRef,
    ).toBe(`${WSID}/models/m/versions/3`);
  });

  it('lower-cases the workspace part of another workspace\'s id, so two spellings compare equal', () => {
    const other = '/subscriptions/AAAA0000-0000-4000-8000-000000000000/resourceGroups/RG-Other/providers/Microsoft.MachineLearningServices/workspaces/WS-Other/models/M/versions/1';
    expect(parseModelReference(other, ctx).versionRef).toBe(
      '/subscriptions/aaaa0000-0000-4000-8000-000000000000/resourceGroups/rg-other/providers/Microsoft.MachineLearningServices/workspaces/ws-other/models/M/versions/1',
    );
  });

  it('keeps a registry asset id as it is: it has no ARM id in reach', () => {
    expect(parseModelReference('azureml://registries/azureml/models/phi-3/versions/4', ctx)).toEqual({
      versionRef: 'azureml://registries/azureml/models/phi-3/versions/4',
      modelName: 'phi-3',
      version: '4',
    });
  });

  it('names no version for a label or a bare URI, and nothing for an empty model', () => {
    expect(parseModelReference('azureml:fraud-scoring-model@latest', ctx)).toEqual({ versionRef: null, modelName: 'fraud-scoring-model', version: null });
    expect(parseModelReference('https://u:p@store.example.com/m.pkl', ctx)).toEqual({
      versionRef: null,
      modelName: 'https://store.example.com/m.pkl',
      version: null,
    });
    expect(parseModelReference('string', ctx)).toEqual({ versionRef: null, modelName: 'string', version: null });
    expect(parseModelReference(null, ctx)).toEqual({ versionRef: null, modelName: null, version: null });
  });

  it('is what parseModelVersionRef reads back', () => {
    expect(parseModelVersionRef(armId)).toEqual({ modelName: 'fraud-scoring-model', version: '5' });
    expect(parseModelVersionRef('azureml://registries/azureml/models/phi-3/versions/4')).toEqual({ modelName: 'phi-3', version: '4' });
    expect(parseModelVersionRef(null)).toBeNull();
  });
});

describe('mapOnlineDeployment', () => {
  it('maps the listed example deployment with the example endpoint\'s traffic', () => {
    expect(mapOnlineDeployment(deploymentDto, ctx, endpointDto)).toEqual({
      id: 'azure_ml:prod/string/string',
      provider: 'AZURE_ML',
      instance: 'prod',
      region: 'string',
      endpointName: 'string',
      name: 'string',
      status: 'CREATING',
      statusRaw: 'Creating',
      statusMessage: null,
      modelVersionRef: null,
      servedModelName: 'string',
      // The example's traffic map is {"string": 1}.
      trafficPercent: 1,
      instanceType: 'string',
      instanceCount: 1,
      createdAt: '2020-01-01T12:34:56.999Z',
      updatedAt: '2020-01-01T12:34:56.999Z',
      consoleUrl: `https://ml.azure.com/endpoints/realtime/string/detail?wsid=${WSID}`,
      source: {
        kind: 'AZURE_ML',
        instance: 'prod',
        nativeId: 'string/string',
        url: `https://ml.azure.com/endpoints/realtime/string/detail?wsid=${WSID}`,
      },
    });
  });

  it('maps the ManagedOnlineDeployment GET example the same way', () => {
    const dto = managedDeploymentGet.responses['200'].body as OnlineDeployment;
    const endpoint = endpointGet.responses['200'].body as OnlineEndpoint;
    expect(mapOnlineDeployment(dto, ctx, endpoint)).toEqual(mapOnlineDeployment(deploymentDto, ctx, endpointDto));
  });

  it('maps a realistic blue/green pair: ARM model id, Succeeded, 90/10, VM size and capacity', () => {
    const endpoint: OnlineEndpoint = {
      ...endpointDto,
      id: `${WSID}/onlineEndpoints/fraud-ep`,
      name: 'fraud-ep',
      location: 'westeurope',
      properties: { ...endpointDto.properties, traffic: { blue: 90, green: 10 } },
    };
    const blue: OnlineDeployment = {
      ...deploymentDto,
      id: `${WSID}/onlineEndpoints/fraud-ep/deployments/blue`,
      name: 'blue',
      location: 'westeurope',
      sku: { name: 'Default', tier: 'Standard', capacity: 3 },
      properties: {
        ...deploymentDto.properties,
        model: `${WSID}/models/fraud-scoring-model/versions/5`,
        provisioningState: 'Succeeded',
        instanceType: 'Standard_DS3_v2',
      },
    };
    expect(mapOnlineDeployment(blue, ctx, endpoint)).toMatchObject({
      id: 'azure_ml:prod/fraud-ep/blue',
      region: 'westeurope',
      endpointName: 'fraud-ep',
      status: 'IN_SERVICE',
      modelVersionRef: `${WSID}/models/fraud-scoring-model/versions/5`,
      servedModelName: 'fraud-scoring-model',
      trafficPercent: 90,
      instanceType: 'Standard_DS3_v2',
      instanceCount: 3,
    });
  });

  it('counts instances from an autoscale floor when there is no sku, and never reports the placeholder sku name', () => {
    const dto: OnlineDeployment = {
      ...deploymentDto,
      sku: { name: 'Default' },
      properties: { instanceType: null, scaleSettings: { scaleType: 'TargetUtilization', minInstances: 2, maxInstances: 5 } },
    };
    const mapped = mapOnlineDeployment(dto, ctx, endpointDto);
    expect(mapped.instanceCount).toBe(2);
    expect(mapped.instanceType).toBeNull();
  });
});

describe('trafficPercent', () => {
  const endpoint = (traffic: Record<string, number> | null | undefined): OnlineEndpoint => ({ properties: { traffic } });

  it('reads the share, 0 for a deployment the map does not name, case-insensitively', () => {
    expect(trafficPercent(endpoint({ blue: 100, green: 0 }), 'green')).toBe(0);
    expect(trafficPercent(endpoint({ blue: 100 }), 'green')).toBe(0);
    expect(trafficPercent(endpoint({ Blue: 70, green: 30 }), 'blue')).toBe(70);
  });

  it('is unknown (null) without a traffic map', () => {
    expect(trafficPercent(endpoint(null), 'blue')).toBeNull();
    expect(trafficPercent(endpoint(undefined), 'blue')).toBeNull();
  });
});

describe('compareVersionsNewestFirst and isoDate', () => {
  it('orders numeric versions by number, others by creation time', () => {
    const v = (version: string, createdAt: string | null = null) => mapModelVersion({ name: version, systemData: { createdAt: createdAt ?? undefined } }, ctx, 'm');
    expect([v('2'), v('10'), v('9')].sort(compareVersionsNewestFirst).map((x) => x.version)).toEqual(['10', '9', '2']);
    expect(
      [v('a', '2024-01-01T00:00:00Z'), v('c', '2024-03-01T00:00:00Z'), v('b', '2024-02-01T00:00:00Z')]
        .sort(compareVersionsNewestFirst)
        .map((x) => x.version),
    ).toEqual(['c', 'b', 'a']);
  });

  it('reads Azure timestamps with seven fractional digits and an offset; null for junk', () => {
    expect(isoDate('2023-08-18T21:53:03.0292962+00:00')).toBe('2023-08-18T21:53:03.029Z');
    expect(isoDate('2025-01-06T10:00:00.0000000+01:00')).toBe('2025-01-06T09:00:00.000Z');
    expect(isoDate('string')).toBeNull();
    expect(isoDate(undefined)).toBeNull();
  });
});

describe('creatorType', () => {
  it('takes only User for a person, and Application, ManagedIdentity and Key for services', () => {
    expect(creatorType('User')).toBe('USER');
    expect(['Application', 'ManagedIdentity', 'Key'].map(creatorType)).toEqual(['SERVICE', 'SERVICE', 'SERVICE']);
    expect(creatorType(undefined)).toBeNull();
    expect(creatorType('Robot')).toBeNull();
  });
});

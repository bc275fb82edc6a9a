import {
  compareVersionIdsDesc,
  isoFromTimestamp,
  labelsToTags,
  mapEndpointDeployments,
  mapModel,
  mapModelVersion,
  parseResourceName,
  type DeployedModelCatalog,
} from '../../connectors/vertex/map';
import type {
  GoogleCloudAiplatformV1ListEndpointsResponse,
  GoogleCloudAiplatformV1ListModelVersionsResponse,
  GoogleCloudAiplatformV1ListModelsResponse,
} from '../../connectors/vertex/types';
import discovery from '../fixtures/vertex/aiplatform-v1-excerpt.json';
import endpointsFixture from '../fixtures/vertex/list-endpoints.json';
import versionsFixture from '../fixtures/vertex/list-model-versions.json';
import modelsFixture from '../fixtures/vertex/list-models.json';

/**
 * Mapping from Vertex AI DTOs to the registry graph shapes, against JSON fixtures shaped as
 * the discovery document describes (checked below), with the project number in resource
 * names as the API answers.
 */

const ctx = { instance: 'eu', project: 'acme-ml-prod', location: 'europe-west4' };
const models = (modelsFixture as unknown as GoogleCloudAiplatformV1ListModelsResponse).models!;
const versions = (versionsFixture as unknown as GoogleCloudAiplatformV1ListModelVersionsResponse).models!;
const endpoints = (endpointsFixture as unknown as GoogleCloudAiplatformV1ListEndpointsResponse).endpoints!;

// ---- the fixtures are what the discovery document describes ----------------------------------

interface SchemaNode {
  id?: string;
  type?: string;
  $ref?: string;
  format?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode;
}

const schemas = (discovery as unknown as { schemas: Record<string, SchemaNode> }).schemas;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Every key a schema of the excerpt does not declare, and every value of the wrong JSON type. */
function violations(value: unknown, node: SchemaNode, path: string): string[] {
  if (node.$ref) {
    const target = schemas[node.$ref];
    // Schemas outside the excerpt (ModelContainerSpec, DedicatedResources, ...) are not checked.
    return target ? violations(value, target, path) : [];
  }
  switch (node.type) {
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
      const out: string[] = [];
      for (const [key, child] of Object.entries(value)) {
        const spec = node.properties?.[key] ?? node.additionalProperties;
        if (!spec) out.push(`${path}.${key}: not a property of ${node.id ?? 'this object'}`);
        else out.push(...violations(child, spec, `${path}.${key}`));
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => violations(item, node.items ?? {}, `${path}[${i}]`)) : [`${path}: expected an array`];
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected a string`];
      if (node.format === 'google-datetime' && !RFC3339.test(value)) return [`${path}: not an RFC 3339 timestamp`];
      if (node.format === 'int64' && !/^-?\d+$/.test(value)) return [`${path}: not an int64 string`];
      return [];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${path}: expected an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    default:
      return [];
  }
}

describe('fixtures follow the discovery document', () => {
  it.each([
    ['list-models.json', 'GoogleCloudAiplatformV1ListModelsResponse', modelsFixture],
    ['list-model-versions.json', 'GoogleCloudAiplatformV1ListModelVersionsResponse', versionsFixture],
    ['list-endpoints.json', 'GoogleCloudAiplatformV1ListEndpointsResponse', endpointsFixture],
  ])('%s is a %s', (_file, schema, fixture) => {
    expect(violations(fixture, { $ref: schema }, '$')).toEqual([]);
  });

  it('the check catches what the document does not describe', () => {
    const bad = { models: [{ name: 'x', display_name: 'snake case', versionCreateTime: 'yesterday', labels: { a: 1 } }] };
    expect(violations(bad, { $ref: 'GoogleCloudAiplatformV1ListModelsResponse' }, '$')).toEqual([
      '$.models[0].display_name: not a property of GoogleCloudAiplatformV1Model',
      '$.models[0].versionCreateTime: not an RFC 3339 timestamp',
      '$.models[0].labels.a: expected a string',
    ]);
  });
});

// ---- models and versions ----------------------------------------------------------------------

describe('Vertex AI mapping: models', () => {
  it('maps a model: the numeric id as native id, the display name, labels as tags, the registry page', () => {
    expect(mapModel(models[0]!, ctx)).toEqual({
      source: {
        kind: 'VERTEX_AI',
        instance: 'eu',
        nativeId: '1593803092282372356',
        url: 'https://console.cloud.google.com/vertex-ai/models/locations/europe-west4/models/1593803092282372356?project=acme-ml-prod',
      },
      name: 'Search Ranker',
      description: 'Learning-to-rank model ordering product search results.',
      tags: [
        { key: 'task', value: 'ranking' },
        { key: 'team', value: 'search' },
      ],
      createdAt: '2025-01-21T14:02:11.845Z',
      updatedAt: '2025-03-02T09:15:40.120Z',
    });
  });

  it('keeps the modelgraph-key label, reads nanosecond and second timestamps, and has no description when none is set', () => {
    const model = mapModel(models[1]!, ctx);
    expect(model.tags).toEqual([
      { key: 'modelgraph-key', value: 'product-recommender' },
      { key: 'team', value: 'search' },
    ]);
    expect(model.createdAt).toBe('2025-02-14T08:00:00.123Z');
    expect(model.updatedAt).toBe('2025-04-15T06:36:57.000Z');
    expect(model.description).toBeNull();
    expect(model.name).toBe('product_recommender_v2');
  });
});

describe('Vertex AI mapping: versions', () => {
  const [v1, v2, v3] = versions.map((v) => mapModelVersion(v, ctx));

  it('maps a version to the shared version shape with typed Vertex details', () => {
    expect(v2).toEqual({
      id: 'vertex_ai:eu/1593803092282372356/2',
      source: {
        kind: 'VERTEX_AI',
        instance: 'eu',
        nativeId: '1593803092282372356@2',
        url: 'https://console.cloud.google.com/vertex-ai/models/locations/europe-west4/models/1593803092282372356/versions/2?project=acme-ml-prod',
      },
      modelName: 'Search Ranker',
      version: '2',
      stage: null,
      aliases: ['default'],
      status: 'READY',
      statusRaw: null,
      statusMessage: null,
      description: 'Adds calibration on the output scores.',
      artifactUri: 'gs://acme-ml-prod-models/search-ranker/v2/',
      runId: null,
      createdBy: null,
      createdByType: null,
      createdAt: '2025-02-03T11:04:51.228Z',
      updatedAt: '2025-02-10T16:30:02.507Z',
      tags: [
        { key: 'task', value: 'ranking' },
        { key: 'team', value: 'search' },
      ],
      approval: null,
      details: {
        kind: 'VERTEX_AI',
        // The configured project id, although the API named the project by number.
        resourceName: 'projects/acme-ml-prod/locations/europe-west4/models/1593803092282372356@2',
        versionId: '2',
        versionAliases: ['default'],
        containerImage: 'europe-west4-docker.pkg.dev/acme-ml-prod/serving/search-ranker:2.3.0',
      },
    });
  });

  it('takes version times over model times, and leaves what a version lacks null or empty', () => {
    expect(v1!.createdAt).toBe('2025-01-21T14:02:11.845Z');
    expect(v1!.aliases).toEqual([]);
    expect(v1!.description).toBeNull();
    expect(v3!.details).toMatchObject({ versionAliases: ['champion'], containerImage: null });
    expect(v3!.tags.map((t) => t.key)).toEqual(['stage', 'task', 'team']);
  });

  it('reads the version from the name when versionId is missing', () => {
    const bare = mapModelVersion({ name: 'projects/1/locations/europe-west4/models/42@7', displayName: 'x' }, ctx);
    expect(bare.version).toBe('7');
    expect(bare.details).toMatchObject({ resourceName: 'projects/acme-ml-prod/locations/europe-west4/models/42@7' });
  });
});

// ---- deployments ------------------------------------------------------------------------------

function catalog(known: Record<string, string[]>, projects = ['acme-ml-prod', '483920175562']): DeployedModelCatalog {
  return {
    projects: new Set(projects),
    versions: (id) => (known[id] ? new Set(known[id]) : undefined),
  };
}

describe('Vertex AI mapping: deployments', () => {
  const [canary, shared, orphans, empty] = endpoints;

  it('maps each deployed model of an 80/20 canary with its traffic share, machine and joinable version ref', () => {
    const deployments = mapEndpointDeployments(canary!, ctx, catalog({ '9279915472123545926': ['1', '2', '3', '4'] }));
    const consoleUrl = 'https://console.cloud.google.com/vertex-ai/locations/europe-west4/endpoints/5466400652806476491?project=acme-ml-prod';
    expect(deployments).toEqual([
      {
        id: 'vertex_ai:eu/5466400652806476491/6541451724',
        provider: 'VERTEX_AI',
        instance: 'eu',
        region: 'europe-west4',
        endpointName: 'support-ticket-router-prod',
        name: '6541451724',
        status: 'IN_SERVICE',
        statusRaw: null,
        statusMessage: null,
        modelVersionRef: 'projects/acme-ml-prod/locations/europe-west4/models/9279915472123545926@3',
        servedModelName: 'Support Ticket Router',
        trafficPercent: 80,
        instanceType: 'e2-standard-4',
        instanceCount: 2,
        createdAt: '2025-08-19T20:40:12.551Z',
        updatedAt: '2025-09-02T07:20:01.900Z',
        consoleUrl,
        source: { kind: 'VERTEX_AI', instance: 'eu', nativeId: '5466400652806476491/6541451724', url: consoleUrl },
      },
      expect.objectContaining({
        id: 'vertex_ai:eu/5466400652806476491/3642984058',
        modelVersionRef: 'projects/acme-ml-prod/locations/europe-west4/models/9279915472123545926@4',
        trafficPercent: 20,
        instanceCount: 1,
        status: 'IN_SERVICE',
      }),
    ]);
  });

  it('a deployment ref equals the resource name of the version it serves, whichever way the project is spelt', () => {
    const served = mapModelVersion(versions[1]!, ctx).details;
    for (const project of ['483920175562', 'acme-ml-prod']) {
      const [deployment] = mapEndpointDeployments(
        { ...canary!, deployedModels: [{ id: '1', model: `projects/${project}/locations/europe-west4/models/1593803092282372356`, modelVersionId: '2' }] },
        ctx,
        catalog({ '1593803092282372356': ['1', '2', '3'] }),
      );
      expect(served.kind === 'VERTEX_AI' && deployment!.modelVersionRef === served.resourceName).toBe(true);
    }
  });

  it('traffic to a deployed model the endpoint does not have is a FAILED deployment; a model elsewhere is not judged; no traffic is 0%', () => {
    const deployments = mapEndpointDeployments(shared!, ctx, catalog({ '7940556459164248471': ['1', '2'] }));
    expect(deployments.map((d) => [d.name, d.status, d.trafficPercent, d.modelVersionRef, d.instanceType, d.instanceCount])).toEqual([
      // In us-central1: this instance cannot check it, so it is taken as serving.
      ['555', 'IN_SERVICE', 70, 'projects/483920175562/locations/us-central1/models/4455667788990011223@7', null, 1],
      // Deployed but outside the traffic split.
      ['556', 'IN_SERVICE', 0, 'projects/acme-ml-prod/locations/europe-west4/models/7940556459164248471@2', 'n1-highmem-8', 1],
      // 30% of the endpoint's requests go to a deployed model that is not there.
      ['999', 'FAILED', 30, null, null, null],
    ]);
    expect(deployments[1]!.servedModelName).toBe('projects/483920175562/locations/europe-west4/models/7940556459164248471');
    expect(deployments[2]).toMatchObject({
      id: 'vertex_ai:eu/2210987765432101234/999',
      servedModelName: null,
      createdAt: null,
      endpointName: 'shared-nlp-prod',
      statusMessage: 'the traffic split sends 30% to deployed model 999, which the endpoint does not have',
    });
    expect(deployments[0]!.statusMessage).toBeNull();
  });

  it('a deployed model whose model or version the registry does not have is UNKNOWN', () => {
    const deployments = mapEndpointDeployments(orphans!, ctx, catalog({ '1593803092282372356': ['1', '2', '3'] }));
    expect(deployments.map((d) => [d.name, d.status, d.modelVersionRef])).toEqual([
      ['7001', 'UNKNOWN', 'projects/acme-ml-prod/locations/europe-west4/models/1111111111111111111@1'],
      ['7002', 'UNKNOWN', 'projects/acme-ml-prod/locations/europe-west4/models/1593803092282372356@9'],
    ]);
  });

  it('without a catalog nothing is judged but a missing deployed model; an endpoint without models has no deployments', () => {
    expect(mapEndpointDeployments(orphans!, ctx).map((d) => d.status)).toEqual(['IN_SERVICE', 'IN_SERVICE']);
    expect(mapEndpointDeployments(shared!, ctx).map((d) => d.status)).toEqual(['IN_SERVICE', 'IN_SERVICE', 'FAILED']);
    expect(mapEndpointDeployments(empty!, ctx)).toEqual([]);
  });

  it('falls back to the endpoint id when it has no display name', () => {
    const [deployment] = mapEndpointDeployments({ ...canary!, displayName: undefined }, ctx);
    expect(deployment!.endpointName).toBe('5466400652806476491');
  });
});

// ---- helpers ----------------------------------------------------------------------------------

describe('Vertex AI mapping helpers', () => {
  it('parses model and endpoint resource names, with a version or an alias', () => {
    expect(parseResourceName('projects/483920175562/locations/europe-west4/models/123@golden')).toEqual({
      project: '483920175562',
      location: 'europe-west4',
      collection: 'models',
      id: '123',
      version: 'golden',
    });
    expect(parseResourceName('projects/p/locations/l/endpoints/9')).toMatchObject({ collection: 'endpoints', id: '9', version: null });
    expect(parseResourceName('projects/p/locations/l/datasets/9')).toBeNull();
    expect(parseResourceName(undefined)).toBeNull();
  });

  it('reads RFC 3339 timestamps with 0 to 9 fractional digits and offsets', () => {
    expect(isoFromTimestamp('2025-03-04T10:22:31Z')).toBe('2025-03-04T10:22:31.000Z');
    expect(isoFromTimestamp('2025-03-04T10:22:31.5Z')).toBe('2025-03-04T10:22:31.500Z');
    expect(isoFromTimestamp('2025-03-04T10:22:31.123456789Z')).toBe('2025-03-04T10:22:31.123Z');
    expect(isoFromTimestamp('2025-01-01T01:00:00.250+02:00')).toBe('2024-12-31T23:00:00.250Z');
    expect(isoFromTimestamp('yesterday')).toBeNull();
    expect(isoFromTimestamp(undefined)).toBeNull();
  });

  it('orders version ids numerically, newest first', () => {
    expect(['2', '10', '1', 'x'].sort(compareVersionIdsDesc)).toEqual(['10', '2', '1', 'x']);
  });

  it('sorts labels by key', () => {
    expect(labelsToTags({ z: '1', a: '2' })).toEqual([
      { key: 'a', value: '2' },
      { key: 'z', value: '1' },
    ]);
    expect(labelsToTags(undefined)).toEqual([]);
  });
});

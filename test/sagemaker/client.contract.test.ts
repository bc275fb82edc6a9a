import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { useNock } from '../helpers/nock';
import { sagemakerInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { SagemakerConnector, SagemakerRetryStrategy, toSourceError, type SagemakerConnectorDeps } from '../../connectors/sagemaker';
import { SEARCH_FILTER_VALUE_MAX_LENGTH, modelPackageSearchExpressions } from '../../connectors/sagemaker/client';
import { mapModelPackage, packageDetails } from '../../connectors/sagemaker/map';
import type { DescribeModelPackageOutput, ModelPackageSummary } from '../../connectors/sagemaker/types';
import describeEndpointConfigFixture from '../fixtures/sagemaker/describe-endpoint-config.json';
import describeEndpointFixture from '../fixtures/sagemaker/describe-endpoint.json';
import describeModelBareFixture from '../fixtures/sagemaker/describe-model-bare-image.json';
import describeModelFixture from '../fixtures/sagemaker/describe-model.json';
import describeModelPackageFixture from '../fixtures/sagemaker/describe-model-package.json';
import throttlingFixture from '../fixtures/sagemaker/error-throttling.json';
import notFoundFixture from '../fixtures/sagemaker/error-validation-not-found.json';

/**
 * The connector with the official SDK against SageMaker's wire protocol, the network mocked
 * by nock: AWS JSON 1.1 `POST /` to the regional host, the operation in `X-Amz-Target`, a
 * SigV4 `Authorization` scoped to the region and `sagemaker`, bodies with the documented
 * members, epoch-second timestamps in the responses. Every test states the exact bodies.
 */

const HOST = 'https://api.sagemaker.us-east-1.amazonaws.com';
const ACCOUNT = '111122223333';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AMZ_JSON = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '0b5e5e0e-5c4a-4f5e-9a8f-3d0e2c7b9a11' };
const arn = (type: string, name: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:${type}/${name.toLowerCase()}`;

interface Call {
  target: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}
const calls: Call[] = [];
const open: SagemakerConnector[] = [];

useNock();
beforeEach(() => {
  calls.length = 0;
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function connector(
  instance: Record<string, unknown> = {},
  deps: Partial<SagemakerConnectorDeps> = {},
): { sagemaker: SagemakerConnector; waits: number[]; clock: { t: number } } {
  const waits: number[] = [];
  const clock = { t: Date.parse('2025-07-01T00:00:00Z') };
  const config = sagemakerInstanceSchema.parse({
    name: 'prod-us',
    region: 'us-east-1',
    credentials: { type: 'static', accessKeyId: KEY_ID, secretAccessKey: SECRET },
    ...instance,
  });
  const sagemaker = SagemakerConnector.fromConfig(config, {
    cache: new MemoryCache({ now: () => clock.t }),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: {
      sleep: async (ms) => {
        waits.push(ms);
      },
      now: () => clock.t,
    },
    random: () => 0.5,
    ...deps,
  });
  open.push(sagemaker);
  return { sagemaker, waits, clock };
}

/**
 * One expected SageMaker call: the operation (matched on `X-Amz-Target`), the exact JSON body
 * (undefined: any), and the answer. Signed with the configured key, scoped to us-east-1/sagemaker.
 */
function aws(operation: string, body: Record<string, unknown> | undefined, status: number, response: unknown, host = HOST) {
  return nock(host, {
    reqheaders: {
      'x-amz-target': `SageMaker.${operation}`,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-date': /^\d{8}T\d{6}Z$/,
      authorization: (v: string) =>
        v.startsWith(`AWS4-HMAC-SHA256 Credential=${KEY_ID}/`) &&
        v.includes('/us-east-1/sagemaker/aws4_request') &&
        /SignedHeaders=[^,]*x-amz-target/.test(v),
    },
  })
    .post('/', body as nock.RequestBodyMatcher)
    .reply(function (_uri, requestBody) {
      calls.push({
        target: operation,
        body: (typeof requestBody === 'string' ? JSON.parse(requestBody || '{}') : requestBody) as Record<string, unknown>,
        headers: this.req.headers,
      });
      return [status, JSON.stringify(response), AMZ_JSON];
    });
}

function group(name: string, created = 1736154000) {
  return {
    ModelPackageGroupName: name,
    ModelPackageGroupArn: arn('model-package-group', name),
    CreationTime: created,
    ModelPackageGroupStatus: 'Completed',
  };
}

/** A `Search` record: a whole model package, as `DescribeModelPackage` answers it, with `Tags`. */
function packageRecord(groupName: string, version: number, approval = 'Approved', extra: Record<string, unknown> = {}) {
  return {
    ModelPackage: {
      ...describeModelPackageFixture,
      ModelPackageName: groupName,
      ModelPackageGroupName: groupName,
      ModelPackageVersion: version,
      ModelPackageArn: `${arn('model-package', groupName)}/${version}`,
      CreationTime: 1748772000 + version,
      ModelApprovalStatus: approval,
      Tags: [],
      ...extra,
    },
  };
}

/** The body of the model package search with this one filter, at the default page size. */
function modelPackageSearch(filter: Record<string, string>) {
  return { Resource: 'ModelPackage', SearchExpression: { Filters: [filter] }, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100 };
}

const targets = () => calls.map((c) => c.target);

/** The deployment listing's two searches, as sent: endpoints oldest first, models in the default order. */
const ENDPOINT_SEARCH = { Resource: 'Endpoint', SortBy: 'CreationTime', SortOrder: 'Ascending', MaxResults: 100 };
const MODEL_SEARCH = { Resource: 'Model', MaxResults: 100 };

/** A Model Dashboard `Search` record: the model as `DescribeModel` answers it, and the endpoints that name it. */
function dashboardModel(model: Record<string, unknown>, endpoints: string[]) {
  return {
    Model: {
      Model: { ...model, Tags: [] },
      Endpoints: endpoints.map((name) => ({
        EndpointName: name,
        EndpointArn: arn('endpoint', name),
        CreationTime: 1748822400,
        LastModifiedTime: 1749556800,
        EndpointStatus: 'InService',
      })),
      MonitoringSchedules: [],
    },
  };
}

describe('SageMaker connector contract', () => {
  it('names itself after its instance', () => {
    const { sagemaker } = connector();
    expect(sagemaker.source).toBe('sagemaker:prod-us');
    expect(sagemaker.kind).toBe('SAGEMAKER');
    expect(sagemaker.region).toBe('us-east-1');
  });

  it('checks health with the cheapest signed read: ListEndpoints, one result', async () => {
    aws('ListEndpoints', { MaxResults: 1 }, 200, { Endpoints: [] });
    await connector().sagemaker.health();
    expect(targets()).toEqual(['ListEndpoints']);
  });

  it('lists model package groups with their tags by one paged Search (three pages, NextToken), and no ListTags', async () => {
    const page = { Resource: 'ModelPackageGroup', SortBy: 'ModelPackageGroupName', SortOrder: 'Ascending', MaxResults: 2 };
    const record = (name: string, tags: Array<{ Key: string; Value: string }> = []) => ({
      ModelPackageGroup: { ...group(name), CreatedBy: { UserProfileName: 'data-scientist' }, Tags: tags },
    });
    aws('Search', page, 200, {
      Results: [record('a-model', [{ Key: 'modelgraph.key', Value: 'fraud-detector' }]), record('b-model')],
      NextToken: 'token-1',
    });
    aws('Search', { ...page, NextToken: 'token-1' }, 200, {
      Results: [record('CreditRiskScorer', [{ Key: 'team', Value: 'risk' }]), record('d-model')],
      NextToken: 'token-2',
    });
    // A record without tags at all, and one of another kind, are tolerated.
    aws('Search', { ...page, NextToken: 'token-2' }, 200, { Results: [{ ModelPackageGroup: group('e-model') }, {}] });
    const { sagemaker } = connector({}, { pageSizes: { modelPackageGroups: 2 } });
    const models = await sagemaker.listModels();
    expect(models.map((m) => m.name)).toEqual(['a-model', 'b-model', 'CreditRiskScorer', 'd-model', 'e-model']);
    expect(models[0]).toMatchObject({
      source: { kind: 'SAGEMAKER', instance: 'prod-us', nativeId: 'a-model' },
      tags: [{ key: 'modelgraph.key', value: 'fraud-detector' }],
      createdAt: '2025-01-06T09:00:00.000Z',
    });
    expect(models[2]?.tags).toEqual([{ key: 'team', value: 'risk' }]);
    expect(models[4]?.tags).toEqual([]);
    expect(targets()).toEqual(['Search', 'Search', 'Search']);
    expect(calls.every((c) => c.headers['x-amz-target'] === 'SageMaker.Search' && c.body.Resource === 'ModelPackageGroup')).toBe(true);
    // No SearchExpression (every group), no cross-account option (this account only).
    expect(calls.every((c) => !('SearchExpression' in c.body) && !('CrossAccountFilterOption' in c.body))).toBe(true);
  });

  it('keeps MaxResults within the documented 1..100 whatever page size it is given', async () => {
    aws('Search', { Resource: 'ModelPackageGroup', SortBy: 'ModelPackageGroupName', SortOrder: 'Ascending', MaxResults: 100 }, 200, { Results: [] });
    aws('Search', { ...ENDPOINT_SEARCH, MaxResults: 1 }, 200, { Results: [] });
    aws('Search', MODEL_SEARCH, 200, { Results: [] });
    const { sagemaker } = connector({}, { pageSizes: { modelPackageGroups: 5000, endpoints: 0, models: 1000 } });
    await sagemaker.listModels();
    await sagemaker.listDeployments();
    for (const call of calls) expect(call.body.MaxResults).toBeGreaterThanOrEqual(1);
    for (const call of calls) expect(call.body.MaxResults).toBeLessThanOrEqual(100);
  });

  it('follows ListTags pages', async () => {
    aws('DescribeModelPackageGroup', { ModelPackageGroupName: 'tagged' }, 200, { ...group('tagged'), CreatedBy: {} });
    aws('ListTags', { ResourceArn: arn('model-package-group', 'tagged'), MaxResults: 50 }, 200, { Tags: [{ Key: 'a', Value: '1' }], NextToken: 't' });
    aws('ListTags', { ResourceArn: arn('model-package-group', 'tagged'), MaxResults: 50, NextToken: 't' }, 200, { Tags: [{ Key: 'b', Value: '2' }] });
    const model = await connector().sagemaker.getModel('tagged');
    expect(model?.tags).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
  });

  it('answers null for a group that does not exist (ValidationException "... does not exist.")', async () => {
    aws('DescribeModelPackageGroup', { ModelPackageGroupName: 'ghost' }, 400, notFoundFixture);
    const { sagemaker } = connector();
    await expect(sagemaker.getModel('ghost')).resolves.toBeNull();
    // Not retried: a client error is an answer.
    expect(targets()).toEqual(['DescribeModelPackageGroup']);
  });

  it('lists the versioned packages of many groups by one paged Search over ModelPackage, whole records, no Describe', async () => {
    const search = {
      Resource: 'ModelPackage',
      SearchExpression: { Filters: [{ Name: 'ModelPackageGroupName', Operator: 'In', Value: 'fraud-detector,ghost' }] },
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 2,
    };
    aws('Search', search, 200, { Results: [{ ModelPackage: { ...describeModelPackageFixture, Tags: [] } }, {}], NextToken: 'page-2' });
    aws('Search', { ...search, NextToken: 'page-2' }, 200, {
      Results: [
        packageRecord('fraud-detector', 4, 'Rejected', { CustomerMetadataProperties: {} }),
        // Seen on the first page already (a registration shifted the pages): kept once.
        { ModelPackage: { ...describeModelPackageFixture, Tags: [] } },
      ],
      NextToken: 'page-3',
    });
    aws('Search', { ...search, NextToken: 'page-3' }, 200, {
      // An unversioned (Marketplace-style) package: no group, no version, no registry version.
      Results: [{ ModelPackage: { ModelPackageName: 'ghost-algo', ModelPackageArn: arn('model-package', 'ghost-algo'), CreationTime: 1, ModelPackageStatus: 'Completed' } }],
    });
    const { sagemaker } = connector({}, { pageSizes: { modelPackages: 2 } });
    const byGroup = await sagemaker.getVersionsForModels(['fraud-detector', 'ghost', 'fraud-detector']);
    expect([...byGroup.keys()]).toEqual(['fraud-detector', 'ghost']);
    expect(byGroup.get('ghost')).toEqual([]);
    const [v5, v4, ...rest] = byGroup.get('fraud-detector')!;
    expect(rest).toEqual([]);
    expect(v5).toMatchObject({
      id: 'sagemaker:prod-us/fraud-detector/5',
      version: '5',
      approval: 'APPROVED',
      status: 'READY',
      description: 'Retrained on the latest quarter of data.',
      runId: '8f3c0e5b2a9d4c1e9b7a6f5e4d3c2b1a',
      createdBy: `arn:aws:sts::${ACCOUNT}:assumed-role/DataScientist/alice.nguyen@acme.io`,
      createdAt: '2025-06-01T10:00:00.250Z',
      updatedAt: '2025-06-03T12:30:00.000Z',
      artifactUri: 's3://acme-sagemaker-us-east-1/model-registry/fraud-detector/v5/model.tar.gz',
      details: {
        kind: 'SAGEMAKER',
        modelPackageArn: `${arn('model-package', 'fraud-detector')}/5`,
        images: ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1'],
      },
    });
    expect(v4).toMatchObject({ version: '4', approval: 'REJECTED', runId: null });
    expect(targets()).toEqual(['Search', 'Search', 'Search']);
    expect(calls.map((c) => c.headers['x-amz-target'])).toEqual(['SageMaker.Search', 'SageMaker.Search', 'SageMaker.Search']);
  });

  it('asks for one group alone with Equals (getVersions is the batched read of one group), MaxResults 100', async () => {
    aws('Search', modelPackageSearch({ Name: 'ModelPackageGroupName', Operator: 'Equals', Value: 'churn' }), 200, {
      Results: [packageRecord('churn', 1), packageRecord('churn', 3), packageRecord('churn', 2)],
    });
    const versions = await connector().sagemaker.getVersions('churn');
    // Newest first, by version number.
    expect(versions.map((v) => v.version)).toEqual(['3', '2', '1']);
    expect(targets()).toEqual(['Search']);
  });

  it('batches group names into In lists of at most 1024 characters, a comma-named group alone with Equals, in one request (Or)', async () => {
    // 25 names of 100 characters: ten fit in a list (10 × 100 + 9 commas = 1009), eleven do not (1110).
    const names = Array.from({ length: 25 }, (_, i) => `group-${String(i).padStart(2, '0')}-${'x'.repeat(91)}`);
    const comma = 'odd,name';
    const tooLong = 'y'.repeat(1025);
    aws('Search', undefined, 200, { Results: [packageRecord(names[3]!, 1), packageRecord(comma, 2)] });
    const found = await connector().sagemaker.getVersionsForModels([...names, comma, tooLong]);
    expect(targets()).toEqual(['Search']);
    const filter = (operator: string, value: string) => ({ Name: 'ModelPackageGroupName', Operator: operator, Value: value });
    expect(calls[0]!.body).toEqual({
      Resource: 'ModelPackage',
      SearchExpression: {
        Operator: 'Or',
        Filters: [
          filter('In', names.slice(0, 10).join(',')),
          filter('In', names.slice(10, 20).join(',')),
          filter('Equals', comma),
          filter('In', names.slice(20).join(',')),
        ],
      },
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 100,
    });
    const values = (calls[0]!.body.SearchExpression as { Filters: Array<{ Value: string }> }).Filters.map((f) => f.Value.length);
    expect(values).toEqual([1009, 1009, comma.length, 504]);
    expect(found.get(names[3]!)!.map((v) => v.id)).toEqual([`sagemaker:prod-us/${names[3]}/1`]);
    expect(found.get(comma)!.map((v) => v.version)).toEqual(['2']);
    expect(found.get(names[4]!)).toEqual([]);
    // No group can have such a name (1 to 63 characters): not asked, and empty.
    expect(found.get(tooLong)).toEqual([]);
  });

  it('serves the groups the cache holds and searches only the others; single and batched reads share the entries', async () => {
    const { sagemaker, clock } = connector({ cache: { ttlSeconds: 60, staleSeconds: 600 } });
    const byName = (operator: string, value: string) => modelPackageSearch({ Name: 'ModelPackageGroupName', Operator: operator, Value: value });
    aws('Search', byName('In', 'churn,fraud-detector'), 200, {
      Results: [packageRecord('churn', 2), packageRecord('fraud-detector', 5), packageRecord('churn', 1)],
    });
    const first = await sagemaker.getVersionsForModels(['fraud-detector', 'churn']);
    expect(first.get('churn')!.map((v) => v.version)).toEqual(['2', '1']);

    aws('Search', byName('Equals', 'ltv'), 200, { Results: [] });
    const second = await sagemaker.getVersionsForModels(['churn', 'ltv', 'fraud-detector']);
    expect(second.get('churn')).toEqual(first.get('churn'));
    expect(second.get('fraud-detector')).toEqual(first.get('fraud-detector'));
    // Nothing found is an answer, cached like any other.
    expect(second.get('ltv')).toEqual([]);
    expect(await sagemaker.getVersions('ltv')).toEqual([]);
    expect(await sagemaker.getVersions('fraud-detector')).toEqual(first.get('fraud-detector'));

    // A single read's entry serves a later batch.
    aws('Search', byName('Equals', 'pricing'), 200, { Results: [packageRecord('pricing', 1)] });
    const pricing = await sagemaker.getVersions('pricing');
    expect((await sagemaker.getVersionsForModels(['pricing', 'churn'])).get('pricing')).toEqual(pricing);
    expect(calls.map((c) => (c.body.SearchExpression as { Filters: unknown[] }).Filters)).toEqual([
      [{ Name: 'ModelPackageGroupName', Operator: 'In', Value: 'churn,fraud-detector' }],
      [{ Name: 'ModelPackageGroupName', Operator: 'Equals', Value: 'ltv' }],
      [{ Name: 'ModelPackageGroupName', Operator: 'Equals', Value: 'pricing' }],
    ]);

    // Past the minute the entries are stale: served at once, and refreshed together by one
    // search in the background, whose answer the next read gets.
    clock.t += 61_000;
    aws('Search', byName('In', 'churn,fraud-detector'), 200, { Results: [packageRecord('churn', 3)] });
    const stale = await sagemaker.getVersionsForModels(['fraud-detector', 'churn']);
    expect(stale.get('churn')!.map((v) => v.version)).toEqual(['2', '1']);
    // The refresh runs in the background: read again until its answer is in (a busy machine
    // can take longer than any fixed pause), without another search (the targets below).
    let later = stale;
    for (let i = 0; i < 200 && later.get('churn')![0]!.version !== '3'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      later = await sagemaker.getVersionsForModels(['fraud-detector', 'churn']);
    }
    expect(later.get('churn')!.map((v) => v.version)).toEqual(['3']);
    expect(later.get('fraud-detector')).toEqual([]);
    expect(targets()).toEqual(['Search', 'Search', 'Search', 'Search']);

    // Past the stale window too: nothing servable, so the read waits for the search.
    clock.t += 700_000;
    aws('Search', byName('In', 'churn,fraud-detector'), 200, { Results: [packageRecord('churn', 4)] });
    expect((await sagemaker.getVersionsForModels(['fraud-detector', 'churn'])).get('churn')!.map((v) => v.version)).toEqual(['4']);
  });

  it('joins a search under way for a group instead of asking for it again', async () => {
    aws('Search', modelPackageSearch({ Name: 'ModelPackageGroupName', Operator: 'In', Value: 'a-model,b-model' }), 200, {
      Results: [packageRecord('b-model', 1)],
    });
    const { sagemaker } = connector();
    const [both, justB] = await Promise.all([sagemaker.getVersionsForModels(['b-model', 'a-model']), sagemaker.getVersionsForModels(['b-model'])]);
    expect(justB.get('b-model')).toEqual(both.get('b-model'));
    expect(justB.get('b-model')).toHaveLength(1);
    expect(targets()).toEqual(['Search']);
  });

  it('maps a Search record exactly as the listing summary plus DescribeModelPackage of the same package', async () => {
    aws('Search', modelPackageSearch({ Name: 'ModelPackageGroupName', Operator: 'Equals', Value: 'fraud-detector' }), 200, {
      Results: [{ ModelPackage: { ...describeModelPackageFixture, Tags: [] } }],
    });
    const [searched] = await connector().sagemaker.getVersions('fraud-detector');
    // What the SDK makes of ListModelPackages' summary and of DescribeModelPackage's answer.
    const f = describeModelPackageFixture;
    const date = (s: number) => new Date(s * 1000);
    const summary = {
      ModelPackageGroupName: f.ModelPackageGroupName,
      ModelPackageVersion: f.ModelPackageVersion,
      ModelPackageArn: f.ModelPackageArn,
      ModelPackageDescription: f.ModelPackageDescription,
      CreationTime: date(f.CreationTime),
      ModelPackageStatus: f.ModelPackageStatus,
      ModelApprovalStatus: f.ModelApprovalStatus,
    } as unknown as ModelPackageSummary;
    const described = { ...f, CreationTime: date(f.CreationTime), LastModifiedTime: date(f.LastModifiedTime) } as unknown as DescribeModelPackageOutput;
    expect(searched).toEqual(mapModelPackage(summary, { instance: 'prod-us', region: 'us-east-1' }, packageDetails(described)));
  });

  it('builds deployments from Search over Endpoint and Model, and DescribeEndpointConfig per configuration', async () => {
    aws('Search', ENDPOINT_SEARCH, 200, {
      Results: [
        { Endpoint: { ...describeEndpointFixture, Tags: [{ Key: 'team', Value: 'risk' }] } },
        {
          Endpoint: {
            EndpointName: 'pricing-rules-engine',
            EndpointArn: arn('endpoint', 'pricing-rules-engine'),
            EndpointConfigName: 'pricing-rules-engine-config',
            ProductionVariants: [{ VariantName: 'AllTraffic', CurrentWeight: 1, CurrentInstanceCount: 2 }],
            EndpointStatus: 'InService',
            CreationTime: 1698920000,
            LastModifiedTime: 1707756300,
            Tags: [],
          },
        },
      ],
    });
    // The dashboard's index has not caught up with fraud-detector-v6 yet: it is described on its own.
    aws('Search', MODEL_SEARCH, 200, {
      Results: [dashboardModel(describeModelFixture, ['fraud-detector-prod']), dashboardModel(describeModelBareFixture, ['pricing-rules-engine'])],
    });
    aws('DescribeEndpointConfig', { EndpointConfigName: 'fraud-detector-prod-config-202506020000' }, 200, describeEndpointConfigFixture);
    aws('DescribeEndpointConfig', { EndpointConfigName: 'pricing-rules-engine-config' }, 200, {
      EndpointConfigName: 'pricing-rules-engine-config',
      EndpointConfigArn: arn('endpoint-config', 'pricing-rules-engine-config'),
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'pricing-rules-engine-2023-11', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 1, InitialVariantWeight: 1 }],
      CreationTime: 1698919000,
    });
    aws('DescribeModel', { ModelName: 'fraud-detector-v6' }, 200, {
      ...describeModelFixture,
      ModelName: 'fraud-detector-v6',
      ModelArn: arn('model', 'fraud-detector-v6'),
      PrimaryContainer: { ModelPackageName: `${arn('model-package', 'fraud-detector')}/6` },
    });

    const deployments = await connector().sagemaker.listDeployments();
    expect(deployments.map((d) => [d.id, d.modelVersionRef, d.trafficPercent, d.instanceCount, d.instanceType])).toEqual([
      ['sagemaker:prod-us/fraud-detector-prod/primary', `${arn('model-package', 'fraud-detector')}/5`, 90, 3, 'ml.m5.xlarge'],
      ['sagemaker:prod-us/fraud-detector-prod/canary', `${arn('model-package', 'fraud-detector')}/6`, 10, 1, 'ml.m5.xlarge'],
      ['sagemaker:prod-us/pricing-rules-engine/AllTraffic', null, 100, 2, 'ml.c5.xlarge'],
    ]);
    expect(deployments[0]).toMatchObject({
      servedModelName: 'fraud-detector-v5',
      status: 'IN_SERVICE',
      statusRaw: 'InService',
      statusMessage: null,
      createdAt: '2025-06-02T00:00:00.000Z',
      updatedAt: '2025-06-10T12:00:00.000Z',
    });
    expect(deployments[2]).toMatchObject({
      servedModelName: 'pricing-rules-engine-2023-11',
      status: 'IN_SERVICE',
      instanceType: 'ml.c5.xlarge',
      consoleUrl: 'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/endpoints/pricing-rules-engine',
    });
    expect(targets().sort()).toEqual(['DescribeEndpointConfig', 'DescribeEndpointConfig', 'DescribeModel', 'Search', 'Search']);
  });

  it('asks for a configuration shared by several endpoints once per load, and no model the dashboard has', async () => {
    const endpoint = (name: string) => ({ Endpoint: { ...describeEndpointFixture, EndpointName: name, EndpointArn: arn('endpoint', name) } });
    aws('Search', ENDPOINT_SEARCH, 200, { Results: [endpoint('green'), endpoint('blue')] });
    aws('Search', MODEL_SEARCH, 200, {
      Results: [
        dashboardModel(describeModelFixture, ['blue', 'green']),
        dashboardModel({ ...describeModelFixture, ModelName: 'fraud-detector-v6', ModelArn: arn('model', 'fraud-detector-v6') }, ['blue', 'green']),
      ],
    });
    aws('DescribeEndpointConfig', { EndpointConfigName: 'fraud-detector-prod-config-202506020000' }, 200, describeEndpointConfigFixture);
    const deployments = await connector().sagemaker.listDeployments();
    // By endpoint name, whatever order the search answered in.
    expect(deployments.map((d) => d.id)).toEqual([
      'sagemaker:prod-us/blue/primary',
      'sagemaker:prod-us/blue/canary',
      'sagemaker:prod-us/green/primary',
      'sagemaker:prod-us/green/canary',
    ]);
    expect(targets().sort()).toEqual(['DescribeEndpointConfig', 'Search', 'Search']);
  });

  it('settles a single-variant endpoint from the dashboard alone, and describes its configuration once when its instance type is asked', async () => {
    // One variant each; the dashboard's listings carry the endpoint's LastModifiedTime (1749556800) unless said otherwise.
    const single = (name: string, config: string, modified = 1749556800) => ({
      Endpoint: {
        ...describeEndpointFixture,
        EndpointName: name,
        EndpointArn: arn('endpoint', name),
        EndpointConfigName: config,
        ProductionVariants: [{ VariantName: 'AllTraffic', CurrentWeight: 1, DesiredWeight: 1, CurrentInstanceCount: 2, DesiredInstanceCount: 2 }],
        LastModifiedTime: modified,
      },
    });
    const model = (name: string, version: number) => ({
      ...describeModelFixture,
      ModelName: name,
      ModelArn: arn('model', name),
      PrimaryContainer: { ModelPackageName: `${arn('model-package', 'fraud-detector')}/${version}` },
    });
    const config = (name: string, model: string, instanceType: string) => ({
      EndpointConfigName: name,
      EndpointConfigArn: arn('endpoint-config', name),
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: instanceType, InitialInstanceCount: 1, InitialVariantWeight: 1 }],
      CreationTime: 1748822000,
    });
    aws('Search', ENDPOINT_SEARCH, 200, {
      Results: [
        // blue and green share a configuration; one model lists each.
        single('blue', 'shared-1'),
        single('green', 'shared-1'),
        // Updated since the dashboard's index last saw it (a day later): its listing is no evidence.
        single('lagging', 'lagging-2', 1749643200),
        // Two models list it (an index caught between two configurations): which one runs is not settled.
        single('contested', 'contested-1'),
        // Several variants: described whatever the dashboard says.
        { Endpoint: { ...describeEndpointFixture, EndpointName: 'canaried', EndpointArn: arn('endpoint', 'canaried') } },
      ],
    });
    aws('Search', MODEL_SEARCH, 200, {
      Results: [
        dashboardModel(model('m5', 5), ['blue', 'green', 'lagging', 'contested', 'canaried']),
        dashboardModel(model('m6', 6), ['contested', 'canaried']),
      ],
    });
    aws('DescribeEndpointConfig', { EndpointConfigName: 'lagging-2' }, 200, config('lagging-2', 'm6', 'ml.m5.large'));
    aws('DescribeEndpointConfig', { EndpointConfigName: 'contested-1' }, 200, config('contested-1', 'm6', 'ml.m5.large'));
    aws('DescribeEndpointConfig', { EndpointConfigName: 'fraud-detector-prod-config-202506020000' }, 200, {
      ...describeEndpointConfigFixture,
      ProductionVariants: describeEndpointConfigFixture.ProductionVariants.map((v, i) => ({ ...v, ModelName: ['m5', 'm6'][i] })),
    });
    const { sagemaker } = connector();
    const deployments = await sagemaker.listDeployments();
    expect(targets().sort()).toEqual(['DescribeEndpointConfig', 'DescribeEndpointConfig', 'DescribeEndpointConfig', 'Search', 'Search']);
    expect(deployments.map((d) => [d.id, d.modelVersionRef?.split('/').pop(), d.servedModelName, d.instanceCount, d.instanceType, d.instanceTypeLookup])).toEqual([
      ['sagemaker:prod-us/blue/AllTraffic', '5', 'm5', 2, null, 'shared-1'],
      ['sagemaker:prod-us/canaried/primary', '5', 'm5', 3, 'ml.m5.xlarge', undefined],
      ['sagemaker:prod-us/canaried/canary', '6', 'm6', 1, 'ml.m5.xlarge', undefined],
      ['sagemaker:prod-us/contested/AllTraffic', '6', 'm6', 2, 'ml.m5.large', undefined],
      ['sagemaker:prod-us/green/AllTraffic', '5', 'm5', 2, null, 'shared-1'],
      ['sagemaker:prod-us/lagging/AllTraffic', '6', 'm6', 2, 'ml.m5.large', undefined],
    ]);

    // Asked for every deployment's instance type: the one configuration not described, once.
    calls.length = 0;
    aws('DescribeEndpointConfig', { EndpointConfigName: 'shared-1' }, 200, config('shared-1', 'm5', 'ml.c5.2xlarge'));
    expect(await sagemaker.instanceTypes(deployments)).toEqual(['ml.c5.2xlarge', 'ml.m5.xlarge', 'ml.m5.xlarge', 'ml.m5.large', 'ml.c5.2xlarge', 'ml.m5.large']);
    expect(targets()).toEqual(['DescribeEndpointConfig']);
  });

  it('maps an endpoint whose configuration was deleted from what its record says (DescribeEndpointConfig "Could not find")', async () => {
    aws('Search', ENDPOINT_SEARCH, 200, { Results: [{ Endpoint: { ...describeEndpointFixture, EndpointConfigName: 'deleted-config' } }] });
    aws('Search', MODEL_SEARCH, 200, { Results: [] });
    aws('DescribeEndpointConfig', { EndpointConfigName: 'deleted-config' }, 400, {
      __type: 'com.amazon.coral.validate#ValidationException',
      message: `Could not find endpoint configuration "${arn('endpoint-config', 'deleted-config')}".`,
    });
    const deployments = await connector().sagemaker.listDeployments();
    expect(deployments.map((d) => [d.name, d.trafficPercent, d.instanceCount, d.instanceType, d.modelVersionRef, d.servedModelName])).toEqual([
      ['primary', 90, 3, null, null, '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1'],
      ['canary', 10, 1, null, null, null],
    ]);
  });

  it('revalidates after expiry with the endpoint search alone, describing only the endpoint that changed', async () => {
    const endpoint = (name: string, config: string, modified: number) => ({
      Endpoint: { ...describeEndpointFixture, EndpointName: name, EndpointArn: arn('endpoint', name), EndpointConfigName: config, LastModifiedTime: modified },
    });
    const config = (name: string, models: [string, string]) => ({
      ...describeEndpointConfigFixture,
      EndpointConfigName: name,
      ProductionVariants: describeEndpointConfigFixture.ProductionVariants.map((v, i) => ({ ...v, ModelName: models[i] })),
    });
    const model = (name: string, version: number) => ({
      ...describeModelFixture,
      ModelName: name,
      ModelArn: arn('model', name),
      PrimaryContainer: { ModelPackageName: `${arn('model-package', 'fraud-detector')}/${version}` },
    });
    aws('Search', ENDPOINT_SEARCH, 200, { Results: [endpoint('blue', 'blue-1', 1749556800), endpoint('green', 'green-1', 1749556800)] });
    aws('Search', MODEL_SEARCH, 200, {
      Results: [dashboardModel(model('m5', 5), ['blue', 'green']), dashboardModel(model('m6', 6), ['blue', 'green'])],
    });
    aws('DescribeEndpointConfig', { EndpointConfigName: 'blue-1' }, 200, config('blue-1', ['m5', 'm6']));
    aws('DescribeEndpointConfig', { EndpointConfigName: 'green-1' }, 200, config('green-1', ['m5', 'm6']));
    const { sagemaker, clock } = connector({}, { cacheDefaults: { ttlSeconds: 60, staleSeconds: 0 } });
    await sagemaker.listDeployments();
    expect(targets()).toHaveLength(4);

    // Past ttl + stale: blue unchanged; green moved to a new configuration whose canary is a new model.
    calls.length = 0;
    clock.t += 61_000;
    aws('Search', ENDPOINT_SEARCH, 200, { Results: [endpoint('blue', 'blue-1', 1749556800), endpoint('green', 'green-2', 1749643200)] });
    aws('DescribeEndpointConfig', { EndpointConfigName: 'green-2' }, 200, config('green-2', ['m6', 'm7']));
    // One model missing costs one DescribeModel: fewer calls than the model search's one page.
    aws('DescribeModel', { ModelName: 'm7' }, 200, model('m7', 7));
    const deployments = await sagemaker.listDeployments();
    expect(targets().sort()).toEqual(['DescribeEndpointConfig', 'DescribeModel', 'Search']);
    expect(deployments.map((d) => [d.id, d.modelVersionRef?.split('/').pop(), d.updatedAt])).toEqual([
      ['sagemaker:prod-us/blue/primary', '5', '2025-06-10T12:00:00.000Z'],
      ['sagemaker:prod-us/blue/canary', '6', '2025-06-10T12:00:00.000Z'],
      ['sagemaker:prod-us/green/primary', '6', '2025-06-11T12:00:00.000Z'],
      ['sagemaker:prod-us/green/canary', '7', '2025-06-11T12:00:00.000Z'],
    ]);

    // Nothing changed: the endpoint search alone.
    calls.length = 0;
    clock.t += 61_000;
    aws('Search', ENDPOINT_SEARCH, 200, { Results: [endpoint('blue', 'blue-1', 1749556800), endpoint('green', 'green-2', 1749643200)] });
    expect(await sagemaker.listDeployments()).toEqual(deployments);
    expect(targets()).toEqual(['Search']);
  });

  it('retries ThrottlingException (HTTP 400 in AWS JSON) with backoff, then succeeds', async () => {
    aws('DescribeModelPackageGroup', { ModelPackageGroupName: 'busy' }, 400, throttlingFixture);
    aws('DescribeModelPackageGroup', { ModelPackageGroupName: 'busy' }, 400, throttlingFixture);
    aws('DescribeModelPackageGroup', { ModelPackageGroupName: 'busy' }, 200, { ...group('busy'), CreatedBy: {} });
    aws('ListTags', undefined, 200, { Tags: [] });
    const { sagemaker, waits } = connector({ retry: { baseDelayMs: 100 } });
    await expect(sagemaker.getModel('busy')).resolves.toMatchObject({ name: 'busy' });
    // Full jitter (random 0.5) over 100, then 200 ms.
    expect(waits).toEqual([50, 100]);
    expect(calls.slice(0, 3).map((c) => c.headers['amz-sdk-request'])).toEqual(['attempt=1; max=4', 'attempt=2; max=4', 'attempt=3; max=4']);
  });

  it('gives up on throttling after maxAttempts with SOURCE_RATE_LIMITED, and keeps the circuit closed', async () => {
    // The breaker alone: no memory of the failure across calls (see failure-memo.ts).
    const { sagemaker } = connector({ retry: { maxAttempts: 2 }, breaker: { failureThreshold: 1, rememberFailureSeconds: 0 } });
    for (let i = 0; i < 2; i++) aws('ListEndpoints', { MaxResults: 1 }, 400, throttlingFixture);
    aws('ListEndpoints', { MaxResults: 1 }, 200, { Endpoints: [] });
    const failure = await sagemaker.health().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SourceError);
    expect(failure).toMatchObject({
      source: 'sagemaker:prod-us',
      code: SourceErrorCode.SOURCE_RATE_LIMITED,
      status: 400,
      upstreamCode: 'ThrottlingException',
      attempts: 2,
    });
    expect((failure as SourceError).message).toBe('sagemaker:prod-us: ListEndpoints: HTTP 400 ThrottlingException: Rate exceeded');
    // A throttling answer comes from a live service: the next call goes through.
    await expect(sagemaker.health()).resolves.toBeUndefined();
  });

  it('retries a 500 InternalFailure', async () => {
    aws('ListEndpoints', { MaxResults: 1 }, 500, { __type: 'InternalFailure', message: 'We encountered an internal error.' });
    aws('ListEndpoints', { MaxResults: 1 }, 200, { Endpoints: [] });
    const { sagemaker, waits } = connector();
    await sagemaker.health();
    expect(waits).toHaveLength(1);
  });

  it('turns a dead endpoint into SOURCE_UNAVAILABLE naming the instance, then fails fast once the circuit opens', async () => {
    // A port nothing listens on: connections are refused, as by a host that is down.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as AddressInfo;
        probe.close(() => resolve(p));
      });
    });
    nock.enableNetConnect('127.0.0.1');
    const attempts: string[] = [];
    // Only this connector's (SageMaker's JSON protocol posts to `/`): nock's listener hears
    // every unmatched request of the process, a straggler of another test file's included.
    const count = (req: { path?: string }) => {
      if (req.path === '/') attempts.push(String(req.path));
    };
    nock.emitter.on('no match', count);
    try {
      const { sagemaker, waits } = connector({
        endpoint: `http://127.0.0.1:${port}`,
        retry: { maxAttempts: 2 },
        breaker: { failureThreshold: 2, resetSeconds: 30, rememberFailureSeconds: 0 },
      });
      for (let i = 0; i < 2; i++) {
        const err = await sagemaker.health().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SourceError);
        expect(err).toMatchObject({ source: 'sagemaker:prod-us', code: SourceErrorCode.SOURCE_UNAVAILABLE, upstreamCode: 'ECONNREFUSED', attempts: 2 });
        expect((err as Error).message).toMatch(/^sagemaker:prod-us: ListEndpoints: ECONNREFUSED: /);
      }
      expect(waits).toHaveLength(2);
      expect(attempts).toHaveLength(4);
      // Open: it fails at once, without a request.
      const fast = await sagemaker.health().catch((e: unknown) => e);
      expect(fast).toMatchObject({ source: 'sagemaker:prod-us', code: SourceErrorCode.SOURCE_UNAVAILABLE, upstreamCode: 'CIRCUIT_OPEN' });
      expect(attempts).toHaveLength(4);
    } finally {
      nock.emitter.removeListener('no match', count);
      nock.disableNetConnect();
    }
  });

  it('times out a slow response with SOURCE_TIMEOUT', async () => {
    nock(HOST).post('/').delay(400).reply(200, { Endpoints: [] }, AMZ_JSON);
    const { sagemaker } = connector({ timeoutMs: 50, retry: { maxAttempts: 1 } });
    await expect(sagemaker.health()).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT, source: 'sagemaker:prod-us' });
  });

  it.each([
    ['UnrecognizedClientException', 'The security token included in the request is invalid.', SourceErrorCode.SOURCE_UNAUTHENTICATED],
    ['AccessDeniedException', 'User: arn:aws:sts::111122223333:assumed-role/x is not authorized to perform: sagemaker:ListEndpoints', SourceErrorCode.SOURCE_FORBIDDEN],
    ['com.amazon.coral.validate#ValidationException', "1 validation error detected: Value '500' at 'maxResults' failed to satisfy constraint", SourceErrorCode.SOURCE_BAD_REQUEST],
  ])('maps %s to %s without retrying', async (type, message, code) => {
    aws('ListEndpoints', { MaxResults: 1 }, 400, { __type: type, message });
    const { sagemaker, waits } = connector();
    await expect(sagemaker.health()).rejects.toMatchObject({ code, status: 400, upstreamCode: type.split('#').pop() });
    expect(waits).toEqual([]);
  });

  it('never lets the secret key into an error, even when the upstream echoes it', async () => {
    aws('ListEndpoints', { MaxResults: 1 }, 400, { __type: 'InvalidSignatureException', message: `The signature for key ${SECRET} does not match` });
    const err = (await connector().sagemaker.health().catch((e: unknown) => e)) as SourceError;
    expect(err.code).toBe(SourceErrorCode.SOURCE_UNAUTHENTICATED);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).toContain('[REDACTED]');
  });

  it('sends the session token of temporary credentials and honours an endpoint override', async () => {
    nock('http://vpce.internal:8443', { reqheaders: { 'x-amz-security-token': 'FwoGZXIvYXdzEXAMPLE', 'x-amz-target': 'SageMaker.ListEndpoints' } })
      .post('/', { MaxResults: 1 })
      .reply(200, { Endpoints: [] }, AMZ_JSON);
    const { sagemaker } = connector({
      endpoint: 'http://vpce.internal:8443',
      credentials: { type: 'static', accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: 'FwoGZXIvYXdzEXAMPLE' },
    });
    await sagemaker.health();
  });

  describe('with a named profile', () => {
    const saved = { ...process.env };
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'modelgraph-aws-'));
      writeFileSync(join(dir, 'credentials'), '[modelgraph-ro]\naws_access_key_id = AKIAPROFILEEXAMPLE01\naws_secret_access_key = profileSecret\n');
      writeFileSync(join(dir, 'config'), '[profile modelgraph-ro]\nregion = us-east-1\n');
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[k];
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
    });
    afterEach(() => {
      process.env = { ...saved };
      rmSync(dir, { recursive: true, force: true });
    });

    it('signs with the profile the client option selects', async () => {
      nock(HOST, { reqheaders: { authorization: (v: string) => v.startsWith('AWS4-HMAC-SHA256 Credential=AKIAPROFILEEXAMPLE01/') } })
        .post('/', { MaxResults: 1 })
        .reply(200, { Endpoints: [] }, AMZ_JSON);
      const { sagemaker } = connector({ credentials: { type: 'profile', profile: 'modelgraph-ro' } });
      await sagemaker.health();
    });
  });
});

describe('modelPackageSearchExpressions', () => {
  const filters = (groups: string[]) => modelPackageSearchExpressions(groups).expressions.map((e) => e.Filters);

  it('fills an In list up to exactly 1024 characters, and starts another past it', () => {
    // 255 + 255 + 255 + 256 characters and 3 commas: 1024.
    const four = ['a', 'b', 'c', 'd'].map((c, i) => c.repeat(i === 3 ? 256 : 255));
    expect(four.join(',').length).toBe(SEARCH_FILTER_VALUE_MAX_LENGTH);
    expect(filters(four)).toEqual([[{ Name: 'ModelPackageGroupName', Operator: 'In', Value: four.join(',') }]]);
    // One more name of one character would make 1026: a list of its own, asked with Equals.
    expect(filters([...four, 'e'])).toEqual([
      [
        { Name: 'ModelPackageGroupName', Operator: 'In', Value: four.join(',') },
        { Name: 'ModelPackageGroupName', Operator: 'Equals', Value: 'e' },
      ],
    ]);
  });

  it('puts at most 20 filters in an expression, joined with Or; one filter stands alone', () => {
    const commaNames = Array.from({ length: 21 }, (_, i) => `g${String(i).padStart(2, '0')},x`);
    const { expressions } = modelPackageSearchExpressions(commaNames);
    expect(expressions.map((e) => [e.Operator, e.Filters?.length])).toEqual([
      ['Or', 20],
      [undefined, 1],
    ]);
    expect(expressions.flatMap((e) => e.Filters!).every((f) => f.Operator === 'Equals')).toBe(true);
  });

  it('asks nothing for names no group can have, and the same groups always make the same request', () => {
    expect(modelPackageSearchExpressions(['', 'z'.repeat(1025)])).toEqual({ expressions: [], unaskable: ['', 'z'.repeat(1025)] });
    expect(modelPackageSearchExpressions(['b', 'a', 'b'])).toEqual(modelPackageSearchExpressions(['a', 'b']));
    expect(filters(['b', 'a'])).toEqual([[{ Name: 'ModelPackageGroupName', Operator: 'In', Value: 'a,b' }]]);
  });
});

describe('toSourceError', () => {
  const source = 'sagemaker:prod-us';
  const service = (name: string, status: number, message = 'm', fault: 'client' | 'server' = 'client') =>
    Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status, attempts: 1 } });

  it.each([
    ['ResourceNotFound', service('ResourceNotFound', 400), SourceErrorCode.SOURCE_NOT_FOUND],
    ['ValidationException "Could not find"', service('ValidationException', 400, 'Could not find model "arn:aws:sagemaker:us-east-1:1:model/x".'), SourceErrorCode.SOURCE_NOT_FOUND],
    ['ValidationException "does not exist"', service('ValidationException', 400, 'ModelPackage arn:x does not exist.'), SourceErrorCode.SOURCE_NOT_FOUND],
    ['other ValidationException', service('ValidationException', 400, 'Value at maxResults failed'), SourceErrorCode.SOURCE_BAD_REQUEST],
    ['ThrottlingException', service('ThrottlingException', 400), SourceErrorCode.SOURCE_RATE_LIMITED],
    ['any 429', service('SomethingElse', 429), SourceErrorCode.SOURCE_RATE_LIMITED],
    ['ExpiredTokenException', service('ExpiredTokenException', 400), SourceErrorCode.SOURCE_UNAUTHENTICATED],
    ['AccessDeniedException', service('AccessDeniedException', 400), SourceErrorCode.SOURCE_FORBIDDEN],
    ['503 ServiceUnavailable', service('ServiceUnavailable', 503, 'down', 'server'), SourceErrorCode.SOURCE_UNAVAILABLE],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), SourceErrorCode.SOURCE_UNAVAILABLE],
    // node-http-handler renames resets `TimeoutError`; the code says what happened.
    ['ECONNRESET named TimeoutError', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', name: 'TimeoutError' }), SourceErrorCode.SOURCE_UNAVAILABLE],
    ['TimeoutError', Object.assign(new Error('request timed out'), { name: 'TimeoutError' }), SourceErrorCode.SOURCE_TIMEOUT],
    ['CredentialsProviderError', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), SourceErrorCode.SOURCE_UNAUTHENTICATED],
    // A 200 whose body the SDK could not read: an SSO page, a proxy's HTML.
    ['unreadable 200', Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 200 } }), SourceErrorCode.SOURCE_BAD_RESPONSE],
  ])('classifies %s', (_label, err, code) => {
    const mapped = toSourceError(err, source, { operation: 'DescribeModel' });
    expect(mapped).toBeInstanceOf(SourceError);
    expect(mapped.code).toBe(code);
    expect(mapped.source).toBe(source);
    expect(mapped.message.startsWith('sagemaker:prod-us: DescribeModel: ')).toBe(true);
  });

  it('leaves a SourceError as it is', () => {
    const err = new SourceError({ source, code: SourceErrorCode.SOURCE_NOT_FOUND, message: 'x' });
    expect(toSourceError(err, 'other')).toBe(err);
  });
});

describe('SagemakerRetryStrategy', () => {
  const info = (errorType: 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR', retryAfterHint?: Date) => ({ errorType, retryAfterHint });

  it('retries throttling and transient errors only, up to maxAttempts', async () => {
    const waits: number[] = [];
    const strategy = new SagemakerRetryStrategy({ maxAttempts: 3, baseDelayMs: 100, random: () => 1, sleep: async (ms) => void waits.push(ms) });
    const first = await strategy.acquireInitialRetryToken('');
    const second = await strategy.refreshRetryTokenForRetry(first, info('THROTTLING'));
    const third = await strategy.refreshRetryTokenForRetry(second, info('TRANSIENT'));
    expect(third.getRetryCount()).toBe(2);
    await expect(strategy.refreshRetryTokenForRetry(third, info('THROTTLING'))).rejects.toThrow();
    await expect(strategy.refreshRetryTokenForRetry(first, info('CLIENT_ERROR'))).rejects.toThrow();
    await expect(strategy.refreshRetryTokenForRetry(first, info('SERVER_ERROR'))).rejects.toThrow();
    expect(waits).toEqual([100, 200]);
  });

  it('waits at least as long as a Retry-After hint, and stops when the wait would exceed the budget', async () => {
    const waits: number[] = [];
    let now = 0;
    const strategy = new SagemakerRetryStrategy({ budgetMs: 5_000, random: () => 0, now: () => now, sleep: async (ms) => void waits.push(ms) });
    const first = await strategy.acquireInitialRetryToken('');
    await strategy.refreshRetryTokenForRetry(first, info('THROTTLING', new Date(Date.now() + 2_000)));
    expect(waits[0]).toBeGreaterThan(1_900);
    now = 4_000;
    await expect(strategy.refreshRetryTokenForRetry(first, info('THROTTLING', new Date(Date.now() + 2_000)))).rejects.toThrow(/budget/);
  });
});

import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListEndpointsCommand,
  SageMakerClient,
  paginateListEndpoints,
  paginateListModelPackages,
  paginateSearch,
  type ModelPackageSummary,
} from '@aws-sdk/client-sagemaker';
import { sagemakerInstanceSchema } from '../../config/schema';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import { SourceError, SourceErrorCode } from '../../connectors/core/errors';
import { SagemakerConnector, mapModelPackage, newestFirst, packageDetails, type SagemakerConnectorDeps } from '../../connectors/sagemaker';
import { mapEndpoint } from '../../connectors/sagemaker/map';
import { configurationsToDescribe, countOperations } from '../helpers/sagemaker-operations';
import { modelPackageSearchExpressions } from '../../connectors/sagemaker/client';
import { generateDemoOrg } from '../../sandbox/demo-org';
import {
  SAGEMAKER_KEY_TAG,
  SAGEMAKER_SEED_GAPS,
  seedSagemaker,
  startSagemakerSandbox,
  type SagemakerSandboxServer,
  type SagemakerSeed,
} from '../../sandbox/sagemaker';

const org = generateDemoOrg();
const seed = seedSagemaker(org);
const KEY_ID = 'AKIASANDBOXEXAMPLE01';
const SECRET = 'sandbox-secret-access-key';

let server: SagemakerSandboxServer;
const open: Array<{ close(): void }> = [];

beforeAll(async () => {
  server = await startSagemakerSandbox({ org, credentials: { accessKeyId: KEY_ID } });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.faults.failRate = 0;
  server.faults.down = false;
});

afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

// ---- helpers ------------------------------------------------------------------------------------

/** SigV4's shape with a dummy signature: the sandbox checks the scope and key id, not the math. */
function signed(operation: string, opts: { keyId?: string; region?: string; service?: string } = {}): Record<string, string> {
  return {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `SageMaker.${operation}`,
    'x-amz-date': '20250701T000000Z',
    authorization:
      `AWS4-HMAC-SHA256 Credential=${opts.keyId ?? KEY_ID}/20250701/${opts.region ?? 'us-east-1'}/${opts.service ?? 'sagemaker'}/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'a'.repeat(64)}`,
  };
}

async function raw<T = Record<string, unknown>>(
  operation: string,
  body: unknown,
  headers: Record<string, string> = signed(operation),
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${server.url}/`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as T, headers: res.headers };
}

function sdk(): SageMakerClient {
  const client = new SageMakerClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    maxAttempts: 1,
  });
  open.push({ close: () => client.destroy() });
  return client;
}

function connect(instance: Record<string, unknown> = {}, deps: Partial<SagemakerConnectorDeps> = {}): { sagemaker: SagemakerConnector; waits: number[] } {
  const waits: number[] = [];
  const sagemaker = SagemakerConnector.fromConfig(
    sagemakerInstanceSchema.parse({
      name: 'prod-us',
      region: 'us-east-1',
      endpoint: server.url,
      credentials: { type: 'static', accessKeyId: KEY_ID, secretAccessKey: SECRET },
      ...instance,
    }),
    {
      cache: new MemoryCache(),
      cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
      clock: { sleep: async (ms) => void waits.push(ms) },
      ...deps,
    },
  );
  open.push(sagemaker);
  return { sagemaker, waits };
}

const groupOf = (s: SagemakerSeed, key: string) => s.groups.find((g) => g.modelKey === key);
const endpointsOf = (s: SagemakerSeed, key: string) => s.endpoints.filter((e) => e.modelKey === key);
const configOf = (s: SagemakerSeed, endpointName: string) =>
  s.endpointConfigs.find((c) => c.name === s.endpoints.find((e) => e.name === endpointName)?.configName)!;
/** The package ARNs an endpoint's variants serve. */
function servedArns(s: SagemakerSeed, endpointName: string): string[] {
  return configOf(s, endpointName).variants.map((v) => {
    const model = s.models.find((m) => m.name === v.modelName)!;
    return 'modelPackageArn' in model.container ? model.container.modelPackageArn : `image:${model.container.image}`;
  });
}
const packageByArn = (s: SagemakerSeed, arn: string) => s.packages.find((p) => p.arn === arn);

// ---- the seed -----------------------------------------------------------------------------------

describe('seedSagemaker', () => {
  it('is deterministic', () => {
    expect(seedSagemaker(generateDemoOrg())).toEqual(seed);
  });

  it('registers a share of the prod models, versions mirroring MLflow one for one', () => {
    const prodKeys = new Set(org.models.filter((m) => m.registrations.some((r) => r.instance === 'prod')).map((m) => m.key));
    const registered = seed.groups.filter((g) => g.modelKey !== null);
    expect(registered.length).toBeGreaterThan(10);
    expect(registered.length).toBeLessThan(prodKeys.size);
    for (const g of registered) {
      expect(prodKeys.has(g.modelKey!)).toBe(true);
      const reg = org.models.find((m) => m.key === g.modelKey)!.registrations.find((r) => r.instance === 'prod')!;
      const versions = seed.packages.filter((p) => p.groupName === g.name);
      expect(versions.map((p) => p.version)).toEqual(reg.versions.map((v) => v.version));
      for (const p of versions) expect(p.customerMetadata['mlflow.run_id']).toBe(reg.versions[p.version - 1]!.runId);
      const production = reg.versions.find((v) => v.stage === 'Production');
      if (production && g.modelKey !== SAGEMAKER_SEED_GAPS.servedNotApproved) {
        expect(versions.find((p) => p.version === production.version)?.approval).toBe('Approved');
      }
    }
  });

  it('tags some groups with the model key and links others by name only', () => {
    const tagged = seed.groups.filter((g) => g.tags.some((t) => t.Key === SAGEMAKER_KEY_TAG));
    const untagged = seed.groups.filter((g) => g.modelKey && !g.tags.some((t) => t.Key === SAGEMAKER_KEY_TAG));
    expect(tagged.length).toBeGreaterThan(1);
    expect(untagged.length).toBeGreaterThan(1);
    expect(groupOf(seed, 'ltv-predictor')).toMatchObject({ name: 'customer-ltv', tags: expect.arrayContaining([{ Key: SAGEMAKER_KEY_TAG, Value: 'ltv-predictor' }]) });
    for (const [key, name] of Object.entries(SAGEMAKER_SEED_GAPS.renamed)) {
      const group = groupOf(seed, key)!;
      expect(group.name).toBe(name);
      expect(group.tags.some((t) => t.Key === SAGEMAKER_KEY_TAG)).toBe(false);
    }
    // MLflow prod calls it NextBestAction; SageMaker does not.
    expect(org.models.find((m) => m.key === 'next-best-action')!.registrations.find((r) => r.instance === 'prod')!.name).toBe('NextBestAction');
  });

  it('has an endpoint serving a package group no MLflow knows, and one serving a bare image', () => {
    const { group, endpoint } = SAGEMAKER_SEED_GAPS.unregisteredGroup;
    expect(seed.groups.find((g) => g.name === group)).toMatchObject({ modelKey: null });
    expect(org.models.some((m) => m.key === group || m.registrations.some((r) => r.name === group))).toBe(false);
    expect(servedArns(seed, endpoint).map((a) => packageByArn(seed, a)?.groupName)).toEqual([group]);
    expect(servedArns(seed, SAGEMAKER_SEED_GAPS.bareImageModel.endpoint)).toEqual([expect.stringMatching(/^image:.*pricing-rules:1\.4\.2$/)]);
  });

  it('has an approved version nothing serves', () => {
    const group = groupOf(seed, SAGEMAKER_SEED_GAPS.approvedNeverDeployed)!;
    const approved = seed.packages.filter((p) => p.groupName === group.name && p.approval === 'Approved');
    expect(approved.length).toBeGreaterThan(0);
    const served = new Set(seed.endpoints.flatMap((e) => servedArns(seed, e.name)));
    for (const p of approved) expect(served.has(p.arn)).toBe(false);
    expect(endpointsOf(seed, SAGEMAKER_SEED_GAPS.approvedNeverDeployed)).toEqual([]);
  });

  it('has a Failed endpoint', () => {
    const { modelKey, endpoint } = SAGEMAKER_SEED_GAPS.failedEndpoint;
    expect(seed.endpoints.find((e) => e.name === endpoint)).toMatchObject({ status: 'Failed', modelKey, failureReason: expect.any(String) });
  });

  it("serves email-propensity's Production version, which is not MLflow's champion", () => {
    const key = SAGEMAKER_SEED_GAPS.championNotServed;
    const reg = org.models.find((m) => m.key === key)!.registrations.find((r) => r.instance === 'prod')!;
    const champion = reg.aliases.find((a) => a.alias === 'champion')!.version;
    const [endpoint] = endpointsOf(seed, key);
    const served = servedArns(seed, endpoint!.name).map((a) => packageByArn(seed, a)!.version);
    expect(served).toEqual([reg.versions.find((v) => v.stage === 'Production')!.version]);
    expect(served).not.toContain(champion);
  });

  it('serves a version still pending approval', () => {
    const [endpoint] = endpointsOf(seed, SAGEMAKER_SEED_GAPS.servedNotApproved);
    expect(servedArns(seed, endpoint!.name).map((a) => packageByArn(seed, a)!.approval)).toEqual(['PendingManualApproval']);
  });

  it('splits traffic 90/10 between the Production version and a newer canary', () => {
    for (const key of SAGEMAKER_SEED_GAPS.splitTraffic) {
      const [endpoint] = endpointsOf(seed, key);
      const config = configOf(seed, endpoint!.name);
      expect(config.variants.map((v) => [v.name, v.weight])).toEqual([
        ['primary', 0.9],
        ['canary', 0.1],
      ]);
      const [primary, canary] = servedArns(seed, endpoint!.name).map((a) => packageByArn(seed, a)!);
      expect(canary!.version).toBeGreaterThan(primary!.version);
    }
  });

  it('copes with an org too small for the gaps, and with a large one', () => {
    const small = seedSagemaker(generateDemoOrg({ models: 3 }));
    expect(small.groups.some((g) => g.name === 'legacy-pricing-model')).toBe(true);
    expect(small.endpoints.every((e) => small.endpointConfigs.some((c) => c.name === e.configName))).toBe(true);
    const started = Date.now();
    const large = seedSagemaker(generateDemoOrg({ models: 600 }));
    expect(large.groups.length).toBeGreaterThan(200);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

// ---- the wire protocol ----------------------------------------------------------------------------

describe('AWS JSON 1.1 protocol', () => {
  it('answers POST / with the operation of X-Amz-Target, epoch-second timestamps and a request id', async () => {
    const { status, body, headers } = await raw<{ Endpoints: Array<Record<string, unknown>> }>('ListEndpoints', { MaxResults: 2, SortBy: 'Name', SortOrder: 'Ascending' });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const [first] = body.Endpoints;
    expect(typeof first!.CreationTime).toBe('number');
    expect(first!.CreationTime as number).toBeLessThan(2_000_000_000);
    expect(first!.EndpointArn).toMatch(/^arn:aws:sagemaker:us-east-1:111122223333:endpoint\/[a-z0-9-]+$/);
  });

  it('refuses unsigned requests, a foreign key id and a wrongly scoped credential', async () => {
    const unsigned = signed('ListEndpoints');
    delete unsigned.authorization;
    expect(await raw('ListEndpoints', {}, unsigned)).toMatchObject({
      status: 400,
      body: { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
    });
    expect(await raw('ListEndpoints', {}, signed('ListEndpoints', { keyId: 'AKIAOTHEREXAMPLE0001' }))).toMatchObject({
      status: 400,
      body: { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
    });
    expect((await raw('ListEndpoints', {}, signed('ListEndpoints', { region: 'eu-west-1' }))).body).toMatchObject({
      __type: 'InvalidSignatureException',
      message: expect.stringContaining("not 'eu-west-1'"),
    });
    expect((await raw('ListEndpoints', {}, signed('ListEndpoints', { service: 's3' }))).body).toMatchObject({ __type: 'InvalidSignatureException' });
  });

  it('refuses unknown operations and other content types', async () => {
    const { status, body, headers } = await raw('CreateEndpoint', {});
    expect(status).toBe(400);
    expect(body).toMatchObject({ __type: 'com.amazon.coral.service#UnknownOperationException' });
    expect(headers.get('x-amzn-errortype')).toBe('UnknownOperationException:');
    const json = { ...signed('ListEndpoints'), 'content-type': 'application/json' };
    expect((await raw('ListEndpoints', {}, json)).status).toBe(400);
  });

  it('validates MaxResults against the documented ranges, worded like AWS', async () => {
    const tooMany = await raw('ListModelPackageGroups', { MaxResults: 101 });
    expect(tooMany).toMatchObject({
      status: 400,
      body: {
        __type: 'com.amazon.coral.validate#ValidationException',
        message: "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
      },
    });
    expect((await raw('ListEndpoints', { MaxResults: 0 })).status).toBe(400);
    // ListTags starts at 50.
    const arn = seed.groups[0]!.arn;
    expect((await raw('ListTags', { ResourceArn: arn, MaxResults: 10 })).body).toMatchObject({ message: expect.stringContaining('greater than or equal to 50') });
    expect((await raw('ListTags', { ResourceArn: arn, MaxResults: 50 })).status).toBe(200);
    expect((await raw('ListEndpoints', { MaxResults: '5' })).body).toMatchObject({ __type: 'com.amazon.coral.service#SerializationException' });
    expect((await raw('ListEndpoints', { SortBy: 'Size' })).body).toMatchObject({ message: expect.stringContaining('enum value set: [Name, CreationTime, Status]') });
  });

  it('pages with NextToken to the end, and refuses a token replayed with another filter', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let firstToken: string | undefined;
    do {
      const { status, body } = await raw<{ Endpoints: Array<{ EndpointName: string }>; NextToken?: string }>('ListEndpoints', {
        MaxResults: 4,
        SortBy: 'Name',
        SortOrder: 'Ascending',
        ...(token ? { NextToken: token } : {}),
      });
      expect(status).toBe(200);
      names.push(...body.Endpoints.map((e) => e.EndpointName));
      token = body.NextToken;
      firstToken ??= token;
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(seed.endpoints.length / 4));
    expect(names).toEqual(seed.endpoints.map((e) => e.name).sort());
    const replay = await raw('ListEndpoints', { MaxResults: 4, SortBy: 'CreationTime', NextToken: firstToken });
    expect(replay).toMatchObject({ status: 400, body: { message: expect.stringContaining('Invalid pagination token') } });
  });

  it('serves Search over ModelPackageGroup: whole records with tags, epoch seconds, NextToken pages', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let first: Record<string, unknown> | undefined;
    do {
      const { status, body } = await raw<{ Results: Array<{ ModelPackageGroup: Record<string, unknown> }>; NextToken?: string }>('Search', {
        Resource: 'ModelPackageGroup',
        SortBy: 'ModelPackageGroupName',
        SortOrder: 'Ascending',
        MaxResults: 7,
        ...(token ? { NextToken: token } : {}),
      });
      expect(status).toBe(200);
      expect(body.Results.length).toBeLessThanOrEqual(7);
      names.push(...body.Results.map((r) => r.ModelPackageGroup.ModelPackageGroupName as string));
      first ??= body.Results[0]?.ModelPackageGroup;
      token = body.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(seed.groups.length / 7));
    expect(names).toEqual(seed.groups.map((g) => g.name).sort());
    const g = seed.groups.find((x) => x.name === names[0])!;
    expect(first).toEqual({
      ModelPackageGroupName: g.name,
      ModelPackageGroupArn: g.arn,
      ...(g.description ? { ModelPackageGroupDescription: g.description } : {}),
      CreationTime: g.creationTime / 1000,
      CreatedBy: expect.any(Object),
      ModelPackageGroupStatus: 'Completed',
      Tags: g.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
    });
  });

  it('pages Search through the SDK (paginateSearch), SearchExpression absent, dates and tags deserialised', async () => {
    const groups: Array<{ name?: string; created?: Date; tags: number }> = [];
    for await (const page of paginateSearch({ client: sdk(), pageSize: 100 }, { Resource: 'ModelPackageGroup' })) {
      for (const r of page.Results ?? []) {
        groups.push({ name: r.ModelPackageGroup?.ModelPackageGroupName, created: r.ModelPackageGroup?.CreationTime, tags: r.ModelPackageGroup?.Tags?.length ?? 0 });
      }
    }
    expect(groups.map((x) => x.name).sort()).toEqual(seed.groups.map((x) => x.name).sort());
    for (const x of groups) expect(x.created).toBeInstanceOf(Date);
    // The documented default order is Descending.
    const times = groups.map((x) => x.created!.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const ltv = seed.groups.find((x) => x.tags.some((t) => t.Key === SAGEMAKER_KEY_TAG && t.Value === 'ltv-predictor'))!;
    expect(groups.find((x) => x.name === ltv.name)?.tags).toBe(ltv.tags.length);
  });

  it('filters Search with a SearchExpression, and refuses what it cannot answer faithfully', async () => {
    const tagged = await raw<{ Results: Array<{ ModelPackageGroup: { ModelPackageGroupName: string } }> }>('Search', {
      Resource: 'ModelPackageGroup',
      SearchExpression: { Filters: [{ Name: `Tags.${SAGEMAKER_KEY_TAG}`, Operator: 'Equals', Value: 'ltv-predictor' }] },
      MaxResults: 100,
    });
    expect(tagged.status).toBe(200);
    expect(tagged.body.Results.map((r) => r.ModelPackageGroup.ModelPackageGroupName)).toEqual(
      seed.groups.filter((x) => x.tags.some((t) => t.Key === SAGEMAKER_KEY_TAG && t.Value === 'ltv-predictor')).map((x) => x.name),
    );
    const validation = { status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException' } };
    expect(await raw('Search', { Resource: 'ModelPackageGroup', MaxResults: 101 })).toMatchObject({
      ...validation,
      body: {
        ...validation.body,
        message: "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
      },
    });
    expect(await raw('Search', { Resource: 'ModelPackageGroup', MaxResults: 0 })).toMatchObject(validation);
    expect(await raw('Search', {})).toMatchObject({ ...validation, body: { message: expect.stringContaining("Value null at 'resource'") } });
    expect(await raw('Search', { Resource: 'Widget' })).toMatchObject({ ...validation, body: { message: expect.stringContaining('enum value set') } });
    // A real resource type the sandbox does not model: refused, not answered empty.
    expect(await raw('Search', { Resource: 'TrainingJob' })).toMatchObject(validation);
    expect(await raw('Search', { Resource: 'ModelPackageGroup', SearchExpression: { Filters: [{ Name: 'Colour', Value: 'x' }] } })).toMatchObject(validation);
    expect(await raw('Search', { Resource: 'ModelPackageGroup', SearchExpression: { NestedFilters: [{ NestedPropertyName: 'x', Filters: [] }] } })).toMatchObject(validation);
    expect(await raw('Search', { Resource: 'ModelPackageGroup', SearchExpression: {} })).toMatchObject(validation);
    expect(await raw('Search', { Resource: 'ModelPackageGroup', SortBy: 'Colour' })).toMatchObject(validation);
    // Nothing is shared into the sandbox account.
    expect((await raw('Search', { Resource: 'ModelPackageGroup', CrossAccountFilterOption: 'CrossAccount' })).body).toEqual({ Results: [] });
  });

  it('serves Search over ModelPackage: DescribeModelPackage records with Tags, NextToken pages, MaxResults bounds', async () => {
    const arns: string[] = [];
    let token: string | undefined;
    let firstToken: string | undefined;
    let pages = 0;
    let first: Record<string, unknown> | undefined;
    do {
      const { status, body } = await raw<{ Results: Array<{ ModelPackage: Record<string, unknown> }>; NextToken?: string }>('Search', {
        Resource: 'ModelPackage',
        SortBy: 'ModelPackageArn',
        SortOrder: 'Ascending',
        MaxResults: 7,
        ...(token ? { NextToken: token } : {}),
      });
      expect(status).toBe(200);
      expect(body.Results.length).toBeLessThanOrEqual(7);
      arns.push(...body.Results.map((r) => r.ModelPackage.ModelPackageArn as string));
      first ??= body.Results[0]?.ModelPackage;
      token = body.NextToken;
      firstToken ??= token;
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(seed.packages.length / 7));
    expect(arns).toEqual(seed.packages.map((p) => p.arn).sort());
    // The record is the package as DescribeModelPackage answers it, with (no) tags.
    const described = await raw<Record<string, unknown>>('DescribeModelPackage', { ModelPackageName: arns[0] });
    expect(first).toEqual({ ...described.body, Tags: [] });
    expect(first).toMatchObject({ ModelPackageGroupName: expect.any(String), ModelPackageVersion: expect.any(Number), CustomerMetadataProperties: expect.any(Object) });
    // A token is only good for the request it came from.
    const replay = await raw('Search', { Resource: 'ModelPackage', SortBy: 'CreationTime', MaxResults: 7, NextToken: firstToken });
    expect(replay).toMatchObject({ status: 400, body: { message: expect.stringContaining('Invalid pagination token') } });
    expect(await raw('Search', { Resource: 'ModelPackage', MaxResults: 101 })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('Member must have value less than or equal to 100') },
    });
    expect(await raw('Search', { Resource: 'ModelPackage', MaxResults: 0 })).toMatchObject({ status: 400 });
  });

  it('filters Search over ModelPackage by group (In, Equals), ARN, approval, status, creation time and version', async () => {
    const ask = async (expression: unknown, extra: Record<string, unknown> = {}) => {
      const res = await raw<{ Results: Array<{ ModelPackage: { ModelPackageArn: string; ModelPackageVersion: number } }> }>('Search', {
        Resource: 'ModelPackage',
        SearchExpression: expression,
        MaxResults: 100,
        ...extra,
      });
      expect(res.status).toBe(200);
      return res.body.Results.map((r) => r.ModelPackage);
    };
    const arnsOf = async (expression: unknown) => (await ask(expression)).map((p) => p.ModelPackageArn).sort();
    const expected = (keep: (p: SagemakerSeed['packages'][number]) => boolean) => seed.packages.filter(keep).map((p) => p.arn).sort();
    const [g1, g2] = [seed.groups[0]!.name, seed.groups[1]!.name];
    const byGroup = (operator: string, value: string) => ({ Filters: [{ Name: 'ModelPackageGroupName', Operator: operator, Value: value }] });

    const inTwo = await arnsOf(byGroup('In', `${g1},${g2},no-such-group`));
    expect(inTwo).toEqual(expected((p) => p.groupName === g1 || p.groupName === g2));
    expect(inTwo.length).toBeGreaterThan(2);
    expect(await arnsOf(byGroup('Equals', g1))).toEqual(expected((p) => p.groupName === g1));
    expect(await arnsOf(byGroup('In', 'no-such-group,nor-this-one'))).toEqual([]);
    const one = seed.packages[3]!;
    expect(await arnsOf({ Filters: [{ Name: 'ModelPackageArn', Operator: 'Equals', Value: one.arn }] })).toEqual([one.arn]);
    expect(await arnsOf({ Filters: [{ Name: 'ModelApprovalStatus', Operator: 'In', Value: 'Approved,Rejected' }] })).toEqual(
      expected((p) => p.approval === 'Approved' || p.approval === 'Rejected'),
    );
    const completed = await arnsOf({ Filters: [{ Name: 'ModelPackageStatus', Operator: 'Equals', Value: 'Completed' }] });
    expect(completed).toEqual(expected((p) => p.status === 'Completed'));
    expect(completed.length).toBeLessThan(seed.packages.length);
    // A timestamp's Value is an ISO 8601 date-time (seconds).
    const times = seed.packages.map((p) => p.creationTime).sort((a, b) => a - b);
    const since = Math.floor(times[Math.floor(times.length / 2)]! / 1000) * 1000;
    expect(
      await arnsOf({ Filters: [{ Name: 'CreationTime', Operator: 'GreaterThanOrEqualTo', Value: new Date(since).toISOString().slice(0, 19) }] }),
    ).toEqual(expected((p) => p.creationTime >= since));
    expect(await arnsOf({ Filters: [{ Name: 'ModelPackageVersion', Operator: 'GreaterThan', Value: '2' }] })).toEqual(expected((p) => p.version > 2));
    expect(await arnsOf({ Filters: [{ Name: 'ModelPackageVersion', Operator: 'Equals', Value: '1' }] })).toEqual(expected((p) => p.version === 1));
    // And (the default) and Or, with filters and subexpressions.
    expect(await arnsOf({ Filters: [...byGroup('In', `${g1},${g2}`).Filters, { Name: 'ModelApprovalStatus', Operator: 'Equals', Value: 'Approved' }] })).toEqual(
      expected((p) => (p.groupName === g1 || p.groupName === g2) && p.approval === 'Approved'),
    );
    expect(await arnsOf({ Operator: 'Or', Filters: byGroup('Equals', g1).Filters, SubExpressions: [byGroup('Equals', g2)] })).toEqual(inTwo);
    expect(await arnsOf({ Filters: [{ Name: 'CustomerMetadataProperties.mlflow.run_id', Operator: 'Exists' }] })).toEqual(
      expected((p) => 'mlflow.run_id' in p.customerMetadata),
    );
    // SortBy and SortOrder as sent.
    const versions = (await ask(byGroup('In', `${g1},${g2}`), { SortBy: 'ModelPackageVersion', SortOrder: 'Ascending' })).map((p) => p.ModelPackageVersion);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('refuses in a ModelPackage search what AWS refuses: In on a number or a time, a Value over 1024 characters, more than 20 filters, unknown properties', async () => {
    const search = (filters: unknown[]) => raw('Search', { Resource: 'ModelPackage', SearchExpression: { Filters: filters } });
    const refused = (message: string | RegExp) => ({
      status: 400,
      body: { __type: 'com.amazon.coral.validate#ValidationException', message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message) },
    });
    // "In: ... Only supported for text properties."
    expect(await search([{ Name: 'ModelPackageVersion', Operator: 'In', Value: '1,2' }])).toMatchObject(refused('only supported for text properties'));
    expect(await search([{ Name: 'CreationTime', Operator: 'In', Value: '2025-01-01T00:00:00' }])).toMatchObject(refused('only supported for text properties'));
    expect(await search([{ Name: 'ModelPackageVersion', Operator: 'Contains', Value: '1' }])).toMatchObject(refused('only supported for text properties'));
    // "GreaterThan: ... Not supported for text properties."
    expect(await search([{ Name: 'ModelApprovalStatus', Operator: 'GreaterThan', Value: 'A' }])).toMatchObject(refused('not supported for text properties'));
    expect(await search([{ Name: 'ModelPackageVersion', Operator: 'Equals', Value: 'five' }])).toMatchObject(refused('integer or floating-point decimal'));
    expect(await search([{ Name: 'CreationTime', Operator: 'GreaterThan', Value: 'yesterday' }])).toMatchObject(refused('ISO 8601'));
    // Filter.Value: at most 1024 characters.
    const exactly = ['a'.repeat(511), 'b'.repeat(512)].join(',');
    expect(exactly).toHaveLength(1024);
    expect((await search([{ Name: 'ModelPackageGroupName', Operator: 'In', Value: exactly }])).status).toBe(200);
    expect(await search([{ Name: 'ModelPackageGroupName', Operator: 'In', Value: `${exactly}c` }])).toMatchObject(
      refused("at 'searchExpression.filters.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 1024"),
    );
    // SearchExpression.Filters: at most 20.
    const many = Array.from({ length: 21 }, (_, i) => ({ Name: 'ModelPackageGroupName', Operator: 'Equals', Value: `g${i}` }));
    const anyOf = (filters: unknown[]) => raw('Search', { Resource: 'ModelPackage', SearchExpression: { Operator: 'Or', Filters: filters } });
    expect(await anyOf(many)).toMatchObject(
      refused("at 'searchExpression.filters' failed to satisfy constraint: Member must have length less than or equal to 20"),
    );
    expect((await anyOf(many.slice(0, 20))).status).toBe(200);
    // Unknown properties, as for groups.
    expect(await search([{ Name: 'Colour', Value: 'x' }])).toMatchObject(refused('Invalid property name Colour for resource ModelPackage.'));
    expect(await search([{ Name: 'ModelPackageGroupArn', Value: 'x' }])).toMatchObject(refused('Invalid property name ModelPackageGroupArn for resource ModelPackage.'));
    expect(await raw('Search', { Resource: 'ModelPackage', SortBy: 'Colour' })).toMatchObject(refused('Invalid SortBy Colour for resource ModelPackage.'));
    expect(await raw('Search', { Resource: 'ModelPackage', SearchExpression: { NestedFilters: [{ NestedPropertyName: 'x', Filters: [] }] } })).toMatchObject(
      refused('NestedFilters are not supported for resource ModelPackage.'),
    );
    // And the same typing for groups: In on their creation time is refused too.
    expect(
      await raw('Search', { Resource: 'ModelPackageGroup', SearchExpression: { Filters: [{ Name: 'CreationTime', Operator: 'In', Value: '1,2' }] } }),
    ).toMatchObject(refused('only supported for text properties'));
    // Nothing is shared into the sandbox account.
    expect((await raw('Search', { Resource: 'ModelPackage', CrossAccountFilterOption: 'CrossAccount' })).body).toEqual({ Results: [] });
  });

  it('serves Search over Endpoint: DescribeEndpoint records with Tags, NextToken pages, sorted by name or creation time', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let first: Record<string, unknown> | undefined;
    do {
      const { status, body } = await raw<{ Results: Array<{ Endpoint: Record<string, unknown> }>; NextToken?: string }>('Search', {
        Resource: 'Endpoint',
        SortBy: 'EndpointName',
        SortOrder: 'Ascending',
        MaxResults: 4,
        ...(token ? { NextToken: token } : {}),
      });
      expect(status).toBe(200);
      names.push(...body.Results.map((r) => r.Endpoint.EndpointName as string));
      first ??= body.Results[0]?.Endpoint;
      token = body.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(seed.endpoints.length / 4));
    expect(names).toEqual(seed.endpoints.map((e) => e.name).sort());
    // The record is the endpoint as DescribeEndpoint answers it, with its tags; no variant says its model or instance type.
    const described = await raw<Record<string, unknown>>('DescribeEndpoint', { EndpointName: names[0] });
    const tags = seed.endpoints.find((e) => e.name === names[0])!.tags;
    expect(first).toEqual({ ...described.body, Tags: tags });
    for (const v of (first!.ProductionVariants as Array<Record<string, unknown>>) ?? []) {
      expect(Object.keys(v).sort()).toEqual(['CurrentInstanceCount', 'CurrentWeight', 'DeployedImages', 'DesiredInstanceCount', 'DesiredWeight', 'VariantName']);
    }
    const failed = await raw<{ Results: Array<{ Endpoint: Record<string, unknown> }> }>('Search', {
      Resource: 'Endpoint',
      SearchExpression: { Filters: [{ Name: 'EndpointStatus', Operator: 'Equals', Value: 'Failed' }] },
    });
    expect(failed.body.Results.map((r) => r.Endpoint.EndpointName)).toEqual([SAGEMAKER_SEED_GAPS.failedEndpoint.endpoint]);
    expect(failed.body.Results[0]!.Endpoint).not.toHaveProperty('ProductionVariants');
    const oldest = await raw<{ Results: Array<{ Endpoint: { CreationTime: number } }> }>('Search', {
      Resource: 'Endpoint',
      SortBy: 'CreationTime',
      SortOrder: 'Ascending',
      MaxResults: 100,
    });
    const created = oldest.body.Results.map((r) => r.Endpoint.CreationTime);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(await raw('Search', { Resource: 'Endpoint', SortBy: 'InstanceType' })).toMatchObject({
      status: 400,
      body: { message: 'Invalid SortBy InstanceType for resource Endpoint.' },
    });
  });

  it('serves Search over Model: Model Dashboard records (DescribeModel with Tags, the endpoints naming it), nested property names', async () => {
    const records: Array<{ Model: Record<string, unknown>; Endpoints: Array<Record<string, unknown>> }> = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await raw<{ Results: Array<{ Model: (typeof records)[number] }>; NextToken?: string }>('Search', {
        Resource: 'Model',
        MaxResults: 5,
        ...(token ? { NextToken: token } : {}),
      });
      expect(status).toBe(200);
      records.push(...body.Results.map((r) => r.Model));
      token = body.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(seed.models.length / 5));
    expect(records.map((r) => r.Model.ModelName).sort()).toEqual(seed.models.map((m) => m.name).sort());
    // Newest model first by default: models are never modified, their creation time stands in.
    const created = records.map((r) => r.Model.CreationTime as number);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const bare = records.find((r) => r.Model.ModelName === SAGEMAKER_SEED_GAPS.bareImageModel.model)!;
    const described = await raw<Record<string, unknown>>('DescribeModel', { ModelName: SAGEMAKER_SEED_GAPS.bareImageModel.model });
    expect(bare.Model).toEqual({ ...described.body, Tags: seed.models.find((m) => m.name === SAGEMAKER_SEED_GAPS.bareImageModel.model)!.tags });
    const endpoint = seed.endpoints.find((e) => e.name === SAGEMAKER_SEED_GAPS.bareImageModel.endpoint)!;
    expect(bare.Endpoints).toEqual([
      {
        EndpointName: endpoint.name,
        EndpointArn: endpoint.arn,
        CreationTime: endpoint.creationTime / 1000,
        LastModifiedTime: endpoint.lastModifiedTime / 1000,
        EndpointStatus: 'InService',
      },
    ]);
    // A split endpoint is listed under both of its models.
    const split = `${SAGEMAKER_SEED_GAPS.splitTraffic[0]}-prod`;
    expect(records.filter((r) => r.Endpoints.some((e) => e.EndpointName === split))).toHaveLength(2);
    const byName = await raw<{ Results: unknown[] }>('Search', {
      Resource: 'Model',
      SearchExpression: { Filters: [{ Name: 'Model.ModelName', Operator: 'Equals', Value: SAGEMAKER_SEED_GAPS.bareImageModel.model }] },
    });
    expect(byName.body.Results).toHaveLength(1);
    expect(await raw('Search', { Resource: 'Model', SortBy: 'CreationTime' })).toMatchObject({ status: 400 });
  });

  it('lists registry versions only when asked for Versioned packages (the documented default is Unversioned)', async () => {
    const group = seed.groups.find((g) => g.modelKey === 'email-propensity')!;
    const implicit = await raw<{ ModelPackageSummaryList: unknown[] }>('ListModelPackages', { ModelPackageGroupName: group.name });
    expect(implicit.body.ModelPackageSummaryList).toEqual([]);
    const versioned = await raw<{ ModelPackageSummaryList: Array<{ ModelPackageVersion: number }> }>('ListModelPackages', {
      ModelPackageGroupName: group.arn,
      ModelPackageType: 'Versioned',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
    });
    expect(versioned.body.ModelPackageSummaryList.map((p) => p.ModelPackageVersion)).toEqual([5, 4, 3, 2, 1]);
  });

  it('answers a Describe* of something missing with a ValidationException, as SageMaker does', async () => {
    expect((await raw('DescribeEndpoint', { EndpointName: 'nope' })).body).toEqual({
      __type: 'com.amazon.coral.validate#ValidationException',
      message: 'Could not find endpoint "arn:aws:sagemaker:us-east-1:111122223333:endpoint/nope".',
    });
    expect((await raw('DescribeModel', { ModelName: 'nope' })).body).toMatchObject({ message: expect.stringMatching(/^Could not find model "/) });
    expect((await raw('DescribeEndpointConfig', { EndpointConfigName: 'nope' })).body).toMatchObject({
      message: expect.stringMatching(/^Could not find endpoint configuration "/),
    });
    expect((await raw('DescribeModelPackageGroup', { ModelPackageGroupName: 'nope' })).body).toMatchObject({
      message: 'ModelPackageGroup arn:aws:sagemaker:us-east-1:111122223333:model-package-group/nope does not exist.',
    });
    expect((await raw('DescribeEndpoint', {})).body).toMatchObject({
      message: "1 validation error detected: Value null at 'endpointName' failed to satisfy constraint: Member must not be null",
    });
  });

  it('describes a failed endpoint without running variants, and its configuration with them', async () => {
    const { body } = await raw<Record<string, unknown>>('DescribeEndpoint', { EndpointName: SAGEMAKER_SEED_GAPS.failedEndpoint.endpoint });
    expect(body).toMatchObject({ EndpointStatus: 'Failed', FailureReason: expect.stringContaining('ping health check') });
    expect(body.ProductionVariants).toBeUndefined();
  });

  it('words injected failures as AWS does: a "429" is a 400 ThrottlingException', async () => {
    server.faults.failRate = 1;
    server.faults.failStatus = 429;
    expect(await raw('ListEndpoints', {})).toMatchObject({ status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } });
    server.faults.failStatus = 503;
    expect(await raw('ListEndpoints', {})).toMatchObject({ status: 503, body: { __type: 'ServiceUnavailable' } });
  });

  it('throttles exactly the next requests it is told to', async () => {
    server.throttle(1, 'DescribeModel');
    expect((await raw('ListEndpoints', {})).status).toBe(200);
    expect((await raw('DescribeModel', { ModelName: seed.models[0]!.name })).body).toMatchObject({ __type: 'ThrottlingException' });
    expect((await raw('DescribeModel', { ModelName: seed.models[0]!.name })).status).toBe(200);
  });

  it('counts calls per operation, and its throttling answers as throttled', async () => {
    server.stats.reset();
    server.throttle(1, 'DescribeModel');
    await raw('ListEndpoints', {});
    await raw('DescribeModel', { ModelName: seed.models[0]!.name });
    await raw('DescribeModel', { ModelName: seed.models[0]!.name });
    expect(server.stats.byOperation).toEqual({ ListEndpoints: 1, DescribeModel: 2 });
    expect(server.stats.throttled).toBe(1);
  });
});

// ---- the official SDK against it ------------------------------------------------------------------

describe('the official SDK against the sandbox', () => {
  it('pages with the SDK paginator across several pages', async () => {
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListEndpoints({ client: sdk(), pageSize: 5 }, { SortBy: 'Name', SortOrder: 'Ascending' })) {
      pages++;
      names.push(...(page.Endpoints ?? []).map((e) => e.EndpointName!));
      expect(page.Endpoints![0]!.CreationTime).toBeInstanceOf(Date);
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(names).toHaveLength(seed.endpoints.length);
  });

  it('pages Search over ModelPackage through the SDK (paginateSearch), dates deserialised, newest change first by default', async () => {
    const seen: Array<{ arn?: string; modified?: Date; created?: Date }> = [];
    for await (const page of paginateSearch({ client: sdk(), pageSize: 30 }, { Resource: 'ModelPackage' })) {
      for (const r of page.Results ?? []) {
        seen.push({ arn: r.ModelPackage?.ModelPackageArn, modified: r.ModelPackage?.LastModifiedTime, created: r.ModelPackage?.CreationTime });
      }
    }
    expect(seen.map((x) => x.arn).sort()).toEqual(seed.packages.map((p) => p.arn).sort());
    for (const x of seen) expect(x.created).toBeInstanceOf(Date);
    // The documented default sort is LastModifiedTime, Descending.
    const times = seen.map((x) => x.modified!.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('reads the error code from __type', async () => {
    const err = await sdk()
      .send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'nope' }))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });

  it('is refused with another access key', async () => {
    const client = new SageMakerClient({ region: 'us-east-1', endpoint: server.url, credentials: { accessKeyId: 'AKIAOTHEREXAMPLE0001', secretAccessKey: 'x' } });
    open.push({ close: () => client.destroy() });
    await expect(client.send(new ListEndpointsCommand({ MaxResults: 1 }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });
});

// ---- the connector against it ----------------------------------------------------------------------

describe('SagemakerConnector against the sandbox', () => {
  it('lists every group with its tags, in pages of the size it is given', async () => {
    server.stats.reset();
    const { sagemaker } = connect({}, { pageSizes: { modelPackageGroups: 5 } });
    const models = await sagemaker.listModels();
    expect(models.map((m) => m.name)).toEqual(seed.groups.map((g) => g.name).sort());
    expect(models.find((m) => m.name === 'customer-ltv')?.tags).toContainEqual({ key: SAGEMAKER_KEY_TAG, value: 'ltv-predictor' });
    // ceil(n / 5) Search pages, and nothing else: the records carry their tags.
    expect(server.stats.total).toBe(Math.ceil(seed.groups.length / 5));
  });

  it('reads the versions of every group with one paged Search, identical to ListModelPackages + DescribeModelPackage', async () => {
    const groups = seed.groups.map((g) => g.name);
    // Every group name fits in one In list: one request, followed through its pages.
    expect(modelPackageSearchExpressions(groups).expressions).toHaveLength(1);
    server.stats.reset();
    const { sagemaker } = connect({}, { pageSizes: { modelPackages: 5 } });
    const versions = await sagemaker.getVersionsForModels([...groups, 'no-such-group']);
    expect(server.stats.total).toBe(Math.ceil(seed.packages.length / 5));
    expect(versions.get('no-such-group')).toEqual([]);
    expect([...versions.values()].flat()).toHaveLength(seed.packages.length);

    // The way it was done before, through the SDK: a listing per group, a description per package.
    const client = sdk();
    const ctx = { instance: 'prod-us', region: 'us-east-1' };
    for (const group of groups) {
      const summaries: ModelPackageSummary[] = [];
      for await (const page of paginateListModelPackages(
        { client, pageSize: 100 },
        { ModelPackageGroupName: group, ModelPackageType: 'Versioned', SortBy: 'CreationTime', SortOrder: 'Descending' },
      )) {
        summaries.push(...(page.ModelPackageSummaryList ?? []));
      }
      const listed = await Promise.all(
        summaries.map(async (s) => mapModelPackage(s, ctx, packageDetails(await client.send(new DescribeModelPackageCommand({ ModelPackageName: s.ModelPackageArn }))))),
      );
      expect(listed.length).toBeGreaterThan(0);
      expect(versions.get(group)).toEqual(newestFirst(listed));
    }
  });

  it('lists deployments by two searches and a DescribeEndpointConfig per unsettled configuration, identical to ListEndpoints + Describe*', async () => {
    const ops = countOperations(server);
    const { sagemaker } = connect({}, { pageSizes: { endpoints: 7, models: 9 } });
    const listed = await sagemaker.listDeployments();
    expect(ops.counts).toEqual({
      'Search Endpoint': Math.ceil(seed.endpoints.length / 7),
      'Search Model': Math.ceil(seed.models.length / 9),
      DescribeEndpointConfig: configurationsToDescribe(seed).size,
    });
    // The instance types the listing left to look up, looked up: then it is what describing everything made.
    const instanceTypes = await sagemaker.instanceTypes(listed);
    const deployments = listed.map(({ instanceTypeLookup: _l, ...d }, i) => ({ ...d, instanceType: instanceTypes[i] ?? null }));
    expect(ops.counts.DescribeEndpointConfig).toBe(new Set(seed.endpoints.map((e) => e.configName)).size);
    ops.restore();

    // The way it was done before, through the SDK: a description per endpoint, configuration and model.
    const client = sdk();
    const ctx = { instance: 'prod-us', region: 'us-east-1' };
    const names: string[] = [];
    for await (const page of paginateListEndpoints({ client, pageSize: 100 }, { SortBy: 'Name', SortOrder: 'Ascending' })) {
      names.push(...(page.Endpoints ?? []).map((e) => e.EndpointName!));
    }
    const before = await Promise.all(
      names.map(async (name) => {
        const endpoint = await client.send(new DescribeEndpointCommand({ EndpointName: name }));
        const config = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }));
        const modelNames = [...new Set((config.ProductionVariants ?? []).map((v) => v.ModelName!))];
        const models = Object.fromEntries(await Promise.all(modelNames.map(async (n) => [n, await client.send(new DescribeModelCommand({ ModelName: n }))])));
        return mapEndpoint({ endpoint, config, models }, ctx);
      }),
    );
    expect(deployments).toEqual(before.flat());
    expect(deployments.length).toBeGreaterThan(seed.endpoints.length - 2);
    for (const d of deployments) expect(d.instanceType).toMatch(/^ml\./);
  });

  it('shows the deliberate gaps through the graph shapes', async () => {
    const { sagemaker } = connect();
    const deployments = await sagemaker.listDeployments();
    const byEndpoint = (name: string) => deployments.filter((d) => d.endpointName === name);

    expect(byEndpoint(SAGEMAKER_SEED_GAPS.bareImageModel.endpoint)).toEqual([
      expect.objectContaining({ modelVersionRef: null, servedModelName: SAGEMAKER_SEED_GAPS.bareImageModel.model, status: 'IN_SERVICE' }),
    ]);
    expect(byEndpoint(SAGEMAKER_SEED_GAPS.failedEndpoint.endpoint)).toEqual([expect.objectContaining({ status: 'FAILED', statusRaw: 'Failed' })]);
    const split = byEndpoint(`${SAGEMAKER_SEED_GAPS.splitTraffic[0]}-prod`);
    expect(split.map((d) => [d.name, d.trafficPercent])).toEqual([
      ['primary', 90],
      ['canary', 10],
    ]);

    const groups = [...new Set(seed.groups.map((g) => g.name))];
    const versions = await sagemaker.getVersionsForModels(groups);
    const byArn = new Map([...versions.values()].flat().map((v) => [v.source.nativeId, v]));
    // Every registered version an endpoint serves joins with the registry by its ARN.
    for (const d of deployments.filter((x) => x.modelVersionRef)) expect(byArn.has(d.modelVersionRef!)).toBe(true);
    const legacy = byArn.get(byEndpoint(SAGEMAKER_SEED_GAPS.unregisteredGroup.endpoint)[0]!.modelVersionRef!);
    expect(legacy).toMatchObject({ modelName: 'legacy-pricing-model', approval: 'APPROVED', version: '2' });
    const served = new Set(deployments.map((d) => d.modelVersionRef));
    const neverDeployed = versions.get(SAGEMAKER_SEED_GAPS.approvedNeverDeployed)!.filter((v) => v.approval === 'APPROVED');
    expect(neverDeployed.length).toBeGreaterThan(0);
    for (const v of neverDeployed) expect(served.has(v.source.nativeId)).toBe(false);
    const pending = byArn.get(byEndpoint('credit-risk-scorer-prod')[0]!.modelVersionRef!);
    expect(pending).toMatchObject({ modelName: 'CreditRiskScorer', approval: 'PENDING' });
  });

  it('retries the sandbox throttling and then succeeds', async () => {
    server.throttle(2, 'ListEndpoints');
    // A fixed jitter: with Math.random a backoff can round down to 0 ms, which sleeps not at all.
    const { sagemaker, waits } = connect({}, { random: () => 0.5 });
    await expect(sagemaker.health()).resolves.toBeUndefined();
    expect(waits).toHaveLength(2);
  });

  it('fails with SOURCE_UNAUTHENTICATED when the sandbox does not know the key', async () => {
    const { sagemaker } = connect({ credentials: { type: 'static', accessKeyId: 'AKIAOTHEREXAMPLE0001', secretAccessKey: 'x' } });
    await expect(sagemaker.health()).rejects.toMatchObject({
      code: SourceErrorCode.SOURCE_UNAUTHENTICATED,
      source: 'sagemaker:prod-us',
      upstreamCode: 'UnrecognizedClientException',
    });
  });

  it('fails with SOURCE_UNAVAILABLE naming the instance when the sandbox is down', async () => {
    server.faults.down = true;
    const { sagemaker } = connect({ retry: { maxAttempts: 2 } });
    const err = await sagemaker.listModels().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: SourceErrorCode.SOURCE_UNAVAILABLE, source: 'sagemaker:prod-us', attempts: 2 });
    expect((err as Error).message).toMatch(/^sagemaker:prod-us: Search: /);
  });
});

import type {
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  DescribeModelOutput,
  DescribeModelPackageOutput,
  Endpoint,
  ModelPackage,
  ModelPackageGroupSummary,
  ModelPackageSummary,
} from '@aws-sdk/client-sagemaker';
import {
  consoleUrl,
  endpointConfigFacts,
  isoDate,
  mapApproval,
  mapEndpoint,
  mapEndpointStatus,
  mapModelPackage,
  mapModelPackageGroup,
  mapModelPackageRecord,
  modelFacts,
  newestFirst,
  packageDetails,
  principalType,
  parseModelPackageArn,
  principalOf,
  servedModelPackageArn,
  trafficPercents,
  type SagemakerMapContext,
} from '../../connectors/sagemaker';

/**
 * Mapping from the SDK's output shapes (what `client.send` resolves to: `Date`s for
 * timestamps, PascalCase members) to the registry graph objects, with no HTTP. The objects
 * are typed with the SDK's own types, so a renamed member fails the type check.
 */

const ctx: SagemakerMapContext = { instance: 'prod-us', region: 'us-east-1' };
const ACCOUNT = '111122223333';
const PKG_ARN = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/fraud-detector/5`;

const summary: ModelPackageSummary = {
  ModelPackageGroupName: 'fraud-detector',
  ModelPackageVersion: 5,
  ModelPackageArn: PKG_ARN,
  ModelPackageDescription: 'Retrained on Q3 data',
  CreationTime: new Date('2025-06-01T10:00:00.250Z'),
  ModelPackageStatus: 'Completed',
  ModelApprovalStatus: 'Approved',
};

const described: DescribeModelPackageOutput = {
  ModelPackageName: 'fraud-detector',
  ModelPackageGroupName: 'fraud-detector',
  ModelPackageVersion: 5,
  ModelPackageArn: PKG_ARN,
  CreationTime: new Date('2025-06-01T10:00:00.250Z'),
  LastModifiedTime: new Date('2025-06-03T08:30:00Z'),
  InferenceSpecification: {
    Containers: [
      {
        Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
        ModelDataUrl: 's3://acme-models/fraud-detector/v5/model.tar.gz',
      },
      { Image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/postprocess:2.0` },
    ],
  },
  ModelPackageStatus: 'InProgress',
  ModelPackageStatusDetails: {
    ValidationStatuses: [{ Name: 'fraud-detector-validation', Status: 'Failed', FailureReason: 'Transform job failed' }],
  },
  ModelApprovalStatus: 'PendingManualApproval',
  CreatedBy: { IamIdentity: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DataScientist/alice.nguyen@acme.io` } },
  CustomerMetadataProperties: { 'mlflow.run_id': 'abc123', 'mlflow.version': '5', ci: 'https://ci-token:s3cret@gitlab.com/acme/x' },
  ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' },
};

describe('model package groups', () => {
  const group: ModelPackageGroupSummary = {
    ModelPackageGroupName: 'CreditRiskScorer',
    ModelPackageGroupArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package-group/creditriskscorer`,
    ModelPackageGroupDescription: 'PD model',
    CreationTime: new Date('2025-01-10T09:00:00Z'),
    ModelPackageGroupStatus: 'Completed',
  };

  it('maps a group and its ListTags tags to a CloudModel whose native id is the group name', () => {
    const model = mapModelPackageGroup(group, ctx, [{ Key: 'modelgraph.key', Value: 'credit-risk-scorer' }, { Key: 'team', Value: 'risk' }]);
    expect(model).toEqual({
      source: {
        kind: 'SAGEMAKER',
        instance: 'prod-us',
        nativeId: 'CreditRiskScorer',
        url: 'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/model-registry/model-package-groups/CreditRiskScorer',
      },
      name: 'CreditRiskScorer',
      description: 'PD model',
      tags: [
        { key: 'modelgraph.key', value: 'credit-risk-scorer' },
        { key: 'team', value: 'risk' },
      ],
      createdAt: '2025-01-10T09:00:00.000Z',
      updatedAt: null,
    });
  });

  it('treats an empty description as none and survives a group without tags', () => {
    expect(mapModelPackageGroup({ ...group, ModelPackageGroupDescription: '  ' }, ctx, [])).toMatchObject({ description: null, tags: [] });
  });
});

describe('model packages (versions)', () => {
  it('maps a summary and its described details into a CloudModelVersion with SAGEMAKER details', () => {
    const version = mapModelPackage(summary, ctx, packageDetails(described));
    expect(version).toEqual({
      id: 'sagemaker:prod-us/fraud-detector/5',
      source: {
        kind: 'SAGEMAKER',
        instance: 'prod-us',
        nativeId: PKG_ARN,
        url: 'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/model-registry/model-package-groups/fraud-detector/versions/5',
      },
      modelName: 'fraud-detector',
      version: '5',
      stage: 'Production',
      aliases: [],
      // The listing's summary is fresher than the held details: its status and approval win.
      status: 'READY',
      statusRaw: 'Completed',
      statusMessage: 'fraud-detector-validation: Transform job failed',
      description: 'Retrained on Q3 data',
      artifactUri: 's3://acme-models/fraud-detector/v5/model.tar.gz',
      runId: 'abc123',
      createdBy: `arn:aws:sts::${ACCOUNT}:assumed-role/DataScientist/alice.nguyen@acme.io`,
      // A person signed in to the role: the session is their email.
      createdByType: 'USER',
      createdAt: '2025-06-01T10:00:00.250Z',
      updatedAt: '2025-06-03T08:30:00.000Z',
      tags: [
        { key: 'ci', value: 'https://gitlab.com/acme/x' },
        { key: 'mlflow.run_id', value: 'abc123' },
        { key: 'mlflow.version', value: '5' },
      ],
      approval: 'APPROVED',
      details: {
        kind: 'SAGEMAKER',
        modelPackageArn: PKG_ARN,
        modelPackageGroupName: 'fraud-detector',
        modelApprovalStatus: 'Approved',
        modelPackageStatus: 'Completed',
        customerMetadata: [
          { key: 'ci', value: 'https://gitlab.com/acme/x' },
          { key: 'mlflow.run_id', value: 'abc123' },
          { key: 'mlflow.version', value: '5' },
        ],
        images: [
          '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
          `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/postprocess:2.0`,
        ],
      },
    });
  });

  it('without details keeps what the summary says and leaves the rest empty', () => {
    const version = mapModelPackage({ ...summary, ModelApprovalStatus: 'Rejected', ModelPackageStatus: 'Failed' }, ctx, null);
    expect(version).toMatchObject({
      status: 'FAILED',
      approval: 'REJECTED',
      createdBy: null,
      runId: null,
      artifactUri: null,
      updatedAt: null,
      tags: [],
      details: { images: [], customerMetadata: [], modelApprovalStatus: 'Rejected' },
    });
  });

  it('falls back to the ARN for the group and version when the summary omits them', () => {
    const version = mapModelPackage(
      { ModelPackageArn: `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:model-package/churn/12`, CreationTime: undefined, ModelPackageStatus: 'Pending' },
      { instance: 'eu', region: 'eu-west-1' },
      null,
    );
    expect(version).toMatchObject({ id: 'sagemaker:eu/churn/12', modelName: 'churn', version: '12', status: 'PENDING', approval: null, createdAt: null });
  });

  it('reads the artifact from ModelDataSource when ModelDataUrl is absent, and a Studio user as the creator', () => {
    const details = packageDetails({
      ...described,
      InferenceSpecification: {
        Containers: [{ Image: 'img', ModelDataSource: { S3DataSource: { S3Uri: 's3://b/k/', S3DataType: 'S3Prefix', CompressionType: 'None' } } }],
      },
      CreatedBy: { UserProfileName: 'alice-nguyen', DomainId: 'd-1' },
      ModelPackageStatusDetails: { ValidationStatuses: [] },
    });
    expect(details).toMatchObject({ artifactUri: 's3://b/k/', createdBy: 'alice-nguyen', createdByType: 'USER', statusMessage: null, images: ['img'] });
  });

  it('tells a person from a service among the principals that create packages', () => {
    const arn = (role: string, session: string) => ({ IamIdentity: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}` } });
    expect(principalType(arn('mlops-model-registration', 'svc-training-pipeline'))).toBe('SERVICE');
    expect(principalType(arn('sagemaker-pipeline-exec', '1712345678901'))).toBe('SERVICE');
    expect(principalType(arn('DataScientist', 'alice.nguyen@acme.io'))).toBe('USER');
    expect(principalType(arn('AWSReservedSSO_MLEngineer_0123456789abcdef', 'alice'))).toBe('USER');
    expect(principalType({ IamIdentity: { Arn: `arn:aws:iam::${ACCOUNT}:user/bob` } })).toBe('USER');
    expect(principalType({ UserProfileName: 'alice-nguyen', DomainId: 'd-1' })).toBe('USER');
    expect(principalType({ IamIdentity: { PrincipalId: 'AROAEXAMPLE:session' } })).toBeNull();
    expect(principalType(undefined)).toBeNull();
  });

  it('maps a Search record (a whole ModelPackage) as the summary of the same package plus its description', () => {
    // One package, seen both ways: the summary holds what ListModelPackages lists of it.
    const record: ModelPackage = { ...described, ModelPackageDescription: 'Retrained on Q3 data', Tags: [] };
    const listed: ModelPackageSummary = {
      ModelPackageGroupName: record.ModelPackageGroupName,
      ModelPackageVersion: record.ModelPackageVersion,
      ModelPackageArn: record.ModelPackageArn,
      ModelPackageDescription: record.ModelPackageDescription,
      CreationTime: record.CreationTime,
      ModelPackageStatus: record.ModelPackageStatus,
      ModelApprovalStatus: record.ModelApprovalStatus,
      ModelLifeCycle: record.ModelLifeCycle,
    };
    expect(mapModelPackageRecord(record, ctx)).toEqual(mapModelPackage(listed, ctx, packageDetails(described)));
    expect(mapModelPackageRecord(record, ctx)).toMatchObject({ id: 'sagemaker:prod-us/fraud-detector/5', stage: 'Production', approval: 'PENDING' });
  });

  it('maps no version from an unversioned package (no group or no version number)', () => {
    expect(mapModelPackageRecord({ ModelPackageName: 'algo', ModelPackageArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/algo` }, ctx)).toBeNull();
    expect(mapModelPackageRecord({ ...described, ModelPackageVersion: undefined }, ctx)).toBeNull();
    expect(mapModelPackageRecord({ ...described, ModelPackageGroupName: undefined }, ctx)).toBeNull();
  });

  it('orders versions newest first by number, not by string', () => {
    expect(newestFirst([{ version: '9' }, { version: '10' }, { version: '2' }]).map((v) => v.version)).toEqual(['10', '9', '2']);
  });

  it.each([
    ['Approved', 'APPROVED'],
    ['Rejected', 'REJECTED'],
    ['PendingManualApproval', 'PENDING'],
    ['Something', null],
    [undefined, null],
  ])('approval %s -> %s', (raw, mapped) => {
    expect(mapApproval(raw)).toBe(mapped);
  });
});

describe('endpoints (deployments)', () => {
  const endpoint: DescribeEndpointOutput = {
    EndpointName: 'fraud-detector-prod',
    EndpointArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/fraud-detector-prod`,
    EndpointConfigName: 'fraud-detector-prod-config',
    EndpointStatus: 'InService',
    CreationTime: new Date('2025-06-02T00:00:00Z'),
    LastModifiedTime: new Date('2025-06-10T12:00:00Z'),
    ProductionVariants: [
      {
        VariantName: 'primary',
        CurrentWeight: 9,
        CurrentInstanceCount: 3,
        DeployedImages: [{ SpecifiedImage: 'img:1' }],
      },
      { VariantName: 'canary', CurrentWeight: 1, CurrentInstanceCount: 1 },
    ],
  };
  const config: DescribeEndpointConfigOutput = {
    EndpointConfigName: 'fraud-detector-prod-config',
    EndpointConfigArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint-config/fraud-detector-prod-config`,
    CreationTime: new Date('2025-06-01T23:58:00Z'),
    ProductionVariants: [
      { VariantName: 'primary', ModelName: 'fraud-v5', InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 2, InitialVariantWeight: 0.5 },
      { VariantName: 'canary', ModelName: 'fraud-v6', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 0.5 },
    ],
  };
  const v5: DescribeModelOutput = {
    ModelName: 'fraud-v5',
    ModelArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/fraud-v5`,
    CreationTime: new Date('2025-06-01T23:50:00Z'),
    PrimaryContainer: { ModelPackageName: PKG_ARN },
  };
  const v6: DescribeModelOutput = {
    ModelName: 'fraud-v6',
    ModelArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/fraud-v6`,
    CreationTime: new Date('2025-06-01T23:50:00Z'),
    // An inference pipeline: the package sits in Containers[], after a preprocessing image.
    Containers: [{ Image: 'preprocess:1' }, { ModelPackageName: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/fraud-detector/6` }],
  };

  it('maps each production variant, with traffic from the current weights and counts from what runs', () => {
    const deployments = mapEndpoint({ endpoint, config, models: { 'fraud-v5': v5, 'fraud-v6': v6 } }, ctx);
    expect(deployments).toEqual([
      {
        id: 'sagemaker:prod-us/fraud-detector-prod/primary',
        provider: 'SAGEMAKER',
        instance: 'prod-us',
        region: 'us-east-1',
        endpointName: 'fraud-detector-prod',
        name: 'primary',
        status: 'IN_SERVICE',
        statusRaw: 'InService',
        statusMessage: null,
        modelVersionRef: PKG_ARN,
        servedModelName: 'fraud-v5',
        trafficPercent: 90,
        instanceType: 'ml.m5.xlarge',
        instanceCount: 3,
        createdAt: '2025-06-02T00:00:00.000Z',
        updatedAt: '2025-06-10T12:00:00.000Z',
        consoleUrl: 'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/endpoints/fraud-detector-prod',
        source: {
          kind: 'SAGEMAKER',
          instance: 'prod-us',
          nativeId: 'fraud-detector-prod/primary',
          url: 'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/endpoints/fraud-detector-prod',
        },
      },
      expect.objectContaining({
        id: 'sagemaker:prod-us/fraud-detector-prod/canary',
        modelVersionRef: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/fraud-detector/6`,
        trafficPercent: 10,
        instanceType: 'ml.m5.large',
        instanceCount: 1,
      }),
    ]);
  });

  it('uses the configuration when a failed endpoint reports no variants of its own', () => {
    const failed: DescribeEndpointOutput = { ...endpoint, EndpointStatus: 'Failed', ProductionVariants: undefined, FailureReason: 'ping failed' };
    const [only, second] = mapEndpoint({ endpoint: failed, config, models: { 'fraud-v5': v5, 'fraud-v6': null } }, ctx);
    expect(only).toMatchObject({ status: 'FAILED', statusRaw: 'Failed', statusMessage: 'ping failed', trafficPercent: 50, instanceCount: 2, modelVersionRef: PKG_ARN });
    // A model deleted behind the endpoint's back: its name is all that is known.
    expect(second).toMatchObject({ name: 'canary', modelVersionRef: null, servedModelName: 'fraud-v6' });
  });

  it('serves a bare image model with no version ref, and a vanished configuration with what the endpoint says', () => {
    const bare: DescribeModelOutput = {
      ModelName: 'pricing-rules',
      ModelArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/pricing-rules`,
      CreationTime: new Date(0),
      PrimaryContainer: { Image: 'pricing-rules:1.4.2', ModelDataUrl: 's3://b/rules.tar.gz' },
    };
    const single: DescribeEndpointOutput = { ...endpoint, ProductionVariants: [{ VariantName: 'AllTraffic', CurrentWeight: 1 }] };
    const singleConfig: DescribeEndpointConfigOutput = {
      ...config,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'pricing-rules', InstanceType: 'ml.c5.xlarge' }],
    };
    expect(mapEndpoint({ endpoint: single, config: singleConfig, models: { 'pricing-rules': bare } }, ctx)).toEqual([
      expect.objectContaining({ modelVersionRef: null, servedModelName: 'pricing-rules', trafficPercent: 100, instanceType: 'ml.c5.xlarge' }),
    ]);
    const [orphan] = mapEndpoint({ endpoint: { ...endpoint, ProductionVariants: [{ VariantName: 'v', DeployedImages: [{ SpecifiedImage: 'img:2' }] }] }, config: null, models: {} }, ctx);
    expect(orphan).toMatchObject({ name: 'v', servedModelName: 'img:2', modelVersionRef: null, trafficPercent: null, instanceType: null, instanceCount: null });
  });

  it('maps the facts the listing holds, after a JSON round trip, as the whole Describe answers; a Search record as DescribeEndpoint', () => {
    const serverless: DescribeEndpointConfigOutput = {
      ...config,
      ProductionVariants: [...config.ProductionVariants!, { VariantName: 'burst', ModelName: 'fraud-v5', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }],
    };
    const held = JSON.parse(JSON.stringify({ config: endpointConfigFacts(serverless), models: { 'fraud-v5': modelFacts(v5), 'fraud-v6': modelFacts(v6) } }));
    expect(JSON.stringify(held)).not.toMatch(/CreationTime|EndpointConfigArn/);
    const whole = mapEndpoint({ endpoint, config: serverless, models: { 'fraud-v5': v5, 'fraud-v6': v6 } }, ctx);
    expect(mapEndpoint({ endpoint, ...held }, ctx)).toEqual(whole);
    expect(whole.map((d) => d.instanceType)).toEqual(['ml.m5.xlarge', 'ml.m5.large', 'serverless']);
    const record: Endpoint = { ...endpoint, EndpointConfigName: endpoint.EndpointConfigName!, Tags: [{ Key: 'team', Value: 'risk' }], MonitoringSchedules: [] };
    expect(mapEndpoint({ endpoint: record, ...held }, ctx)).toEqual(whole);
  });

  it('marks serverless variants and yields nothing for an endpoint with no variant anywhere', () => {
    const serverless: DescribeEndpointConfigOutput = {
      ...config,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'fraud-v5', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }],
    };
    expect(mapEndpoint({ endpoint: { ...endpoint, ProductionVariants: [] }, config: serverless, models: { 'fraud-v5': v5 } }, ctx)[0]).toMatchObject({
      instanceType: 'serverless',
    });
    expect(mapEndpoint({ endpoint: { ...endpoint, ProductionVariants: [] }, config: null, models: {} }, ctx)).toEqual([]);
  });

  it.each([
    ['InService', 'IN_SERVICE'],
    ['Creating', 'CREATING'],
    ['Updating', 'UPDATING'],
    ['SystemUpdating', 'UPDATING'],
    ['RollingBack', 'UPDATING'],
    ['Deleting', 'DELETING'],
    ['Failed', 'FAILED'],
    ['UpdateRollbackFailed', 'FAILED'],
    ['OutOfService', 'OUT_OF_SERVICE'],
    ['Hibernating', 'UNKNOWN'],
    [undefined, 'UNKNOWN'],
  ])('endpoint status %s -> %s', (raw, mapped) => {
    expect(mapEndpointStatus(raw)).toBe(mapped);
  });
});

describe('helpers', () => {
  it('splits traffic by weight share, two decimals, and knows nothing without a positive weight', () => {
    expect(trafficPercents([0.9, 0.1])).toEqual([90, 10]);
    expect(trafficPercents([1, 1, 1])).toEqual([33.33, 33.33, 33.33]);
    expect(trafficPercents([2, undefined])).toEqual([100, 0]);
    expect(trafficPercents([0, 0])).toEqual([null, null]);
  });

  it('parses model package ARNs, versioned or not, in any partition', () => {
    expect(parseModelPackageArn(PKG_ARN)).toEqual({ partition: 'aws', region: 'us-east-1', account: ACCOUNT, group: 'fraud-detector', version: 5 });
    expect(parseModelPackageArn(`arn:aws-cn:sagemaker:cn-north-1:${ACCOUNT}:model-package/market-pkg`)).toMatchObject({ partition: 'aws-cn', version: null });
    expect(parseModelPackageArn(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/fraud-v5`)).toBeNull();
    expect(parseModelPackageArn(undefined)).toBeNull();
  });

  it('completes a bare package name into an ARN from the model ARN (lower-cased, as SageMaker ARNs are)', () => {
    const model: DescribeModelOutput = {
      ModelName: 'm',
      ModelArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/m`,
      CreationTime: new Date(0),
      PrimaryContainer: { ModelPackageName: 'CreditRiskScorer/2' },
    };
    expect(servedModelPackageArn(model)).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/creditriskscorer/2`);
    expect(servedModelPackageArn(null)).toBeNull();
  });

  it('reads timestamps as Dates, cached ISO strings or epoch seconds', () => {
    expect(isoDate(new Date('2025-01-06T09:00:00Z'))).toBe('2025-01-06T09:00:00.000Z');
    expect(isoDate('2025-01-06T09:00:00.000Z')).toBe('2025-01-06T09:00:00.000Z');
    expect(isoDate(1736154000.5)).toBe('2025-01-06T09:00:00.500Z');
    expect(isoDate(undefined)).toBeNull();
    expect(isoDate('not a date')).toBeNull();
  });

  it('links to the regional console, the China and GovCloud ones included', () => {
    expect(consoleUrl('eu-west-1', 'endpoints/x')).toBe('https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/x');
    expect(consoleUrl('cn-north-1', 'endpoints/x')).toMatch(/^https:\/\/cn-north-1\.console\.amazonaws\.cn\//);
    expect(consoleUrl('us-gov-west-1', 'endpoints/x')).toMatch(/^https:\/\/console\.amazonaws-us-gov\.com\//);
  });

  it('names a creator by Studio profile, else IAM ARN, else nobody', () => {
    expect(principalOf({ UserProfileName: 'bob', IamIdentity: { Arn: 'arn:x' } })).toBe('bob');
    expect(principalOf({ IamIdentity: { Arn: 'arn:x' } })).toBe('arn:x');
    expect(principalOf(undefined)).toBeNull();
  });
});

/**
 * One SageMaker account and region's registry and endpoints, built from a seed, answering the
 * read operations modelgraph uses as the service does: the AWS JSON 1.1 output shapes
 * (PascalCase members, timestamps in epoch seconds), request validation worded like AWS's
 * ("1 validation error detected: ..."), `NextToken` paging with `MaxResults` checked against
 * the documented ranges, and SageMaker's habit of answering a Describe* of something missing
 * with a ValidationException ("Could not find endpoint ...", "... does not exist.").
 *
 * Operations take the request's JSON object and return the response's; failures are thrown
 * as {@link SagemakerApiError}, which the server renders.
 */
import { createHash } from 'node:crypto';
import type {
  SagemakerSeed,
  SagemakerSeedEndpoint,
  SagemakerSeedEndpointConfig,
  SagemakerSeedModel,
  SagemakerSeedPackage,
  SeedPrincipal,
  SeedTag,
} from './seed';

type Json = Record<string, unknown>;

/** An AWS JSON error: `__type` and message, and the HTTP status it travels with (400 for nearly all). */
export class SagemakerApiError extends Error {
  constructor(
    /** As sent in `__type`, e.g. `com.amazon.coral.validate#ValidationException` or `ResourceNotFound`. */
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }

  /** The short name (`ValidationException`), as in `x-amzn-ErrorType`. */
  get code(): string {
    return this.type.includes('#') ? this.type.slice(this.type.indexOf('#') + 1) : this.type;
  }
}

export function validationError(message: string): SagemakerApiError {
  return new SagemakerApiError('com.amazon.coral.validate#ValidationException', message);
}

/** Wrong JSON types in a request (a string where a number belongs). */
export function serializationError(message: string): SagemakerApiError {
  return new SagemakerApiError('com.amazon.coral.service#SerializationException', message);
}

/** Documented `MaxResults` ranges (SageMaker API Reference), and the default when absent. */
export const SAGEMAKER_SANDBOX_LIMITS = {
  ListModelPackageGroups: { min: 1, max: 100, default: 10 },
  ListModelPackages: { min: 1, max: 100, default: 10 },
  ListEndpoints: { min: 1, max: 100, default: 10 },
  /** "Valid Range: Minimum value of 50", no maximum. */
  ListTags: { min: 50, max: Number.MAX_SAFE_INTEGER, default: 50 },
  Search: { min: 1, max: 100, default: 10 },
} as const;

/** `ResourceType`, as the service model enumerates it (what `Search` accepts in `Resource`). */
const SEARCH_RESOURCE_TYPES = [
  'TrainingJob',
  'Experiment',
  'ExperimentTrial',
  'ExperimentTrialComponent',
  'Endpoint',
  'Model',
  'ModelPackage',
  'ModelPackageGroup',
  'Pipeline',
  'PipelineExecution',
  'FeatureGroup',
  'FeatureMetadata',
  'Image',
  'ImageVersion',
  'Project',
  'HyperParameterTuningJob',
  'ModelCard',
  'PipelineVersion',
  'Job',
  'HubContent',
] as const;
const SEARCH_OPERATORS = [
  'Equals',
  'NotEquals',
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
  'Contains',
  'Exists',
  'NotExists',
  'In',
] as const;
/**
 * What kind of value a searchable property holds, which decides the operators it takes
 * (SageMaker API Reference, `Filter`): `In` and `Contains` are "Only supported for text
 * properties"; `GreaterThan`, `GreaterThanOrEqualTo`, `LessThan`, `LessThanOrEqualTo` are
 * "Not supported for text properties". A number's `Value` "must be an integer or
 * floating-point decimal", a timestamp's an ISO 8601 date-time (epoch seconds are taken too).
 */
type PropertyType = 'text' | 'number' | 'time';

/** The `ModelPackageGroup` properties the sandbox can filter and sort on (`Tags.<key>` too, for filters). */
const GROUP_PROPERTIES: Readonly<Record<string, PropertyType>> = {
  ModelPackageGroupName: 'text',
  ModelPackageGroupArn: 'text',
  ModelPackageGroupDescription: 'text',
  ModelPackageGroupStatus: 'text',
  CreationTime: 'time',
};

/**
 * The `ModelPackage` properties the sandbox can filter and sort on (`Tags.<key>` and
 * `CustomerMetadataProperties.<key>` too, for filters): the members of the record that
 * modelgraph or a person would ask by.
 */
const PACKAGE_PROPERTIES: Readonly<Record<string, PropertyType>> = {
  ModelPackageGroupName: 'text',
  ModelPackageName: 'text',
  ModelPackageArn: 'text',
  ModelPackageDescription: 'text',
  ModelPackageStatus: 'text',
  ModelApprovalStatus: 'text',
  ModelPackageVersion: 'number',
  CreationTime: 'time',
  LastModifiedTime: 'time',
};

/**
 * The `Endpoint` properties the sandbox can filter and sort on (`Tags.<key>` too, for
 * filters): the record's scalar members (SageMaker API Reference, `Endpoint`).
 */
const ENDPOINT_PROPERTIES: Readonly<Record<string, PropertyType>> = {
  EndpointName: 'text',
  EndpointArn: 'text',
  EndpointConfigName: 'text',
  EndpointStatus: 'text',
  FailureReason: 'text',
  CreationTime: 'time',
  LastModifiedTime: 'time',
};

/**
 * The `Model` (Model Dashboard) properties the sandbox can filter and sort on. A record is a
 * `ModelDashboardModel` whose members are nested (`Model`, `Endpoints`, ...); AWS documents
 * no list of their searchable names, so the sandbox takes the paths of the members
 * (`Model.ModelName`) and refuses the bare names (`ModelName`, `CreationTime`): a client
 * that needs them to be right must not rely on them (modelgraph sends neither filter nor sort).
 */
const MODEL_PROPERTIES: Readonly<Record<string, PropertyType>> = {
  'Model.ModelName': 'text',
  'Model.ModelArn': 'text',
  'Model.ExecutionRoleArn': 'text',
  'Model.CreationTime': 'time',
};

/** `Filter.Value`: "Length Constraints: ... Maximum length of 1024". */
const FILTER_VALUE_MAX_LENGTH = 1024;
/** `SearchExpression.Filters`, `.NestedFilters`, `.SubExpressions`: "Maximum number of 20 items". */
const SEARCH_EXPRESSION_MAX_ITEMS = 20;

/** One resource type `Search` answers: its records, what can be asked of them, and how they render. */
interface Searchable<T> {
  resource: string;
  items: readonly T[];
  properties: Readonly<Record<string, PropertyType>>;
  /** Map members filterable as `<prefix>.<key>` (text). */
  mapPrefixes: readonly string[];
  /** The sort when the request names none (the documented default is LastModifiedTime). */
  defaultSortBy: string;
  read(item: T, name: string): string | number | undefined;
  render(item: T): Json;
}

export interface SagemakerStore {
  accountId: string;
  region: string;
  seed: SagemakerSeed;
  ListModelPackageGroups(input: Json): Json;
  ListModelPackages(input: Json): Json;
  DescribeModelPackage(input: Json): Json;
  DescribeModelPackageGroup(input: Json): Json;
  ListTags(input: Json): Json;
  Search(input: Json): Json;
  ListEndpoints(input: Json): Json;
  DescribeEndpoint(input: Json): Json;
  DescribeEndpointConfig(input: Json): Json;
  DescribeModel(input: Json): Json;
}

export type SagemakerOperation = Exclude<keyof SagemakerStore, 'accountId' | 'region' | 'seed'>;

export const SAGEMAKER_OPERATIONS: readonly SagemakerOperation[] = [
  'ListModelPackageGroups',
  'ListModelPackages',
  'DescribeModelPackage',
  'DescribeModelPackageGroup',
  'ListTags',
  'Search',
  'ListEndpoints',
  'DescribeEndpoint',
  'DescribeEndpointConfig',
  'DescribeModel',
];

export function createSagemakerStore(seed: SagemakerSeed): SagemakerStore {
  const groups = new Map(seed.groups.map((g) => [g.name, g]));
  const packagesByGroup = new Map<string, SagemakerSeedPackage[]>();
  for (const p of seed.packages) packagesByGroup.set(p.groupName, [...(packagesByGroup.get(p.groupName) ?? []), p]);
  const packagesByArn = new Map(seed.packages.map((p) => [p.arn.toLowerCase(), p]));
  const models = new Map(seed.models.map((m) => [m.name, m]));
  const configs = new Map(seed.endpointConfigs.map((c) => [c.name, c]));
  const endpoints = new Map(seed.endpoints.map((e) => [e.name, e]));
  /**
   * The endpoints whose current configuration names a model: what the Model Dashboard lists
   * under it (`ModelDashboardModel.Endpoints`). Read from the seed at each search, so that an
   * endpoint moved to another configuration (as tests do) is listed where the other calls
   * say it runs.
   */
  function endpointsByModel(): Map<string, SagemakerSeedEndpoint[]> {
    const byModel = new Map<string, SagemakerSeedEndpoint[]>();
    for (const e of seed.endpoints) {
      for (const modelName of new Set(configs.get(e.configName)?.variants.map((v) => v.modelName) ?? [])) {
        byModel.set(modelName, [...(byModel.get(modelName) ?? []), e]);
      }
    }
    return byModel;
  }
  const tagsByArn = new Map<string, SeedTag[]>();
  for (const r of [...seed.groups, ...seed.models, ...seed.endpointConfigs, ...seed.endpoints]) tagsByArn.set(r.arn.toLowerCase(), r.tags);
  const arnPrefix = `arn:aws:sagemaker:${seed.region}:${seed.accountId}:`;
  const arnOf = (type: string, name: string) => `${arnPrefix}${type}/${name.toLowerCase()}`;

  /** A name or ARN of this account and region; ARNs hold lower-cased names, so they match whatever the case. */
  function byNameOrArn<T extends { name: string; arn: string }>(index: Map<string, T>, value: string, type: string): T | undefined {
    if (!value.startsWith('arn:')) return index.get(value);
    if (!value.toLowerCase().startsWith(`${arnPrefix}${type}/`)) return undefined;
    for (const item of index.values()) if (item.arn.toLowerCase() === value.toLowerCase()) return item;
    return undefined;
  }

  return {
    accountId: seed.accountId,
    region: seed.region,
    seed,

    ListModelPackageGroups(input) {
      const sortBy = optionalEnum(input, 'SortBy', 'sortBy', ['Name', 'CreationTime']) ?? 'CreationTime';
      const sortOrder = optionalEnum(input, 'SortOrder', 'sortOrder', ['Ascending', 'Descending']) ?? 'Ascending';
      const cross = optionalEnum(input, 'CrossAccountFilterOption', 'crossAccountFilterOption', ['SameAccount', 'CrossAccount']);
      const nameContains = optionalString(input, 'NameContains', 'nameContains');
      const after = optionalTime(input, 'CreationTimeAfter');
      const before = optionalTime(input, 'CreationTimeBefore');
      // Nothing is shared into this account from another one.
      const items =
        cross === 'CrossAccount'
          ? []
          : sortItems(
              seed.groups.filter(
                (g) =>
                  (!nameContains || g.name.toLowerCase().includes(nameContains.toLowerCase())) &&
                  (after === undefined || g.creationTime > after) &&
                  (before === undefined || g.creationTime < before),
              ),
              sortBy === 'Name' ? (g) => g.name : (g) => g.creationTime,
              sortOrder,
            );
      return page(input, 'ListModelPackageGroups', items, (g) => ({
        ModelPackageGroupName: g.name,
        ModelPackageGroupArn: g.arn,
        ...(g.description ? { ModelPackageGroupDescription: g.description } : {}),
        CreationTime: seconds(g.creationTime),
        ModelPackageGroupStatus: 'Completed',
      }), 'ModelPackageGroupSummaryList');
    },

    ListModelPackages(input) {
      const groupName = optionalString(input, 'ModelPackageGroupName', 'modelPackageGroupName');
      // The documented default is Unversioned: registry versions are only listed when asked for.
      const type = optionalEnum(input, 'ModelPackageType', 'modelPackageType', ['Versioned', 'Unversioned', 'Both']) ?? 'Unversioned';
      const approval = optionalEnum(input, 'ModelApprovalStatus', 'modelApprovalStatus', ['Approved', 'Rejected', 'PendingManualApproval']);
      const sortBy = optionalEnum(input, 'SortBy', 'sortBy', ['Name', 'CreationTime']) ?? 'CreationTime';
      const sortOrder = optionalEnum(input, 'SortOrder', 'sortOrder', ['Ascending', 'Descending']) ?? 'Ascending';
      const nameContains = optionalString(input, 'NameContains', 'nameContains');
      const after = optionalTime(input, 'CreationTimeAfter');
      const before = optionalTime(input, 'CreationTimeBefore');
      let candidates: SagemakerSeedPackage[];
      if (groupName !== undefined) {
        const group = byNameOrArn(groups, groupName, 'model-package-group');
        candidates = group ? packagesByGroup.get(group.name) ?? [] : [];
      } else {
        candidates = seed.packages;
      }
      const items = sortItems(
        type === 'Unversioned'
          ? []
          : candidates.filter(
              (p) =>
                (!approval || p.approval === approval) &&
                (!nameContains || p.groupName.toLowerCase().includes(nameContains.toLowerCase())) &&
                (after === undefined || p.creationTime > after) &&
                (before === undefined || p.creationTime < before),
            ),
        sortBy === 'Name' ? (p) => `${p.groupName}/${String(p.version).padStart(6, '0')}` : (p) => p.creationTime,
        sortOrder,
      );
      return page(input, 'ListModelPackages', items, (p) => ({
        ModelPackageGroupName: p.groupName,
        ModelPackageVersion: p.version,
        ModelPackageArn: p.arn,
        ...(p.description ? { ModelPackageDescription: p.description } : {}),
        CreationTime: seconds(p.creationTime),
        ModelPackageStatus: p.status,
        ModelApprovalStatus: p.approval,
      }), 'ModelPackageSummaryList');
    },

    DescribeModelPackage(input) {
      const name = requiredString(input, 'ModelPackageName', 'modelPackageName');
      const pkg = findPackage(name);
      if (!pkg) {
        throw validationError(`ModelPackage ${name.startsWith('arn:') ? name : arnOf('model-package', name)} does not exist.`);
      }
      return describePackage(pkg);
    },

    DescribeModelPackageGroup(input) {
      const name = requiredString(input, 'ModelPackageGroupName', 'modelPackageGroupName');
      const group = byNameOrArn(groups, name, 'model-package-group');
      if (!group) {
        throw validationError(`ModelPackageGroup ${name.startsWith('arn:') ? name : arnOf('model-package-group', name)} does not exist.`);
      }
      return {
        ModelPackageGroupName: group.name,
        ModelPackageGroupArn: group.arn,
        ...(group.description ? { ModelPackageGroupDescription: group.description } : {}),
        CreationTime: seconds(group.creationTime),
        CreatedBy: userContext(group.createdBy, seed),
        ModelPackageGroupStatus: 'Completed',
      };
    },

    ListTags(input) {
      const arn = requiredString(input, 'ResourceArn', 'resourceArn');
      if (!/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:.+/.test(arn)) {
        throw validationError(
          `1 validation error detected: Value '${arn}' at 'resourceArn' failed to satisfy constraint: ` +
            'Member must satisfy regular expression pattern: arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:.+',
        );
      }
      const tags = tagsByArn.get(arn.toLowerCase());
      if (!tags) {
        // Versioned model packages exist but cannot carry tags: SageMaker answers with none.
        if (packagesByArn.has(arn.toLowerCase())) return page(input, 'ListTags', [], (t: SeedTag) => t, 'Tags');
        throw validationError(`Resource ${arn} does not exist.`);
      }
      return page(input, 'ListTags', tags, (t) => ({ Key: t.Key, Value: t.Value }), 'Tags');
    },

    /**
     * `Search` for `Resource: ModelPackageGroup`, `ModelPackage`, `Endpoint` and `Model` (what
     * modelgraph asks for); any other resource type is refused with a ValidationException
     * rather than answered empty. The records are the full `ModelPackageGroup` shape, `Tags`
     * included; the full `ModelPackage` shape as `DescribeModelPackage` answers it, with
     * `Tags` (versioned packages cannot carry any: always empty); the `Endpoint` shape, which
     * is `DescribeEndpoint`'s answer with `Tags` (no `EndpointConfigName`'s variants: which
     * model and instance type a variant has lives in the configuration only); and the Model
     * Dashboard's `ModelDashboardModel`: the model as `DescribeModel` answers it with `Tags`,
     * and the endpoints whose configuration names it (`ModelDashboardEndpoint`). `SearchExpression` may be absent
     * (every record); when present its `Filters` and `SubExpressions` are applied, and what
     * AWS would refuse (an operator the property's type does not take, a Value over 1024
     * characters, more than 20 items in a list) or the sandbox cannot evaluate
     * (`NestedFilters`, unknown properties) is refused.
     */
    Search(input) {
      const resource = requiredString(input, 'Resource', 'resource');
      if (!(SEARCH_RESOURCE_TYPES as readonly string[]).includes(resource)) {
        throw validationError(
          `1 validation error detected: Value '${resource}' at 'resource' failed to satisfy constraint: ` +
            `Member must satisfy enum value set: [${SEARCH_RESOURCE_TYPES.join(', ')}]`,
        );
      }
      if (resource === 'ModelPackageGroup') {
        return search(input, {
          resource,
          items: seed.groups,
          properties: GROUP_PROPERTIES,
          mapPrefixes: ['Tags'],
          // Groups have no LastModifiedTime (the documented default sort): their creation time stands in.
          defaultSortBy: 'CreationTime',
          read: groupProperty,
          render: (g) => ({
            ModelPackageGroup: {
              ModelPackageGroupName: g.name,
              ModelPackageGroupArn: g.arn,
              ...(g.description ? { ModelPackageGroupDescription: g.description } : {}),
              CreationTime: seconds(g.creationTime),
              CreatedBy: userContext(g.createdBy, seed),
              ModelPackageGroupStatus: 'Completed',
              Tags: g.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
            },
          }),
        });
      }
      if (resource === 'ModelPackage') {
        // Every package of the seed is a versioned one (a registry version): none lacks a group.
        return search(input, {
          resource,
          items: seed.packages,
          properties: PACKAGE_PROPERTIES,
          mapPrefixes: ['Tags', 'CustomerMetadataProperties'],
          defaultSortBy: 'LastModifiedTime',
          read: packageProperty,
          // "Model packages in the SageMaker Model Registry do not support tags".
          render: (p) => ({ ModelPackage: { ...describePackage(p), Tags: [] } }),
        });
      }
      if (resource === 'Endpoint') {
        return search(input, {
          resource,
          items: seed.endpoints,
          properties: ENDPOINT_PROPERTIES,
          mapPrefixes: ['Tags'],
          defaultSortBy: 'LastModifiedTime',
          read: endpointProperty,
          render: (e) => ({ Endpoint: { ...describeEndpoint(e), Tags: e.tags.map((t) => ({ Key: t.Key, Value: t.Value })) } }),
        });
      }
      if (resource === 'Model') {
        const hosting = endpointsByModel();
        return search(input, {
          resource,
          items: seed.models,
          properties: MODEL_PROPERTIES,
          mapPrefixes: ['Model.Tags'],
          // Models are never modified (there is no UpdateModel): their creation time stands in.
          defaultSortBy: 'Model.CreationTime',
          read: modelProperty,
          render: (m) => ({
            Model: {
              Model: { ...describeModel(m), Tags: m.tags.map((t) => ({ Key: t.Key, Value: t.Value })) },
              Endpoints: (hosting.get(m.name) ?? []).map((e) => ({
                EndpointName: e.name,
                EndpointArn: e.arn,
                CreationTime: seconds(e.creationTime),
                LastModifiedTime: seconds(e.lastModifiedTime),
                EndpointStatus: e.status,
              })),
              MonitoringSchedules: [],
            },
          }),
        });
      }
      throw validationError(`Search of Resource ${resource} is not supported by this sandbox; only ModelPackageGroup, ModelPackage, Endpoint and Model are.`);
    },

    ListEndpoints(input) {
      const sortBy = optionalEnum(input, 'SortBy', 'sortBy', ['Name', 'CreationTime', 'Status']) ?? 'CreationTime';
      const sortOrder = optionalEnum(input, 'SortOrder', 'sortOrder', ['Ascending', 'Descending']) ?? 'Descending';
      const status = optionalEnum(input, 'StatusEquals', 'statusEquals', [
        'OutOfService',
        'Creating',
        'Updating',
        'SystemUpdating',
        'RollingBack',
        'InService',
        'Deleting',
        'Failed',
        'UpdateRollbackFailed',
      ]);
      const nameContains = optionalString(input, 'NameContains', 'nameContains');
      const after = optionalTime(input, 'CreationTimeAfter');
      const before = optionalTime(input, 'CreationTimeBefore');
      const items = sortItems(
        seed.endpoints.filter(
          (e) =>
            (!status || e.status === status) &&
            (!nameContains || e.name.toLowerCase().includes(nameContains.toLowerCase())) &&
            (after === undefined || e.creationTime > after) &&
            (before === undefined || e.creationTime < before),
        ),
        sortBy === 'Name' ? (e) => e.name : sortBy === 'Status' ? (e) => e.status : (e) => e.creationTime,
        sortOrder,
      );
      return page(input, 'ListEndpoints', items, (e) => ({
        EndpointName: e.name,
        EndpointArn: e.arn,
        CreationTime: seconds(e.creationTime),
        LastModifiedTime: seconds(e.lastModifiedTime),
        EndpointStatus: e.status,
      }), 'Endpoints');
    },

    DescribeEndpoint(input) {
      const name = requiredString(input, 'EndpointName', 'endpointName');
      const endpoint = endpoints.get(name);
      if (!endpoint) throw validationError(`Could not find endpoint "${arnOf('endpoint', name)}".`);
      return describeEndpoint(endpoint);
    },

    DescribeEndpointConfig(input) {
      const name = requiredString(input, 'EndpointConfigName', 'endpointConfigName');
      const config = configs.get(name);
      if (!config) throw validationError(`Could not find endpoint configuration "${arnOf('endpoint-config', name)}".`);
      return {
        EndpointConfigName: config.name,
        EndpointConfigArn: config.arn,
        ProductionVariants: config.variants.map((v) => ({
          VariantName: v.name,
          ModelName: v.modelName,
          InitialInstanceCount: v.instanceCount,
          InstanceType: v.instanceType,
          InitialVariantWeight: v.weight,
        })),
        CreationTime: seconds(config.creationTime),
        EnableNetworkIsolation: false,
      };
    },

    DescribeModel(input) {
      const name = requiredString(input, 'ModelName', 'modelName');
      const model = models.get(name);
      if (!model) throw validationError(`Could not find model "${arnOf('model', name)}".`);
      return describeModel(model);
    },
  };

  /** An endpoint as `DescribeEndpoint` answers it (and a `Search` record holds it). */
  function describeEndpoint(endpoint: SagemakerSeedEndpoint): Json {
    const config = configs.get(endpoint.configName);
    return {
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: endpoint.configName,
      // A failed creation leaves no running variants behind.
      ...(endpoint.status === 'Failed' || !config ? {} : { ProductionVariants: config.variants.map((v) => runningVariant(v, endpoint)) }),
      EndpointStatus: endpoint.status,
      ...(endpoint.failureReason ? { FailureReason: endpoint.failureReason } : {}),
      CreationTime: seconds(endpoint.creationTime),
      LastModifiedTime: seconds(endpoint.lastModifiedTime),
    };
  }

  /** A model as `DescribeModel` answers it (and a Model Dashboard `Search` record holds it). */
  function describeModel(model: SagemakerSeedModel): Json {
    const container = containerOf(model);
    return {
      ModelName: model.name,
      ...(model.asPipeline ? { Containers: [container] } : { PrimaryContainer: container }),
      ExecutionRoleArn: model.executionRoleArn,
      CreationTime: seconds(model.creationTime),
      ModelArn: model.arn,
      EnableNetworkIsolation: false,
    };
  }

  /** One `Search` request over one resource type: the sort, the filters, this account only, one page. */
  function search<T>(input: Json, spec: Searchable<T>): Json {
    const sortBy = optionalString(input, 'SortBy', 'sortBy');
    if (sortBy !== undefined && !Object.prototype.hasOwnProperty.call(spec.properties, sortBy)) {
      throw validationError(`Invalid SortBy ${sortBy} for resource ${spec.resource}.`);
    }
    const sortOrder = optionalEnum(input, 'SortOrder', 'sortOrder', ['Ascending', 'Descending']) ?? 'Descending';
    const cross = optionalEnum(input, 'CrossAccountFilterOption', 'crossAccountFilterOption', ['SameAccount', 'CrossAccount']);
    if (input.VisibilityConditions !== undefined && input.VisibilityConditions !== null) {
      throw validationError('VisibilityConditions are not supported by this sandbox.');
    }
    const expression = input.SearchExpression;
    const matches =
      expression === undefined || expression === null ? () => true : searchPredicate(expression, 'searchExpression', spec);
    const key = sortBy ?? spec.defaultSortBy;
    // Nothing is shared into this account from another one.
    const items =
      cross === 'CrossAccount'
        ? []
        : sortItems(
            spec.items.filter((item) => matches((name) => spec.read(item, name))),
            // A record without the property sorts first ascending (last descending).
            (item) => spec.read(item, key) ?? '',
            sortOrder,
          );
    const { Items, NextToken } = page(input, 'Search', items, spec.render, 'Items');
    return { Results: Items, ...(NextToken ? { NextToken } : {}) };
  }

  /** A model package as `DescribeModelPackage` answers it (and a `Search` record holds it). */
  function describePackage(pkg: SagemakerSeedPackage): Json {
    const group = groups.get(pkg.groupName);
    return {
      ModelPackageName: pkg.groupName,
      ModelPackageGroupName: pkg.groupName,
      ModelPackageVersion: pkg.version,
      ModelPackageArn: pkg.arn,
      ...(pkg.description ? { ModelPackageDescription: pkg.description } : {}),
      CreationTime: seconds(pkg.creationTime),
      InferenceSpecification: {
        Containers: [{ Image: pkg.image, ModelDataUrl: pkg.modelDataUrl }],
        SupportedContentTypes: pkg.contentTypes,
        SupportedResponseMIMETypes: pkg.contentTypes,
        SupportedRealtimeInferenceInstanceTypes: pkg.instanceTypes,
        SupportedTransformInstanceTypes: ['ml.m5.large'],
      },
      ModelPackageStatus: pkg.status,
      ModelPackageStatusDetails: {
        ValidationStatuses: [],
        ImageScanStatuses: [],
      },
      CertifyForMarketplace: false,
      ModelApprovalStatus: pkg.approval,
      ...(pkg.approvalDescription ? { ApprovalDescription: pkg.approvalDescription } : {}),
      CreatedBy: userContext(pkg.createdBy, seed),
      LastModifiedTime: seconds(pkg.lastModifiedTime),
      LastModifiedBy: userContext(group?.createdBy ?? pkg.createdBy, seed),
      CustomerMetadataProperties: pkg.customerMetadata,
      ModelPackageRegistrationType: 'Registered',
    };
  }

  function findPackage(name: string): SagemakerSeedPackage | undefined {
    if (name.startsWith('arn:')) return packagesByArn.get(name.toLowerCase());
    // `group/version`, which the API accepts for versioned packages too.
    const m = /^([^/]+)\/(\d+)$/.exec(name);
    return m ? packagesByGroup.get(m[1]!)?.find((p) => p.version === Number(m[2])) : undefined;
  }

  function runningVariant(v: SagemakerSeedEndpointConfig['variants'][number], endpoint: SagemakerSeedEndpoint): Json {
    const model = models.get(v.modelName);
    const specified = model ? imageOf(model) : undefined;
    return {
      VariantName: v.name,
      ...(specified
        ? {
            DeployedImages: [
              {
                SpecifiedImage: specified,
                ResolvedImage: `${specified.split(':')[0]}@sha256:${createHash('sha256').update(specified).digest('hex')}`,
                ResolutionTime: seconds(endpoint.creationTime + 60_000),
              },
            ],
          }
        : {}),
      CurrentWeight: v.weight,
      DesiredWeight: v.weight,
      CurrentInstanceCount: v.instanceCount,
      DesiredInstanceCount: v.instanceCount,
    };
  }

  function imageOf(model: SagemakerSeedModel): string | undefined {
    if ('image' in model.container) return model.container.image;
    return packagesByArn.get(model.container.modelPackageArn.toLowerCase())?.image;
  }

  function containerOf(model: SagemakerSeedModel): Json {
    if ('image' in model.container) {
      return { Image: model.container.image, Mode: 'SingleModel', ModelDataUrl: model.container.modelDataUrl, Environment: {} };
    }
    return { ModelPackageName: model.container.modelPackageArn, Mode: 'SingleModel', Environment: {} };
  }
}

// ---- request members ---------------------------------------------------------------------------

/** Coral words member paths in lower camel case (`maxResults`). */
function nullMember(path: string): SagemakerApiError {
  return validationError(`1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`);
}

function requiredString(input: Json, key: string, path: string): string {
  const value = input[key];
  if (value === undefined || value === null) throw nullMember(path);
  if (typeof value !== 'string') throw serializationError(`Expected a string for '${key}'`);
  if (value.length === 0) {
    throw validationError(`1 validation error detected: Value '' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  return value;
}

function optionalString(input: Json, key: string, _path: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serializationError(`Expected a string for '${key}'`);
  return value;
}

function optionalEnum<T extends string>(input: Json, key: string, path: string, values: readonly T[]): T | undefined {
  const value = optionalString(input, key, path);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
    );
  }
  return value as T;
}

/** Timestamps arrive as epoch seconds; returned as epoch ms. */
function optionalTime(input: Json, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw serializationError(`Expected a timestamp (epoch seconds) for '${key}'`);
  return value * 1000;
}

function sortItems<T>(items: readonly T[], key: (item: T) => string | number, order: 'Ascending' | 'Descending'): T[] {
  const sign = order === 'Ascending' ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}

// ---- Search expressions -------------------------------------------------------------------------

type PropertyReader = (name: string) => string | number | undefined;
type SearchPredicate = (read: PropertyReader) => boolean;

function groupProperty(g: SagemakerSeed['groups'][number], name: string): string | number | undefined {
  switch (name) {
    case 'ModelPackageGroupName':
      return g.name;
    case 'ModelPackageGroupArn':
      return g.arn;
    case 'ModelPackageGroupDescription':
      return g.description || undefined;
    case 'ModelPackageGroupStatus':
      return 'Completed';
    case 'CreationTime':
      return g.creationTime;
    default:
      return name.startsWith('Tags.') ? g.tags.find((t) => t.Key === name.slice(5))?.Value : undefined;
  }
}

function packageProperty(p: SagemakerSeedPackage, name: string): string | number | undefined {
  switch (name) {
    case 'ModelPackageGroupName':
      return p.groupName;
    // A versioned package is named after its group (DescribeModelPackage says so too).
    case 'ModelPackageName':
      return p.groupName;
    case 'ModelPackageArn':
      return p.arn;
    case 'ModelPackageDescription':
      return p.description || undefined;
    case 'ModelPackageStatus':
      return p.status;
    case 'ModelApprovalStatus':
      return p.approval;
    case 'ModelPackageVersion':
      return p.version;
    case 'CreationTime':
      return p.creationTime;
    case 'LastModifiedTime':
      return p.lastModifiedTime;
    default:
      if (name.startsWith('CustomerMetadataProperties.')) {
        const key = name.slice('CustomerMetadataProperties.'.length);
        return Object.prototype.hasOwnProperty.call(p.customerMetadata, key) ? p.customerMetadata[key] : undefined;
      }
      // Versioned packages carry no tags.
      return undefined;
  }
}

function endpointProperty(e: SagemakerSeedEndpoint, name: string): string | number | undefined {
  switch (name) {
    case 'EndpointName':
      return e.name;
    case 'EndpointArn':
      return e.arn;
    case 'EndpointConfigName':
      return e.configName;
    case 'EndpointStatus':
      return e.status;
    case 'FailureReason':
      return e.failureReason;
    case 'CreationTime':
      return e.creationTime;
    case 'LastModifiedTime':
      return e.lastModifiedTime;
    default:
      return name.startsWith('Tags.') ? e.tags.find((t) => t.Key === name.slice(5))?.Value : undefined;
  }
}

function modelProperty(m: SagemakerSeedModel, name: string): string | number | undefined {
  switch (name) {
    case 'Model.ModelName':
      return m.name;
    case 'Model.ModelArn':
      return m.arn;
    case 'Model.ExecutionRoleArn':
      return m.executionRoleArn;
    case 'Model.CreationTime':
      return m.creationTime;
    default:
      return name.startsWith('Model.Tags.') ? m.tags.find((t) => t.Key === name.slice('Model.Tags.'.length))?.Value : undefined;
  }
}

/** What a filter needs to know of the resource it searches. */
type SearchScope = Pick<Searchable<unknown>, 'resource' | 'properties' | 'mapPrefixes'>;

/** The type of a property of the resource, or undefined when it has no such property. */
function propertyType(scope: SearchScope, name: string): PropertyType | undefined {
  if (Object.prototype.hasOwnProperty.call(scope.properties, name)) return scope.properties[name];
  return scope.mapPrefixes.some((prefix) => name.length > prefix.length + 1 && name.startsWith(`${prefix}.`)) ? 'text' : undefined;
}

/** Coral's wording of a list longer than its documented maximum. */
function tooManyItems(path: string, max: number): SagemakerApiError {
  return validationError(`1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
}

/**
 * A `SearchExpression` as a predicate over one record's properties; what AWS refuses, or
 * the sandbox cannot evaluate, is refused. `budget` counts the elements of the whole
 * expression: "The maximum number of recursive SubExpressions, NestedFilters, and Filters
 * that can be included in a SearchExpression object is 50."
 */
function searchPredicate(raw: unknown, path: string, scope: SearchScope, budget = { left: 50 }): SearchPredicate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw serializationError(`Expected a structure for '${path}'`);
  const expr = raw as Json;
  const nested = optionalList(expr, 'NestedFilters');
  if (nested.length > SEARCH_EXPRESSION_MAX_ITEMS) throw tooManyItems(`${path}.nestedFilters`, SEARCH_EXPRESSION_MAX_ITEMS);
  if (expr.NestedFilters !== undefined && expr.NestedFilters !== null) {
    throw validationError(`NestedFilters are not supported for resource ${scope.resource}.`);
  }
  const operator = optionalEnum(expr, 'Operator', `${path}.operator`, ['And', 'Or']) ?? 'And';
  const rawFilters = optionalList(expr, 'Filters');
  const rawSubs = optionalList(expr, 'SubExpressions');
  if (rawFilters.length > SEARCH_EXPRESSION_MAX_ITEMS) throw tooManyItems(`${path}.filters`, SEARCH_EXPRESSION_MAX_ITEMS);
  if (rawSubs.length > SEARCH_EXPRESSION_MAX_ITEMS) throw tooManyItems(`${path}.subExpressions`, SEARCH_EXPRESSION_MAX_ITEMS);
  budget.left -= rawFilters.length + rawSubs.length;
  if (budget.left < 0) {
    throw validationError('The maximum number of recursive SubExpressions, NestedFilters, and Filters in a SearchExpression is 50.');
  }
  const filters = rawFilters.map((f, i) => filterPredicate(f, `${path}.filters.${i + 1}.member`, scope));
  const subs = rawSubs.map((e, i) => searchPredicate(e, `${path}.subExpressions.${i + 1}.member`, scope, budget));
  const parts = [...filters, ...subs];
  if (parts.length === 0) {
    throw validationError('A SearchExpression must contain at least one Filter, NestedFilter or SubExpression.');
  }
  return operator === 'And' ? (read) => parts.every((p) => p(read)) : (read) => parts.some((p) => p(read));
}

const TEXT_ONLY_OPERATORS = new Set(['In', 'Contains']);
const NOT_FOR_TEXT_OPERATORS = new Set(['GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo']);

/**
 * One `Filter` as a predicate. The operator must suit the property's type, as the API
 * Reference documents (the refusals' wording is the sandbox's: AWS documents the rule, not
 * its message); text compares as given (`In` splits its comma separated list), numbers as
 * numbers, timestamps as times.
 */
function filterPredicate(raw: unknown, path: string, scope: SearchScope): SearchPredicate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw serializationError(`Expected a structure for '${path}'`);
  const filter = raw as Json;
  const name = requiredString(filter, 'Name', `${path}.name`);
  const type = propertyType(scope, name);
  if (!type) throw validationError(`Invalid property name ${name} for resource ${scope.resource}.`);
  const operator = optionalEnum(filter, 'Operator', `${path}.operator`, SEARCH_OPERATORS) ?? 'Equals';
  const value = optionalString(filter, 'Value', `${path}.value`);
  if (value !== undefined && value.length > FILTER_VALUE_MAX_LENGTH) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${path}.value' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${FILTER_VALUE_MAX_LENGTH}`,
    );
  }
  if (value === undefined && operator !== 'Exists' && operator !== 'NotExists') {
    throw validationError(`A Value is required for the ${operator} operator on ${name}.`);
  }
  if (type !== 'text' && TEXT_ONLY_OPERATORS.has(operator)) {
    throw validationError(`The ${operator} operator is only supported for text properties; ${name} is a ${type} property of resource ${scope.resource}.`);
  }
  if (type === 'text' && NOT_FOR_TEXT_OPERATORS.has(operator)) {
    throw validationError(`The ${operator} operator is not supported for text properties; ${name} is one of resource ${scope.resource}.`);
  }
  const operand = (v: string): string | number => {
    if (type === 'text') return v;
    const parsed = type === 'number' ? (v.trim() === '' ? Number.NaN : Number(v)) : /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (!Number.isFinite(parsed)) {
      throw validationError(
        type === 'number'
          ? `Value ${v} for ${name} must be an integer or floating-point decimal.`
          : `Value ${v} for ${name} must be an ISO 8601 date-time (YYYY-mm-ddTHH:MM:SS).`,
      );
    }
    return parsed;
  };
  // Read once, so that a malformed value is refused even when no record has the property.
  const wanted = value === undefined || operator === 'In' ? undefined : operand(value);
  const list = operator === 'In' ? value!.split(',').map((v) => v.trim()) : undefined;
  return (read) => {
    const actual = read(name);
    if (operator === 'Exists') return actual !== undefined;
    if (operator === 'NotExists') return actual === undefined;
    if (actual === undefined) return operator === 'NotEquals';
    switch (operator) {
      case 'Equals':
        return actual === wanted;
      case 'NotEquals':
        return actual !== wanted;
      case 'Contains':
        return String(actual).includes(value!);
      case 'In':
        return list!.includes(String(actual));
      case 'GreaterThan':
        return actual > wanted!;
      case 'GreaterThanOrEqualTo':
        return actual >= wanted!;
      case 'LessThan':
        return actual < wanted!;
      case 'LessThanOrEqualTo':
        return actual <= wanted!;
    }
  };
}

function optionalList(input: Json, key: string): unknown[] {
  const value = input[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw serializationError(`Expected a list for '${key}'`);
  return value;
}

// ---- paging ----------------------------------------------------------------------------------

/**
 * One page of `items` after `NextToken`. Tokens are opaque to clients; here they carry the
 * offset and a fingerprint of the request's other members, so that a token replayed with a
 * different filter is refused, as AWS refuses it.
 */
function page<T>(
  input: Json,
  operation: keyof typeof SAGEMAKER_SANDBOX_LIMITS,
  items: readonly T[],
  render: (item: T) => unknown,
  listKey: string,
): Json {
  const limits = SAGEMAKER_SANDBOX_LIMITS[operation];
  const raw = input.MaxResults;
  if (raw !== undefined && raw !== null && (typeof raw !== 'number' || !Number.isInteger(raw))) {
    throw serializationError(`Expected an integer for 'MaxResults'`);
  }
  const maxResults = typeof raw === 'number' ? raw : limits.default;
  if (maxResults < limits.min) {
    throw validationError(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to ${limits.min}`,
    );
  }
  if (maxResults > limits.max) {
    throw validationError(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${limits.max}`,
    );
  }
  const fingerprint = requestFingerprint(operation, input);
  let offset = 0;
  const token = input.NextToken;
  if (token !== undefined && token !== null && token !== '') {
    if (typeof token !== 'string') throw serializationError(`Expected a string for 'NextToken'`);
    offset = readToken(token, fingerprint);
  }
  const slice = items.slice(offset, offset + maxResults);
  const next = offset + maxResults < items.length ? writeToken(offset + maxResults, fingerprint) : undefined;
  return { [listKey]: slice.map(render), ...(next ? { NextToken: next } : {}) };
}

function requestFingerprint(operation: string, input: Json): string {
  const rest = Object.entries(input)
    .filter(([k]) => k !== 'NextToken' && k !== 'MaxResults')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(`${operation}${JSON.stringify(rest)}`).digest('hex').slice(0, 16);
}

function writeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint }), 'utf8').toString('base64');
}

function readToken(token: string, fingerprint: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown; f?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.f === fingerprint) return parsed.o;
  } catch {
    // Falls through to the error below.
  }
  throw validationError('Invalid pagination token because of a different filter or an expired or malformed token.');
}

// ---- output pieces ------------------------------------------------------------------------------

/** Epoch ms to the epoch seconds (with milliseconds as a fraction) AWS JSON timestamps are. */
export function seconds(ms: number): number {
  return ms / 1000;
}

function userContext(p: SeedPrincipal, seed: SagemakerSeed): Json {
  if (p.userProfileName) {
    return {
      UserProfileArn: `arn:aws:sagemaker:${seed.region}:${seed.accountId}:user-profile/${p.domainId ?? 'd-unknown'}/${p.userProfileName}`,
      UserProfileName: p.userProfileName,
      DomainId: p.domainId,
    };
  }
  return { IamIdentity: { Arn: p.iamArn, PrincipalId: `AROA${createHash('sha1').update(p.iamArn ?? '').digest('hex').slice(0, 17).toUpperCase()}` } };
}


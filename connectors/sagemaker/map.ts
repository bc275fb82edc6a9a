import type { ModelPackage } from '@aws-sdk/client-sagemaker';
import { nonBlank, type KeyValue, type ModelVersionStatus } from '../core/graph';
import { sourceName, type SourceRef } from '../core/source';
import { stripUrlCredentials } from '../core/urls';
import type {
  ApprovalStatus,
  CloudModel,
  CloudModelVersion,
  CreatorType,
  Deployment,
  DeploymentStatus,
} from '../registry/types';
import {
  SAGEMAKER_METADATA_KEYS,
  type DescribeEndpointConfigOutput,
  type DescribeModelOutput,
  type DescribeModelPackageGroupOutput,
  type DescribeModelPackageOutput,
  type EndpointConfigFacts,
  type EndpointDetails,
  type ModelPackageGroup,
  type ModelPackageGroupSummary,
  type ModelPackageSummary,
  type Model,
  type ModelFacts,
  type ProductionVariantSummary,
  type Tag,
  type UserContext,
} from './types';

/** Pure mapping from SageMaker DTOs (the SDK's output shapes) to graph objects: no I/O, no clock, no config lookups. */

/** What the mapping needs to know about the instance an object came from. */
export interface SagemakerMapContext {
  instance: string;
  /** The AWS region the instance reads, e.g. `us-east-1`: console links are regional. */
  region: string;
}

export type ModelPackageGroupTransformer = (
  dto: ModelPackageGroup | ModelPackageGroupSummary | DescribeModelPackageGroupOutput,
  ctx: SagemakerMapContext,
  tags: readonly Tag[],
) => CloudModel;
export type ModelPackageTransformer = (
  /** A `ListModelPackages` summary, or a whole `ModelPackage` (a `Search` record's). */
  summary: ModelPackageSummary | ModelPackage,
  ctx: SagemakerMapContext,
  details: ModelPackageDetails | null,
) => CloudModelVersion;
export type EndpointTransformer = (details: EndpointDetails, ctx: SagemakerMapContext) => Deployment[];

/**
 * What only `DescribeModelPackage` (or a `Search` record, which is the same whole
 * `ModelPackage`) tells about a version, and the listing's summary does not, reduced to
 * plain JSON-safe data so that it can be held in the cache and reused.
 */
export interface ModelPackageDetails {
  customerMetadata: KeyValue[];
  /** Container images of the inference specification, in container order. */
  images: string[];
  /** The first container's model artifact (`ModelDataUrl`, or the S3 URI of `ModelDataSource`). */
  artifactUri: string | null;
  createdBy: string | null;
  /** What `createdBy` is (see {@link principalType}); absent in details cached before it was kept. */
  createdByType?: CreatorType | null;
  /** The first failed validation or image scan, as `<name>: <reason>`. */
  statusMessage: string | null;
  updatedAt: string | null;
  /** `ModelLifeCycle.Stage`, SageMaker's own staging construct; null when unused. */
  stage: string | null;
}

// ---- small helpers --------------------------------------------------------------------------

/**
 * A timestamp as ISO-8601. The SDK hands `Date`s; a value that went through JSON (the cache)
 * is a string; epoch seconds are what the wire carries. Anything unreadable is null.
 */
export function isoDate(value: Date | string | number | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Tags as key/value pairs, credentials in URL values removed (tags get copied from CI variables). */
export function mapTags(tags: readonly Tag[] | undefined): KeyValue[] {
  return (tags ?? [])
    .filter((tag): tag is Tag & { Key: string } => typeof tag.Key === 'string')
    .map((tag) => ({ key: tag.Key, value: stripUrlCredentials(tag.Value ?? '') }));
}

function mapRecord(record: Record<string, string> | undefined): KeyValue[] {
  return Object.entries(record ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value: stripUrlCredentials(value) }));
}

/** The console's origin for a region: the China and GovCloud partitions have consoles of their own. */
function consoleOrigin(region: string): string {
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `https://console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

/** `https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/{fragment}` */
export function consoleUrl(region: string, fragment: string): string {
  return `${consoleOrigin(region)}/sagemaker/home?region=${encodeURIComponent(region)}#/${fragment}`;
}

function ref(ctx: SagemakerMapContext, nativeId: string, fragment: string): SourceRef {
  return { kind: 'SAGEMAKER', instance: ctx.instance, nativeId, url: consoleUrl(ctx.region, fragment) };
}

function groupFragment(group: string): string {
  return `model-registry/model-package-groups/${encodeURIComponent(group)}`;
}

/**
 * Who created something: a SageMaker Studio user profile when it was done from Studio, the
 * IAM principal's ARN otherwise (an assumed role's session name is usually the person or the
 * pipeline), so the identity module can resolve either.
 */
export function principalOf(user: UserContext | undefined): string | null {
  if (!user) return null;
  return nonBlank(user.UserProfileName) ?? nonBlank(user.IamIdentity?.Arn) ?? nonBlank(user.IamIdentity?.PrincipalId);
}

const ASSUMED_ROLE_ARN = /^arn:[^:]+:sts::\d*:assumed-role\/([^/]+)\/(.+)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Whether the creator is a person: a Studio user profile and an IAM user are; an assumed
 * role is a service (a pipeline, an application) unless a person signed in to it: an IAM
 * Identity Center role (`AWSReservedSSO_*`) or a session named by an email, as SSO and most
 * federations name it. Null when nothing says.
 */
export function principalType(user: UserContext | undefined): CreatorType | null {
  if (!user) return null;
  if (nonBlank(user.UserProfileName)) return 'USER';
  const arn = nonBlank(user.IamIdentity?.Arn);
  if (!arn) return null;
  const role = ASSUMED_ROLE_ARN.exec(arn);
  if (role) return role[1]!.startsWith('AWSReservedSSO_') || EMAIL.test(role[2]!) ? 'USER' : 'SERVICE';
  return /^arn:[^:]+:iam::\d*:user\//.test(arn) ? 'USER' : null;
}

// ---- ARNs -------------------------------------------------------------------------------------

export interface ModelPackageArn {
  partition: string;
  region: string;
  account: string;
  group: string;
  /** Null for an unversioned (Marketplace-style) package. */
  version: number | null;
}

const MODEL_PACKAGE_ARN = /^arn:(aws[a-z-]*):sagemaker:([a-z0-9-]+):(\d{12}):model-package\/([^/]+)(?:\/(\d+))?$/;

/** `arn:aws:sagemaker:us-east-1:111122223333:model-package/fraud-detector/5` into its parts. */
export function parseModelPackageArn(arn: string | undefined | null): ModelPackageArn | null {
  const m = arn ? MODEL_PACKAGE_ARN.exec(arn) : null;
  if (!m) return null;
  return { partition: m[1]!, region: m[2]!, account: m[3]!, group: m[4]!, version: m[5] === undefined ? null : Number(m[5]) };
}

/**
 * The model package a SageMaker model was created from, as an ARN: the first container
 * (`PrimaryContainer`, else `Containers[]` of an inference pipeline) that names one.
 * `ModelPackageName` may hold a bare name; it is then completed from the model's own ARN
 * (same partition, region and account), so that it joins with the registry's ARNs.
 * Null for a model built from a bare image and artifact.
 */
export function servedModelPackageArn(model: ModelFacts | null | undefined): string | null {
  if (!model) return null;
  const containers = [...(model.PrimaryContainer ? [model.PrimaryContainer] : []), ...(model.Containers ?? [])];
  const name = containers.map((c) => nonBlank(c.ModelPackageName)).find((n): n is string => n !== null);
  if (!name) return null;
  if (name.startsWith('arn:')) return name;
  const owner = /^arn:(aws[a-z-]*):sagemaker:([a-z0-9-]+):(\d{12}):/.exec(model.ModelArn ?? '');
  return owner ? `arn:${owner[1]}:sagemaker:${owner[2]}:${owner[3]}:model-package/${name.toLowerCase()}` : name;
}

// ---- models (package groups) -----------------------------------------------------------------

/** A model package group (a `Search` record, a listing summary or a Describe), with its tags (the record's own, or `ListTags`'). */
export const mapModelPackageGroup: ModelPackageGroupTransformer = (dto, ctx, tags) => {
  const name = dto.ModelPackageGroupName ?? '';
  return {
    source: ref(ctx, name, groupFragment(name)),
    name,
    description: nonBlank(dto.ModelPackageGroupDescription),
    tags: mapTags(tags),
    createdAt: isoDate(dto.CreationTime),
    // Groups carry no modification time; their versions do.
    updatedAt: null,
  };
};

// ---- versions (model packages) ----------------------------------------------------------------

const APPROVAL: Record<string, ApprovalStatus> = {
  Approved: 'APPROVED',
  Rejected: 'REJECTED',
  PendingManualApproval: 'PENDING',
};

export function mapApproval(status: string | undefined | null): ApprovalStatus | null {
  return (status && APPROVAL[status]) || null;
}

const PACKAGE_STATUS: Record<string, ModelVersionStatus> = {
  Completed: 'READY',
  Pending: 'PENDING',
  InProgress: 'PENDING',
  Failed: 'FAILED',
};

/**
 * The parts of a whole model package the graph shows, kept plain for the cache: a
 * `DescribeModelPackage` answer, or a `Search` record's `ModelPackage` (the same members).
 */
export function packageDetails(dto: DescribeModelPackageOutput | ModelPackage): ModelPackageDetails {
  const containers = dto.InferenceSpecification?.Containers ?? [];
  const first = containers[0];
  const artifact = nonBlank(first?.ModelDataUrl) ?? nonBlank(first?.ModelDataSource?.S3DataSource?.S3Uri);
  const failed = [...(dto.ModelPackageStatusDetails?.ValidationStatuses ?? []), ...(dto.ModelPackageStatusDetails?.ImageScanStatuses ?? [])].find(
    (s) => s.Status === 'Failed',
  );
  return {
    customerMetadata: mapRecord(dto.CustomerMetadataProperties),
    images: containers.map((c) => nonBlank(c.Image)).filter((i): i is string => i !== null),
    artifactUri: artifact === null ? null : stripUrlCredentials(artifact),
    createdBy: principalOf(dto.CreatedBy),
    createdByType: principalType(dto.CreatedBy),
    statusMessage: failed ? `${failed.Name ?? 'validation'}: ${failed.FailureReason ?? 'Failed'}` : null,
    updatedAt: isoDate(dto.LastModifiedTime),
    stage: nonBlank(dto.ModelLifeCycle?.Stage),
  };
}

/**
 * A versioned model package as a `CloudModelVersion`. The listing's summary is the fresher
 * source for status and approval (the details may be held from an earlier load); the
 * details add what only `DescribeModelPackage` knows, and are null when it was not asked.
 */
export const mapModelPackage: ModelPackageTransformer = (summary, ctx, details) => {
  const arn = summary.ModelPackageArn ?? '';
  const parsed = parseModelPackageArn(arn);
  const group = summary.ModelPackageGroupName ?? parsed?.group ?? '';
  const versionNumber = summary.ModelPackageVersion ?? parsed?.version ?? null;
  const version = versionNumber === null ? '' : String(versionNumber);
  const status = summary.ModelPackageStatus ?? null;
  const approval = summary.ModelApprovalStatus ?? null;
  const metadata = details?.customerMetadata ?? [];
  return {
    id: `${sourceName('SAGEMAKER', ctx.instance)}/${group}/${version}`,
    source: ref(ctx, arn, `${groupFragment(group)}/versions/${encodeURIComponent(version)}`),
    modelName: group,
    version,
    stage: nonBlank(summary.ModelLifeCycle?.Stage) ?? details?.stage ?? null,
    aliases: [],
    status: (status && PACKAGE_STATUS[status]) || 'UNKNOWN',
    statusRaw: status,
    statusMessage: details?.statusMessage ?? null,
    description: nonBlank(summary.ModelPackageDescription),
    artifactUri: details?.artifactUri ?? null,
    runId: metadata.find((kv) => kv.key === SAGEMAKER_METADATA_KEYS.runId)?.value || null,
    createdBy: details?.createdBy ?? null,
    createdByType: details?.createdByType ?? null,
    createdAt: isoDate(summary.CreationTime),
    updatedAt: details?.updatedAt ?? null,
    // Versioned packages cannot be tagged; their customer metadata is what plays that part.
    tags: metadata,
    approval: mapApproval(approval),
    details: {
      kind: 'SAGEMAKER',
      modelPackageArn: arn,
      modelPackageGroupName: group,
      modelApprovalStatus: approval,
      modelPackageStatus: status,
      customerMetadata: metadata,
      images: details?.images ?? [],
    },
  };
};

/**
 * A `Search` record's `ModelPackage` as a `CloudModelVersion`: the record is summary and
 * description at once, so this is exactly {@link mapModelPackage} of the listing's summary
 * with the details of `DescribeModelPackage` of the same package (same id, fields, details,
 * customer metadata, images, creator). Null for an unversioned package (no group or no
 * version number): it is no registry version.
 */
export function mapModelPackageRecord(pkg: ModelPackage, ctx: SagemakerMapContext): CloudModelVersion | null {
  if (!nonBlank(pkg.ModelPackageGroupName) || pkg.ModelPackageVersion === undefined || pkg.ModelPackageVersion === null) return null;
  return mapModelPackage(pkg, ctx, packageDetails(pkg));
}

/** Newest first, by version number (what `RegistryConnector.getVersionsForModels` promises). */
export function newestFirst<T extends { version: string }>(versions: readonly T[]): T[] {
  return [...versions].sort((a, b) => Number(b.version) - Number(a.version));
}

// ---- deployments (endpoints and their production variants) -----------------------------------

const ENDPOINT_STATUS: Record<string, DeploymentStatus> = {
  InService: 'IN_SERVICE',
  Creating: 'CREATING',
  Updating: 'UPDATING',
  SystemUpdating: 'UPDATING',
  RollingBack: 'UPDATING',
  Deleting: 'DELETING',
  Failed: 'FAILED',
  UpdateRollbackFailed: 'FAILED',
  OutOfService: 'OUT_OF_SERVICE',
};

export function mapEndpointStatus(status: string | undefined | null): DeploymentStatus {
  return (status && ENDPOINT_STATUS[status]) || 'UNKNOWN';
}

/**
 * Each weight's share of the sum, in percent rounded to two decimals ("traffic routed to a
 * variant = its weight / the sum of all weights", `ProductionVariant.InitialVariantWeight`).
 * A missing weight counts as 0; with no positive weight at all nobody knows: all null.
 */
export function trafficPercents(weights: ReadonlyArray<number | undefined>): Array<number | null> {
  const total = weights.reduce<number>((sum, w) => sum + (w !== undefined && w > 0 ? w : 0), 0);
  if (!(total > 0)) return weights.map(() => null);
  return weights.map((w) => Math.round(((w !== undefined && w > 0 ? w : 0) / total) * 10_000) / 100);
}

type ConfiguredVariant = NonNullable<EndpointConfigFacts['ProductionVariants']>[number];

/** What the deployments read of an endpoint configuration, without the rest (timestamps, data capture, KMS keys). */
export function endpointConfigFacts(config: DescribeEndpointConfigOutput): EndpointConfigFacts {
  return {
    EndpointConfigName: config.EndpointConfigName,
    ProductionVariants: (config.ProductionVariants ?? []).map((v) => ({
      VariantName: v.VariantName,
      ModelName: v.ModelName,
      InstanceType: v.InstanceType,
      InitialInstanceCount: v.InitialInstanceCount,
      InitialVariantWeight: v.InitialVariantWeight,
      ...(v.ServerlessConfig ? { ServerlessConfig: { ...v.ServerlessConfig } } : {}),
    })),
  };
}

/** What the deployments read of a model (`DescribeModel`, or a Model Dashboard record's `Model`). */
export function modelFacts(model: DescribeModelOutput | Model): ModelFacts {
  const container = (c: { Image?: string; ModelPackageName?: string }) => ({ Image: c.Image, ModelPackageName: c.ModelPackageName });
  return {
    ModelName: model.ModelName,
    ModelArn: model.ModelArn,
    ...(model.PrimaryContainer ? { PrimaryContainer: container(model.PrimaryContainer) } : {}),
    ...(model.Containers ? { Containers: model.Containers.map(container) } : {}),
  };
}

/**
 * One `Deployment` per production variant of an endpoint. What runs now (the endpoint's
 * `Search` record or `DescribeEndpoint`, the same members: current weight and instance count) wins over what was asked for (the configuration's
 * initial weight and count); the configuration says which model and instance type each
 * variant has. An endpoint whose creation failed may list no variants of its own, so the
 * configuration's variants are used then; one with neither yields nothing. A configuration
 * inferred from the Model Dashboard (`configInferred`) names models only: the instance type
 * is left to `instanceTypeLookup` (serverless variants say so in their record).
 */
export const mapEndpoint: EndpointTransformer = ({ endpoint, config, models, configInferred }, ctx) => {
  const endpointName = endpoint.EndpointName ?? '';
  const configured = new Map<string, ConfiguredVariant>();
  for (const v of config?.ProductionVariants ?? []) if (v.VariantName) configured.set(v.VariantName, v);
  const running = new Map<string, ProductionVariantSummary>();
  for (const v of endpoint.ProductionVariants ?? []) if (v.VariantName) running.set(v.VariantName, v);
  const names = [...new Set([...running.keys(), ...configured.keys()])];
  const percents = trafficPercents(names.map((n) => running.get(n)?.CurrentWeight ?? configured.get(n)?.InitialVariantWeight));

  return names.map((variant, i): Deployment => {
    const live = running.get(variant);
    const wanted = configured.get(variant);
    const modelName = nonBlank(wanted?.ModelName);
    const model = modelName ? models[modelName] : undefined;
    const image = nonBlank(live?.DeployedImages?.[0]?.SpecifiedImage) ?? nonBlank(model?.PrimaryContainer?.Image);
    const instanceType = wanted?.InstanceType ?? (wanted?.ServerlessConfig || live?.CurrentServerlessConfig ? 'serverless' : null);
    const lookup = configInferred && instanceType === null ? nonBlank(config?.EndpointConfigName) : null;
    return {
      id: `${sourceName('SAGEMAKER', ctx.instance)}/${endpointName}/${variant}`,
      provider: 'SAGEMAKER',
      instance: ctx.instance,
      region: ctx.region,
      endpointName,
      name: variant,
      status: mapEndpointStatus(endpoint.EndpointStatus),
      statusRaw: endpoint.EndpointStatus ?? null,
      statusMessage: endpoint.FailureReason?.trim() || null,
      modelVersionRef: servedModelPackageArn(model),
      servedModelName: modelName ?? image,
      trafficPercent: percents[i] ?? null,
      instanceType,
      ...(lookup ? { instanceTypeLookup: lookup } : {}),
      instanceCount: live?.CurrentInstanceCount ?? wanted?.InitialInstanceCount ?? null,
      createdAt: isoDate(endpoint.CreationTime),
      updatedAt: isoDate(endpoint.LastModifiedTime),
      consoleUrl: consoleUrl(ctx.region, `endpoints/${encodeURIComponent(endpointName)}`),
      source: ref(ctx, `${endpointName}/${variant}`, `endpoints/${encodeURIComponent(endpointName)}`),
    };
  });
};

/**
 * The Vertex AI sandbox's data: the seed rendered as REST v1 resources
 * (`GoogleCloudAiplatformV1Model`, `...Endpoint`), and the list methods' semantics —
 * `pageSize` (AIP-158: negative is INVALID_ARGUMENT, 0 or absent is the default, larger
 * than the maximum is coerced down), opaque `pageToken`s bound to the request they came
 * from, `filter`, `orderBy` and `readMask`.
 *
 * Resource names carry the project number, as Vertex's do; requests may name the project
 * by id or number.
 */
import type {
  GoogleCloudAiplatformV1DeployedModel,
  GoogleCloudAiplatformV1Endpoint,
  GoogleCloudAiplatformV1ListEndpointsResponse,
  GoogleCloudAiplatformV1ListModelVersionsResponse,
  GoogleCloudAiplatformV1ListModelsResponse,
  GoogleCloudAiplatformV1Model,
} from '../../connectors/vertex/types';
import { hashSeed } from '../prng';
import { invalidArgument, notFound } from './errors';
import { matchesFilter, parseFilter, type Filterable } from './filter';
import type { VertexSeed, VertexSeedEndpoint, VertexSeedModel, VertexSeedVersion } from './seed';

/**
 * Page sizes the sandbox applies. The discovery document names no maximum for these
 * methods; these follow AIP-158's pattern with a maximum the connector never exceeds.
 */
export const VERTEX_SANDBOX_PAGE_SIZE = { default: 50, max: 100 } as const;

export interface ListArgs {
  pageSize?: string | null;
  pageToken?: string | null;
  filter?: string | null;
  orderBy?: string | null;
  readMask?: string | null;
}

export interface VertexStore {
  readonly seed: VertexSeed;
  listModels(args: ListArgs): GoogleCloudAiplatformV1ListModelsResponse;
  /** `{id}`, `{id}@{versionId}` or `{id}@{alias}`; NOT_FOUND otherwise. */
  getModel(name: string): GoogleCloudAiplatformV1Model;
  listModelVersions(modelId: string, args: ListArgs): GoogleCloudAiplatformV1ListModelVersionsResponse;
  listEndpoints(args: ListArgs): GoogleCloudAiplatformV1ListEndpointsResponse;
  getEndpoint(endpointId: string): GoogleCloudAiplatformV1Endpoint;
}

export function createVertexStore(seed: VertexSeed, pageSizes: { default: number; max: number } = VERTEX_SANDBOX_PAGE_SIZE): VertexStore {
  const parent = `projects/${seed.projectNumber}/locations/${seed.location}`;
  const modelName = (id: string) => `${parent}/models/${id}`;
  const endpointName = (id: string) => `${parent}/endpoints/${id}`;
  const modelsById = new Map(seed.models.map((m) => [m.id, m]));
  const endpointsById = new Map(seed.endpoints.map((e) => [e.id, e]));

  // Deployed-model refs per model version, for `Model.deployedModels`.
  const refs = new Map<string, Array<{ endpoint: string; deployedModelId: string }>>();
  for (const endpoint of seed.endpoints) {
    for (const dm of endpoint.deployedModels) {
      const key = `${dm.modelId}@${dm.versionId}`;
      const list = refs.get(key) ?? [];
      list.push({ endpoint: endpointName(endpoint.id), deployedModelId: dm.id });
      refs.set(key, list);
    }
  }

  function renderVersion(model: VertexSeedModel, version: VertexSeedVersion, withVersionInName: boolean): GoogleCloudAiplatformV1Model {
    const created = Math.min(...model.versions.map((v) => v.createTime));
    const updated = Math.max(...model.versions.map((v) => v.updateTime));
    const dto: GoogleCloudAiplatformV1Model = {
      name: withVersionInName ? `${modelName(model.id)}@${version.versionId}` : modelName(model.id),
      displayName: model.displayName,
      description: model.description,
      versionId: version.versionId,
      versionAliases: [...version.aliases],
      versionCreateTime: timestamp(version.createTime),
      versionUpdateTime: timestamp(version.updateTime),
      createTime: timestamp(created),
      updateTime: timestamp(updated),
      labels: { ...version.labels },
      artifactUri: version.artifactUri,
      containerSpec: { imageUri: version.imageUri },
      supportedDeploymentResourcesTypes: ['DEDICATED_RESOURCES'],
      etag: etag(model.id, version.versionId, version.updateTime),
    };
    if (version.description) dto.versionDescription = version.description;
    const deployed = refs.get(`${model.id}@${version.versionId}`);
    if (deployed) dto.deployedModels = deployed.map((r) => ({ ...r }));
    return dto;
  }

  function defaultVersion(model: VertexSeedModel): VertexSeedVersion {
    return model.versions.find((v) => v.aliases.includes('default')) ?? model.versions[model.versions.length - 1]!;
  }

  function renderEndpoint(endpoint: VertexSeedEndpoint): GoogleCloudAiplatformV1Endpoint {
    return {
      name: endpointName(endpoint.id),
      displayName: endpoint.displayName,
      description: endpoint.description,
      deployedModels: endpoint.deployedModels.map((dm): GoogleCloudAiplatformV1DeployedModel => ({
        id: dm.id,
        model: modelName(dm.modelId),
        modelVersionId: dm.versionId,
        displayName: dm.displayName,
        createTime: timestamp(dm.createTime),
        dedicatedResources: {
          machineSpec: {
            machineType: dm.machineType,
            ...(dm.acceleratorType ? { acceleratorType: dm.acceleratorType, acceleratorCount: dm.acceleratorCount ?? 1 } : {}),
          },
          minReplicaCount: dm.minReplicaCount,
          maxReplicaCount: dm.maxReplicaCount,
        },
      })),
      trafficSplit: { ...endpoint.trafficSplit },
      etag: etag(endpoint.id, '', endpoint.updateTime),
      labels: { ...endpoint.labels },
      createTime: timestamp(endpoint.createTime),
      updateTime: timestamp(endpoint.updateTime),
    };
  }

  function findModel(id: string): VertexSeedModel {
    const model = modelsById.get(id);
    if (!model) throw notFound('The Model does not exist.');
    return model;
  }

  return {
    seed,

    listModels(args) {
      const filter = parseFilter(args.filter, ['model', 'display_name']);
      const rows = seed.models
        .map((m) => ({ model: m, version: defaultVersion(m) }))
        .filter(({ model, version }) => matchesFilter(filterable(version.labels, { model: model.id, display_name: model.displayName }), filter));
      const ordered = order(rows, args.orderBy, ['display_name', 'create_time', 'update_time'], {
        display_name: (r) => r.model.displayName,
        create_time: (r) => Math.min(...r.model.versions.map((v) => v.createTime)),
        update_time: (r) => Math.max(...r.model.versions.map((v) => v.updateTime)),
      });
      const page = paginate(ordered, args, pageSizes, `models.list ${parent}`);
      return withToken({ models: page.items.map((r) => mask(renderVersion(r.model, r.version, false), args.readMask)) }, page.next);
    },

    getModel(name) {
      const at = name.indexOf('@');
      const id = at < 0 ? name : name.slice(0, at);
      const model = findModel(id);
      if (at < 0) return renderVersion(model, defaultVersion(model), false);
      const wanted = name.slice(at + 1);
      const version = /^\d+$/.test(wanted)
        ? model.versions.find((v) => v.versionId === wanted)
        : model.versions.find((v) => v.aliases.includes(wanted));
      if (!version) throw notFound('The Model does not exist.');
      return renderVersion(model, version, true);
    },

    listModelVersions(modelId, args) {
      const model = findModel(modelId);
      const filter = parseFilter(args.filter, []);
      const rows = model.versions.filter((v) => matchesFilter(filterable(v.labels, {}), filter));
      const ordered = order(rows, args.orderBy, ['create_time', 'update_time'], {
        create_time: (v) => v.createTime,
        update_time: (v) => v.updateTime,
      });
      const page = paginate(ordered, args, pageSizes, `models.listVersions ${modelName(model.id)}`);
      return withToken({ models: page.items.map((v) => mask(renderVersion(model, v, true), args.readMask)) }, page.next);
    },

    listEndpoints(args) {
      const filter = parseFilter(args.filter, ['endpoint', 'display_name']);
      const rows = seed.endpoints.filter((e) => matchesFilter(filterable(e.labels, { endpoint: e.id, display_name: e.displayName }), filter));
      const ordered = order(rows, args.orderBy, ['display_name', 'create_time', 'update_time'], {
        display_name: (e) => e.displayName,
        create_time: (e) => e.createTime,
        update_time: (e) => e.updateTime,
      });
      const page = paginate(ordered, args, pageSizes, `endpoints.list ${parent}`);
      return withToken({ endpoints: page.items.map((e) => mask(renderEndpoint(e), args.readMask)) }, page.next);
    },

    getEndpoint(endpointId) {
      const endpoint = endpointsById.get(endpointId);
      if (!endpoint) throw notFound('The Endpoint does not exist.');
      return renderEndpoint(endpoint);
    },
  };
}

function filterable(labels: Record<string, string>, fields: Record<string, string>): Filterable {
  return { labels, fields };
}

/** proto3 JSON leaves empty repeated fields out: an empty page is `{}`. */
function withToken<T extends object>(body: T, next: string | undefined): T & { nextPageToken?: string } {
  const out = Object.fromEntries(Object.entries(body).filter(([, v]) => !(Array.isArray(v) && v.length === 0))) as T;
  return next ? { ...out, nextPageToken: next } : out;
}

// ---- paging ---------------------------------------------------------------------------------

/**
 * `pageSize` and `pageToken`. A token is opaque to clients (base64url of an offset and a
 * fingerprint of the request); one minted for another method, parent, filter or order is
 * INVALID_ARGUMENT, as AIP-158 asks ("all other parameters ... must match").
 */
export function paginate<T>(
  items: readonly T[],
  args: ListArgs,
  sizes: { default: number; max: number },
  method: string,
): { items: T[]; next?: string } {
  const size = parsePageSize(args.pageSize, sizes);
  const fingerprint = hashSeed(method, args.filter ?? '', args.orderBy ?? '').toString(36);
  const offset = args.pageToken ? decodeToken(args.pageToken, fingerprint) : 0;
  const end = offset + size;
  return { items: items.slice(offset, end), next: end < items.length ? encodeToken(end, fingerprint) : undefined };
}

function parsePageSize(raw: string | null | undefined, sizes: { default: number; max: number }): number {
  if (raw === undefined || raw === null || raw === '') return sizes.default;
  if (!/^-?\d+$/.test(raw.trim()) || Math.abs(Number(raw)) > 2_147_483_647) {
    throw invalidArgument(`Invalid value at 'page_size' (TYPE_INT32), "${raw}"`, 'page_size', `Invalid value at 'page_size' (TYPE_INT32), "${raw}"`);
  }
  const n = Number(raw);
  if (n < 0) throw invalidArgument('The page_size must not be negative.', 'page_size');
  if (n === 0) return sizes.default;
  return Math.min(n, sizes.max);
}

export function encodeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint }), 'utf8').toString('base64url');
}

function decodeToken(token: string, fingerprint: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = parsed as { o?: unknown; f?: unknown } | undefined;
  if (!p || typeof p.o !== 'number' || !Number.isInteger(p.o) || p.o < 0 || typeof p.f !== 'string') {
    throw invalidArgument('Invalid page token.', 'page_token');
  }
  if (p.f !== fingerprint) {
    throw invalidArgument('The page token does not match the request: pass the same filter and order_by as the call that returned it.', 'page_token');
  }
  return p.o;
}

// ---- ordering and field masks ---------------------------------------------------------------

/** `display_name, create_time desc`; fields in snake_case or camelCase. */
function order<T>(
  rows: readonly T[],
  orderBy: string | null | undefined,
  allowed: readonly string[],
  keys: Record<string, (row: T) => string | number>,
): T[] {
  const clauses = (orderBy ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [field = '', direction, ...extra] = part.split(/\s+/);
      const name = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (!allowed.includes(name) || extra.length > 0 || (direction !== undefined && !/^(asc|desc)$/i.test(direction))) {
        throw invalidArgument(`Unsupported order_by "${orderBy}"; supported fields: ${allowed.join(', ')}.`, 'order_by');
      }
      return { key: keys[name]!, desc: direction?.toLowerCase() === 'desc' };
    });
  // Without an order, creation order (the seed's, itself by creation); stable either way.
  const indexed = rows.map((row, index) => ({ row, index }));
  indexed.sort((a, b) => {
    for (const { key, desc } of clauses) {
      const x = key(a.row);
      const y = key(b.row);
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return a.index - b.index;
  });
  return indexed.map((x) => x.row);
}

/** `readMask`: top-level fields only (`displayName,labels` or `display_name,labels`). */
function mask<T extends object>(dto: T, readMask: string | null | undefined): T {
  if (!readMask) return dto;
  const wanted = new Set(
    readMask
      .split(',')
      .map((f) => f.trim().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()))
      .filter(Boolean),
  );
  return Object.fromEntries(Object.entries(dto).filter(([key]) => wanted.has(key))) as T;
}

// ---- rendering ------------------------------------------------------------------------------

/** RFC 3339 with microseconds, as Vertex renders `google-datetime` (0, 3, 6 or 9 digits). */
export function timestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  const micros = String(hashSeed('us', ms) % 1000).padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}Z`;
}

function etag(id: string, version: string, updated: number): string {
  const h = hashSeed('etag', id, version, updated).toString(16).padStart(8, '0');
  return `AMEw9yN${h}${hashSeed(h).toString(16).padStart(8, '0')}`;
}

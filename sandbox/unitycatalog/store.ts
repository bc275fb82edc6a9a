/**
 * The Unity Catalog sandbox's data: the seed rendered as the REST API's DTOs
 * (`RegisteredModelInfo`, `ModelVersionInfo`, `RegisteredModelAlias`, `SchemaInfo`,
 * `CatalogInfo`), and the list methods' semantics as the reference states them:
 *
 * - `max_results`: negative is INVALID_PARAMETER_VALUE; 0 or absent is the server's default;
 *   larger than the server's maximum is clamped (models across the metastore: default 100,
 *   max 1,000; within one catalog and schema: 10,000 both; versions: 100 / 1,000; schemas and
 *   catalogs: absent returns everything, 0 is the server's page length, 1,000).
 * - `page_token`: opaque (base64url of an offset and a fingerprint of the request it came
 *   from); one that does not decode, or was minted for another listing, is
 *   INVALID_PARAMETER_VALUE. `next_page_token` is absent on the last page.
 * - Empty lists are left out of the body (the reference's `omitempty`): an empty page is
 *   `{}` or `{"next_page_token": "..."}`.
 * - Names are case-insensitive (UC stores them lower-case, as the seed does).
 * - Aliases only on single reads with `include_aliases=true`, never in listings.
 *
 * `run_workspace_id` is an int64 that Databricks writes as a bare JSON number; the seed's
 * workspace ids go above 2^53, so the store hands them out as {@link JsonInt64} and
 * {@link stringifyDatabricksJson} writes their digits exactly.
 */
import type { DatabricksErrorBody } from '../../connectors/unitycatalog/types';
import type { SandboxResponse } from '../http';
import { hashSeed } from '../prng';
import { fullNameOf, type UcSeed, type UcSeedModel, type UcSeedVersion } from './seed';

/** Page sizes, as {@link ../../connectors/unitycatalog/types UC_PAGE_SIZE} states them. */
export const UC_SANDBOX_PAGE_SIZE = {
  models: { default: 100, max: 1000 },
  modelsInSchema: { default: 10_000, max: 10_000 },
  versions: { default: 100, max: 1000 },
  /** `all`: what an absent `max_results` returns (the reference: every schema, "not recommended"). */
  schemas: { default: 1000, max: 1000, absent: 'all' },
  catalogs: { default: 1000, max: 1000, absent: 'all' },
} as const;

export interface PageSize {
  default: number;
  max: number;
  absent?: 'all';
}

export type UcPageSizes = { [K in keyof typeof UC_SANDBOX_PAGE_SIZE]: PageSize };

// ---- errors ---------------------------------------------------------------------------------

/** What the store and the handler throw; the server renders it as Databricks' error body. */
export class UcError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'UcError';
  }

  toResponse(): SandboxResponse {
    return databricksError(this.status, this.errorCode, this.message, this.headers);
  }
}

export function databricksError(status: number, errorCode: string, message: string, headers: Record<string, string> = {}): SandboxResponse {
  const body: DatabricksErrorBody = { error_code: errorCode, message };
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export const invalidParameter = (message: string) => new UcError(400, 'INVALID_PARAMETER_VALUE', message);
const doesNotExist = (message: string) => new UcError(404, 'RESOURCE_DOES_NOT_EXIST', message);

// ---- int64 ----------------------------------------------------------------------------------

/** An int64 written into the JSON text as a bare number with exactly these digits. */
export class JsonInt64 {
  constructor(readonly digits: string) {
    if (!/^-?\d{1,19}$/.test(digits)) throw new Error(`not an int64: ${digits}`);
  }
}

const INT64_MARK = '\u0000int64:';

/** `JSON.stringify`, with {@link JsonInt64} values written as bare numbers digit for digit. */
export function stringifyDatabricksJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof JsonInt64 ? `${INT64_MARK}${v.digits}` : v));
  // The mark holds a NUL, which JSON.stringify escapes as \u0000 inside strings.
  return text.replace(/"\\u0000int64:(-?\d+)"/g, '$1');
}

// ---- wire shapes ----------------------------------------------------------------------------

export interface WireAlias {
  alias_name: string;
  version_num: number;
  catalog_name: string;
  schema_name: string;
  model_name: string;
  id: string;
}

export interface WireRegisteredModel {
  name: string;
  catalog_name: string;
  schema_name: string;
  full_name: string;
  owner: string;
  comment?: string;
  storage_location: string;
  metastore_id: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
  aliases?: WireAlias[];
}

export interface WireModelVersion {
  model_name: string;
  catalog_name: string;
  schema_name: string;
  version: number;
  id: string;
  comment?: string;
  source: string;
  run_id: string;
  /** Serialized as a bare JSON number (see {@link stringifyDatabricksJson}). */
  run_workspace_id: JsonInt64;
  status: string;
  storage_location: string;
  metastore_id: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
  aliases?: WireAlias[];
}

export interface WireSchema {
  name: string;
  catalog_name: string;
  full_name: string;
  catalog_type: string;
  comment: string;
  owner: string;
  metastore_id: string;
  schema_id: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

export interface WireCatalog {
  name: string;
  full_name: string;
  catalog_type: string;
  comment: string;
  owner: string;
  metastore_id: string;
  storage_root: string;
  isolation_mode: string;
  securable_type: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

export interface ListArgs {
  maxResults?: string | null;
  pageToken?: string | null;
}

export interface UcStore {
  readonly seed: UcSeed;
  listModels(args: ListArgs & { catalogName?: string | null; schemaName?: string | null }): { registered_models?: WireRegisteredModel[]; next_page_token?: string };
  getModel(fullName: string, includeAliases: boolean): WireRegisteredModel;
  listVersions(fullName: string, args: ListArgs): { model_versions?: WireModelVersion[]; next_page_token?: string };
  getVersion(fullName: string, version: string, includeAliases: boolean): WireModelVersion;
  getByAlias(fullName: string, alias: string, includeAliases: boolean): WireModelVersion;
  listSchemas(args: ListArgs & { catalogName?: string | null }): { schemas?: WireSchema[]; next_page_token?: string };
  listCatalogs(args: ListArgs): { catalogs?: WireCatalog[]; next_page_token?: string };
}

export function createUcStore(seed: UcSeed, sizes: UcPageSizes = UC_SANDBOX_PAGE_SIZE): UcStore {
  const models = new Map(seed.models.map((m) => [fullNameOf(m), m]));
  const catalogs = new Map(seed.catalogs.map((c) => [c.name, c]));
  const schemas = new Map(seed.schemas.map((s) => [`${s.catalog}.${s.name}`, s]));

  function findModel(fullName: string): UcSeedModel {
    const parts = fullName.split('.');
    if (parts.length !== 3 || parts.some((p) => p.trim() === '')) {
      throw invalidParameter(`Invalid registered model full name '${fullName}': expected <catalog>.<schema>.<model>.`);
    }
    const model = models.get(fullName.toLowerCase());
    if (!model) throw doesNotExist(`Registered model '${fullName}' does not exist.`);
    return model;
  }

  function aliasesOf(model: UcSeedModel, version?: number): WireAlias[] {
    return model.aliases
      .filter((a) => version === undefined || a.version === version)
      .map((a) => ({
        alias_name: a.alias,
        version_num: a.version,
        catalog_name: model.catalog,
        schema_name: model.schema,
        model_name: model.name,
        id: a.id,
      }));
  }

  function renderModel(model: UcSeedModel, includeAliases: boolean): WireRegisteredModel {
    const dto: WireRegisteredModel = {
      name: model.name,
      catalog_name: model.catalog,
      schema_name: model.schema,
      full_name: fullNameOf(model),
      owner: model.owner,
      comment: model.comment,
      storage_location: model.storageLocation,
      metastore_id: seed.metastoreId,
      created_at: model.createdAt,
      created_by: model.createdBy,
      updated_at: model.updatedAt,
      updated_by: model.updatedBy,
    };
    if (includeAliases) {
      const aliases = aliasesOf(model);
      if (aliases.length) dto.aliases = aliases;
    }
    return dto;
  }

  function renderVersion(model: UcSeedModel, v: UcSeedVersion, includeAliases: boolean): WireModelVersion {
    const dto: WireModelVersion = {
      model_name: model.name,
      catalog_name: model.catalog,
      schema_name: model.schema,
      version: v.version,
      id: v.id,
      source: v.source,
      run_id: v.runId,
      run_workspace_id: new JsonInt64(v.runWorkspaceId),
      status: v.status,
      storage_location: v.storageLocation,
      metastore_id: seed.metastoreId,
      created_at: v.createdAt,
      created_by: v.createdBy,
      updated_at: v.updatedAt,
      updated_by: v.updatedBy,
    };
    if (v.comment) dto.comment = v.comment;
    if (includeAliases) {
      const aliases = aliasesOf(model, v.version);
      if (aliases.length) dto.aliases = aliases;
    }
    return dto;
  }

  function findCatalog(name: string) {
    const catalog = catalogs.get(name.toLowerCase());
    if (!catalog) throw new UcError(404, 'CATALOG_DOES_NOT_EXIST', `Catalog '${name}' does not exist.`);
    return catalog;
  }

  return {
    seed,

    listModels(args) {
      const catalogName = args.catalogName || undefined;
      const schemaName = args.schemaName || undefined;
      if ((catalogName === undefined) !== (schemaName === undefined)) {
        throw invalidParameter(
          catalogName === undefined
            ? 'catalog_name must be specified when schema_name is specified.'
            : 'schema_name must be specified when catalog_name is specified.',
        );
      }
      if (catalogName !== undefined && schemaName !== undefined) {
        const catalog = findCatalog(catalogName);
        if (!schemas.has(`${catalog.name}.${schemaName.toLowerCase()}`)) {
          throw new UcError(404, 'SCHEMA_DOES_NOT_EXIST', `Schema '${catalog.name}.${schemaName}' does not exist.`);
        }
        const rows = seed.models.filter((m) => m.catalog === catalog.name && m.schema === schemaName.toLowerCase());
        const page = paginate(rows, args, sizes.modelsInSchema, `models ${catalog.name}.${schemaName.toLowerCase()}`, false);
        return withToken({ registered_models: page.items.map((m) => renderModel(m, false)) }, page.next);
      }
      // Across the metastore a page may come back empty with a token: the first page's token
      // leads to an empty page, whose token leads on (see `paginate`).
      const page = paginate(seed.models, args, sizes.models, 'models *', true);
      return withToken({ registered_models: page.items.map((m) => renderModel(m, false)) }, page.next);
    },

    getModel(fullName, includeAliases) {
      return renderModel(findModel(fullName), includeAliases);
    },

    listVersions(fullName, args) {
      const model = findModel(fullName);
      const page = paginate(model.versions, args, sizes.versions, `versions ${fullNameOf(model)}`, false);
      return withToken({ model_versions: page.items.map((v) => renderVersion(model, v, false)) }, page.next);
    },

    getVersion(fullName, version, includeAliases) {
      const model = findModel(fullName);
      if (!/^\d+$/.test(version) || Number(version) < 1 || Number(version) > 2_147_483_647) {
        throw invalidParameter(`Invalid model version '${version}': must be a positive integer.`);
      }
      const found = model.versions.find((v) => v.version === Number(version));
      if (!found) throw doesNotExist(`Model version ${fullNameOf(model)}/${Number(version)} does not exist.`);
      return renderVersion(model, found, includeAliases);
    },

    getByAlias(fullName, alias, includeAliases) {
      const model = findModel(fullName);
      const found = model.aliases.find((a) => a.alias === alias.toLowerCase());
      const version = found ? model.versions.find((v) => v.version === found.version) : undefined;
      if (!version) throw doesNotExist(`Alias '${alias}' does not exist on registered model '${fullNameOf(model)}'.`);
      return renderVersion(model, version, includeAliases);
    },

    listSchemas(args) {
      if (!args.catalogName) throw invalidParameter('catalog_name is required.');
      const catalog = findCatalog(args.catalogName);
      const rows = seed.schemas.filter((s) => s.catalog === catalog.name);
      const page = paginate(rows, args, sizes.schemas, `schemas ${catalog.name}`, false);
      return withToken(
        {
          schemas: page.items.map((s) => ({
            name: s.name,
            catalog_name: s.catalog,
            full_name: `${s.catalog}.${s.name}`,
            catalog_type: 'MANAGED_CATALOG',
            comment: s.comment,
            owner: s.owner,
            metastore_id: seed.metastoreId,
            schema_id: s.id,
            created_at: s.createdAt,
            created_by: s.createdBy,
            updated_at: s.createdAt,
            updated_by: s.createdBy,
          })),
        },
        page.next,
      );
    },

    listCatalogs(args) {
      const page = paginate(seed.catalogs, args, sizes.catalogs, 'catalogs', false);
      return withToken(
        {
          catalogs: page.items.map((c) => ({
            name: c.name,
            full_name: c.name,
            catalog_type: 'MANAGED_CATALOG',
            comment: c.comment,
            owner: c.owner,
            metastore_id: seed.metastoreId,
            storage_root: c.storageRoot,
            isolation_mode: 'OPEN',
            securable_type: 'CATALOG',
            created_at: c.createdAt,
            created_by: c.createdBy,
            updated_at: c.createdAt,
            updated_by: c.createdBy,
          })),
        },
        page.next,
      );
    },
  };
}

/** Empty lists are omitted, as Databricks' `omitempty` fields are; the token only when there is a next page. */
function withToken<T extends object>(body: T, next: string | undefined): Partial<T> & { next_page_token?: string } {
  const out = Object.fromEntries(Object.entries(body).filter(([, v]) => !(Array.isArray(v) && v.length === 0))) as Partial<T>;
  return next ? { ...out, next_page_token: next } : out;
}

// ---- paging ---------------------------------------------------------------------------------

export function parseMaxResults(raw: string | null | undefined, size: PageSize): number {
  if (raw === undefined || raw === null || raw === '') return size.absent === 'all' ? Number.MAX_SAFE_INTEGER : size.default;
  if (!/^-?\d+$/.test(raw.trim()) || Math.abs(Number(raw)) > 2_147_483_647) {
    throw invalidParameter(`Invalid value for max_results: '${raw}' is not a 32-bit integer.`);
  }
  const n = Number(raw);
  if (n < 0) throw invalidParameter('max_results must be greater than or equal to 0.');
  if (n === 0) return size.default;
  return Math.min(n, size.max);
}

/**
 * One page. With `emptyPageOnce`, a listing of several pages serves one empty page (no items,
 * a token) between its first and second pages: the reference says a page may hold fewer items
 * than asked for, even none, and only an absent token ends a listing, so clients must not stop
 * at an empty page. The token of the empty page leads to the real second page.
 */
export function paginate<T>(items: readonly T[], args: ListArgs, size: PageSize, listing: string, emptyPageOnce: boolean): { items: T[]; next?: string } {
  const pageSize = parseMaxResults(args.maxResults, size);
  const fingerprint = hashSeed('uc-page', listing).toString(36);
  const token = args.pageToken ? decodePageToken(args.pageToken, fingerprint) : { offset: 0, empty: false };
  if (token.offset > items.length) throw invalidParameter('Invalid page_token.');
  if (token.empty) return { items: [], next: encodePageToken({ offset: token.offset, empty: false, emptied: true }, fingerprint) };
  const end = Math.min(items.length, token.offset + pageSize);
  if (end >= items.length) return { items: items.slice(token.offset, end) };
  const emptyNext = emptyPageOnce && !token.emptied && token.offset === 0;
  return { items: items.slice(token.offset, end), next: encodePageToken({ offset: end, empty: emptyNext, emptied: token.emptied || emptyNext }, fingerprint) };
}

interface PageState {
  offset: number;
  /** Serve an empty page at this offset. */
  empty: boolean;
  /** The listing has had its empty page. */
  emptied?: boolean;
}

export function encodePageToken(state: PageState, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: state.offset, e: state.empty ? 1 : 0, d: state.emptied ? 1 : 0, f: fingerprint }), 'utf8').toString('base64url');
}

function decodePageToken(token: string, fingerprint: string): PageState {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(token) ? JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const p = parsed as { o?: unknown; e?: unknown; d?: unknown; f?: unknown } | undefined;
  if (!p || typeof p.o !== 'number' || !Number.isInteger(p.o) || p.o < 0 || p.f !== fingerprint) {
    throw invalidParameter('Invalid page_token.');
  }
  return { offset: p.o, empty: p.e === 1, emptied: p.d === 1 };
}

/**
 * `Query.models`: filter, order and page the linked inventory. The filters on the listing's
 * own fields (search, source) cost nothing; the others read the governance index.
 */
import { GraphQLError } from 'graphql';
import type { SourceKind } from '../../connectors/core/source';
import { teamKey, type IndexedModel } from './governance/inventory-index';
import { SEVERITY_ORDER, type Severity } from './governance/types';
import { sliceConnection, type Connection } from './connection';
import type { LinkedModel } from './linking';

export interface ModelFilter {
  search?: string | null;
  sourceKind?: SourceKind | null;
  sourceInstance?: string | null;
  owner?: string | null;
  team?: string | null;
  stage?: string | null;
  deployed?: boolean | null;
  findingSeverity?: Severity | null;
}

export type ModelOrderField = 'KEY' | 'NAME' | 'FINDINGS' | 'TIME_TO_PRODUCTION';

export interface ModelOrder {
  field: ModelOrderField;
  direction: 'ASC' | 'DESC';
}

export const DEFAULT_ORDER: ModelOrder = { field: 'KEY', direction: 'ASC' };

export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Whether answering needs the governance index (and so a build of it when it is cold). */
export function needsIndex(filter: ModelFilter | null | undefined, order: ModelOrder): boolean {
  return (
    order.field === 'FINDINGS' ||
    order.field === 'TIME_TO_PRODUCTION' ||
    Boolean(filter && (filter.owner || filter.team || filter.stage || filter.deployed != null || filter.findingSeverity))
  );
}

export function matchesListingFilter(model: LinkedModel, filter: ModelFilter | null | undefined): boolean {
  if (!filter) return true;
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    if (!model.key.includes(needle) && !model.name.toLowerCase().includes(needle)) return false;
  }
  if (filter.sourceKind || filter.sourceInstance) {
    const hit = model.refs.some(
      (r) =>
        (!filter.sourceKind || r.kind === filter.sourceKind) &&
        (!filter.sourceInstance || r.instance === filter.sourceInstance),
    );
    if (!hit) return false;
  }
  return true;
}

/**
 * A model the index does not hold (linked since the index was built) matches none of the
 * index's filters: it is answered once the index is rebuilt, never guessed.
 */
export function matchesIndexFilter(entry: IndexedModel | undefined, filter: ModelFilter | null | undefined): boolean {
  if (!filter) return true;
  const { owner, team, stage, deployed, findingSeverity } = filter;
  if (!owner && !team && !stage && deployed == null && !findingSeverity) return true;
  if (!entry) return false;
  if (owner && !entry.people.has(owner.toLowerCase()) && !entry.people.has(owner)) return false;
  if (team && !entry.teams.has(teamKey(team))) return false;
  if (stage && !entry.stages.has(stage.toLowerCase())) return false;
  if (deployed != null && entry.deployed !== deployed) return false;
  if (findingSeverity && entry.worstSeverity < SEVERITY_ORDER[findingSeverity]) return false;
  return true;
}

/**
 * The value a model sorts by, then its key. Missing values (no time to production) sort
 * last in both directions: an analyst sorting by speed wants the measured models first.
 */
type SortValue = string | number | null;

function sortValue(model: LinkedModel, entry: IndexedModel | undefined, field: ModelOrderField): SortValue {
  switch (field) {
    case 'KEY':
      return model.key;
    case 'NAME':
      return model.name.toLowerCase();
    case 'FINDINGS':
      // Worst severity, then how many (waived ones count for neither): 3 findings at HIGH outrank 1 at HIGH.
      return entry ? entry.worstSeverity * 10_000 + Math.min(entry.openFindings, 9_999) : 0;
    case 'TIME_TO_PRODUCTION':
      return entry?.lifecycle?.firstRunToProductionDays ?? null;
  }
}

interface Positioned {
  model: LinkedModel;
  value: SortValue;
}

/** Code-point order, as the listing is sorted: cheap, and the same in every locale. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compare(a: { value: SortValue; key: string }, b: { value: SortValue; key: string }, order: ModelOrder): number {
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    const byValue = a.value < b.value ? -1 : 1;
    return order.direction === 'ASC' ? byValue : -byValue;
  }
  return byCodePoint(a.key, b.key);
}

/**
 * Opaque cursors that carry the position (sort value and key), not an offset, so a page
 * stays right when models are added or removed between pages.
 */
export function encodeCursor(key: string, order: ModelOrder = DEFAULT_ORDER, value: SortValue = key): string {
  const raw = order.field === 'KEY' && order.direction === 'ASC' ? `model:${key}` : `model:${JSON.stringify([order.field, order.direction, value, key])}`;
  return Buffer.from(raw, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, order: ModelOrder = DEFAULT_ORDER): { key: string; value: SortValue } {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('model:')) throw badInput(`invalid cursor "${cursor}"`);
  const rest = decoded.slice('model:'.length);
  // Keys are `[a-z0-9-]`: a `[` is another order's cursor, which must not pass for a key.
  if (order.field === 'KEY' && order.direction === 'ASC') {
    if (rest.startsWith('[')) throw badInput(`cursor "${cursor}" belongs to another orderBy`);
    return { key: rest, value: rest };
  }
  try {
    const [field, direction, value, key] = JSON.parse(rest) as [string, string, SortValue, string];
    if (field === order.field && direction === order.direction && typeof key === 'string') return { key, value };
  } catch {
    // fall through: a cursor of another order
  }
  throw badInput(`cursor "${cursor}" belongs to another orderBy`);
}

export type ModelPage = Connection<LinkedModel>;

export function pageModels(
  models: readonly LinkedModel[],
  index: Map<string, IndexedModel> | undefined,
  args: { filter?: ModelFilter | null; orderBy?: ModelOrder | null; first: number; after?: string | null },
): ModelPage {
  const order = args.orderBy ?? DEFAULT_ORDER;
  const keyOrder = order.field === 'KEY' && order.direction === 'ASC';
  const positioned: Positioned[] = models
    .filter((m) => matchesListingFilter(m, args.filter) && matchesIndexFilter(index?.get(m.key), args.filter))
    .map((model) => ({ model, value: sortValue(model, index?.get(model.key), order.field) }));
  // The listing comes sorted by key, so the default order (every portal page) costs one
  // cheap check instead of a sort of the whole inventory.
  const inKeyOrder = keyOrder && positioned.every((p, i) => i === 0 || positioned[i - 1]!.model.key < p.model.key);
  const sorted = inKeyOrder
    ? positioned
    : positioned.sort((a, b) => compare({ value: a.value, key: a.model.key }, { value: b.value, key: b.model.key }, order));
  // Decoded up front: a bad cursor is refused even when no model would be compared with it.
  const after = args.after ? decodeCursor(args.after, order) : undefined;
  return sliceConnection(
    sorted,
    args,
    (p) => after !== undefined && compare({ value: p.value, key: p.model.key }, after, order) > 0,
    (p) => ({ cursor: encodeCursor(p.model.key, order, p.value), node: p.model }),
  );
}

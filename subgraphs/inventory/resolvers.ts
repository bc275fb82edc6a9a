import { GraphQLError } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { SourceKind } from '../../connectors/core/source';
import type { PeopleDirectory } from '../common/identity';
import type { PartialErrorsContext } from '../common/partial-errors';
import type { LinkedModel } from './linking';
import type { OwnershipIndex } from './ownership';
import type { Listing } from './model-listing';
import { mergeVersions, type ModelWithRequiredVersions } from './versions';

export interface InventoryContext extends PartialErrorsContext {
  people: PeopleDirectory;
  ownership: OwnershipIndex;
  /** The linked listing, computed at most once per request. */
  listing(): Promise<Listing>;
}

interface ModelFilter {
  search?: string | null;
  sourceKind?: SourceKind | null;
  sourceInstance?: string | null;
}

const MAX_PAGE = 500;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Opaque cursors that name the last key seen, so pages stay stable when models are added. */
export function encodeCursor(key: string): string {
  return Buffer.from(`model:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('model:')) throw badInput(`invalid cursor "${cursor}"`);
  return decoded.slice('model:'.length);
}

export function matchesFilter(model: LinkedModel, filter: ModelFilter | null | undefined): boolean {
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

async function listingWithErrors(ctx: InventoryContext, path: string[]): Promise<LinkedModel[]> {
  const listing = await ctx.listing();
  for (const failure of listing.failures) ctx.partialErrors.add(failure, path);
  return listing.models;
}

export const resolvers: GraphQLResolverMap<InventoryContext> = {
  Query: {
    async models(
      _root: unknown,
      args: { filter?: ModelFilter | null; first: number; after?: string | null },
      ctx: InventoryContext,
    ) {
      if (args.first < 0 || args.first > MAX_PAGE) throw badInput(`first must be between 0 and ${MAX_PAGE}`);
      const all = (await listingWithErrors(ctx, ['models'])).filter((m) => matchesFilter(m, args.filter));
      let start = 0;
      if (args.after) {
        const afterKey = decodeCursor(args.after);
        // Keys are sorted: the page starts at the first key after the cursor's.
        start = all.findIndex((m) => m.key > afterKey);
        if (start === -1) start = all.length;
      }
      const page = all.slice(start, start + args.first);
      const edges = page.map((node) => ({ cursor: encodeCursor(node.key), node }));
      return {
        edges,
        nodes: page,
        pageInfo: {
          hasNextPage: start + page.length < all.length,
          endCursor: edges.length ? edges[edges.length - 1].cursor : (args.after ?? null),
        },
        totalCount: all.length,
      };
    },
    async model(_root: unknown, args: { key: string }, ctx: InventoryContext) {
      const models = await listingWithErrors(ctx, ['model']);
      return models.find((m) => m.key === args.key) ?? null;
    },
    person: (_root: unknown, args: { id: string }, ctx: InventoryContext) => ctx.people.describe(args.id),
  },
  Person: {
    __resolveReference: (ref: { id: string }, ctx: InventoryContext) => ctx.people.describe(ref.id),
    async ownedModels(person: { id: string }, _args: unknown, ctx: InventoryContext) {
      const keys = new Set(await ctx.ownership.modelsOwnedBy(person.id));
      const listing = await ctx.listing();
      return listing.models.filter((m) => keys.has(m.key));
    },
  },
  Model: {
    async __resolveReference(ref: { key: string }, ctx: InventoryContext) {
      const listing = await ctx.listing();
      const model = listing.models.find((m) => m.key === ref.key);
      // Keep what the gateway sent for `@requires` alongside the listing's fields.
      return model ? { ...ref, ...model } : null;
    },
    versions: (model: ModelWithRequiredVersions, args: { stage?: string | null }) => mergeVersions(model, args.stage),
  },
};

/**
 * Lookups into the linked listing by key and by ref. Every entity the gateway asks the
 * inventory about (`Model` references, a finding's or a deployment's model) is one lookup;
 * a scan of 10,000 models each would make a page of 200 cost millions of comparisons. The
 * indexes are kept per models array, which the lister reuses for as long as no source's
 * entries change, so they are built once per linking, not once per request.
 */
import type { SourceKind } from '../../connectors/core/source';
import type { LinkedModel } from './linking';

interface ListingIndex {
  byKey: Map<string, LinkedModel>;
  byRef: Map<string, LinkedModel>;
}

const indexes = new WeakMap<readonly LinkedModel[], ListingIndex>();

const refKey = (kind: string, instance: string, nativeId: string) => `${kind}\u0000${instance}\u0000${nativeId}`;

function indexOf(models: readonly LinkedModel[]): ListingIndex {
  let index = indexes.get(models);
  if (!index) {
    index = {
      byKey: new Map(models.map((m) => [m.key, m])),
      byRef: new Map(models.flatMap((m) => m.refs.map((r) => [refKey(r.kind, r.instance, r.nativeId), m] as const))),
    };
    indexes.set(models, index);
  }
  return index;
}

export function modelByKey(models: readonly LinkedModel[], key: string): LinkedModel | null {
  return indexOf(models).byKey.get(key) ?? null;
}

/** The model holding a registry ref (`<kind>:<instance>:<native id>`). */
export function modelByRef(models: readonly LinkedModel[], kind: SourceKind, instance: string, nativeId: string): LinkedModel | null {
  return indexOf(models).byRef.get(refKey(kind, instance, nativeId)) ?? null;
}

import { SourceError, SourceErrorCode } from './errors';

/**
 * Follows a token-paginated listing to its end (MLflow `page_token`/`next_page_token`,
 * Vertex `pageToken`/`nextPageToken`, Jira `nextPageToken`).
 *
 * `maxPages` bounds a runaway upstream that keeps answering with a token; reaching it is an
 * error rather than a silently shorter list.
 */
export async function collectTokenPages<T>(
  fetchPage: (pageToken: string | undefined) => Promise<{ items: T[]; nextPageToken?: string | null }>,
  options: { maxPages?: number; source: string },
): Promise<T[]> {
  const maxPages = options.maxPages ?? 1000;
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchPage(token);
    items.push(...result.items);
    const next = result.nextPageToken || undefined;
    if (!next) return items;
    // A token we already followed would loop forever.
    if (seen.has(next)) throw badPaging(options.source, 'a pagination token came back twice; the upstream is looping');
    seen.add(next);
    token = next;
  }
  throw badPaging(options.source, `more than ${maxPages} pages; refusing to follow further`);
}

/**
 * The page size a connector asks for: `wanted` (tests use small pages), else `fallback`,
 * a whole number within 1..`max`, the vendor's documented maximum.
 */
export function clampPageSize(wanted: number | undefined, max: number, fallback: number = max): number {
  return Math.max(1, Math.min(Math.floor(wanted ?? fallback), max));
}

/** {@link clampPageSize} for each listing of a vendor that documents one maximum per listing. */
export function clampPageSizes<K extends string>(
  wanted: Partial<Record<K, number>> | undefined,
  max: Readonly<Record<K, number>>,
  fallback: Readonly<Record<K, number>> = max,
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of Object.keys(max) as K[]) out[k] = clampPageSize(wanted?.[k], max[k], fallback[k]);
  return out;
}

/** A listing the upstream pages wrongly (looping, endless, not a list): SOURCE_BAD_RESPONSE. */
export function badPaging(source: string, detail: string): SourceError {
  return new SourceError({ source, code: SourceErrorCode.SOURCE_BAD_RESPONSE, message: `${source}: ${detail}` });
}

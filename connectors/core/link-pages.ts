import { SourceError, SourceErrorCode } from './errors';
import type { HttpClient, HttpResponse } from './http-client';
import { badPaging } from './paginate';

/**
 * RFC 8288 `Link` headers, as GitHub and GitLab paginate with them: one parser and one
 * walker for every connector, so that a fix to either (a looping upstream, a link to
 * another origin, which would be sent the token) is made once.
 */

/** One page of a Link-paginated listing, as cached: enough to revalidate it alone. */
export interface LinkPage<T> {
  /** The URL asked for: the first page's path, then the `rel="next"` links the upstream gave. */
  url: string;
  etag: string | null;
  next: string | null;
  items: T[];
}

/**
 * Follows a listing's `Link: <url>; rel="next"` headers to the end, one request per page.
 * Given the pages of an earlier walk, a page asked at the same position and URL is sent
 * with its ETag, and a 304 keeps its items (and its next link, unless the 304 carries one).
 * A next link to another origin than `origin` (the API's; by default the first link's) is
 * refused: the client would send it the token. A vendor that also says where the next page
 * is in other headers (GitLab's `x-next-page`) passes `nextWithoutLink`, asked when a page
 * has no `rel="next"` or one that may not be followed.
 */
export async function walkLinkPages<TDto, TItem>(
  http: HttpClient,
  firstPath: string,
  map: (dto: TDto) => TItem,
  options: LinkWalkOptions<TItem> = {},
): Promise<LinkPage<TItem>[]> {
  const maxPages = options.maxPages ?? 1000;
  const pages: LinkPage<TItem>[] = [];
  const seen = new Set<string>();
  let origin = options.origin;
  let url: string | null = firstPath;
  while (url !== null) {
    if (pages.length >= maxPages) throw badPaging(http.source, `more than ${maxPages} pages; refusing to follow further`);
    if (seen.has(url)) throw badPaging(http.source, 'a Link rel="next" came back twice; the upstream is looping');
    seen.add(url);
    const held = options.previous?.[pages.length];
    const heldPage = held && held.url === url ? held : undefined;
    const res: HttpResponse<TDto[]> = await http.request<TDto[]>({
      method: 'GET',
      path: url,
      route: options.route,
      headers: ifNoneMatch(heldPage?.etag),
    });
    let page: LinkPage<TItem>;
    if (res.status === 304) {
      if (!heldPage) throw badPaging(http.source, '304 Not Modified to a request without If-None-Match');
      const link = res.headers.link;
      page = { ...heldPage, etag: res.headers.etag ?? heldPage.etag, next: link === undefined ? heldPage.next : parseLinkHeader(link).next ?? null };
    } else {
      if (!Array.isArray(res.data)) {
        const got = res.data === undefined ? 'an empty body' : typeof res.data;
        throw new SourceError({ source: http.source, code: SourceErrorCode.SOURCE_BAD_RESPONSE, message: `GET ${url}: expected a JSON array, got ${got}`, status: res.status });
      }
      page = { url, etag: res.headers.etag ?? null, next: parseLinkHeader(res.headers.link).next ?? null, items: res.data.map(map) };
    }
    pages.push(page);
    let next = page.next;
    // Without a given origin, the first absolute link fixes the one every later link must keep.
    if (next) {
      const nextOrigin = originOf(next);
      if (nextOrigin) origin ??= nextOrigin;
      const refused = !nextOrigin
        ? 'a Link rel="next" is not an absolute http(s) URL'
        : nextOrigin !== origin
          ? `a Link rel="next" points to another origin (${nextOrigin})`
          : undefined;
      if (refused) {
        next = options.nextWithoutLink?.(res.headers, next) ?? null;
        if (next === null) throw badPaging(http.source, refused);
      }
    } else if (res.status !== 304) {
      next = options.nextWithoutLink?.(res.headers, undefined) ?? null;
    }
    url = next;
  }
  return pages;
}

export interface LinkWalkOptions<TItem> {
  /** The pages of an earlier walk, revalidated with their ETags. */
  previous?: readonly LinkPage<TItem>[];
  /** More pages than this is an error rather than a silently shorter list. Default 1000. */
  maxPages?: number;
  /** The only origin a next link may point to. Default: the first link's. */
  origin?: string;
  /** The first page's route template, which every next page shares (see {@link HttpRequest.route}). */
  route?: string;
  /**
   * The next page's path when the page has no `rel="next"`, or one that may not be followed
   * (`refusedLink`): from the vendor's other headers; undefined when there is none (the last
   * page, or the walk fails with the refused link's error). May throw an error of its own.
   */
  nextWithoutLink?: (headers: Readonly<Record<string, string>>, refusedLink: string | undefined) => string | undefined;
}

/** `<https://…?page=2>; rel="next", <https://…?page=5>; rel="last"` -> `{ next, last }`. */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2] ?? '');
    if (!rel) continue;
    // One link can carry several relation types: rel="next last".
    for (const name of rel[1]!.trim().split(/\s+/)) links[name.toLowerCase()] ??= match[1]!;
  }
  return links;
}

/** The origin of an absolute http(s) URL; undefined for anything else. */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The conditional-request header for a held ETag, if any. */
export function ifNoneMatch(etag: string | null | undefined): Record<string, string> | undefined {
  return etag ? { 'If-None-Match': etag } : undefined;
}

import { GITLAB_CODEOWNERS_PATHS } from './types';

/**
 * The batch query the GitLab connector sends to GitLab's GraphQL API (`POST /api/graphql`):
 * pure text building, no I/O. One `project(fullPath:)` alias per project, answering the
 * project's fields and, per ref asked, its CODEOWNERS candidates in one `blobs(paths:, ref:)`
 * read. `project(fullPath:)` is batch-resolved by GitLab and answers null for a project that
 * is missing or not visible, without failing the others. Every value goes in as a variable.
 *
 * Commits stay on REST: GitLab's GraphQL `Repository` offers no commit read by sha with the
 * author email and dates the commit mapping needs, and a commit never changes, so each is
 * one cached call at most.
 */

/**
 * At most this many project aliases and blob reads per query. GitLab refuses a query whose
 * complexity (about one point a field, plus one per blob path) passes 200 anonymous or 250
 * authenticated ("Query has complexity of N, which exceeds max complexity of 250",
 * `doc/api/graphql/_index.md`, Limits). A project alias with its CODEOWNERS read selects
 * about 18 fields: 10 of them stay under 200.
 */
export const GITLAB_GRAPHQL_MAX_PROJECTS = 10;

export interface ProjectRead {
  fullPath: string;
  /** Refs to read CODEOWNERS at; null for the default branch (GitLab's HEAD). */
  codeOwnersRefs: Array<string | null>;
}

export interface BatchQuery {
  query: string;
  variables: Record<string, unknown>;
}

export const aliases = {
  project: (i: number) => `p${i}`,
  blobs: (k: number) => `b${k}`,
} as const;

const FRAGMENTS = /* GraphQL */ `
fragment ProjectFields on Project { fullPath description webUrl visibility archived topics lastActivityAt }
`;

/** The query reading `reads`; `data.p<i>` is null for a project GitLab does not show. */
export function buildBatchQuery(reads: readonly ProjectRead[]): BatchQuery {
  // GraphQL refuses a declared variable no field uses: `$paths` only when a blob read does.
  const reading = reads.some((r) => r.codeOwnersRefs.length > 0);
  const params = reading ? ['$paths: [String!]!'] : [];
  const variables: Record<string, unknown> = reading ? { paths: [...GITLAB_CODEOWNERS_PATHS] } : {};
  const fields = reads.map((read, i) => {
    params.push(`$p${i}: ID!`);
    variables[`p${i}`] = read.fullPath;
    const blobs = read.codeOwnersRefs.map((ref, k) => {
      params.push(`$p${i}_ref${k}: String`);
      variables[`p${i}_ref${k}`] = ref;
      return `${aliases.blobs(k)}: blobs(paths: $paths, ref: $p${i}_ref${k}, first: ${GITLAB_CODEOWNERS_PATHS.length}) { nodes { path rawBlob } }`;
    });
    return `  ${aliases.project(i)}: project(fullPath: $p${i}) { ...ProjectFields repository { rootRef ${blobs.join(' ')} } }`;
  });
  return { query: `query ModelgraphGitBatch(${params.join(', ')}) {\n${fields.join('\n')}\n}\n${FRAGMENTS}`, variables };
}

/** Reads in queries of at most {@link GITLAB_GRAPHQL_MAX_PROJECTS} projects and as many blob reads. */
export function planBatches(reads: readonly ProjectRead[], max = GITLAB_GRAPHQL_MAX_PROJECTS): ProjectRead[][] {
  const batches: ProjectRead[][] = [];
  let current: ProjectRead[] = [];
  let blobReads = 0;
  for (const read of reads) {
    let refs = [...read.codeOwnersRefs];
    do {
      if (current.length >= max || blobReads >= max) {
        batches.push(current);
        current = [];
        blobReads = 0;
      }
      const take = refs.splice(0, max - blobReads);
      current.push({ fullPath: read.fullPath, codeOwnersRefs: take });
      blobReads += take.length;
    } while (refs.length);
  }
  if (current.length) batches.push(current);
  return batches;
}

/** `https://gitlab.example.com[/relative-root]` -> its GraphQL endpoint. */
export function gitlabGraphqlUrl(instanceUrl: string): string {
  return `${instanceUrl.replace(/\/+$/, '')}/api/graphql`;
}

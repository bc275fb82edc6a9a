import { GITHUB_CODEOWNERS_PATHS } from './types';

/**
 * The batch queries the GitHub connector sends to GitHub's GraphQL API: pure text building,
 * no I/O. One `repository(owner:, name:)` alias per repository, and inside it one
 * `object(oid:)` alias per commit and one `object(expression: "<ref>:<path>")` alias per
 * CODEOWNERS location, so that a page's repositories, commits and CODEOWNERS files cost one
 * request instead of a listing of the organisation, a call per commit and up to three
 * sequential probes per repository. Every value goes in as a variable, never into the text.
 */

/**
 * At most this many repositories per query. GitHub documents no cap on aliases, but it ends
 * a query that runs past 10 seconds, and cuts one that "requests thousands of objects" with
 * partial results ("Rate limits and query limits for the GraphQL API", Timeouts and Other
 * resource limits). Each repository costs a lookup and each object a git read: 50
 * repositories with three CODEOWNERS locations each and their commits stay a few hundred
 * reads, and a 50-model page still fits one query.
 */
export const GITHUB_GRAPHQL_MAX_REPOSITORIES = 50;
/** At most this many `object` reads (commits and CODEOWNERS locations) per query, for the same reason. */
export const GITHUB_GRAPHQL_MAX_OBJECTS = 300;

/** What one repository alias reads. */
export interface RepositoryRead {
  owner: string;
  name: string;
  /** Commit shas (full or abbreviated) to read in this repository. */
  commits: string[];
  /** Refs to look for CODEOWNERS at; '' for the default branch. */
  codeOwnersRefs: string[];
}

export interface BatchQuery {
  query: string;
  variables: Record<string, string>;
}

/** The alias of read `i` and of what it reads inside it. */
export const aliases = {
  repository: (i: number) => `r${i}`,
  commit: (j: number) => `c${j}`,
  codeOwners: (k: number, location: number) => `o${k}_${location}`,
} as const;

/** GraphQL rejects a document with an unused fragment, so each is sent only where used. */
const FRAGMENTS = {
  RepositoryFields: `fragment RepositoryFields on Repository {
  nameWithOwner url description isPrivate isArchived visibility updatedAt
  defaultBranchRef { name }
  repositoryTopics(first: 20) { nodes { topic { name } } }
}`,
  CommitFields: `fragment CommitFields on Commit {
  oid message authoredDate committedDate url
  author { name email date user { login } }
  committer { name email date user { login } }
}`,
  BlobFields: 'fragment BlobFields on Blob { text byteSize isBinary isTruncated }',
} as const;

const FULL_SHA = /^[0-9a-f]{40}$/i;

/** The query reading `reads`; the response's `data` holds `r<i>` per read, null where GitHub has none. */
export function buildBatchQuery(reads: readonly RepositoryRead[]): BatchQuery {
  const params: string[] = [];
  const variables: Record<string, string> = {};
  const fields = reads.map((read, i) => {
    const v = (name: string, type: string, value: string) => {
      params.push(`$${name}: ${type}`);
      variables[name] = value;
      return `$${name}`;
    };
    const inner: string[] = ['...RepositoryFields'];
    read.commits.forEach((sha, j) => {
      // A full sha is an object id; anything shorter needs rev-parse, i.e. an expression.
      const arg = FULL_SHA.test(sha) ? `oid: ${v(`c${i}_${j}`, 'GitObjectID!', sha.toLowerCase())}` : `expression: ${v(`c${i}_${j}`, 'String!', sha)}`;
      inner.push(`${aliases.commit(j)}: object(${arg}) { ...CommitFields }`);
    });
    read.codeOwnersRefs.forEach((ref, k) => {
      GITHUB_CODEOWNERS_PATHS.forEach((path, location) => {
        const expression = v(`o${i}_${k}_${location}`, 'String!', `${ref || 'HEAD'}:${path}`);
        inner.push(`${aliases.codeOwners(k, location)}: object(expression: ${expression}) { ...BlobFields }`);
      });
    });
    const owner = v(`r${i}_owner`, 'String!', read.owner);
    const name = v(`r${i}_name`, 'String!', read.name);
    return `  ${aliases.repository(i)}: repository(owner: ${owner}, name: ${name}) { ${inner.join(' ')} }`;
  });
  const used = [
    FRAGMENTS.RepositoryFields,
    ...(reads.some((r) => r.commits.length) ? [FRAGMENTS.CommitFields] : []),
    ...(reads.some((r) => r.codeOwnersRefs.length) ? [FRAGMENTS.BlobFields] : []),
  ];
  const query = `query ModelgraphGitBatch(${params.join(', ')}) {\n${fields.join('\n')}\n}\n${used.join('\n')}\n`;
  return { query, variables };
}

/**
 * Splits reads into queries within {@link GITHUB_GRAPHQL_MAX_REPOSITORIES} and
 * {@link GITHUB_GRAPHQL_MAX_OBJECTS}. A repository with more objects than one query takes is
 * read again in the next query for the rest.
 */
export function planBatches(
  reads: readonly RepositoryRead[],
  limits: { maxRepositories?: number; maxObjects?: number } = {},
): RepositoryRead[][] {
  const maxRepositories = Math.max(1, limits.maxRepositories ?? GITHUB_GRAPHQL_MAX_REPOSITORIES);
  const maxObjects = Math.max(GITHUB_CODEOWNERS_PATHS.length, limits.maxObjects ?? GITHUB_GRAPHQL_MAX_OBJECTS);
  const batches: RepositoryRead[][] = [];
  let current: RepositoryRead[] = [];
  let objects = 0;
  const flush = () => {
    if (current.length) batches.push(current);
    current = [];
    objects = 0;
  };
  for (const read of reads) {
    let commits = [...read.commits];
    let refs = [...read.codeOwnersRefs];
    do {
      if (current.length >= maxRepositories || objects >= maxObjects) flush();
      let room = maxObjects - objects;
      const takeRefs = refs.splice(0, Math.floor(room / GITHUB_CODEOWNERS_PATHS.length));
      room -= takeRefs.length * GITHUB_CODEOWNERS_PATHS.length;
      const takeCommits = commits.splice(0, room);
      current.push({ owner: read.owner, name: read.name, commits: takeCommits, codeOwnersRefs: takeRefs });
      objects += takeCommits.length + takeRefs.length * GITHUB_CODEOWNERS_PATHS.length;
      if (commits.length || refs.length) flush();
    } while (commits.length || refs.length);
  }
  flush();
  return batches;
}

/** GitHub's GraphQL endpoint for a REST API root: `/graphql` beside it, `/api/graphql` on GitHub Enterprise Server. */
export function githubGraphqlUrl(restUrl: string): string {
  const base = restUrl.replace(/\/+$/, '');
  return /\/api\/v3$/i.test(base) ? `${base.slice(0, -'/v3'.length)}/graphql` : `${base}/graphql`;
}

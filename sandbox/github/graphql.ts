/**
 * GitHub's GraphQL API (`POST /graphql`, `/api/graphql` on GitHub Enterprise Server) over the
 * same store the REST routes read, for the subset of GitHub's public schema modelgraph uses:
 * `repository(owner:, name:)` with its fields, `defaultBranchRef`, `repositoryTopics`, and
 * `object(oid:|expression:)` answering `Commit`, `Blob` and `Tree`; and `rateLimit`.
 *
 * The schema is written from GitHub's GraphQL reference with GitHub's names and types, so a
 * query asking for a field GitHub does not have fails validation here as it does there.
 * Errors take GitHub's shape: a field that failed comes back null with an entry in `errors`
 * carrying GitHub's `type` (`NOT_FOUND`, ...) and the `path` to it, and the rest of the query
 * is answered.
 */
import { createHash } from 'node:crypto';
import {
  buildSchema,
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { gitBlobSha, type GithubSandboxStore, type SandboxCommit, type SandboxRepository } from './store';

const SDL = /* GraphQL */ `
  scalar DateTime
  scalar GitObjectID
  scalar GitTimestamp
  scalar URI

  type Query {
    repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
    rateLimit(dryRun: Boolean = false): RateLimit
  }

  type RateLimit {
    cost: Int!
    limit: Int!
    nodeCount: Int!
    remaining: Int!
    resetAt: DateTime!
    used: Int!
  }

  enum RepositoryVisibility {
    INTERNAL
    PRIVATE
    PUBLIC
  }

  type Repository {
    id: ID!
    name: String!
    nameWithOwner: String!
    url: URI!
    description: String
    isPrivate: Boolean!
    isArchived: Boolean!
    visibility: RepositoryVisibility!
    createdAt: DateTime!
    pushedAt: DateTime
    updatedAt: DateTime!
    defaultBranchRef: Ref
    repositoryTopics(after: String, before: String, first: Int, last: Int): RepositoryTopicConnection!
    object(expression: String, oid: GitObjectID): GitObject
  }

  type Ref {
    id: ID!
    name: String!
    prefix: String!
    target: GitObject
  }

  type RepositoryTopicConnection {
    nodes: [RepositoryTopic]
    totalCount: Int!
  }

  type RepositoryTopic {
    id: ID!
    topic: Topic!
    url: URI!
  }

  type Topic {
    id: ID!
    name: String!
  }

  interface GitObject {
    abbreviatedOid: String!
    commitUrl: URI!
    id: ID!
    oid: GitObjectID!
    repository: Repository!
  }

  type Commit implements GitObject {
    abbreviatedOid: String!
    commitUrl: URI!
    id: ID!
    oid: GitObjectID!
    repository: Repository!
    message: String!
    messageHeadline: String!
    messageBody: String!
    authoredDate: DateTime!
    committedDate: DateTime!
    url: URI!
    author: GitActor
    committer: GitActor
  }

  type GitActor {
    name: String
    email: String
    date: GitTimestamp
    user: User
  }

  type User {
    id: ID!
    login: String!
  }

  type Blob implements GitObject {
    abbreviatedOid: String!
    commitUrl: URI!
    id: ID!
    oid: GitObjectID!
    repository: Repository!
    byteSize: Int!
    isBinary: Boolean
    isTruncated: Boolean!
    text: String
  }

  type Tree implements GitObject {
    abbreviatedOid: String!
    commitUrl: URI!
    id: ID!
    oid: GitObjectID!
    repository: Repository!
    entries: [TreeEntry!]
  }

  type TreeEntry {
    name: String!
    path: String
    type: String!
  }
`;

let schema: GraphQLSchema | undefined;

function githubSchema(): GraphQLSchema {
  if (!schema) {
    schema = buildSchema(SDL);
    // Interface members are told apart by the typename the resolvers put on each object.
    const gitObject = schema.getType('GitObject') as unknown as { resolveType?: (value: { __typename: string }) => string };
    gitObject.resolveType = (value) => value.__typename;
  }
  return schema;
}

/** An error in GitHub's shape: `type` beside the message, the path and the locations. */
export interface GithubGraphqlError {
  type?: string;
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: Record<string, unknown>;
}

export interface GraphqlBudget {
  limit: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
}

export interface GraphqlRequestContext {
  webOrigin: string;
  /** The caller's GraphQL points this hour; null when rate limiting is off (GHES's default). */
  budget: GraphqlBudget | null;
}

export interface GraphqlResult {
  body: { data?: unknown; errors?: GithubGraphqlError[] };
  /** The points the query cost (GitHub's formula); 0 when it was not run. */
  cost: number;
}

/** A field error GitHub reports with its `type`. */
class TypedError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs one GraphQL request against the store, as GitHub would answer it. */
export function runGithubGraphql(store: GithubSandboxStore, request: unknown, ctx: GraphqlRequestContext): GraphqlResult {
  const { query, variables, operationName } = (request ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof query !== 'string' || !query.trim()) {
    return { body: { errors: [{ message: 'A query attribute must be specified and must be a string.' }] }, cost: 0 };
  }
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    const e = err as GraphQLError;
    return { body: { errors: [{ message: e.message, locations: e.locations }] }, cost: 0 };
  }
  const invalid = validate(githubSchema(), document);
  if (invalid.length) return { body: { errors: invalid.map((e) => ({ message: e.message, locations: e.locations })) }, cost: 0 };

  const cost = queryCost(document);
  if (ctx.budget && ctx.budget.used + cost > ctx.budget.limit) {
    return { body: { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] }, cost: 0 };
  }
  if (ctx.budget) ctx.budget.used += cost;

  const result = execute({
    schema: githubSchema(),
    document,
    rootValue: rootValue(store, ctx, cost),
    variableValues: variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : undefined,
    operationName: typeof operationName === 'string' ? operationName : undefined,
  }) as { data?: unknown; errors?: readonly GraphQLError[] };
  const errors = result.errors?.map((e): GithubGraphqlError => {
    const typed = e.originalError instanceof TypedError ? e.originalError.type : undefined;
    return { ...(typed ? { type: typed } : {}), path: e.path, locations: e.locations, message: e.message };
  });
  return { body: { data: result.data ?? null, ...(errors?.length ? { errors } : {}) }, cost };
}

/**
 * GitHub's documented estimate: one request per connection per parent it is fetched for
 * (every `first`/`last` reached), divided by 100 and rounded, at least 1.
 */
export function queryCost(document: DocumentNode): number {
  let requests = 0;
  const walk = (set: SelectionSetNode | undefined, parents: number) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const size = pageSize(selection);
        if (size !== undefined) {
          requests += parents;
          walk(selection.selectionSet, parents * size);
        } else {
          walk(selection.selectionSet, parents);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, parents);
      } else {
        const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
        if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) walk(fragment.selectionSet, parents);
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) walk(definition.selectionSet, 1);
  }
  return Math.max(1, Math.round(requests / 100));
}

function pageSize(field: FieldNode): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
  if (!arg) return undefined;
  return arg.value.kind === Kind.INT ? Number(arg.value.value) : 100;
}

// ---- resolvers ----------------------------------------------------------------------------

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nodeId(kind: string, value: string | number): string {
  return `${kind}_kgDO${Buffer.from(String(value)).toString('base64url')}`;
}

function rootValue(store: GithubSandboxStore, ctx: GraphqlRequestContext, cost: number) {
  return {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = store.findRepository(owner, name);
      if (!repo) throw new TypedError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return repository(store, repo, ctx);
    },
    rateLimit: () => {
      const budget = ctx.budget ?? { limit: 5000, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 };
      return {
        cost,
        limit: budget.limit,
        nodeCount: 0,
        remaining: Math.max(0, budget.limit - budget.used),
        used: budget.used,
        resetAt: new Date(budget.reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      };
    },
  };
}

function repository(store: GithubSandboxStore, repo: SandboxRepository, ctx: GraphqlRequestContext) {
  return {
    id: nodeId('R', repo.id),
    name: repo.name,
    nameWithOwner: repo.fullName,
    url: `${ctx.webOrigin}/${repo.fullName}`,
    description: repo.description,
    isPrivate: repo.visibility !== 'public',
    isArchived: repo.archived,
    visibility: repo.visibility.toUpperCase(),
    createdAt: iso(repo.createdAt),
    pushedAt: iso(repo.pushedAt),
    // REST's `updated_at` for the same repository.
    updatedAt: iso(repo.pushedAt),
    defaultBranchRef: () => {
      const head = repo.heads.get(repo.defaultBranch);
      return head ? { id: nodeId('REF', `${repo.id}:${repo.defaultBranch}`), name: repo.defaultBranch, prefix: 'refs/heads/', target: commit(store, repo, head, ctx) } : null;
    },
    repositoryTopics: (args: { first?: number | null; last?: number | null }) => {
      const size = args.first ?? args.last;
      if (size === undefined || size === null) {
        throw new TypedError(
          'MISSING_PAGINATION_BOUNDARIES',
          'You must provide a `first` or `last` value to properly paginate the `repositoryTopics` connection.',
        );
      }
      const topics = args.first != null ? repo.topics.slice(0, size) : repo.topics.slice(-size);
      return {
        totalCount: repo.topics.length,
        nodes: topics.map((name) => ({ id: nodeId('RT', `${repo.id}:${name}`), url: `${ctx.webOrigin}/topics/${name}`, topic: { id: nodeId('TO', name), name } })),
      };
    },
    object: (args: { oid?: string | null; expression?: string | null }) => gitObject(store, repo, args, ctx),
  };
}

/** `object(oid:)` (a commit) or `object(expression:)`: `<rev>` or `<rev>:<path>`, as rev-parse reads them. */
function gitObject(store: GithubSandboxStore, repo: SandboxRepository, args: { oid?: string | null; expression?: string | null }, ctx: GraphqlRequestContext) {
  if (args.oid) {
    const found = repo.bySha.get(args.oid.toLowerCase());
    return found ? commit(store, repo, found, ctx) : null;
  }
  const expression = args.expression ?? '';
  const colon = expression.indexOf(':');
  const rev = colon < 0 ? expression : expression.slice(0, colon);
  const at = resolveRev(repo, rev);
  if (!at) return null;
  if (colon < 0) return commit(store, repo, at, ctx);
  const path = expression.slice(colon + 1).replace(/^\/+|\/+$/g, '');
  const text = repo.files.get(path);
  if (text !== undefined) return blob(repo, text, ctx);
  const prefix = path ? `${path}/` : '';
  const entries = new Map<string, string>();
  for (const file of repo.files.keys()) {
    if (!file.startsWith(prefix)) continue;
    const [child, ...deeper] = file.slice(prefix.length).split('/');
    if (child) entries.set(child, deeper.length ? 'tree' : 'blob');
  }
  if (!entries.size) return null;
  const oid = createHash('sha1').update(`tree ${repo.fullName} ${path}`).digest('hex');
  return {
    __typename: 'Tree',
    ...objectFields(repo, oid, at.sha, ctx),
    entries: [...entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, type]) => ({ name, path: `${prefix}${name}`, type })),
  };
}

/** HEAD, a branch, a full sha or an unambiguous prefix of at least 4. */
function resolveRev(repo: SandboxRepository, rev: string): SandboxCommit | undefined {
  if (rev === 'HEAD' || rev === '') return repo.heads.get(repo.defaultBranch);
  const branch = repo.heads.get(rev.replace(/^(refs\/)?heads\//, ''));
  if (branch) return branch;
  const sha = rev.toLowerCase();
  if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
  const exact = repo.bySha.get(sha);
  if (exact) return exact;
  const matches = repo.commits.filter((c) => c.sha.startsWith(sha));
  return matches.length === 1 ? matches[0] : undefined;
}

function objectFields(repo: SandboxRepository, oid: string, commitSha: string, ctx: GraphqlRequestContext) {
  return {
    id: nodeId('GO', oid),
    oid,
    abbreviatedOid: oid.slice(0, 7),
    commitUrl: `${ctx.webOrigin}/${repo.fullName}/commit/${commitSha}`,
    repository: () => repositoryOf(repo, ctx),
  };
}

// The repository of an object is only ever asked for its plain fields here.
function repositoryOf(repo: SandboxRepository, ctx: GraphqlRequestContext) {
  return { id: nodeId('R', repo.id), name: repo.name, nameWithOwner: repo.fullName, url: `${ctx.webOrigin}/${repo.fullName}` };
}

function commit(store: GithubSandboxStore, repo: SandboxRepository, c: SandboxCommit, ctx: GraphqlRequestContext) {
  const [headline = '', ...body] = c.message.split('\n');
  const actor = (who: SandboxCommit['author'], login: string | null) => ({
    name: who.name,
    email: who.email,
    date: iso(who.date),
    user: login ? { id: nodeId('U', store.userIds.get(login) ?? login), login } : null,
  });
  return {
    __typename: 'Commit',
    ...objectFields(repo, c.sha, c.sha, ctx),
    message: c.message,
    messageHeadline: headline,
    messageBody: body.join('\n').trim(),
    authoredDate: iso(c.author.date),
    committedDate: iso(c.committer.date),
    url: `${ctx.webOrigin}/${repo.fullName}/commit/${c.sha}`,
    author: actor(c.author, c.authorLogin),
    committer: actor(c.committer, c.committerLogin),
  };
}

function blob(repo: SandboxRepository, text: string, ctx: GraphqlRequestContext) {
  const oid = gitBlobSha(text);
  return {
    __typename: 'Blob',
    ...objectFields(repo, oid, repo.heads.get(repo.defaultBranch)?.sha ?? oid, ctx),
    byteSize: Buffer.byteLength(text, 'utf8'),
    isBinary: false,
    isTruncated: false,
    text,
  };
}

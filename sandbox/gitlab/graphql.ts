/**
 * GitLab's GraphQL API (`POST /api/graphql`) over the same store the REST routes read, for
 * the subset of GitLab's schema (`doc/api/graphql/reference/_index.md`) modelgraph uses:
 * `project(fullPath:)` with its plain fields and `repository { rootRef blobs(paths:, ref:) }`,
 * and `queryComplexity`.
 *
 * Written from GitLab's reference with GitLab's names and types, so a field GitLab does not
 * have fails validation here as there. A project the caller may not see is null, as GitLab
 * answers it (no error). Query complexity is counted as GitLab does in the main (a point a
 * field, a point a blob path) and refused past GitLab's limits: 200 anonymous, 250 signed in.
 */
import { buildSchema, execute, GraphQLError, Kind, parse, validate, type DocumentNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { gitBlobId, type GitlabProjectRecord, type GitlabStore } from './store';

const SDL = /* GraphQL */ `
  scalar Time

  type Query {
    project(fullPath: ID!): Project
    queryComplexity: QueryComplexity
  }

  type QueryComplexity {
    limit: Int
    score: Int
  }

  type Project {
    id: ID!
    name: String!
    path: String!
    fullPath: ID!
    description: String
    webUrl: String
    visibility: String
    archived: Boolean
    topics: [String!]
    createdAt: Time
    lastActivityAt: Time
    repository: Repository
  }

  enum RefType {
    HEADS
    TAGS
  }

  type Repository {
    empty: Boolean!
    exists: Boolean!
    rootRef: String
    blobs(paths: [String!]!, ref: String, refType: RefType, after: String, before: String, first: Int, last: Int): RepositoryBlobConnection
  }

  type RepositoryBlobConnection {
    count: Int!
    nodes: [RepositoryBlob]
  }

  type RepositoryBlob {
    id: ID!
    name: String!
    path: String!
    oid: String!
    size: Int
    rawBlob: String
    rawTextBlob: String
    webPath: String
  }
`;

let schema: GraphQLSchema | undefined;

function gitlabSchema(): GraphQLSchema {
  schema ??= buildSchema(SDL);
  return schema;
}

/** GitLab's limits on a query's complexity (`app/graphql/gitlab_schema.rb`). */
export const GITLAB_MAX_COMPLEXITY = { anonymous: 200, authenticated: 250 } as const;

export interface GitlabGraphqlBody {
  data?: unknown;
  errors?: Array<{ message: string; locations?: unknown; path?: ReadonlyArray<string | number> }>;
}

/** Runs one GraphQL request against the store, as GitLab answers it (HTTP 200 whatever the errors). */
export function runGitlabGraphql(store: GitlabStore, request: unknown, caller: { anonymous: boolean }): GitlabGraphqlBody {
  const { query, variables, operationName } = (request ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof query !== 'string' || !query.trim()) return { errors: [{ message: 'No query string was present' }] };
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    const e = err as GraphQLError;
    return { errors: [{ message: e.message, locations: e.locations }] };
  }
  const invalid = validate(gitlabSchema(), document);
  if (invalid.length) return { errors: invalid.map((e) => ({ message: e.message, locations: e.locations })) };
  const vars = variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : {};
  const score = complexity(document, vars);
  const limit = caller.anonymous ? GITLAB_MAX_COMPLEXITY.anonymous : GITLAB_MAX_COMPLEXITY.authenticated;
  if (score > limit) return { errors: [{ message: `Query has complexity of ${score}, which exceeds max complexity of ${limit}` }] };

  const result = execute({
    schema: gitlabSchema(),
    document,
    rootValue: {
      project: ({ fullPath }: { fullPath: string }) => {
        const found = store.findProject(fullPath);
        return found && (!caller.anonymous || found.visibility === 'public') ? project(store, found) : null;
      },
      queryComplexity: () => ({ limit, score }),
    },
    variableValues: vars,
    operationName: typeof operationName === 'string' ? operationName : undefined,
  }) as { data?: unknown; errors?: readonly GraphQLError[] };
  const errors = result.errors?.map((e) => ({ message: e.message, locations: e.locations, path: e.path }));
  return { data: result.data ?? null, ...(errors?.length ? { errors } : {}) };
}

/** A point per field selected, and one per path a `blobs` read names (its resolver's own cost). */
export function complexity(document: DocumentNode, variables: Record<string, unknown>): number {
  let score = 0;
  const walk = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        score += 1;
        if (selection.name.value === 'blobs') {
          const paths = selection.arguments?.find((a) => a.name.value === 'paths')?.value;
          if (paths?.kind === Kind.LIST) score += paths.values.length;
          else if (paths?.kind === Kind.VARIABLE) {
            const value = variables[paths.name.value];
            score += Array.isArray(value) ? value.length : 0;
          }
        }
        walk(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else {
        const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
        if (fragment?.kind === Kind.FRAGMENT_DEFINITION) walk(fragment.selectionSet);
      }
    }
  };
  for (const definition of document.definitions) if (definition.kind === Kind.OPERATION_DEFINITION) walk(definition.selectionSet);
  return score;
}

function project(store: GitlabStore, record: GitlabProjectRecord) {
  const dto = record.dto;
  return {
    id: `gid://gitlab/Project/${record.id}`,
    name: dto.name,
    path: dto.path,
    fullPath: record.fullName,
    description: dto.description ?? null,
    webUrl: dto.web_url ?? null,
    visibility: record.visibility,
    archived: record.archived,
    topics: dto.topics ?? [],
    createdAt: dto.created_at ?? null,
    lastActivityAt: dto.last_activity_at ?? null,
    repository: {
      empty: record.commits.size === 0,
      exists: true,
      rootRef: dto.default_branch ?? null,
      // `ref` omitted (or null) is the default branch; paths not there are left out.
      blobs: ({ paths, ref }: { paths: string[]; ref?: string | null }) => {
        const at = store.resolveRef(record, ref ?? dto.default_branch ?? 'HEAD');
        const nodes = at
          ? paths.flatMap((path) => {
              const file = record.files.get(path.replace(/^\/+/, ''));
              if (!file) return [];
              return [{
                id: `gid://gitlab/Blob/${gitBlobId(file.content)}`,
                name: file.path.slice(file.path.lastIndexOf('/') + 1),
                path: file.path,
                oid: gitBlobId(file.content),
                size: Buffer.byteLength(file.content, 'utf8'),
                rawBlob: file.content,
                rawTextBlob: file.content,
                webPath: `/${record.fullName}/-/blob/${ref ?? dto.default_branch}/${file.path}`,
              }];
            })
          : [];
        return { count: nodes.length, nodes };
      },
    },
  };
}

import { z } from 'zod';
import { httpUrl, instanceName, positiveInt } from '../connectors/core/config';
import { SOURCE_MODULES, type RegisteredSource, type SourceConfigKey } from '../connectors/sources';
import type { SourceModule } from '../connectors/source-module';
import { NON_PRODUCTION_ENDPOINTS } from '../lib/non-production-endpoints';

// Each source's instance schema lives in its connector's folder; re-exported for the callers that name them here.
export { connectionOptions, type ConnectionConfig } from '../connectors/core/config';
export { authSchema, mlflowInstanceSchema, type AuthConfig, type MlflowInstanceConfig } from '../connectors/mlflow/config';
export { jiraInstanceSchema, type JiraInstanceConfig } from '../connectors/jira/config';
export { githubInstanceSchema, type GithubInstanceConfig } from '../connectors/github/config';
export { gitlabInstanceSchema, type GitlabInstanceConfig } from '../connectors/gitlab/config';
export { sagemakerInstanceSchema, type SagemakerInstanceConfig } from '../connectors/sagemaker/config';
export { vertexInstanceSchema, type VertexInstanceConfig } from '../connectors/vertex/config';
export { azuremlInstanceSchema, type AzuremlInstanceConfig } from '../connectors/azureml/config';

/**
 * The configuration file's schema: parsed once at start-up, so a wrong key fails the
 * process before it serves anything, with the key named (see `load.ts`).
 */

/** Severities are written lower-case in YAML (`high`) and used upper-case in the graph. */
const severity = z
  .enum(['low', 'medium', 'high', 'LOW', 'MEDIUM', 'HIGH'])
  .transform((s) => s.toUpperCase() as 'LOW' | 'MEDIUM' | 'HIGH');

function ruleSchema(defaultSeverity: 'low' | 'medium' | 'high') {
  return z.object({ enabled: z.boolean().default(true), severity: severity.prefault(defaultSeverity) }).strict();
}

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

export { NON_PRODUCTION_ENDPOINTS };

/**
 * The governance rules' settings (see subgraphs/inventory/governance). The only place their
 * defaults are written: `DEFAULT_GOVERNANCE` is this schema's answer to `{}`.
 */
export const governanceSchema = z
  .object({
    /** Registry stages that mean production, compared case-insensitively. */
    productionStages: z.array(z.string().min(1)).default(['Production']),
    /** Aliases that name the version that should serve (`champion`). */
    productionAliases: z.array(z.string().min(1)).default(['champion', 'production', 'prod']),
    /** Endpoints matching this (case-insensitive) take no production traffic; "" makes every endpoint production. */
    nonProductionEndpoints: regexSource.default(NON_PRODUCTION_ENDPOINTS),
    /** What makes a Jira ticket linked to a model an approval of it. */
    approval: z
      .object({
        statusCategories: z.array(z.enum(['TODO', 'IN_PROGRESS', 'DONE'])).min(1).default(['DONE']),
        statuses: z.array(z.string().min(1)).default([]),
        issueTypes: z.array(z.string().min(1)).default([]),
        labels: z.array(z.string().min(1)).default([]),
        summaryPattern: regexSource.default('approv'),
        /**
         * A Jira field id whose values name the approved version (a number, a model version
         * id or a registry URL), besides the summary and description; requested from Jira
         * with the model tickets only when set.
         */
        versionField: z
          .string()
          .regex(/^(customfield_\d+|[a-z][a-zA-Z]*)$/, 'must be a Jira field id, e.g. customfield_10042')
          .nullable()
          .default(null),
        /**
         * Whether a done approval ticket that names no version approves every version of the
         * model. Default false: each version in production needs an approval naming it.
         */
        acceptModelLevelTicket: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /**
     * Glob patterns (`*` and `?`, case-insensitive) of service identities (`svc-*`), tried on
     * version creators (an AWS assumed role's role and session names too) and ticket
     * assignees: a service never counts as a model's owner. Cloud-declared services (Azure
     * `createdByType` Application, assumed roles without a person's session) need no pattern.
     */
    serviceIdentities: z.array(z.string().min(1)).default(['svc-*']),
    rules: z
      .object({
        DEPLOYED_NOT_REGISTERED: ruleSchema('high').prefault({}),
        PRODUCTION_WITHOUT_APPROVAL: ruleSchema('high').prefault({}),
        NO_OWNER: ruleSchema('medium').prefault({}),
        STAGE_DRIFT: ruleSchema('medium').prefault({}),
        FAILED_DEPLOYMENT: ruleSchema('high').prefault({}),
        APPROVED_NOT_DEPLOYED: ruleSchema('low')
          .extend({ afterDays: z.number().min(0).default(30) })
          .strict()
          .prefault({}),
        UNTRACEABLE_VERSION: ruleSchema('medium').prefault({}),
      })
      .strict()
      .prefault({}),
    /**
     * Findings accepted for now: listed with their waiver, never failing `reconcile`. A
     * fingerprint is what `Finding.fingerprint` says (PRODUCTION_WITHOUT_APPROVAL's is per
     * version since it judges each version: a waiver written for its earlier model-level
     * fingerprint no longer matches); `until` an ISO date (through that UTC
     * day) or date-time, after which the finding counts again.
     */
    waivers: z
      .array(
        z
          .object({
            fingerprint: z.string().regex(/^[0-9a-f]{16}$/, 'must be a finding fingerprint (16 hex digits)'),
            reason: z.string().min(1),
            until: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}(T.+)?$/, 'must be an ISO date or date-time')
              .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date or date-time')
              .nullable()
              .default(null),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .prefault({});

/** A Jira label: Jira refuses one with whitespace. */
const jiraLabel = z.string().min(1).max(255).regex(/^\S+$/, 'must be a Jira label: no spaces');

/**
 * Jira tickets for governance findings (`openFindingTickets`, `modelgraph reconcile
 * --open-tickets`): where they are filed and how. Off when absent.
 */
const ticketsSchema = z
  .object({
    /** The `sources.jira` instance tickets are filed in. */
    jira: instanceName,
    /** The project key, e.g. MLOPS. */
    project: z.string().regex(/^[A-Z][A-Z0-9_]+$/, 'must be a Jira project key'),
    /** The issue type's name, as the project's create screen offers it. */
    issueType: z.string().min(1).default('Task'),
    /** Labels every finding ticket carries, besides modelgraph's own (`modelgraph-finding` and the fingerprint's). */
    labels: z.array(jiraLabel).default([]),
    /** The priority's name per finding severity; a severity left out gets the project's default priority. */
    priorities: z
      .object({ high: z.string().min(1).optional(), medium: z.string().min(1).optional(), low: z.string().min(1).optional() })
      .strict()
      .default({ high: 'High', medium: 'Medium', low: 'Low' }),
    /** The workflow transition (by name) applied when a ticketed finding is gone, after the comment saying so; none: only the comment. */
    resolvedTransition: z.string().min(1).optional(),
  })
  .strict();

export type TicketsConfig = z.infer<typeof ticketsSchema>;

/** A secret-looking value must not be empty or a placeholder left in by mistake. */
const secretString = z.string().min(16, 'must be at least 16 characters (use a random value)');

/** `sha256:<64 hex>`: an API key as the config stores it (see `modelgraph api-key`). */
const apiKeyHash = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" and the 64 hex digits of the key\'s SHA-256 (see `modelgraph api-key`)');

const scopeName = z.string().regex(/^[A-Za-z0-9_.:*-]{1,64}$/, 'must be a scope name such as jira:read');

/** Asymmetric JWS algorithms only: a shared-secret HS256 key in a gateway config is a key anyone with the config can mint tokens with. */
const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const jwtSchema = z
  .object({
    /** The identity provider's JWKS document, fetched and cached; an unknown `kid` refetches it (at most every 30 s). */
    jwksUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Keys known without a JWKS URL: PEM (SPKI) public keys or public JWKs. */
    publicKeys: z
      .array(
        z.union([
          z.object({ pem: z.string().includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key (BEGIN PUBLIC KEY)' }), kid: z.string().min(1).optional(), alg: z.enum(JWT_ALGORITHMS) }).strict(),
          z.object({ jwk: z.record(z.string(), z.unknown()) }).strict(),
        ]),
      )
      .optional(),
    /** Required `iss`. */
    issuer: z.string().min(1),
    /** Required `aud` (one of these). */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default(['RS256', 'ES256']),
    /** Leeway for `exp`, `nbf` and `iat` against clock drift. */
    clockSkewSeconds: z.number().int().min(0).max(300).default(30),
    /**
     * Where the caller's scopes are: a space-separated string claim (`scope`, OAuth 2.0) or
     * an array claim (`roles`, `groups`, `scp`); a dotted path reaches nested claims
     * (`realm_access.roles`).
     */
    scopesClaim: z.string().min(1).default('scope'),
    /** The claim that names the caller's email, for `Query.me`. */
    emailClaim: z.string().min(1).default('email'),
    /** How long fetched JWKS keys are trusted before a refetch. */
    jwksCacheSeconds: z.number().int().min(1).default(600),
  })
  .strict()
  .refine((jwt) => jwt.jwksUrl !== undefined || (jwt.publicKeys?.length ?? 0) > 0, {
    message: 'needs jwksUrl or publicKeys',
  });

const authSchemaServer = z.discriminatedUnion('mode', [
  /** No authentication: every caller sees everything. Only for a trusted network; must be written explicitly. */
  z.object({ mode: z.literal('none') }).strict(),
  z
    .object({
      mode: z.literal('required'),
      jwt: jwtSchema.optional(),
      /** For scripts and CI: sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
      apiKeys: z
        .array(z.object({ name: z.string().min(1).max(64), hash: apiKeyHash, scopes: z.array(scopeName).default([]) }).strict())
        .optional(),
    })
    .strict()
    .refine((auth) => auth.jwt !== undefined || (auth.apiKeys?.length ?? 0) > 0, {
      message: 'mode "required" needs jwt or apiKeys',
    }),
]);

/** What one request may cost; refused before planning (validation) or cut while running. */
const limitsSchema = z
  .object({
    /** Deepest selection a query may have. */
    maxDepth: positiveInt.max(100).default(15),
    /** Largest number of tokens a query document may have (checked while parsing). */
    maxTokens: positiveInt.default(5000),
    /** Aliased fields in one document. */
    maxAliases: positiveInt.default(30),
    /** Directive usages in one document. */
    maxDirectives: positiveInt.default(50),
    /** Top-level fields (aliases included) of one operation. */
    maxRootFields: positiveInt.default(20),
    /** Estimated cost (Apollo Router's demand-control model, list sizes multiplied); see README. */
    maxCost: positiveInt.default(250_000),
    /** Size assumed for a list with no slicing argument and no @listSize in the schema. */
    defaultListSize: positiveInt.default(100),
    /** Upstream calls one request may make (cache hits are free); 0 for no limit. */
    upstreamCallBudget: z.number().int().min(0).default(5_000),
    /** Whole-request deadline; sources still pending then answer with a timeout error. */
    requestTimeoutMs: positiveInt.default(60_000),
  })
  .strict()
  .prefault({});

const serverSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(4000),
    /** Loopback by default, as Apollo Router; a container sets 0.0.0.0 (which then needs `auth`). */
    host: z.string().min(1).default('127.0.0.1'),
    /** Defaults to on, and to off when NODE_ENV=production. */
    introspection: z.boolean().optional(),
    /** Deprecated spelling of `limits.maxDepth`, kept so older configs load. */
    maxDepth: positiveInt.max(100).optional(),
    /** Deprecated spelling of `limits.maxTokens`. */
    maxTokens: positiveInt.optional(),
    limits: limitsSchema,
    /**
     * Who may ask. Required on a non-loopback host: `{mode: none}` must be written to serve
     * without authentication.
     */
    auth: authSchemaServer.optional(),
    /** Stack traces, internal URLs and upstream messages in error responses: for debugging only. */
    debug: z.boolean().default(false),
    /**
     * On SIGTERM/SIGINT, how long requests in flight may take to finish before their
     * connections are cut. Below Kubernetes' default 30 s terminationGracePeriodSeconds.
     */
    shutdownGraceSeconds: z.number().min(0).max(3600).default(20),
    /** Browser origins allowed to call the graph (CORS), e.g. https://portal.example.com; none by default. */
    cors: z
      .object({
        origins: z.array(z.union([z.literal('*'), z.url({ protocol: /^https?$/, error: 'must be an origin such as https://portal.example.com' })])).default([]),
        /** Send cookies/Authorization cross-origin (never with `*`). */
        credentials: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Requests per client (API key, token subject, or address when auth is off) per minute; shared through Redis when configured. 0 turns it off. */
    rateLimit: z
      .object({ requestsPerMinute: z.number().int().min(0).default(600) })
      .strict()
      .prefault({}),
    /**
     * The secret the gateway signs subgraph requests with (HMAC-SHA256) and subgraphs
     * verify; MODELGRAPH_SUBGRAPH_SECRET sets it. The all-in-one process makes its own.
     */
    subgraphSecret: secretString.optional(),
    /**
     * Prometheus `/metrics`. Without `port`, the gateway serves it beside /graphql (`admin`
     * scope when auth is on) and a subgraph process serves none; with `port`, every process
     * serves it there instead, unauthenticated, on `host` (default `server.host`): for a
     * scraper on a private network, as Apollo Router's port 9090.
     */
    metrics: z
      .object({
        enabled: z.boolean().default(true),
        port: z.number().int().min(0).max(65535).optional(),
        host: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .transform(({ maxDepth, maxTokens, ...server }) => ({
    ...server,
    limits: { ...server.limits, ...(maxDepth ? { maxDepth } : {}), ...(maxTokens ? { maxTokens } : {}) },
  }))
  .prefault({});

const RESPONSE_CACHE_DEFAULTS = { enabled: true, maxEntries: 1000, maxBytes: 64 * 1024 * 1024, maxTtlSeconds: 60 };

const responseCacheSchema = z
  .object({
    /** Default: true. */
    enabled: z.boolean().default(RESPONSE_CACHE_DEFAULTS.enabled),
    /** Answers kept decoded in each gateway's memory (in front of Redis, when there is one), least recently used evicted. Default: 1000. */
    maxEntries: z.number().int().min(1).default(RESPONSE_CACHE_DEFAULTS.maxEntries),
    /** What they may weigh together in memory, in characters of JSON; also the largest one answer kept (Redis too). Default: 64 Mi. */
    maxBytes: z.number().int().min(1).default(RESPONSE_CACHE_DEFAULTS.maxBytes),
    /** The longest an answer is kept, even when its sources say longer (or name no cache entry). Default: 60. */
    maxTtlSeconds: z.number().min(0).default(RESPONSE_CACHE_DEFAULTS.maxTtlSeconds),
  })
  .strict()
  .default(RESPONSE_CACHE_DEFAULTS);

export type ResponseCacheConfig = z.infer<typeof responseCacheSchema>;

const DURATION_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `15m`, `1h`, `1d`; `0` for none. In ms after parsing. */
const duration = (max: { ms: number; text: string }) =>
  z
    .union([z.literal(0), z.string().regex(/^(0|\d+(s|m|h|d))$/, 'must be a duration such as 30s, 15m, 1h or 1d (or 0)')])
    .transform((text) => (text === 0 || text === '0' ? 0 : Number(text.slice(0, -1)) * DURATION_UNITS_MS[text.slice(-1) as keyof typeof DURATION_UNITS_MS]))
    .refine((ms) => ms <= max.ms, `must be at most ${max.text}`);

/**
 * Governance snapshots (subgraphs/inventory/history): each index build's findings and
 * lifecycle facts, so that `findingHistory` and the trends can be asked. Off unless turned
 * on (it needs a writable, lasting place: a volume, or PostgreSQL); the demo turns it on.
 */
const historySchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The SQLite file, when no postgresUrl is set; relative to the working directory. */
    path: z.string().min(1).default('./data/history.sqlite'),
    /** Record in PostgreSQL instead (`postgres://user:pass@host:5432/db`; use ${VAR} for the password). */
    postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
    /** The PostgreSQL schema the tables live in; created when missing. */
    postgresSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('modelgraph_history'),
    /**
     * At most about one snapshot per interval (a build sooner is not recorded), and `serve`
     * asks for a build this often so the history grows with nobody querying. `0`: every build,
     * no schedule. Default 1h.
     */
    interval: duration({ ms: 7 * 86_400_000, text: '7d' }).prefault('1h'),
  })
  .strict()
  .prefault({});

export type HistoryConfig = z.infer<typeof historySchema>;

/**
 * `sources`: one array of instances per registered source kind (connectors/sources.ts), each
 * validated by its connector's own schema; an absent kind is an empty list.
 */
type SourcesShape = { [M in RegisteredSource as M['configKey']]: z.ZodDefault<z.ZodArray<M['schema']>> };

const sourcesSchema = z
  .object(Object.fromEntries(SOURCE_MODULES.map((m) => [m.configKey, z.array(m.schema).default([])])) as SourcesShape)
  .strict()
  .default(Object.fromEntries(SOURCE_MODULES.map((m) => [m.configKey, []])) as unknown as { [K in SourceConfigKey]: never[] });


/** The subgraphs a gateway run on its own finds by URL (`subgraphs.<name>`). */
export const SUBGRAPH_NAMES = ['inventory', 'mlflow', 'jira', 'git', 'registries'] as const;

/**
 * The whole configuration, parsed once at start-up (config/load.ts).
 *
 * Environment variables the program reads, all here so that none is a surprise:
 * - over the file (load.ts): `PORT` (server.port), `MODELGRAPH_METRICS_PORT`
 *   (server.metrics.port), `REDIS_URL` (cache.redisUrl), `LOG_LEVEL` (logLevel),
 *   `MODELGRAPH_SUBGRAPH_SECRET` (server.subgraphSecret), `MODELGRAPH_SUBGRAPH_<NAME>_URL`
 *   (subgraphs.<name>), and any `${VAR}` the file names;
 * - `NODE_ENV`: `production` turns introspection off when `server.introspection` is unset;
 * - the CLI's: `MODELGRAPH_CONFIG` (the file, when there is no --config), `MODELGRAPH_API_KEY`
 *   (sent by report and reconcile as a Bearer token), `MODELGRAPH_ENDPOINT` (examples/);
 * - OpenTelemetry's `OTEL_*` (cli/tracing.ts: traces are exported when they ask for it);
 * - `APOLLO_TELEMETRY_DISABLED`, which the gateway sets to true unless it is set, so that
 *   Apollo's usage reporting stays off unless asked for.
 */
export const configSchema = z
  .object({
    server: serverSchema,
    cache: z
      .object({
        /** Shared cache across replicas; the REDIS_URL environment variable also sets it. */
        redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
        ttlSeconds: z.number().int().min(0).default(60),
        staleSeconds: z.number().int().min(0).default(300),
        /**
         * Whole answers to queries, kept at the gateway (in Redis when `redisUrl` is set, else
         * in memory) until the earliest source entry they were built from stops being fresh.
         */
        responses: responseCacheSchema,
        /**
         * Lists every registry and deployment and builds the governance index at start-up, and
         * keeps them fresh in the background (once per cluster when Redis is shared): the first
         * query after start-up and the pages after it do not pay for them. Default: true.
         */
        warmUp: z.boolean().default(true),
      })
      .strict()
      .default({ ttlSeconds: 60, staleSeconds: 300, responses: RESPONSE_CACHE_DEFAULTS, warmUp: true }),
    sources: sourcesSchema,
    linking: z
      .object({
        /** A registry tag whose value names the model key, overriding name normalisation. */
        keyTag: z.string().min(1).default('modelgraph.key'),
        /**
         * Model key -> repository URL, for models whose runs record no git source (or the
         * wrong one); wins over what the newest version's run says.
         */
        repositories: z.record(z.string().min(1), z.string().min(1)).default({}),
        /**
         * YAML file of explicit links, `links: {"<kind>:<instance>:<native id>": <model key>}`,
         * for registry entries the tag and name rules link wrongly; overrides win.
         */
        overridesFile: z.string().min(1).optional(),
      })
      .strict()
      .default({ keyTag: 'modelgraph.key', repositories: {} }),
    inventory: z
      .object({
        /**
         * No longer used: the inventory's indexes read the sources directly, not the graph
         * through the gateway. Accepted, with a warning at start-up, so that a config written
         * for an earlier version still loads.
         */
        graphUrl: httpUrl.optional(),
      })
      .strict()
      .default({}),
    governance: governanceSchema,
    history: historySchema,
    tickets: ticketsSchema.optional(),
    people: z
      .object({
        /** YAML file tying tool identities that hide emails to people (see README). */
        aliasesFile: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    /**
     * Subgraph URLs, for a gateway run on its own (`modelgraph serve --role gateway`);
     * `MODELGRAPH_SUBGRAPH_<NAME>_URL` overrides each.
     */
    subgraphs: z.partialRecord(z.enum(SUBGRAPH_NAMES), httpUrl).optional(),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const instancesOf = (key: string) => ((config.sources as Record<string, Array<{ name: string }>>)[key] ?? []).map((i) => i.name);
    for (const module of SOURCE_MODULES as readonly SourceModule[]) {
      (config.sources[module.configKey as SourceConfigKey] as unknown[]).forEach((instance, index) => {
        for (const ref of module.references?.(instance) ?? []) {
          const there = instancesOf(ref.configKey);
          if (there.includes(ref.name)) continue;
          const label = SOURCE_MODULES.find((m) => m.configKey === ref.configKey)?.label ?? ref.configKey;
          ctx.addIssue({
            code: 'custom',
            path: ['sources', module.configKey, index, ...ref.path],
            message: `no ${label} instance "${ref.name}" under sources.${ref.configKey}${there.length ? ` (there are: ${there.join(', ')})` : ''}`,
          });
        }
      });
    }
    for (const { configKey: kind } of SOURCE_MODULES) {
      const seen = new Set<string>();
      (config.sources[kind] as Array<{ name: string }>).forEach((instance, index) => {
        if (seen.has(instance.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['sources', kind, index, 'name'],
            message: `duplicate instance name "${instance.name}"`,
          });
        }
        seen.add(instance.name);
      });
    }
    const tickets = config.tickets;
    if (tickets) {
      const jira = config.sources.jira.find((j) => j.name === tickets.jira);
      if (!jira) {
        ctx.addIssue({
          code: 'custom',
          path: ['tickets', 'jira'],
          message: `no Jira instance "${tickets.jira}" under sources.jira${config.sources.jira.length ? ` (there are: ${config.sources.jira.map((j) => j.name).join(', ')})` : ''}`,
        });
      } else if (jira.projects?.length && !jira.projects.includes(tickets.project)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tickets', 'project'],
          message: `project ${tickets.project} is outside sources.jira "${jira.name}".projects (${jira.projects.join(', ')})`,
        });
      }
    }
  });

export type ModelgraphConfig = z.infer<typeof configSchema>;
export type ServerConfig = ModelgraphConfig['server'];
export type ServerAuthConfig = NonNullable<ServerConfig['auth']>;
export type JwtConfig = z.infer<typeof jwtSchema>;
export type LimitsConfig = ServerConfig['limits'];
export type MetricsConfig = ServerConfig['metrics'];

/**
 * Each command's options (what main.ts parses) and its `--help`: the options with their
 * defaults and an example. One table, so that an option cannot be added without its line
 * of help (test/cli/help.test.ts checks every option is listed).
 */
import type { ParseArgsOptionsConfig } from './args';
import { RECONCILE_OPTIONS, RECONCILE_USAGE } from './reconcile';
import { REPORT_OPTIONS, REPORT_USAGE } from './report';
import { SUBGRAPHS } from '../gateway/subgraphs';

export interface CommandHelp {
  options: ParseArgsOptionsConfig;
  help: string;
}

const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  role: { type: 'string', default: 'all' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  models: { type: 'string' },
  seed: { type: 'string' },
  'history-demo': { type: 'boolean', default: false },
} as const satisfies ParseArgsOptionsConfig;

const SERVE_HELP = `Usage: modelgraph serve [--config FILE] [--role ROLE] [--port N] [--host HOST]
       modelgraph serve [--models N] [--seed N] [--history-demo]       (the demo)
  Serves the graph. Without a config file it runs the demo: sandbox upstreams seeded with a
  demo organisation. \`modelgraph start\` (what \`npm start\` runs) is the same command.
Options:
  -c, --config FILE   the configuration file (default: $MODELGRAPH_CONFIG; neither: the demo)
  --role ROLE         all, gateway or one subgraph (default: all, the gateway and every
                      subgraph in one process); subgraphs: ${SUBGRAPHS.map((s) => s.name).join(', ')}
  -p, --port N        the port (default: $PORT, else the config's server.port, 4000)
  --host HOST         the address to listen on (default: the config's server.host, 127.0.0.1)
  --models N          demo only: models in the demo organisation (default: 36)
  --seed N            demo only: the demo organisation's random seed (default: 42)
  --history-demo      demo only: first record a week of simulated daily snapshots into
                      data/history-demo.sqlite (made afresh) (default: off)
  -h, --help          this help
Exit: 2 when it cannot start (bad option or configuration, port in use, a store that
cannot be opened); 0 after a clean shutdown (SIGINT, SIGTERM).
Example:
  modelgraph serve --config examples/modelgraph.yaml --port 4000
`;

const COMPOSE_OPTIONS = { check: { type: 'boolean', default: false }, out: { type: 'string' } } as const satisfies ParseArgsOptionsConfig;

const COMPOSE_HELP = `Usage: modelgraph compose [--check] [--out FILE]
  Composes the supergraph from the subgraph schemas, and next to it public.graphql (the
  schema clients see).
Options:
  --check             only compare: exit 1 when either checked-in file is stale (default: off)
  --out FILE          where the supergraph goes (default: schema/supergraph.graphql)
  -h, --help          this help
Example:
  modelgraph compose --check
`;

const SCHEMA_OPTIONS = { public: { type: 'boolean', default: false } } as const satisfies ParseArgsOptionsConfig;

const SCHEMA_HELP = `Usage: modelgraph schema [--public]
  Prints the supergraph the gateway loads.
Options:
  --public            the schema served to clients instead (no federation internals, nothing
                      @inaccessible): the SDL for a client's code generator (default: off)
  -h, --help          this help
Example:
  modelgraph schema --public > schema.graphql
`;

const API_KEY_OPTIONS = { name: { type: 'string', default: 'script' }, scope: { type: 'string', multiple: true } } as const satisfies ParseArgsOptionsConfig;

const API_KEY_HELP = `Usage: modelgraph api-key [--name NAME] [--scope SCOPE ...]
  Makes a new API key for a script or CI job: prints the key (give it to the client; it is
  not stored) and the server.auth.apiKeys entry with its SHA-256 hash.
Options:
  --name NAME         the key's name in the config and the logs (default: script)
  --scope SCOPE       a scope the key grants, e.g. governance:write; repeatable (default: none)
  -h, --help          this help
Example:
  modelgraph api-key --name ci-gate --scope governance:write
`;

const SANDBOX_OPTIONS = { port: { type: 'string', short: 'p' }, models: { type: 'string' }, seed: { type: 'string' } } as const satisfies ParseArgsOptionsConfig;

const SANDBOX_HELP = `Usage: modelgraph sandbox [--port N] [--models N] [--seed N]
  Runs only the sandbox upstreams, one per source kind (MLflow twice: prod and research), on
  consecutive ports from N, and prints each one's URL and the credentials it accepts.
Options:
  -p, --port N        the first port (default: 5000)
  --models N          models in the demo organisation (default: 36)
  --seed N            the demo organisation's random seed (default: 42)
  -h, --help          this help
Example:
  modelgraph sandbox --port 5000 --models 100
`;

export const COMMANDS = {
  serve: { options: SERVE_OPTIONS, help: SERVE_HELP },
  compose: { options: COMPOSE_OPTIONS, help: COMPOSE_HELP },
  schema: { options: SCHEMA_OPTIONS, help: SCHEMA_HELP },
  report: { options: REPORT_OPTIONS, help: REPORT_USAGE },
  reconcile: { options: RECONCILE_OPTIONS, help: RECONCILE_USAGE },
  'api-key': { options: API_KEY_OPTIONS, help: API_KEY_HELP },
  sandbox: { options: SANDBOX_OPTIONS, help: SANDBOX_HELP },
} as const satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMANDS;

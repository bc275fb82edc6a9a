import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Kind, OperationTypeNode, type DocumentNode, type TypeNode, type VariableDefinitionNode } from 'graphql';
import { ModelgraphError } from '../../connectors/core/errors';
import {
  createGraphqlClient,
  fetchAllPages,
  parseQuery,
  ReportError,
  selectOperation,
  type GraphQLErrorLike,
  type GraphqlVariables,
} from '../graphql-client';
import { flatten } from './flatten';
import { formatRows, isReportFormat, REPORT_FORMATS, type ReportFormat } from './format';
import { createProgress } from './progress';
import { explainParseError } from '../args';

/**
 * `modelgraph report FILE.graphql`: runs a query against a gateway, follows its paginated
 * connections to the end (see fetchAllPages: the report must declare `$after: String` and
 * pass it to the connection's `after`), and prints the rows in the chosen format.
 *
 * Exit codes: 0 the report was written; 1 the graph answered with errors, or could not be
 * reached (nothing is written to --out then: a partial inventory that looks complete is
 * worse than none); 2 the command line or the report file is wrong.
 */

export { ReportError } from '../graphql-client';
export { flatten, type Cell, type Row, type FlatTable } from './flatten';
export { formatData, formatRows, REPORT_FORMATS, type ReportFormat } from './format';

export const REPORT_USAGE = `Usage: modelgraph report FILE.graphql [--var NAME=VALUE ...] [--format table|csv|json|markdown]
                        [--endpoint URL] [--out FILE]
  Runs the GraphQL query in FILE and prints its rows. Connections whose after argument is
  bound to a variable (query($after: String) { models(first: 100, after: $after) { ... } })
  are followed to their last page. --var values are JSON when they parse as JSON (numbers,
  booleans, objects), strings otherwise; variables declared String or ID always get the text.
  csv, table and markdown show one row per element of the first list in the result, nested
  fields as dotted columns; json prints the whole result. On a terminal, the pages fetched
  are shown on stderr.
Options:
  --var NAME=VALUE    a value for the query's $NAME; repeatable (default: the query's defaults)
  --format FORMAT     table, csv, json or markdown (default: table)
  --endpoint URL      the gateway's GraphQL URL (default: none: an embedded demo graph);
                      MODELGRAPH_API_KEY is sent as a Bearer token
  --out FILE          write the report there (default: stdout)
  -h, --help          this help
Exit: 0; 1 when the graph cannot be reached or answers with errors, or --out cannot be written;
2 on a bad option or report file.
Example:
  modelgraph report reports/inventory.graphql --format csv --out inventory.csv
`;

/** The options `modelgraph report` takes. */
export const REPORT_OPTIONS = {
  var: { type: 'string', multiple: true },
  format: { type: 'string', default: 'table' },
  endpoint: { type: 'string' },
  out: { type: 'string' },
} as const;

/** A command line or report file that cannot be run: exit code 2. */
export class ReportUsageError extends ModelgraphError {
  override readonly name = 'ReportUsageError';
  constructor(message: string, options?: ErrorOptions) {
    super('USAGE', message, options);
  }
}

export interface ReportOptions {
  file: string;
  /** `NAME=VALUE`, as given to --var. */
  vars: string[];
  format: ReportFormat;
  endpoint: string;
  out?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Sent with every request, e.g. an Authorization header for a protected gateway. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface ParsedReportArgs {
  file: string;
  vars: string[];
  format: ReportFormat;
  /** Absent: the caller runs the report against the embedded demo. */
  endpoint?: string;
  out?: string;
}

const PREFIX = 'modelgraph report';

export function parseReportArgs(argv: string[]): ParsedReportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: REPORT_OPTIONS,
    });
  } catch (err) {
    throw new ReportUsageError(explainParseError(err, 'report', REPORT_OPTIONS));
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new ReportUsageError(
      positionals.length ? `expected one report file, got ${positionals.join(' ')}` : 'missing the report file (FILE.graphql)',
    );
  }
  const format = values.format ?? 'table';
  if (!isReportFormat(format)) throw new ReportUsageError(unknownFormat(format));
  const vars = values.var ?? [];
  parseVarAssignments(vars);
  return {
    file: positionals[0],
    vars,
    format,
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
  };
}

export async function runReport(options: ReportOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const say = (line: string) => stderr.write(`${PREFIX}: ${line}\n`);

  let query: string;
  let variables: GraphqlVariables;
  try {
    if (!isReportFormat(options.format)) throw new ReportUsageError(unknownFormat(String(options.format)));
    checkEndpoint(options.endpoint);
    const assignments = parseVarAssignments(options.vars);
    query = await readReport(options.file);
    variables = reportVariables(parseReportQuery(query, options.file), assignments, options.file);
  } catch (err) {
    if (err instanceof ReportUsageError) {
      say(err.message);
      return 2;
    }
    throw err;
  }

  const progress = createProgress({ stream: stderr });
  const client = createGraphqlClient({ endpoint: options.endpoint, headers: options.headers, timeoutMs: options.timeoutMs });
  let result;
  try {
    result = await fetchAllPages(client, query, variables, {
      onPage: (p) => progress.update(p),
      warn: (message) => {
        progress.clear();
        say(`warning: ${message}`);
      },
    });
  } catch (err) {
    progress.clear();
    if (!(err instanceof ReportError)) throw err;
    say(err.message);
    return 1;
  }
  progress.clear();

  if (result.errors?.length) {
    for (const error of result.errors) say(`error: ${describeError(error)}`);
    const count = result.errors.length === 1 ? 'an error' : `${result.errors.length} errors`;
    say(`the graph answered with ${count}; ${options.out ? `${options.out} was not written` : 'no report printed'}`);
    return 1;
  }
  if (result.data === null || result.data === undefined) {
    say(`${client.endpoint} answered with neither data nor errors`);
    return 1;
  }

  const { rows, columns } = flatten(result.data);
  const output = formatRows(rows, columns, options.format, { data: result.data });
  if (options.out) {
    try {
      await writeFile(options.out, output);
    } catch (err) {
      say(`cannot write ${options.out}: ${(err as Error).message}`);
      return 1;
    }
    say(`wrote ${rows.length} ${rows.length === 1 ? 'row' : 'rows'} to ${options.out}`);
  } else {
    await new Promise<void>((resolve, reject) => stdout.write(output, (err) => (err ? reject(err) : resolve())));
  }
  return 0;
}

interface VarAssignment {
  name: string;
  raw: string;
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

function parseVarAssignments(vars: string[]): VarAssignment[] {
  return vars.map((assignment) => {
    const eq = assignment.indexOf('=');
    const name = eq < 0 ? '' : assignment.slice(0, eq).replace(/^\$/, '');
    if (eq < 0 || !GRAPHQL_NAME.test(name)) {
      throw new ReportUsageError(`--var expects NAME=VALUE (e.g. --var stage=Production), got "${assignment}"`);
    }
    return { name, raw: assignment.slice(eq + 1) };
  });
}

async function readReport(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new ReportUsageError(`cannot read the report file ${file}: ${why}`);
  }
}

function parseReportQuery(query: string, file: string): DocumentNode {
  try {
    const document = parseQuery(query);
    const operation = selectOperation(document);
    // Pagination runs the operation once per page: a mutation would be applied each time.
    if (operation.operation !== OperationTypeNode.QUERY) {
      throw new ReportError(`reports run queries only, this is a ${operation.operation}`);
    }
    return document;
  } catch (err) {
    if (err instanceof ReportError) throw new ReportUsageError(`${file}: ${err.message}`);
    throw err;
  }
}

/**
 * --var values typed by the operation's variable definitions: JSON where it parses, text
 * otherwise, and always text for String and ID (a version "3" or an id "007" must not
 * become a number). Undeclared or missing required variables are caught here rather than
 * as a GraphQL error, since they are a typo on the command line.
 */
function reportVariables(document: DocumentNode, assignments: VarAssignment[], file: string): GraphqlVariables {
  const definitions = selectOperation(document).variableDefinitions ?? [];
  const byName = new Map<string, VariableDefinitionNode>(definitions.map((d) => [d.variable.name.value, d]));
  const variables: GraphqlVariables = {};
  for (const { name, raw } of assignments) {
    const definition = byName.get(name);
    if (!definition) {
      const declared = definitions.map((d) => `$${d.variable.name.value}`).join(', ') || 'none';
      throw new ReportUsageError(`${file} declares no variable $${name} (declared: ${declared})`);
    }
    variables[name] = isTextType(definition.type) ? raw : parseValue(raw);
  }
  const missing = definitions.filter(
    (d) => d.type.kind === Kind.NON_NULL_TYPE && d.defaultValue === undefined && !(d.variable.name.value in variables),
  );
  if (missing.length) {
    throw new ReportUsageError(
      `${file} needs ${missing.map((d) => `--var ${d.variable.name.value}=…`).join(' ')}`,
    );
  }
  return variables;
}

function isTextType(type: TypeNode): boolean {
  const inner = type.kind === Kind.NON_NULL_TYPE ? type.type : type;
  return inner.kind === Kind.NAMED_TYPE && (inner.name.value === 'String' || inner.name.value === 'ID');
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ReportUsageError(`--endpoint must be an http(s) URL, got "${endpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ReportUsageError(`--endpoint must be an http(s) URL, got "${endpoint}"`);
  }
}

function unknownFormat(format: string): string {
  return `--format must be one of ${REPORT_FORMATS.join(', ')}, got "${format}"`;
}

/** "mlflow:prod: HTTP 503 … [SOURCE_UNAVAILABLE] (at models.nodes.3.versions)". */
function describeError(error: GraphQLErrorLike): string {
  const source = typeof error.extensions?.source === 'string' ? error.extensions.source : undefined;
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
  const message = source && !error.message.startsWith(`${source}:`) ? `${source}: ${error.message}` : error.message;
  const where = error.path?.length ? ` (at ${error.path.join('.')})` : '';
  return `${message}${code ? ` [${code}]` : ''}${where}`;
}

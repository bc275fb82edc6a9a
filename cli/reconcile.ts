/**
 * `modelgraph reconcile`: the governance findings across the inventory, for a pipeline to
 * gate on. Exit 0 when no finding reaches the threshold, 1 when some do, 2 when the
 * findings could not be read in full (an upstream down, a bad option): a gate must never
 * pass on a silently shorter list.
 */
import { parseArgs } from 'node:util';
import { ModelgraphError } from '../connectors/core/errors';
import { createGraphqlClient, fetchAllPages, ReportError, type GraphqlClient, type GraphQLErrorLike, type PageProgress } from './graphql-client';
import { FINDING_RULES, SEVERITY_ORDER, type Severity } from '../subgraphs/inventory/governance/types';
import { formatRows } from './report/format';
import { createProgress, type ProgressUpdate } from './report/progress';
import { explainParseError } from './args';
import { loadConfig } from '../config/load';
import { openHistoryStore } from '../subgraphs/inventory/history/open-store';
import type { HistoryStore, RecordedFinding } from '../subgraphs/inventory/history/types';

export const RECONCILE_USAGE = `Usage: modelgraph reconcile [--fail-on low|medium|high] [--format table|json] [--rule RULE ...] [--endpoint URL]
                           [--record [--config FILE]]
       modelgraph reconcile --open-tickets [--dry-run | --apply] [--severity low|medium|high] [--rule RULE ...] [--endpoint URL]
  Prints the governance findings; on a terminal, the pages walked and models checked are
  shown on stderr as they come. --record also writes every finding read (all rules, waived
  ones included) as a snapshot to the governance history that the config file's \`history\`
  section names, whether or not \`history.enabled\` is set there. Findings that could not be
  read in full are not recorded (exit 2). --open-tickets files a Jira issue per unwaived
  finding that has none (the gateway's openFindingTickets mutation, config \`tickets\`) and
  comments on the issues of findings that are gone; a dry run unless --apply.
Options:
  --fail-on LEVEL     the severity that fails the gate: low, medium or high (default: high)
  --format FORMAT     table or json (default: table)
  --rule RULE         only this rule's findings; repeatable (default: every rule)
  --endpoint URL      the gateway's GraphQL URL (default: none: an embedded demo graph);
                      MODELGRAPH_API_KEY is sent as a Bearer token
  --record            write the findings to the governance history (default: off)
  -c, --config FILE   with --record: the config whose \`history\` names the store
                      (default: $MODELGRAPH_CONFIG; neither: ./data/history.sqlite)
  --open-tickets      file Jira tickets for the findings instead of gating (default: off)
  --dry-run           with --open-tickets: say what would be filed (the default)
  --apply             with --open-tickets: file them
  --severity LEVEL    with --open-tickets: only findings at or above LEVEL (default: every one)
  -h, --help          this help
  RULE: ${FINDING_RULES.join(', ')}
Exit: 0 when no finding reaches --fail-on, 1 when some do, 2 on an error (a bad option, the
findings not read in full, a snapshot not recorded, a ticket not filed).
Examples:
  modelgraph reconcile --endpoint https://modelgraph.example.com/graphql --fail-on medium
  modelgraph reconcile --open-tickets --severity high --apply
`;

/** The options `modelgraph reconcile` takes. */
export const RECONCILE_OPTIONS = {
  'fail-on': { type: 'string', default: 'high' },
  format: { type: 'string', default: 'table' },
  rule: { type: 'string', multiple: true, default: [] as string[] },
  endpoint: { type: 'string' },
  record: { type: 'boolean', default: false },
  config: { type: 'string', short: 'c' },
  'open-tickets': { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  apply: { type: 'boolean', default: false },
  severity: { type: 'string' },
} as const;

export class ReconcileUsageError extends ModelgraphError {
  constructor(message: string, options?: ErrorOptions) {
    super('USAGE', message, options);
  }
}

export interface ReconcileArgs {
  failOn: Severity;
  format: 'table' | 'json';
  rules: string[];
  endpoint?: string;
  /** Write the findings read to the history store (`--record`). */
  record?: boolean;
  /** The config file whose `history` section names the store. */
  config?: string;
  /** `--open-tickets`: file tickets instead of gating; `apply` false is a dry run. */
  tickets?: { apply: boolean; severity?: Severity };
  /** Sent with every request (`Authorization` from MODELGRAPH_API_KEY). */
  headers?: Record<string, string>;
}

export function parseReconcileArgs(argv: string[]): ReconcileArgs {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: RECONCILE_OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new ReconcileUsageError(explainParseError(err, 'reconcile', RECONCILE_OPTIONS));
  }
  const failOn = String(values['fail-on']).toUpperCase();
  if (!(failOn in SEVERITY_ORDER)) throw new ReconcileUsageError(`--fail-on must be low, medium or high, got "${values['fail-on']}"`);
  const format = String(values.format);
  if (format !== 'table' && format !== 'json') throw new ReconcileUsageError(`--format must be table or json, got "${format}"`);
  const rules = (values.rule as string[]).map((r) => r.toUpperCase());
  const unknown = rules.filter((r) => !(FINDING_RULES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new ReconcileUsageError(`unknown rule ${unknown.join(', ')}; rules are ${FINDING_RULES.join(', ')}`);
  if (values.config && !values.record) throw new ReconcileUsageError('--config is read only with --record');
  const openTickets = values['open-tickets'] === true;
  if (openTickets && values.record) throw new ReconcileUsageError('--record goes with the gate, not with --open-tickets');
  if (!openTickets && (values.apply || values['dry-run'] || values.severity !== undefined)) {
    throw new ReconcileUsageError('--apply, --dry-run and --severity go with --open-tickets');
  }
  if (values.apply && values['dry-run']) throw new ReconcileUsageError('--apply and --dry-run exclude each other');
  let severity: Severity | undefined;
  if (values.severity !== undefined) {
    const upper = String(values.severity).toUpperCase();
    if (!(upper in SEVERITY_ORDER)) throw new ReconcileUsageError(`--severity must be low, medium or high, got "${values.severity}"`);
    severity = upper as Severity;
  }
  return {
    failOn: failOn as Severity,
    format,
    rules,
    endpoint: values.endpoint as string | undefined,
    record: Boolean(values.record),
    config: values.config as string | undefined,
    ...(openTickets ? { tickets: { apply: values.apply === true, ...(severity ? { severity } : {}) } } : {}),
  };
}

/** What each finding carries, besides its model. */
const FINDING_FIELDS = /* GraphQL */ `
        fingerprint
        rule
        severity
        message
        evidence {
          refs { kind instance nativeId url }
          versions { __typename id }
          tickets { id }
          deployments { id }
        }
        waiver { reason until }
`;

const QUERY = /* GraphQL */ `
  query Reconcile($first: Int!, $after: String) {
    findings(first: $first, after: $after, includeWaived: true) {
      totalCount
      modelsChecked
      pageInfo { hasNextPage endCursor }
      nodes {
        ${FINDING_FIELDS}
        model { key }
      }
    }
  }
`;

/** With --record, the models' team code owners too, for the history's trends by team. */
const RECORD_QUERY = /* GraphQL */ `
  query ReconcileRecord($first: Int!, $after: String) {
    findings(first: $first, after: $after, includeWaived: true) {
      totalCount
      modelsChecked
      pageInfo { hasNextPage endCursor }
      nodes {
        ${FINDING_FIELDS}
        model { key codeOwners { kind handle } }
      }
    }
  }
`;

export interface ReconcileFinding {
  fingerprint: string;
  rule: string;
  severity: Severity;
  message: string;
  model: { key: string; codeOwners?: Array<{ kind: string; handle: string }> | null } | null;
  evidence: unknown;
  waiver: { reason: string; until: string | null } | null;
}

function describeError(e: GraphQLErrorLike): string {
  const source = typeof e.extensions?.source === 'string' ? ` (source ${e.extensions.source})` : '';
  return `${e.message}${source}`;
}

export interface ReconcileIo {
  stdout: NodeJS.WritableStream;
  /** Progress is drawn on it when it is a terminal (`isTTY`), as `report` does. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where `--record` writes. Default: the store the config file's `history` names. */
  openHistory?: () => Promise<HistoryStore>;
  /** The snapshot's time. Default: now. */
  now?: () => number;
}

function openConfiguredHistory(configPath: string | undefined): Promise<HistoryStore> {
  const path = configPath ?? process.env.MODELGRAPH_CONFIG;
  return openHistoryStore(loadConfig({ path: path || undefined }).history);
}

export function recordedFinding(f: ReconcileFinding): RecordedFinding {
  const teams = (f.model?.codeOwners ?? []).filter((o) => o.kind === 'TEAM').map((o) => `@${o.handle.replace(/^@/, '').toLowerCase()}`);
  return {
    fingerprint: f.fingerprint,
    rule: f.rule as RecordedFinding['rule'],
    severity: f.severity,
    message: f.message,
    modelKey: f.model?.key ?? null,
    teams: [...new Set(teams)].sort(),
    waived: f.waiver !== null,
  };
}

/** How many models the gateway evaluated the rules over (the same on every page). */
function modelsChecked(data: Record<string, unknown>): number | undefined {
  const checked = (data.findings as { modelsChecked?: unknown } | null | undefined)?.modelsChecked;
  return typeof checked === 'number' ? checked : undefined;
}

type FindingsProgress = ProgressUpdate & { models?: number };

function describeProgress(update: FindingsProgress): string {
  const total = update.total !== undefined ? ` of ${update.total}` : '';
  const models = update.models !== undefined ? `checked ${update.models} models, ` : '';
  return `${models}read ${update.items}${total} findings (page ${update.page})`;
}

/** Runs against `endpoint` and prints; returns the exit code. */
export async function runReconcile(args: ReconcileArgs & { endpoint: string }, io: ReconcileIo): Promise<number> {
  const client = createGraphqlClient({ endpoint: args.endpoint, headers: args.headers, timeoutMs: 300_000 });
  if (args.tickets) return runOpenTickets(client, { ...args, tickets: args.tickets }, io);
  // From the first page on: the gateway checks every model before answering it, the long wait.
  const progress = createProgress<FindingsProgress>({ stream: io.stderr, fromPage: 1, describe: describeProgress });
  progress.show('checking the models for findings...');
  let result;
  try {
    const options = { onPage: (update: PageProgress, data: Record<string, unknown>) => progress.update({ ...update, models: modelsChecked(data) }) };
    result = await (args.record
      ? fetchAllPages<{ findings: { nodes: ReconcileFinding[] } }>(client, RECORD_QUERY, { first: 500 }, options)
      : fetchAllPages<{ findings: { nodes: ReconcileFinding[] } }>(client, QUERY, { first: 500 }, options));
  } catch (err) {
    progress.clear();
    if (err instanceof ReportError) {
      io.stderr.write(`modelgraph reconcile: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  progress.clear();
  if (result.errors?.length || !result.data) {
    io.stderr.write('modelgraph reconcile: the findings could not be read in full, so nothing is concluded:\n');
    for (const e of result.errors ?? [{ message: 'no data in the answer' }]) io.stderr.write(`  ${describeError(e)}\n`);
    return 2;
  }
  let recordFailed = false;
  if (args.record) {
    // Every finding read, whatever --rule says: a snapshot of some rules would resolve the others.
    let store: HistoryStore | undefined;
    try {
      store = await (io.openHistory ?? (() => openConfiguredHistory(args.config)))();
      const recorded = await store.record({
        takenAt: new Date((io.now ?? Date.now)()),
        origin: 'reconcile',
        findings: result.data.findings.nodes.map(recordedFinding),
        unevaluatedModels: [],
        lifecycles: null,
      });
      io.stderr.write(
        recorded.recorded
          ? `modelgraph reconcile: recorded in ${store.description}: ${recorded.opened} opened, ${recorded.resolved} resolved, ${recorded.open} open\n`
          : `modelgraph reconcile: not recorded in ${store.description}: it holds a later snapshot\n`,
      );
    } catch (err) {
      // The gate's answer still stands, printed below; the exit code says the recording failed.
      io.stderr.write(`modelgraph reconcile: the findings could not be recorded: ${(err as Error).message}\n`);
      recordFailed = true;
    } finally {
      await store?.close();
    }
  }
  const asked = result.data.findings.nodes.filter((f) => args.rules.length === 0 || args.rules.includes(f.rule));
  // Waived findings are accepted risks: listed apart, never counted against the gate.
  const findings = asked.filter((f) => !f.waiver);
  const waived = asked.filter((f) => f.waiver);
  const failing = findings.filter((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[args.failOn]);
  const counts = { HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const f of findings) counts[f.severity]++;
  if (args.format === 'json') {
    io.stdout.write(
      `${JSON.stringify({ failOn: args.failOn, failed: failing.length > 0, counts, findings, waived }, null, 2)}\n`,
    );
  } else {
    const rows = findings.map((f) => ({
      severity: f.severity,
      rule: f.rule,
      model: f.model?.key ?? '',
      message: f.message,
      fingerprint: f.fingerprint,
    }));
    if (rows.length > 0) io.stdout.write(formatRows(rows, ['severity', 'rule', 'model', 'message', 'fingerprint'], 'table', { maxCellWidth: 240 }));
    io.stdout.write(
      `${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts.HIGH} high, ${counts.MEDIUM} medium, ${counts.LOW} low); ` +
        `${failing.length} at or above ${args.failOn.toLowerCase()}\n`,
    );
    for (const f of waived) {
      const until = f.waiver!.until ? ` until ${f.waiver!.until}` : '';
      io.stdout.write(`waived${until}: ${f.severity} ${f.rule} ${f.model?.key ?? ''} (${f.fingerprint}): ${f.waiver!.reason}\n`);
    }
  }
  if (recordFailed) return 2;
  return failing.length > 0 ? 1 : 0;
}

const OPEN_TICKETS = /* GraphQL */ `
  mutation OpenFindingTickets($filter: FindingTicketFilter, $dryRun: Boolean!, $resolveGone: Boolean!) {
    openFindingTickets(filter: $filter, dryRun: $dryRun, resolveGone: $resolveGone) {
      dryRun jira project created existing wouldCreate failed
      results {
        fingerprint outcome key url summary note
        finding { severity rule message model { key } }
        assignee { id }
        error { code source message fields }
      }
      gone { fingerprint outcome key url transitioned note error { code source message fields } }
    }
  }
`;

interface TicketError {
  code: string;
  source: string;
  message: string;
  fields: string[];
}

interface TicketRunAnswer {
  dryRun: boolean;
  jira: string;
  project: string;
  created: number;
  existing: number;
  wouldCreate: number;
  failed: number;
  results: Array<{
    fingerprint: string;
    outcome: string;
    key: string | null;
    url: string | null;
    summary: string;
    note: string | null;
    finding: { severity: Severity; rule: string; message: string; model: { key: string } | null };
    assignee: { id: string } | null;
    error: TicketError | null;
  }>;
  gone: Array<{ fingerprint: string; outcome: string; key: string; url: string; transitioned: boolean; note: string | null; error: TicketError | null }>;
}

function describeTicketError(e: TicketError): string {
  return `${e.message}${e.fields.length ? ` (fields: ${e.fields.join(', ')})` : ''}`;
}

/**
 * `--open-tickets`: one call of the gateway's `openFindingTickets`, the only place that
 * files tickets (it serialises runs, so two pipelines at once file each ticket once), and
 * what it did, per finding.
 */
async function runOpenTickets(
  client: GraphqlClient,
  args: ReconcileArgs & { tickets: NonNullable<ReconcileArgs['tickets']> },
  io: ReconcileIo,
): Promise<number> {
  // The filter takes one rule: several --rule are asked one at a time.
  const rules: Array<string | undefined> = args.rules.length > 0 ? args.rules : [undefined];
  const runs: TicketRunAnswer[] = [];
  for (const [i, rule] of rules.entries()) {
    let response;
    try {
      response = await client.request<{ openFindingTickets: TicketRunAnswer | null }>(OPEN_TICKETS, {
        filter: { ...(rule ? { rule } : {}), ...(args.tickets.severity ? { severity: args.tickets.severity } : {}) },
        dryRun: !args.tickets.apply,
        // Which tickets' findings are gone does not depend on the filter: asked once.
        resolveGone: i === 0,
      });
    } catch (err) {
      if (err instanceof ReportError) {
        io.stderr.write(`modelgraph reconcile: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    const run = response.data?.openFindingTickets;
    if (response.errors?.length || !run) {
      io.stderr.write('modelgraph reconcile: the tickets could not be opened:\n');
      for (const e of response.errors ?? [{ message: 'no data in the answer' }]) io.stderr.write(`  ${describeError(e)}\n`);
      return 2;
    }
    runs.push(run);
  }
  const results = runs.flatMap((r) => r.results);
  const gone = runs.flatMap((r) => r.gone);
  const failed = results.filter((r) => r.outcome === 'FAILED').length + gone.filter((g) => g.outcome === 'FAILED').length;
  const first = runs[0]!;
  if (args.format === 'json') {
    io.stdout.write(`${JSON.stringify({ dryRun: first.dryRun, jira: first.jira, project: first.project, results, gone }, null, 2)}\n`);
  } else {
    const rows = [
      ...results.map((r) => ({
        outcome: r.outcome,
        ticket: r.url ?? '',
        severity: r.finding.severity,
        rule: r.finding.rule,
        model: r.finding.model?.key ?? '',
        detail: r.error ? describeTicketError(r.error) : (r.note ?? r.finding.message),
      })),
      ...gone.map((g) => ({
        outcome: g.outcome,
        ticket: g.url,
        severity: '',
        rule: '',
        model: '',
        detail: g.error ? describeTicketError(g.error) : (g.note ?? `finding ${g.fingerprint} is gone${g.transitioned ? '; transitioned' : ''}`),
      })),
    ];
    if (rows.length > 0) io.stdout.write(formatRows(rows, ['outcome', 'ticket', 'severity', 'rule', 'model', 'detail'], 'table', { maxCellWidth: 240 }));
    const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
    const where = `Jira ${first.jira}, project ${first.project}`;
    io.stdout.write(
      first.dryRun
        ? `dry run (${where}): would file ${count('WOULD_CREATE')}, ${count('EXISTING')} already filed, ` +
            `would comment on ${gone.length} whose finding is gone; --apply files them\n`
        : `${where}: filed ${count('CREATED')}, ${count('EXISTING')} already filed, ${failed} failed, ` +
            `commented on ${gone.filter((g) => g.outcome === 'RESOLVED').length} whose finding is gone\n`,
    );
  }
  return failed > 0 ? 2 : 0;
}

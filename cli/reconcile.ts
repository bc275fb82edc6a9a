/**
 * `modelgraph reconcile`: the governance findings across the inventory, for a pipeline to
 * gate on. Exit 0 when no finding reaches the threshold, 1 when some do, 2 when the
 * findings could not be read in full (an upstream down, a bad option): a gate must never
 * pass on a silently shorter list.
 */
import { parseArgs } from 'node:util';
import { createGraphqlClient, fetchAllPages, ReportError, type GraphQLErrorLike } from './graphql-client';
import { FINDING_RULES, SEVERITY_ORDER, type Severity } from '../subgraphs/inventory/governance/types';
import { formatRows } from './report/format';

export const RECONCILE_USAGE = `Usage: modelgraph reconcile [--fail-on low|medium|high] [--format table|json] [--rule RULE ...] [--endpoint URL]
  Prints the governance findings. Exits 0 when none reaches --fail-on (default high),
  1 when some do, 2 on an error. Without --endpoint it runs against the embedded demo.
  RULE: ${FINDING_RULES.join(', ')}
`;

export class ReconcileUsageError extends Error {}

export interface ReconcileArgs {
  failOn: Severity;
  format: 'table' | 'json';
  rules: string[];
  endpoint?: string;
}

export function parseReconcileArgs(argv: string[]): ReconcileArgs {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        'fail-on': { type: 'string', default: 'high' },
        format: { type: 'string', default: 'table' },
        rule: { type: 'string', multiple: true, default: [] },
        endpoint: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new ReconcileUsageError((err as Error).message);
  }
  const failOn = String(values['fail-on']).toUpperCase();
  if (!(failOn in SEVERITY_ORDER)) throw new ReconcileUsageError(`--fail-on must be low, medium or high, got "${values['fail-on']}"`);
  const format = String(values.format);
  if (format !== 'table' && format !== 'json') throw new ReconcileUsageError(`--format must be table or json, got "${format}"`);
  const rules = (values.rule as string[]).map((r) => r.toUpperCase());
  const unknown = rules.filter((r) => !(FINDING_RULES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new ReconcileUsageError(`unknown rule ${unknown.join(', ')}; rules are ${FINDING_RULES.join(', ')}`);
  return { failOn: failOn as Severity, format, rules, endpoint: values.endpoint as string | undefined };
}

const QUERY = /* GraphQL */ `
  query Reconcile($first: Int!, $after: String) {
    findings(first: $first, after: $after, includeWaived: true) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        fingerprint
        rule
        severity
        message
        model { key }
        evidence {
          refs { kind instance nativeId url }
          versions { __typename id }
          tickets { id }
          deployments { id }
        }
        waiver { reason until }
      }
    }
  }
`;

export interface ReconcileFinding {
  fingerprint: string;
  rule: string;
  severity: Severity;
  message: string;
  model: { key: string } | null;
  evidence: unknown;
  waiver: { reason: string; until: string | null } | null;
}

function describeError(e: GraphQLErrorLike): string {
  const source = typeof e.extensions?.source === 'string' ? ` (source ${e.extensions.source})` : '';
  return `${e.message}${source}`;
}

export interface ReconcileIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs against `endpoint` and prints; returns the exit code. */
export async function runReconcile(args: ReconcileArgs & { endpoint: string }, io: ReconcileIo): Promise<number> {
  const client = createGraphqlClient({ endpoint: args.endpoint, timeoutMs: 300_000 });
  let result;
  try {
    result = await fetchAllPages<{ findings: { nodes: ReconcileFinding[] } }>(client, QUERY, { first: 500 });
  } catch (err) {
    if (err instanceof ReportError) {
      io.stderr.write(`modelgraph reconcile: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (result.errors?.length || !result.data) {
    io.stderr.write('modelgraph reconcile: the findings could not be read in full, so nothing is concluded:\n');
    for (const e of result.errors ?? [{ message: 'no data in the answer' }]) io.stderr.write(`  ${describeError(e)}\n`);
    return 2;
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
  return failing.length > 0 ? 1 : 0;
}

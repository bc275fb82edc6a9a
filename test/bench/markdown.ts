/** A run as markdown: what `npm run bench` prints and the README's Performance section shows. */
import { GATEWAYS, GATEWAY_TITLES, type BenchResult } from './results';
import { mib, perSource, timeWithStartup } from './format';
import type { LimitCheck } from './upstream-calls';

export function renderMarkdown(result: BenchResult): string {
  const { options } = result.meta;
  const out: string[] = [];
  const table = (header: string[], rows: string[][]) => {
    out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '');
  };
  out.push(
    `modelgraph benchmark, ${result.meta.startedAt}: node ${result.meta.node}, ${result.meta.platform}, ${result.meta.cpus} CPUs; ` +
      `${options.latencyMs} ms sandbox latency; vendor rate limits ${options.vendorRateLimits ? 'on' : 'off'}`,
    '',
    '### Portal page (50 models), cold, linking listings warm',
    '',
  );
  table(
    ['models', 'upstream calls', 'per source', 'cold', 'critical path', 'listing warm-up'],
    result.pages.map((p) => [
      p.models.toLocaleString('en-US'),
      String(p.cold.calls.total) + (p.cold.errors.length ? ` (${p.cold.errors.length} errors)` : ''),
      perSource(p.cold.calls),
      `${p.cold.ms} ms`,
      `${p.cold.boundMs} ms`,
      `${p.warmUp.ms} ms, ${p.warmUp.calls.total} calls`,
    ]),
  );
  out.push(`### Portal page warm: ${options.clients} clients' RPS and latency, same subgraphs and supergraph`, '');
  table(
    ['models', 'gateway', 'p50 / p99, 1 client', 'RPS, 1 client', `p50 / p99, ${options.clients} clients`, `RPS, ${options.clients} clients`, 'modelgraph RPS ratio'],
    result.pages.flatMap((p) =>
      GATEWAYS.map((g) => {
        const w = p.warm[g];
        const ratio = g === 'modelgraph' ? '' : `${(p.warm.modelgraph.manyClients.rps / Math.max(w.manyClients.rps, 1e-9)).toFixed(1)}x`;
        return [
          p.models.toLocaleString('en-US'),
          GATEWAY_TITLES[g],
          `${w.oneClient.p50Ms} / ${w.oneClient.p99Ms} ms${w.oneClient.errors ? ` (${w.oneClient.errors} with errors)` : ''}`,
          String(w.oneClient.rps),
          `${w.manyClients.p50Ms} / ${w.manyClients.p99Ms} ms${w.manyClients.errors ? ` (${w.manyClients.errors} with errors)` : ''}`,
          String(w.manyClients.rps),
          ratio,
        ];
      }),
    ),
  );
  const p = result.processes;
  if (p) {
    out.push(`### Reconcile and inventory report at ${p.models.toLocaleString('en-US')} models (CLI against \`modelgraph serve\`)`, '');
    const busiest = (limits: LimitCheck[]) =>
      limits
        .filter((l) => l.allowedPerSecond !== undefined || l.allowedPerMinute !== undefined || l.allowedPerHour !== undefined)
        .map((l) => `${l.unit} ${describeBusiest(l)}`)
        .join('; ') || 'no limited source called';
    table(
      ['run', 'time', 'upstream calls', 'per source', 'busiest windows vs vendor limit', '429s', 'server peak RSS', 'client peak RSS'],
      [
        ['reconcile, cold', timeWithStartup(p.reconcile.cold), String(p.reconcile.cold.calls.total), perSource(p.reconcile.cold.calls), busiest(p.reconcile.cold.limits), String(p.reconcile.cold.calls.throttled), mib(p.reconcile.serverPeakRssBytes), mib(p.reconcile.clientPeakRssBytes)],
        ['reconcile, warm', timeWithStartup(p.reconcile.warm), String(p.reconcile.warm.calls.total), perSource(p.reconcile.warm.calls), '', String(p.reconcile.warm.calls.throttled), '(same server)', ''],
        ['inventory report, cold', timeWithStartup(p.report), String(p.report.calls.total), perSource(p.report.calls), busiest(p.report.limits), String(p.report.calls.throttled), mib(p.report.serverPeakRssBytes), mib(p.report.clientPeakRssBytes)],
      ],
    );
    out.push(`${p.reconcile.findings} findings; the report has ${p.report.rows} rows.`, '');
  }
  out.push('### Targets (#11)', '');
  table(
    ['', '#', 'target', 'observed', 'limit'],
    result.targets.map((t) => [t.ok ? 'ok' : '**MISS**', t.id, t.what, t.observed, t.limit]),
  );
  const missed = result.targets.filter((t) => !t.ok).length;
  out.push(missed ? `${missed} target(s) missed` : 'all targets met');
  return `${out.join('\n')}\n`;
}

function describeBusiest(l: LimitCheck): string {
  const parts: string[] = [];
  if (l.allowedPerSecond !== undefined) parts.push(`${l.maxPerSecond}/${l.allowedPerSecond} per s`);
  if (l.allowedPerMinute !== undefined) parts.push(`${l.maxPerMinute}/${l.allowedPerMinute} per min`);
  if (l.allowedPerHour !== undefined) parts.push(`${l.maxPerHour}/${l.allowedPerHour} per h`);
  return parts.join(', ');
}


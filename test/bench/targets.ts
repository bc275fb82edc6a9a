/** #11's targets, each held against what a run observed; `npm run bench` exits 1 when one is missed. */
import { GATEWAYS, workMs, type BenchResult, type Target } from './results';
import { failedBriefly, mib, MiB, timeWithStartup } from './format';
import { PORTAL_PAGE_MAX_CALLS } from './portal-page';
import type { LimitCheck } from './upstream-calls';

/** #11's targets, each against what this run observed. */
export function evaluateTargets(result: Pick<BenchResult, 'pages' | 'processes'>): Target[] {
  const targets: Target[] = [];
  const add = (id: string, what: string, observed: string, limit: string, ok: boolean) => targets.push({ id, what, observed, limit, ok });
  for (const page of result.pages) {
    const at = `${page.models.toLocaleString('en-US')} models`;
    const clean = page.cold.errors.length === 0;
    add('1', `portal page cold, listings warm, upstream calls (${at})`, `${page.cold.calls.total}${clean ? '' : ' (with errors)'}`, `<= ${PORTAL_PAGE_MAX_CALLS}`, clean && page.cold.calls.total <= PORTAL_PAGE_MAX_CALLS);
    add('2', `portal page cold latency (${at})`, `${page.cold.ms} ms`, `<= ${2 * page.cold.boundMs} ms (2x ${page.cold.boundMs} ms critical path)`, clean && page.cold.ms <= 2 * page.cold.boundMs);
    const mine = page.warm.modelgraph;
    add('4', `warm page p50, one client (${at})`, `${mine.oneClient.p50Ms} ms`, '<= 10 ms', mine.oneClient.p50Ms <= 10);
    add('4', `warm page p99, one client (${at})`, `${mine.oneClient.p99Ms} ms`, '<= 50 ms', mine.oneClient.p99Ms <= 50);
    const apollo = page.warm.apollo.manyClients.rps;
    const ratio = apollo > 0 ? mine.manyClients.rps / apollo : Infinity;
    add('4', `warm page RPS, ${mine.manyClients.clients} clients, vs bare Apollo Gateway (${at})`, `${mine.manyClients.rps} vs ${apollo} (${ratio.toFixed(1)}x)`, '>= 10x', ratio >= 10);
    const warmCalls = GATEWAYS.reduce((n, g) => n + page.warm[g].oneClient.upstreamCalls + page.warm[g].manyClients.upstreamCalls, 0);
    const warmErrors = GATEWAYS.reduce((n, g) => n + page.warm[g].oneClient.errors + page.warm[g].manyClients.errors, 0) + Object.keys(page.primeErrors).length;
    add('4', `warm page: same answer on every gateway, no errors, no upstream calls (${at})`,
      `${Object.entries(page.sameAnswer).filter(([, same]) => !same).map(([name]) => `${name} differs`).join(', ') || 'same'}; ${warmErrors} errors; ${warmCalls} calls`,
      'same, 0 errors, 0 calls',
      Object.values(page.sameAnswer).every(Boolean) && warmErrors === 0 && warmCalls === 0);
  }
  const p = result.processes;
  if (p) {
    const at = `${p.models.toLocaleString('en-US')} models`;
    const { cold, warm } = p.reconcile;
    const github = Object.entries(cold.calls.bySource).filter(([source]) => source.startsWith('github:')).reduce((n, [, c]) => n + c, 0);
    add('5', `reconcile cold: GitHub calls (${at})`, String(github), '<= 1,500', github <= 1500);
    const over = cold.limits.filter((l) => !l.ok);
    add('5', `reconcile cold: every vendor's limit (${at})`, over.length === 0 ? 'within' : over.map(describeOverLimit).join('; '), 'none exceeded', over.length === 0);
    add('5', `reconcile cold: upstream 429s / throttling (${at})`, String(cold.calls.throttled), '0', cold.calls.throttled === 0);
    add('5', `reconcile cold time, after the CLI's start-up (${at})`, timeWithStartup(cold), '< 60 s', !cold.failed && workMs(cold) < 60_000);
    add('5', `reconcile warm time, after the CLI's start-up (${at})`, timeWithStartup(warm), '< 2 s', !warm.failed && workMs(warm) < 2_000);
    add('5', `reconcile: server peak RSS (${at})`, mib(p.reconcile.serverPeakRssBytes), '< 512 MiB', (p.reconcile.serverPeakRssBytes ?? Infinity) < 512 * MiB);
    add('5', `inventory report: server peak RSS (${at})`, mib(p.report.serverPeakRssBytes) + (p.report.failed ? `, report ${failedBriefly(p.report.failed)}` : ''), '< 512 MiB', !p.report.failed && (p.report.serverPeakRssBytes ?? Infinity) < 512 * MiB);
  }
  return targets;
}

function describeOverLimit(l: LimitCheck): string {
  const parts = [
    l.allowedPerSecond !== undefined && l.maxPerSecond > l.allowedPerSecond ? `${l.maxPerSecond}/s > ${l.allowedPerSecond}` : '',
    l.allowedPerMinute !== undefined && l.maxPerMinute > l.allowedPerMinute ? `${l.maxPerMinute}/min > ${l.allowedPerMinute}` : '',
    l.allowedPerHour !== undefined && l.maxPerHour > l.allowedPerHour ? `${l.maxPerHour}/h > ${l.allowedPerHour}` : '',
  ].filter(Boolean);
  return `${l.unit} ${parts.join(', ')}`;
}


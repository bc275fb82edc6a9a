/** How the benchmark's tables and targets write figures. */
import { workMs, type ProcessRun } from './results';
import type { CallCounts } from './upstream-calls';

export const MiB = 1024 * 1024;

export function perSource(calls: CallCounts): string {
  const called = Object.entries(calls.bySource).filter(([, n]) => n > 0);
  return called.length === 0 ? '-' : called.map(([source, n]) => `${source} ${n}`).join(', ');
}

export function mib(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${Math.round(bytes / MiB)} MiB`;
}

/** `12.3 s (+ 0.8 s start-up)`, and why it failed if it did. */
export function timeWithStartup(run: ProcessRun): string {
  const time = run.startupMs === undefined ? seconds(run.ms) : `${seconds(workMs(run))} (+ ${seconds(run.startupMs)} start-up)`;
  return run.failed ? `${time}, ${failedBriefly(run.failed)}` : time;
}

/** A failure in a table cell: its start, without the pipes that would split the cell (the JSON has it whole). */
export function failedBriefly(failed: string): string {
  const text = failed.replace(/\|/g, '/').replace(/\s+/g, ' ');
  return `FAILED ${text.length > 200 ? `${text.slice(0, 200)}...` : text}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}


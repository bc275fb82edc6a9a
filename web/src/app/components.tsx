import type { ReactNode } from 'react';
import { AuthRequiredError, errorSource, type GraphQLErrorEntry } from './api';
import type { QueryState } from './use-query';
import { SOURCE_KINDS } from '../generated/source-kinds';

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/**
 * What failed, by source: the gateway answers what it can and names the sources that did
 * not, so a page shows both.
 */
export function Problems({ state }: { state: Pick<QueryState<unknown>, 'errors' | 'failure'> }) {
  if (state.failure instanceof AuthRequiredError) {
    return (
      <div className="problem" role="alert">
        The gateway requires credentials. Use <strong>Sign in</strong> (top right) to give an API key or a bearer token.
      </div>
    );
  }
  if (state.failure) {
    return (
      <div className="problem" role="alert">
        The gateway could not be asked: {state.failure.message}
      </div>
    );
  }
  if (state.errors.length === 0) return null;
  const bySource = new Map<string, GraphQLErrorEntry[]>();
  for (const error of state.errors) {
    const source = errorSource(error) ?? 'the graph';
    bySource.set(source, [...(bySource.get(source) ?? []), error]);
  }
  return (
    <div className="problem" role="alert" data-testid="source-errors">
      <strong>Part of this page is missing:</strong>
      <ul>
        {[...bySource].map(([source, errors]) => (
          <li key={source} data-source={source}>
            <span className="source-down">{source}</span>: {errors[0].message.startsWith(`${source}: `) ? errors[0].message.slice(source.length + 2) : errors[0].message}
            {errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

const KIND_LABEL: Record<string, string> = Object.fromEntries(SOURCE_KINDS.map((k) => [k.kind, k.label]));

export const kindLabel = (kind: string) => KIND_LABEL[kind] ?? kind;

export function SourceBadge({ kind, instance }: { kind: string; instance?: string }) {
  return (
    <span className={`badge kind-${kind.toLowerCase()}`} title={instance ? `${kindLabel(kind)} ${instance}` : kindLabel(kind)}>
      {kindLabel(kind)}
      {instance ? <span className="instance"> {instance}</span> : null}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: string }) {
  return <span className={`badge severity-${severity.toLowerCase()}`}>{severity}</span>;
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" id={id} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().slice(0, 10);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined) return '—';
  return days < 1 ? `${Math.round(days * 24)} h` : `${days.toFixed(days < 10 ? 1 : 0)} d`;
}

/** A horizontal bar chart in plain SVG: no chart library, nothing to load from elsewhere. */
export function BarChart({ bars, unit = '', label }: { bars: Array<{ label: string; value: number; title?: string }>; unit?: string; label: string }) {
  if (bars.length === 0) return <p className="muted">Nothing to chart yet.</p>;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const row = 22;
  const labelWidth = 230;
  const width = 640;
  return (
    <svg className="chart" role="img" aria-label={label} viewBox={`0 0 ${width} ${bars.length * row + 4}`} width="100%">
      {bars.map((bar, i) => {
        const w = ((width - labelWidth - 70) * bar.value) / max;
        return (
          <g key={bar.label} transform={`translate(0 ${i * row + 2})`}>
            <title>{bar.title ?? `${bar.label}: ${bar.value}${unit}`}</title>
            <text x={labelWidth - 8} y={row / 2 + 4} textAnchor="end" className="chart-label">
              {bar.label.length > 32 ? `${bar.label.slice(0, 31)}…` : bar.label}
            </text>
            <rect x={labelWidth} y={3} width={Math.max(w, 1)} height={row - 6} className="chart-bar" />
            <text x={labelWidth + w + 6} y={row / 2 + 4} className="chart-value">
              {Number.isInteger(bar.value) ? bar.value : bar.value.toFixed(1)}
              {unit}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** Counts of values in buckets, for a distribution. */
export function histogram(values: number[], edges: number[]): Array<{ label: string; value: number }> {
  const buckets = edges.map((edge, i) => ({ label: i === edges.length - 1 ? `≥ ${edge} d` : `${edge}–${edges[i + 1]} d`, value: 0 }));
  for (const v of values) {
    let i = edges.length - 1;
    while (i > 0 && v < edges[i]) i--;
    buckets[i].value++;
  }
  return buckets;
}

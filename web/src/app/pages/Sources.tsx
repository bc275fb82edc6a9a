import { useState } from 'react';
import SOURCES from '../../graphql/sources.graphql?raw';
import { Loading, Problems, SourceBadge, formatDateTime } from '../components';
import { useQuery } from '../use-query';

interface SourceRow {
  name: string;
  kind: string;
  instance: string;
  reachable: boolean | null;
  calls: number;
  errors: number;
  lastSuccessAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  latency: { lastMs: number; p50Ms: number; p95Ms: number; samples: number } | null;
  cacheHits: number;
  cacheMisses: number;
  cacheHitRatio: number | null;
  rateLimit: { limit: number | null; remaining: number | null; resetAt: string | null; resource: string | null } | null;
  circuit: string | null;
}

/** up, down, or not asked yet: what an operator looks for first. */
function health(s: SourceRow): { label: string; className: string } {
  if (s.reachable === false || s.circuit === 'OPEN') return { label: 'down', className: 'status-failed' };
  if (s.reachable === null) return { label: 'not called yet', className: 'status-unknown' };
  if (s.circuit === 'HALF_OPEN') return { label: 'recovering', className: 'status-updating' };
  return { label: 'up', className: 'status-ready' };
}

export function SourcesPage() {
  const [reload, setReload] = useState(0);
  const state = useQuery<{ sources: SourceRow[] | null }>(SOURCES, {}, { reload });
  const sources = state.data?.sources;
  return (
    <div>
      <h1>
        Sources
        <button type="button" className="small" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      </h1>
      <p className="muted">What this gateway's processes have seen of each source since they started. Needs the admin scope when auth is on.</p>
      <Problems state={state} />
      {state.loading && !sources ? <Loading what="sources" /> : null}
      {sources ? (
        <table className="table" data-testid="sources-table" aria-busy={state.loading}>
          <thead>
            <tr>
              <th>Source</th>
              <th>Health</th>
              <th>Calls</th>
              <th>Errors</th>
              <th>Latency p50 / p95</th>
              <th>Cache hits</th>
              <th>Rate limit left</th>
              <th>Breaker</th>
              <th>Last success</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => {
              const h = health(s);
              return (
                <tr key={s.name} data-source={s.name} data-health={h.label}>
                  <td>
                    <SourceBadge kind={s.kind} instance={s.instance} />
                  </td>
                  <td>
                    <span className={`badge ${h.className}`}>{h.label}</span>
                  </td>
                  <td>{s.calls}</td>
                  <td>{s.errors}</td>
                  <td>{s.latency ? `${Math.round(s.latency.p50Ms)} / ${Math.round(s.latency.p95Ms)} ms` : '—'}</td>
                  <td>{s.cacheHitRatio !== null ? `${Math.round(s.cacheHitRatio * 100)}% of ${s.cacheHits + s.cacheMisses}` : '—'}</td>
                  <td>
                    {s.rateLimit?.remaining !== null && s.rateLimit?.remaining !== undefined
                      ? `${s.rateLimit.remaining} / ${s.rateLimit.limit ?? '?'}${s.rateLimit.resource ? ` (${s.rateLimit.resource})` : ''}`
                      : '—'}
                  </td>
                  <td>{s.circuit ?? '—'}</td>
                  <td>{formatDateTime(s.lastSuccessAt)}</td>
                  <td className="small">{s.lastError ? `${s.lastError.code}: ${s.lastError.message}` : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

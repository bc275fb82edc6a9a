import FINDINGS from '../../graphql/findings.graphql?raw';
import { BarChart, Loading, Problems, SeverityBadge } from '../components';
import { Link, modelPath, navigate, withQuery, type Location } from '../router';
import { useQuery } from '../use-query';

interface FindingRow {
  fingerprint: string;
  rule: string;
  severity: string;
  message: string;
  waiver: { reason: string; until: string | null } | null;
  ticket: { key: string; url: string; status: string | null } | null;
  model: { key: string; name: string; codeOwners: Array<{ handle: string; kind: string }> | null } | null;
}
interface FindingsData {
  findings: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: FindingRow[] } | null;
}

const RULES = ['DEPLOYED_NOT_REGISTERED', 'PRODUCTION_WITHOUT_APPROVAL', 'NO_OWNER', 'STAGE_DRIFT', 'FAILED_DEPLOYMENT', 'APPROVED_NOT_DEPLOYED', 'UNTRACEABLE_VERSION'];
const PAGE_SIZE = 100;

/** A model's teams: its code owners that are teams (`@org/team`). */
export function teamsOf(model: { codeOwners: Array<{ handle: string; kind: string }> | null } | null): string[] {
  const teams = (model?.codeOwners ?? []).filter((o) => o.kind === 'TEAM').map((o) => o.handle);
  return teams.length ? teams : ['(no team)'];
}

function countBy<T>(items: T[], keys: (item: T) => string[]): Array<{ label: string; value: number }> {
  const counts = new Map<string, number>();
  for (const item of items) for (const k of keys(item)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([label, value]) => ({ label, value })).sort((a, b) => b.value - a.value);
}

export function FindingsPage({ location }: { location: Location }) {
  const { query } = location;
  const state = useQuery<FindingsData>(FINDINGS, {
    severity: query.get('severity') || undefined,
    rule: query.get('rule') || undefined,
    first: PAGE_SIZE,
    after: query.get('after') || undefined,
  });
  const set = (changes: Record<string, string | undefined>) => navigate(`/findings${withQuery(query, { ...changes, after: undefined })}`, { replace: true });
  const findings = state.data?.findings;
  const open = findings?.nodes.filter((f) => !f.waiver) ?? [];
  const waived = findings?.nodes.filter((f) => f.waiver) ?? [];
  return (
    <div>
      <h1>Findings</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <select aria-label="Severity" value={query.get('severity') ?? ''} onChange={(e) => set({ severity: e.target.value })}>
          <option value="">Any severity</option>
          <option value="LOW">LOW or higher</option>
          <option value="MEDIUM">MEDIUM or higher</option>
          <option value="HIGH">HIGH</option>
        </select>
        <select aria-label="Rule" value={query.get('rule') ?? ''} onChange={(e) => set({ rule: e.target.value })}>
          <option value="">Any rule</option>
          {RULES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </form>
      <Problems state={state} />
      {state.loading && !findings ? <Loading what="findings" /> : null}
      {findings ? (
        <>
          <p className="muted">
            {findings.totalCount} findings, waived ones included ({waived.length} waived)
            {findings.pageInfo.hasNextPage ? ` · charts and tables of the first ${findings.nodes.length}` : ''}
          </p>
          <div className="grid3">
            <div className="card">
              <h2>By severity</h2>
              <BarChart label="Open findings by severity" bars={countBy(open, (f) => [f.severity])} />
            </div>
            <div className="card">
              <h2>By rule</h2>
              <BarChart label="Open findings by rule" bars={countBy(open, (f) => [f.rule])} />
            </div>
            <div className="card">
              <h2>By team</h2>
              <BarChart label="Open findings by team" bars={countBy(open, (f) => teamsOf(f.model)).slice(0, 12)} />
            </div>
          </div>
          <FindingTable title="Open" rows={open} />
          <FindingTable title="Waived" rows={waived} />
          {findings.pageInfo.hasNextPage && findings.pageInfo.endCursor ? (
            <p>
              <Link to={`/findings${withQuery(query, { after: findings.pageInfo.endCursor })}`}>Next {PAGE_SIZE} →</Link>
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function FindingTable({ title, rows }: { title: string; rows: FindingRow[] }) {
  if (rows.length === 0) return null;
  return (
    <section className="card" aria-label={`${title} findings`}>
      <h2>
        {title} ({rows.length})
      </h2>
      <table className="table">
        <thead>
          <tr>
            <th>Severity</th>
            <th>Rule</th>
            <th>Model</th>
            <th>Finding</th>
            <th>Ticket</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={f.fingerprint}>
              <td>
                <SeverityBadge severity={f.severity} />
              </td>
              <td>{f.rule}</td>
              <td>{f.model ? <Link to={modelPath(f.model.key)}>{f.model.name}</Link> : <span className="muted">unregistered</span>}</td>
              <td>
                {f.message}
                {f.waiver ? <div className="muted small">Waived: {f.waiver.reason}</div> : null}
              </td>
              <td>{f.ticket ? <a href={f.ticket.url}>{f.ticket.key}</a> : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

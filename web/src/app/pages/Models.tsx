import { useEffect, useState } from 'react';
import MODELS from '../../graphql/models.graphql?raw';
import { Loading, Problems, SeverityBadge, SourceBadge, formatDays, kindLabel } from '../components';
import { Link, modelPath, navigate, withQuery, type Location } from '../router';
import { useQuery } from '../use-query';
import { SOURCE_KINDS } from '../../generated/source-kinds';

interface ModelRow {
  key: string;
  name: string;
  refs: Array<{ kind: string; instance: string }>;
  productionVersions: Array<{ id: string; version: string; source: { kind: string; instance: string } }> | null;
  findings: Array<{ severity: string; waiver: { reason: string } | null }> | null;
  lifecycle: { firstRunToProductionDays: number | null } | null;
}

interface ModelsData {
  models: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ModelRow[] } | null;
}

const PAGE_SIZE = 25;
/** The kinds a model can be registered in: the filter's choices. */
const REGISTRY_KINDS = SOURCE_KINDS.filter((k) => k.capabilities.includes('modelRegistry')).map((k) => k.kind);
const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH'];
const SORTS: Record<string, { field: string; direction: string; label: string }> = {
  key: { field: 'KEY', direction: 'ASC', label: 'Key' },
  name: { field: 'NAME', direction: 'ASC', label: 'Name' },
  findings: { field: 'FINDINGS', direction: 'DESC', label: 'Most findings' },
  ttp: { field: 'TIME_TO_PRODUCTION', direction: 'DESC', label: 'Slowest to production' },
};
const SEVERITY_RANK: Record<string, number> = { LOW: 1, MEDIUM: 2, HIGH: 3 };

/** Every filter lives in the URL: a filtered page is a link to share. */
function filterOf(query: URLSearchParams): Record<string, unknown> {
  const severity = query.get('severity') ?? (query.get('findings') === 'yes' ? 'LOW' : undefined);
  const filter: Record<string, unknown> = {
    search: query.get('q') || undefined,
    sourceKind: query.get('source') || undefined,
    sourceInstance: query.get('instance') || undefined,
    stage: query.get('stage') || undefined,
    team: query.get('team') || undefined,
    owner: query.get('owner') || undefined,
    findingSeverity: severity || undefined,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
}

export function ModelsPage({ location }: { location: Location }) {
  const { query } = location;
  const sort = SORTS[query.get('sort') ?? 'key'] ?? SORTS.key;
  const after = query.get('after') ?? undefined;
  // Cursors of the pages before this one, for "Previous": the connection pages forward only.
  const back = query.getAll('back');
  const state = useQuery<ModelsData>(MODELS, {
    filter: filterOf(query),
    orderBy: { field: sort.field, direction: sort.direction },
    first: PAGE_SIZE,
    after,
  });
  const [search, setSearch] = useState(query.get('q') ?? '');
  useEffect(() => setSearch(query.get('q') ?? ''), [query]);

  // A filter change starts again from the first page.
  const setFilter = (changes: Record<string, string | undefined>) =>
    navigate(`/${withQuery(withoutPaging(query), changes)}`, { replace: true });
  useEffect(() => {
    if (search === (query.get('q') ?? '')) return;
    const timer = setTimeout(() => setFilter({ q: search }), 300);
    return () => clearTimeout(timer);
  });

  const models = state.data?.models;
  const pageNumber = back.length + 1;
  const next = () => {
    if (!models?.pageInfo.endCursor) return;
    const q = new URLSearchParams(query);
    q.append('back', after ?? '');
    q.set('after', models.pageInfo.endCursor);
    navigate(`/?${q}`);
  };
  const previous = () => {
    const q = new URLSearchParams(query);
    const cursors = q.getAll('back');
    const prev = cursors.pop();
    q.delete('back');
    for (const c of cursors) q.append('back', c);
    if (prev) q.set('after', prev);
    else q.delete('after');
    navigate(`/${q.toString() ? `?${q}` : ''}`);
  };

  return (
    <div>
      <h1>Models</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <input type="search" placeholder="Search key or name" aria-label="Search" value={search} onChange={(e) => setSearch(e.target.value)} />
        <select aria-label="Source" value={query.get('source') ?? ''} onChange={(e) => setFilter({ source: e.target.value })}>
          <option value="">Any source</option>
          {REGISTRY_KINDS.map((k) => (
            <option key={k} value={k}>
              {kindLabel(k)}
            </option>
          ))}
        </select>
        <FilterInput label="Instance" name="instance" query={query} onChange={setFilter} />
        <FilterInput label="Stage" name="stage" query={query} onChange={setFilter} list="stages" />
        <datalist id="stages">
          <option value="Production" />
          <option value="Staging" />
          <option value="Archived" />
          <option value="None" />
        </datalist>
        <FilterInput label="Team" name="team" query={query} onChange={setFilter} />
        <FilterInput label="Owner" name="owner" query={query} onChange={setFilter} placeholder="Owner (email)" />
        <label className="check">
          <input type="checkbox" aria-label="Has findings" checked={query.get('findings') === 'yes'} onChange={(e) => setFilter({ findings: e.target.checked ? 'yes' : undefined })} />
          Has findings
        </label>
        <select aria-label="Severity" value={query.get('severity') ?? ''} onChange={(e) => setFilter({ severity: e.target.value })}>
          <option value="">Any severity</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s} or higher
            </option>
          ))}
        </select>
        <select aria-label="Sort" value={query.get('sort') ?? 'key'} onChange={(e) => setFilter({ sort: e.target.value === 'key' ? undefined : e.target.value })}>
          {Object.entries(SORTS).map(([id, s]) => (
            <option key={id} value={id}>
              Sort: {s.label}
            </option>
          ))}
        </select>
      </form>
      <Problems state={state} />
      {state.loading && !models ? <Loading what="models" /> : null}
      {models ? (
        <>
          <p className="muted" data-testid="models-count">
            {models.totalCount} models · page {pageNumber} of {Math.max(1, Math.ceil(models.totalCount / PAGE_SIZE))}
            {state.loading ? ' · updating…' : ''}
          </p>
          <table className="table" data-testid="models-table" aria-busy={state.loading}>
            <thead>
              <tr>
                <th>Model</th>
                <th>Registries</th>
                <th>In production</th>
                <th>Findings</th>
                <th>First run → production</th>
              </tr>
            </thead>
            <tbody>
              {models.nodes.map((m) => (
                <tr key={m.key} data-model={m.key}>
                  <td>
                    <Link to={modelPath(m.key)}>{m.name}</Link>
                    <div className="muted small">{m.key}</div>
                  </td>
                  <td>
                    {uniqueRefs(m.refs).map((r) => (
                      <SourceBadge key={`${r.kind}:${r.instance}`} kind={r.kind} instance={r.instance} />
                    ))}
                  </td>
                  <td>
                    {(m.productionVersions ?? []).map((v) => (
                      <span key={v.id} className="badge production">
                        v{v.version} · {kindLabel(v.source.kind)} {v.source.instance}
                      </span>
                    ))}
                  </td>
                  <td>
                    <FindingSummary findings={m.findings} />
                  </td>
                  <td>{formatDays(m.lifecycle?.firstRunToProductionDays)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {models.nodes.length === 0 ? <p className="muted">No model matches these filters.</p> : null}
          <nav className="pager" aria-label="Pages">
            <button type="button" onClick={previous} disabled={pageNumber === 1}>
              ← Previous
            </button>
            <span>Page {pageNumber}</span>
            <button type="button" onClick={next} disabled={!models.pageInfo.hasNextPage}>
              Next →
            </button>
          </nav>
        </>
      ) : null}
    </div>
  );
}

function withoutPaging(query: URLSearchParams): URLSearchParams {
  const q = new URLSearchParams(query);
  q.delete('after');
  q.delete('back');
  return q;
}

function FilterInput(props: { label: string; name: string; query: URLSearchParams; onChange: (c: Record<string, string | undefined>) => void; list?: string; placeholder?: string }) {
  const [value, setValue] = useState(props.query.get(props.name) ?? '');
  useEffect(() => setValue(props.query.get(props.name) ?? ''), [props.query, props.name]);
  const commit = () => {
    if (value !== (props.query.get(props.name) ?? '')) props.onChange({ [props.name]: value.trim() });
  };
  return (
    <input
      aria-label={props.label}
      placeholder={props.placeholder ?? props.label}
      list={props.list}
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}

function uniqueRefs(refs: ModelRow['refs']) {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const id = `${r.kind}:${r.instance}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function FindingSummary({ findings }: { findings: ModelRow['findings'] }) {
  if (!findings) return <span className="muted">—</span>;
  const open = findings.filter((f) => !f.waiver);
  if (open.length === 0) return <span className="muted">none{findings.length ? ` (${findings.length} waived)` : ''}</span>;
  const worst = open.reduce((a, f) => (SEVERITY_RANK[f.severity] > SEVERITY_RANK[a] ? f.severity : a), 'LOW');
  return (
    <span>
      <SeverityBadge severity={worst} /> {open.length}
    </span>
  );
}

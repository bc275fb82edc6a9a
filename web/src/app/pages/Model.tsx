import MODEL from '../../graphql/model.graphql?raw';
import { Loading, Problems, Section, SeverityBadge, SourceBadge, formatDate, formatDays } from '../components';
import { Link, personPath } from '../router';
import { useQuery } from '../use-query';

interface Ref {
  kind: string;
  instance: string;
  nativeId?: string;
  url?: string | null;
}
interface Run {
  runId: string;
  name: string | null;
  startTime: string | null;
  user: string | null;
  source: { instance: string; url: string | null };
  git: { repoUrl: string; commit: string | null; branch: string | null } | null;
  commit: {
    sha: string;
    url: string;
    message: string;
    authoredAt: string | null;
    author: { id: string; displayName: string | null } | null;
    repository: { url: string; fullName: string } | null;
  } | null;
}
interface Version {
  __typename: 'MlflowModelVersion' | 'CloudModelVersion';
  id: string;
  version: string;
  stage: string | null;
  aliases: string[];
  status: string;
  createdAt: string | null;
  updatedAt: string | null;
  createdBy: string | null;
  source: Ref;
  run?: Run | null;
  approval?: string | null;
  mlflowSource?: { registeredModel: string | null; version: string | null; runId: string | null } | null;
}
interface Deployment {
  id: string;
  provider: string;
  instance: string;
  region: string | null;
  endpointName: string;
  name: string;
  status: string;
  statusMessage: string | null;
  trafficPercent: number | null;
  servedModelName: string | null;
  consoleUrl: string | null;
  modelVersion: { id: string; version: string } | null;
}
interface Ticket {
  key: string;
  url: string;
  summary?: string;
  status: string | null;
  statusCategory?: string;
  assignee?: { id: string; displayName: string | null } | null;
}
interface Finding {
  fingerprint: string;
  rule: string;
  severity: string;
  message: string;
  waiver: { reason: string; until: string | null } | null;
  ticket: Ticket | null;
  evidence: {
    refs: Ref[];
    versions: Array<{ id: string; version: string; stage: string | null; source: Ref }>;
    tickets: Ticket[];
    deployments: Array<{ id: string; endpointName: string; name: string; status: string; trafficPercent: number | null }>;
  };
}
interface Lifecycle {
  firstRunAt: string | null;
  registeredAt: string | null;
  approvedAt: string | null;
  firstProductionAt: string | null;
  firstRunToRegisteredDays: number | null;
  registeredToApprovedDays: number | null;
  approvedToProductionDays: number | null;
  firstRunToProductionDays: number | null;
}
interface ModelData {
  model: {
    key: string;
    name: string;
    refs: Ref[];
    linkEvidence: Array<{ ref: Ref; rule: string; detail: string }>;
    versions: Version[] | null;
    deployments: Deployment[] | null;
    repository: { url: string; fullName: string; host: string; defaultBranch: string | null } | null;
    tickets: Ticket[] | null;
    codeOwners: Array<{ handle: string; kind: string; person: { id: string; displayName: string | null; email: string | null } | null }> | null;
    findings: Finding[] | null;
    lifecycle: Lifecycle | null;
  } | null;
}

type ModelFields = NonNullable<ModelData['model']>;

export function ModelPage({ modelKey }: { modelKey: string }) {
  const state = useQuery<ModelData>(MODEL, { key: modelKey });
  const model = state.data?.model;
  return (
    <div>
      <p>
        <Link to="/">← Models</Link>
      </p>
      <h1>{model?.name ?? modelKey}</h1>
      <Problems state={state} />
      {state.loading && !model ? <Loading what="the model" /> : null}
      {!state.loading && state.data && !model ? <p>No model with the key “{modelKey}”.</p> : null}
      {model ? (
        <>
          <p className="muted">
            {model.key} · in{' '}
            {model.refs.map((r) => (
              <SourceBadge key={`${r.kind}:${r.instance}:${r.nativeId}`} kind={r.kind} instance={r.instance} />
            ))}
          </p>
          <LifecycleTimeline lifecycle={model.lifecycle} />
          <Versions versions={model.versions} served={servedVersionIds(model.deployments)} />
          <Deployments deployments={model.deployments} />
          <Lineage versions={model.versions} repository={model.repository} />
          <Owners owners={model.codeOwners} />
          <Tickets tickets={model.tickets} />
          <Findings findings={model.findings} />
          <Section title="Why these records are one model">
            <ul>
              {model.linkEvidence.map((e, i) => (
                <li key={i}>
                  <SourceBadge kind={e.ref.kind} instance={e.ref.instance} /> {e.rule}: {e.detail}
                </li>
              ))}
            </ul>
          </Section>
        </>
      ) : null}
    </div>
  );
}

function LifecycleTimeline({ lifecycle }: { lifecycle: Lifecycle | null }) {
  if (!lifecycle) return <Section title="Lifecycle"><p className="muted">Not evaluated yet.</p></Section>;
  const steps = [
    { label: 'First run', at: lifecycle.firstRunAt, days: null },
    { label: 'Registered', at: lifecycle.registeredAt, days: lifecycle.firstRunToRegisteredDays },
    { label: 'Approved', at: lifecycle.approvedAt, days: lifecycle.registeredToApprovedDays },
    { label: 'Production', at: lifecycle.firstProductionAt, days: lifecycle.approvedToProductionDays },
  ];
  return (
    <Section title="Lifecycle" id="lifecycle">
      <ol className="lifecycle">
        {steps.map((s, i) => (
          <li key={s.label} className={s.at ? 'reached' : 'pending'}>
            {i > 0 ? <span className="gap">{s.days !== null ? `+${formatDays(s.days)}` : ''}</span> : null}
            <strong>{s.label}</strong>
            <span>{formatDate(s.at)}</span>
          </li>
        ))}
      </ol>
      <p className="muted">First run to production: {formatDays(lifecycle.firstRunToProductionDays)}</p>
    </Section>
  );
}

/** Versions a deployment serves with traffic: in production whatever their registry stage says. */
function servedVersionIds(deployments: Deployment[] | null): Set<string> {
  return new Set((deployments ?? []).filter((d) => d.modelVersion && (d.trafficPercent ?? 0) > 0).map((d) => d.modelVersion!.id));
}

function Versions({ versions, served }: { versions: Version[] | null; served: Set<string> }) {
  const sorted = [...(versions ?? [])].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  return (
    <Section title="Versions in every registry" id="versions">
      {versions === null ? <p className="muted">Unavailable (see above).</p> : null}
      <ol className="timeline" data-testid="versions">
        {sorted.map((v) => (
          <li key={v.id} className={isProduction(v) || served.has(v.id) ? 'production' : ''} data-registry={v.source.kind}>
            <span className="when">{formatDate(v.createdAt)}</span>
            <SourceBadge kind={v.source.kind} instance={v.source.instance} />
            <strong>v{v.version}</strong>
            {v.stage ? <span className={`badge stage${isProduction(v) ? ' production' : ''}`}>{v.stage}</span> : null}
            {v.aliases.map((a) => (
              <span key={a} className="badge alias">
                @{a}
              </span>
            ))}
            {v.approval ? <span className="badge">{v.approval}</span> : null}
            {served.has(v.id) ? <span className="badge production">serving</span> : null}
            <span className="muted small"> {v.status}</span>
          </li>
        ))}
      </ol>
    </Section>
  );
}

const isProduction = (v: { stage: string | null; aliases?: string[] }) =>
  v.stage?.toLowerCase() === 'production' || (v.aliases ?? []).some((a) => /prod|champion/i.test(a));

function Deployments({ deployments }: { deployments: Deployment[] | null }) {
  return (
    <Section title="Deployments" id="deployments">
      {deployments === null ? <p className="muted">Unavailable (see above).</p> : null}
      {deployments?.length === 0 ? <p className="muted">Not deployed on any cloud.</p> : null}
      {deployments?.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>Cloud</th>
              <th>Endpoint / deployment</th>
              <th>Status</th>
              <th>Traffic</th>
              <th>Serves</th>
            </tr>
          </thead>
          <tbody>
            {deployments.map((d) => (
              <tr key={d.id}>
                <td>
                  <SourceBadge kind={d.provider} instance={d.instance} /> {d.region}
                </td>
                <td>
                  {d.consoleUrl ? <a href={d.consoleUrl}>{d.endpointName}</a> : d.endpointName} / {d.name}
                </td>
                <td>
                  <span className={`badge status-${d.status.toLowerCase()}`}>{d.status}</span>
                  {d.statusMessage ? <div className="muted small">{d.statusMessage}</div> : null}
                </td>
                <td>{d.trafficPercent !== null ? `${d.trafficPercent}%` : '—'}</td>
                <td>{d.modelVersion ? `v${d.modelVersion.version}` : <span className="muted">{d.servedModelName ?? 'unregistered'}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

function Lineage({ versions, repository }: { versions: Version[] | null; repository: ModelFields['repository'] }) {
  const withRuns = (versions ?? []).filter((v) => v.run);
  // Production versions first: their lineage is what an auditor asks for.
  withRuns.sort((a, b) => Number(isProduction(b)) - Number(isProduction(a)));
  return (
    <Section title="Lineage: run → commit → repository" id="lineage">
      {repository ? (
        <p>
          Repository: <a href={repository.url}>{repository.fullName}</a> <span className="muted">({repository.host.toLowerCase()})</span>
        </p>
      ) : (
        <p className="muted">No repository known.</p>
      )}
      <ul className="lineage" data-testid="lineage">
        {withRuns.slice(0, 10).map((v) => {
          const run = v.run!;
          return (
            <li key={v.id}>
              <SourceBadge kind={v.source.kind} />
              <span className="badge">v{v.version}</span>
              {v.stage ? <span className={`badge stage${isProduction(v) ? ' production' : ''}`}>{v.stage}</span> : null} run{' '}
              {run.source.url ? <a href={run.source.url}>{run.name ?? run.runId}</a> : run.name ?? run.runId} ({formatDate(run.startTime)}) →{' '}
              {run.commit ? (
                <>
                  commit <a href={run.commit.url}>{run.commit.sha.slice(0, 8)}</a> “{run.commit.message.split('\n')[0]}”
                  {run.commit.author ? (
                    <>
                      {' '}
                      by <Link to={personPath(run.commit.author.id)}>{run.commit.author.displayName ?? run.commit.author.id}</Link>
                    </>
                  ) : null}{' '}
                  → {run.commit.repository ? <a href={run.commit.repository.url}>{run.commit.repository.fullName}</a> : run.git?.repoUrl}
                </>
              ) : run.git ? (
                <>
                  commit {run.git.commit?.slice(0, 8) ?? '?'} → {run.git.repoUrl}
                </>
              ) : (
                <span className="muted">no commit recorded</span>
              )}
            </li>
          );
        })}
      </ul>
    </Section>
  );
}

function Owners({ owners }: { owners: ModelFields['codeOwners'] }) {
  return (
    <Section title="Code owners" id="owners">
      {owners === null ? <p className="muted">Unavailable (see above).</p> : null}
      {owners?.length === 0 ? <p className="muted">No code owners.</p> : null}
      <ul className="inline-list">
        {(owners ?? []).map((o) => (
          <li key={o.handle}>
            {o.person ? <Link to={personPath(o.person.id)}>{o.person.displayName ?? o.person.email ?? o.handle}</Link> : <span>{o.handle}</span>}{' '}
            <span className="muted small">
              {o.handle} · {o.kind.toLowerCase()}
            </span>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Tickets({ tickets }: { tickets: Ticket[] | null }) {
  return (
    <Section title="Tickets" id="tickets">
      {tickets === null ? <p className="muted">Unavailable (see above).</p> : null}
      {tickets?.length === 0 ? <p className="muted">No tickets.</p> : null}
      <ul>
        {(tickets ?? []).map((t) => (
          <li key={t.key}>
            <a href={t.url}>{t.key}</a> {t.summary} <span className="badge">{t.status}</span>
            {t.assignee ? (
              <>
                {' '}
                · <Link to={personPath(t.assignee.id)}>{t.assignee.displayName ?? t.assignee.id}</Link>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Findings({ findings }: { findings: Finding[] | null }) {
  const open = (findings ?? []).filter((f) => !f.waiver);
  const waived = (findings ?? []).filter((f) => f.waiver);
  return (
    <Section title="Findings" id="findings">
      {findings === null ? <p className="muted">Not evaluated yet.</p> : null}
      {findings?.length === 0 ? <p className="muted">No findings.</p> : null}
      {open.map((f) => (
        <FindingCard key={f.fingerprint} finding={f} />
      ))}
      {waived.length ? <h3>Waived</h3> : null}
      {waived.map((f) => (
        <FindingCard key={f.fingerprint} finding={f} />
      ))}
    </Section>
  );
}

function FindingCard({ finding: f }: { finding: Finding }) {
  return (
    <div className={`finding${f.waiver ? ' waived' : ''}`}>
      <SeverityBadge severity={f.severity} /> <strong>{f.rule}</strong> {f.message}
      {f.ticket ? (
        <>
          {' '}
          · <a href={f.ticket.url}>{f.ticket.key}</a> ({f.ticket.status})
        </>
      ) : null}
      {f.waiver ? (
        <div className="muted small">
          Waived: {f.waiver.reason}
          {f.waiver.until ? ` (until ${f.waiver.until})` : ''}
        </div>
      ) : null}
      <ul className="evidence small">
        {f.evidence.versions.map((v) => (
          <li key={v.id}>
            version <SourceBadge kind={v.source.kind} instance={v.source.instance} /> v{v.version} {v.stage ?? ''}
          </li>
        ))}
        {f.evidence.deployments.map((d) => (
          <li key={d.id}>
            deployment {d.endpointName}/{d.name} {d.status}
            {d.trafficPercent !== null ? ` ${d.trafficPercent}%` : ''}
          </li>
        ))}
        {f.evidence.tickets.map((t) => (
          <li key={t.key}>
            ticket <a href={t.url}>{t.key}</a> {t.status}
          </li>
        ))}
      </ul>
    </div>
  );
}

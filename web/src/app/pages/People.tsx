import { useEffect, useState } from 'react';
import ME from '../../graphql/me.graphql?raw';
import PERSON from '../../graphql/person.graphql?raw';
import { Loading, Problems, Section, formatDate } from '../components';
import { Link, modelPath, navigate, personPath } from '../router';
import { useQuery } from '../use-query';

interface PersonData {
  person: {
    id: string;
    email: string | null;
    displayName: string | null;
    identities: Array<{ tool: string; instance: string; nativeId: string; email: string | null; displayName: string | null }>;
    ownedModels: Array<{ key: string; name: string }> | null;
    runs: Array<{ runId: string; name: string | null; status: string; startTime: string | null; source: { instance: string; url: string | null }; experiment: { name: string } | null }> | null;
    tickets: Array<{ key: string; url: string; summary: string; status: string | null; modelKeys: string[] }> | null;
  } | null;
}

export function PeoplePage({ personId }: { personId?: string }) {
  const me = useQuery<{ me: { id: string; displayName: string | null } | null }>(ME, {}, { skip: Boolean(personId) });
  const [id, setId] = useState(personId ?? '');
  useEffect(() => setId(personId ?? ''), [personId]);
  return (
    <div>
      <h1>People</h1>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) navigate(personPath(id.trim()));
        }}
      >
        <input aria-label="Person" className="wide" placeholder="Email, or tool:instance:id" value={id} onChange={(e) => setId(e.target.value)} />
        <button type="submit">Show</button>
      </form>
      {!personId ? (
        <p className="muted">
          Find a person by email, or follow a code owner or ticket assignee from a model's page.
          {me.data?.me ? (
            <>
              {' '}
              You are <Link to={personPath(me.data.me.id)}>{me.data.me.displayName ?? me.data.me.id}</Link>.
            </>
          ) : null}
        </p>
      ) : (
        <Person id={personId} />
      )}
    </div>
  );
}

function Person({ id }: { id: string }) {
  const state = useQuery<PersonData>(PERSON, { id });
  const person = state.data?.person;
  return (
    <>
      <Problems state={state} />
      {state.loading && !person ? <Loading what="the person" /> : null}
      {!state.loading && state.data && !person ? <p>Nobody known as “{id}”.</p> : null}
      {person ? (
        <>
          <h2>{person.displayName ?? person.email ?? person.id}</h2>
          <p className="muted">{person.email}</p>
          <Section title="Identities across tools">
            <table className="table">
              <tbody>
                {person.identities.map((i) => (
                  <tr key={`${i.tool}:${i.instance}:${i.nativeId}`}>
                    <td>{i.tool}</td>
                    <td>{i.instance}</td>
                    <td>{i.nativeId}</td>
                    <td>{i.displayName}</td>
                    <td>{i.email}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title="Models owned">
            {person.ownedModels?.length === 0 ? <p className="muted">None directly (team ownership is not expanded).</p> : null}
            <ul className="inline-list">
              {(person.ownedModels ?? []).map((m) => (
                <li key={m.key}>
                  <Link to={modelPath(m.key)}>{m.name}</Link>
                </li>
              ))}
            </ul>
          </Section>
          <Section title="Runs">
            {person.runs?.length === 0 ? <p className="muted">No runs.</p> : null}
            <ul>
              {(person.runs ?? []).map((r) => (
                <li key={`${r.source.instance}/${r.runId}`}>
                  {r.source.url ? <a href={r.source.url}>{r.name ?? r.runId}</a> : r.name ?? r.runId} · {r.experiment?.name} · {r.status} ·{' '}
                  {formatDate(r.startTime)} <span className="muted small">({r.source.instance})</span>
                </li>
              ))}
            </ul>
          </Section>
          <Section title="Tickets">
            {person.tickets?.length === 0 ? <p className="muted">No tickets.</p> : null}
            <ul>
              {(person.tickets ?? []).map((t) => (
                <li key={t.key}>
                  <a href={t.url}>{t.key}</a> {t.summary} <span className="badge">{t.status}</span>{' '}
                  {t.modelKeys.map((k) => (
                    <Link key={k} to={modelPath(k)} className="badge">
                      {k}
                    </Link>
                  ))}
                </li>
              ))}
            </ul>
          </Section>
        </>
      ) : null}
    </>
  );
}

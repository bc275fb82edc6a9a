import { useState } from 'react';
import { readCredentials, saveCredentials, type Credentials } from '../credentials';
import { FindingsPage } from './pages/Findings';
import { ModelPage } from './pages/Model';
import { ModelsPage } from './pages/Models';
import { NumbersPage } from './pages/Numbers';
import { PeoplePage } from './pages/People';
import { SourcesPage } from './pages/Sources';
import { Link, useLocation, type Location } from './router';

const NAV: Array<{ to: string; label: string; active: (path: string) => boolean }> = [
  { to: '/', label: 'Models', active: (p) => p === '/' || p.startsWith('/models') },
  { to: '/findings', label: 'Findings', active: (p) => p.startsWith('/findings') },
  { to: '/people', label: 'People', active: (p) => p.startsWith('/people') },
  { to: '/sources', label: 'Sources', active: (p) => p.startsWith('/sources') },
  { to: '/numbers', label: 'Numbers', active: (p) => p.startsWith('/numbers') },
];

function page(location: Location) {
  const { path } = location;
  const model = /^\/models\/(.+)$/.exec(path);
  if (model) return <ModelPage key={model[1]} modelKey={decodeURIComponent(model[1])} />;
  const person = /^\/people\/(.+)$/.exec(path);
  if (person) return <PeoplePage personId={decodeURIComponent(person[1])} />;
  if (path === '/people') return <PeoplePage />;
  if (path === '/findings') return <FindingsPage location={location} />;
  if (path === '/sources') return <SourcesPage />;
  if (path === '/numbers') return <NumbersPage />;
  if (path === '/' || path === '/models') return <ModelsPage location={location} />;
  return <p>No page here. <Link to="/">Go to the models.</Link></p>;
}

export function App() {
  const location = useLocation();
  // Changing credentials re-renders every page, which asks again with them.
  const [credentials, setCredentials] = useState<Credentials | undefined>(readCredentials);
  const [signingIn, setSigningIn] = useState(false);
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          modelgraph
        </Link>
        <nav aria-label="Pages">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className={n.active(location.path) ? 'active' : ''}>
              {n.label}
            </Link>
          ))}
          <a href="/graphql">GraphiQL</a>
        </nav>
        <button type="button" className="signin" onClick={() => setSigningIn((s) => !s)}>
          {credentials ? `Signed in (${credentials.kind === 'apiKey' ? 'API key' : 'token'})` : 'Sign in'}
        </button>
      </header>
      {signingIn ? (
        <SignIn
          current={credentials}
          onDone={(c) => {
            saveCredentials(c);
            setCredentials(c);
            setSigningIn(false);
          }}
        />
      ) : null}
      <main key={credentials ? `${credentials.kind}:${credentials.value.length}` : 'anonymous'}>{page(location)}</main>
    </>
  );
}

function SignIn({ current, onDone }: { current?: Credentials; onDone: (c: Credentials | undefined) => void }) {
  const [kind, setKind] = useState<Credentials['kind']>(current?.kind ?? 'apiKey');
  const [value, setValue] = useState('');
  return (
    <form
      className="card signin-form"
      onSubmit={(e) => {
        e.preventDefault();
        onDone(value.trim() ? { kind, value: value.trim() } : current);
      }}
    >
      <p className="muted">
        Only when the gateway requires auth. Kept in this tab's session storage and sent with each request; the IDE uses it too.
      </p>
      <select aria-label="Credential kind" value={kind} onChange={(e) => setKind(e.target.value as Credentials['kind'])}>
        <option value="apiKey">API key (x-api-key)</option>
        <option value="bearer">Bearer token (authorization)</option>
      </select>
      <input aria-label="Credential" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} size={50} />
      <button type="submit">Use</button>
      {current ? (
        <button type="button" onClick={() => onDone(undefined)}>
          Sign out
        </button>
      ) : null}
    </form>
  );
}

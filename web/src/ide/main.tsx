import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './ide.css';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { credentialHeaders } from '../credentials';
import { exampleTabs } from './examples';

// Same origin: the page is served by the gateway at GET /graphql, and posts to it.
const fetcher = createGraphiQLFetcher({ url: `${window.location.origin}/graphql` });

// Credentials the web app was given (sessionStorage) start in the headers editor; a token
// or API key typed there is sent with every request, as for any client.
const headers = credentialHeaders();

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultTabs={exampleTabs(headers)}
    defaultHeaders={Object.keys(headers).length ? JSON.stringify(headers, null, 2) : undefined}
    defaultEditorToolsVisibility="variables"
  />,
);

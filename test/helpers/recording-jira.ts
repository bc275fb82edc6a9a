import { createJiraHandler, createJiraStore, jiraFaultResponse, type JiraSandboxFlavor, type JiraStore } from '../../sandbox/jira';
import { startSandboxHttpServer, type RequestStats } from '../../sandbox/http';
import type { DemoOrg } from '../../sandbox/demo-org';

/** One request to the sandbox Jira and its answer, bodies JSON-parsed. */
export interface JiraExchange {
  method: string;
  path: string;
  body: unknown;
  status: number;
  response: unknown;
}

export interface RecordingJira {
  url: string;
  store: JiraStore;
  stats: RequestStats;
  /** Every request so far, in order. */
  exchanges: JiraExchange[];
  close(): Promise<void>;
}

function parse(text: string | Buffer | undefined): unknown {
  const s = text === undefined ? '' : text.toString();
  if (s === '') return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The sandbox Jira of `org` (no auth), recording what is sent to it and what it answers. */
export async function startRecordingJira(org: DemoOrg, flavor: JiraSandboxFlavor): Promise<RecordingJira> {
  const store = createJiraStore(org, flavor);
  const handler = createJiraHandler(store, { flavor });
  const exchanges: JiraExchange[] = [];
  const server = await startSandboxHttpServer({
    name: `jira:recording-${flavor}`,
    faultResponse: (status) => jiraFaultResponse(flavor, status),
    handler: async (req) => {
      const res = await handler(req);
      exchanges.push({ method: req.method, path: req.path, body: parse(req.body), status: res.status, response: parse(res.body) });
      return res;
    },
  });
  return { url: server.url, store, stats: server.stats, exchanges, close: server.close };
}

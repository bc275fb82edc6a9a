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
  /**
   * Jira Cloud's index lag: while set, searches do not find the issues created through this
   * server yet (the create has answered; the search index has not caught up).
   */
  searchLags: boolean;
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
  const created = new Set<string>();
  const recording: RecordingJira = {
    url: '',
    store,
    stats: undefined as unknown as RequestStats,
    exchanges,
    searchLags: false,
    close: async () => undefined,
  };
  const server = await startSandboxHttpServer({
    name: `jira:recording-${flavor}`,
    faultResponse: (status) => jiraFaultResponse(flavor, status),
    handler: async (req) => {
      let res = await handler(req);
      const response = parse(res.body) as { key?: string; issues?: Array<{ key: string }> } | undefined;
      if (req.method === 'POST' && /\/issue$/.test(req.path) && res.status === 201 && response?.key) created.add(response.key);
      if (recording.searchLags && /\/search(\/jql)?$/.test(req.path) && response?.issues) {
        res = { ...res, body: JSON.stringify({ ...response, issues: response.issues.filter((i) => !created.has(i.key)) }) };
      }
      exchanges.push({ method: req.method, path: req.path, body: parse(req.body), status: res.status, response: parse(res.body) });
      return res;
    },
  });
  return Object.assign(recording, { url: server.url, stats: server.stats, close: server.close });
}

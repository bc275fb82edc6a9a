import nock from 'nock';
import { useNock } from '../helpers/nock';
import {
  azuremlInstanceSchema,
  githubInstanceSchema,
  gitlabInstanceSchema,
  jiraInstanceSchema,
  mlflowInstanceSchema,
} from '../../config/schema';
import { AzuremlConnector } from '../../connectors/azureml';
import { MemoryCache } from '../../connectors/core/cache/memory-cache';
import type { Connector, ConnectorDeps } from '../../connectors/core/connector';
import { SourceErrorCode } from '../../connectors/core/errors';
import { readRateLimitHeaders } from '../../connectors/core/rate-limit';
import { SourceHealthRegistry, type SourceHealth } from '../../connectors/core/source-health';
import { GithubConnector } from '../../connectors/github';
import { GitlabConnector } from '../../connectors/gitlab';
import { JiraConnector } from '../../connectors/jira';
import { MlflowConnector } from '../../connectors/mlflow';

/**
 * Each vendor's rate-limit headers, recorded through its real connector and HttpClient: the
 * upstream is nock'd on 127.0.0.1, answering the connector's own health check with the
 * headers the vendor documents.
 */

const BASE = 'http://127.0.0.1:9';
const NOW = Date.parse('2025-06-01T12:00:00Z');
const open: Connector[] = [];
let health: SourceHealthRegistry;

useNock();
beforeEach(() => {
  health = new SourceHealthRegistry({ now: () => NOW });
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function deps(): ConnectorDeps {
  return {
    cache: new MemoryCache(),
    cacheDefaults: { ttlSeconds: 0, staleSeconds: 0 },
    clock: { sleep: async () => undefined, now: () => NOW },
    health,
  };
}

function track<T extends Connector>(connector: T): T {
  open.push(connector);
  return connector;
}

function recorded(source: string): SourceHealth {
  const entry = health.snapshot().find((s) => s.source === source);
  if (!entry) throw new Error(`${source} was never recorded`);
  return entry;
}

describe('GitHub', () => {
  const TOKEN = 'ghp_0123456789abcdefSECRET';
  const github = () =>
    track(GithubConnector.fromConfig(githubInstanceSchema.parse({ name: 'cloud', url: BASE, auth: { type: 'token', token: TOKEN } }), deps()));

  it('records x-ratelimit-limit/remaining/reset (epoch s)/resource', async () => {
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/rate_limit')
      .reply(200, { resources: {}, rate: {} }, {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4987',
        'x-ratelimit-used': '13',
        'x-ratelimit-reset': '1748782800',
        'x-ratelimit-resource': 'core',
      });
    await github().health();
    expect(recorded('github:cloud')).toMatchObject({
      kind: 'GITHUB',
      instance: 'cloud',
      reachable: true,
      calls: 1,
      errors: 0,
      lastSuccessAt: '2025-06-01T12:00:00.000Z',
      rateLimit: { limit: 5000, remaining: 4987, resetAt: '2025-06-01T13:00:00.000Z', resource: 'core' },
      circuit: 'CLOSED',
    });
  });

  it('records the exhausted limit from the 403 that reports it', async () => {
    nock(BASE)
      .get('/rate_limit')
      .reply(403, { message: 'API rate limit exceeded for user ID 1.' }, {
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        // An hour away: far beyond the retry budget, so no retry.
        'x-ratelimit-reset': '1748782800',
        'x-ratelimit-resource': 'core',
      });
    await expect(github().health()).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED });
    expect(recorded('github:cloud')).toMatchObject({
      reachable: false,
      errors: 1,
      lastError: { code: 'SOURCE_RATE_LIMITED' },
      rateLimit: { limit: 5000, remaining: 0, resetAt: '2025-06-01T13:00:00.000Z', resource: 'core' },
    });
  });
});

describe('GitLab', () => {
  it('records RateLimit-Limit/Remaining/Reset (epoch s) and the throttle name', async () => {
    nock(BASE)
      .get('/api/v4/version')
      .reply(200, { version: '17.11.0-ee', revision: 'abc' }, {
        'RateLimit-Limit': '2000',
        'RateLimit-Observed': '3',
        'RateLimit-Remaining': '1997',
        'RateLimit-Reset': '1748779260',
        'RateLimit-ResetTime': 'Sun, 01 Jun 2025 12:01:00 GMT',
        'RateLimit-Name': 'throttle_authenticated_api',
      });
    const config = gitlabInstanceSchema.parse({ name: 'com', url: BASE, auth: { type: 'privateToken', token: 'glpat-0123456789abcdefghij' } });
    await track(GitlabConnector.fromConfig(config, deps())).health();
    expect(recorded('gitlab:com').rateLimit).toEqual({
      limit: 2000,
      remaining: 1997,
      resetAt: '2025-06-01T12:01:00.000Z',
      resource: 'throttle_authenticated_api',
    });
  });
});

describe('Jira Cloud', () => {
  const jira = () =>
    track(
      JiraConnector.fromConfig(
        jiraInstanceSchema.parse({
          name: 'corp',
          flavor: 'cloud',
          url: BASE,
          auth: { type: 'basic', email: 'svc@acme.io', apiToken: 'ATATT3xFfGF0-secret' },
        }),
        deps(),
      ),
    );

  it('records X-RateLimit-Limit/Remaining and the ISO X-RateLimit-Reset of a 429, then the next reading', async () => {
    nock(BASE)
      .get('/rest/api/3/myself')
      .reply(429, { errorMessages: ['Rate limit exceeded.'] }, {
        'Retry-After': '3600',
        'X-RateLimit-Limit': '350',
        'X-RateLimit-Remaining': '0',
        // Atlassian's documented format: minutes, no seconds.
        'X-RateLimit-Reset': '2025-06-01T13:00Z',
        'RateLimit-Reason': 'jira-burst-based',
      });
    await expect(jira().health()).rejects.toMatchObject({ code: SourceErrorCode.SOURCE_RATE_LIMITED });
    expect(recorded('jira:corp')).toMatchObject({
      reachable: false,
      lastError: { code: 'SOURCE_RATE_LIMITED' },
      rateLimit: { limit: 350, remaining: 0, resetAt: '2025-06-01T13:00:00.000Z', resource: 'jira-burst-based' },
    });

    nock(BASE)
      .get('/rest/api/3/myself')
      .reply(200, { accountId: '5b10a2844c20165700ede21g', displayName: 'svc' }, { 'X-RateLimit-Limit': '350', 'X-RateLimit-Remaining': '349' });
    await jira().health();
    // Latest wins, whole: this response named no reset and no reason.
    expect(recorded('jira:corp')).toMatchObject({
      reachable: true,
      calls: 2,
      errors: 1,
      rateLimit: { limit: 350, remaining: 349, resetAt: null, resource: null },
    });
  });
});

describe('Azure ML (Resource Manager)', () => {
  it('records the remaining subscription reads, the only figure ARM gives', async () => {
    const config = azuremlInstanceSchema.parse({
      name: 'prod',
      subscriptionId: '9b3a1c2e-4d5f-4a6b-8c7d-0e1f2a3b4c5d',
      resourceGroup: 'rg-ml',
      workspace: 'mlw-test',
      endpoint: BASE,
      auth: { type: 'token', token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.static-arm-token' },
    });
    nock(BASE)
      .get('/subscriptions/9b3a1c2e-4d5f-4a6b-8c7d-0e1f2a3b4c5d/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-test')
      .query(true)
      .reply(200, { id: 'ws', name: 'mlw-test', properties: {} }, { 'x-ms-ratelimit-remaining-subscription-reads': '11998' });
    await track(AzuremlConnector.fromConfig(config, deps())).health();
    expect(recorded('azure_ml:prod')).toMatchObject({
      reachable: true,
      rateLimit: { limit: null, remaining: 11998, resetAt: null, resource: 'subscription-reads' },
    });
  });
});

describe('MLflow', () => {
  it('reports no rate limit, and its caches record through the same recorder', async () => {
    const config = mlflowInstanceSchema.parse({ name: 'prod', url: BASE });
    nock(BASE)
      .get('/api/2.0/mlflow/registered-models/search')
      .query(true)
      .reply(200, { registered_models: [] }, { 'x-ratelimit-remaining': '10' });
    const mlflow = track(MlflowConnector.fromConfig(config, { ...deps(), cacheDefaults: { ttlSeconds: 60, staleSeconds: 60 } }));
    await mlflow.listRegisteredModels();
    await mlflow.listRegisteredModels();
    expect(recorded('mlflow:prod')).toMatchObject({
      reachable: true,
      calls: 1,
      rateLimit: null,
      cache: { hits: 1, misses: 1, hitRatio: 0.5 },
    });
  });
});

describe('readRateLimitHeaders', () => {
  const names = { limit: 'l', remaining: 'r', reset: 't', resource: 'n' };

  it('is undefined without any counter, and drops what does not parse', () => {
    expect(readRateLimitHeaders({ n: 'core' }, names, 'epoch-seconds')).toBeUndefined();
    expect(readRateLimitHeaders({ l: 'many', r: '-1', t: 'soon' }, names, 'iso')).toBeUndefined();
    expect(readRateLimitHeaders({ l: '60', t: 'Sun, 01 Jun 2025 12:01:00 GMT' }, names, 'epoch-seconds')).toEqual({
      limit: 60,
      remaining: undefined,
      resetAt: undefined,
      resource: undefined,
    });
  });

  it('reads an ISO reset, and epoch seconds where ISO is documented', () => {
    expect(readRateLimitHeaders({ r: '5', t: '2025-06-01T12:30Z' }, names, 'iso')?.resetAt).toBe('2025-06-01T12:30:00.000Z');
    expect(readRateLimitHeaders({ r: '5', t: '1748781000' }, names, 'iso')?.resetAt).toBe('2025-06-01T12:30:00.000Z');
  });
});

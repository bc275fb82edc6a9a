import type {
  DatabricksErrorBody,
  ListModelVersionsResponse,
  ListRegisteredModelsResponse,
  ListSchemasResponse,
  ModelVersionInfo,
  OidcTokenResponse,
  RegisteredModelInfo,
} from '../../connectors/unitycatalog/types';
import { generateDemoOrg } from '../../sandbox/demo-org';
import { reference, violations } from '../helpers/databricks-reference';
import {
  fullNameOf,
  JsonInt64,
  seedUnityCatalog,
  startUnityCatalogSandbox,
  stringifyDatabricksJson,
  UC_SANDBOX_CLIENT,
  UC_SANDBOX_METASTORE_ID,
  UC_SANDBOX_SERVICE_PRINCIPALS,
  UC_SANDBOX_TOKEN,
  UC_SANDBOX_UNKNOWN_WORKSPACE,
  UC_SANDBOX_WORKSPACES,
  UC_SEED_GAPS,
  type UcSandboxServer,
  type UcSeed,
} from '../../sandbox/unitycatalog';

const org = generateDemoOrg();
const seed: UcSeed = seedUnityCatalog(org);
const PAT = { authorization: `Bearer ${UC_SANDBOX_TOKEN}` };
const API = '/api/2.1/unity-catalog';
const FRAUD = UC_SEED_GAPS.pendingRegistration.fullName;
const TWO_POW_53 = 2n ** 53n;

let server: UcSandboxServer;

beforeAll(async () => {
  server = await startUnityCatalogSandbox({ org, instance: 'prod' });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.faults.failRate = 0;
  server.faults.failNext = 0;
  server.faults.failStatus = 503;
  delete server.faults.retryAfterSeconds;
});

interface Reply<T> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

async function get<T = unknown>(path: string, headers: Record<string, string> = PAT, base = server.url): Promise<Reply<T>> {
  const res = await fetch(`${base}${path}`, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

async function requestToken(
  form: Record<string, string>,
  options: { basic?: [string, string]; contentType?: string; base?: string } = {},
): Promise<Reply<OidcTokenResponse & { error?: string; error_description?: string }>> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' };
  if (options.basic) headers.authorization = `Basic ${Buffer.from(`${options.basic[0]}:${options.basic[1]}`).toString('base64')}`;
  const res = await fetch(`${options.base ?? server.url}/oidc/v1/token`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text, headers: res.headers };
}

const BASIC: [string, string] = [UC_SANDBOX_CLIENT.clientId, UC_SANDBOX_CLIENT.clientSecret];
const M2M_FORM = { grant_type: 'client_credentials', scope: 'all-apis' };

/** Follows `next_page_token` to the end, returning each page. */
async function allPages<T extends { next_page_token?: string }>(path: string): Promise<T[]> {
  const pages: T[] = [];
  let token: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await get<T>(token ? `${path}${sep}page_token=${encodeURIComponent(token)}` : path);
    expect(res.status).toBe(200);
    pages.push(res.body);
    token = res.body.next_page_token;
    expect(pages.length).toBeLessThan(50);
  } while (token);
  return pages;
}

// ---- the seed -------------------------------------------------------------------------------

describe('seed', () => {
  it('is deterministic and names the gaps UC_SEED_GAPS names', () => {
    expect(seedUnityCatalog(generateDemoOrg())).toEqual(seed);
    expect(seed.gaps).toEqual(UC_SEED_GAPS);
  });

  it('registers 4-6 org models of at least two teams, named <catalog>.<team schema>.<key with _>', () => {
    expect(seed.models.length).toBeGreaterThanOrEqual(4);
    expect(seed.models.length).toBeLessThanOrEqual(6);
    const byKey = new Map(org.models.map((m) => [m.key, m]));
    const teams = new Set<string>();
    for (const model of seed.models) {
      const demo = byKey.get(model.key)!;
      expect(demo).toBeDefined();
      teams.add(demo.team);
      expect(model.name).toBe(model.key.replace(/-/g, '_'));
      expect(model.schema).toBe(demo.team.replace(/-/g, '_'));
      expect(['ml_prod', 'ml_dev']).toContain(model.catalog);
    }
    expect(teams.size).toBeGreaterThanOrEqual(2);
    expect(seed.models.filter((m) => m.catalog === 'ml_dev')).toHaveLength(1);
    expect(seed.models.map(fullNameOf)).toEqual([
      'ml_dev.ml_platform.entity_resolver',
      'ml_prod.customer_ai.sentiment_classifier',
      'ml_prod.research.price_elasticity_estimator',
      'ml_prod.risk.fraud_detector',
      'ml_prod.supply_chain.demand_forecaster',
    ]);
  });

  it('mirrors the MLflow versions: numbers 1..n, run ids, the workspace of the instance holding the run', () => {
    for (const model of seed.models) {
      const demo = org.models.find((m) => m.key === model.key)!;
      const instance = model.versions[0]!.mlflow.instance;
      const registration = demo.registrations.find((r) => r.instance === instance)!;
      expect(model.versions.map((v) => v.version)).toEqual(registration.versions.map((_, i) => i + 1));
      model.versions.forEach((v, i) => {
        expect(v.runId).toBe(registration.versions[i]!.runId);
        const expected = fullNameOf(model) === UC_SEED_GAPS.unknownWorkspace.fullName && v.version === 1 ? UC_SANDBOX_UNKNOWN_WORKSPACE : UC_SANDBOX_WORKSPACES[instance];
        expect(v.runWorkspaceId).toBe(expected);
        expect(v.source).toMatch(/^(dbfs:\/databricks\/mlflow-tracking\/\d+\/[0-9a-f]{32}\/artifacts\/model|models:\/m-[0-9a-f]+)$/);
      });
    }
    // The research-only model's runs live in the research workspace.
    const research = seed.models.find((m) => fullNameOf(m) === UC_SEED_GAPS.researchRuns.fullName)!;
    expect(research.versions.every((v) => v.mlflow.instance === 'research' && v.runWorkspaceId === UC_SANDBOX_WORKSPACES.research)).toBe(true);
    expect(Object.values(UC_SANDBOX_WORKSPACES)).not.toContain(UC_SANDBOX_UNKNOWN_WORKSPACE);
  });

  it('has the gaps: one pending newest version, one failed, the rest READY', () => {
    const statuses = seed.models.flatMap((m) => m.versions.map((v) => ({ fullName: fullNameOf(m), version: v.version, status: v.status, newest: v.version === m.versions.length })));
    expect(statuses.filter((s) => s.status === 'PENDING_REGISTRATION')).toEqual([{ ...UC_SEED_GAPS.pendingRegistration, status: 'PENDING_REGISTRATION', newest: true }]);
    expect(statuses.filter((s) => s.status === 'FAILED_REGISTRATION')).toEqual([{ ...UC_SEED_GAPS.failedRegistration, status: 'FAILED_REGISTRATION', newest: true }]);
    expect(statuses.filter((s) => s.status !== 'READY')).toHaveLength(2);
  });

  it('owners are people emails or a group; a service principal registered a version', () => {
    const emails = new Set(org.people.map((p) => p.email));
    for (const model of seed.models) {
      if (fullNameOf(model) === UC_SEED_GAPS.groupOwner.fullName) expect(model.owner).toBe(UC_SEED_GAPS.groupOwner.owner);
      else expect(emails.has(model.owner)).toBe(true);
    }
    const sp = UC_SEED_GAPS.servicePrincipalVersion;
    expect(sp.applicationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Object.values(UC_SANDBOX_SERVICE_PRINCIPALS)).toContain(sp.applicationId);
    const version = seed.models.find((m) => fullNameOf(m) === sp.fullName)!.versions.find((v) => v.version === sp.version)!;
    expect(version.createdBy).toBe(sp.applicationId);
  });

  it('aliases: champion on the newest READY version of every ml_prod model, challenger only on the ml_dev one', () => {
    for (const model of seed.models) {
      const ready = model.versions.filter((v) => v.status === 'READY');
      const newest = ready[ready.length - 1]!.version;
      const expected = model.catalog === 'ml_prod' ? [['champion', newest]] : [['challenger', newest]];
      expect(model.aliases.map((a) => [a.alias, a.version])).toEqual(expected);
    }
    expect(UC_SEED_GAPS.challengerOnly.fullName).toBe('ml_dev.ml_platform.entity_resolver');
  });

  it('exports credentials in Databricks formats and a research workspace id above 2^53', () => {
    expect(UC_SANDBOX_TOKEN).toMatch(/^dapi[0-9a-f]{32}$/);
    expect(UC_SANDBOX_CLIENT.clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(UC_SANDBOX_CLIENT.clientSecret).toMatch(/^dose[0-9a-f]+$/);
    expect(UC_SANDBOX_METASTORE_ID).toMatch(/^[0-9a-f-]{36}$/);
    for (const id of Object.values(UC_SANDBOX_WORKSPACES)) expect(id).toMatch(/^[1-9]\d{15}$/);
    expect(BigInt(UC_SANDBOX_WORKSPACES.research!)).toBeGreaterThan(TWO_POW_53 + 1n);
    expect(BigInt(UC_SANDBOX_WORKSPACES.prod!)).toBeLessThan(TWO_POW_53);
    // A JS number cannot hold it: the reason the server writes the digits itself.
    expect(String(Number(UC_SANDBOX_WORKSPACES.research))).not.toBe(UC_SANDBOX_WORKSPACES.research);
  });

  it('seeds plainly in a small org', () => {
    const small = seedUnityCatalog(generateDemoOrg({ seed: 7, models: 3 }));
    expect(small.models.length).toBe(3);
    expect(small.gaps.pendingRegistration).toBeDefined();
  });
});

// ---- auth -----------------------------------------------------------------------------------

describe('auth', () => {
  it('refuses a request without credentials, and a wrong bearer, with 401 UNAUTHENTICATED', async () => {
    const none = await get<DatabricksErrorBody>(`${API}/models`, {});
    expect(none.status).toBe(401);
    expect(none.body.error_code).toBe('UNAUTHENTICATED');
    expect(none.body.message).toMatch(/Credential was not sent/);

    const wrong = await get<DatabricksErrorBody>(`${API}/models`, { authorization: 'Bearer dapi00000000000000000000000000000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error_code: 'UNAUTHENTICATED', message: 'Invalid access token.' });

    const basic = await get<DatabricksErrorBody>(`${API}/models`, { authorization: `Basic ${Buffer.from('token:' + UC_SANDBOX_TOKEN).toString('base64')}` });
    expect(basic.status).toBe(401);
  });

  it('accepts the personal access token', async () => {
    expect((await get(`${API}/models`)).status).toBe(200);
  });

  it('publishes the OAuth authorization server metadata the SDKs discover', async () => {
    const res = await get<{ token_endpoint: string; issuer: string; grant_types_supported: string[] }>('/oidc/.well-known/oauth-authorization-server', {});
    expect(res.status).toBe(200);
    expect(res.body.token_endpoint).toBe(`${server.url}/oidc/v1/token`);
    expect(res.body.issuer).toBe(`${server.url}/oidc`);
    expect(res.body.grant_types_supported).toContain('client_credentials');
    const oidc = await get<{ token_endpoint: string }>('/oidc/.well-known/openid-configuration', {});
    expect(oidc.body.token_endpoint).toBe(res.body.token_endpoint);
  });

  it('works end to end as an SDK does it: discover, mint with Basic, call', async () => {
    const meta = await get<{ token_endpoint: string }>('/oidc/.well-known/oauth-authorization-server', {});
    const res = await fetch(meta.body.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(BASIC.join(':')).toString('base64')}` },
      body: 'grant_type=client_credentials&scope=all-apis',
    });
    const token = (await res.json()) as OidcTokenResponse;
    const models = await get<ListRegisteredModelsResponse>(`${API}/models`, { authorization: `${token.token_type} ${token.access_token}` });
    expect(models.status).toBe(200);
    expect(models.body.registered_models).toHaveLength(seed.models.length);
  });

  it('issues client-credentials tokens for HTTP Basic (as the SDKs send) and form-body clients', async () => {
    const issuedBefore = server.oauth.issued;
    const routeBefore = server.stats.byRoute['POST /oidc/v1/token'] ?? 0;

    const viaBasic = await requestToken(M2M_FORM, { basic: BASIC });
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'all-apis' });
    expect(viaBasic.headers.get('cache-control')).toBe('no-store');
    const ok1 = await get<ListRegisteredModelsResponse>(`${API}/models`, { authorization: `Bearer ${viaBasic.body.access_token}` });
    expect(ok1.status).toBe(200);

    const viaForm = await requestToken({ ...M2M_FORM, client_id: BASIC[0], client_secret: BASIC[1] });
    expect(viaForm.status).toBe(200);
    expect(viaForm.body.access_token).not.toBe(viaBasic.body.access_token);
    expect((await get(`${API}/catalogs`, { authorization: `Bearer ${viaForm.body.access_token}` })).status).toBe(200);

    // No scope: all-apis.
    const noScope = await requestToken({ grant_type: 'client_credentials' }, { basic: BASIC });
    expect(noScope.body.scope).toBe('all-apis');

    expect(server.oauth.issued - issuedBefore).toBe(3);
    expect(server.stats.byRoute['POST /oidc/v1/token']! - routeBefore).toBe(3);
  });

  it('refuses a bad client with 401 invalid_client (RFC 6749 §5.2), a Basic one with a challenge', async () => {
    const refusedBefore = server.oauth.refused;
    const basic = await requestToken(M2M_FORM, { basic: [BASIC[0], 'dose-wrong'] });
    expect(basic.status).toBe(401);
    expect(basic.body.error).toBe('invalid_client');
    expect(basic.headers.get('www-authenticate')).toMatch(/^Basic /);

    const form = await requestToken({ ...M2M_FORM, client_id: 'someone-else', client_secret: BASIC[1] });
    expect(form.status).toBe(401);
    expect(form.body.error).toBe('invalid_client');

    const anonymous = await requestToken(M2M_FORM);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');
    expect(server.oauth.refused - refusedBefore).toBe(3);
  });

  it('refuses another grant, another scope and a body that is not a form', async () => {
    const grant = await requestToken({ grant_type: 'password', username: 'a', password: 'b' }, { basic: BASIC });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('unsupported_grant_type');

    const missing = await requestToken({ scope: 'all-apis' }, { basic: BASIC });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');

    const scope = await requestToken({ grant_type: 'client_credentials', scope: 'admin' }, { basic: BASIC });
    expect(scope.status).toBe(400);
    expect(scope.body.error).toBe('invalid_scope');

    const json = await fetch(`${server.url}/oidc/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(BASIC.join(':')).toString('base64')}` },
      body: JSON.stringify(M2M_FORM),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses an issued token once it has expired, and a revoked one', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const short = await startUnityCatalogSandbox({ org, instance: 'short', tokenTtlSeconds: 60, now: () => clock });
    try {
      const issued = await requestToken(M2M_FORM, { basic: BASIC, base: short.url });
      expect(issued.body.expires_in).toBe(60);
      const bearer = { authorization: `Bearer ${issued.body.access_token}` };
      expect((await get(`${API}/models`, bearer, short.url)).status).toBe(200);
      clock += 59_000;
      expect((await get(`${API}/models`, bearer, short.url)).status).toBe(200);
      clock += 1_000;
      const expired = await get<DatabricksErrorBody>(`${API}/models`, bearer, short.url);
      expect(expired.status).toBe(401);
      expect(expired.body.error_code).toBe('UNAUTHENTICATED');
      // A token from another server is not one this one issued.
      expect((await get(`${API}/models`, bearer)).status).toBe(401);

      const again = await requestToken(M2M_FORM, { basic: BASIC, base: short.url });
      expect((await get(`${API}/models`, { authorization: `Bearer ${again.body.access_token}` }, short.url)).status).toBe(200);
      short.oauth.revokeAll();
      expect((await get(`${API}/models`, { authorization: `Bearer ${again.body.access_token}` }, short.url)).status).toBe(401);
      expect(short.oauth.issued).toBe(2);
    } finally {
      await short.close();
    }
  });
});

// ---- registered models ----------------------------------------------------------------------

describe('GET /models', () => {
  it('lists every model across the metastore on one default page, without aliases or a token', async () => {
    const res = await get<ListRegisteredModelsResponse>(`${API}/models`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.next_page_token).toBeUndefined();
    expect(res.body.registered_models!.map((m) => m.full_name)).toEqual(seed.models.map(fullNameOf));
    for (const model of res.body.registered_models!) {
      expect(model.aliases).toBeUndefined();
      expect(model.metastore_id).toBe(UC_SANDBOX_METASTORE_ID);
    }
    expect(res.text).not.toContain('"aliases"');
  });

  it('pages with small max_results, serving one empty page with a token in the middle', async () => {
    const pages = await allPages<ListRegisteredModelsResponse>(`${API}/models?max_results=2`);
    expect(pages.map((p) => p.registered_models?.length ?? 0)).toEqual([2, 0, 2, 1]);
    // The empty page leaves the list out (omitempty) and still carries a token.
    expect(pages[1]).toEqual({ next_page_token: expect.any(String) });
    expect(pages[3]!.next_page_token).toBeUndefined();
    expect(pages.flatMap((p) => p.registered_models ?? []).map((m) => m.full_name)).toEqual(seed.models.map(fullNameOf));
  });

  it('one page per model when max_results=1, the empty page once', async () => {
    const pages = await allPages<ListRegisteredModelsResponse>(`${API}/models?max_results=1&include_browse=true`);
    expect(pages.map((p) => p.registered_models?.length ?? 0)).toEqual([1, 0, 1, 1, 1, 1]);
  });

  it('takes catalog_name and schema_name together or not at all', async () => {
    for (const query of ['catalog_name=ml_prod', 'schema_name=risk']) {
      const res = await get<DatabricksErrorBody>(`${API}/models?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    const both = await get<ListRegisteredModelsResponse>(`${API}/models?catalog_name=ml_prod&schema_name=risk`);
    expect(both.status).toBe(200);
    expect(both.body).toEqual({ registered_models: [expect.objectContaining({ full_name: FRAUD, name: 'fraud_detector' })] });
    // Case-insensitive.
    const upper = await get<ListRegisteredModelsResponse>(`${API}/models?catalog_name=ML_PROD&schema_name=Risk`);
    expect(upper.body.registered_models!.map((m) => m.full_name)).toEqual([FRAUD]);
  });

  it('answers an empty schema with {} and unknown catalogs and schemas with 404', async () => {
    const empty = await get(`${API}/models?catalog_name=ml_prod&schema_name=growth`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({});
    const catalog = await get<DatabricksErrorBody>(`${API}/models?catalog_name=nope&schema_name=risk`);
    expect(catalog.status).toBe(404);
    expect(catalog.body).toEqual({ error_code: 'CATALOG_DOES_NOT_EXIST', message: "Catalog 'nope' does not exist." });
    const schema = await get<DatabricksErrorBody>(`${API}/models?catalog_name=ml_prod&schema_name=nope`);
    expect(schema.status).toBe(404);
    expect(schema.body.error_code).toBe('SCHEMA_DOES_NOT_EXIST');
  });

  it('validates max_results and page_token', async () => {
    for (const bad of ['-1', 'ten', '1.5']) {
      const res = await get<DatabricksErrorBody>(`${API}/models?max_results=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    expect((await get<ListRegisteredModelsResponse>(`${API}/models?max_results=0`)).body.registered_models).toHaveLength(seed.models.length);
    expect((await get<ListRegisteredModelsResponse>(`${API}/models?max_results=100000`)).body.registered_models).toHaveLength(seed.models.length);

    for (const token of ['garbage', 'eyJvIjoxfQ', '%%%']) {
      const res = await get<DatabricksErrorBody>(`${API}/models?page_token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    // A token from another listing.
    const versions = await get<ListModelVersionsResponse>(`${API}/models/${FRAUD}/versions?max_results=1`);
    const foreign = await get<DatabricksErrorBody>(`${API}/models?page_token=${versions.body.next_page_token}`);
    expect(foreign.status).toBe(400);
  });

  it('clamps max_results to the server maximum and defaults 0 and absent to the server default', async () => {
    const small = await startUnityCatalogSandbox({
      org,
      instance: 'small',
      pageSizes: {
        models: { default: 2, max: 3 },
        modelsInSchema: { default: 1, max: 1 },
        versions: { default: 2, max: 4 },
        schemas: { default: 2, max: 2, absent: 'all' },
        catalogs: { default: 1, max: 1, absent: 'all' },
      },
    });
    try {
      const count = async (path: string) => {
        const res = await get<ListRegisteredModelsResponse & ListModelVersionsResponse & ListSchemasResponse>(path, PAT, small.url);
        return (res.body.registered_models ?? res.body.model_versions ?? res.body.schemas ?? []).length;
      };
      expect(await count(`${API}/models`)).toBe(2);
      expect(await count(`${API}/models?max_results=0`)).toBe(2);
      expect(await count(`${API}/models?max_results=1000`)).toBe(3);
      expect(await count(`${API}/models/${FRAUD}/versions?max_results=50`)).toBe(4);
      expect(await count(`${API}/models/${FRAUD}/versions`)).toBe(2);
      expect(await count(`${API}/schemas?catalog_name=ml_prod`)).toBe(seed.schemas.filter((s) => s.catalog === 'ml_prod').length);
      expect(await count(`${API}/schemas?catalog_name=ml_prod&max_results=0`)).toBe(2);
      expect(await count(`${API}/schemas?catalog_name=ml_prod&max_results=9`)).toBe(2);
    } finally {
      await small.close();
    }
  });
});

describe('GET /models/{full_name}', () => {
  it('reads one model; include_aliases=true adds its aliases', async () => {
    const plain = await get<RegisteredModelInfo>(`${API}/models/${FRAUD}`);
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ full_name: FRAUD, catalog_name: 'ml_prod', schema_name: 'risk', name: 'fraud_detector', owner: 'kenji.eriksen@acme.io' });
    expect(plain.body.aliases).toBeUndefined();

    const withAliases = await get<RegisteredModelInfo>(`${API}/models/${FRAUD}?include_aliases=true`);
    expect(withAliases.body.aliases).toEqual([
      { alias_name: 'champion', version_num: 5, catalog_name: 'ml_prod', schema_name: 'risk', model_name: 'fraud_detector', id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    ]);
    expect((await get<RegisteredModelInfo>(`${API}/models/${FRAUD}?include_aliases=false`)).body.aliases).toBeUndefined();
    expect((await get<DatabricksErrorBody>(`${API}/models/${FRAUD}?include_aliases=maybe`)).status).toBe(400);

    const group = await get<RegisteredModelInfo>(`${API}/models/${UC_SEED_GAPS.groupOwner.fullName}`);
    expect(group.body.owner).toBe(UC_SEED_GAPS.groupOwner.owner);
  });

  it('matches names case-insensitively, with dots plain or percent-encoded', async () => {
    for (const name of ['ML_PROD.Risk.Fraud_Detector', 'ml_prod%2Erisk%2Efraud_detector', encodeURIComponent(FRAUD), 'ml_prod%2erisk.FRAUD_detector']) {
      const res = await get<RegisteredModelInfo>(`${API}/models/${name}`);
      expect(res.status).toBe(200);
      expect(res.body.full_name).toBe(FRAUD);
    }
  });

  it('answers an unknown model 404 RESOURCE_DOES_NOT_EXIST, and a name that is not three parts 400', async () => {
    const res = await get<DatabricksErrorBody>(`${API}/models/ml_prod.risk.nope`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Registered model 'ml_prod.risk.nope' does not exist." });
    for (const name of ['fraud_detector', 'ml_prod.fraud_detector', 'a.b.c.d']) {
      const bad = await get<DatabricksErrorBody>(`${API}/models/${name}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
  });
});

// ---- versions and aliases -------------------------------------------------------------------

describe('model versions', () => {
  it('lists versions oldest first without aliases, paging without empty pages', async () => {
    const all = await get<ListModelVersionsResponse>(`${API}/models/${FRAUD}/versions`);
    expect(all.status).toBe(200);
    expect(all.body.next_page_token).toBeUndefined();
    expect(all.body.model_versions!.map((v) => [v.version, v.status])).toEqual([
      [1, 'READY'],
      [2, 'READY'],
      [3, 'READY'],
      [4, 'READY'],
      [5, 'READY'],
      [6, 'PENDING_REGISTRATION'],
    ]);
    expect(all.text).not.toContain('"aliases"');
    const pages = await allPages<ListModelVersionsResponse>(`${API}/models/${FRAUD}/versions?max_results=4`);
    expect(pages.map((p) => p.model_versions!.length)).toEqual([4, 2]);
    expect((await get(`${API}/models/ml_prod.risk.nope/versions`)).status).toBe(404);
    expect((await get(`${API}/models/${FRAUD}/versions?max_results=-5`)).status).toBe(400);
  });

  it('shows the failed registration and the unknown workspace', async () => {
    const failed = UC_SEED_GAPS.failedRegistration;
    const v = await get<ModelVersionInfo>(`${API}/models/${failed.fullName}/versions/${failed.version}`);
    expect(v.body.status).toBe('FAILED_REGISTRATION');
    const unknown = UC_SEED_GAPS.unknownWorkspace;
    const u = await get<ModelVersionInfo>(`${API}/models/${unknown.fullName}/versions/${unknown.version}`);
    expect(u.text).toContain(`"run_workspace_id":${UC_SANDBOX_UNKNOWN_WORKSPACE}`);
  });

  it('reads one version; include_aliases adds the aliases on that version only', async () => {
    const v5 = await get<ModelVersionInfo>(`${API}/models/${FRAUD}/versions/5?include_aliases=true`);
    expect(v5.status).toBe(200);
    expect(v5.body).toMatchObject({ model_name: 'fraud_detector', catalog_name: 'ml_prod', schema_name: 'risk', version: 5, status: 'READY' });
    expect(v5.body.aliases!.map((a) => a.alias_name)).toEqual(['champion']);
    expect((await get<ModelVersionInfo>(`${API}/models/${FRAUD}/versions/4?include_aliases=true`)).body.aliases).toBeUndefined();
    expect((await get<ModelVersionInfo>(`${API}/models/${FRAUD}/versions/5`)).body.aliases).toBeUndefined();

    const missing = await get<DatabricksErrorBody>(`${API}/models/${FRAUD}/versions/99`);
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    for (const bad of ['one', '0', '-1']) expect((await get(`${API}/models/${FRAUD}/versions/${bad}`)).status).toBe(400);
  });

  it('resolves aliases to the version they point at', async () => {
    const champion = await get<ModelVersionInfo>(`${API}/models/${FRAUD}/aliases/champion`);
    expect(champion.status).toBe(200);
    expect(champion.body.version).toBe(5);
    expect(champion.body.aliases).toBeUndefined();
    const withAliases = await get<ModelVersionInfo>(`${API}/models/${FRAUD.toUpperCase()}/aliases/champion?include_aliases=true`);
    expect(withAliases.body.aliases![0]).toMatchObject({ alias_name: 'champion', version_num: 5 });

    const challenger = UC_SEED_GAPS.challengerOnly;
    expect((await get<ModelVersionInfo>(`${API}/models/${challenger.fullName}/aliases/challenger`)).body.version).toBe(challenger.version);
    const none = await get<DatabricksErrorBody>(`${API}/models/${challenger.fullName}/aliases/champion`);
    expect(none.status).toBe(404);
    expect(none.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await get(`${API}/models/ml_prod.risk.nope/aliases/champion`)).status).toBe(404);
  });
});

describe('int64 run_workspace_id', () => {
  it('is written as a bare JSON number with the exact digits, above 2^53', async () => {
    const research = UC_SEED_GAPS.researchRuns;
    const digits = UC_SANDBOX_WORKSPACES.research!;
    expect(research.workspaceId).toBe(digits);
    const list = await get<ListModelVersionsResponse>(`${API}/models/${research.fullName}/versions`);
    const occurrences = list.text.match(new RegExp(`"run_workspace_id":${digits}[,}]`, 'g')) ?? [];
    expect(occurrences).toHaveLength(list.body.model_versions!.length);
    // What JSON.parse makes of it is not the workspace id: clients must read the digits.
    expect(String(list.body.model_versions![0]!.run_workspace_id)).not.toBe(digits);

    const one = await get<ModelVersionInfo>(`${API}/models/${research.fullName}/versions/1`);
    expect(one.text).toContain(`"run_workspace_id":${digits}`);
    const prod = await get<ModelVersionInfo>(`${API}/models/${FRAUD}/versions/1`);
    expect(prod.text).toContain(`"run_workspace_id":${UC_SANDBOX_WORKSPACES.prod}`);
    expect(prod.body.run_workspace_id).toBe(Number(UC_SANDBOX_WORKSPACES.prod));
  });

  it('stringifyDatabricksJson writes JsonInt64 digits and leaves strings alone', () => {
    const text = stringifyDatabricksJson({ a: new JsonInt64('9223372036854775807'), b: ['x', new JsonInt64('-5')], c: 'int64:1' });
    expect(text).toBe('{"a":9223372036854775807,"b":["x",-5],"c":"int64:1"}');
    expect(() => new JsonInt64('1e5')).toThrow();
  });
});

// ---- schemas and catalogs -------------------------------------------------------------------

describe('schemas and catalogs', () => {
  it('lists the schemas of a catalog, paged', async () => {
    const all = await get<ListSchemasResponse>(`${API}/schemas?catalog_name=ml_prod`);
    expect(all.status).toBe(200);
    expect(all.body.next_page_token).toBeUndefined();
    const names = all.body.schemas!.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'information_schema', ...org.teams.map((t) => t.slug.replace(/-/g, '_'))]));
    for (const s of all.body.schemas!) expect(s).toMatchObject({ catalog_name: 'ml_prod', full_name: `ml_prod.${s.name}` });

    const pages = await allPages<ListSchemasResponse>(`${API}/schemas?catalog_name=ml_prod&max_results=4`);
    expect(pages.flatMap((p) => p.schemas ?? []).map((s) => s.name)).toEqual(names);
    expect(pages.length).toBe(Math.ceil(names.length / 4));

    const dev = await get<ListSchemasResponse>(`${API}/schemas?catalog_name=ML_DEV`);
    expect(dev.body.schemas!.map((s) => s.full_name)).toEqual(['ml_dev.default', 'ml_dev.information_schema', 'ml_dev.ml_platform']);
  });

  it('requires catalog_name and a catalog that exists', async () => {
    const missing = await get<DatabricksErrorBody>(`${API}/schemas`);
    expect(missing.status).toBe(400);
    expect(missing.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const unknown = await get<DatabricksErrorBody>(`${API}/schemas?catalog_name=main`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('CATALOG_DOES_NOT_EXIST');
    expect((await get(`${API}/schemas?catalog_name=ml_prod&page_token=bogus`)).status).toBe(400);
  });

  it('lists the catalogs', async () => {
    const res = await get<{ catalogs: Array<{ name: string }>; next_page_token?: string }>(`${API}/catalogs`);
    expect(res.status).toBe(200);
    expect(res.body.catalogs.map((c) => c.name)).toEqual(['ml_dev', 'ml_prod']);
    const pages = await allPages<{ catalogs?: Array<{ name: string }>; next_page_token?: string }>(`${API}/catalogs?max_results=1`);
    expect(pages.map((p) => p.catalogs!.map((c) => c.name))).toEqual([['ml_dev'], ['ml_prod']]);
  });
});

// ---- errors and faults ----------------------------------------------------------------------

describe('errors', () => {
  it('answers unknown routes and methods 404 ENDPOINT_NOT_FOUND', async () => {
    for (const path of [`${API}/tables`, `${API}/models/${FRAUD}/versions/1/extra`, '/api/2.0/mlflow/registered-models/search', '/nope']) {
      const res = await get<DatabricksErrorBody>(path);
      expect(res.status).toBe(404);
      expect(res.body.error_code).toBe('ENDPOINT_NOT_FOUND');
    }
    const post = await fetch(`${server.url}${API}/models`, { method: 'POST', headers: { ...PAT, 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(404);
    expect(((await post.json()) as DatabricksErrorBody).error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('throttles with 429 REQUEST_LIMIT_EXCEEDED and Retry-After through the fault switch', async () => {
    const throttledBefore = server.stats.throttled;
    server.faults.failStatus = 429;
    server.faults.retryAfterSeconds = 7;
    server.faults.failNext = 1;
    const res = await get<DatabricksErrorBody>(`${API}/models`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body.error_code).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(server.stats.throttled - throttledBefore).toBe(1);
    expect((await get(`${API}/models`)).status).toBe(200);

    server.faults.failStatus = 503;
    server.faults.failNext = 1;
    const unavailable = await get<DatabricksErrorBody>(`${API}/models`);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error_code).toBe('TEMPORARILY_UNAVAILABLE');
  });

  it('counts requests per route in stats', async () => {
    const before = server.stats.byRoute[`GET ${API}/catalogs`] ?? 0;
    await get(`${API}/catalogs`);
    expect(server.stats.byRoute[`GET ${API}/catalogs`]).toBe(before + 1);
  });
});

// ---- the published reference ----------------------------------------------------------------

/** What the connector reads: present on every object the sandbox returns. */
const NEEDED: Record<string, string[]> = {
  RegisteredModelInfo: ['name', 'catalog_name', 'schema_name', 'full_name', 'owner', 'created_at', 'updated_at'],
  ModelVersionInfo: ['model_name', 'catalog_name', 'schema_name', 'version', 'id', 'source', 'run_id', 'run_workspace_id', 'status', 'created_at', 'created_by'],
  RegisteredModelAlias: ['alias_name', 'version_num'],
  SchemaInfo: ['name', 'catalog_name', 'full_name'],
  CatalogInfo: ['name'],
};

function missingNeeded(value: Record<string, unknown>, typeName: string, at: string): string[] {
  return (NEEDED[typeName] ?? []).filter((k) => value[k] === undefined || value[k] === '').map((k) => `${at}.${k}: missing`);
}

describe('the published reference (Go SDK v0.175.0 service/catalog/model.go)', () => {
  it('the fixture names its source', () => {
    expect(reference.source).toMatchObject({ version: 'v0.175.0', commit: '1ff3c785', path: 'service/catalog/model.go' });
    for (const name of ['RegisteredModelInfo', 'ModelVersionInfo', 'RegisteredModelAlias', 'ListRegisteredModelsResponse', 'ListModelVersionsResponse', 'ListSchemasResponse', 'SchemaInfo', 'ListCatalogsResponse', 'CatalogInfo']) {
      expect(Object.keys(reference.types[name]?.fields ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('every object the sandbox returns has only the reference fields, of the reference types, and what the connector needs', async () => {
    const problems: string[] = [];
    const check = (body: unknown, typeName: string, at: string) => {
      problems.push(...violations(body, typeName, at));
    };
    const needed = (value: Record<string, unknown>, typeName: string, at: string) => problems.push(...missingNeeded(value, typeName, at));
    let checked = 0;

    for (const page of await allPages<ListRegisteredModelsResponse>(`${API}/models?max_results=2`)) {
      check(page, 'ListRegisteredModelsResponse', 'models page');
      for (const m of page.registered_models ?? []) needed(m as Record<string, unknown>, 'RegisteredModelInfo', m.full_name!);
    }
    for (const model of seed.models) {
      const fullName = fullNameOf(model);
      const info = await get<RegisteredModelInfo>(`${API}/models/${fullName}?include_aliases=true`);
      check(info.body, 'RegisteredModelInfo', fullName);
      needed(info.body as Record<string, unknown>, 'RegisteredModelInfo', fullName);
      for (const a of info.body.aliases ?? []) needed(a as Record<string, unknown>, 'RegisteredModelAlias', `${fullName} alias`);
      checked++;

      for (const page of await allPages<ListModelVersionsResponse>(`${API}/models/${fullName}/versions?max_results=3`)) {
        check(page, 'ListModelVersionsResponse', `${fullName} versions page`);
        for (const v of page.model_versions ?? []) {
          needed(v as Record<string, unknown>, 'ModelVersionInfo', `${fullName}/${v.version}`);
          const one = await get<ModelVersionInfo>(`${API}/models/${fullName}/versions/${v.version}?include_aliases=true`);
          check(one.body, 'ModelVersionInfo', `${fullName}/${v.version}`);
          needed(one.body as Record<string, unknown>, 'ModelVersionInfo', `${fullName}/${v.version}`);
          checked++;
        }
      }
      for (const alias of model.aliases) {
        const byAlias = await get<ModelVersionInfo>(`${API}/models/${fullName}/aliases/${alias.alias}?include_aliases=true`);
        check(byAlias.body, 'ModelVersionInfo', `${fullName}@${alias.alias}`);
        checked++;
      }
    }
    for (const catalog of seed.catalogs) {
      for (const page of await allPages<ListSchemasResponse>(`${API}/schemas?catalog_name=${catalog.name}&max_results=5`)) {
        check(page, 'ListSchemasResponse', `${catalog.name} schemas page`);
        for (const s of page.schemas ?? []) needed(s as Record<string, unknown>, 'SchemaInfo', s.full_name!);
      }
    }
    const catalogs = await get<{ catalogs: Array<Record<string, unknown>> }>(`${API}/catalogs`);
    check(catalogs.body, 'ListCatalogsResponse', 'catalogs');
    for (const c of catalogs.body.catalogs) needed(c, 'CatalogInfo', String(c.name));

    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('the checker catches a field the reference does not name, and a wrong type', () => {
    expect(violations({ name: 'x', aliases: [{ alias_name: 'a', version_num: '1' }], stage: 'Production' }, 'RegisteredModelInfo', 'm')).toEqual([
      'm.aliases[0].version_num: expected integer',
      'm.stage: not a field of RegisteredModelInfo',
    ]);
    expect(violations({ status: 'ARCHIVED' }, 'ModelVersionInfo', 'v')).toHaveLength(1);
  });
});

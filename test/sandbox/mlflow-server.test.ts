import type {
  GetLatestVersionsResponse,
  GetModelVersionByAliasResponse,
  GetRegisteredModelResponse,
  MlflowErrorBody,
  SearchExperimentsResponse,
  SearchModelVersionsResponse,
  SearchRegisteredModelsResponse,
  SearchRunsResponse,
} from '../../connectors/mlflow/types';
import { startSandbox, type Sandbox } from '../../sandbox';

let sandbox: Sandbox;
let prod: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  prod = `${sandbox.mlflow.prod!.url}/api/2.0/mlflow`;
});

afterAll(async () => {
  await sandbox.close();
});

async function call<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as T, headers: res.headers };
}

function post<T>(url: string, body: unknown): Promise<{ status: number; body: T; headers: Headers }> {
  return call<T>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A prod registration whose champion alias is on its Production version. */
function championModel(): { name: string; reg: Sandbox['org']['models'][number]['registrations'][number] } {
  for (const m of sandbox.org.models) {
    for (const reg of m.registrations) {
      const production = reg.versions.find((v) => v.stage === 'Production');
      if (reg.instance === 'prod' && production?.aliases.includes('champion')) return { name: reg.name, reg };
    }
  }
  throw new Error('the demo org has no champion in production');
}

function prodModels(): string[] {
  return sandbox.org.models.flatMap((m) => m.registrations.filter((r) => r.instance === 'prod').map((r) => r.name));
}

describe('registered-models/search', () => {
  it('pages through every model in three pages with next_page_token', async () => {
    const all = prodModels();
    const pageSize = Math.ceil(all.length / 3);
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const qs = new URLSearchParams({ max_results: String(pageSize) });
      if (token) qs.set('page_token', token);
      const { status, body } = await call<SearchRegisteredModelsResponse>(`${prod}/registered-models/search?${qs}`);
      expect(status).toBe(200);
      names.push(...body.registered_models!.map((m) => m.name!));
      token = body.next_page_token;
      pages++;
      if (token) expect(JSON.parse(Buffer.from(token, 'base64').toString())).toEqual({ offset: pageSize * pages });
    } while (token);
    expect(pages).toBe(3);
    expect(names).toEqual([...all].sort());
  });

  it('answers an empty search with {}', async () => {
    const { status, body } = await call<SearchRegisteredModelsResponse>(
      `${prod}/registered-models/search?filter=${encodeURIComponent("name = 'no-such-model'")}`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({});
  });

  it('rejects max_results over 1000 as the handler does', async () => {
    const { status, body } = await call<MlflowErrorBody>(`${prod}/registered-models/search?max_results=5000`);
    expect(status).toBe(400);
    expect(body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        "Invalid value \"5000\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. " +
        'See the API docs for more information about request parameters.',
    });
  });

  it('rejects a bad page token', async () => {
    const { status, body } = await call<MlflowErrorBody>(`${prod}/registered-models/search?page_token=not-a-token`);
    expect(status).toBe(400);
    expect(body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(body.message).toMatch(/^Invalid page token/);
  });

  it('filters by tag and orders by timestamp', async () => {
    const qs = new URLSearchParams({ filter: "tags.team = 'risk'", order_by: 'timestamp DESC' });
    const { body } = await call<SearchRegisteredModelsResponse>(`${prod}/registered-models/search?${qs}`);
    const expected = sandbox.org.models
      .filter((m) => m.team === 'risk')
      .flatMap((m) => m.registrations.filter((r) => r.instance === 'prod'))
      .sort((a, b) => b.lastUpdatedTime - a.lastUpdatedTime)
      .map((r) => r.name);
    expect(body.registered_models!.map((m) => m.name)).toEqual(expected);
  });

  it('carries latest_versions per stage (newest per stage, any status), tags and aliases', async () => {
    const { body } = await call<GetRegisteredModelResponse>(`${prod}/registered-models/get?name=fraud-detector`);
    const model = body.registered_model!;
    const reg = sandbox.org.models.find((m) => m.key === 'fraud-detector')!.registrations[0]!;
    const newestPerStage = new Map<string, number>();
    for (const v of reg.versions) newestPerStage.set(v.stage, v.version);
    expect(new Map(model.latest_versions!.map((v) => [v.current_stage!, Number(v.version)]))).toEqual(newestPerStage);
    // SqlRegisteredModel.to_mlflow_entity leaves aliases off these versions.
    for (const v of model.latest_versions!) expect(v.aliases).toBeUndefined();
    expect(model.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'risk' }]));
    expect(model.aliases).toEqual(reg.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })));
  });

  it('answers a missing model with RESOURCE_DOES_NOT_EXIST', async () => {
    const { status, body } = await call<MlflowErrorBody>(`${prod}/registered-models/get?name=nope`);
    expect(status).toBe(404);
    expect(body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=nope not found' });
  });
});

describe('model versions', () => {
  it('rejects name IN (...) with MLflow’s message', async () => {
    const filter = encodeURIComponent("name IN ('fraud-detector', 'churn-predictor')");
    const { status, body } = await call<MlflowErrorBody>(`${prod}/model-versions/search?filter=${filter}`);
    expect(status).toBe(400);
    expect(body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    });
  });

  it('finds versions by run_id IN, without aliases in search results (mlflow#9783)', async () => {
    const reg = sandbox.org.models.find((m) => m.key === 'fraud-detector')!.registrations[0]!;
    const runIds = reg.versions.slice(0, 2).map((v) => `'${v.runId}'`).join(', ');
    const { body } = await call<SearchModelVersionsResponse>(
      `${prod}/model-versions/search?filter=${encodeURIComponent(`run_id IN (${runIds})`)}`,
    );
    expect(body.model_versions!.map((v) => v.version).sort()).toEqual(['1', '2']);
    const all = await call<SearchModelVersionsResponse>(`${prod}/model-versions/search?filter=${encodeURIComponent("name = 'fraud-detector'")}`);
    expect(all.body.model_versions!.every((v) => v.aliases === undefined)).toBe(true);
    // Default order: last_updated_timestamp DESC first.
    const updated = all.body.model_versions!.map((v) => v.last_updated_timestamp!);
    expect(updated).toEqual([...updated].sort((a, b) => b - a));
  });

  it('looks a version up by alias, with its aliases', async () => {
    const { name, reg } = championModel();
    const champion = reg.aliases.find((a) => a.alias === 'champion')!;
    const { status, body } = await call<GetModelVersionByAliasResponse>(
      `${prod}/registered-models/alias?name=${encodeURIComponent(name)}&alias=champion`,
    );
    expect(status).toBe(200);
    expect(body.model_version).toMatchObject({ name, version: String(champion.version) });
    expect(body.model_version!.aliases).toContain('champion');
    expect(body.model_version!.user_id).toBeUndefined();
  });

  it('answers a missing alias as MLflow does: 400, not 404', async () => {
    const { status, body } = await call<MlflowErrorBody>(`${prod}/registered-models/alias?name=fraud-detector&alias=ghost`);
    expect(status).toBe(400);
    expect(body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias ghost not found.' });
  });

  it('returns latest versions for repeated stages, by GET and POST', async () => {
    const { name, reg } = championModel();
    const production = reg.versions.find((v) => v.stage === 'Production')!;
    const byGet = await call<GetLatestVersionsResponse>(
      `${prod}/registered-models/get-latest-versions?name=${encodeURIComponent(name)}&stages=production&stages=Staging`,
    );
    const byPost = await post<GetLatestVersionsResponse>(`${prod}/registered-models/get-latest-versions`, {
      name,
      stages: ['Production'],
    });
    expect(byGet.status).toBe(200);
    expect(byGet.body.model_versions!.map((v) => v.current_stage).sort()).toEqual(
      [...new Set(reg.versions.filter((v) => v.stage === 'Production' || v.stage === 'Staging').map((v) => v.stage))].sort(),
    );
    expect(byPost.body.model_versions!.map((v) => v.version)).toEqual([String(production.version)]);
    // Unlike search, get-latest-versions fills in aliases.
    expect(byPost.body.model_versions![0]!.aliases).toContain('champion');
    const bad = await call<MlflowErrorBody>(`${prod}/registered-models/get-latest-versions?name=${encodeURIComponent(name)}&stages=Live`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Invalid Model Version stage: Live. Value must be one of None, Staging, Production, Archived.');
  });

  it('answers a missing version with RESOURCE_DOES_NOT_EXIST', async () => {
    const { status, body } = await call<MlflowErrorBody>(`${prod}/model-versions/get?name=fraud-detector&version=99`);
    expect(status).toBe(404);
    expect(body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Model Version (name=fraud-detector, version=99) not found' });
  });
});

describe('runs', () => {
  it('searches by attributes.run_id IN (...) across experiments', async () => {
    const model = sandbox.org.models.find((m) => m.key === 'fraud-detector')!;
    const runs = model.experiments.flatMap((e) => e.runs).slice(0, 3);
    const { status, body } = await post<SearchRunsResponse>(`${prod}/runs/search`, {
      experiment_ids: model.experiments.map((e) => e.id),
      filter: `attributes.run_id IN (${runs.map((r) => `'${r.id}'`).join(', ')})`,
    });
    expect(status).toBe(200);
    expect(body.runs!.map((r) => r.info!.run_id).sort()).toEqual(runs.map((r) => r.id).sort());
    const info = body.runs![0]!.info!;
    expect(info.run_uuid).toBe(info.run_id);
    expect(info.lifecycle_stage).toBe('active');
  });

  it('returns {} without experiment ids and orders by start_time DESC by default', async () => {
    expect((await post<SearchRunsResponse>(`${prod}/runs/search`, {})).body).toEqual({});
    const model = sandbox.org.models.find((m) => m.key === 'fraud-detector')!;
    const { body } = await post<SearchRunsResponse>(`${prod}/runs/search`, { experiment_ids: [model.experiments[0]!.id] });
    const starts = body.runs!.map((r) => r.info!.start_time!);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
  });

  it('filters by a git tag written with backticks', async () => {
    const run = sandbox.org.models
      .filter((m) => m.registrations.some((r) => r.instance === 'prod'))
      .flatMap((m) => m.experiments.filter((e) => e.instance === 'prod').flatMap((e) => e.runs))
      .find((r) => r.git && r.lifecycleStage === 'active')!;
    const { body } = await post<SearchRunsResponse>(`${prod}/runs/search`, {
      experiment_ids: [run.experimentId],
      filter: `tags.\`mlflow.source.git.commit\` = '${run.git!.commit}'`,
    });
    expect(body.runs!.map((r) => r.info!.run_id)).toContain(run.id);
    const tags = new Map(body.runs![0]!.data!.tags!.map((t) => [t.key, t.value]));
    expect(tags.get('mlflow.source.git.commit')).toBe(run.git!.commit);
  });

  it('rejects max_results over 50000 and answers a missing run with 404', async () => {
    const tooMany = await post<MlflowErrorBody>(`${prod}/runs/search`, { experiment_ids: ['1'], max_results: 60000 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/^Invalid value 60000 for parameter 'max_results' supplied/);
    const missing = await call<MlflowErrorBody>(`${prod}/runs/get?run_id=deadbeef`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=deadbeef not found' });
  });
});

describe('experiments', () => {
  it('requires max_results, as the real server does (mlflow#10819)', async () => {
    const { status, body } = await post<MlflowErrorBody>(`${prod}/experiments/search`, {});
    expect(status).toBe(400);
    expect(body.message).toBe('Invalid value for max_results. It must be a positive integer, but got 0');
  });

  it('searches active experiments, including MLflow’s Default, by POST and GET', async () => {
    const byPost = await post<SearchExperimentsResponse>(`${prod}/experiments/search`, { max_results: 1000 });
    const byGet = await call<SearchExperimentsResponse>(`${prod}/experiments/search?max_results=1000`);
    expect(byGet.body).toEqual(byPost.body);
    const ids = byPost.body.experiments!.map((e) => e.experiment_id);
    expect(ids).toContain('0');
    const deleted = sandbox.org.models.flatMap((m) => m.experiments).filter((e) => e.instance === 'prod' && e.lifecycleStage === 'deleted');
    expect(deleted.length).toBeGreaterThan(0);
    for (const e of deleted) expect(ids).not.toContain(e.id);
    const all = await post<SearchExperimentsResponse>(`${prod}/experiments/search`, { max_results: 1000, view_type: 'ALL' });
    expect(all.body.experiments!.length).toBe(ids.length + deleted.length);
  });

  it('answers a missing experiment with MLflow’s message', async () => {
    const { status, body } = await call<MlflowErrorBody>(`${prod}/experiments/get?experiment_id=424242`);
    expect(status).toBe(404);
    expect(body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'No Experiment with id=424242 exists' });
  });
});

describe('the Flask app around the API', () => {
  it('answers an unknown path with Flask’s 404 page and a wrong method with 405', async () => {
    const unknown = await fetch(`${prod}/registered-models/list`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
    await unknown.text();
    const wrong = await fetch(`${prod}/runs/search`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('OPTIONS, POST');
    await wrong.text();
  });

  it('requires application/json on POST', async () => {
    const { status, body } = await call<MlflowErrorBody>(`${prod}/runs/search`, { method: 'POST', body: '{}' });
    expect(status).toBe(400);
    expect(body.message).toBe("Bad Request. Content-Type must be one of [application/json]. Got 'text/plain'.");
  });

  it('serves each instance its own registrations', async () => {
    const research = `${sandbox.mlflow.research!.url}/api/2.0/mlflow`;
    const { body } = await call<SearchRegisteredModelsResponse>(`${research}/registered-models/search?max_results=1000`);
    const expected = sandbox.org.models.flatMap((m) => m.registrations.filter((r) => r.instance === 'research').map((r) => r.name));
    expect(body.registered_models!.map((m) => m.name).sort()).toEqual([...expected].sort());
    expect(expected).toContain('churn_predictor');
  });
});

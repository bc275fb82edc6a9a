import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReport } from '../../cli/report';
import type { Stack } from '../../gateway/stack';
import {
  AZUREML_SEED_GAPS,
  JIRA_SEED_GAPS,
  SAGEMAKER_SEED_GAPS,
  VERTEX_SEED_GAPS,
  startSandbox,
  type Sandbox,
} from '../../sandbox';
import { postGraphql, startDemoGraph } from '../helpers/demo-graph';
import { captureStream } from '../cli/report/streams';

/**
 * The analysts' reports in reports/: every one of them runs against the demo graph and
 * prints a CSV with rows, and the governance reports find exactly the demo's deliberate
 * gaps. A report added to reports/ is run here without touching this file.
 */

const REPORTS_DIR = join(__dirname, '..', '..', 'reports');
const REPORTS = readdirSync(REPORTS_DIR)
  .filter((f) => f.endsWith('.graphql'))
  .sort();

let sandbox: Sandbox;
let stack: Stack;
/** The history the trend reports read: the index build the tests cause is its one snapshot. */
let historyDir: string;

beforeAll(async () => {
  historyDir = mkdtempSync(join(tmpdir(), 'modelgraph-reports-'));
  sandbox = await startSandbox({ models: 36 });
  stack = await startDemoGraph(sandbox, { history: { enabled: true, path: join(historyDir, 'history.sqlite') } });
  // Built, and so recorded, before any report reads the history.
  expect((await postGraphql(stack.graphqlUrl, '{ findings(first: 1) { totalCount } }')).errors).toBeUndefined();
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await sandbox?.close();
  rmSync(historyDir, { recursive: true, force: true });
});

// ---- running a report -------------------------------------------------------------------

interface ReportRun {
  code: number;
  stdout: string;
  stderr: string;
  header: string[];
  rows: Array<Record<string, string>>;
}

/** Each (report, vars) is run once; the generic and the content checks share the result. */
const runs = new Map<string, Promise<ReportRun>>();

function run(report: string, vars: string[] = []): Promise<ReportRun> {
  const id = [report, ...vars].join(' ');
  let pending = runs.get(id);
  if (!pending) {
    pending = (async () => {
      const stdout = captureStream();
      const stderr = captureStream();
      const code = await runReport({
        file: join(REPORTS_DIR, report),
        vars,
        format: 'csv',
        endpoint: stack.graphqlUrl,
        stdout,
        stderr,
      });
      const [header = [], ...records] = parseCsv(stdout.text());
      const rows = records.map((fields) => Object.fromEntries(header.map((column, i) => [column, fields[i] ?? ''])));
      return { code, stdout: stdout.text(), stderr: stderr.text(), header, rows };
    })();
    runs.set(id, pending);
  }
  return pending;
}

/** RFC 4180: fields separated by commas, quoted when they hold a comma, quote or line break. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === ',') {
      row.push(field);
      field = '';
      atFieldStart = true;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
    } else if (c === '"') {
      throw new Error(`a quote inside an unquoted field, at character ${i}`);
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (quoted) throw new Error('the CSV ends inside a quoted field');
  if (!atFieldStart || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A cell holding a list, as the flattening joins it ("a; b"). */
function list(cell: string | undefined): string[] {
  return cell ? cell.split('; ') : [];
}

function column(rows: Array<Record<string, string>>, name: string): string[] {
  return rows.map((r) => r[name]);
}

async function graphql<T>(query: string): Promise<T> {
  const body = await postGraphql(stack.graphqlUrl, query);
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

// ---- the tests --------------------------------------------------------------------------

describe('the CSV parser of this test', () => {
  it('reads quoted fields holding commas, quotes and line breaks', () => {
    expect(parseCsv('a,b,c\n1,"x, y","say ""hi"""\n"two\nlines",,z\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['two\nlines', '', 'z'],
    ]);
    expect(() => parseCsv('a,"b\n')).toThrow(/inside a quoted field/);
  });
});

describe('reports/', () => {
  it('holds the governance reports', () => {
    expect(REPORTS).toEqual(
      expect.arrayContaining([
        'inventory.graphql',
        'unowned-models.graphql',
        'production-without-approval.graphql',
        'registry-drift.graphql',
        'time-to-production-by-team.graphql',
        'finding-trends.graphql',
        'finding-history.graphql',
        'production-trends.graphql',
      ]),
    );
  });

  describe.each(REPORTS)('%s', (report) => {
    it('starts with comments saying what it answers and how to run it', () => {
      const source = readFileSync(join(REPORTS_DIR, report), 'utf8');
      const comments = source.split('\n').filter((line) => line.startsWith('#'));
      expect(source.startsWith('#')).toBe(true);
      expect(comments.length).toBeGreaterThanOrEqual(3);
      expect(comments.join('\n')).toMatch(/Variables/);
      expect(comments.join('\n')).toContain(`modelgraph report reports/${report} `);
    });

    it('runs against the demo graph and prints a CSV with a header and rows', async () => {
      const result = await run(report);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.header.length).toBeGreaterThan(1);
      expect(new Set(result.header).size).toBe(result.header.length);
      expect(result.rows.length).toBeGreaterThanOrEqual(1);
      for (const fields of parseCsv(result.stdout)) expect(fields).toHaveLength(result.header.length);
    });
  });
});

describe('what the history reports find in the demo', () => {
  it('finding-trends: this week, every finding the index holds opened, by rule by default', async () => {
    const { header, rows } = await run('finding-trends.graphql');
    expect(header).toEqual(['periodStart', 'group', 'opened', 'resolved', 'openAtEnd', 'medianDaysToResolve']);
    const { findings } = await graphql<{ findings: { nodes: Array<{ rule: string }> } }>('{ findings(first: 500, includeWaived: true) { nodes { rule } } }');
    const byRule = new Map<string, number>();
    for (const f of findings.nodes) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    // One snapshot so far: one period, one row per rule, nothing resolved.
    expect(new Set(column(rows, 'periodStart')).size).toBe(1);
    expect(Object.fromEntries(rows.map((r) => [r.group, Number(r.opened)]))).toEqual(Object.fromEntries(byRule));
    expect(rows.every((r) => r.resolved === '0' && r.openAtEnd === r.opened && r.medianDaysToResolve === '')).toBe(true);
  });

  it('finding-history: one open spell per finding, first seen at the build', async () => {
    const { rows } = await run('finding-history.graphql');
    const { findings } = await graphql<{ findings: { totalCount: number } }>('{ findings(first: 1, includeWaived: true) { totalCount } }');
    expect(rows).toHaveLength(findings.totalCount);
    expect(rows.every((r) => r.resolvedAt === '' && !Number.isNaN(Date.parse(r.firstSeenAt)))).toBe(true);
    expect(new Set(column(rows, 'fingerprint')).size).toBe(rows.length);
  });

  it('production-trends: the models in production, per month of their first production use', async () => {
    const { rows } = await run('production-trends.graphql');
    const { models } = await graphql<{ models: { nodes: Array<{ lifecycle: { firstProductionAt: string | null } | null }> } }>(
      '{ models(first: 500) { nodes { lifecycle { firstProductionAt } } } }',
    );
    const inProduction = models.nodes.filter((m) => m.lifecycle?.firstProductionAt).length;
    expect(inProduction).toBeGreaterThan(5);
    expect(column(rows, 'models').map(Number).reduce((a, b) => a + b, 0)).toBe(inProduction);
    // Every month from the first to now, empty ones included.
    const months = column(rows, 'periodStart').map((p) => p.slice(0, 7));
    expect(new Set(months).size).toBe(months.length);
    expect(months[months.length - 1]).toBe(new Date().toISOString().slice(0, 7));
  });
});

describe('what the reports find in the demo', () => {
  it('inventory: one row per model, with where it is registered, deployed and owned', async () => {
    const { header, rows } = await run('inventory.graphql');
    const { models } = await graphql<{ models: { totalCount: number } }>('{ models { totalCount } }');
    expect(models.totalCount).toBeGreaterThan(30);
    expect(rows).toHaveLength(models.totalCount);
    const keys = column(rows, 'key');
    expect(new Set(keys).size).toBe(keys.length);
    expect(header).toEqual(
      expect.arrayContaining([
        'key',
        'name',
        'registeredIn.kind',
        'registeredIn.instance',
        'production.version',
        'deployments.endpointName',
        'deployments.status',
        'deployments.trafficPercent',
        'owners.handle',
        'tickets.key',
        'findings.rule',
      ]),
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    // Each list's columns hold one slot per element, so that they can be read side by side.
    for (const row of rows) {
      expect(list(row['registeredIn.instance'])).toHaveLength(list(row['registeredIn.kind']).length);
      expect(list(row['deployments.status'])).toHaveLength(list(row['deployments.endpointName']).length);
    }

    const unowned = byKey.get(JIRA_SEED_GAPS.noTicket)!;
    expect(unowned['owners.handle']).toBe('');
    expect(unowned['tickets.key']).toBe('');
    expect(list(unowned['findings.rule'])).toContain('NO_OWNER');

    const vision = byKey.get(VERTEX_SEED_GAPS.unregisteredInMlflow)!;
    expect(list(vision['registeredIn.kind'])).toEqual(['VERTEX_AI']);
    expect(list(vision['deployments.trafficPercent']).map(Number).sort((a, b) => a - b)).toEqual([20, 80]);

    const credit = byKey.get(JIRA_SEED_GAPS.productionNotApproved)!;
    expect(list(credit['registeredIn.kind']).sort()).toEqual(['AZURE_ML', 'MLFLOW', 'SAGEMAKER']);
    expect(list(credit['deployments.endpointName'])).toEqual(
      expect.arrayContaining([AZUREML_SEED_GAPS.zeroTrafficDeployment.endpoint]),
    );
    expect(credit['tickets.key']).toMatch(/^RISK-\d+/);
    expect(list(credit['findings.rule'])).toContain('PRODUCTION_WITHOUT_APPROVAL');
    expect(credit['production.version']).not.toBe('');

    // Models that serve nowhere have empty deployment cells, not a stray separator.
    expect(rows.filter((r) => r['deployments.endpointName'] === '').length).toBeGreaterThan(5);
  });

  it('unowned-models: exactly the models nobody owns', async () => {
    const { rows } = await run('unowned-models.graphql');
    // And the models registered only by service identities (an Azure application, a SageMaker pipeline role).
    const byServicesOnly = [AZUREML_SEED_GAPS.unregisteredModel.container, SAGEMAKER_SEED_GAPS.unregisteredGroup.group];
    expect(column(rows, 'model.key').sort()).toEqual([JIRA_SEED_GAPS.noTicket, VERTEX_SEED_GAPS.unregisteredInMlflow, ...byServicesOnly].sort());
    const lead = rows.find((r) => r['model.key'] === JIRA_SEED_GAPS.noTicket)!;
    expect(lead['evidence.refs.kind']).toBe('MLFLOW');
    expect(lead['evidence.refs.instance']).toBe('prod');
    expect(lead.message).toContain('no owner');
    expect(lead.fingerprint).toMatch(/\S/);
  });

  it('production-without-approval: one row per unapproved version, with where it serves, its share and its tickets', async () => {
    const { rows } = await run('production-without-approval.graphql');
    // (governance.test.ts derives the whole list from the raw seeds.)
    const rowOf = (key: string, kind: string, version: string) =>
      rows.find((r) => r['model.key'] === key && r['version.source.kind'] === kind && r['version.version'] === version);
    for (const kind of ['SAGEMAKER', 'AZURE_ML']) {
      const credit = rowOf(SAGEMAKER_SEED_GAPS.servedNotApproved, kind, '2')!;
      expect(credit['evidence.deployments.provider']).toBe(kind);
      expect(credit.trafficPercent).toBe('100');
      expect(credit['evidence.tickets.key']).toMatch(/^RISK-\d+$/);
      expect(credit['evidence.tickets.status']).not.toBe('Done');
    }
    const ocr = rowOf(AZUREML_SEED_GAPS.unregisteredModel.container, 'AZURE_ML', AZUREML_SEED_GAPS.unregisteredModel.version)!;
    expect(ocr['evidence.deployments.endpointName']).toBe(AZUREML_SEED_GAPS.unregisteredModel.endpoint);
    expect(ocr['evidence.tickets.key']).toBe('');
    // The canary: Vertex AI v4 of support-ticket-router on 20% of its endpoint.
    const canary = rowOf('support-ticket-router', 'VERTEX_AI', '4')!;
    expect(canary.trafficPercent).toBe('20');
    expect(canary.message).toContain('canary, 20% of traffic');
    // Both versions of the legacy classifier serve, neither approved: two rows.
    expect(rows.filter((r) => r['model.key'] === VERTEX_SEED_GAPS.unregisteredInMlflow).map((r) => r['version.version']).sort()).toEqual(['2', '3']);
    expect(new Set(rows.map((r) => `${r['model.key']} ${r['version.source.kind']} ${r['version.version']}`)).size).toBe(rows.length);
  });

  it('registry-drift: exactly the two stage drifts, with the versions each side names', async () => {
    const { rows } = await run('registry-drift.graphql');
    expect(column(rows, 'model.key').sort()).toEqual(
      [SAGEMAKER_SEED_GAPS.championNotServed, VERTEX_SEED_GAPS.championNotServing].sort(),
    );
    const email = rows.find((r) => r['model.key'] === SAGEMAKER_SEED_GAPS.championNotServed)!;
    const kinds = list(email['evidence.versions.source.kind']);
    expect(kinds).toContain('MLFLOW');
    // The n-th slot of every versions.* column is the same version.
    const mlflow = kinds.indexOf('MLFLOW');
    const slots = (name: string) => email[`evidence.versions.${name}`].split(';').map((s) => s.trim());
    expect(slots('__typename')[mlflow]).toBe('MlflowModelVersion');
    expect(slots('aliases')[mlflow].split(', ')).toContain('champion');
    expect(slots('version')).toHaveLength(kinds.length);
    expect(email['evidence.deployments.endpointName']).not.toBe('');
  });

  it('time-to-production-by-team: one row per team, and the (none) group', async () => {
    const { rows } = await run('time-to-production-by-team.graphql');
    const groups = column(rows, 'group');
    expect(groups).toContain('(none)');
    expect(groups).toContain('@acme-ml/growth');
    for (const group of groups) expect(group).toMatch(/^(\(none\)|@[\w.-]+\/[\w.-]+)$/);
    const { models } = await graphql<{ models: { totalCount: number } }>('{ models { totalCount } }');
    // Every model counts in some group.
    expect(rows.reduce((n, r) => n + Number(r.count), 0)).toBeGreaterThanOrEqual(models.totalCount);
    for (const row of rows) {
      expect(Number(row.measured)).toBeLessThanOrEqual(Number(row.count));
      if (Number(row.measured) > 0) {
        expect(Number(row.medianDaysToProduction)).toBeGreaterThan(0);
        expect(Number(row.p90DaysToProduction)).toBeGreaterThanOrEqual(Number(row.medianDaysToProduction));
      } else {
        expect(row.medianDaysToProduction).toBe('');
      }
    }
  });

  it('time-to-production-by-team --var groupBy=SOURCE: one row per source instance', async () => {
    const result = await run('time-to-production-by-team.graphql', ['groupBy=SOURCE']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const groups = column(result.rows, 'group');
    expect(groups).toEqual(expect.arrayContaining(['mlflow:prod', 'mlflow:research', 'sagemaker:prod-us', 'vertex_ai:prod', 'azure_ml:prod']));
    for (const group of groups) expect(group).toMatch(/^[a-z_]+:[\w-]+$/);
  });

  it('time-to-production-by-team --var groupBy=OWNER: one row per person', async () => {
    const result = await run('time-to-production-by-team.graphql', ['groupBy=OWNER']);
    expect(result.code).toBe(0);
    const people = column(result.rows, 'group').filter((g) => g !== '(none)');
    expect(people.length).toBeGreaterThan(0);
    for (const person of people) expect(person).not.toMatch(/^@[\w.-]+\/[\w.-]+$/);
  });

  it('all-findings: every deliberate gap of the demo, and the variables narrow it', async () => {
    const { rows } = await run('all-findings.graphql');
    const pairs = [...new Set(rows.map((r) => `${r.rule} ${r['model.key']}`))].sort();
    expect(pairs).toEqual(
      [
        // One finding per unapproved version (see governance.test.ts), listed here per model.
        'PRODUCTION_WITHOUT_APPROVAL credit-risk-scorer',
        'PRODUCTION_WITHOUT_APPROVAL email-propensity',
        'PRODUCTION_WITHOUT_APPROVAL inventory-optimizer',
        'PRODUCTION_WITHOUT_APPROVAL merchant-risk-scorer',
        'PRODUCTION_WITHOUT_APPROVAL ocr-invoice-extractor',
        'PRODUCTION_WITHOUT_APPROVAL search-ranker',
        'PRODUCTION_WITHOUT_APPROVAL support-ticket-router',
        'PRODUCTION_WITHOUT_APPROVAL vision-legacy-classifier',
        'PRODUCTION_WITHOUT_APPROVAL warehouse-slotting',
        // Unity Catalog `champion` aliases on versions no ticket approves.
        'PRODUCTION_WITHOUT_APPROVAL demand-forecaster',
        'PRODUCTION_WITHOUT_APPROVAL sentiment-classifier',
        'NO_OWNER lead-scorer',
        'NO_OWNER legacy-pricing-model',
        'NO_OWNER ocr-invoice-extractor',
        'NO_OWNER vision-legacy-classifier',
        'STAGE_DRIFT email-propensity',
        'STAGE_DRIFT search-ranker',
        'FAILED_DEPLOYMENT delivery-eta-predictor',
        'FAILED_DEPLOYMENT search-ranker',
        'APPROVED_NOT_DEPLOYED supplier-risk-scorer',
        'UNTRACEABLE_VERSION address-normalizer',
        // A deployment serving something no registry holds is about no model.
        'DEPLOYED_NOT_REGISTERED ',
      ].sort(),
    );
    const unregistered = rows.find((r) => r.rule === 'DEPLOYED_NOT_REGISTERED')!;
    expect(unregistered['evidence.refs.nativeId']).toContain(SAGEMAKER_SEED_GAPS.bareImageModel.endpoint);
    // Most severe first.
    const order = { HIGH: 0, MEDIUM: 1, LOW: 2 } as Record<string, number>;
    const severities = column(rows, 'severity').map((s) => order[s]);
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
    expect(new Set(column(rows, 'fingerprint')).size).toBe(rows.length);

    const high = await run('all-findings.graphql', ['severity=HIGH']);
    expect(high.code).toBe(0);
    expect(new Set(column(high.rows, 'severity'))).toEqual(new Set(['HIGH']));
    expect(high.rows).toHaveLength(rows.filter((r) => r.severity === 'HIGH').length);

    const failed = await run('all-findings.graphql', ['rule=FAILED_DEPLOYMENT']);
    expect(failed.code).toBe(0);
    expect(column(failed.rows, 'model.key').sort()).toEqual(
      [AZUREML_SEED_GAPS.failedDeployment.modelKey, SAGEMAKER_SEED_GAPS.failedEndpoint.modelKey].sort(),
    );
  });

  it('deployments: every deployment, the unregistered one with nothing in the served-version columns', async () => {
    const { rows } = await run('deployments.graphql');
    const data = await graphql<{ deployments: Array<{ id: string }> }>('{ deployments { id } }');
    expect(rows).toHaveLength(data.deployments.length);
    expect(new Set(column(rows, 'provider'))).toEqual(new Set(['SAGEMAKER', 'VERTEX_AI', 'AZURE_ML']));
    const bare = rows.find((r) => r.endpointName === SAGEMAKER_SEED_GAPS.bareImageModel.endpoint)!;
    expect(bare.status).toBe('IN_SERVICE');
    expect(bare['modelVersion.version'] ?? '').toBe('');
    const failed = rows.filter((r) => r.status === 'FAILED').map((r) => r.endpointName);
    expect(failed.sort()).toEqual([AZUREML_SEED_GAPS.failedDeployment.endpoint, SAGEMAKER_SEED_GAPS.failedEndpoint.endpoint].sort());

    const onlyFailed = await run('deployments.graphql', ['status=FAILED']);
    expect(onlyFailed.code).toBe(0);
    expect(column(onlyFailed.rows, 'endpointName').sort()).toEqual(failed);
  });

  it('time-to-production-by-model: one row per model, slowest first, never-in-production last', async () => {
    const { rows } = await run('time-to-production-by-model.graphql');
    const { models } = await graphql<{ models: { totalCount: number } }>('{ models { totalCount } }');
    expect(rows).toHaveLength(models.totalCount);
    const days = column(rows, 'lifecycle.firstRunToProductionDays');
    const measured = days.filter((d) => d !== '').map(Number);
    expect(measured.length).toBeGreaterThan(10);
    expect(measured).toEqual([...measured].sort((a, b) => b - a));
    // The unmeasured ones all come after the measured ones.
    expect(days.slice(measured.length).every((d) => d === '')).toBe(true);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Stack } from '../../gateway/stack';
import { startSandbox, type Sandbox } from '../../sandbox';
import { FAIL_FAST, postGraphql, startDemoGraph } from '../helpers/demo-graph';
import { describeInBrowser, openBrowser, runInGraphiQL, screenshotDir, type BrowserSession } from './browser';

/**
 * The GraphQL IDE and the inventory web app in headless Chromium, against the demo: what a
 * new user sees on http://127.0.0.1:4000 with no internet. Every request a page makes is
 * recorded, and none may leave the gateway's origin.
 */

// A browser and a whole demo graph on 2 shared cores: slower than the usual test.
jest.setTimeout(90_000);

let sandbox: Sandbox;
let stack: Stack;
let browser: BrowserSession;
let origin: string;
let shots: string;

describeInBrowser('web pages in a real browser', () => {
  beforeAll(async () => {
    sandbox = await startSandbox({});
    stack = await startDemoGraph(sandbox, {
      // No cache: a source taken down is asked, and seen down, at once.
      cache: { ttlSeconds: 0, staleSeconds: 0, responses: { enabled: false } },
      sources: (s) => ({ ...s, vertex: s.vertex.map((v) => ({ ...v, ...FAIL_FAST })) }),
      // As `npm start`: the numbers page charts the governance history's trends.
      history: { enabled: true, path: join(mkdtempSync(join(tmpdir(), 'modelgraph-web-history-')), 'history.sqlite') },
    });
    origin = new URL(stack.gateway.url).origin;
    browser = await openBrowser();
    shots = screenshotDir();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await sandbox?.close();
  });

  afterEach(() => {
    // Everything a page loaded or asked came from the gateway (or from the page itself).
    const foreign = browser.requests.map((r) => r.url()).filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url));
    expect(foreign).toEqual([]);
    expect(browser.requests.length).toBeGreaterThan(0);
    browser.requests.length = 0;
    expect(pageErrors).toEqual([]);
    pageErrors.length = 0;
  });

  // What went wrong in any page: uncaught errors, and console errors such as a CSP violation.
  const pageErrors: string[] = [];

  async function open(path: string): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${path}: ${err.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${path}: ${message.text()}`);
    });
    await page.goto(`${origin}${path}`);
    return page;
  }

  async function api(query: string, variables?: Record<string, unknown>) {
    const body = await postGraphql(stack.graphqlUrl, query, variables);
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  /** The keys of the models listed, once the page has its answer for what the URL asks. */
  const rowKeys = async (page: Page) => {
    await page.locator('[data-testid=models-table][aria-busy=false]').waitFor();
    return modelRows(page);
  };
  const modelRows = (page: Page) => page.locator('[data-testid=models-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')));

  it('GraphiQL loads from the gateway alone and runs a query', async () => {
    const page = await open('/graphql');
    expect(await page.title()).toContain('GraphiQL');
    // The first tab holds the example query; the report files are the other tabs.
    await page.locator('.graphiql-tab').first().waitFor({ timeout: 45_000 });
    const tabs = await page.locator('.graphiql-tab').allInnerTexts();
    expect(tabs.join(' ')).toContain('Inventory');
    expect(tabs.length).toBeGreaterThanOrEqual(2);
    const response = await runInGraphiQL(page, origin, 'Inventory');
    expect(response.status()).toBe(200);
    const { data } = (await response.json()) as { data: { models: { totalCount: number } } };
    const expected = await api('{ models { totalCount } }');
    expect(data.models.totalCount).toBe(expected.models.totalCount);
    expect(data.models.totalCount).toBeGreaterThanOrEqual(sandbox.org.models.length);
    await page.locator('.graphiql-response').getByText('totalCount').first().waitFor();
    await page.screenshot({ path: join(shots, 'graphiql.png') });
    await page.close();
  });

  it('the models page lists the demo models, filters by source and stage, and pages forward and back', async () => {
    const page = await open('/');
    await page.getByTestId('models-count').waitFor();
    const expectedFirst = await api('{ models(first: 25) { totalCount nodes { key } } }');
    expect(expectedFirst.models.totalCount).toBeGreaterThan(25);
    expect(await page.getByTestId('models-count').innerText()).toContain(`${expectedFirst.models.totalCount} models`);
    const firstPage = await rowKeys(page);
    expect(firstPage).toEqual(expectedFirst.models.nodes.map((n: { key: string }) => n.key));
    await page.screenshot({ path: join(shots, 'models.png') });

    // Forward, then back to the same rows.
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText('page 2 of').waitFor();
    const secondPage = await rowKeys(page);
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.some((k) => firstPage.includes(k))).toBe(false);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByText('page 1 of').waitFor();
    expect(await rowKeys(page)).toEqual(firstPage);

    // By source: what the graph says are the SageMaker models, and only those.
    const sagemaker = await api('{ models(first: 100, filter: { sourceKind: SAGEMAKER }) { totalCount nodes { key } } }');
    expect(sagemaker.models.totalCount).toBeGreaterThan(0);
    expect(sagemaker.models.totalCount).toBeLessThan(sandbox.org.models.length);
    await page.getByLabel('Source').selectOption('SAGEMAKER');
    await page.getByText(`${sagemaker.models.totalCount} models`).waitFor();
    expect(await rowKeys(page)).toEqual(sagemaker.models.nodes.slice(0, 25).map((n: { key: string }) => n.key));
    expect(new URL(page.url()).searchParams.get('source')).toBe('SAGEMAKER');

    // And by stage, on top.
    const production = await api('{ models(first: 100, filter: { sourceKind: SAGEMAKER, stage: "Production" }) { totalCount nodes { key } } }');
    expect(production.models.totalCount).toBeLessThan(sagemaker.models.totalCount);
    await page.getByLabel('Stage').fill('Production');
    await page.getByLabel('Stage').press('Enter');
    await page.getByText(`${production.models.totalCount} models`).waitFor();
    expect(await rowKeys(page)).toEqual(production.models.nodes.slice(0, 25).map((n: { key: string }) => n.key));
    await page.screenshot({ path: join(shots, 'models-filtered.png') });
    await page.close();
  });

  it('a model page shows fraud-detector in MLflow, the three clouds and Unity Catalog, its production versions and lineage', async () => {
    const expected = await api(
      `{ model(key: "fraud-detector") { refs { kind } versions(stage: "Production") { version source { kind } } } }`,
    );
    const kinds = new Set(expected.model.refs.map((r: { kind: string }) => r.kind));
    expect([...kinds].sort()).toEqual(['AZURE_ML', 'MLFLOW', 'SAGEMAKER', 'UNITY_CATALOG', 'VERTEX_AI']);
    const page = await open('/models/fraud-detector');
    await page.getByRole('heading', { name: 'Versions in every registry' }).waitFor();
    const versions = page.getByTestId('versions');
    await versions.locator('li').first().waitFor();
    const registries = await versions.locator('li').evaluateAll((items) => [...new Set(items.map((i) => i.getAttribute('data-registry')))].sort());
    expect(registries).toEqual(['AZURE_ML', 'MLFLOW', 'SAGEMAKER', 'UNITY_CATALOG', 'VERTEX_AI']);
    // Every production version the graph knows is marked as such.
    const productionText = await versions.locator('li.production').allInnerTexts();
    expect(expected.model.versions.length).toBeGreaterThan(0);
    for (const v of expected.model.versions as Array<{ version: string }>) {
      expect(productionText.some((t) => t.includes(`v${v.version}`))).toBe(true);
    }
    const lineage = await page.getByTestId('lineage').innerText();
    expect(lineage).toMatch(/run .+ → commit [0-9a-f]{8}/);
    expect(lineage).toContain('fraud-detector');
    // Unity Catalog's versions reach their runs and commits too (its run_id, in a mapped workspace).
    expect(await page.getByTestId('lineage').locator('li', { hasText: 'Unity Catalog' }).count()).toBeGreaterThan(0);
    await page.getByRole('heading', { name: 'Lifecycle' }).waitFor();
    await page.getByRole('heading', { name: 'Deployments' }).waitFor();
    await page.screenshot({ path: join(shots, 'model.png') });
    await page.screenshot({ path: join(shots, 'model-full.png'), fullPage: true });
    // A deep link: the same page again from its URL alone, in a new tab.
    expect(new URL(page.url()).pathname).toBe('/models/fraud-detector');
    await page.close();
  });

  it('the findings, people and numbers pages render, trends included', async () => {
    for (const [path, heading, file] of [
      ['/findings', 'By rule', 'findings.png'],
      ['/numbers', 'Models reaching production per month', 'numbers.png'],
    ] as const) {
      const page = await open(path);
      await page.getByRole('heading', { name: heading }).waitFor({ timeout: 45_000 });
      expect(await page.locator('[role=alert]').count()).toBe(0);
      await page.screenshot({ path: join(shots, file), fullPage: true });
      await page.close();
    }
    const owner = sandbox.org.people[0];
    const page = await open(`/people/${encodeURIComponent(owner.email)}`);
    await page.getByRole('heading', { name: 'Identities across tools' }).waitFor();
    expect(await page.locator('[role=alert]').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'person.png') });
    await page.close();
  });

  it('a source taken down shows as down on the sources page, and the models page still renders', async () => {
    const vertex = Object.values(sandbox.vertex)[0];
    vertex.faults.down = true;
    try {
      const models = await open('/?source=VERTEX_AI');
      // The listing names the failing source, and the other sources' models are still there.
      await models.getByTestId('source-errors').waitFor({ timeout: 45_000 });
      expect(await models.getByTestId('source-errors').innerText()).toMatch(/vertex/i);
      await models.goto(`${origin}/`);
      await models.getByTestId('models-count').waitFor({ timeout: 45_000 });
      expect(await rowKeys(models)).not.toHaveLength(0);
      await models.screenshot({ path: join(shots, 'models-source-down.png') });
      await models.close();

      const page = await open('/sources');
      await page.getByTestId('sources-table').waitFor();
      const down = await page.locator('[data-testid=sources-table] tr[data-health=down]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-source')));
      expect(down.length).toBe(1);
      expect(down[0]).toMatch(/vertex/i);
      const up = await page.locator('[data-testid=sources-table] tr[data-health=up]').count();
      expect(up).toBeGreaterThan(0);
      await page.screenshot({ path: join(shots, 'sources.png') });
      await page.close();
    } finally {
      vertex.faults.down = false;
    }
  });
});

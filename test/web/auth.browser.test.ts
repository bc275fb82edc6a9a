import type { Stack } from '../../gateway/stack';
import { hashApiKey, newApiKey } from '../../gateway/auth/authenticate';
import { startSandbox, type Sandbox } from '../../sandbox';
import { startDemoGraph } from '../helpers/demo-graph';
import { describeInBrowser, openBrowser, runInGraphiQL, type BrowserSession } from './browser';

/**
 * With auth on, the pages load without credentials (they hold no data), the app asks for an
 * API key, keeps it in the tab's sessionStorage and sends it with every GraphQL request; the
 * IDE starts with it in its headers editor. A wrong key gets nothing.
 */

const API_KEY = newApiKey();

jest.setTimeout(90_000);

let sandbox: Sandbox;
let stack: Stack;
let browser: BrowserSession;
let origin: string;

describeInBrowser('web pages with auth on', () => {
  beforeAll(async () => {
    sandbox = await startSandbox({ models: 8 });
    stack = await startDemoGraph(sandbox, {
      server: { auth: { mode: 'required', apiKeys: [{ name: 'web', hash: hashApiKey(API_KEY), scopes: ['jira:read', 'admin'] }] } },
    });
    origin = new URL(stack.gateway.url).origin;
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await sandbox?.close();
  });

  it('the app asks for credentials, then sends the API key with each request', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${origin}/`);
    await page.getByText('The gateway requires credentials').waitFor();

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Credential', { exact: true }).fill('mg_not-the-key');
    const refused = page.waitForResponse((r) => r.url() === `${origin}/graphql` && r.request().headers()['x-api-key'] === 'mg_not-the-key');
    await page.getByRole('button', { name: 'Use' }).click();
    expect((await refused).status()).toBe(401);
    await page.getByText('The gateway requires credentials').waitFor();

    await page.getByRole('button', { name: /Signed in/ }).click();
    await page.getByLabel('Credential', { exact: true }).fill(API_KEY);
    const answered = page.waitForResponse((r) => r.url() === `${origin}/graphql` && r.status() === 200);
    await page.getByRole('button', { name: 'Use' }).click();
    const response = await answered;
    expect(response.request().headers()['x-api-key']).toBe(API_KEY);
    await page.locator('[data-testid=models-table][aria-busy=false]').waitFor();
    expect(await page.locator('[data-testid=models-table] tbody tr').count()).toBeGreaterThan(0);

    // The key is the tab's: a reload keeps it, and it is not in localStorage.
    await page.reload();
    await page.locator('[data-testid=models-table][aria-busy=false]').waitFor();
    expect(await page.evaluate('JSON.stringify(window.localStorage)')).not.toContain(API_KEY);

    // The sources page needs the admin scope, which this key has.
    await page.goto(`${origin}/sources`);
    await page.getByTestId('sources-table').waitFor();

    // GraphiQL, in the same tab, starts with the key in its headers and runs the query with it.
    await page.goto(`${origin}/graphql`);
    const run = await runInGraphiQL(page, origin, 'Inventory');
    expect(run.request().headers()['x-api-key']).toBe(API_KEY);
    expect(run.status()).toBe(200);
    expect(((await run.json()) as { data: { models: { totalCount: number } } }).data.models.totalCount).toBeGreaterThan(0);
    await page.close();
  });
});

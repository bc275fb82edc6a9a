import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request, type Response } from 'playwright-core';
import { WEB_DIR } from '../../gateway/web-assets';

/**
 * A real browser for the web tests: Debian's `chromium` (CHROMIUM_PATH to use another),
 * driven by playwright-core, which downloads no browser of its own. Outside CI the tests
 * skip when there is none; in CI (`.ci/run` installs it) they must run.
 */
export const CHROMIUM_PATH = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path): path is string => Boolean(path && existsSync(path)),
);

export const IN_CI = process.env.CI === 'true';

/** `describe`, or `describe.skip` with a word on why, outside CI when there is no Chromium. */
export function describeInBrowser(name: string, body: () => void): void {
  if (CHROMIUM_PATH || IN_CI) {
    describe(name, body);
    return;
  }
  process.stderr.write(`\n${name}: skipped, no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)\n`);
  describe.skip(name, body);
}

export interface BrowserSession {
  context: BrowserContext;
  /** Every request any page made, in order. */
  requests: Request[];
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile, quiet: no background networking, component updates
 * or first-run pages, so that every request it makes is one a page asked for.
 */
export async function openBrowser(): Promise<BrowserSession> {
  if (!CHROMIUM_PATH) throw new Error('no Chromium: install the Debian package (apt-get install -y chromium) or set CHROMIUM_PATH');
  if (!existsSync(join(WEB_DIR, 'index.html'))) throw new Error(`${WEB_DIR} is not built: run npm run build:web (npm ci runs it)`);
  const profile = mkdtempSync(join(tmpdir(), 'modelgraph-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
  // A cold first load of GraphiQL (2 MB of editor) on 2 busy cores can take a while.
  context.setDefaultTimeout(45_000);
  const requests: Request[] = [];
  context.on('request', (request) => requests.push(request));
  return { context, requests, close: () => context.close() };
}

/** Where the tests leave their screenshots: WEB_SCREENSHOTS_DIR, or a fresh temporary folder. */
export function screenshotDir(): string {
  const dir = process.env.WEB_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'modelgraph-screenshots-'));
  process.stderr.write(`\nweb screenshots: ${dir}\n`);
  return dir;
}

/**
 * Runs GraphiQL's active tab once its editor shows `operationName`, and returns the answer.
 * The run button is on the page before the editor (Monaco) has loaded the tab's text, and a
 * click then runs nothing: so the click is repeated until the request goes out.
 */
export async function runInGraphiQL(page: Page, origin: string, operationName: string): Promise<Response> {
  await page.locator('.graphiql-query-editor .view-lines').getByText(operationName).first().waitFor();
  const isRun = (r: Response) => r.url() === `${origin}/graphql` && r.request().method() === 'POST' && (r.request().postData() ?? '').includes(operationName);
  for (let attempt = 1; ; attempt++) {
    const answered = page.waitForResponse(isRun, { timeout: 5_000 });
    await page.locator('.graphiql-execute-button').click();
    try {
      return await answered;
    } catch (err) {
      if (attempt === 6) throw err;
    }
  }
}

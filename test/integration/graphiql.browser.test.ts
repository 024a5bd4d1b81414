import type { Browser } from 'playwright-core';
import { chromiumPath, launchBrowser } from '../helpers/browser';
import { CREATE_PROJECT, startTestApp, TestApp } from '../helpers/app';

/**
 * GraphiQL as a person uses it: a real Chromium opens http://…/graphql, with no network beyond this server (every
 * other host is blocked, as on a machine offline), puts a key in the headers and runs a query.
 */
const browserPath = chromiumPath();
const describeWithBrowser = browserPath ? describe : describe.skip;
if (!browserPath) console.warn('GraphiQL browser test skipped: no Chromium installed (apt-get install chromium, or set CHROMIUM_PATH)');

describeWithBrowser('GraphiQL in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp();
    await t.gql(CREATE_PROJECT, { input: { name: 'seen-in-graphiql', classes: ['a', 'b'] } });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  test('the page loads offline, runs a query with the key from the headers editor, and shows the answer', async () => {
    const context = await browser.newContext();
    const origin = new URL(t.baseUrl).origin;
    const offsite: string[] = [];
    await context.route('**/*', (route) => {
      if (new URL(route.request().url()).origin === origin) return route.continue();
      offsite.push(route.request().url());
      return route.abort();
    });
    // What GraphiQL keeps in localStorage between visits: the query tab and the headers the user typed.
    await context.addInitScript(
      ([key]) => {
        // Runs in the page, where localStorage exists (the test's tsconfig has no DOM types).
        const localStorage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
        localStorage.setItem('graphiql:query', '{ projects { name } }');
        localStorage.setItem('graphiql:headers', JSON.stringify({ authorization: `Bearer ${key}` }));
      },
      [t.adminKey],
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.baseUrl}/graphql`);
    await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window').getByText('seen-in-graphiql').waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
    expect(offsite).toEqual([]);
    await context.close();
  }, 60_000);
});

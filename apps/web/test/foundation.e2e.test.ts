import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkA11y, eventually, registerThroughForm, screenshotAll, startE2e, type E2e, pageApi } from './harness.ts';

/*
 * The SPA's foundation in real headless Chromium against a real server with its engine (local
 * driver, autonomy "assist": a run stops at its first write and waits for a person): real links,
 * validated search params that survive a reload, the 404, titles and focus, the theme, the
 * approvals count in the shell, and every page at 360 px and through axe-core in both themes.
 * The steps share one page and run in order; a later step relies on the state an earlier one left.
 */

const USER = { name: 'Mary Jackson', email: 'mary@example.test', password: 'wind tunnel 1958', org: 'Langley Aero' };
const PROJECT = 'Wind tunnel';
const REQUEST = 'Write down the tunnel calibration steps.';

let e2e: E2e | undefined;
let url: string;
let page: Page;
let runId = '';
let projectId = '';
let handoffId = '';
let handoffTitle = '';

const pathname = () => new URL(page.url()).pathname;
const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
const cssVar = (name: string) => page.evaluate((n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim(), name);
const pendingApprovals = () => page.getByTestId('pending-approvals');

/** Calls the REST API from the page with its session cookie. */
const api = <T,>(method: string, path: string, body?: unknown) => pageApi<T>(page, method, path, body);

/** The page has its h1 and nothing still loading. */
async function settled() {
  await page.locator('main h1').waitFor();
  await eventually(async () => expect(await page.locator('.loading').count()).toBe(0));
}

beforeAll(async () => {
  e2e = await startE2e({ env: { BATON_DRIVER: 'local' }, startEngine: true, dataDirPrefix: 'baton-foundation-e2e-' });
  ({ url, page } = e2e);
}, 120_000);

afterAll(() => e2e?.close(), 120_000);

describe('SPA foundation in headless Chromium', () => {
  it('registers, and the shell counts the runs waiting for approval on every page', async () => {
    await registerThroughForm(page, url, USER);
    await eventually(async () => expect(await pendingApprovals().textContent()).toBe('No approvals waiting'));

    const project = await api<{ data: { id: string } }>('POST', '/api/v1/projects', { name: PROJECT });
    expect(project.status).toBe(201);
    projectId = project.body.data.id;
    const run = await api<{ data: { id: string } }>('POST', '/api/v1/runs', { requestText: REQUEST, projectId });
    expect(run.status).toBe(201);
    runId = run.body.data.id;

    // assist: the run stops before its first write; the count follows without a reload.
    await eventually(async () => expect(await pendingApprovals().textContent()).toBe('1 waiting for approval'));
    await page.getByRole('link', { name: 'Handoffs', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/handoffs'));
    expect(await pendingApprovals().getAttribute('data-count')).toBe('1');
    expect(await pendingApprovals().getAttribute('href')).toBe('/runs');
  });

  it('sidebar links are real links: an href, and ctrl/meta-click opens a new tab', async () => {
    const runsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs', exact: true });
    expect(await runsLink.getAttribute('href')).toBe('/runs');
    const [tab] = await Promise.all([e2e!.context.waitForEvent('page'), runsLink.click({ modifiers: ['ControlOrMeta'] })]);
    await tab.waitForLoadState('domcontentloaded');
    expect(new URL(tab.url()).pathname).toBe('/runs');
    await tab.close();
    // The page itself did not move.
    expect(pathname()).toBe('/handoffs');
  });

  it('titles each page and moves focus to its h1 after a navigation', async () => {
    await eventually(async () => expect(await page.title()).toBe('Handoffs · Baton'));
    for (const [name, path, title] of [
      ['Runs', '/runs', 'Runs · Baton'],
      ['API keys', '/settings/api-keys', 'API keys · Baton'],
      ['Overview', '/', 'Overview · Baton'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
      await eventually(() => expect(pathname()).toBe(path));
      await eventually(async () => expect(await page.title()).toBe(title));
      await eventually(async () => expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1'));
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(title.replace(' · Baton', ''));
      expect(await page.locator('h1').count()).toBe(1);
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).getAttribute('aria-current')).toBe('page');
    }
  });

  it('a deep link to a filtered runs list survives a reload, with the filter shown as selected', async () => {
    const statusFilter = page.getByLabel('Filter by status');
    const rows = () => page.getByTestId('run-list').locator('li[data-run-id]');

    await page.goto(`${url}/runs?status=build`);
    await eventually(async () => expect(await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')))).toEqual([runId]));
    expect(await statusFilter.inputValue()).toBe('build');
    expect(await statusFilter.locator('option:checked').textContent()).toBe('build');

    await page.reload();
    await eventually(async () => expect(await rows().count()).toBe(1));
    expect(await statusFilter.inputValue()).toBe('build');
    expect(new URL(page.url()).searchParams.get('status')).toBe('build');

    // Picking another filter writes it to the URL; no run is completed yet.
    await statusFilter.selectOption('completed');
    await eventually(() => expect(new URL(page.url()).searchParams.get('status')).toBe('completed'));
    await page.getByText('No runs match these filters.').waitFor();

    // The project filter shares the URL with it.
    await page.goto(`${url}/runs?status=build&projectId=${projectId}`);
    await eventually(async () => expect(await rows().count()).toBe(1));
    // The project names arrive with their own query, after the runs may have.
    await eventually(async () => expect(await page.getByLabel('Filter by project').locator('option:checked').textContent()).toBe(PROJECT));

    // A value the app does not know falls back to no filter instead of an error.
    await page.goto(`${url}/runs?status=bogus`);
    await eventually(async () => expect(await rows().count()).toBe(1));
    expect(await statusFilter.inputValue()).toBe('');
  });

  it('shows a 404 with one h1 and a link home for an unknown address', async () => {
    await page.goto(`${url}/no/such/page`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect(await page.locator('h1').count()).toBe(1);
    await eventually(async () => expect(await page.title()).toBe('Page not found · Baton'));
    const home = page.getByRole('main').getByRole('link', { name: 'Go to the overview' });
    expect(await home.getAttribute('href')).toBe('/');
    await home.click();
    await eventually(() => expect(pathname()).toBe('/'));
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  });

  it('switches to the dark theme and back; the choice persists over a reload', async () => {
    expect(await theme()).toBe('light');
    const lightBg = await cssVar('--color-bg');
    const bodyBg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const lightBody = await bodyBg();
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');

    await toggle.click();
    expect(await theme()).toBe('dark');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    const darkBg = await cssVar('--color-bg');
    expect(darkBg).not.toBe(lightBg);
    expect(await bodyBg()).not.toBe(lightBody);

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await theme()).toBe('dark');
    expect(await cssVar('--color-bg')).toBe(darkBg);

    await page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await theme()).toBe('light');
    expect(await cssVar('--color-bg')).toBe(lightBg);
  });

  it('a browser that prefers dark starts dark', async () => {
    const context = await e2e!.browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
    try {
      const other = await context.newPage();
      await other.goto(`${url}/login`);
      await other.getByRole('heading', { level: 1, name: 'Sign in to Baton' }).waitFor();
      expect(await other.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      expect(await other.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed')).toBe('true');
      const bg = await other.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--color-bg').trim());
      expect(bg).toBe('#0f141c');
    } finally {
      await context.close();
    }
  });

  it('on a phone the sidebar is behind a menu button', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      const menu = page.getByRole('button', { name: 'Menu' });
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.isVisible()).toBe(false);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await nav.getByRole('link', { name: 'Projects', exact: true }).click();
      await eventually(() => expect(pathname()).toBe('/projects'));
      // Following a link closes the menu; Esc does too.
      await eventually(async () => expect(await nav.isVisible()).toBe(false));
      await menu.click();
      await nav.waitFor();
      await page.keyboard.press('Escape');
      await eventually(async () => expect(await nav.isVisible()).toBe(false));
      expect(await pendingApprovals().isVisible()).toBe(true);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('generates a handoff from the Handoffs page, for the page list below', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Handoffs', exact: true }).click();
    await eventually(() => expect(new URL(page.url()).searchParams.get('project')).toBe(projectId));
    await page.getByRole('button', { name: 'Generate handoff' }).click();
    const progress = page.getByTestId('handoff-progress');
    await eventually(async () => expect(await progress.textContent()).toMatch(/^Handoff ready: /));
    handoffTitle = ((await progress.textContent()) ?? '').replace('Handoff ready: ', '');
    const article = page.getByTestId('handoff-list').locator('article').first();
    await eventually(async () => expect(await article.locator('h3').textContent()).toBe(handoffTitle));
    handoffId = (await article.getAttribute('data-handoff-id')) ?? '';
    // The title is a real link to the handoff's own page.
    expect(await article.locator('h3 a').getAttribute('href')).toBe(`/handoffs/${handoffId}`);
  });

  describe('every page: one h1, its title, no sideways scroll at 360 px, no serious axe violations in either theme', () => {
    const pages: Array<{ name: string; path: () => string; title: () => string }> = [
      { name: 'home', path: () => '/', title: () => 'Overview' },
      { name: 'runs', path: () => '/runs', title: () => 'Runs' },
      { name: 'run', path: () => `/runs/${runId}`, title: () => `Run ${runId.slice(0, 8)}` },
      { name: 'run-replay', path: () => `/runs/${runId}/replay`, title: () => `Replay of run ${runId.slice(0, 8)}` },
      { name: 'projects', path: () => '/projects', title: () => 'Projects' },
      { name: 'project', path: () => `/projects/${projectId}`, title: () => PROJECT },
      { name: 'environments', path: () => `/projects/${projectId}/environments`, title: () => `${PROJECT} — environments` },
      { name: 'handoffs', path: () => `/handoffs?project=${projectId}`, title: () => 'Handoffs' },
      { name: 'handoff', path: () => `/handoffs/${handoffId}`, title: () => handoffTitle },
      { name: 'org-settings', path: () => '/settings', title: () => 'Organization settings' },
      { name: 'members', path: () => '/settings/members', title: () => 'Members' },
      { name: 'api-keys', path: () => '/settings/api-keys', title: () => 'API keys' },
      { name: 'outbox', path: () => '/admin/outbox', title: () => 'Mail outbox' },
      { name: 'not-found', path: () => '/nowhere', title: () => 'Page not found' },
      { name: 'login', path: () => '/login', title: () => 'Sign in' },
      { name: 'register', path: () => '/register', title: () => 'Create an account' },
      { name: 'forgot-password', path: () => '/forgot-password', title: () => 'Reset your password' },
      { name: 'reset-password', path: () => '/reset-password?token=abc', title: () => 'Choose a new password' },
      { name: 'invitation', path: () => '/invitations/some-token', title: () => 'Invitation' },
    ];
    for (const p of pages) {
      it(p.name, async () => {
        await page.setViewportSize({ width: 360, height: 740 });
        try {
          await page.goto(`${url}${p.path()}`);
          await settled();
          expect(await page.locator('h1').count()).toBe(1);
          await eventually(async () => expect(await page.title()).toBe(`${p.title()} · Baton`));
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
          await checkA11y(page);
        } finally {
          await page.setViewportSize({ width: 1280, height: 800 });
        }
        await checkA11y(page);
        await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
        await checkA11y(page);
        await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
        const shots = await screenshotAll(page, p.name);
        expect(shots).toHaveLength(4);
      });
    }
  });

  it('a session that ends sends the user to /login, and back where they were after signing in', async () => {
    await page.goto(`${url}/settings/api-keys`);
    await settled();
    await e2e!.context.clearCookies();
    // A client-side navigation: the next request is refused, and the app notices.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/login'));
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/settings/members');
    // The URL changes before React renders the new route: check the page once the form is shown.
    await page.locator('input[name=email]').waitFor();
    expect(await page.getByTestId('user-name').count()).toBe(0);
    await page.locator('input[name=email]').fill(USER.email);
    await page.locator('input[name=password]').fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/settings/members'));
    await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    await eventually(async () => expect(await page.getByTestId('user-name').textContent()).toBe(USER.name));
  });

  it('left no uncaught page errors and no server errors behind', () => {
    expect(e2e!.pageErrors).toEqual([]);
    // Expected: the 401s of probing the session before registering and after the session ended. Nothing else.
    expect(e2e!.consoleErrors.filter((t) => !/status of 401/.test(t))).toEqual([]);
    expect(e2e!.serverErrors).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2e, type E2e, eventually } from './harness.ts';

/*
 * One user's journey through the built SPA in real headless Chromium, against a real server that
 * serves apps/web/dist (built by test/global-setup.ts) and a fresh database (either engine). Every step goes
 * through the browser: the forms call tRPC, the session cookie is the one the server set.
 * The steps share one page and run in order; a later step relies on the state an earlier one left.
 */

const USER = { name: 'Ada Lovelace', email: 'ada@example.test', password: 'correct horse battery', org: 'Analytical Engines' };
const PROJECT = 'Difference Engine';
const SECOND_ORG = 'Second Org';

let e2e: E2e | undefined;
let url: string;
let page: Page;
let serverErrors: E2e['serverErrors'];
let pageErrors: string[];
let consoleErrors: string[];

const pathname = () => new URL(page.url()).pathname;
const orgSelect = () => page.getByRole('combobox', { name: 'Organization' });
const orgCard = (name: string) => page.locator('section.card', { has: page.getByRole('heading', { level: 2, name, exact: true }) });
const projectsCard = () => page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: 'Projects', exact: true }) });
const apiOrgsStatus = () => page.evaluate(() => fetch('/api/v1/orgs').then((r) => r.status));

async function expectHome(orgName: string) {
  await eventually(() => expect(pathname(), 'the SPA should leave the sign-in form for home').toBe('/'));
  await orgCard(orgName).waitFor();
  await eventually(async () => expect(await page.getByTestId('user-name').textContent()).toBe(USER.name));
  await eventually(async () => expect(await orgCard(orgName).getByTestId('org-role').textContent()).toBe('owner'));
}

async function signIn() {
  await page.locator('input[name=email]').fill(USER.email);
  await page.locator('input[name=password]').fill(USER.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

beforeAll(async () => {
  e2e = await startE2e({ dataDirPrefix: 'baton-spa-e2e-', screenshot: '/tmp/spa-e2e.png' });
  ({ url, page, serverErrors, pageErrors, consoleErrors } = e2e);
}, 120_000);

afterAll(() => e2e?.close(), 120_000);

describe('SPA end to end in headless Chromium', () => {
  it('serves the SPA shell for client-side routes and sends a visitor without a session to /login', async () => {
    await page.goto(`${url}/`);
    await eventually(() => expect(pathname()).toBe('/login'));
    await page.getByRole('heading', { name: 'Sign in to Baton' }).waitFor();
    expect(await page.getByTestId('user-name').count()).toBe(0);
  });

  it('registers through the form, lands on home as owner of the new organization', async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await eventually(() => expect(pathname()).toBe('/register'));
    await page.locator('input[name=name]').fill(USER.name);
    await page.locator('input[name=email]').fill(USER.email);
    await page.locator('input[name=password]').fill(USER.password);
    await page.locator('input[name=orgName]').fill(USER.org);
    await page.getByRole('button', { name: 'Create account' }).click();

    await expectHome(USER.org);
    await projectsCard().getByText('No projects yet.').waitFor();
    // The first account on an instance is its admin.
    await page.getByRole('link', { name: 'Outbox' }).waitFor();
    // The session cookie the form obtained also authenticates the REST API.
    expect(await apiOrgsStatus()).toBe(200);
  });

  it('creates a project through the UI and lists it', async () => {
    await page.locator('input[name=projectName]').fill(PROJECT);
    await page.getByRole('button', { name: 'Create project' }).click();
    const list = page.getByTestId('projects');
    await list.waitFor();
    await eventually(async () => expect(await list.locator('li strong').allTextContents()).toEqual([PROJECT]));
    // The form is cleared after a successful create.
    expect(await page.locator('input[name=projectName]').inputValue()).toBe('');
  });

  it('creates a second organization and switches between the two', async () => {
    await page.locator('input[name=orgName]').fill(SECOND_ORG);
    await page.getByRole('button', { name: 'Create organization' }).click();

    // The new org becomes the active one: its card, with no projects.
    await expectHome(SECOND_ORG);
    await projectsCard().getByText('No projects yet.').waitFor();
    expect(await page.getByTestId('projects').count()).toBe(0);
    expect(await orgCard(USER.org).count()).toBe(0);

    const select = orgSelect();
    await eventually(async () => expect(await select.locator('option').allTextContents()).toEqual(expect.arrayContaining([`${USER.org} (owner)`, `${SECOND_ORG} (owner)`])));
    expect(await select.locator('option').count()).toBe(2);
    expect(await select.locator('option:checked').textContent()).toBe(`${SECOND_ORG} (owner)`);

    // Back to the first org: its card and its project.
    await select.selectOption({ label: `${USER.org} (owner)` });
    await expectHome(USER.org);
    expect(await orgCard(SECOND_ORG).count()).toBe(0);
    await eventually(async () => expect(await page.getByTestId('projects').locator('li strong').allTextContents()).toEqual([PROJECT]));

    // And to the second again: empty list.
    await select.selectOption({ label: `${SECOND_ORG} (owner)` });
    await expectHome(SECOND_ORG);
    await projectsCard().getByText('No projects yet.').waitFor();
    expect(await page.getByTestId('projects').count()).toBe(0);

    // Once more to the first, which the project belongs to.
    await select.selectOption({ label: `${USER.org} (owner)` });
    await expectHome(USER.org);
    await eventually(async () => expect(await page.getByTestId('projects').locator('li strong').allTextContents()).toEqual([PROJECT]));
  });

  it('signs out: back on /login, a reload stays there and the session is gone on the server', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('user-name').waitFor({ state: 'detached' });
    await eventually(() => expect(pathname()).toBe('/login'));
    await page.getByRole('heading', { name: 'Sign in to Baton' }).waitFor();

    await page.goto(`${url}/`);
    await eventually(() => expect(pathname()).toBe('/login'));
    await page.getByRole('heading', { name: 'Sign in to Baton' }).waitFor();
    expect(await page.getByTestId('user-name').count()).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Organization' }).count()).toBe(0);
    expect(await apiOrgsStatus()).toBe(401);
  });

  it('asks for a password reset from the sign-in page', async () => {
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await eventually(() => expect(pathname()).toBe('/forgot-password'));
    await page.locator('input[name=email]').fill(USER.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const status = page.getByRole('status');
    await status.waitFor();
    expect(await status.textContent()).toContain('outbox');
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await eventually(() => expect(pathname()).toBe('/login'));
  });

  it('signs in again with the same credentials and lands on home', async () => {
    await signIn();
    await eventually(() => expect(pathname(), 'the SPA should leave the sign-in form for home').toBe('/'));
    await eventually(async () => expect(await page.getByTestId('user-name').textContent()).toBe(USER.name));
    await eventually(async () => expect(await page.getByTestId('org-role').textContent()).toBe('owner'));
    await eventually(async () => expect(await orgSelect().locator('option').count()).toBe(2));
    expect(await apiOrgsStatus()).toBe(200);
  });

  it('shows the reset mail in the outbox to the instance admin', async () => {
    await page.getByRole('link', { name: 'Outbox' }).click();
    await eventually(() => expect(pathname()).toBe('/admin/outbox'));
    await page.getByRole('heading', { name: 'Mail outbox' }).waitFor();
    const mail = page.locator('article.mail', { hasText: 'Reset your Baton password' });
    await mail.waitFor();
    expect(await mail.count()).toBe(1);
    const header = (await mail.locator('header').textContent()) ?? '';
    expect(header).toContain(`to ${USER.email}`);
    expect(header).toContain('outbox');
    const body = (await mail.locator('pre').textContent()) ?? '';
    expect(body).toContain(`Hello ${USER.name}`);
    expect(body).toMatch(new RegExp(`${url.replace(/[.]/g, '\\.')}/reset-password\\?token=[^\\s]+`));
  });

  it('left no uncaught page errors and no server errors behind', () => {
    expect(pageErrors).toEqual([]);
    // The only expected console errors are the 401s of probing the session while signed out.
    expect(consoleErrors.filter((t) => !/status of 401/.test(t))).toEqual([]);
    expect(serverErrors).toEqual([]);
  });
});

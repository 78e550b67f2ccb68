import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addMember } from '../../../test/helpers/factories.ts';
import { startE2e, type E2e, eventually, registerThroughForm } from './harness.ts';

/*
 * The API keys page and a project's environments page in real headless Chromium against a real
 * server (no engine: nothing here needs runs to progress). Keys made on the page are used from the
 * page's own context against the REST APIs, so "works" and "revoked" mean what a client would see.
 * The steps share one page and run in order; a later step relies on the state an earlier one left.
 */

const USER = { name: 'Ada Lovelace', email: 'ada@example.test', password: 'analytical engine 1843', org: 'Engines Ltd' };
const MEMBER = { name: 'Charles Babbage', email: 'charles@example.test', password: 'difference engine 1822', org: 'Babbage Workshop' };
const PROJECT = 'Status page';
const STAGING_URL = 'http://127.0.0.1:9/health';
const DEPLOY_HOOK = 'http://127.0.0.1:9/deploy-hook/s3cret-token';

let e2e: E2e | undefined;
let url: string;
let page: Page;
let serverErrors: E2e['serverErrors'];
let pageErrors: string[];
let consoleErrors: string[];

const pathname = () => new URL(page.url()).pathname;

/** Calls a REST endpoint from the page, as a script on the page would; answers status and body text. */
const fetchFromPage = (path: string, key?: string) =>
  page.evaluate(
    async ([p, k]) => {
      const r = await fetch(p!, k ? { headers: { authorization: `Bearer ${k}` } } : {});
      return { status: r.status, body: await r.text() };
    },
    [path, key] as const,
  );

const keyRows = () => page.getByTestId('api-keys').locator('tbody tr');
const keyRow = (name: string) => keyRows().filter({ has: page.locator('.key-name', { hasText: new RegExp(`^${name}$`) }) });
const newKey = () => page.getByTestId('new-key');
const envCard = (name: string) => page.locator(`section.env[data-env=${name}]`);

/** Creates a key on the API keys page; answers the full key from the one-time box. */
async function createKey(name: string, kindLabel: string): Promise<string> {
  await page.getByLabel('Key name').fill(name);
  await page.getByLabel('Kind').selectOption({ label: kindLabel });
  await page.getByRole('button', { name: 'Create key' }).click();
  await eventually(async () => expect(await newKey().getByRole('heading').textContent()).toContain(`“${name}”`));
  return (await newKey().getByTestId('new-key-value').textContent()) ?? '';
}

beforeAll(async () => {
  e2e = await startE2e({ env: { BATON_ALLOW_PRIVATE_URLS: 'true' }, dataDirPrefix: 'baton-settings-e2e-' });
  ({ url, page, serverErrors, pageErrors, consoleErrors } = e2e);
  // The Copy button writes to the clipboard; let the test read it back.
  await e2e.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
}, 120_000);

afterAll(() => e2e?.close(), 120_000);

describe('settings UI end to end in headless Chromium', () => {
  let mkKey = '';
  let frKey = '';
  let projectId = '';

  it('registers and opens the empty API keys page from the top bar', async () => {
    await registerThroughForm(page, url, USER);
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/settings/api-keys'));
    await page.getByText('No API keys yet.').waitFor();
    expect(await page.getByLabel('Kind').locator('option').allTextContents()).toEqual([
      'mk_live — MightyKey, this organization',
      'mk_test — MightyKey test, this organization',
      'fr — Flow Relay, all your organizations',
    ]);
  });

  it('creates an mk_live key: the full key is shown once, with a warning and a working Copy button', async () => {
    mkKey = await createKey('CI deploys', 'mk_live — MightyKey, this organization');
    expect(mkKey).toMatch(/^mk_live_\S{20,}$/);
    expect(await newKey().textContent()).toContain('It will not be shown again.');
    // The list shows it by prefix only.
    await eventually(async () => expect(await keyRow('CI deploys').count()).toBe(1));
    const prefix = (await keyRow('CI deploys').getByTestId('key-prefix').textContent()) ?? '';
    expect(prefix).toMatch(/^mk_live_\S+…$/);
    expect(mkKey.startsWith(prefix.slice(0, -1))).toBe(true);
    expect(prefix.length).toBeLessThan(mkKey.length);
    expect(await keyRow('CI deploys').textContent()).not.toContain(mkKey);
    expect(await keyRow('CI deploys').locator('td').nth(4).textContent()).toBe('never');

    await newKey().getByRole('button', { name: 'Copy' }).click();
    await newKey().getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(mkKey);
    await page.screenshot({ path: '/tmp/api-keys.png', fullPage: true });
  });

  it('the key works on the MightyKey API from the page', async () => {
    const res = await fetchFromPage('/api/v1/orgs', mkKey);
    expect(res.status).toBe(200);
    expect(res.body).toContain(USER.org);
  });

  it('after a reload the key is listed by prefix and the full key is gone from the page', async () => {
    await page.reload();
    await eventually(async () => expect(await keyRow('CI deploys').count()).toBe(1));
    expect(await newKey().count()).toBe(0);
    expect(await keyRow('CI deploys').getByTestId('key-prefix').textContent()).toBe(`${mkKey.slice(0, 'mk_live'.length + 5)}…`);
    expect(await keyRow('CI deploys').locator('.badge').textContent()).toBe('mk_live');
    expect(await page.content()).not.toContain(mkKey);
  });

  it('creates an fr key that works on Flow Relay', async () => {
    frKey = await createKey('Relay laptop', 'fr — Flow Relay, all your organizations');
    expect(frKey).toMatch(/^fr_\S{20,}$/);
    await eventually(async () => expect(await keyRows().locator('.key-name').allTextContents()).toEqual(['Relay laptop', 'CI deploys']));
    expect(await keyRow('Relay laptop').locator('.key-scope').textContent()).toBe('all your organizations');
    const res = await fetchFromPage('/relay/api/v1/projects', frKey);
    expect(res.status).toBe(200);
    // Hiding the box takes the key off the page for good.
    await newKey().getByRole('button', { name: /hide the key/ }).click();
    expect(await newKey().count()).toBe(0);
    expect(await page.content()).not.toContain(frKey);
  });

  it('revokes the mk key after a confirmation: it stops working and leaves the list', async () => {
    // Changing one's mind keeps the key.
    await keyRow('CI deploys').getByRole('button', { name: 'Revoke CI deploys' }).click();
    await page.getByRole('group', { name: 'Confirm revoking CI deploys' }).getByRole('button', { name: 'Keep it' }).click();
    expect((await fetchFromPage('/api/v1/orgs', mkKey)).status).toBe(200);

    await keyRow('CI deploys').getByRole('button', { name: 'Revoke CI deploys' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm revoking CI deploys' });
    await confirm.getByText('Revoke for good?').waitFor();
    await confirm.getByRole('button', { name: 'Yes, revoke' }).click();
    await eventually(async () => expect(await keyRows().locator('.key-name').allTextContents()).toEqual(['Relay laptop']));
    expect((await fetchFromPage('/api/v1/orgs', mkKey)).status).toBe(401);
    // The other key is untouched.
    expect((await fetchFromPage('/relay/api/v1/projects', frKey)).status).toBe(200);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('shows a server error inline when revoking a key that is already gone', async () => {
    const id = await keyRow('Relay laptop').getAttribute('data-key-id');
    const del = await page.evaluate(async (keyId) => (await fetch(`/api/v1/api-keys/${keyId}`, { method: 'DELETE' })).status, id);
    expect(del).toBe(200);
    await keyRow('Relay laptop').getByRole('button', { name: 'Revoke Relay laptop' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await eventually(async () => expect(await keyRow('Relay laptop').getByRole('alert').textContent()).toBe('API key not found'));
    expect((await fetchFromPage('/relay/api/v1/projects', frKey)).status).toBe(401);
    await page.reload();
    await page.getByText('No API keys yet.').waitFor();
  });

  it('opens a new project’s environments from the home page', async () => {
    await page.getByRole('link', { name: 'Baton' }).click();
    await page.locator('input[name=projectName]').fill(PROJECT);
    await page.getByRole('button', { name: 'Create project' }).click();
    const item = page.getByTestId('projects').locator('li', { hasText: PROJECT });
    await eventually(async () => expect(await item.count()).toBe(1));
    await item.getByRole('link', { name: 'Environments' }).click();
    await eventually(() => expect(pathname()).toMatch(/^\/projects\/[^/]+\/environments$/));
    projectId = /^\/projects\/([^/]+)\/environments$/.exec(pathname())![1]!;

    await page.getByRole('heading', { name: `${PROJECT} — environments` }).waitFor();
    await eventually(async () => expect(await page.locator('section.env').evaluateAll((els) => els.map((e) => e.getAttribute('data-env')))).toEqual(['development', 'staging', 'production']));
    const staging = envCard('staging');
    expect(await staging.getByTestId('env-url').textContent()).toBe('not set');
    expect(await staging.getByTestId('env-health').textContent()).toBe('unknown · not checked yet');
    expect(await staging.getByTestId('env-last-deployed').textContent()).toBe('never');
    expect(await staging.getByTestId('env-status').textContent()).toBe('active');
  });

  it('sets staging’s URL and deploy hook; the URL is saved and the hook is never returned', async () => {
    const staging = envCard('staging');
    await staging.getByLabel('URL', { exact: true }).fill(STAGING_URL);
    await staging.getByLabel('New deploy hook URL (leave empty to keep the current one)').fill(DEPLOY_HOOK);
    await staging.getByRole('button', { name: 'Save' }).click();
    await staging.getByRole('status').filter({ hasText: 'Saved, with the new deploy hook.' }).waitFor();
    expect(await staging.getByTestId('env-url').textContent()).toBe(STAGING_URL);
    expect(await staging.getByLabel('New deploy hook URL (leave empty to keep the current one)').inputValue()).toBe('');
    expect(await envCard('production').getByTestId('env-url').textContent()).toBe('not set');

    const res = await fetchFromPage(`/api/v1/projects/${projectId}/environments`);
    expect(res.status).toBe(200);
    const envs = (JSON.parse(res.body) as { data: { environments: Array<{ name: string; url: string | null }> } }).data.environments;
    expect(envs.find((e) => e.name === 'staging')?.url).toBe(STAGING_URL);
    expect(envs.filter((e) => e.name !== 'staging').map((e) => e.url)).toEqual([null, null]);
    expect(res.body).not.toContain('s3cret-token');
    const hook = async () => (await e2e!.sql.get<{ hook: string | null }>('SELECT deploy_hook_url AS hook FROM project_environments WHERE project_id = ? AND name = ?', projectId, 'staging'))!.hook;
    expect(await hook()).toBe(DEPLOY_HOOK);

    // After a reload the URL is in the form again; the hook is not.
    await page.reload();
    await eventually(async () => expect(await envCard('staging').getByLabel('URL', { exact: true }).inputValue()).toBe(STAGING_URL));
    expect(await page.content()).not.toContain('s3cret-token');

    // Saving with the hook field empty keeps the hook; "Remove deploy hook" clears it and keeps the URL.
    await envCard('staging').getByRole('button', { name: 'Save' }).click();
    await envCard('staging').getByRole('status').filter({ hasText: /^Saved\.$/ }).waitFor();
    expect(await hook()).toBe(DEPLOY_HOOK);
    await envCard('staging').getByRole('button', { name: 'Remove deploy hook' }).click();
    await envCard('staging').getByRole('status').filter({ hasText: 'Deploy hook removed.' }).waitFor();
    expect(await hook()).toBeNull();
    expect(await envCard('staging').getByTestId('env-url').textContent()).toBe(STAGING_URL);
    await page.screenshot({ path: '/tmp/environments.png', fullPage: true });
  });

  it('a member of the org sees the server’s 403 inline', async () => {
    const orgId = await page.evaluate(() => localStorage.getItem('baton.orgId'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await eventually(() => expect(pathname()).toBe('/login'));
    await registerThroughForm(page, url, MEMBER);
    const { id: memberId } = (await e2e!.sql.get<{ id: string }>('SELECT id FROM users WHERE email = ?', MEMBER.email))!;
    await addMember(e2e!.baton.store, orgId!, memberId, 'member');
    await page.evaluate((id) => localStorage.setItem('baton.orgId', id), orgId!);
    await page.goto(`${url}/projects/${projectId}/environments`);
    await eventually(async () => expect(await page.getByRole('combobox', { name: 'Organization' }).locator('option:checked').textContent()).toBe(`${USER.org} (member)`));
    await page.getByText('You are a member: only admins and owners can change environments.').waitFor();
    const staging = envCard('staging');
    await eventually(async () => expect(await staging.getByTestId('env-url').textContent()).toBe(STAGING_URL));
    await staging.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:9/other');
    await staging.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => expect(await staging.getByRole('alert').textContent()).toBe('This needs the admin role or higher in the organization'));
    expect(await staging.getByTestId('env-url').textContent()).toBe(STAGING_URL);
    await staging.getByRole('button', { name: 'Remove deploy hook' }).click();
    await eventually(async () => expect(await staging.getByRole('alert').textContent()).toBe('This needs the admin role or higher in the organization'));

    // Switching org leaves the project, which belongs to the other org.
    await page.getByRole('combobox', { name: 'Organization' }).selectOption({ label: `${MEMBER.org} (owner)` });
    await eventually(() => expect(pathname()).toBe('/'));
  });

  it('left no uncaught page errors and no server errors behind', () => {
    expect(pageErrors).toEqual([]);
    // Expected: the 401s of probing the session before registering and of the revoked keys, the 404
    // of revoking a key twice, and the member's two 403s. Nothing else.
    const unexpected = consoleErrors.filter((t) => !/status of (401|403|404)/.test(t));
    expect(unexpected).toEqual([]);
    expect(consoleErrors.filter((t) => /status of 404/.test(t))).toHaveLength(1);
    expect(consoleErrors.filter((t) => /status of 403/.test(t))).toHaveLength(2);
    expect(serverErrors).toEqual([]);
  });
});

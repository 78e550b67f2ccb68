import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PAYMENTS_FEED as FEED } from '../../../test/helpers/relay-feed.ts';
import { checkA11y, eventually, registerThroughForm, screenshotAll, startE2e, type E2e, pageApi } from './harness.ts';

/*
 * Projects, a project's page, the overview's getting-started checklist, a handoff's own page and the
 * shell's pending-approvals count, in real headless Chromium against a real server with its engine
 * (local driver, autonomy "assist": a run stops before its first write and before its `wc` check).
 * The steps share one page and run in order; a later step relies on the state an earlier one left.
 */

const USER = { name: 'Grace Hopper', email: 'grace@example.test', password: 'cobol compiler 1959', org: 'Harvard Mark' };
const PROJECT = 'Payments';
const REQUEST = 'Write down the refund policy.';
// Production's: a run targets staging, and would health-check a URL there.
const PRODUCTION_URL = 'https://payments.example.test';

let e2e: E2e | undefined;
let url: string;
let page: Page;
let orgId = '';
let projectId = '';
let runId = '';
let handoffId = '';
let handoffTitle = '';
let frKey = '';

const pathname = () => new URL(page.url()).pathname;
const pendingApprovals = () => page.getByTestId('pending-approvals');
const rows = () => page.getByTestId('project-table').locator('tbody tr');
const row = (name: string) => rows().filter({ has: page.getByRole('link', { name, exact: true }) });
const rowNames = () => rows().locator('.project-name').allTextContents();
const dialog = () => page.getByRole('dialog');
const checklist = () => page.getByTestId('checklist');
const step = (key: string) => checklist().locator(`li[data-step=${key}]`);

/** Calls a REST endpoint from the page: with the session cookie, or with a key when one is given. */
const api = <T,>(method: string, path: string, body?: unknown, key?: string) => pageApi<T>(page, method, path, body, { key });

/** The org's runs waiting for a person, straight from the database. */
async function waitingInDb(): Promise<number> {
  const r = await e2e!.sql.get<{ n: number | string }>(
    "SELECT count(DISTINCT a.run_id) AS n FROM approvals a JOIN runs r ON r.id = a.run_id WHERE r.org_id = ? AND a.status = 'pending'",
    orgId,
  );
  return Number(r?.n ?? 0);
}

/** The page has its h1 and nothing still loading. */
async function settled() {
  await page.locator('main h1').waitFor();
  await eventually(async () => expect(await page.locator('.loading').count()).toBe(0));
}

/** One h1, no sideways scroll at 360 px, no serious axe violation in either theme; then screenshots. */
async function checkPage(name: string) {
  await settled();
  expect(await page.locator('h1').count()).toBe(1);
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await eventually(async () => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360));
    await checkA11y(page);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  await checkA11y(page);
  await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
  await checkA11y(page);
  await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
  expect(await screenshotAll(page, name)).toHaveLength(4);
}

async function openProjects() {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects', exact: true }).click();
  await eventually(() => expect(pathname()).toBe('/projects'));
  await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
}

async function goHome() {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview', exact: true }).click();
  await eventually(() => expect(pathname()).toBe('/'));
}

beforeAll(async () => {
  e2e = await startE2e({ env: { BATON_DRIVER: 'local' }, startEngine: true, dataDirPrefix: 'baton-projects-e2e-', screenshot: '/tmp/projects-e2e.png' });
  ({ url, page } = e2e);
}, 120_000);

afterAll(() => e2e?.close(), 120_000);

describe('projects, a project, the checklist, a handoff and the approvals count', () => {
  it('the overview starts with the whole checklist to do', async () => {
    await registerThroughForm(page, url, USER);
    orgId = (await page.evaluate(() => localStorage.getItem('baton.orgId'))) ?? '';
    await eventually(async () => expect(await page.getByTestId('checklist-progress').textContent()).toBe('0 of 5 done'));
    expect(await checklist().locator('li .checklist-title').allTextContents()).toEqual(['Create a project', 'Start a run', 'Approve an action', 'Connect a source', 'Create an API key']);
    expect(await step('createProject').getAttribute('data-done')).toBe('false');
    expect(await step('createProject').getByRole('link', { name: 'Go to projects' }).getAttribute('href')).toBe('/projects');
    expect(await step('createApiKey').getByRole('link', { name: 'Go to API keys' }).getAttribute('href')).toBe('/settings/api-keys');
    await eventually(async () => expect(await pendingApprovals().textContent()).toBe('No approvals waiting'));
  });

  it('creates a project from a dialog, with the server’s errors beside their fields', async () => {
    await openProjects();
    await page.getByTestId('projects-empty').waitFor();
    await page.getByRole('button', { name: 'New project' }).click();
    await dialog().getByRole('heading', { name: 'New project' }).waitFor();
    await dialog().getByLabel('Name').fill(PROJECT);
    await dialog().getByLabel('Slug (optional)').fill('Not A Slug');
    await dialog().getByRole('button', { name: 'Create project' }).click();
    const slug = dialog().getByLabel('Slug (optional)');
    await eventually(async () => expect(await slug.getAttribute('aria-invalid')).toBe('true'));
    const slugError = dialog().locator('.field-error');
    expect(await slugError.textContent()).toContain('lowercase letters, digits and single dashes');
    // The error is the slug field's own description, read out with it.
    expect(await slug.getAttribute('aria-describedby')).toContain((await slugError.getAttribute('id')) ?? 'missing');

    await slug.fill('payments');
    await dialog().getByRole('button', { name: 'Create project' }).click();
    await eventually(async () => expect(await rowNames()).toEqual([PROJECT]));
    expect(await dialog().count()).toBe(0);
    const created = row(PROJECT);
    expect(await created.getByTestId('project-status').textContent()).toBe('active');
    expect(await created.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    projectId = (await created.getAttribute('data-project-id')) ?? '';
    expect(await created.getByRole('link', { name: PROJECT, exact: true }).getAttribute('href')).toBe(`/projects/${projectId}`);

    // The same slug again: the 409 lands beside the slug.
    await page.getByRole('button', { name: 'New project' }).click();
    await dialog().getByLabel('Name').fill('Payments again');
    await dialog().getByLabel('Slug (optional)').fill('payments');
    await dialog().getByRole('button', { name: 'Create project' }).click();
    await eventually(async () => expect(await dialog().locator('.field-error').textContent()).toBe('A project with slug "payments" already exists in this organization'));
    // A repository URL that is not http(s): refused by the server, beside that field.
    await dialog().getByLabel('Slug (optional)').fill('');
    await dialog().getByLabel('GitHub repository URL (optional)').fill('ftp://example.test/repo');
    await dialog().getByRole('button', { name: 'Create project' }).click();
    await eventually(async () => expect(await dialog().getByLabel('GitHub repository URL (optional)').getAttribute('aria-invalid')).toBe('true'));
    expect(await dialog().getByLabel('Slug (optional)').getAttribute('aria-invalid')).toBeNull();
    await page.keyboard.press('Escape');
    await eventually(async () => expect(await dialog().count()).toBe(0));
    expect(await rowNames()).toEqual([PROJECT]);
  });

  it('edits a project', async () => {
    await row(PROJECT).getByRole('button', { name: 'Edit' }).click();
    await dialog().getByRole('heading', { name: `Edit ${PROJECT}` }).waitFor();
    expect(await dialog().getByLabel('Name').inputValue()).toBe(PROJECT);
    await dialog().getByLabel('Description (optional)').fill('Checkout, invoices and refunds.');
    await dialog().getByLabel('GitHub repository URL (optional)').fill('https://github.com/acme/payments');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await eventually(async () => expect(await row(PROJECT).locator('.project-description').textContent()).toBe('Checkout, invoices and refunds.'));
    const saved = await api<{ data: { description: string; githubRepoUrl: string } }>('GET', `/api/v1/projects/${projectId}`);
    expect(saved.body.data).toMatchObject({ description: 'Checkout, invoices and refunds.', githubRepoUrl: 'https://github.com/acme/payments' });
  });

  it('archives a project out of the current list, finds it under Archived, and brings it back', async () => {
    await row(PROJECT).getByRole('button', { name: 'Archive' }).click();
    await page.getByText('Every project is archived.').waitFor();
    await page.getByRole('radio', { name: 'Archived' }).check();
    await eventually(async () => expect(await rowNames()).toEqual([PROJECT]));
    expect(await row(PROJECT).getByTestId('project-status').textContent()).toBe('archived');
    expect((await api<{ data: { status: string } }>('GET', `/api/v1/projects/${projectId}`)).body.data.status).toBe('archived');

    await row(PROJECT).getByRole('button', { name: 'Unarchive' }).click();
    await page.getByText('No archived projects.').waitFor();
    await page.getByRole('radio', { name: 'Current' }).check();
    await eventually(async () => expect(await row(PROJECT).getByTestId('project-status').textContent()).toBe('active'));
  });

  it('deletes a project after asking', async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    await dialog().getByLabel('Name').fill('Scratch');
    await dialog().getByRole('button', { name: 'Create project' }).click();
    await eventually(async () => expect(await rowNames()).toEqual(['Scratch', PROJECT]));
    const scratchId = (await row('Scratch').getAttribute('data-project-id')) ?? '';

    await row('Scratch').getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('heading', { name: 'Delete Scratch?' }).waitFor();
    // Changing one's mind keeps it.
    await dialog().getByRole('button', { name: 'Keep it' }).click();
    await eventually(async () => expect(await dialog().count()).toBe(0));
    expect(await rowNames()).toEqual(['Scratch', PROJECT]);

    await row('Scratch').getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Delete for good' }).click();
    await eventually(async () => expect(await rowNames()).toEqual([PROJECT]));
    expect(Number((await e2e!.sql.get<{ n: number | string }>('SELECT count(*) AS n FROM projects WHERE id = ?', scratchId))?.n)).toBe(0);
    await checkPage('projects');
  });

  it('the project page shows its latest runs, its environments with their health, and its context feed', async () => {
    const run = await api<{ data: { id: string } }>('POST', '/api/v1/runs', { requestText: REQUEST, projectId });
    expect(run.status).toBe(201);
    runId = run.body.data.id;
    const envs = await api<{ data: { environments: Array<{ id: string; name: string }> } }>('GET', `/api/v1/projects/${projectId}/environments`);
    const production = envs.body.data.environments.find((e) => e.name === 'production')!;
    expect((await api('PATCH', `/api/v1/projects/${projectId}/environments/${production.id}`, { url: PRODUCTION_URL })).status).toBe(200);

    await row(PROJECT).getByRole('link', { name: PROJECT, exact: true }).click();
    await eventually(() => expect(pathname()).toBe(`/projects/${projectId}`));
    await page.getByRole('heading', { level: 1, name: PROJECT }).waitFor();
    expect(await page.getByTestId('project-status').textContent()).toBe('active');

    const runs = page.getByTestId('project-runs');
    await eventually(async () => expect(await runs.locator(`li[data-run-id="${runId}"] a`).textContent()).toBe(REQUEST));
    expect(await runs.locator(`li[data-run-id="${runId}"] a`).getAttribute('href')).toBe(`/runs/${runId}`);
    expect(await runs.getByRole('link', { name: /^All runs of this project/ }).getAttribute('href')).toBe(`/runs?projectId=${projectId}`);

    const environments = page.getByTestId('project-environments');
    await eventually(async () => expect(await environments.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-env')))).toEqual(['development', 'staging', 'production']));
    expect(await environments.locator('li[data-env=production]').getByTestId('env-url').textContent()).toBe(PRODUCTION_URL);
    expect(await environments.locator('li[data-env=production]').getByRole('link', { name: PRODUCTION_URL }).getAttribute('href')).toBe(PRODUCTION_URL);
    expect(await environments.locator('li[data-env=staging]').getByTestId('env-health').textContent()).toBe('unknown');
    expect(await environments.locator('li[data-env=staging]').getByTestId('env-url').textContent()).toBe('No URL set');
    expect(await environments.getByRole('link', { name: 'Configure environments' }).getAttribute('href')).toBe(`/projects/${projectId}/environments`);

    // The run's own milestones reach the project's context stream.
    const feed = page.getByTestId('context-feed');
    await eventually(async () => expect(await feed.locator('li[data-source=baton] a').allTextContents()).toContain(`Run started: ${REQUEST}`));
    expect(await feed.locator('li[data-source=baton] .source').first().textContent()).toBe('Baton runs');

    // Settings: the description is edited in place.
    const settings = page.getByTestId('project-settings');
    await settings.getByLabel('Description').fill('Money in, money out.');
    await settings.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => expect(await page.locator('p.project-description').textContent()).toBe('Money in, money out.'));
    await checkPage('project');
  });

  it('the shell counts the run waiting for approval, and follows each approval', async () => {
    await eventually(async () => expect(await pendingApprovals().getAttribute('data-count')).toBe('1'));
    expect(await waitingInDb()).toBe(1);
    expect(await pendingApprovals().textContent()).toBe('1 waiting for approval');

    await page.getByTestId('project-runs').locator(`li[data-run-id="${runId}"] a`).click();
    await eventually(() => expect(pathname()).toBe(`/runs/${runId}`));
    await page.getByRole('button', { name: /^Approve: Write / }).click();
    // The run moves on and asks again before its `wc` check: still one run waiting.
    await eventually(async () => expect(await page.getByRole('button', { name: /^Approve: Run `wc/ }).count()).toBe(1));
    expect(await waitingInDb()).toBe(1);
    await eventually(async () => expect(await pendingApprovals().getAttribute('data-count')).toBe('1'));

    await page.getByRole('button', { name: /^Approve: Run `wc/ }).click();
    await eventually(async () => expect((await api<{ data: { status: string } }>('GET', `/api/v1/runs/${runId}`)).body.data.status).toBe('completed'));
    expect(await waitingInDb()).toBe(0);
    await eventually(async () => expect(await pendingApprovals().textContent()).toBe('No approvals waiting'));
    expect(await pendingApprovals().getAttribute('data-count')).toBe('0');
  });

  it('the checklist ticks what was done, anywhere, and stays hidden once hidden', async () => {
    await goHome();
    await eventually(async () => expect(await page.getByTestId('checklist-progress').textContent()).toBe('3 of 5 done'));
    for (const done of ['createProject', 'startRun', 'approveAction']) expect(await step(done).getAttribute('data-done'), done).toBe('true');
    expect(await step('createApiKey').getAttribute('data-done')).toBe('false');
    // A done step reads as such, not only as a tick.
    expect(await step('createProject').textContent()).toContain('(done)');

    // A key made elsewhere (the API here, as a script would) ticks its step on the next visit.
    const key = await api<{ data: { key: string } }>('POST', '/api/v1/api-keys', { name: 'Connector', kind: 'fr' });
    expect(key.status).toBe(201);
    frKey = key.body.data.key;
    await openProjects();
    await goHome();
    await eventually(async () => expect(await step('createApiKey').getAttribute('data-done')).toBe('true'));
    expect(await page.getByTestId('checklist-progress').textContent()).toBe('4 of 5 done');
    await checkPage('home-checklist');

    await checklist().getByRole('button', { name: 'Hide checklist' }).click();
    await eventually(async () => expect(await checklist().count()).toBe(0));
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByTestId('projects').waitFor();
    expect(await checklist().count()).toBe(0);
  });

  it('a handoff’s page reads as a document, each item linking to the events it came from', async () => {
    const ingested = await api<{ ingested: number }>('POST', '/relay/api/v1/events', { project_id: projectId, events: FEED }, frKey);
    expect(ingested.status).toBe(201);
    const job = await api<{ jobId: string }>('POST', '/relay/api/v1/handoffs', { project_id: projectId }, frKey);
    expect(job.status).toBe(202);
    await eventually(async () => {
      const j = await api<{ job: { status: string; result_id: string }; result: { title: string } }>('GET', `/relay/api/v1/jobs/${job.body.jobId}`, undefined, frKey);
      expect(j.body.job.status).toBe('completed');
      handoffId = j.body.job.result_id;
      handoffTitle = j.body.result.title;
    });

    // The list links each handoff to its page.
    await page.goto(`${url}/handoffs?project=${projectId}`);
    const article = page.getByTestId('handoff-list').locator(`article[data-handoff-id="${handoffId}"]`);
    await article.getByRole('link', { name: handoffTitle }).click();
    await eventually(() => expect(pathname()).toBe(`/handoffs/${handoffId}`));
    await page.getByRole('heading', { level: 1, name: handoffTitle }).waitFor();
    expect(await page.getByTestId('handoff-project').textContent()).toBe(PROJECT);
    expect(await page.getByTestId('handoff-project').getAttribute('href')).toBe(`/projects/${projectId}`);
    expect(await page.getByTestId('handoff-summary').textContent()).toMatch(/^\d+ events? from /);

    // A Slack decision links to that Slack event, listed under "Built from" with its content.
    const decisions = page.getByTestId('section-decisions');
    const decision = decisions.getByTestId('handoff-item').filter({ hasText: 'We decided to use flat per-artifact pricing.' });
    const slackLink = decision.getByRole('link', { name: 'Slack: #payments message from chen' });
    await slackLink.waitFor();
    const slackHref = (await slackLink.getAttribute('href')) ?? '';
    expect(slackHref).toMatch(/^#event-ev_/);
    const target = page.locator(slackHref);
    expect(await target.locator('.handoff-event-content').textContent()).toBe('We decided to use flat per-artifact pricing. Next step: wire the new webhook.');
    await slackLink.click();
    await eventually(() => expect(new URL(page.url()).hash).toBe(slackHref));
    expect(await target.isVisible()).toBe(true);

    // What a person approved in the run links to the run itself.
    const approved = decisions.getByTestId('handoff-item').filter({ hasText: /^Approved: Write / });
    expect(await approved.count()).toBe(1);
    const runLink = approved.getByTestId('item-event-link');
    expect(await runLink.getAttribute('href')).toBe(`/runs/${runId}`);
    // Every item names at least one event it came from.
    const items = page.getByTestId('handoff-item');
    const n = await items.count();
    expect(n).toBeGreaterThan(3);
    for (let i = 0; i < n; i++) expect(await items.nth(i).getByTestId('item-event-link').count(), await items.nth(i).textContent() ?? '').toBeGreaterThan(0);
    await checkPage('handoff');

    // Archive and restore from the page.
    await page.getByRole('button', { name: 'Archive' }).click();
    await eventually(async () => expect(await page.getByRole('button', { name: 'Restore' }).count()).toBe(1));
    expect((await api<{ status: string }>('GET', `/relay/api/v1/handoffs/${handoffId}`, undefined, frKey)).body.status).toBe('archived');
    await page.getByRole('button', { name: 'Restore' }).click();
    await eventually(async () => expect(await page.getByRole('button', { name: 'Archive' }).count()).toBe(1));

    await runLink.click();
    await eventually(() => expect(pathname()).toBe(`/runs/${runId}`));
  });

  it('with every step done the checklist does not come back, even unhidden', async () => {
    const steps = await api<{ result: { data: { complete: boolean; connectedSources: string[] } } }>('GET', '/trpc/app.gettingStarted');
    expect(steps.body.result.data).toMatchObject({ complete: true, connectedSources: ['github', 'linear', 'slack'] });
    await page.evaluate(() => localStorage.removeItem('baton.checklistDismissed'));
    await page.goto(`${url}/`);
    await page.getByTestId('projects').waitFor();
    await settled();
    expect(await checklist().count()).toBe(0);
  });

  it('left no uncaught page errors and no server errors behind', () => {
    expect(e2e!.pageErrors).toEqual([]);
    // Expected: the 401 of probing the session before registering, and the form's 400 and 409 above.
    expect(e2e!.consoleErrors.filter((t) => !/status of (401|400|409)/.test(t))).toEqual([]);
    expect(e2e!.serverErrors).toEqual([]);
  });
});

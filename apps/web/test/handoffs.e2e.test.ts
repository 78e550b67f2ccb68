import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addMember } from '../../../test/helpers/factories.ts';
import { PAYMENTS_FEED as FEED } from '../../../test/helpers/relay-feed.ts';
import { startE2e, type E2e, eventually, registerThroughForm, pageApi } from './harness.ts';

/*
 * The Handoffs page in real headless Chromium against a real server. A connector's activity reaches
 * the project through the real Flow Relay REST API with an fr key. The job worker is started only
 * once the first generation has been asked for, so its queued state is on screen for certain rather
 * than for the few milliseconds a running worker leaves it there; from then on it runs as usual.
 * The steps share one page and run in order; the second relies on the state the first left.
 */

const USER = { name: 'Katherine Johnson', email: 'katherine@example.test', password: 'orbital mechanics 1962', org: 'Trajectories Inc' };
const VIEWER = { name: 'Dorothy Vaughan', email: 'dorothy@example.test', password: 'fortran for everyone', org: 'Vaughan Computing' };
const PROJECT = 'Payments';

const TITLE = `${PROJECT} handoff: PAY-12`;
const DECISION = 'We decided to use flat per-artifact pricing.';
const QUESTION = 'Backfill historical invoices?';
const NEXT_STEP = 'Next step: wire the new webhook.';

let e2e: E2e | undefined;
let url: string;
let page: Page;
let serverErrors: E2e['serverErrors'];
let pageErrors: string[];
let consoleErrors: string[];

const pathname = () => new URL(page.url()).pathname;
const progress = () => page.getByTestId('handoff-progress');
const handoffs = () => page.getByTestId('handoff-list').locator('article');
const titles = () => handoffs().locator('h3').allTextContents();
const sectionItems = (handoff: ReturnType<typeof handoffs>, name: string) => handoff.getByRole('region', { name }).locator('li').allTextContents();
const sourceBadges = (handoff: ReturnType<typeof handoffs>) => handoff.getByTestId('handoff-sources').locator('.source').allTextContents();

/** Calls a REST endpoint from the page: with the session cookie, or with a key when one is given. */
const api = <T,>(method: string, path: string, body?: unknown, key?: string) => pageApi<T>(page, method, path, body, { key });

async function openHandoffs() {
  await page.getByRole('link', { name: 'Handoffs', exact: true }).click();
  await eventually(() => expect(pathname()).toBe('/handoffs'));
}

beforeAll(async () => {
  e2e = await startE2e({ dataDirPrefix: 'baton-handoffs-e2e-', screenshot: '/tmp/handoffs-e2e.png' });
  ({ url, page, serverErrors, pageErrors, consoleErrors } = e2e);
}, 120_000);

afterAll(() => e2e?.close(), 120_000);

describe('handoffs UI end to end in headless Chromium', () => {
  it('generates a handoff from the activity a connector sent, with its progress, then archives it', async () => {
    await registerThroughForm(page, url, USER);
    await openHandoffs();
    await eventually(async () => expect(await page.getByTestId('no-projects').textContent()).toContain(`${USER.org} has no projects yet.`));

    await page.getByRole('link', { name: 'Create a project' }).click();
    await eventually(() => expect(pathname()).toBe('/'));
    await page.locator('input[name=projectName]').fill(PROJECT);
    await page.getByRole('button', { name: 'Create project' }).click();
    await eventually(async () => expect(await page.getByTestId('projects').locator('li strong').allTextContents()).toEqual([PROJECT]));

    // The connector: an fr key made with the page's session, then events through the REST API.
    const key = await api<{ data: { key: string } }>('POST', '/api/v1/api-keys', { name: 'Connector', kind: 'fr' });
    expect(key.status).toBe(201);
    const projects = await api<{ data: { projects: Array<{ id: string; name: string }> } }>('GET', '/api/v1/projects');
    const projectId = projects.body.data.projects.find((p) => p.name === PROJECT)!.id;
    const ingested = await api<{ ingested: number }>('POST', '/relay/api/v1/events', { project_id: projectId, events: FEED }, key.body.data.key);
    expect(ingested.status).toBe(201);
    expect(ingested.body.ingested).toBe(FEED.length);

    await openHandoffs();
    await eventually(async () => expect(await page.getByLabel('Project', { exact: true }).locator('option:checked').textContent()).toBe(PROJECT));
    // The pick goes into the address (a same-document replace, reported to the test a moment later).
    await eventually(() => expect(new URL(page.url()).searchParams.get('project')).toBe(projectId));
    await page.getByText('No handoffs yet.').waitFor();
    // Recent activity, newest first; the source choices are the sources the stream holds.
    const activity = page.getByTestId('activity').locator('li');
    await eventually(async () =>
      expect(await activity.locator('.activity-title').allTextContents()).toEqual(['#payments message from chen', 'PAY-12 Checkout refactor', 'PR #341 PAY-12 pricing engine', 'Push to acme/payments']),
    );
    expect(await activity.locator('.source').allTextContents()).toEqual(['Slack', 'Linear', 'GitHub', 'GitHub']);
    expect(await activity.first().locator('.activity-meta').textContent()).toContain('Message · chen · ');
    const sources = page.getByRole('group', { name: 'Sources' });
    expect(await sources.locator('label').allTextContents()).toEqual(['GitHub', 'Linear', 'Slack']);
    expect(await sources.getByText('None checked: every source is included.').count()).toBe(1);

    // No worker yet: the job waits in the queue, and the page says so.
    await page.getByRole('button', { name: 'Generate handoff' }).click();
    await eventually(async () => expect(await progress().textContent()).toBe('Queued…'));
    expect(await page.getByRole('button', { name: 'Generate handoff' }).isDisabled()).toBe(true);
    e2e!.baton.start();
    await eventually(async () => expect(await progress().textContent()).toBe(`Handoff ready: ${TITLE}`));
    await eventually(async () => expect(await titles()).toEqual([TITLE]));
    expect(await page.getByRole('button', { name: 'Generate handoff' }).isEnabled()).toBe(true);

    const first = handoffs().first();
    expect(await first.locator('.badge', { hasText: 'New' }).count()).toBe(1);
    expect(await first.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await sourceBadges(first)).toEqual(['GitHub', 'Linear', 'Slack']);
    expect(await first.locator('.handoff-summary').textContent()).toContain('4 events from github (2), linear (1), slack (1)');
    expect(await sectionItems(first, 'Key changes')).toContain('PAY-12: Push to acme/payments (github)');
    expect(await sectionItems(first, 'Decisions')).toEqual([DECISION]);
    expect(await sectionItems(first, 'Open questions')).toEqual([QUESTION]);
    expect(await sectionItems(first, 'Next steps')).toEqual([NEXT_STEP]);
    await page.screenshot({ path: '/tmp/handoffs.png', fullPage: true });

    // Archived, it leaves the active list and is found under Archived, with Restore.
    await first.getByRole('button', { name: 'Archive' }).click();
    await page.getByText('No active handoffs.').waitFor();
    expect(await handoffs().count()).toBe(0);
    await page.getByRole('radio', { name: 'Archived' }).check();
    await eventually(async () => expect(await titles()).toEqual([TITLE]));
    expect(await handoffs().first().getByRole('button', { name: 'Restore' }).count()).toBe(1);

    // Slack alone: the checkbox narrows the next generation to that source.
    await page.getByRole('radio', { name: 'Active' }).check();
    await page.getByText('No active handoffs.').waitFor();
    await page.getByRole('checkbox', { name: 'Slack' }).check();
    await page.getByRole('button', { name: 'Generate handoff' }).click();
    await eventually(async () => expect(await progress().textContent()).toMatch(/^Handoff ready: Payments handoff, \d{4}-\d\d-\d\d$/));
    const slackTitle = ((await progress().textContent()) ?? '').replace('Handoff ready: ', '');
    await eventually(async () => expect(await titles()).toEqual([slackTitle]));
    const slack = handoffs().first();
    expect(await sourceBadges(slack)).toEqual(['Slack']);
    expect(await sectionItems(slack, 'Decisions')).toEqual([DECISION]);
    expect(await sectionItems(slack, 'Next steps')).toEqual([NEXT_STEP]);
    // Empty sections are left out.
    expect(await slack.getByRole('region', { name: 'Open questions' }).count()).toBe(0);

    // All: both, newest first.
    await page.getByRole('radio', { name: 'All' }).check();
    await eventually(async () => expect(await titles()).toEqual([slackTitle, TITLE]));
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('a viewer of the org reads the handoffs and sees the server’s 403 inline when archiving', async () => {
    const orgId = await page.evaluate(() => localStorage.getItem('baton.orgId'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await eventually(() => expect(pathname()).toBe('/login'));
    await registerThroughForm(page, url, VIEWER);
    const { id: viewerId } = (await e2e!.sql.get<{ id: string }>('SELECT id FROM users WHERE email = ?', VIEWER.email))!;
    await addMember(e2e!.baton.store, orgId!, viewerId, 'viewer');
    await page.evaluate((id) => localStorage.setItem('baton.orgId', id), orgId!);
    await page.goto(`${url}/handoffs`);
    await eventually(async () => expect(await page.getByRole('combobox', { name: 'Organization' }).locator('option:checked').textContent()).toBe(`${USER.org} (viewer)`));

    await eventually(async () => expect(await titles()).toEqual([expect.stringMatching(/^Payments handoff, /)]));
    expect(await page.getByTestId('activity').locator('li').count()).toBe(FEED.length);
    const only = handoffs().first();
    await only.getByRole('button', { name: 'Archive' }).click();
    await eventually(async () => expect(await only.getByRole('alert').textContent()).toBe('This needs the member role or higher in the organization'));
    expect(await titles()).toHaveLength(1);
    expect(await only.getByRole('button', { name: 'Archive' }).isEnabled()).toBe(true);

    expect(pageErrors).toEqual([]);
    // Expected: the 401s of probing the session before each registration, and the viewer's 403.
    expect(consoleErrors.filter((t) => !/status of (401|403)/.test(t))).toEqual([]);
    expect(consoleErrors.filter((t) => /status of 403/.test(t))).toHaveLength(1);
    expect(serverErrors).toEqual([]);
  });
});

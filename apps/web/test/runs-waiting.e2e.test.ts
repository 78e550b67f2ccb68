import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { approveRun, findUserByEmail, getRunDetail, type Actor } from '@baton/core';
import { startE2e, type E2e, eventually, registerThroughForm } from './harness.ts';

/*
 * A run waiting for a person shows "needs approval" on the Runs list, live, and stops showing it
 * once approved; a finished run's page says what happened: deploy skipped (no deploy hook), not done.
 * Real headless Chromium against a real server with its engine (local driver). The org's autonomy
 * level is the default "assist", so the run waits before its first write and before its `wc` check.
 * Approvals are given outside the page (as another tab or an API client would), so only the list's
 * own live updates can bring the change in.
 */

const USER = { name: 'Ada Lovelace', email: 'ada@example.test', password: 'correct horse battery', org: 'Engines Ltd' };
const PROJECT = 'Shop';
const REQUEST = 'Add /healthz and deploy to staging';
const OUTCOME = 'Completed — no code changes; deploy skipped (no deploy hook configured for staging)';

/** The list refreshes every 1.5 s while a run is active: a change shows within a couple of seconds (plus the engine's step). */
const soon = <T>(fn: () => Promise<T> | T) => vi.waitFor(fn, { timeout: 5_000, interval: 50 });

let e2e: E2e | undefined;
let url: string;
let page: Page;
let runId = '';
let actor: Actor;

const pathname = () => new URL(page.url()).pathname;
const row = (): Locator => page.locator(`[data-testid=run-list] li[data-run-id="${runId}"]`);
const rowStatus = () => row().getByTestId('run-status').textContent();
const notReloaded = () => page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);

/** Approves the run's pending action the way an API client would; returns what it approved. */
async function approveFromOutside(): Promise<string> {
  const core = e2e!.baton.core;
  const run = await getRunDetail(core, actor, null, runId);
  const pending = run.approvals.find((a) => a.status === 'pending');
  expect(pending, `no pending approval; run is ${run.status}`).toBeDefined();
  expect(run.pendingApprovalId).toBe(pending!.id);
  await approveRun(core, actor, null, runId, pending!.id);
  return pending!.actionSummary;
}

beforeAll(async () => {
  e2e = await startE2e({ env: { BATON_DRIVER: 'local' }, startEngine: true, dataDirPrefix: 'baton-runs-waiting-e2e-' });
  ({ url, page } = e2e);
}, 120_000);

afterAll(() => e2e?.close(), 120_000);

describe('waiting for approval, live on the Runs list', () => {
  it('registers and creates a project', async () => {
    await registerThroughForm(page, url, USER);
    const user = await findUserByEmail(e2e!.baton.core, USER.email);
    actor = { userId: user!.id, via: 'session' };
    await page.locator('input[name=projectName]').fill(PROJECT);
    await page.getByRole('button', { name: 'Create project' }).click();
    await eventually(async () => expect(await page.getByTestId('projects').textContent()).toContain(PROJECT));
  });

  it('shows "needs approval" on the list without a reload once the run waits', async () => {
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/runs'));
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await eventually(async () => expect(await page.getByLabel('Project (optional)').locator('option').allTextContents()).toContain(PROJECT));
    await page.getByLabel('Project (optional)').selectOption({ label: PROJECT });
    await page.getByLabel('What should the agent do?').fill(REQUEST);
    await page.getByRole('button', { name: 'Start run' }).click();
    // The new run's page opens; back to the list the way a person would, without a reload.
    await eventually(() => expect(pathname()).toMatch(/^\/runs\/[0-9a-f-]{36}$/));
    runId = pathname().replace(/^\/runs\//, '');
    await page.getByTestId('run-request').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/runs'));
    await row().waitFor();

    // assist: the run stops before recording the request (a write) and the list says so.
    await soon(async () => expect(await rowStatus()).toBe('build · needs approval'));
    expect(await row().getAttribute('data-needs-approval')).toBe('true');
    expect(await row().getByTestId('run-status').getAttribute('class')).toContain('badge-warn');
    expect(await notReloaded()).toBe(true);
  });

  it('goes back to the stage once approved, then to "needs approval" at the next action, without a reload', async () => {
    expect(await approveFromOutside()).toMatch(/^Write \d+ bytes to \.baton\/runs\//);
    // The write is done and the run moves on to verify, where it asks again before `wc`.
    await soon(async () => expect(await rowStatus()).toBe('verify · needs approval'));
    expect(await notReloaded()).toBe(true);
  });

  it('shows the completed run without "needs approval", with what it achieved', async () => {
    expect(await approveFromOutside()).toMatch(/^Run `wc -l /);
    await soon(async () => expect(await rowStatus()).toBe('completed'));
    expect(await row().getAttribute('data-needs-approval')).toBeNull();
    expect(await row().locator('.run-row-outcome').textContent()).toBe(` · ${OUTCOME}`);
    expect(await notReloaded()).toBe(true);
  });

  it('the run page shows the skipped deploy as skipped, with the reason, and the outcome', async () => {
    await row().getByRole('link').click();
    await eventually(() => expect(pathname()).toBe(`/runs/${runId}`));
    await eventually(async () => expect(await page.getByTestId('run-status').textContent()).toBe('completed'));
    const stage = (name: string) => page.locator('ol.stages li', { has: page.locator('.stage-name', { hasText: new RegExp(`^${name}$`) }) });
    await eventually(async () => expect(await stage('deploy').getAttribute('data-state')).toBe('skipped'));
    expect(await stage('deploy').locator('.stage-state').textContent()).toBe('skipped');
    expect(await stage('monitor').getAttribute('data-state')).toBe('skipped');
    for (const done of ['intake', 'clarify', 'scope', 'plan', 'build', 'verify']) expect(await stage(done).getAttribute('data-state'), done).toBe('done');

    const results = page.getByTestId('stage-results');
    expect(await results.locator('[data-stage=deploy]').textContent()).toBe('skipped — no deploy hook configured for staging');
    expect(await results.locator('[data-stage=monitor]').textContent()).toBe('skipped — no URL configured for staging');
    expect(await results.locator('[data-stage=build]').textContent()).toMatch(/^done — no code changes: the local driver only records the request/);
    expect(await page.getByTestId('run-outcome').textContent()).toBe(OUTCOME);
    await page.screenshot({ path: '/tmp/runs-waiting-detail.png', fullPage: true });
  });

  it('left no uncaught page errors and no server errors behind', () => {
    expect(e2e!.pageErrors).toEqual([]);
    // Expected: the 401 of probing the session before registering. Nothing else.
    expect(e2e!.consoleErrors.filter((t) => !/status of 401/.test(t))).toEqual([]);
    expect(e2e!.serverErrors).toEqual([]);
  });
});

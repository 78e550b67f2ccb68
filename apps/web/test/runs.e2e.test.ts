import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startE2e, type E2e, eventually, registerThroughForm } from './harness.ts';

/*
 * The runs UI in real headless Chromium against a real server with its engine worker running and
 * the local driver. The org's autonomy level is "assist", so each run stops before its first write
 * and waits for a person: the record of the request (write_file), then the `wc` check (run_command).
 * The steps share one page and run in order; a later step relies on the state an earlier one left.
 */

const USER = { name: 'Grace Hopper', email: 'grace@example.test', password: 'correct horse battery', org: 'Compilers Inc' };
const SECOND_ORG = 'Side Projects';
const PROJECT = 'On-call handbook';
const REQUESTS = {
  approved: 'Add a changelog entry for the 2.1 release. Mention the new retry option.',
  denied: 'Rename the staging database.',
  cancelled: 'Update the README badges.',
  otherOrg: 'Write down the on-call rota.',
};
const DENY_REASON = 'Not in this sprint';

let e2e: E2e | undefined;
let url: string;
let page: Page;
let serverErrors: E2e['serverErrors'];
let pageErrors: string[];
let consoleErrors: string[];
/** Responses of the SSE endpoint: which runs were streamed, and how the server answered. */
const streams: Array<{ url: string; status: number; contentType: string }> = [];

const pathname = () => new URL(page.url()).pathname;
const runIdFromUrl = () => /^\/runs\/([^/]+)$/.exec(pathname())?.[1] ?? '';
const status = () => page.getByTestId('run-status');
const liveMode = () => page.getByTestId('live-mode');
const timelineTexts = () => page.locator('[data-testid=timeline] li[data-event-type] .event-text').allTextContents();
const timelineCount = () => page.locator('[data-testid=timeline] li[data-event-type]').count();
const approvalCard = () => page.getByTestId('pending-approval');
const stageState = (stage: string) => page.locator('ol.stages li', { has: page.locator('.stage-name', { hasText: new RegExp(`^${stage}$`) }) }).getAttribute('data-state');
const stageStates = async () => Object.fromEntries(await Promise.all(['intake', 'clarify', 'scope', 'plan', 'build', 'verify', 'deploy', 'monitor'].map(async (s) => [s, await stageState(s)])));

async function expectTimelineToContain(...texts: string[]) {
  await eventually(async () => expect(await timelineTexts()).toEqual(expect.arrayContaining(texts)));
}

/** Waits for the pending approval card to ask about this action; returns its summary. */
async function expectApproval(summary: string | RegExp): Promise<string> {
  const text = () => approvalCard().locator('.approval-summary').textContent();
  await eventually(async () => (typeof summary === 'string' ? expect(await text()).toBe(summary) : expect(await text()).toMatch(summary)));
  return (await text()) ?? '';
}

const WRITE_RECORD = /^Write \d+ bytes to \.baton\/runs\/[\w-]+\.md$/;

/** From the Runs page: asks for a change, which opens the new run's page. */
async function startRun(requestText: string): Promise<string> {
  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  await eventually(() => expect(pathname()).toBe('/runs'));
  await page.getByLabel('What should the agent do?').fill(requestText);
  await page.getByRole('button', { name: 'Start run' }).click();
  await eventually(() => expect(runIdFromUrl()).not.toBe(''));
  await eventually(async () => expect(await page.getByTestId('run-request').textContent()).toBe(requestText));
  return runIdFromUrl();
}

beforeAll(async () => {
  e2e = await startE2e({ env: { BATON_DRIVER: 'local' }, startEngine: true, dataDirPrefix: 'baton-runs-e2e-' });
  ({ url, page, serverErrors, pageErrors, consoleErrors } = e2e);
  page.on('response', (r) => {
    if (/\/api\/v1\/runs\/[^/]+\/stream/.test(r.url())) streams.push({ url: r.url(), status: r.status(), contentType: r.headers()['content-type'] ?? '' });
  });
}, 120_000);

afterAll(() => e2e?.close(), 120_000);

describe('runs UI end to end in headless Chromium', () => {
  let approvedRunId = '';
  let deniedRunId = '';
  let cancelledRunId = '';

  it('registers and opens the empty Runs page from the top bar', async () => {
    await registerThroughForm(page, url, USER);

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/runs'));
    await page.getByRole('heading', { name: 'Request a change' }).waitFor();
    await page.getByText('No runs yet.').waitFor();
    // The project picker is there, with "no project" preselected.
    expect(await page.getByLabel('Project (optional)').locator('option:checked').textContent()).toBe('No project (scratch workspace)');
  });

  it('starts a run; its page streams the stages live and stops at the first write for approval', async () => {
    approvedRunId = await startRun(REQUESTS.approved);
    const record = `.baton/runs/${approvedRunId}.md`;

    // A non-terminal run in the user's first org is followed over SSE.
    await eventually(async () => expect(await liveMode().textContent()).toBe('Live'));
    await expectTimelineToContain('Run created, stage intake', 'intake → clarify', 'clarify → scope', 'scope → plan', 'plan → build');
    expect(await expectApproval(WRITE_RECORD)).toContain(record);
    await eventually(async () => expect(await status().textContent()).toBe('build · needs approval'));

    const card = approvalCard();
    await card.getByRole('heading', { name: 'Approval needed' }).waitFor();
    const facts = (await card.locator('dl').textContent()) ?? '';
    expect(facts).toContain('Autonomy level "assist" asks before every write action');
    expect(facts).toContain('write: Changes files in the project workspace.');
    expect(facts).toContain(`Restore ${record} from version control, or delete it if it was created by this run.`);
    expect(facts).toContain('Expires');
    expect(await card.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect(await stageStates()).toEqual({ intake: 'done', clarify: 'done', scope: 'done', plan: 'done', build: 'waiting', verify: 'todo', deploy: 'todo', monitor: 'todo' });
    // Scope and plan are readable, the plan as a list of steps.
    const scopeCard = page.locator('section.card', { has: page.getByRole('heading', { name: 'Scope', exact: true }) });
    expect(await scopeCard.locator('.artifact-summary').textContent()).toBe('Add a changelog entry for the 2.1 release.');
    expect(await scopeCard.textContent()).toContain('Mention the new retry option.');
    const steps = page.getByRole('list', { name: 'Plan steps' }).locator('li');
    expect(await steps.locator('.plan-step-text').allTextContents()).toEqual(['Inspect the workspace', `Record the request in ${record}`, `Read back ${record}`, `Check ${record} with wc`]);
    expect(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['done', 'next', 'todo', 'todo']);
    expect(await page.getByTestId('run-credits').textContent()).toMatch(/^\d+(\.\d+)?$/);
    expect(await page.getByTestId('run-tokens').textContent()).toBe('0 in · 0 out');

    const ok = streams.filter((s) => s.url.includes(`/runs/${approvedRunId}/stream`));
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.every((s) => s.status === 200 && s.contentType.startsWith('text/event-stream'))).toBe(true);
  });

  it('approves: the run goes on and new events arrive without a reload, up to the next approval', async () => {
    const record = `.baton/runs/${approvedRunId}.md`;
    const before = await timelineCount();
    const summary = await expectApproval(WRITE_RECORD);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    await approvalCard().getByRole('button', { name: 'Approve' }).click();

    await expectTimelineToContain(`Approved by ${USER.name}: ${summary}`, 'build → verify');
    await eventually(async () => expect((await timelineTexts()).some((t) => t.startsWith(`✓ Created ${record}`))).toBe(true));
    await expectApproval(`Run \`wc -l ${record}\``);
    expect(await timelineCount()).toBeGreaterThan(before);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await liveMode().textContent()).toBe('Live');
    expect(await stageState('build')).toBe('done');
    expect(await stageState('verify')).toBe('waiting');

    await page.waitForTimeout(1300); // let the new-event highlight fade, for a calm screenshot
    await page.screenshot({ path: '/tmp/runs-detail.png', fullPage: true });
  });

  it('keeps approving until the run completes', async () => {
    await approvalCard().getByRole('button', { name: 'Approve' }).click();
    await eventually(async () => expect(await status().textContent()).toBe('completed'));
    await expectTimelineToContain('verify → deploy', 'deploy → monitor', 'monitor → completed');
    await eventually(async () => expect(await liveMode().textContent()).toBe('Run ended'));
    expect(await approvalCard().count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel run', exact: true }).count()).toBe(0);
    expect(await stageStates()).toEqual({ intake: 'done', clarify: 'done', scope: 'done', plan: 'done', build: 'done', verify: 'done', deploy: 'skipped', monitor: 'skipped' });
    const steps = page.getByRole('list', { name: 'Plan steps' }).locator('li');
    expect(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['done', 'done', 'done', 'done']);
    expect(await page.getByRole('list', { name: 'Decisions' }).locator('li').count()).toBe(2);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.getByTestId('run-error').count()).toBe(0);
    await page.screenshot({ path: '/tmp/runs-detail-completed.png', fullPage: true });
  });

  it('denies a second run with a reason: cancelled, and the reason is shown', async () => {
    deniedRunId = await startRun(REQUESTS.denied);
    await expectApproval(WRITE_RECORD);
    await approvalCard().getByRole('button', { name: 'Deny' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deny this action?' });
    await dialog.getByLabel('Reason for denying').fill(DENY_REASON);
    await dialog.getByRole('button', { name: 'Deny and cancel run' }).click();

    await eventually(async () => expect(await status().textContent()).toBe('cancelled'));
    await eventually(async () => expect(await page.getByTestId('run-error').textContent()).toMatch(new RegExp(`^Denied by ${USER.name}: Write \\d+ bytes to .+ — ${DENY_REASON}$`)));
    await expectTimelineToContain(`Denied by ${USER.name}: ${DENY_REASON}`);
    expect(await approvalCard().count()).toBe(0);
    expect(await stageState('build')).toBe('stopped');
    expect(await stageState('plan')).toBe('done');
    expect(await stageState('verify')).toBe('todo');
    await eventually(async () => expect(await liveMode().textContent()).toBe('Run ended'));
    await page.screenshot({ path: '/tmp/runs-denied.png', fullPage: true });
  });

  it('shows the server error inline when an approval was already decided elsewhere', async () => {
    cancelledRunId = await startRun(REQUESTS.cancelled);
    await expectApproval(WRITE_RECORD);
    // Approve through the REST API (as another tab would), then press the still-visible button at once.
    await page.evaluate(async (runId) => {
      const detail = (await (await fetch(`/api/v1/runs/${runId}`)).json()) as { data: { approvals: Array<{ id: string; status: string }> } };
      const pending = detail.data.approvals.find((a) => a.status === 'pending')!;
      const r = await fetch(`/api/v1/runs/${runId}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ approvalId: pending.id }) });
      if (r.status !== 200) throw new Error(`approve answered ${r.status}`);
      document.querySelector<HTMLButtonElement>('[data-testid=pending-approval] button[aria-label^="Approve"]')!.click();
    }, cancelledRunId);
    const alert = page.getByTestId('decision-error');
    await eventually(async () => expect(await alert.textContent()).toMatch(/^Could not approve “Write \d+ bytes to .+”: This approval is already approved$/));
    // The run went on with the API's approval, to its next one.
    await expectApproval(`Run \`wc -l .baton/runs/${cancelledRunId}.md\``);
  });

  it('cancels the third run with the Cancel run button, after a confirmation', async () => {
    // Changing one's mind leaves the run alone.
    const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
    await page.getByRole('button', { name: 'Cancel run', exact: true }).click();
    await dialog.getByRole('button', { name: 'Keep running' }).click();
    await eventually(async () => expect(await dialog.isVisible()).toBe(false));
    expect(await status().textContent()).toBe('verify · needs approval');
    await page.getByRole('button', { name: 'Cancel run', exact: true }).click();
    await dialog.getByText('Stop this run for good?').waitFor();
    await dialog.getByRole('button', { name: 'Yes, cancel run' }).click();
    await eventually(async () => expect(await status().textContent()).toBe('cancelled'));
    await eventually(async () => expect(await page.getByTestId('run-error').textContent()).toBe(`Cancelled by ${USER.name}`));
    expect(await approvalCard().count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel run', exact: true }).count()).toBe(0);
    expect(await stageState('verify')).toBe('stopped');
    await expectTimelineToContain(`verify → cancelled — Cancelled by ${USER.name}`);
  });

  it('lists the three runs newest first with their final status', async () => {
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/runs'));
    // The form was cleared when the last run started.
    expect(await page.getByLabel('What should the agent do?').inputValue()).toBe('');
    const rows = page.getByTestId('run-list').locator('li');
    await eventually(async () => expect(await rows.locator('.run-request').allTextContents()).toEqual([REQUESTS.cancelled, REQUESTS.denied, REQUESTS.approved]));
    expect(await rows.locator('[data-testid=run-status]').allTextContents()).toEqual(['cancelled', 'cancelled', 'completed']);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')))).toEqual([cancelledRunId, deniedRunId, approvedRunId]);
    await page.screenshot({ path: '/tmp/runs-list.png', fullPage: true });
  });

  it('follows a run of a second org live (the org goes as ?orgId=), without showing an error', async () => {
    await page.getByRole('link', { name: 'Baton' }).click();
    await page.locator('input[name=orgName]').fill(SECOND_ORG);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await eventually(async () => expect(await page.getByRole('combobox', { name: 'Organization' }).locator('option:checked').textContent()).toBe(`${SECOND_ORG} (owner)`));

    await page.locator('input[name=projectName]').fill(PROJECT);
    await page.getByRole('button', { name: 'Create project' }).click();
    await eventually(async () => expect(await page.getByTestId('projects').locator('li strong').allTextContents()).toEqual([PROJECT]));

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByText('No runs yet.').waitFor();
    // The project picker offers this org's projects.
    await eventually(async () => expect(await page.getByLabel('Project (optional)').locator('option').allTextContents()).toEqual(['No project (scratch workspace)', PROJECT]));
    await page.getByLabel('Project (optional)').selectOption({ label: PROJECT });
    const runId = await startRun(REQUESTS.otherOrg);
    const record = `.baton/runs/${runId}.md`;
    await eventually(async () => expect(await page.locator('.run-head dl').textContent()).toContain(`Project${PROJECT}`));
    await expectTimelineToContain(`Assuming: The change is for project "${PROJECT}".\nAssuming: Target environment: staging.`);

    // EventSource cannot send X-Org-Id; the page names the org in the query and stays live.
    await eventually(async () => expect(await liveMode().textContent()).toBe('Live'));
    expect(streams.filter((s) => s.url.includes(`/runs/${runId}/stream`)).map((s) => s.status)).toEqual([200]);
    await expectApproval(WRITE_RECORD);
    await approvalCard().getByRole('button', { name: 'Approve' }).click();
    await expectApproval(`Run \`wc -l ${record}\``);
    await approvalCard().getByRole('button', { name: 'Approve' }).click();
    await eventually(async () => expect(await status().textContent()).toBe('completed'));
    await eventually(async () => expect(await liveMode().textContent()).toBe('Run ended'));
    await expectTimelineToContain('monitor → completed');
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('left no uncaught page errors and no server errors behind', () => {
    expect(pageErrors).toEqual([]);
    // Expected: the 401 of probing the session before registering, and the 409 of the approval
    // decided twice. Nothing else.
    expect(consoleErrors.filter((t) => !/status of (401|409)/.test(t))).toEqual([]);
    expect(consoleErrors.filter((t) => /status of 409/.test(t))).toHaveLength(1);
    expect(serverErrors).toEqual([]);
  });
});

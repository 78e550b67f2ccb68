import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { checkA11y, eventually, registerThroughForm, screenshotAll, startE2e, type E2e, pageApi } from './harness.ts';

/*
 * The runs pages end to end in real headless Chromium against a real server with its engine (local
 * driver). The org keeps the default autonomy level, "assist": every run stops before its first
 * write (recording the request) and again before its `wc` check, and waits for a person. So a run
 * started here is followed live up to an approval, approved, denied or cancelled from its page, and
 * replayed once finished; the list is filtered and paged through its URL.
 * The steps share one page and run in order; a later step relies on the state an earlier one left.
 */

const USER = { name: 'Katherine Johnson', email: 'katherine@example.test', password: 'trajectory 1962', org: 'Flight Research' };
const PROJECT = 'Orbit tables';
const REQUESTS = {
  approved: 'Add a table of re-entry angles to the docs.',
  denied: 'Drop the telemetry table.',
  cancelled: 'Rewrite the launch checklist.',
  waiting: 'Note the splashdown coordinates.',
};
const DENY_REASON = 'Telemetry is still needed for the audit';
const CANCEL_REASON = 'Wrong checklist, will ask again';
const WRITE_RECORD = /^Write \d+ bytes to \.baton\/runs\/[\w-]+\.md$/;

let e2e: E2e | undefined;
let url: string;
let page: Page;
let projectId = '';
const ids = { approved: '', denied: '', cancelled: '', waiting: '' };

const pathname = () => new URL(page.url()).pathname;
const runIdFromUrl = () => /^\/runs\/([^/]+)$/.exec(pathname())?.[1] ?? '';
const status = () => page.getByTestId('run-status');
const liveMode = () => page.getByTestId('live-mode');
const approvalCard = () => page.getByTestId('pending-approval');
const timelineTexts = () => page.locator('[data-testid=timeline] li[data-event-type] .event-text').allTextContents();
const stage = (name: string) => page.locator('ol.stages li', { has: page.locator('.stage-name', { hasText: new RegExp(`^${name}$`) }) });
const rows = () => page.getByTestId('run-list').locator('li[data-run-id]');
const rowIds = () => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')));
const notReloaded = () => page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);
const markPage = () => page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
const noSidewaysScroll = async () => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(page.viewportSize()!.width);

/** Calls the REST API from the page, with its session cookie. */
const api = <T,>(method: string, path: string, body?: unknown) => pageApi<T>(page, method, path, body);

async function expectTimelineToContain(...texts: string[]) {
  await eventually(async () => expect(await timelineTexts()).toEqual(expect.arrayContaining(texts)));
}

async function expectApproval(summary: string | RegExp) {
  const text = () => approvalCard().locator('.approval-summary').textContent();
  await eventually(async () => (typeof summary === 'string' ? expect(await text()).toBe(summary) : expect(await text()).toMatch(summary)));
}

/** Each page at 360 px without sideways scrolling, and through axe in both themes. */
async function checkPage() {
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await noSidewaysScroll();
    await checkA11y(page);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  await checkA11y(page);
  await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
  try {
    await checkA11y(page);
  } finally {
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
  }
  expect(await page.locator('h1').count()).toBe(1);
}

/** From the Runs page's form: asks for a change and lands on the new run's page. */
async function startRunFromForm(requestText: string, project?: string): Promise<string> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs', exact: true }).click();
  await eventually(() => expect(pathname()).toBe('/runs'));
  if (project) {
    await eventually(async () => expect(await page.getByLabel('Project (optional)').locator('option').allTextContents()).toContain(project));
    await page.getByLabel('Project (optional)').selectOption({ label: project });
  }
  await page.getByLabel('What should the agent do?').fill(requestText);
  await page.getByRole('button', { name: 'Start run' }).click();
  await eventually(() => expect(runIdFromUrl()).toMatch(/^[0-9a-f-]{36}$/));
  await eventually(async () => expect(await page.getByTestId('run-request').textContent()).toBe(requestText));
  return runIdFromUrl();
}

beforeAll(async () => {
  e2e = await startE2e({ env: { BATON_DRIVER: 'local' }, startEngine: true, dataDirPrefix: 'baton-runs-flow-e2e-' });
  ({ url, page } = e2e);
}, 120_000);

afterAll(() => e2e?.close(), 120_000);

describe('runs pages end to end in headless Chromium', () => {
  it('registers and creates a project; the Runs page starts empty', async () => {
    await registerThroughForm(page, url, USER);
    const project = await api<{ data: { id: string } }>('POST', '/api/v1/projects', { name: PROJECT });
    expect(project.status).toBe(201);
    projectId = project.body.data.id;
    // Made outside the page: load the app afresh so it knows the project.
    await page.reload();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs', exact: true }).click();
    await eventually(() => expect(pathname()).toBe('/runs'));
    await page.getByText('No runs yet. Describe a change above to start one.').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Runs');
    // Nothing to submit yet.
    expect(await page.getByRole('button', { name: 'Start run' }).isDisabled()).toBe(true);
  });

  it('starts a run from the form, lands on its page and watches it live up to an approval', async () => {
    await markPage();
    ids.approved = await startRunFromForm(REQUESTS.approved, PROJECT);
    await eventually(async () => expect(await liveMode().textContent()).toBe('Live'));

    // The engine's events arrive over SSE: stages move and the approval appears, with no reload.
    await expectTimelineToContain('Run created, stage intake', 'intake → clarify', 'clarify → scope', 'scope → plan', 'plan → build');
    await expectApproval(WRITE_RECORD);
    await eventually(async () => expect(await status().textContent()).toBe('build · needs approval'));
    expect(await notReloaded()).toBe(true);

    // The approval comes first on the page, before the run's own summary.
    const firstCard = page.locator('main section.card').first();
    expect(await firstCard.getAttribute('data-testid')).toBe('pending-approval');
    // The stages: done so far, build waiting (the current step), the rest to do.
    for (const s of ['intake', 'clarify', 'scope', 'plan']) expect(await stage(s).getAttribute('data-state'), s).toBe('done');
    expect(await stage('build').getAttribute('data-state')).toBe('waiting');
    expect(await stage('build').getAttribute('aria-current')).toBe('step');
    expect(await stage('verify').getAttribute('data-state')).toBe('todo');
    // What arrives from now on is announced, politely (what was there on load is not).
    expect(await page.getByTestId('run-announcer').getAttribute('aria-live')).toBe('polite');
    // Cost and tokens.
    expect(await page.getByTestId('run-credits').textContent()).toMatch(/^\d+(\.\d+)?$/);
    expect(await page.getByTestId('run-tokens').textContent()).toMatch(/^[\d,]+ in · [\d,]+ out$/);
    // The project is named and linked.
    await eventually(async () => expect(await page.locator('.run-head dl').getByRole('link', { name: PROJECT }).getAttribute('href')).toBe(`/projects/${projectId}`));

    await page.waitForTimeout(1300); // let the new-event highlight fade, for calm screenshots
    await checkPage();
    expect((await screenshotAll(page, 'runs-flow-detail-pending')).length).toBe(4);
  });

  it('approves from the page; the run goes on live and completes', async () => {
    await approvalCard().getByRole('button', { name: 'Approve' }).click();
    await expectTimelineToContain('build → verify');
    await eventually(async () => expect((await timelineTexts()).some((t) => /^Approved by Katherine Johnson: Write \d+ bytes/.test(t))).toBe(true));
    await expectApproval(/^Run `wc -l \.baton\/runs\//);
    expect(await stage('build').getAttribute('data-state')).toBe('done');
    expect(await stage('verify').getAttribute('data-state')).toBe('waiting');
    // The burst that brought the new approval was announced.
    await eventually(async () => expect(await page.getByTestId('run-announcer').textContent()).toMatch(/Approval needed: Run `wc -l \.baton\/runs\/.+`\. \d+ new events?\.$/));

    await approvalCard().getByRole('button', { name: 'Approve' }).click();
    await eventually(async () => expect(await status().textContent()).toBe('completed'));
    await eventually(async () => expect(await liveMode().textContent()).toBe('Run ended'));
    await expectTimelineToContain('verify → deploy', 'deploy → monitor', 'monitor → completed');
    await eventually(async () => expect(await page.getByTestId('run-announcer').textContent()).toContain('Run completed.'));
    expect(await notReloaded()).toBe(true);
    expect(await approvalCard().count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    expect(await page.getByTestId('run-outcome').textContent()).toMatch(/^Completed — /);
    expect(await page.getByRole('list', { name: 'Decisions' }).locator('li[data-status=approved]').count()).toBe(2);

    // A tool call is collapsed to one line; opening it shows what the agent ran.
    const call = page.locator('[data-testid=timeline] li[data-event-type=tool_call]').first();
    const details = call.locator('details');
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await call.locator('summary').click();
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await call.locator('.event-more').textContent()).toContain('Arguments');
    // The scope and plan are readable, not raw JSON.
    expect(await page.getByRole('list', { name: 'Plan steps' }).locator('li[data-state=done]').count()).toBeGreaterThan(0);

    const replay = page.getByRole('link', { name: 'Replay' });
    expect(await replay.getAttribute('href')).toBe(`/runs/${ids.approved}/replay`);
  });

  it('replays the finished run step by step: buttons, slider, keys, the stage at each step', async () => {
    await page.getByRole('link', { name: 'Replay' }).click();
    await eventually(() => expect(pathname()).toBe(`/runs/${ids.approved}/replay`));
    await page.getByRole('heading', { level: 1, name: `Replay of run ${ids.approved.slice(0, 8)}` }).waitFor();
    const position = page.getByTestId('replay-position');
    const text = page.getByTestId('replay-text');
    const slider = page.getByRole('slider', { name: 'Step' });
    const stageNow = page.getByTestId('replay-stage');
    const announcer = page.getByTestId('replay-announcer');
    // The heading comes before the replay's data: wait for its steps.
    let stepCount = 0;
    await eventually(async () => {
      stepCount = await page.getByTestId('replay-steps').locator('li').count();
      expect(stepCount).toBeGreaterThan(10);
    });

    await eventually(async () => expect(await position.textContent()).toMatch(new RegExp(`^Step 1 of ${stepCount} · \\+\\d+\\.\\d s$`)));
    expect(await text.textContent()).toBe('Run created, stage intake');
    expect(await stageNow.textContent()).toBe('intake');
    expect(await stage('intake').getAttribute('aria-current')).toBe('step');
    expect(await page.getByRole('button', { name: '← Previous' }).isDisabled()).toBe(true);
    expect(await slider.getAttribute('aria-valuetext')).toMatch(new RegExp(`^Step 1 of ${stepCount}, \\+`));

    // Next and Previous.
    await page.getByRole('button', { name: 'Next →' }).click();
    expect(await position.textContent()).toMatch(new RegExp(`^Step 2 of ${stepCount}`));
    expect(await text.textContent()).not.toBe('Run created, stage intake');
    expect(await slider.inputValue()).toBe('2');
    await eventually(async () => expect(await announcer.textContent()).toMatch(new RegExp(`^Step 2 of ${stepCount}, \\+\\d+\\.\\d s, stage `)));
    await page.getByRole('button', { name: '← Previous' }).click();
    expect(await text.textContent()).toBe('Run created, stage intake');

    // The slider: its own keys, and a click on its track.
    await slider.focus();
    await page.keyboard.press('End');
    expect(await position.textContent()).toMatch(new RegExp(`^Step ${stepCount} of ${stepCount}`));
    expect(await text.textContent()).toBe('monitor → completed');
    expect(await stageNow.textContent()).toBe('completed');
    expect(await stage('build').getAttribute('data-state')).toBe('done');
    expect(await stage('deploy').getAttribute('data-state')).toBe('skipped');
    await page.keyboard.press('Home');
    expect(await text.textContent()).toBe('Run created, stage intake');
    const box = (await slider.boundingBox())!;
    await slider.click({ position: { x: box.width / 2, y: box.height / 2 } });
    const middle = Number(await slider.inputValue());
    expect(middle).toBeGreaterThan(1);
    expect(middle).toBeLessThan(stepCount);
    expect(await position.textContent()).toMatch(new RegExp(`^Step ${middle} of ${stepCount}`));

    // Jumping from the list of steps; the stage the run was in is highlighted.
    const steps = await page.getByTestId('replay-steps').locator('.replay-item-text').allTextContents();
    await page.getByTestId('replay-steps').locator('li').nth(steps.indexOf('scope → plan')).getByRole('button').click();
    expect(await text.textContent()).toBe('scope → plan');
    expect(await stageNow.textContent()).toBe('plan');
    expect(await stage('plan').getAttribute('data-state')).toBe('current');
    expect(await stage('scope').getAttribute('data-state')).toBe('done');
    expect(await stage('build').getAttribute('data-state')).toBe('todo');
    const asked = steps.findIndex((t) => / — waiting for a person$/.test(t));
    await page.getByTestId('replay-steps').locator('li').nth(asked).getByRole('button').click();
    expect(await stage('build').getAttribute('data-state')).toBe('waiting');
    expect(await page.getByTestId('replay-current').getAttribute('class')).toContain('event-approval_requested');

    // Keys from anywhere on the page (here the heading): → and ← step, space plays and pauses.
    await page.locator('main h1').focus();
    await page.keyboard.press('ArrowRight');
    expect(await slider.inputValue()).toBe(String(asked + 2));
    await page.keyboard.press('ArrowLeft');
    expect(await slider.inputValue()).toBe(String(asked + 1));
    await page.keyboard.press('Space');
    await eventually(async () => expect(await page.getByTestId('replay-play').textContent()).toBe('Pause'));
    await eventually(async () => expect(Number(await slider.inputValue())).toBeGreaterThan(asked + 1));
    await page.keyboard.press('Space');
    await eventually(async () => expect(await page.getByTestId('replay-play').textContent()).toMatch(/^Play/));
    const paused = await slider.inputValue();
    expect(await page.getByTestId('replay-steps').locator('[aria-current=step] .replay-item-text').textContent()).toBe(await text.textContent());

    // A tool call in detail: its arguments are shown.
    await page.getByTestId('replay-steps').locator('li.event-tool_call').first().getByRole('button').click();
    expect(await page.getByTestId('replay-current').getAttribute('class')).toContain('event-tool_call');
    expect(await page.getByTestId('replay-current').textContent()).toContain('Arguments');
    expect(Number(paused)).toBeGreaterThan(0);

    await checkPage();
    expect((await screenshotAll(page, 'runs-flow-replay')).length).toBe(4);
  });

  it('denies an action with a reason from a dialog: the run is cancelled and the reason is shown', async () => {
    ids.denied = await startRunFromForm(REQUESTS.denied);
    // Away to the list at once (the run is on top, soon waiting) and back: the page is current again.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs', exact: true }).click();
    const top = rows().first();
    await eventually(async () => expect(await top.getAttribute('data-run-id')).toBe(ids.denied));
    expect(await page.getByLabel('What should the agent do?').inputValue()).toBe('');
    await top.getByRole('link').click();
    await eventually(() => expect(runIdFromUrl()).toBe(ids.denied));
    await expectApproval(WRITE_RECORD);
    await eventually(async () => expect(await status().textContent()).toBe('build · needs approval'));
    await approvalCard().getByRole('button', { name: 'Deny' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deny this action?' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Deny and cancel run' });
    // A reason is asked for before the action can be denied.
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Reason for denying').fill(DENY_REASON);
    await confirm.click();

    await eventually(async () => expect(await status().textContent()).toBe('cancelled'));
    expect(await dialog.isVisible()).toBe(false);
    await eventually(async () => expect(await page.getByTestId('run-error').textContent()).toMatch(new RegExp(`^Denied by ${USER.name}: Write \\d+ bytes to .+ — ${DENY_REASON}$`)));
    await eventually(async () => expect(await page.getByTestId('denial-reason').textContent()).toBe(`Reason: ${DENY_REASON}`));
    await expectTimelineToContain(`Denied by ${USER.name}: ${DENY_REASON}`);
    expect(await approvalCard().count()).toBe(0);
    expect(await stage('build').getAttribute('data-state')).toBe('stopped');
    expect(await stage('build').locator('.stage-state').textContent()).toBe('cancelled');
    await eventually(async () => expect(await liveMode().textContent()).toBe('Run ended'));
    // Still there after a reload.
    await page.reload();
    await eventually(async () => expect(await page.getByTestId('denial-reason').textContent()).toBe(`Reason: ${DENY_REASON}`));
  });

  it('cancels a run with a reason, after a confirmation dialog', async () => {
    ids.cancelled = await startRunFromForm(REQUESTS.cancelled);
    await expectApproval(WRITE_RECORD);
    const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });

    // Changing one's mind leaves the run alone.
    await page.getByRole('button', { name: 'Cancel run', exact: true }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Keep running' }).click();
    await eventually(async () => expect(await dialog.isVisible()).toBe(false));
    expect(await status().textContent()).toBe('build · needs approval');

    await page.getByRole('button', { name: 'Cancel run', exact: true }).click();
    await dialog.getByText('Stop this run for good?').waitFor();
    await dialog.getByLabel('Reason (optional)').fill(CANCEL_REASON);
    await dialog.getByRole('button', { name: 'Yes, cancel run' }).click();
    await eventually(async () => expect(await status().textContent()).toBe('cancelled'));
    await eventually(async () => expect(await page.getByTestId('run-error').textContent()).toBe(`Cancelled by ${USER.name}: ${CANCEL_REASON}`));
    await expectTimelineToContain(`build → cancelled — Cancelled by ${USER.name}: ${CANCEL_REASON}`);
    expect(await approvalCard().count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel run', exact: true }).count()).toBe(0);
    expect(await stage('build').getAttribute('data-state')).toBe('stopped');
  });

  it('shows the server\'s refusal beside the field it is about', async () => {
    const doomed = await api<{ data: { id: string } }>('POST', '/api/v1/projects', { name: 'Doomed project' });
    expect(doomed.status).toBe(201);
    await page.goto(`${url}/runs`);
    const select = page.getByLabel('Project (optional)');
    await eventually(async () => expect(await select.locator('option').allTextContents()).toContain('Doomed project'));
    await select.selectOption({ label: 'Doomed project' });
    // Deleted meanwhile (another tab, another person).
    expect((await api('DELETE', `/api/v1/projects/${doomed.body.data.id}`)).status).toBeLessThan(300);

    await page.getByLabel('What should the agent do?').fill('Anything at all.');
    await page.getByRole('button', { name: 'Start run' }).click();
    const error = page.locator('.field-error');
    await eventually(async () => expect(await error.textContent()).toBe('This project no longer exists. Pick another one, or none.'));
    // Beside the project picker, which is marked invalid and described by it, and focused.
    expect(await select.getAttribute('aria-invalid')).toBe('true');
    const errorId = await error.getAttribute('id');
    expect((await select.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId);
    expect(await select.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(pathname()).toBe('/runs');
    // The refreshed list no longer offers it; what was typed is kept.
    await eventually(async () => expect(await select.locator('option').allTextContents()).not.toContain('Doomed project'));
    expect(await page.getByLabel('What should the agent do?').inputValue()).toBe('Anything at all.');
  });

  it('a deep link to a filtered list shows it, survives a reload, and marks runs waiting for approval', async () => {
    const waiting = await api<{ data: { id: string } }>('POST', '/api/v1/runs', { requestText: REQUESTS.waiting, projectId });
    expect(waiting.status).toBe(201);
    ids.waiting = waiting.body.data.id;

    await page.goto(`${url}/runs?status=completed&projectId=${projectId}`);
    await eventually(async () => expect(await rowIds()).toEqual([ids.approved]));
    expect(await page.getByLabel('Filter by status').inputValue()).toBe('completed');
    expect(await page.getByLabel('Filter by project').locator('option:checked').textContent()).toBe(PROJECT);
    await page.reload();
    await eventually(async () => expect(await rowIds()).toEqual([ids.approved]));
    expect(await page.getByLabel('Filter by status').inputValue()).toBe('completed');
    expect(new URL(page.url()).searchParams.get('projectId')).toBe(projectId);

    // Changing a filter writes it to the URL.
    await page.getByLabel('Filter by status').selectOption('cancelled');
    await eventually(() => expect(new URL(page.url()).searchParams.get('status')).toBe('cancelled'));
    await page.getByText('No runs match these filters.').waitFor();
    await page.getByLabel('Filter by project').selectOption('');
    await eventually(async () => expect(await rowIds()).toEqual([ids.cancelled, ids.denied]));
    expect(new URL(page.url()).searchParams.has('projectId')).toBe(false);

    // The project's runs: the waiting one says so, live.
    await page.goto(`${url}/runs?projectId=${projectId}`);
    const row = page.locator(`li[data-run-id="${ids.waiting}"]`);
    await eventually(async () => expect(await row.getByTestId('run-status').textContent()).toBe('build · needs approval'));
    expect(await row.getAttribute('data-needs-approval')).toBe('true');
    expect(await rowIds()).toEqual([ids.waiting, ids.approved]);
  });

  it('run links are real links: an href, and ctrl/meta-click opens a new page', async () => {
    const link = page.locator(`li[data-run-id="${ids.approved}"]`).getByRole('link');
    expect(await link.getAttribute('href')).toBe(`/runs/${ids.approved}`);
    const [tab] = await Promise.all([e2e!.context.waitForEvent('page'), link.click({ modifiers: ['ControlOrMeta'] })]);
    await tab.waitForLoadState('domcontentloaded');
    expect(new URL(tab.url()).pathname).toBe(`/runs/${ids.approved}`);
    await tab.getByTestId('run-request').waitFor();
    expect(await tab.getByTestId('run-request').textContent()).toBe(REQUESTS.approved);
    await tab.close();
    expect(pathname()).toBe('/runs');
  });

  it('pages through the list with real links; a page is a shareable URL', async () => {
    // 24 more runs, cancelled at once: 28 in all, more than one page of 25.
    for (let i = 1; i <= 24; i++) {
      const r = await api<{ data: { id: string } }>('POST', '/api/v1/runs', { requestText: `Filler run ${i}` });
      expect(r.status).toBe(201);
      expect((await api('POST', `/api/v1/runs/${r.body.data.id}/cancel`, {})).status).toBe(200);
    }
    await page.goto(`${url}/runs`);
    await eventually(async () => expect(await rows().count()).toBe(25));
    const range = page.getByTestId('runs-range');
    expect(await range.textContent()).toBe('1–25 of 28');
    const pager = page.getByRole('navigation', { name: 'Pages of runs' });
    expect(await pager.getByRole('link', { name: /Newer runs/ }).count()).toBe(0);
    const older = pager.getByRole('link', { name: /Older runs/ });
    expect(await older.getAttribute('href')).toBe('/runs?cursor=25');

    await older.click();
    await eventually(() => expect(new URL(page.url()).searchParams.get('cursor')).toBe('25'));
    await eventually(async () => expect(await range.textContent()).toBe('26–28 of 28'));
    // The oldest three, oldest last.
    expect(await rowIds()).toEqual([ids.cancelled, ids.denied, ids.approved]);
    expect(await pager.getByRole('link', { name: /Older runs/ }).count()).toBe(0);

    await page.reload();
    await eventually(async () => expect(await rowIds()).toEqual([ids.cancelled, ids.denied, ids.approved]));
    const newer = pager.getByRole('link', { name: /Newer runs/ });
    expect(await newer.getAttribute('href')).toBe('/runs');
    await newer.click();
    await eventually(async () => expect(await range.textContent()).toBe('1–25 of 28'));
    expect(new URL(page.url()).searchParams.has('cursor')).toBe(false);
  });

  it('the list: a failed load says so and retries; axe and 360 px; screenshots', async () => {
    // The list's procedure refused (rate limited) once; everything else in its batch answers normally.
    let refused = 0;
    const refuse = async (route: Route) => {
      const procedures = new URL(route.request().url()).pathname.replace('/trpc/', '').split(',');
      if (!procedures.includes('mk.runs.list')) return route.continue();
      refused++;
      const body = procedures.map(() => ({ error: { message: 'Rate limit exceeded', code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429 } } }));
      await route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify(body) });
    };
    await page.route('**/trpc/**', refuse);
    try {
      await page.goto(`${url}/runs?projectId=${projectId}`);
      await page.getByRole('main').getByRole('alert').filter({ hasText: 'Rate limit exceeded' }).waitFor();
      expect(refused).toBeGreaterThan(0);
    } finally {
      await page.unroute('**/trpc/**', refuse);
    }
    await page.getByRole('button', { name: 'Try again' }).click();
    await eventually(async () => expect(await rowIds()).toEqual([ids.waiting, ids.approved]));

    await page.goto(`${url}/runs`);
    await eventually(async () => expect(await rows().count()).toBe(25));
    await checkPage();
    expect((await screenshotAll(page, 'runs-flow-list')).length).toBe(4);
  });

  it('left no uncaught page errors and no server errors behind', () => {
    expect(e2e!.pageErrors).toEqual([]);
    // Expected: the 401 of probing the session before registering, the 404 of the deleted
    // project, and the 429s this test made up. Nothing else.
    expect(e2e!.consoleErrors.filter((t) => !/status of (401|404|429)/.test(t))).toEqual([]);
    expect(e2e!.consoleErrors.filter((t) => /status of 404/.test(t))).toHaveLength(1);
    expect(e2e!.serverErrors).toEqual([]);
  });
});

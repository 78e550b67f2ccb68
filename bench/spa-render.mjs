// Time to first render of the SPA's runs list, in headless Chromium (the Debian package, driven by
// playwright-core, launched as apps/web/test/harness.ts launches it), against a running server.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The first run on the list, as the page renders it (apps/web/src/routes/runs.tsx). */
const FIRST_ROW = '[data-testid=run-list] li[data-run-id]';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Signs in the way the SPA does and answers the session cookie's value. */
async function login(baseUrl, email, password) {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`POST /api/v1/auth/login answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  for (const c of res.headers.getSetCookie()) {
    const m = /^mk_session=([^;]+)/.exec(c);
    if (m) return m[1];
  }
  throw new Error('POST /api/v1/auth/login set no mk_session cookie');
}

/**
 * In the page, before its own scripts: the moment the first run row is in the DOM, then the next
 * animation frame (the one that paints it), on the page's clock, whose zero is the navigation start.
 */
function watchFirstRow(selector) {
  const done = () => {
    requestAnimationFrame(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      window.__firstRunRowMs = performance.now() - (nav ? nav.startTime : 0);
    });
  };
  const observer = new MutationObserver(() => {
    if (document.querySelector(selector)) {
      observer.disconnect();
      done();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

/**
 * Opens `${baseUrl}/runs` `runs` times, each in a fresh page of one signed-in browser context (so
 * the first sample loads the app's files cold and the others from the HTTP cache, as a returning
 * user would), and measures navigation start → first run row painted. Answers the median and
 * every sample, in ms, and the first-page JS of the current build (apps/web/dist/build-report.json).
 */
export async function measureRunsListRender({ baseUrl, email, password, runs = 5 }) {
  const session = await login(baseUrl, email, password);
  const report = JSON.parse(readFileSync(join(root, 'apps/web/dist/build-report.json'), 'utf8'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000, args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name: 'mk_session', value: session, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    await context.addInitScript(watchFirstRow, FIRST_ROW);
    const samplesMs = [];
    const phases = [];
    for (let i = 0; i < runs; i++) {
      const page = await context.newPage();
      try {
        await page.goto(`${baseUrl}/runs`, { waitUntil: 'commit' });
        await page.waitForSelector(FIRST_ROW, { state: 'visible', timeout: 30_000 });
        const ms = await (await page.waitForFunction(() => window.__firstRunRowMs, null, { timeout: 10_000 })).jsonValue();
        if (new URL(page.url()).pathname !== '/runs') throw new Error(`ended on ${page.url()} instead of /runs (not signed in?)`);
        samplesMs.push(Math.round(ms));
        // Where the time went: the document parsed, and the runs list's answer in.
        phases.push(
          await page.evaluate(() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const list = performance.getEntriesByType('resource').find((r) => r.name.includes('mk.runs.list'));
            return { domContentLoadedMs: Math.round(nav?.domContentLoadedEventEnd ?? 0), runsListStartMs: Math.round(list?.startTime ?? 0), runsListEndMs: Math.round(list?.responseEnd ?? 0) };
          }),
        );
      } finally {
        await page.close();
      }
    }
    return {
      medianMs: Math.round(median(samplesMs)),
      samplesMs,
      coldMs: samplesMs[0],
      phases,
      firstPageJsGzipKb: Number((report.firstPageJsGzipBytes / 1024).toFixed(1)),
      method: `navigation start → the frame that paints the first run row of /runs (performance.now in the page), headless Chromium ${browser.version()}, 1280×800; one signed-in context, a fresh page per sample (the first loads the app cold, the rest from the HTTP cache)`,
    };
  } finally {
    await browser.close();
  }
}

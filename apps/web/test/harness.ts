import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, vi } from 'vitest';
import type { Logger } from '@baton/core';
import { parseEnv } from '../../server/src/env.ts';
import { bootstrap, type Baton } from '../../server/src/bootstrap.ts';
import { createApp, DEFAULT_WEB_DIST } from '../../server/src/app.ts';
import { sqlOn, testDatabaseEnv } from '../../../test/helpers/server.ts';

/*
 * The setup the SPA's browser tests share: a real server that serves apps/web/dist (built by
 * test/global-setup.ts) over a fresh database on the test project's engine (a new SQLite file, or a
 * new database on the run's PostgreSQL: testDatabaseEnv), and one page in real headless Chromium (the
 * Debian package, driven by playwright-core). Everything the server and the page report as an
 * error is collected, so a test can end by asserting that nothing went wrong on either side.
 */

const CHROMIUM = '/usr/bin/chromium';

/** How long one step may take: the page's default timeout, and what tests give `vi.waitFor`. */
export const STEP_TIMEOUT = 10_000;

/** Retries an assertion until it holds or the step timeout runs out. */
export const eventually = <T>(fn: () => Promise<T> | T) => vi.waitFor(fn, { timeout: STEP_TIMEOUT, interval: 50 });

const AXE_SCRIPT = fileURLToPath(new URL('../../../node_modules/axe-core/axe.min.js', import.meta.url));
/** Where screenshotAll saves (git-ignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../test-screenshots/', import.meta.url));

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation, listing
 * each with the elements it concerns. Answers every violation found (minor and moderate ones too).
 */
export async function checkA11y(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(blocking, `axe on ${page.url()} (${await page.evaluate(() => document.documentElement.dataset.theme)} theme)`).toEqual([]);
  return violations;
}

/**
 * Full-page screenshots of the page as it is now at 1280 and 360 px wide, in the light and the dark
 * theme: test-screenshots/<name>-<width>-<theme>.png. Restores the viewport and theme afterwards.
 */
export async function screenshotAll(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const viewport = page.viewportSize();
  const theme = await page.evaluate(() => document.documentElement.dataset.theme ?? '');
  const files: string[] = [];
  try {
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
      for (const t of ['light', 'dark']) {
        await page.evaluate((value) => (document.documentElement.dataset.theme = value), t);
        const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}-${width}-${t}.png`);
        await page.screenshot({ path, fullPage: true, animations: 'disabled' });
        files.push(path);
      }
    }
  } finally {
    if (viewport) await page.setViewportSize(viewport);
    await page.evaluate((value) => (document.documentElement.dataset.theme = value), theme);
  }
  return files;
}

/**
 * Calls the REST API from inside a page, as the app itself would: its session cookie rides along.
 * `key` sends a bearer key, `orgId` the X-Org-Id header. An empty body (204) reads as null.
 */
export const pageApi = <T = any>(page: Page, method: string, path: string, body?: unknown, opts: { key?: string; orgId?: string } = {}) =>
  page.evaluate(
    async (req) => {
      const headers: Record<string, string> = {};
      if (req.body !== undefined) headers['content-type'] = 'application/json';
      if (req.key) headers.authorization = `Bearer ${req.key}`;
      if (req.orgId) headers['x-org-id'] = req.orgId;
      const r = await fetch(req.path, { method: req.method, headers, ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}) });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : null) as unknown };
    },
    { method, path, body, key: opts.key, orgId: opts.orgId },
  ) as Promise<{ status: number; body: T }>;

/** Registers through the SPA's form and waits until home shows the new user. */
export async function registerThroughForm(page: Page, url: string, user: { name: string; email: string; password: string; org: string }) {
  await page.goto(`${url}/register`);
  await page.locator('input[name=name]').fill(user.name);
  await page.locator('input[name=email]').fill(user.email);
  await page.locator('input[name=password]').fill(user.password);
  await page.locator('input[name=orgName]').fill(user.org);
  await page.getByRole('button', { name: 'Create account' }).click();
  await eventually(() => expect(new URL(page.url()).pathname).toBe('/'));
  await eventually(async () => expect(await page.getByTestId('user-name').textContent()).toBe(user.name));
}

export interface E2eOptions {
  /**
   * Server environment on top of the defaults; the data dir, the database (testDatabaseEnv) and
   * BATON_PUBLIC_URL are always the harness's.
   */
  env?: Record<string, string>;
  /** Start the engine worker, for tests in which runs must actually progress. */
  startEngine?: boolean;
  /** Where to save a full-page screenshot of the last state on close (best effort). */
  screenshot?: string;
  /** Prefix of the temporary data dir, to tell the test files' leftovers apart. */
  dataDirPrefix?: string;
}

export interface E2e {
  /** The address the browser uses, and the server's BATON_PUBLIC_URL. */
  url: string;
  baton: Baton;
  /** Plain SQL reads of the server's committed data, the same on both engines (sqlOn on its reader). */
  sql: ReturnType<typeof sqlOn>;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  serverErrors: Array<{ msg: string; extra?: Record<string, unknown> }>;
  pageErrors: string[];
  consoleErrors: string[];
  /** Screenshot (if asked for), then closes the browser, the server and Baton, and removes the data dir. */
  close(): Promise<void>;
}

export async function startE2e(opts: E2eOptions = {}): Promise<E2e> {
  if (!existsSync(join(DEFAULT_WEB_DIST, 'index.html'))) {
    throw new Error(`no built SPA in ${DEFAULT_WEB_DIST}; the vitest globalSetup builds it (or run node scripts/build.mjs)`);
  }
  const serverErrors: E2e['serverErrors'] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  let server: Server | undefined;
  let dataDir: string | undefined;
  let baton: Baton | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  // Also undoes a setup that failed halfway, so each step is guarded by whether it happened.
  const close = async () => {
    if (opts.screenshot) await page?.screenshot({ path: opts.screenshot, fullPage: true }).catch(() => undefined);
    await browser?.close();
    const listening = server;
    if (listening) {
      listening.closeAllConnections();
      await new Promise<void>((resolve) => listening.close(() => resolve()));
    }
    await baton?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // Listen first, so BATON_PUBLIC_URL (used in links the server sends, such as the password reset
    // link) is the address the browser uses. Requests are handed to the app once it exists.
    let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
    const http = (server = createServer((req, res) => handler!(req, res)));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    dataDir = mkdtempSync(join(tmpdir(), opts.dataDirPrefix ?? 'baton-e2e-'));
    const logger: Logger = {
      info() {},
      warn() {},
      error: (msg, extra) => serverErrors.push({ msg, ...(extra ? { extra } : {}) }),
    };
    const database = await testDatabaseEnv();
    baton = await bootstrap(parseEnv({ BATON_SQLITE_SYNCHRONOUS: 'NORMAL', ...opts.env, ...database, BATON_DATA_DIR: dataDir, BATON_PUBLIC_URL: url }), { logger });
    handler = createApp({ deps: baton.deps, webDist: DEFAULT_WEB_DIST });
    if (opts.startEngine) baton.start();

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    return { url, baton, sql: sqlOn(baton.store.reader), browser, context, page, serverErrors, pageErrors, consoleErrors, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

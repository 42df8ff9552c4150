// Shared helpers of the browser tests (tests.mjs, console.mjs): environment, API setup
// calls, browser helpers and the sequential runner. Each test gets a fresh browser context.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const BASE = process.env.MJ_BASE;
/** The real mock upstream's OpenAI-compatible base (accepts keys starting with `sk-`). */
export const MOCK_API = `${process.env.MJ_MOCK_URL}/v1`;
export const ARTIFACTS = process.env.MJ_ARTIFACTS;
export const ADMIN = { email: process.env.MJ_ADMIN_EMAIL, password: process.env.MJ_ADMIN_PASSWORD };
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
mkdirSync(ARTIFACTS, { recursive: true });

// ---------- API helpers (setup only; the UI is what is under test) ----------
export async function api(path, { method = 'GET', token, body } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}
let seq = 0;
export const uniqueEmail = (tag) => `${tag}-${Date.now().toString(36)}-${seq++}@example.com`;
export async function newUser(tag = 'user', extra = {}) {
  const email = uniqueEmail(tag);
  const password = 'secretpass1';
  let r;
  // Registration is rate-limited per address: wait out the window the server names.
  for (let attempt = 0; ; attempt++) {
    try {
      r = await api('/api/auth/register', { method: 'POST', body: { email, password, acceptedTerms: true, ...extra } });
      break;
    } catch (e) {
      const wait = /-> 429 .*?(\d+) 秒/.exec(e.message);
      if (!wait || attempt > 5) throw e;
      await new Promise((ok) => setTimeout(ok, (Number(wait[1]) + 1) * 1000));
    }
  }
  return { email, password, token: r.session.access_token, auth: r };
}
let adminSessionCache;
/**
 * The admin's login answer, signed in once per suite and reused: tests that are not about
 * signing in must not spend the login rate limit (20 per minute per address, 10 per account),
 * or their outcome would depend on how fast the tests before them ran.
 */
export async function adminSession() {
  if (!adminSessionCache) {
    adminSessionCache = await api('/api/auth/login', { method: 'POST', body: { account: ADMIN.email, password: ADMIN.password, adminOnly: true } });
  }
  return adminSessionCache;
}
export async function adminToken() {
  return (await adminSession()).session.access_token;
}

// ---------- browser helpers ----------
export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
/** Stores a session the way the SPA does (localStorage `miaojing_auth`). */
export async function signInStorage(page, user) {
  // Any page of the origin gives its localStorage; a plain JSON answer loads no app, so the
  // next navigation cannot interrupt an app download (that surfaced once as an unhandled
  // "Failed to fetch" from the previous page's WASM loader).
  await page.goto(BASE + '/api/health');
  await page.evaluate((a) => {
    localStorage.setItem('miaojing_auth', JSON.stringify({
      accessToken: a.session.access_token, user: a.user, isLoggedIn: true, expiresAt: a.session.expires_at,
    }));
  }, user.auth);
}
export async function uiLogin(page, account, password) {
  await page.fill('#login-account', account);
  await page.fill('#login-password', password);
  await page.press('#login-password', 'Enter');
}
export const overflowX = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
export async function shot(page, name) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

/**
 * Records what the pages of a context report, so that a failure explains itself: uncaught
 * page errors (which fail the test), console errors and warnings, failed requests and
 * answers with an error status (printed only when the test fails; some are expected).
 */
function watchContext(context) {
  const log = { pageErrors: [], console: [], network: [] };
  const watch = (page) => {
    // A navigation that interrupts the previous page's WASM download is not an app error.
    page.on('pageerror', (e) => { if (!/loading was aborted/.test(e.message)) log.pageErrors.push(e.message); });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log.console.push(`${m.type()}: ${m.text()}`);
    });
    page.on('requestfailed', (r) => log.network.push(`${r.method()} ${r.url()} failed: ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) log.network.push(`${r.request().method()} ${r.url()} -> ${r.status()}`);
    });
  };
  context.on('page', watch);
  return log;
}

/** Prints the last `n` entries of a diagnostic list under a heading. */
function printTail(heading, list, n = 15) {
  if (!list.length) return;
  console.log(`     ${heading} (${list.length}${list.length > n ? `, last ${n}` : ''}):`);
  for (const line of list.slice(-n)) console.log(`       ${line.slice(0, 300)}`);
}

/** Whether a page's main thread answers and whether it still gets animation frames. */
async function responsiveness(page) {
  const within = (p, ms) => Promise.race([p, new Promise((ok) => setTimeout(() => ok('no answer in ' + ms + ' ms'), ms))]);
  const script = await within(page.evaluate(() => 'answers').catch((e) => `error: ${e.message}`), 2000);
  const frame = await within(page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => ok('frames arrive'))))
    .catch((e) => `error: ${e.message}`), 2000);
  const visible = await within(page.evaluate(() => document.visibilityState).catch(() => '?'), 2000);
  return `main thread ${script}; ${frame}; visibility ${visible}`;
}

/**
 * Runs the tests whose name contains `filter`, each in a fresh context; returns the number of
 * failures. A failure prints its error, the path of a screenshot of every open page of the
 * test, and the console and network errors its pages saw.
 */
export async function runTests(tests, filter = '') {
  const browser = await chromium.launch({
    executablePath: process.env.MJ_CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let passed = 0;
  let failed = 0;
  for (const t of tests.filter((t) => t.name.includes(filter))) {
    const context = await browser.newContext({ viewport: DESKTOP });
    context.setDefaultTimeout(10000);
    const log = watchContext(context);
    const page = await context.newPage();
    // Pages of other contexts the test opens (a visitor, a second user) are watched too.
    const newContext = browser.newContext.bind(browser);
    const extra = [];
    const scoped = new Proxy(browser, {
      get(target, prop) {
        if (prop === 'newContext') {
          return async (...args) => {
            const ctx = await newContext(...args);
            extra.push({ ctx, log: watchContext(ctx) });
            return ctx;
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    try {
      await t.fn({ page, context, browser: scoped });
      if (log.pageErrors.length) throw new Error(`page errors: ${log.pageErrors.join(' | ')}`);
      passed++;
      console.log(`ok   ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}\n     ${String(e.message).split('\n').slice(0, 40).join('\n     ')}`);
      const slug = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      const pages = [...context.pages(), ...extra.flatMap((x) => { try { return x.ctx.pages(); } catch { return []; } })];
      for (const [i, p] of pages.entries()) {
        const state = await responsiveness(p);
        const path = `${ARTIFACTS}/FAIL-${slug}${i ? `-${i}` : ''}.png`;
        const ok = await p.screenshot({ path, fullPage: true, timeout: 5000 }).then(() => true, () => false);
        console.log(`     screenshot: ${ok ? path : `(none: the page did not render one)`} — ${p.url()}`);
        console.log(`     page state: ${state}`);
      }
      for (const [i, l] of [log, ...extra.map((x) => x.log)].entries()) {
        const who = i ? `other context ${i}` : 'test page';
        printTail(`${who}: page errors`, l.pageErrors);
        printTail(`${who}: console errors and warnings`, l.console);
        printTail(`${who}: failed requests and error answers`, l.network);
      }
    }
    for (const x of extra) await x.ctx.close().catch(() => {});
    await context.close();
  }
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

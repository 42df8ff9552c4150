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
let adminTokenCache;
export async function adminToken() {
  if (!adminTokenCache) {
    const r = await api('/api/auth/login', { method: 'POST', body: { account: ADMIN.email, password: ADMIN.password } });
    adminTokenCache = r.session.access_token;
  }
  return adminTokenCache;
}

// ---------- browser helpers ----------
export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
/** Stores a session the way the SPA does (localStorage `miaojing_auth`). */
export async function signInStorage(page, user) {
  await page.goto(BASE + '/about');
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

/** Runs the tests whose name contains `filter`, each in a fresh context; exits non-zero on failure. */
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
    const page = await context.newPage();
    const errors = [];
    // A navigation that interrupts the previous page's WASM download is not an app error.
    page.on('pageerror', (e) => { if (!/loading was aborted/.test(e.message)) errors.push(e.message); });
    try {
      await t.fn({ page, context, browser });
      if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
      passed++;
      console.log(`ok   ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}\n     ${String(e.message).split('\n').slice(0, 6).join('\n     ')}`);
      const slug = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await page.screenshot({ path: `${ARTIFACTS}/FAIL-${slug}.png`, fullPage: true }).catch(() => {});
    }
    await context.close();
  }
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

// Time to interactive of the /console dashboard (see console.sh): a fresh page per load, the
// admin session in localStorage; measured from navigation start to every block showing data.
import { chromium } from '../browser/node_modules/playwright-core/index.mjs';

const BASE = process.env.MJ_BASE;
const loads = Number(process.env.MJ_LOADS || 9);
const login = await fetch(`${BASE}/api/auth/login`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ account: process.env.MJ_ADMIN_EMAIL, password: process.env.MJ_ADMIN_PASSWORD, adminOnly: true }),
}).then((r) => r.json());
const browser = await chromium.launch({
  executablePath: process.env.MJ_CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
});
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const setup = await ctx.newPage();
await setup.goto(`${BASE}/about`);
await setup.evaluate((a) => {
  localStorage.setItem('miaojing_auth', JSON.stringify({ accessToken: a.session.access_token, user: a.user, isLoggedIn: true, expiresAt: a.session.expires_at }));
  sessionStorage.removeItem('miaojing_console_active_view');
}, login);
await setup.close();
// "First data": the account stats are drawn. "Interactive": every block shows data (stats,
// jobs chart, model calls, recent logs table, works and channel counts).
const firstData = () => document.querySelector('[data-testid=dash-stats]');
const ready = () => document.querySelector('[data-testid=dash-stats]')
  && document.querySelector('[data-testid=dash-jobs] svg.chart')
  && document.querySelector('[data-testid=dash-calls] p')
  && document.querySelector('[data-testid=dash-logs] table.dense')
  && document.querySelector('[data-testid=dash-works] .stat-card-value')
  && document.querySelector('[data-testid=dash-channels] .stat-card-value');
const first = [];
const times = [];
for (let i = 0; i < loads + 1; i++) {
  const page = await ctx.newPage();
  await page.goto(`${BASE}/console`, { waitUntil: 'commit' });
  await page.waitForFunction(firstData, null, { polling: 'raf', timeout: 30000 });
  const f = await page.evaluate(() => performance.now());
  await page.waitForFunction(ready, null, { polling: 'raf', timeout: 30000 });
  const ms = await page.evaluate(() => performance.now());
  const works = await page.locator('[data-testid=dash-works] .stat-card-value').innerText();
  if (i > 0) { // the first load warms the server and the HTTP cache of the wasm
    first.push(f);
    times.push(ms);
    console.log(`  load ${i}: first data ${f.toFixed(0)} ms, interactive ${ms.toFixed(0)} ms (public works shown: ${works})`);
  }
  await page.close();
}
await browser.close();
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)].toFixed(0);
console.log(`console dashboard: median first data ${median(first)} ms, median time to interactive ${median(times)} ms over ${times.length} loads`);

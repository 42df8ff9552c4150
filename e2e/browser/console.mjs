// Browser tests of the admin console (/console) against the real server (started by run.sh,
// after tests.mjs). Setup goes through the API; what is asserted is what the console shows
// and what its actions change on the server.
import {
  BASE, MOCK_API, ADMIN, DESKTOP, PHONE, api, newUser, adminSession, adminToken, assert, signInStorage, runTests,
} from './lib.mjs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** host:port of the SMTP sink and the Maildir it delivers into (started by run.sh). */
const SMTP = process.env.MJ_SMTP;
const MAILDIR = process.env.MJ_MAILDIR;

/** The decoded text of the first message the sink delivered to `to` (waits up to 10 s). */
async function mailTo(to) {
  for (let i = 0; i < 100; i++) {
    for (const sub of ['new', 'cur']) {
      for (const f of readdirSync(join(MAILDIR, sub))) {
        const raw = readFileSync(join(MAILDIR, sub, f), 'utf8');
        const blocks = raw.split(/\r?\n\r?\n/);
        if (!blocks[0].split(/\r?\n/).some((l) => /^to:/i.test(l) && l.toLowerCase().includes(to.toLowerCase()))) continue;
        // Bodies with non-ASCII text come base64-encoded: decode every block that is.
        const decoded = blocks.map((b) => b.split(/\r?\n/).filter((l) => !l.startsWith('--')).join(''))
          .filter((b) => /^[A-Za-z0-9+/=]{16,}$/.test(b)).map((b) => Buffer.from(b, 'base64').toString('utf8'));
        return [raw, ...decoded].join('\n');
      }
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`no mail to ${to} reached the SMTP sink`);
}

const filter = process.argv[2] || '';
const tests = [];
const test = (name, fn) => tests.push({ name: `console: ${name}`, fn });

/** Opens the console signed in as the admin, on the given view. */
async function openConsole(page, view) {
  await signInStorage(page, { auth: await adminSession() });
  await page.goto(BASE + '/console');
  await page.locator('.console').waitFor();
  if (view) await nav(page, view);
}
async function nav(page, view) {
  await page.locator(`.console-nav-item[data-view=${view}]`).click();
  await page.locator(`.console-body[data-view=${view}]`).waitFor();
}
test('a non-admin reaching /console is refused', async ({ page }) => {
  const u = await newUser('nonadmin');
  await signInStorage(page, u);
  await page.goto(BASE + '/console');
  await page.locator('[data-testid=console-refused]').waitFor();
  assert((await page.locator('[data-testid=console-refused]').innerText()).includes('只有管理员可以登录管理后台'), 'refusal says why');
  assert((await page.locator('.console').count()) === 0, 'no console shell for a non-admin');
  // Signing in with a non-admin account through the card is refused too.
  await page.fill('#console-account', u.email);
  await page.fill('#console-password', u.password);
  await page.press('#console-password', 'Enter');
  await page.locator('.console-login .form-error', { hasText: '只有管理员可以登录管理后台' }).waitFor();
  // The dashboard address does not open the console either.
  await page.goto(BASE + '/console/dashboard');
  await page.locator('[data-testid=console-refused]').waitFor();
  // And the admin API itself answers 403 to that token.
  const res = await fetch(BASE + '/api/admin/dashboard', { headers: { authorization: `Bearer ${u.token}` } });
  assert(res.status === 403, `admin API refuses a user (${res.status})`);
});

test('admin login; the open view survives a refresh and resets on sign-out', async ({ page }) => {
  await page.goto(BASE + '/console');
  await page.fill('#console-account', ADMIN.email);
  await page.fill('#console-password', 'wrong-password-1');
  await page.press('#console-password', 'Enter');
  await page.locator('.console-login .form-error:not(:empty)').waitFor();
  await page.fill('#console-password', ADMIN.password);
  await page.press('#console-password', 'Enter');
  await page.waitForURL(/\/console\/dashboard$/);
  await page.locator('[data-testid=dash-stats]').waitFor();
  const users = await page.locator('[data-testid=dash-stats] .stat-card-value').first().innerText();
  assert(Number(users) >= 1, `dashboard counts users (${users})`);
  await page.locator('[data-testid=dash-jobs] svg.chart').waitFor();
  await nav(page, 'redeem');
  await page.reload();
  await page.locator('.console-body[data-view=redeem]').waitFor();
  assert(await page.locator('.console-nav-item[data-view=redeem]').getAttribute('aria-current') === 'page', 'nav marks the view');
  // An admin already signed in goes straight to the console.
  await page.goto(BASE + '/console');
  await page.locator('.console-body[data-view=redeem]').waitFor();
  await page.getByRole('button', { name: '退出' }).click();
  await page.locator('#console-account').waitFor();
  assert((await page.evaluate(() => sessionStorage.getItem('miaojing_console_active_view'))) === null, 'view forgotten');
  await page.fill('#console-account', ADMIN.email);
  await page.fill('#console-password', ADMIN.password);
  await page.press('#console-password', 'Enter');
  await page.locator('.console-body[data-view=dashboard]').waitFor();
});

test('a system model pointing at mock-upstream appears on the user create page', async ({ page, browser }) => {
  await openConsole(page, 'api');
  const display = `Console Mock ${Date.now().toString(36)}`;
  await page.getByRole('button', { name: '添加模型' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByLabel('显示名称').fill(display);
  await dlg.getByLabel('模型名称').fill('mock-image-1');
  await dlg.getByLabel('供应商').fill('Mock');
  await dlg.getByLabel('API 地址').fill(MOCK_API);
  await dlg.getByLabel('API Key').fill('sk-console-test-key-1234');
  await dlg.getByLabel('每次积分').fill('3');
  await dlg.getByRole('button', { name: '保存' }).click();
  const row = page.locator('tr', { hasText: display });
  await row.waitFor();
  assert((await row.innerText()).includes('3 积分/次'), 'price shown per use');
  assert(/\*{2,}|…|1234/.test(await row.innerText()), 'key shown only as a masked preview');
  assert(!(await row.innerText()).includes('sk-console-test-key-1234'), 'full key never shown');
  // Per-1M token pricing is shown per 1M.
  await row.getByRole('button', { name: '编辑' }).click();
  await dlg.getByLabel('计费模式').selectOption('token');
  await dlg.getByLabel('输入 积分 / 1M tokens').fill('5');
  await dlg.getByLabel('输出 积分 / 1M tokens').fill('20');
  await dlg.getByRole('button', { name: '保存' }).click();
  await page.locator('tr', { hasText: display }).filter({ hasText: '积分/1M tokens' }).waitFor();
  await page.locator('tr', { hasText: display }).getByRole('button', { name: '编辑' }).click();
  await dlg.getByLabel('计费模式').selectOption('fixed');
  await dlg.getByLabel('每次积分').fill('3');
  await dlg.getByRole('button', { name: '保存' }).click();
  await page.locator('tr', { hasText: display }).filter({ hasText: '3 积分/次' }).waitFor();
  const saved = (await api('/api/admin/system-apis', { token: await adminToken() })).apis.find((a) => a.name === display);
  assert(saved && saved.apiUrl === MOCK_API && saved.isActive && saved.creditsPerUse === 3, 'saved on the server');

  // A user sees it on the create page.
  const u = await newUser('creator');
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const p = await ctx.newPage();
  await signInStorage(p, u);
  await p.goto(BASE + '/create');
  await p.locator('#create-model option', { hasText: display }).waitFor({ state: 'attached' });
  await ctx.close();

  // Disabled in the console, it disappears for users.
  await page.locator('tr', { hasText: display }).locator('label.switch').click();
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) {
    const cfg = await api('/api/model-config', { token: u.token });
    gone = !cfg.systemApis.some((m) => m.name === display);
    if (!gone) await new Promise((ok) => setTimeout(ok, 200));
  }
  assert(gone, 'a disabled model is no longer offered to users');
});

test('a user job is counted on the dashboard; a prompt edit mails the author through the SMTP sink', async ({ page }) => {
  const admin = await adminToken();
  const name = `Dash Mock ${Date.now().toString(36)}`;
  await api('/api/admin/system-apis', { method: 'POST', token: admin, body: {
    name, modelName: 'mock-image-1', apiUrl: MOCK_API, apiKey: 'sk-dash-1', type: 'image', billingMode: 'fixed', creditsPerUse: 2,
  } });
  await openConsole(page);
  const count = async (label) => Number((await page.locator('[data-testid=dash-jobs] svg text.chart-label', { hasText: label })
    .locator('xpath=following-sibling::*[2]').textContent()));
  await page.locator('[data-testid=dash-jobs] svg.chart').waitFor();
  const before = await count('已完成');
  const u = await newUser('dashjob');
  const job = await api('/api/generation-jobs', { method: 'POST', token: u.token, body: {
    type: 'image', payload: { prompt: 'a lantern by the river at night', model: name, count: 1 } } });
  let state;
  for (let i = 0; i < 100; i++) {
    state = await api(`/api/generation-jobs/${job.jobId}`, { token: u.token });
    if (['succeeded', 'failed', 'cancelled'].includes(state.status)) break;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  assert(state.status === 'succeeded', `job succeeded (${state.status} ${state.error})`);
  await page.getByRole('button', { name: '刷新' }).click();
  await page.locator('.toast', { hasText: '仪表盘已刷新' }).waitFor();
  await page.waitForFunction(([b]) => {
    const labels = [...document.querySelectorAll('[data-testid=dash-jobs] svg text.chart-label')];
    const t = labels.find((l) => l.textContent === '已完成');
    return t && Number(t.nextElementSibling.nextElementSibling.textContent) > b;
  }, [before]);
  const calls = await api('/api/admin/model-call-records?pageSize=5', { token: admin });
  const model = calls.records.find((c) => c.generation_job_id === job.jobId);
  assert(model, 'the job left a model call record');
  await page.locator('[data-testid=dash-calls] svg text', { hasText: model.model_name.slice(0, 18) }).first().waitFor();

  // Published, the work shows in gallery moderation; without working mail the edit is refused
  // and the prompt stays as it was (the notice is mandatory).
  const hist = await api('/api/creation-history', { token: u.token });
  const work = hist.records[0];
  await api('/api/gallery/publish', { method: 'POST', token: u.token, body: { workId: work.id, publish: true } });
  await nav(page, 'gallery');
  const row = page.locator(`tr[data-work="${work.id}"]`);
  await row.waitFor();
  assert((await row.innerText()).includes(u.email), 'author e-mail shown');
  await row.getByRole('button', { name: '修改提示词' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByLabel('新的提示词').fill('a lantern by the river');
  await dlg.getByLabel('原因').selectOption('remove_sensitive_words');
  assert((await dlg.getByLabel('邮件标题').inputValue()).includes('删除敏感词'), 'reason fills the subject');
  await dlg.getByRole('button', { name: '保存并通知作者' }).click();
  await page.locator('.toast-error').waitFor();
  const after = await api('/api/creation-history', { token: u.token });
  assert(after.records[0].prompt === 'a lantern by the river at night', 'prompt unchanged when the notice cannot be sent');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });

  // With SMTP pointing at the sink (set through the console's e-mail settings view), the
  // edit is saved and the author receives the notice.
  const [smtpHost, smtpPort] = SMTP.split(':');
  const settingsLoaded = page.waitForResponse((r) => r.url().includes('/api/admin/email-settings') && r.request().method() === 'GET');
  await nav(page, 'email');
  await settingsLoaded;
  await page.waitForTimeout(200);
  await page.getByLabel('SMTP 地址').fill(smtpHost);
  await page.getByLabel('端口', { exact: true }).fill(smtpPort);
  await page.getByLabel('发件人邮箱').fill('noreply@miaojing.test');
  // The switch's input is drawn by its label: click the label to flip it.
  const flip = async (name, want) => {
    if ((await page.getByRole('switch', { name }).isChecked()) !== want) {
      await page.locator('label.switch', { hasText: name }).click();
    }
    assert((await page.getByRole('switch', { name }).isChecked()) === want, `${name} is ${want ? 'on' : 'off'}`);
  };
  await flip('SSL/TLS', false);
  await flip('启用邮件发送', true);
  await page.locator('.console-body').getByRole('button', { name: '保存', exact: true }).first().click();
  await page.locator('.toast', { hasText: '已保存' }).waitFor();
  try {
    await nav(page, 'gallery');
    await row.getByRole('button', { name: '修改提示词' }).click();
    const dlg2 = page.getByRole('dialog');
    await dlg2.getByLabel('新的提示词').fill('a lantern by the river');
    await dlg2.getByLabel('原因').selectOption('remove_sensitive_words');
    await dlg2.getByLabel('邮件正文（Markdown）').fill('Your prompt was shortened. Marker 7f3a.');
    await dlg2.getByRole('button', { name: '保存并通知作者' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const saved = await api('/api/creation-history', { token: u.token });
    assert(saved.records[0].prompt === 'a lantern by the river', `prompt saved after the notice (${saved.records[0].prompt})`);
    const mail = await mailTo(u.email);
    assert(mail.includes('Marker 7f3a'), "the notice carries the admin's text");
  } finally {
    await api('/api/admin/email-settings', { method: 'PUT', token: admin, body: { enabled: false } });
  }

  // Taking the work down (after the browser's confirmation) unpublishes it: it leaves the
  // gallery and the moderation list, and its author keeps it in their history.
  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: '下架', exact: true }).click();
  await page.locator('.toast', { hasText: '已下架' }).waitFor();
  await row.waitFor({ state: 'detached' });
  assert(!(await api('/api/gallery?limit=60')).works.some((w) => w.id === work.id), 'out of the gallery');
  const kept = await api('/api/creation-history', { token: u.token });
  assert(kept.records.some((r) => r.id === work.id && r.published === false), 'kept in the author history');
});

test('batch-create redeem codes, copy the batch, and a user redeems one', async ({ page, browser }) => {
  await openConsole(page, 'redeem');
  const note = `console-${Date.now().toString(36)}`;
  await page.getByLabel('生成数量').fill('3');
  await page.getByLabel('每个兑换积分').fill('25');
  await page.getByLabel('备注').first().fill(note);
  await page.getByRole('button', { name: '生成兑换码' }).click();
  await page.locator('#fresh-codes').waitFor();
  const fresh = (await page.inputValue('#fresh-codes')).split('\n').map((l) => l.split('\t')[0]);
  assert(fresh.length === 3 && fresh.every((c) => /^MJ-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(c)), `3 codes: ${fresh}`);
  // Copy the whole batch through the clipboard.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await page.getByRole('button', { name: '复制整批' }).first().click();
  await page.locator('.toast', { hasText: '已复制' }).waitFor();
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert(fresh.every((c) => clip.includes(c)), 'clipboard holds the batch');

  // The user redeems one in their profile.
  const u = await newUser('redeemer');
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const p = await ctx.newPage();
  await signInStorage(p, u);
  await p.goto(BASE + '/profile?tab=credits');
  await p.fill('#redeem-code', fresh[0]);
  await p.press('#redeem-code', 'Enter');
  await p.locator('.toast', { hasText: '25' }).waitFor();
  await ctx.close();

  // The console lists it as used by that user; filter by state.
  await page.getByLabel('状态').selectOption('used');
  await page.getByLabel('搜索').fill(fresh[0]);
  // (The row stays on screen while the filtered list loads: wait for the redeemer to show.)
  const used = page.locator(`tr[data-code="${fresh[0]}"]`, { hasText: u.email });
  await used.waitFor();
  assert((await used.innerText()).includes('已使用'), 'used by the redeemer');
  // Revoke another one; the user can no longer redeem it.
  await page.getByLabel('状态').selectOption('unused');
  await page.getByLabel('搜索').fill(fresh[1]);
  await page.locator(`tr[data-code="${fresh[1]}"]`).getByRole('button', { name: '停用' }).click();
  await page.getByLabel('状态').selectOption('revoked');
  // (The row of the earlier list stays on screen until the revoked list arrives, and the revoke
  // may still be on its way: wait for the row that says it is revoked.)
  await page.locator(`tr[data-code="${fresh[1]}"]`, { hasText: '已停用' }).waitFor();
  const r = await fetch(BASE + '/api/redeem-codes/redeem', {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${u.token}` },
    body: JSON.stringify({ code: fresh[1] }),
  });
  assert(r.status >= 400, `revoked code refused (${r.status})`);
  // Export CSV of the filter.
  await page.getByLabel('搜索').fill('');
  await page.getByLabel('状态').selectOption('all');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
  assert(download.suggestedFilename() === 'redeem-codes.csv', 'csv download');
});

test('disabling a user in the console ends their session', async ({ page, browser }) => {
  const u = await newUser('tobedisabled');
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const p = await ctx.newPage();
  await signInStorage(p, u);
  await p.goto(BASE + '/profile');
  await p.locator('.user-chip').waitFor();

  await openConsole(page, 'users');
  await page.getByLabel('搜索用户').fill(u.email);
  const row = page.locator(`tr[data-email="${u.email}"]`);
  await row.waitFor();
  await row.getByRole('button', { name: '调整积分' }).click();
  await page.getByRole('dialog').getByLabel('数量').fill('40');
  await page.getByRole('dialog').getByLabel('原因').fill('console test bonus');
  await page.getByRole('dialog').getByRole('button', { name: '确认' }).click();
  await page.locator('.toast', { hasText: '当前余额' }).waitFor();
  const ledger = await api('/api/credit-transactions', { token: u.token });
  assert(ledger.records.some((r) => r.amount === 40 && r.description.includes('console test bonus')), 'ledger row with the reason');

  await row.getByRole('button', { name: '编辑' }).click();
  await page.getByRole('dialog').locator('label.switch', { hasText: '账号正常' }).click();
  assert(!(await page.getByRole('dialog').getByRole('switch', { name: '账号正常' }).isChecked()), 'switched off');
  await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
  await row.filter({ hasText: '停用' }).waitFor();

  // The user's next call is refused and the SPA sends them to the login page.
  await p.reload();
  await p.waitForURL(/\/auth\/login/);
  const res = await fetch(BASE + '/api/profile', { headers: { authorization: `Bearer ${u.token}` } });
  assert(res.status === 401, `old token rejected (${res.status})`);
  await ctx.close();
});

test('announcements with a pop-up window, providers and site settings are saved through the console', async ({ page, browser }) => {
  await openConsole(page, 'announcements');
  const title = `控制台公告 ${Date.now().toString(36)}`;
  await page.getByRole('button', { name: '新建公告' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByLabel('标题').fill(title);
  await dlg.getByLabel('内容（Markdown）').fill('**维护通知**：今晚十点升级。');
  await dlg.getByLabel('开始时间').fill('2020-01-01T00:00');
  await dlg.getByLabel('结束时间').fill('2099-01-01T00:00');
  await dlg.getByRole('button', { name: '保存' }).click();
  const row = page.locator('tr', { hasText: title });
  await row.waitFor();
  assert((await row.innerText()).includes('生效中'), 'live within its window');
  // The console, loaded again after the announcement exists, does not pop it up over its
  // controls (it speaks to visitors), while a visitor loading a page at the same time gets it.
  await page.reload();
  await row.waitFor();
  const ctx = await browser.newContext({ viewport: DESKTOP });
  const p = await ctx.newPage();
  await p.goto(BASE + '/about');
  await p.getByRole('dialog').filter({ hasText: title }).waitFor();
  await ctx.close();
  await page.waitForTimeout(500);
  assert((await page.getByRole('dialog').count()) === 0, 'no announcement pop-up in the console');
  // Disabled, it is no longer public.
  await row.locator('label.switch').click();
  await page.locator('tr', { hasText: title }).filter({ hasText: '停用' }).waitFor();
  assert(!(await api('/api/announcements')).some((a) => a.title === title), 'disabled announcement hidden');

  await nav(page, 'catalog');
  const name = `Console Provider ${Date.now().toString(36)}`;
  await page.getByRole('button', { name: '添加供应商' }).click();
  await page.getByRole('dialog').getByLabel('名称').fill(name);
  await page.getByRole('dialog').getByLabel('API 地址').fill('https://api.example.com/v1');
  await page.getByRole('dialog').getByLabel('默认模型').fill('example-image-1');
  await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
  await page.locator('tr', { hasText: name }).waitFor();
  const cfg = await api('/api/model-config', { token: await adminToken() });
  assert(cfg.providers.some((pr) => pr.name === name), 'provider offered to users');

  await nav(page, 'settings');
  const site = `妙境控制台 ${Date.now().toString(36)}`;
  await page.getByLabel('网站名称').fill(site);
  await page.getByLabel('注册赠送积分').fill('12');
  await page.getByRole('button', { name: '保存设置' }).click();
  await page.locator('.toast', { hasText: '网站配置已保存' }).waitFor();
  const sc = await api('/api/site-config');
  assert(sc.siteName === site && sc.registrationGiftCredits === 12, 'site config saved');
  await api('/api/site-config', { method: 'PUT', token: await adminToken(), body: { siteName: '妙境', registrationGiftCredits: 10 } });
});

const VIEWS = ['dashboard', 'users', 'invitations', 'redeem', 'announcements', 'api', 'catalog', 'tasks', 'calls', 'gallery',
  'logs', 'email', 'settings'];

test('screenshots of every view; tables scroll inside their card on a phone', async ({ browser }) => {
  const bad = [];
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    await signInStorage(page, { auth: await adminSession() });
    for (const view of VIEWS) {
      await page.evaluate((v) => sessionStorage.setItem('miaojing_console_active_view', v), view);
      await page.goto(BASE + '/console');
      await page.locator(`.console-body[data-view=${view}]`).waitFor();
      await page.waitForLoadState('networkidle');
      const over = await page.evaluate(() => {
        const root = document.querySelector('.console-root');
        return Math.max(document.documentElement.scrollWidth - window.innerWidth, root.scrollWidth - root.clientWidth);
      });
      if (over > 0) bad.push(`${view} (${size}) overflows by ${over}px`);
      await page.waitForTimeout(200);
      await page.locator('.console-root').screenshot({ path: `${process.env.MJ_ARTIFACTS}/console-${view}-${size}.png` });
    }
    if (size === 'phone') {
      await page.getByRole('button', { name: '打开菜单' }).click();
      await page.locator('.console-nav-item[data-view=users]').click();
      await page.locator('.console-body[data-view=users]').waitFor();
    }
    await ctx.close();
  }
  assert(bad.length === 0, bad.join('; '));
});

process.exit((await runTests(tests, filter)) ? 1 : 0);

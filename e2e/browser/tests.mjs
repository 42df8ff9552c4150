// Browser tests of the MiaoJing SPA against the real server (started by run.sh).
// A tiny sequential runner (lib.mjs): each test gets a fresh browser context (empty storage).
import {
  BASE, MOCK_API, ADMIN, ARTIFACTS, DESKTOP, PHONE, api, uniqueEmail, newUser, adminToken, assert, signInStorage, uiLogin,
  overflowX, shot, runTests,
} from './lib.mjs';

const filter = process.argv[2] || '';

// ---------- tests ----------
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('register with an invite link lands signed in and credits both', async ({ page }) => {
  const inviter = await newUser('inviter');
  const inv = await api('/api/invitations/me', { token: inviter.token });
  const before = (await api('/api/profile', { token: inviter.token })).profile.credits_balance;
  await page.goto(`${BASE}/auth/register?invite=${inv.inviteCode.toLowerCase()}`);
  await page.getByText('已识别邀请链接').waitFor();
  assert((await page.inputValue('#reg-invite')) === inv.inviteCode, 'invite code normalised to upper case');
  const email = uniqueEmail('invitee');
  await page.fill('#reg-email', email);
  await page.fill('#reg-password', 'secretpass1');
  await page.click('button[type=submit]');
  await page.getByText('请先阅读并同意').waitFor(); // terms are required
  await page.check('#reg-terms');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/create$/);
  await page.locator('.user-chip').waitFor();
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('miaojing_auth')));
  assert(stored && stored.isLoggedIn && stored.user.email === email, 'session stored');
  const after = (await api('/api/profile', { token: inviter.token })).profile.credits_balance;
  assert(after > before, `inviter credited (${before} -> ${after})`);
  const me = await api('/api/profile', { token: stored.accessToken });
  assert(me.profile.credits_balance > 10, `invitee got gift + invite bonus (${me.profile.credits_balance})`);
});

test('login and logout through the user menu', async ({ page }) => {
  const u = await newUser('login');
  await page.goto(BASE + '/auth/login');
  await uiLogin(page, u.email, 'wrong-password1');
  await page.locator('.form-error:not(:empty)').waitFor();
  assert(page.url().endsWith('/auth/login'), 'stays on login after a wrong password');
  await uiLogin(page, u.email, u.password);
  await page.waitForURL(/\/create$/);
  await page.click('.user-chip');
  await page.getByRole('menuitem', { name: '退出' }).click();
  await page.getByRole('link', { name: '登录', exact: true }).waitFor();
  assert((await page.evaluate(() => localStorage.getItem('miaojing_auth'))) === null, 'session removed');
});

test('bundles: /create loads no account code; links across bundles load the other page', async ({ page }) => {
  const u = await newUser('bundles');
  await signInStorage(page, u);
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  await page.goto(BASE + '/create');
  await page.locator('[data-testid=submit]').waitFor();
  assert(wasm.length === 1, `one wasm for /create: ${wasm}`);
  const profile = page.locator('.nav-links a[href="/profile"]');
  assert((await profile.getAttribute('rel')) === 'external', 'a link to the account bundle is a page load');
  assert((await page.locator('.nav-links a[href="/gallery"]').getAttribute('rel')) === null, 'a link inside the bundle stays with the router');
  await profile.click();
  await page.waitForURL(/\/profile$/);
  await page.locator('h1.page-title').waitFor();
  assert(wasm.length === 2 && wasm[1] !== wasm[0], `the account bundle was loaded: ${wasm}`);
  const create = page.locator('.nav-links a[href="/create"]');
  assert((await create.getAttribute('rel')) === 'external', 'and back: a page load');
  await create.click();
  await page.waitForURL(/\/create$/);
  await page.locator('[data-testid=submit]').waitFor();
});

test('a rejected token sends the user to login and back', async ({ page }) => {
  const u = await newUser('expired');
  await signInStorage(page, u);
  await api('/api/auth/logout', { method: 'POST', token: u.token }); // revoke it server-side
  await page.goto(BASE + '/profile?tab=credits');
  await page.waitForURL(/\/auth\/login\?redirect=/);
  assert(decodeURIComponent(page.url()).includes('redirect=/profile?tab=credits'), `redirect kept: ${page.url()}`);
  await uiLogin(page, u.email, u.password);
  await page.waitForURL(/\/profile\?tab=credits$/);
  await page.locator('[data-testid=balance]').waitFor();
});

test('an expired stored token reads as signed out', async ({ page }) => {
  const u = await newUser('stale');
  await signInStorage(page, u);
  await page.evaluate(() => {
    const a = JSON.parse(localStorage.getItem('miaojing_auth'));
    a.expiresAt = '2000-01-01T00:00:00Z';
    localStorage.setItem('miaojing_auth', JSON.stringify(a));
  });
  await page.goto(BASE + '/');
  await page.getByRole('link', { name: '免费开始' }).waitFor();
  assert((await page.locator('.user-chip').count()) === 0, 'no user chip');
});

test('theme choice is saved to the account and follows a new login', async ({ page, browser }) => {
  const u = await newUser('theme');
  await signInStorage(page, u);
  await page.goto(BASE + '/profile');
  assert(await page.evaluate(() => document.documentElement.classList.contains('dark')), 'dark by default');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/profile/theme') && r.request().method() === 'PUT');
  await page.click('.theme-btn');
  assert((await (await saved).json()).preferred_theme === 'light', 'PUT /api/profile/theme sent');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.classList.contains('light'));
  // A fresh browser (no local theme) gets the account's theme at login.
  const other = await browser.newContext({ viewport: DESKTOP });
  try {
    const p2 = await other.newPage();
    await p2.goto(BASE + '/auth/login');
    await uiLogin(p2, u.email, u.password);
    await p2.waitForURL(/\/create$/);
    await p2.waitForFunction(() => document.documentElement.classList.contains('light'));
  } finally {
    await other.close();
  }
});

test('language switch to English and back persists across reload', async ({ page }) => {
  await page.goto(BASE + '/');
  await page.getByRole('link', { name: '画廊' }).first().waitFor();
  await page.click('.lang-btn');
  await page.getByRole('link', { name: 'Gallery' }).first().waitFor();
  assert((await page.getAttribute('html', 'lang')) === 'en', 'html lang en');
  await page.reload();
  await page.getByRole('link', { name: 'Gallery' }).first().waitFor();
  await page.goto(BASE + '/auth/login');
  await page.getByRole('heading', { name: 'Sign in to MiaoJing' }).waitFor();
  await page.click('.lang-btn');
  await page.getByRole('heading', { name: '登录妙境' }).waitFor();
});

test('redeem an admin-made code: balance and ledger update, bad codes explained', async ({ page }) => {
  const batch = await api('/api/admin/redeem-codes', {
    method: 'POST', token: await adminToken(), body: { count: 1, codeType: 'credits', creditsAmount: 123 },
  });
  const code = batch.codes[0].code;
  const u = await newUser('redeem');
  await signInStorage(page, u);
  await page.goto(BASE + '/profile?tab=credits');
  const balance = page.locator('[data-testid=balance]');
  await balance.waitFor();
  const before = Number(await balance.innerText());
  await page.fill('#redeem-code', 'MJ-12');
  await page.press('#redeem-code', 'Enter');
  await page.getByText('兑换码格式不正确').first().waitFor();
  await page.fill('#redeem-code', code.toLowerCase());
  assert((await page.inputValue('#redeem-code')) === code, 'input upper-cases');
  await page.press('#redeem-code', 'Enter');
  await page.getByText('兑换成功').first().waitFor();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=balance]').innerText) === n, before + 123);
  await page.locator('.ledger-row', { hasText: '+123' }).waitFor();
  await page.fill('#redeem-code', code);
  await page.press('#redeem-code', 'Enter');
  await page.getByText('该兑换码已被使用').waitFor();
});

test('invite link copies to the clipboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  const u = await newUser('copy');
  await signInStorage(page, u);
  await page.goto(BASE + '/profile?tab=credits');
  await page.getByRole('button', { name: '复制链接' }).click();
  await page.getByText('邀请链接已复制').waitFor();
  const text = await page.evaluate(() => navigator.clipboard.readText());
  assert(text === `${BASE}/auth/register?invite=${u.auth.user.invite_code}`, `copied ${text}`);
});

test('announcement pop-up shows once per announcement', async ({ page }) => {
  const title = `E2E 公告 ${Date.now()}`;
  const token = await adminToken();
  const { id } = await api('/api/announcements', {
    method: 'POST', token, body: { title, content: '# 更新\n- 第一条\n- 第二条', popup: true, enabled: true },
  });
  try {
    await page.goto(BASE + '/');
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor();
    assert((await dialog.locator('li').count()) === 2, 'markdown list rendered');
    await shot(page, 'announcement-desktop');
    await page.keyboard.press('Enter'); // the button has focus
    await dialog.waitFor({ state: 'detached' });
    await page.reload();
    await page.waitForTimeout(2000);
    assert((await page.getByRole('dialog').count()) === 0, 'not shown again after dismissal');
  } finally {
    // Later tests must not find this pop-up over their pages.
    await api(`/api/announcements?id=${id}`, { method: 'DELETE', token });
  }
});

test('profile edits persist across reload', async ({ page }) => {
  const u = await newUser('edit');
  await signInStorage(page, u);
  await page.goto(BASE + '/profile');
  await page.locator('#pf-nickname').waitFor();
  await page.fill('#pf-nickname', '测试昵称');
  await page.fill('#pf-phone', '13800000000');
  await page.click('.account-form button[type=submit]');
  await page.getByText('账号资料已保存').waitFor();
  await page.reload();
  await page.locator('#pf-nickname').waitFor();
  await page.waitForFunction(() => document.querySelector('#pf-nickname').value === '测试昵称');
  assert((await page.inputValue('#pf-phone')) === '13800000000', 'phone kept');
  assert((await page.locator('.user-chip').innerText()).includes('测试昵称'), 'navbar shows the nickname');
  const p = await api('/api/profile', { token: u.token });
  assert(p.profile.display_nickname === '测试昵称' && p.profile.phone === '13800000000', 'stored on the server');
  // A wrong current password is refused with a clear message.
  await page.fill('#pf-current-password', 'not-my-pass1');
  await page.fill('#pf-new-password', 'newsecret22');
  await page.fill('#pf-confirm-password', 'newsecret23');
  await page.click('.account-form button[type=submit]');
  await page.getByText('两次输入的新密码不一致').waitFor();
  assert(await page.locator('#pf-watermark').isDisabled(), 'free user cannot turn off the watermark');
});

test('profile tabs work with the keyboard', async ({ page }) => {
  const u = await newUser('tabs');
  await signInStorage(page, u);
  await page.goto(BASE + '/profile');
  await page.getByRole('tab', { name: '账户' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForURL(/tab=membership/);
  await page.keyboard.press('End');
  await page.waitForURL(/tab=api/);
  await page.locator('[data-testid=import-panel]').waitFor();
  assert(await page.evaluate(() => document.activeElement.id === 'tab-api'), 'focus follows the tab');
  await page.keyboard.press('ArrowLeft');
  await page.waitForURL(/tab=history/);
  await page.locator('[data-testid=history-empty]').waitFor();
});

test('visits are counted once per browser session', async ({ page }) => {
  let posts = 0;
  page.on('request', (r) => { if (r.url().endsWith('/api/site-stats') && r.method() === 'POST') posts++; });
  await page.goto(BASE + '/');
  await page.waitForTimeout(2500);
  await page.goto(BASE + '/gallery');
  await page.waitForTimeout(2500);
  assert(posts === 1, `one POST /api/site-stats (saw ${posts})`);
});

test('site config drives name, tab title, filing link and the e-mail code field', async ({ page }) => {
  const token = await adminToken();
  const before = await api('/api/site-config');
  await api('/api/site-config', {
    method: 'PUT', token,
    body: { siteName: '测试妙境', siteTabTitle: '测试标签页', filingInfo: '京ICP备00000000号', emailVerificationRequired: true },
  });
  try {
    await page.goto(BASE + '/auth/register');
    await page.locator('.navbar .brand-name', { hasText: '测试妙境' }).waitFor();
    await page.waitForFunction(() => document.title === '测试标签页');
    const filing = page.getByRole('link', { name: '京ICP备00000000号' });
    assert((await filing.getAttribute('href')) === 'https://beian.miit.gov.cn/', 'default MIIT link');
    assert((await filing.getAttribute('target')) === '_blank', 'opens in a new tab');
    const send = page.getByRole('button', { name: '发送验证码' });
    assert(await send.isDisabled(), 'send disabled without a valid e-mail');
    await page.fill('#reg-email', 'someone@example.com');
    await page.waitForFunction(() => !document.querySelector('.code-btn').disabled);
    await page.fill('#reg-password', 'secretpass1');
    await page.check('#reg-terms');
    await page.click('button[type=submit]');
    await page.getByText('请输入邮箱验证码').waitFor();
    await page.fill('#reg-email-code', 'ab-12 c');
    assert((await page.inputValue('#reg-email-code')) === 'AB12C', 'code input keeps [A-Z0-9] upper-cased');
  } finally {
    await api('/api/site-config', {
      method: 'PUT', token,
      body: { siteName: before.siteName, siteTabTitle: before.siteTabTitle, filingInfo: before.filingInfo,
        emailVerificationRequired: before.emailVerificationRequired },
    });
  }
});

// ---------- profile: API keys ----------
const keyRows = (page) => page.locator('[data-testid=key-list] .key-row');

test('API keys: add with model listing and test, masked list, edit, disable, delete with confirmation', async ({ page }) => {
  const u = await newUser('keys');
  await signInStorage(page, u);
  await page.goto(BASE + '/profile?tab=api');
  await page.locator('[data-testid=no-keys]').waitFor();
  const secret = 'sk-e2e-secret-1234';
  await page.fill('#add-key-provider', 'Mock');
  await page.fill('#add-key-url', MOCK_API);
  // A key the upstream refuses: a red box with the upstream's status.
  await page.fill('#add-key-secret', 'nope-key-0000');
  await page.click('[data-testid=add-key-form] [data-testid=test-key]');
  await page.locator('[data-testid=add-key-form] .probe-fail').waitFor();
  assert((await page.locator('[data-testid=add-key-form] .probe-fail').innerText()).includes('401'), 'refusal shows HTTP 401');
  await page.fill('#add-key-secret', secret);
  await page.click('[data-testid=add-key-form] [data-testid=fetch-models]');
  const chips = page.locator('[data-testid=model-chips] button');
  await chips.first().waitFor();
  const model = (await chips.first().innerText()).trim();
  await chips.first().click();
  assert((await page.inputValue('#add-key-model')) === model, `model filled from the list (${model})`);
  await page.click('[data-testid=add-key-form] [data-testid=test-key]');
  await page.locator('[data-testid=add-key-form] .probe-ok').waitFor();
  await page.getByRole('button', { name: '确认添加' }).click();
  await keyRows(page).first().waitFor();
  assert((await keyRows(page).count()) === 1, 'one saved key');
  assert((await page.locator('[data-testid=key-preview]').innerText()).trim() === '***1234', 'key shown masked');
  assert(!(await page.content()).includes(secret), 'the full key is nowhere in the page');
  assert((await page.inputValue('#add-key-secret')) === '', 'form cleared after adding');
  let saved = (await api('/api/user-api-keys', { token: u.token })).keys;
  assert(saved.length === 1 && saved[0].modelName === model && saved[0].apiUrl === MOCK_API, 'stored on the server');

  // The saved key is tested by id (the page never holds it).
  await keyRows(page).first().locator('[data-testid=row-test]').click();
  await keyRows(page).first().locator('.probe-ok').waitFor();

  // Edit the note in the dialog; an empty key field keeps the stored key.
  await keyRows(page).first().locator('[data-testid=row-edit]').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert((await page.inputValue('#edit-key-url')) === MOCK_API, 'dialog pre-filled');
  await page.fill('#edit-key-note', '我的测试模型');
  await dialog.getByRole('button', { name: '保存修改' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('.key-label', { hasText: '我的测试模型' }).waitFor();
  saved = (await api('/api/user-api-keys', { token: u.token })).keys;
  assert(saved[0].note === '我的测试模型' && saved[0].apiKeyPreview === '***1234', 'note saved, key kept');
  await shot(page, 'profile-api-keys-desktop');

  // Disable, then delete: the first click only asks.
  await keyRows(page).first().locator('[data-testid=row-toggle]').click();
  await page.locator('.key-row[data-active=false]').waitFor();
  assert((await api('/api/user-api-keys', { token: u.token })).keys[0].isActive === false, 'disabled on the server');
  await keyRows(page).first().locator('[data-testid=row-delete]').click();
  await page.getByText('确定删除这个密钥？').waitFor();
  await keyRows(page).first().getByRole('button', { name: '取消' }).click();
  assert((await keyRows(page).count()) === 1, 'cancel keeps the key');
  await keyRows(page).first().locator('[data-testid=row-delete]').click();
  await page.locator('[data-testid=confirm-delete]').click();
  await page.locator('[data-testid=no-keys]').waitFor();
  assert((await api('/api/user-api-keys', { token: u.token })).keys.length === 0, 'deleted on the server');
});

test('API keys: smart import from a JSON file; bad files get a readable error and change nothing', async ({ page }) => {
  const u = await newUser('import');
  await signInStorage(page, u);
  await page.goto(BASE + '/profile?tab=api');
  await page.locator('[data-testid=no-keys]').waitFor();
  const importFile = async (name, text) => {
    await page.setInputFiles('#import-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.click('[data-testid=import-btn]');
  };
  const errorShows = async (text) => {
    await page.locator('[data-testid=import-error]', { hasText: text }).waitFor();
  };
  await importFile('broken.json', '{"profiles": [ {"baseUrl": ');
  await errorShows('文件不是有效的 JSON');
  await importFile('other.json', '{"hello": "world"}');
  await errorShows('没有可导入的条目');
  const manifest = JSON.stringify({
    customProviders: [],
    profiles: [
      { name: 'Mock 图片', baseUrl: MOCK_API, model: 'mock-image-1', type: 'image' },
      { name: 'Mock 视频', baseUrl: MOCK_API, model: 'mock-video-1', type: 'video' },
      { name: 'Mock 文本', baseUrl: MOCK_API, model: 'mock-chat', type: 'multimodal' },
    ],
  });
  await importFile('manifest.json', manifest);
  await errorShows('条目没有 API Key'); // manifests carry no keys
  await importFile('bad-url.json', JSON.stringify([{ apiUrl: 'ftp://x', apiKey: 'sk-1' }]));
  await errorShows('http:// 或 https://');
  assert((await api('/api/user-api-keys', { token: u.token })).keys.length === 0, 'nothing saved by bad files');
  await page.fill('#import-key', 'sk-import-9876');
  await importFile('manifest.json', manifest);
  await page.locator('[data-testid=key-list] .key-row').nth(2).waitFor();
  const previews = await page.locator('[data-testid=key-preview]').allInnerTexts();
  assert(previews.length === 3 && previews.every((p) => p.trim() === '***9876'), `masked previews ${previews}`);
  assert((await page.locator('[data-testid=import-error]').innerText()).trim() === '', 'error cleared');
  const keys = (await api('/api/user-api-keys', { token: u.token })).keys;
  const types = keys.map((k) => k.type).sort().join(',');
  assert(types === 'image,text,video', `types imported (${types})`);
  assert(keys.every((k) => k.apiUrl === MOCK_API), 'URLs imported');
  // The imported key works against the upstream.
  await keyRows(page).first().locator('[data-testid=row-test]').click();
  await keyRows(page).first().locator('.probe-ok').waitFor();
  await shot(page, 'profile-api-imported-desktop');
});

// ---------- create center: the form ----------
test('create: model picker lists platform models with prices, then own keys; controls follow capabilities', async ({ page }) => {
  await page.goto(BASE + '/create?type=text2img');
  await page.locator('[data-testid=no-models]').waitFor(); // signed out: no models, a link to add a key
  assert(await page.locator('[data-testid=no-models] a[href="/profile?tab=api"]').count() === 1, 'link to the API keys tab');

  const admin = await adminToken();
  const tag = Date.now().toString(36);
  const imageName = `平台图片-${tag}`;
  await api('/api/admin/system-apis', { method: 'POST', token: admin, body: {
    name: imageName, modelName: 'mock-image-1', apiUrl: MOCK_API, apiKey: 'sk-platform-1', type: 'image',
    billingMode: 'fixed', creditsPerUse: 7, capabilities: { aspectRatios: ['1:1', '21:9'], resolutions: ['2K', '4K'] },
  } });
  await api('/api/admin/system-apis', { method: 'POST', token: admin, body: {
    name: `平台视频-${tag}`, modelName: 'mock-video-1', apiUrl: MOCK_API, apiKey: 'sk-platform-2', type: 'video',
    billingMode: 'duration', durationPricePerSecond: 3, capabilities: { durations: ['5', '10'] }, videoUsageModes: ['text-to-video'],
  } });
  const preset = `E2E风格-${tag}`;
  await api('/api/admin/style-presets', { method: 'POST', token: admin, body: { label: preset, prompt: 'Apply an e2e visual style' } });
  const u = await newUser('create');
  await api('/api/user-api-keys', { method: 'POST', token: u.token, body: {
    provider: 'Mock', apiUrl: MOCK_API, apiKey: 'sk-own-5555', modelName: 'my-image-model', note: '我的图片', type: 'image' } });

  await signInStorage(page, u);
  await page.goto(BASE + '/create?type=text2img');
  const options = page.locator('#create-model option');
  await options.first().waitFor({ state: 'attached' });
  const texts = await options.allInnerTexts();
  const mine = texts.findIndex((t) => t.includes('我的图片 / my-image-model'));
  const platform = texts.findIndex((t) => t.includes(imageName));
  assert(platform >= 0 && mine > platform, `platform models first, then own keys: ${texts}`);
  assert(texts[platform].includes('7 积分/次'), `price shown: ${texts[platform]}`);
  assert(!texts.some((t) => t.includes('平台视频')), 'video models are not offered for images');
  // The platform model declares ratios and resolutions, not formats.
  await page.selectOption('#create-model', { label: texts[platform] });
  await page.locator('#param-ratio').waitFor();
  assert((await page.locator('#param-ratio option').allInnerTexts()).join(',') === '1:1,21:9', 'ratios from capabilities');
  assert((await page.locator('#param-resolution option').allInnerTexts()).join(',') === '2K,4K', 'resolutions from capabilities');
  assert(await page.locator('#param-format').count() === 0, 'no format select when the model declares none');
  await page.selectOption('#create-model', { label: texts[mine] });
  await page.locator('#param-ratio').waitFor({ state: 'detached' });
  // Style presets from the server: one at a time, a second click deselects.
  const chip = page.locator('[data-testid=style-presets] button', { hasText: preset });
  await chip.click();
  assert((await chip.getAttribute('aria-pressed')) === 'true', 'preset selected');
  await chip.click();
  assert((await chip.getAttribute('aria-pressed')) === 'false', 'preset deselected');
  await shot(page, 'create-form-desktop');

  // Video: the text-to-video model with its per-second price, durations, camera and style.
  await page.click('[data-mode=text2video]');
  await page.waitForURL(/type=text2video/);
  await page.locator('#param-duration').waitFor();
  const vtexts = await page.locator('#create-model option').allInnerTexts();
  assert(vtexts.some((t) => t.includes('平台视频') && t.includes('3 积分/秒')), `video model and price: ${vtexts}`);
  await page.locator('#param-camera').waitFor();
  await page.locator('#param-video-style').waitFor();
  assert(await page.locator('[data-testid=style-presets]').count() === 0, 'image presets hidden for video');
  // Image-to-video lists only models that declare that use.
  await page.click('[data-mode=img2video]');
  await page.waitForURL(/type=img2video/);
  await page.locator('[data-testid=no-models]').waitFor();
  // Reverse prompt: analysis kind and output language.
  await page.goto(BASE + '/create?type=reverse-prompt');
  await page.locator('#reverse-kind').waitFor();
  assert((await page.locator('#reverse-kind option').allInnerTexts()).length === 3, 'general / structured / pixel-level');
  assert((await page.locator('#reverse-lang option').allInnerTexts()).join(',') === '中文,English', 'zh/en output');
});

test('create: reference images by click, drag-and-drop, paste and URL; big ones compressed; @参考图N mentions', async ({ page }) => {
  const u = await newUser('refs');
  await signInStorage(page, u);
  await page.goto(BASE + '/create?type=img2img');
  await page.locator('[data-testid=drop-zone]').waitFor();
  // A 3000x2000 noisy PNG (several MB) made by the browser itself, and a small one.
  const makePng = (w, h, noisy) => page.evaluate(([w, h, noisy]) => {
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    const ctx = c.getContext('2d');
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < img.data.length; i += 4) {
      img.data[i] = noisy ? Math.random() * 255 : 200; img.data[i + 1] = noisy ? Math.random() * 255 : 160;
      img.data[i + 2] = 80; img.data[i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return c.toDataURL('image/png').split(',')[1];
  }, [w, h, noisy]);
  const big = Buffer.from(await makePng(3000, 2000, true), 'base64');
  assert(big.length > 1.5 * 1024 * 1024, `test image is big (${big.length})`);
  const thumbs = page.locator('[data-testid=ref-thumbs] .ref-thumb');
  // 1. click: the drop zone opens the file chooser.
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=drop-zone]')]);
  await chooser.setFiles({ name: 'big.png', mimeType: 'image/png', buffer: big }, { timeout: 30000 }); // several MB: slow on a loaded machine
  await thumbs.first().waitFor();
  const first = thumbs.first();
  assert(Number(await first.getAttribute('data-width')) === 2048, 'longest edge capped at 2048');
  assert(Number(await first.getAttribute('data-height')) === 1365, 'aspect kept');
  assert(Number(await first.getAttribute('data-bytes')) <= 1.5 * 1024 * 1024, 'fits 1.5 MB');
  assert((await first.locator('img').getAttribute('src')).startsWith('data:image/jpeg'), 're-encoded as JPEG');
  // 2. drag-and-drop and 3. paste of a small PNG: kept as is.
  const small = await makePng(40, 30, false);
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'small.png', { type: 'image/png' }));
    const zone = document.querySelector('[data-testid=drop-zone]');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, small);
  await thumbs.nth(1).waitFor();
  assert((await thumbs.nth(1).locator('img').getAttribute('src')).startsWith('data:image/png'), 'small PNG kept');
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, small);
  await thumbs.nth(2).waitFor();
  // 4. URL, with a bad one refused.
  await page.fill('#ref-url', 'ftp://example.com/a.png');
  await page.click('[data-testid=ref-url-add]');
  await page.getByText('图片链接必须以 http:// 或 https:// 开头').waitFor();
  await page.fill('#ref-url', 'https://example.com/a.png');
  await page.click('[data-testid=ref-url-add]');
  await thumbs.nth(3).waitFor();
  // Mentions go into the prompt; removing an image renumbers the rest.
  await page.fill('#create-prompt', '把');
  await thumbs.nth(1).getByRole('button', { name: '@参考图2' }).click();
  assert((await page.inputValue('#create-prompt')) === '把 @参考图2', `mention inserted: ${await page.inputValue('#create-prompt')}`);
  await thumbs.first().getByRole('button', { name: '移除参考图' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=ref-thumbs] .ref-thumb').length === 3);
  assert(await thumbs.first().getByRole('button', { name: '@参考图1' }).count() === 1, 'renumbered');
  await shot(page, 'create-refs-desktop');
});

// ---------- create center: jobs ----------
const MOCK_ADMIN = process.env.MJ_MOCK_URL;
let modelSeq = 0;
async function mock(path, method = 'GET', body) {
  const res = await fetch(MOCK_ADMIN + path, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`mock ${method} ${path} -> ${res.status}`);
  return res.json().catch(() => null);
}
/** Adds a platform model served by the mock upstream; returns its display name. */
async function platformModel(kind, extra = {}) {
  const name = `E2E-${kind}-${Date.now().toString(36)}-${modelSeq++}`;
  const modelName = { image: 'gpt-image-1', video: 'mock-video-1', text: 'gpt-4o-mini' }[kind];
  await api('/api/admin/system-apis', { method: 'POST', token: await adminToken(), body: {
    name, modelName, apiUrl: MOCK_API, apiKey: 'sk-platform-e2e', type: kind, provider: 'mock', ...extra } });
  return name;
}
async function chooseModel(page, name) {
  const opt = page.locator('#create-model option', { hasText: name });
  await opt.waitFor({ state: 'attached' });
  await page.selectOption('#create-model', { label: await opt.innerText() });
}
const balanceOf = async (u) => (await api('/api/profile', { token: u.token })).profile.credits_balance;
async function waitJob(u, id, done = ['succeeded', 'failed', 'cancelled']) {
  for (let i = 0; i < 300; i++) {
    const j = await api(`/api/generation-jobs/${id}`, { token: u.token });
    if (done.includes(j.status)) return j;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`job ${id} did not finish`);
}
const tinyPng = 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDK+mmyAAAAABJRU5ErkJggg==';

test('create: text-to-image shows live progress, then the result: full screen, publish, reuse, send to image-to-image', async ({ page }) => {
  const model = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 3, capabilities: { aspectRatios: ['1:1', '16:9'], counts: ['1', '2'] } });
  await mock('/__mock/rules', 'POST', { path: '/v1/images/generations', times: 1, action: { type: 'delay', ms: 3000 } });
  const u = await newUser('t2i');
  const before = await balanceOf(u);
  await signInStorage(page, u);
  await page.goto(BASE + '/create?type=text2img');
  await page.locator('[data-testid=thread-empty]').waitFor();
  await chooseModel(page, model);
  await page.selectOption('#param-ratio', '16:9');
  await page.fill('#create-prompt', '一只在月光下的猫');
  await page.click('[data-testid=submit]');
  const card = page.locator('[data-testid=job-card]').first();
  await page.locator('[data-testid=job-card][data-status=running], [data-testid=job-card][data-status=queued]').first().waitFor();
  assert(/^\d\d:\d\d$/.test(await page.locator('[data-testid=job-elapsed]').innerText()), 'elapsed time shown');
  await page.locator('[role=progressbar]').waitFor();
  await shot(page, 'create-running-desktop');
  await page.locator('[data-testid=job-card][data-status=succeeded] [data-testid=result-img]').waitFor({ timeout: 30000 });
  const img = page.locator('[data-testid=result-img]').first();
  await page.waitForFunction(() => document.querySelector('[data-testid=result-img]').naturalWidth > 0);
  assert((await img.getAttribute('src')).startsWith('/api/local-storage/'), 'result stored by the server');
  assert(await card.getByText('-3 积分').count() === 1, 'cost shown');
  assert((await balanceOf(u)) === before - 3, 'charged 3 credits');
  const job = (await api('/api/generation-jobs', { token: u.token })).jobs[0];
  // Full screen: the thumbnail first, then the original.
  await page.click('[data-testid=result-open]');
  await page.locator('[data-testid=lightbox-img][data-showing=original]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=lightbox]').waitFor({ state: 'detached' });
  // Download goes through the download route with a short-lived token.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=result-grid] button', { hasText: '下载' }).first().click()]);
  assert(dl.url().includes('/api/download?') && dl.url().includes('downloadToken='), `download link: ${dl.url()}`);
  assert(/^miaojing-\d+\.\w+$/.test(dl.suggestedFilename()), `file name: ${dl.suggestedFilename()}`);
  assert(!(await dl.failure()), 'download completed');
  // Publish with a title: visible in the gallery listing with it.
  await page.click('[data-testid=publish]');
  await page.fill('[data-testid=publish-title]', '月光猫');
  await page.click('[data-testid=publish-confirm]');
  await page.getByRole('button', { name: '已分享' }).waitFor();
  const g = await api('/api/gallery?limit=60');
  assert(g.works.some((w) => w.id === job.result.workIds[0] && w.title === '月光猫'), 'published work is in the gallery with its title');
  await shot(page, 'create-result-desktop');
  // Reuse fills the form again; sending to image-to-image takes the original as reference.
  await page.fill('#create-prompt', '');
  await page.click('[data-testid=reuse]');
  assert((await page.inputValue('#create-prompt')) === '一只在月光下的猫', 'prompt reused');
  assert((await page.inputValue('#param-ratio')) === '16:9', 'ratio reused');
  await page.click('[data-testid=to-img2img]');
  await page.waitForURL(/type=img2img/);
  // The stored original becomes the reference, sent as data (the upstream cannot fetch a site-relative URL).
  const thumb = page.locator('[data-testid=ref-thumbs] .ref-thumb').first();
  await thumb.waitFor();
  assert((await thumb.locator('img').getAttribute('src')).startsWith('data:image/jpeg'), 'reference carried as data');
  const dims = job.result.dimensions[job.result.images[0]];
  assert(Number(await thumb.getAttribute('data-width')) === dims.width, `original size kept (${await thumb.getAttribute('data-width')} vs ${dims.width})`);
});

test('create: a refresh and a new tab recover a running video job; cancel leaves credits unchanged', async ({ page, context }) => {
  const model = await platformModel('video', { billingMode: 'duration', durationPricePerSecond: 2, capabilities: { durations: ['5'] }, videoUsageModes: ['text-to-video'] });
  await mock('/__mock/settings', 'PUT', { video_running_ms: 120000 });
  try {
    const u = await newUser('video');
    const before = await balanceOf(u);
    await signInStorage(page, u);
    await page.goto(BASE + '/create?type=text2video');
    await chooseModel(page, model);
    await page.fill('#create-prompt', '镜头缓缓推进的海边日落');
    await page.selectOption('#param-camera', 'push_in');
    await page.click('[data-testid=submit]');
    await page.locator('[data-testid=job-card][data-status=running]').waitFor({ timeout: 15000 });
    const id = await page.locator('[data-testid=job-card]').first().getAttribute('data-job');
    assert((await balanceOf(u)) === before, 'held, not charged');
    await page.reload();
    await page.locator(`[data-testid=job-card][data-job="${id}"][data-status=running]`).waitFor();
    assert((await page.locator('[data-testid=job-card] .job-prompt').innerText()).includes('海边日落'), 'prompt kept after reload');
    const tab = await context.newPage();
    await tab.goto(BASE + '/create?type=text2video');
    await tab.locator(`[data-testid=job-card][data-job="${id}"]`).waitFor();
    await tab.close();
    await page.click('[data-testid=job-cancel]');
    await page.getByText('已取消任务').first().waitFor();
    await page.locator('[data-testid=job-card]').waitFor({ state: 'detached' });
    const j = await api(`/api/generation-jobs/${id}`, { token: u.token });
    assert(j.status === 'cancelled', `cancelled on the server (${j.status})`);
    assert((await balanceOf(u)) === before, 'credits unchanged after cancel');
  } finally {
    await mock('/__mock/settings', 'PUT', { video_running_ms: 700 });
  }
});

test('create: a job that finished while the page was closed is shown once', async ({ page }) => {
  const model = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 1 });
  const u = await newUser('away');
  const r = await api('/api/generation-jobs', { method: 'POST', token: u.token, body: { type: 'image', payload: { prompt: '离开期间的作品', model } } });
  await waitJob(u, r.jobId);
  await signInStorage(page, u);
  await page.goto(BASE + '/create');
  await page.locator(`[data-testid=job-card][data-job="${r.jobId}"] [data-testid=while-away]`).waitFor();
  await page.locator('[data-testid=result-img]').waitFor();
  await page.locator('[data-testid=job-card] .job-prompt', { hasText: '离开期间的作品' }).waitFor(); // prompt from the history
  await page.reload();
  await page.locator('[data-testid=thread-empty]').waitFor();
  assert(await page.locator('[data-testid=job-card]').count() === 0, 'not shown a second time');
});

test('create: insufficient credits (402) and upstream failures are explained in plain words', async ({ page }) => {
  const dear = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 100000 });
  const broken = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 1, modelName: 'gpt-image-broken' });
  await mock('/__mock/rules', 'POST', { model: 'gpt-image-broken', action: { type: 'status', status: 401 } });
  try {
    const u = await newUser('errors');
    const before = await balanceOf(u);
    await signInStorage(page, u);
    await page.goto(BASE + '/create?type=text2img');
    await chooseModel(page, dear);
    await page.fill('#create-prompt', '一座很贵的城堡');
    await page.click('[data-testid=submit]');
    const panel = page.locator('[data-testid=error-panel]');
    await panel.waitFor();
    assert((await panel.innerText()).includes('积分不足'), `credits explained: ${await panel.innerText()}`);
    assert(await panel.locator('a[href="/profile?tab=credits"]').count() === 1, 'link to get credits');
    await shot(page, 'create-error-desktop');
    await chooseModel(page, broken);
    await page.click('[data-testid=submit]');
    const failed = page.locator('[data-testid=job-card][data-status=failed] [data-testid=error-panel]');
    await failed.waitFor({ timeout: 30000 });
    assert((await failed.innerText()).includes('繁忙'), `upstream failure explained: ${await failed.innerText()}`);
    assert((await balanceOf(u)) === before, 'nothing charged');
  } finally {
    await mock('/__mock/rules', 'DELETE');
  }
});

test('create: reverse prompt from an uploaded image; prompt suggestion', async ({ page }) => {
  await platformModel('text', { billingMode: 'fixed', creditsPerUse: 0 });
  const image = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 1 });
  const u = await newUser('reverse');
  await signInStorage(page, u);
  await page.goto(BASE + '/create?type=reverse-prompt');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid=drop-zone]')]);
  await chooser.setFiles({ name: 'pic.png', mimeType: 'image/png', buffer: Buffer.from(tinyPng, 'base64') });
  await page.locator('[data-testid=ref-thumbs] .ref-thumb').waitFor();
  await page.selectOption('#reverse-kind', 'general');
  await page.selectOption('#reverse-lang', 'en');
  await page.click('[data-testid=submit]');
  const out = page.locator('[data-testid=reverse-text]');
  await out.waitFor({ timeout: 20000 });
  assert((await out.innerText()).trim().length > 5, `a prompt came back: ${await out.innerText()}`);
  const recovered = (await out.innerText()).trim();
  await shot(page, 'create-reverse-desktop');
  await page.click('[data-testid=reverse-generate]');
  await page.waitForURL(/type=text2img/);
  assert((await page.inputValue('#create-prompt')).trim() === recovered, 'recovered prompt carried to text-to-image');
  await chooseModel(page, image);
  await page.fill('#create-prompt', '一只猫');
  await page.click('[data-testid=suggest]');
  await page.waitForFunction(() => document.querySelector('#create-prompt').value !== '一只猫');
  assert((await page.inputValue('#create-prompt')).length > 3, 'suggested prompt filled in');
});

test('phone 390x844: chat thread above a fixed composer; the latest card stays visible', async ({ browser }) => {
  const model = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 1 });
  const u = await newUser('chat');
  const ctx = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
  ctx.setDefaultTimeout(15000);
  const page = await ctx.newPage();
  try {
    await signInStorage(page, u);
    await page.goto(BASE + '/create?type=text2img');
    await chooseModel(page, model);
    for (const p of ['第一张：山', '第二张：水', '第三张：云']) {
      await page.fill('#create-prompt', p);
      await page.click('[data-testid=submit]');
      await page.locator('[data-testid=job-card] .job-prompt', { hasText: p }).waitFor();
    }
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=job-card][data-status=succeeded]').length === 3, null, { timeout: 30000 });
    await page.waitForTimeout(600);
    const boxes = await page.evaluate(() => {
      const r = (el) => el.getBoundingClientRect();
      const cards = [...document.querySelectorAll('[data-testid=job-card]')];
      return {
        order: cards.map((c) => c.querySelector('.job-prompt').textContent),
        last: r(cards[cards.length - 1]),
        composer: r(document.querySelector('[data-testid=create-form]')),
        composerPos: getComputedStyle(document.querySelector('[data-testid=create-form]')).position,
        bar: r(document.querySelector('.nav-links')),
        send: r(document.querySelector('[data-testid=submit]')),
      };
    });
    assert(boxes.order.join('|') === '第一张：山|第二张：水|第三张：云', `oldest to newest: ${boxes.order}`);
    assert(boxes.composerPos === 'fixed', 'composer fixed');
    assert(boxes.composer.bottom <= boxes.bar.top + 1, `composer above the bottom bar (${boxes.composer.bottom} vs ${boxes.bar.top})`);
    assert(boxes.send.bottom <= boxes.composer.bottom + 1 && boxes.send.top >= boxes.composer.top - 1, 'send button inside the composer');
    assert(boxes.last.bottom <= boxes.composer.top + 1, `latest card not hidden (${boxes.last.bottom} vs composer ${boxes.composer.top})`);
    assert(await overflowX(page) <= 0, 'no horizontal overflow');
    await shot(page, 'create-chat-phone');
  } finally {
    await ctx.close();
  }
});

test('create: image-to-video from a result; the video result loads only when played; English labels', async ({ page }) => {
  const image = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 1 });
  const video = await platformModel('video', { billingMode: 'duration', durationPricePerSecond: 1, capabilities: { durations: ['5'] }, videoUsageModes: ['image-to-video'] });
  const u = await newUser('i2v');
  await signInStorage(page, u);
  await page.goto(BASE + '/create?type=text2img');
  await chooseModel(page, image);
  await page.fill('#create-prompt', '静止的湖面');
  await page.click('[data-testid=submit]');
  await page.locator('[data-testid=to-img2video]').click();
  await page.waitForURL(/type=img2video/);
  await page.locator('[data-testid=ref-thumbs] img').waitFor();
  await chooseModel(page, video);
  await page.fill('#create-prompt', '湖面泛起涟漪');
  await page.click('[data-testid=submit]');
  const v = page.locator('[data-testid=job-card][data-status=succeeded] [data-testid=result-grid] video');
  await v.waitFor({ timeout: 30000 });
  assert((await v.getAttribute('preload')) === 'none', 'video waits for play');
  const job = (await api('/api/generation-jobs', { token: u.token })).jobs.find((j) => j.mode === 'img2video');
  assert(job && job.status === 'succeeded' && job.result.videos.length === 1, 'image-to-video job made a video');
  // English: the create page follows the language switch.
  await page.click('.lang-btn');
  await page.getByText('Reuse settings').first().waitFor();
  await page.getByRole('tab', { name: 'Image to video' }).waitFor();
  assert(await page.locator('#param-camera option', { hasText: 'Push in' }).count() === 1, 'camera movements translated');
  await page.click('.lang-btn');
});

// ---------- gallery and history ----------
/** Makes `n` finished image works for `u` (one job each) and returns the jobs. */
async function makeWorks(u, model, prompts) {
  const jobs = [];
  for (const prompt of prompts) {
    const r = await api('/api/generation-jobs', { method: 'POST', token: u.token, body: { type: 'image', payload: { prompt, model } } });
    jobs.push(await waitJob(u, r.jobId));
  }
  assert(jobs.every((j) => j.status === 'succeeded'), `works made: ${jobs.map((j) => j.status)}`);
  return jobs;
}

test('gallery: masonry, search, infinite scroll, cached first page, detail overlay, likes persist', async ({ page, browser }) => {
  const model = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 0 });
  const tag = `画廊${Date.now().toString(36)}`;
  const u = await newUser('gallery');
  const jobs = await makeWorks(u, model, Array.from({ length: 15 }, (_, i) => `${tag} 第${i + 1}幅`));
  for (const j of jobs) await api('/api/gallery/publish', { method: 'POST', token: u.token, body: { workId: j.result.workIds[0] } });
  const viewer = await newUser('viewer');
  await signInStorage(page, viewer);
  await page.goto(BASE + '/gallery');
  await page.fill('#gallery-search', tag);
  await page.press('#gallery-search', 'Enter');
  const items = page.locator('[data-testid=gallery-item]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=gallery-item]').length === 12);
  const cols = await page.evaluate(() => getComputedStyle(document.querySelector('.masonry')).columnCount);
  assert(cols === '4', `4 columns on desktop (${cols})`);
  // Scrolling near the end loads the next small page.
  await page.locator('.gallery-sentinel').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=gallery-item]').length === 15);
  await shot(page, 'gallery-desktop');
  // Detail overlay: stored size, copy, full screen.
  await items.first().locator('.masonry-open').click();
  const detail = page.locator('[data-testid=gallery-detail]');
  await detail.waitFor();
  assert(/^\d+ × \d+$/.test(await detail.locator('[data-testid=detail-size]').innerText()), 'size from stored metadata');
  await detail.locator('[data-testid=detail-fullscreen]').click();
  await page.locator('[data-testid=lightbox-img][data-showing=original]').waitFor();
  await page.click('[data-testid=lightbox-close]');
  // Like in the overlay; it persists after a reload.
  const first = await items.first().getAttribute('data-id');
  await detail.locator('[data-testid=detail-like]').click();
  await page.locator(`[data-testid=gallery-item][data-id="${first}"] [data-testid=like][aria-pressed=true]`).waitFor();
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  await page.reload();
  await page.fill('#gallery-search', tag);
  await page.press('#gallery-search', 'Enter');
  const liked = page.locator(`[data-testid=gallery-item][data-id="${first}"] [data-testid=like]`);
  await page.locator(`[data-testid=gallery-item][data-id="${first}"] [data-testid=like][aria-pressed=true]`).waitFor();
  assert((await liked.locator('[data-testid=likes]').innerText()) === '1', 'one like stored');
  // Reopening the gallery shows the cached first page even when the network is slow.
  await page.click('a[href="/create"]');
  await page.waitForURL(/\/create/);
  await page.route('**/api/gallery?*', async (route) => { await new Promise((ok) => setTimeout(ok, 4000)); await route.continue().catch(() => {}); });
  await page.click('a[href="/gallery"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=gallery-item]').length > 0, null, { timeout: 1500 });
  await page.unroute('**/api/gallery?*');
  // Phones keep two columns.
  const ctx = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
  const p = await ctx.newPage();
  await p.goto(BASE + '/gallery');
  await p.locator('[data-testid=gallery-item]').first().waitFor();
  assert((await p.evaluate(() => getComputedStyle(document.querySelector('.masonry')).columnCount)) === '2', 'two columns on phones');
  await shot(p, 'gallery-phone');
  await ctx.close();
});

test('profile history: filter by mode, publish, delete with confirmation', async ({ page }) => {
  const model = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 0 });
  const u = await newUser('history');
  const jobs = await makeWorks(u, model, ['历史作品一', '历史作品二']);
  await signInStorage(page, u);
  await page.goto(BASE + '/profile?tab=history');
  const items = page.locator('[data-testid=history-item]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-item]').length === 2);
  await page.selectOption('#history-mode', 'text2video');
  await page.locator('[data-testid=history-empty]').waitFor();
  await page.selectOption('#history-mode', 'text2img');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-item]').length === 2);
  // Publish one.
  const target = items.filter({ hasText: '历史作品一' });
  await target.locator('[data-testid=history-publish]').click();
  await target.locator('[data-testid=publish-confirm]').click();
  await target.getByRole('button', { name: '取消分享' }).waitFor();
  const work = jobs[0].result.workIds[0];
  assert((await api('/api/gallery?limit=60')).works.some((w) => w.id === work), 'published to the gallery');
  await shot(page, 'profile-history-items-desktop');
  // Delete the other after confirming.
  const other = items.filter({ hasText: '历史作品二' });
  await other.locator('[data-testid=history-delete]').click();
  await other.getByText('确认删除这件作品？').waitFor();
  await other.locator('[data-testid=history-confirm-delete]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-item]').length === 1);
  const left = await api('/api/creation-history', { token: u.token });
  assert(left.records.length === 1 && left.records[0].prompt === '历史作品一', 'deleted on the server');
});

const PAGES = [
  ['home', '/'], ['login', '/auth/login'], ['register', '/auth/register?invite=ABC123'], ['reset', '/auth/reset'],
  ['create', '/create'], ['gallery', '/gallery'], ['terms', '/terms'],
  ['profile-account', '/profile?tab=account', true], ['profile-membership', '/profile?tab=membership', true],
  ['profile-credits', '/profile?tab=credits', true], ['profile-history', '/profile?tab=history', true],
  ['profile-api', '/profile?tab=api', true],
];

test('phone 390x844: no horizontal overflow; screenshots of every page', async ({ page, browser }) => {
  const u = await newUser('shots');
  await api('/api/profile', { method: 'PUT', token: u.token, body: { displayNickname: '妙境用户' } });
  const bad = [];
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const theme of ['dark', 'light']) {
      const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1 });
      const p = await ctx.newPage();
      await p.goto(BASE + '/about');
      // Pop-ups from other tests would cover the pages: mark them read.
      const ids = (await api('/api/announcements')).map((a) => a.id);
      await p.evaluate(([t, ids]) => {
        localStorage.setItem('miaojing_theme', t);
        localStorage.setItem('miaojing_dismissed_announcements', JSON.stringify(ids));
      }, [theme, ids]);
      u.auth.user.preferred_theme = theme;
      await api('/api/profile/theme', { method: 'PUT', token: u.token, body: { theme } });
      for (const [name, path, signedIn] of PAGES) {
        if (signedIn) await signInStorage(p, u);
        await p.goto(BASE + path);
        await p.waitForLoadState('networkidle');
        if (size === 'phone') {
          const over = await overflowX(p);
          if (over > 0) bad.push(`${name} (${theme}) overflows by ${over}px`);
        }
        if (theme === 'dark' || ['home', 'profile-credits', 'login'].includes(name)) {
          await shot(p, `${name}-${size}${theme === 'light' ? '-light' : ''}`);
        }
      }
      await ctx.close();
    }
  }
  assert(bad.length === 0, bad.join('; '));
});

// ---------- sticky bars on a phone (defect 14) and the desktop layout ----------
/**
 * Checks the page's sticky bars as scrolled now: each bar named in `bars` (selector → label)
 * has an opaque background and is on top at every sampled point inside it
 * (`document.elementFromPoint` answers the bar or a child, never content scrolled under it),
 * and the page does not overflow sideways. `under` names content that must lie under the bar,
 * so the check has something to hide; `scroll` ([content, bar, nth]) first scrolls the `nth`
 * `content` element to a third of the way down `bar`. Returns the problems found.
 */
async function stickyProblems(page, bars, under, opaque = true, scroll = null) {
  return page.evaluate(([bars, under, opaque, scroll]) => {
    // Scroll and look in the same task: a card that grows when its picture arrives, or the
    // thread following its newest card, cannot move the content between the two.
    if (scroll) {
      const [content, bar, nth] = scroll;
      const el = document.querySelectorAll(content)[nth];
      const b = document.querySelector(bar).getBoundingClientRect();
      window.scrollBy(0, el.getBoundingClientRect().top - (b.top + b.height / 3));
    }
    const problems = [];
    const alpha = (c) => {
      if (c === 'transparent') return 0;
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return 1;
      const parts = m[1].split(/[ ,/]+/).filter(Boolean);
      return parts.length > 3 ? Number(parts[3]) : 1;
    };
    for (const [sel, label] of Object.entries(bars)) {
      const bar = document.querySelector(sel);
      if (!bar) { problems.push(`${label}: ${sel} missing`); continue; }
      const r = bar.getBoundingClientRect();
      const a = alpha(getComputedStyle(bar).backgroundColor);
      if (opaque && a < 1) problems.push(`${label}: background alpha ${a}`);
      if (under && under[sel]) {
        const hidden = [...document.querySelectorAll(under[sel])].some((el) => {
          const c = el.getBoundingClientRect();
          return c.top < r.bottom && c.bottom > r.top;
        });
        if (!hidden) problems.push(`${label}: nothing under it to test (${under[sel]})`);
      }
      for (const fy of [0.15, 0.5, 0.85]) {
        for (const fx of [0.05, 0.25, 0.5, 0.75, 0.95]) {
          const x = r.left + r.width * fx;
          const y = r.top + r.height * fy;
          const hit = document.elementFromPoint(x, y);
          if (!hit || !(hit === bar || bar.contains(hit))) {
            problems.push(`${label}: at (${Math.round(x)},${Math.round(y)}) ${hit ? hit.tagName.toLowerCase() + '.' + [...hit.classList].join('.') : 'nothing'} is on top`);
          }
        }
      }
    }
    const over = document.documentElement.scrollWidth - window.innerWidth;
    if (over > 0) problems.push(`overflows sideways by ${over}px`);
    return problems;
  }, [bars, under, opaque, scroll]);
}

test('phone 390 px: the mode tabs and the navbar stay opaque and on top while cards scroll under them (create, gallery, profile); 1440 px intact', async ({ browser }) => {
  const model = await platformModel('image', { billingMode: 'fixed', creditsPerUse: 0 });
  const u = await newUser('sticky');
  // Published works make the gallery long enough to scroll under the navbar.
  for (const j of await makeWorks(u, model, Array.from({ length: 6 }, (_, i) => `粘性画廊 ${i + 1}`))) {
    await api('/api/gallery/publish', { method: 'POST', token: u.token, body: { workId: j.result.workIds[0] } });
  }
  const bad = [];
  for (const [size, viewport] of [['phone', { width: 390, height: 844 }], ['wide', { width: 1440, height: 900 }]]) {
    const phone = size === 'phone';
    const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    ctx.setDefaultTimeout(15000);
    const page = await ctx.newPage();
    try {
      await signInStorage(page, u);
      const ids = (await api('/api/announcements')).map((a) => a.id);
      await page.evaluate((ids) => localStorage.setItem('miaojing_dismissed_announcements', JSON.stringify(ids)), ids);
      await page.goto(BASE + '/create?type=text2img');
      await chooseModel(page, model);
      for (const p of ['粘性一：远山', '粘性二：近水', '粘性三：流云'].map((t) => `${t} ${size}`)) {
        await page.fill('#create-prompt', p);
        await page.click('[data-testid=submit]');
        await page.locator('[data-testid=job-card] .job-prompt', { hasText: p }).waitFor();
      }
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=job-card][data-status=succeeded]').length >= 3, null, { timeout: 30000 });
      await page.waitForTimeout(400);
      if (phone) {
        // A card's header under the mode tabs, then under the navbar.
        for (const [bar, label] of [['.mode-bar', 'create: mode tabs'], ['.navbar', 'create: navbar']]) {
          const head = '[data-testid=job-card] .job-head';
          bad.push(...(await stickyProblems(page, { [bar]: label }, { [bar]: head }, true, [head, bar, 1])));
          await page.screenshot({ path: `${ARTIFACTS}/sticky-create-${bar.slice(1)}-phone.png` }); // the viewport, as seen
        }
        const [navBottom, barTop] = await page.evaluate(() => [
          document.querySelector('.navbar').getBoundingClientRect().bottom, document.querySelector('.mode-bar').getBoundingClientRect().top]);
        if (Math.abs(navBottom - barTop) > 1) bad.push(`create: a gap between the navbar (${navBottom}) and the mode tabs (${barTop})`);
      } else {
        bad.push(...(await stickyProblems(page, { '.navbar': 'create (1440): navbar' }, null, false)));
        const pos = await page.evaluate(() => getComputedStyle(document.querySelector('.mode-bar')).position);
        if (pos !== 'static') bad.push(`create (1440): the mode bar is ${pos}, expected the desktop layout`);
        await page.screenshot({ path: `${ARTIFACTS}/sticky-create-wide.png` });
      }
      for (const [name, path, content] of [['gallery', '/gallery', '[data-testid=gallery-item]'], ['profile', '/profile?tab=account', '.account-form .field']]) {
        await page.goto(BASE + path);
        await page.locator(content).first().waitFor();
        await page.waitForLoadState('networkidle');
        const under = phone ? { '.navbar': content } : null;
        bad.push(...(await stickyProblems(page, { '.navbar': `${name} (${size}): navbar` }, under, phone, [content, '.navbar', 1])));
        await page.screenshot({ path: `${ARTIFACTS}/sticky-${name}-${size}.png` });
      }
    } finally {
      await ctx.close();
    }
  }
  assert(bad.length === 0, bad.join('; '));
});

test('English UI: server errors are shown in English, by their code', async ({ page }) => {
  const u = await newUser('english-errors');
  await page.goto(BASE + '/auth/login');
  await page.click('.lang-btn');
  await page.getByRole('heading', { name: 'Sign in to MiaoJing' }).waitFor();
  await uiLogin(page, u.email, 'wrong-password1');
  const err = page.locator('.form-error:not(:empty)');
  await err.waitFor();
  const text = await err.innerText();
  assert(text.includes('Wrong account or password'), `English message for invalid_credentials: ${text}`);
  assert(!/[\u4e00-\u9fff]/.test(text), `no Chinese in the English error: ${text}`);
  // Signed in, the English choice is saved as the account's e-mail language.
  await uiLogin(page, u.email, u.password);
  await page.waitForURL(/\/create$/);
  for (let i = 0; i < 50; i++) {
    if ((await api('/api/profile', { token: u.token })).profile.preferred_language === 'en') break;
    await page.waitForTimeout(100);
  }
  assert((await api('/api/profile', { token: u.token })).profile.preferred_language === 'en', 'account language follows the UI');
  // The profile setting switches both back.
  await page.goto(BASE + '/profile');
  await page.locator('#pf-language').waitFor();
  assert((await page.inputValue('#pf-language')) === 'en', 'the setting shows English');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/profile') && r.request().method() === 'PUT');
  await page.selectOption('#pf-language', 'zh');
  assert((await (await saved).json()).profile.preferred_language === 'zh', 'PUT /api/profile saved zh');
  await page.getByRole('tab', { name: '账户' }).waitFor();
});

// ---------- runner ----------
process.exit((await runTests(tests, filter)) ? 1 : 0);

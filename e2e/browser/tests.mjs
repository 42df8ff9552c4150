// Browser tests of the MiaoJing SPA against the real server (started by run.sh).
// A tiny sequential runner (lib.mjs): each test gets a fresh browser context (empty storage).
import {
  BASE, MOCK_API, ADMIN, DESKTOP, PHONE, api, uniqueEmail, newUser, adminToken, assert, signInStorage, uiLogin,
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

test('profile tabs work with the keyboard; placeholders are labelled', async ({ page }) => {
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
  await page.locator('[data-placeholder=true]').waitFor(); // history arrives with the jobs API
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
  await chooser.setFiles({ name: 'big.png', mimeType: 'image/png', buffer: big });
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

// ---------- runner ----------
process.exit((await runTests(tests, filter)) ? 1 : 0);

import { expect, killServiceWorker, test } from './fixtures.ts';
import { PASSWORD, createWallet, setPassword, uiCall } from './wallet.ts';

test('the built extension is loaded: MV3 worker answers and the popup renders', async ({ sw, openExtensionPage, shot }) => {
  const manifest = await sw.evaluate(() => chrome.runtime.getManifest());
  expect(manifest.manifest_version).toBe(3);
  expect(manifest.name).toBe('Satnav');
  const popup = await openExtensionPage();
  await expect(popup.getByTestId('create-wallet')).toBeVisible();
  await shot(popup, '01-welcome');
});

test('create wallet, confirm words, lock, wrong password, unlock', async ({ openExtensionPage, shot, sw }) => {
  const popup = await openExtensionPage();
  const words = await createWallet(popup, shot);
  expect(words).toHaveLength(12);
  expect(new Set(words).size).toBeGreaterThan(1);
  await shot(popup, '05-home');

  // Nothing secret sits in storage.session: only the derived key, never the password or words.
  const session = JSON.stringify(await sw.evaluate(() => chrome.storage.session.get(null)));
  expect(session).not.toContain(PASSWORD);
  expect(session).not.toContain(words.slice(0, 3).join(' '));
  const local = JSON.stringify(await sw.evaluate(() => chrome.storage.local.get(null)));
  expect(local).not.toContain(PASSWORD);
  for (const w of words) expect(local).not.toMatch(new RegExp(`\\b${w} ${words[words.indexOf(w) + 1] ?? ''}\\b`));

  await popup.getByTestId('lock-button').click();
  await expect(popup.getByTestId('unlock-password')).toBeVisible();
  await shot(popup, '06-unlock');
  await popup.getByTestId('unlock-password').fill('not the password');
  await popup.getByTestId('unlock-submit').click();
  await expect(popup.getByTestId('form-error')).toBeVisible();
  await shot(popup, '07-unlock-wrong-password');
  await expect((await uiCall<{ unlocked: boolean }>(popup, { type: 'vault.status' })).unlocked).toBe(false);

  await popup.getByTestId('unlock-password').fill(PASSWORD);
  await popup.getByTestId('unlock-submit').click();
  await expect(popup.getByTestId('home')).toBeVisible();
});

test('a confirm step with a wrong word is refused', async ({ openExtensionPage }) => {
  const popup = await openExtensionPage();
  await popup.getByTestId('create-wallet').click();
  await popup.getByTestId('words-12').click();
  await popup.getByTestId('words-written').click();
  for (let k = 1; k <= 3; k++) await popup.getByTestId(`confirm-word-input-${k}`).fill('zzzz');
  await popup.getByTestId('confirm-words').click();
  await expect(popup.getByTestId('form-error')).toBeVisible();
  await expect(popup.getByTestId('password')).toHaveCount(0);
});

test('import: bad mnemonics are named, a good one imports', async ({ openExtensionPage, shot }) => {
  const popup = await openExtensionPage();
  await popup.getByTestId('import-wallet').click();
  const input = popup.getByTestId('import-mnemonic');
  const error = popup.getByTestId('form-error');

  await input.fill('abandon abandon abandon');
  await popup.getByTestId('import-submit').click();
  await expect(error).toContainText('3');

  await input.fill('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon satnavx');
  await popup.getByTestId('import-submit').click();
  await expect(error).toContainText('satnavx');
  await shot(popup, '08-import-unknown-word');

  // Valid words, wrong checksum.
  await input.fill('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon');
  await popup.getByTestId('import-submit').click();
  await expect(error).toBeVisible();

  await input.fill('legal winner thank year wave sausage worth useful legal winner thank yellow');
  await popup.getByTestId('import-submit').click();
  await setPassword(popup);
  await popup.getByTestId('settings-button').click();
  await popup.getByTestId('reveal-seed').click();
  await popup.getByTestId('reveal-password').fill(PASSWORD);
  await popup.getByTestId('reveal-submit').click();
  await expect(popup.getByTestId('revealed-word-12')).toHaveText('yellow');
  await shot(popup, '09-settings-reveal');
});

test('a killed service worker keeps the session unlocked, and a locked one locked', async ({ context, openExtensionPage, sw }) => {
  const popup = await openExtensionPage();
  await createWallet(popup);
  await killServiceWorker(context, popup);
  // The next message wakes a fresh worker; it must read the session, not start locked.
  expect((await uiCall<{ unlocked: boolean }>(popup, { type: 'vault.status' })).unlocked).toBe(true);
  const reopened = await openExtensionPage();
  await expect(reopened.getByTestId('home')).toBeVisible();

  await uiCall(popup, { type: 'vault.lock' });
  await killServiceWorker(context, popup);
  expect((await uiCall<{ unlocked: boolean }>(popup, { type: 'vault.status' })).unlocked).toBe(false);
  void sw;
});

test('auto-lock after the idle time, driven by the alarm', async ({ openExtensionPage, sw }) => {
  const popup = await openExtensionPage();
  await createWallet(popup);
  // 0.05 min = 3 s: a test-only value the API accepts (the UI offers whole minutes).
  await uiCall(popup, { type: 'settings.update', patch: { autoLockMinutes: 0.05 } });
  await popup.close();
  const alarms = await sw.evaluate(() => chrome.alarms.getAll());
  expect(alarms.map((a) => a.name)).toContain('satnav:autolock');
  // Without sending any message (which would count as activity), the alarm must lock the vault.
  await expect
    .poll(async () => Object.keys(await sw.evaluate(() => chrome.storage.session.get(null))).some((k) => k === 'vault.session'), {
      timeout: 20_000,
    })
    .toBe(false);
  const again = await openExtensionPage();
  await expect(again.getByTestId('unlock-password')).toBeVisible();
});

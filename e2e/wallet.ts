import type { BrowserContext, Page } from '@playwright/test';
import { expect } from './fixtures.ts';

export const PASSWORD = 'correct horse battery';

/** Walk the create flow in the popup; returns the words shown. */
export async function createWallet(popup: Page, shot?: (p: Page, n: string) => Promise<void>, words: 12 | 24 = 12): Promise<string[]> {
  await popup.getByTestId('create-wallet').click();
  await popup.getByTestId(`words-${words}`).click();
  await expect(popup.getByTestId(`mnemonic-word-${words}`)).toBeVisible();
  const mnemonic: string[] = [];
  for (let i = 1; i <= words; i++) mnemonic.push((await popup.getByTestId(`mnemonic-word-${i}`).innerText()).trim());
  if (shot) await shot(popup, '02-create-words');
  await popup.getByTestId('words-written').click();
  for (let k = 1; k <= 3; k++) {
    const input = popup.getByTestId(`confirm-word-input-${k}`);
    const position = Number(await input.getAttribute('data-position'));
    await input.fill(mnemonic[position - 1]!);
  }
  if (shot) await shot(popup, '03-confirm-words');
  await popup.getByTestId('confirm-words').click();
  await setPassword(popup, shot);
  return mnemonic;
}

export async function setPassword(popup: Page, shot?: (p: Page, n: string) => Promise<void>): Promise<void> {
  await popup.getByTestId('password').fill(PASSWORD);
  await popup.getByTestId('password-confirm').fill(PASSWORD);
  if (shot) await shot(popup, '04-password');
  await popup.getByTestId('password-submit').click();
  await expect(popup.getByTestId('home')).toBeVisible({ timeout: 20_000 });
}

/** Call the worker's UI API from an extension page, as the popup does. */
export async function uiCall<T = unknown>(page: Page, request: Record<string, unknown>): Promise<T> {
  const reply = await page.evaluate(
    (req) => chrome.runtime.sendMessage({ channel: 'satnav/ui', request: req }),
    request,
  );
  if (!reply?.ok) throw new Error(`uiCall ${String(request.type)}: ${JSON.stringify(reply)}`);
  return reply.result as T;
}

/**
 * A page of another origin (localhost: not 127.0.0.1) with the demo site's `path` in a frame, loaded:
 * what a widget or an ad inside somebody else's page is.
 */
export async function inFrameOfAnotherSite(context: BrowserContext, sitesUrl: string, path: string): Promise<{ page: Page; top: string }> {
  const top = sitesUrl.replace('127.0.0.1', 'localhost');
  const page = await context.newPage();
  await page.goto(`${top}/webln-direct.html`);
  await page.evaluate(
    (src) =>
      new Promise((loaded) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        frame.addEventListener('load', loaded, { once: true });
        document.body.append(frame);
      }),
    `${sitesUrl}${path}`,
  );
  return { page, top };
}

import type { BrowserContext, Frame, Page } from '@playwright/test';
import { expect } from './fixtures.ts';

/** Wait for Satnav's prompt window (a new page on the prompt URL). */
export async function nextPrompt(context: BrowserContext): Promise<Page> {
  const existing = context.pages().find((p) => p.url().includes('/extension/prompt/'));
  const prompt = existing ?? (await context.waitForEvent('page', { predicate: (p) => p.url().includes('/extension/prompt/'), timeout: 15_000 }));
  await prompt.setViewportSize({ width: 400, height: 640 });
  await expect(prompt.getByTestId('prompt-approve').or(prompt.getByTestId('prompt-unlock-submit'))).toBeVisible();
  return prompt;
}

export async function approveEnable(context: BrowserContext, allowanceSat = 1000, shot?: (p: Page, n: string) => Promise<void>): Promise<void> {
  const prompt = await nextPrompt(context);
  await prompt.getByTestId('prompt-allowance').fill(String(allowanceSat));
  if (shot) await shot(prompt, '20-prompt-enable');
  await answer(prompt, 'prompt-approve');
}

/** Click a prompt button that closes the window (the click may race the close). */
export async function answer(prompt: Page, testId: 'prompt-approve' | 'prompt-reject'): Promise<void> {
  await Promise.all([prompt.waitForEvent('close'), prompt.getByTestId(testId).click().catch(() => undefined)]);
}

/** The last result the demo shop printed (see demo-sites/public/shop.js), in a page or a frame. */
export async function lastResult<T = Record<string, unknown>>(page: Page | Frame, label: string): Promise<T> {
  await expect.poll(() => page.evaluate(() => (window as unknown as { lastResult?: { label: string } }).lastResult?.label)).toBe(label);
  return page.evaluate(() => (window as unknown as { lastResult: { value: T } }).lastResult.value);
}

export async function clearResult(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { lastResult?: unknown }).lastResult = undefined;
  });
}

/** The page asks its shop for an invoice of `amount` sat and pays it with `window.webln` (what the site sees back). */
export async function payFromPage(page: Page, amount: number, memo: string): Promise<{ ok: boolean; code?: string; name?: string }> {
  return page.evaluate(
    async ([a, m]) => {
      const pr = (await (await fetch(`/api/invoice?amount=${a}&memo=${m}`)).json()).paymentRequest as string;
      try {
        await window.webln!.sendPayment(pr);
        return { ok: true };
      } catch (e) {
        return { ok: false, code: (e as { code?: string }).code, name: (e as Error).name };
      }
    },
    [amount, memo] as const,
  );
}

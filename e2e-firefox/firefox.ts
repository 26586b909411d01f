import { existsSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { expect } from 'vitest';
import { FIREFOX_ID } from '../scripts/firefox-manifest.ts';

/**
 * Firefox ESR with dist-firefox/ loaded as a temporary add-on, driven by puppeteer-core over
 * WebDriver BiDi (Playwright can't drive Debian's Firefox; see shared/EXTENSION-TESTING.md).
 */
export const DIST_FIREFOX = path.resolve(import.meta.dirname, '..', 'dist-firefox');
export const FIREFOX = process.env.SATNAV_FIREFOX ?? '/usr/bin/firefox-esr';
export const PASSWORD = 'correct horse battery';

/**
 * Firefox gives each install a random internal UUID (the host of moz-extension:// URLs); this pref
 * fixes it, so extension pages have a known address.
 */
const UUID = '5a7f0e1c-4b1d-4c59-9a39-2f5e8b9d0c11';
export const EXTENSION_ORIGIN = `moz-extension://${UUID}`;

/** A raw BiDi command, for what puppeteer has no API for. */
type Send = (method: string, params: object) => Promise<{ result: Record<string, unknown> }>;

export class FirefoxWithSatnav {
  private constructor(
    readonly browser: Browser,
    private readonly send: Send,
  ) {}

  static async launch(): Promise<FirefoxWithSatnav> {
    if (!existsSync(FIREFOX)) throw new Error(`e2e-firefox: no Firefox at ${FIREFOX} (Debian: apt-get install firefox-esr, or set SATNAV_FIREFOX)`);
    if (!existsSync(path.join(DIST_FIREFOX, 'manifest.json'))) {
      throw new Error(`e2e-firefox: extension not built, missing ${DIST_FIREFOX}/manifest.json (run npm run build:firefox:devnet)`);
    }
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      protocol: 'webDriverBiDi',
      // BiDi refuses to navigate a tab to moz-extension:// and gives no privileged scripts (the only
      // way to stop the event page on demand, as about:debugging does) without this flag.
      args: ['--remote-allow-system-access'],
      // The pref: what --remote-allow-system-access does in Firefox ESR 140, which has no such flag yet.
      extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ID]: UUID }), 'remote.system-access-check.enabled': false },
    });
    expect(await browser.installExtension(DIST_FIREFOX)).toBe(FIREFOX_ID);
    const connection = (browser as unknown as { connection: { send: Send } }).connection;
    return new FirefoxWithSatnav(browser, (method, params) => connection.send(method, params));
  }

  /**
   * An extension page in a new tab (the popup by default). Navigated without waiting for BiDi's
   * navigation events: Firefox loads moz-extension:// pages in another process, and the events of
   * that switch never reach puppeteer (its goto times out on a page that loaded).
   */
  async openExtensionPage(page = 'extension/popup/index.html'): Promise<Page> {
    const tab = await this.browser.newPage();
    const context = (tab.mainFrame() as unknown as { _id: string })._id;
    const url = `${EXTENSION_ORIGIN}/${page}`;
    await this.send('browsingContext.navigate', { context, url, wait: 'none' });
    await expect
      .poll(() => tab.evaluate((u) => location.href === u && document.readyState === 'complete', url).catch(() => false), { timeout: 10_000, interval: 100 })
      .toBe(true);
    return tab;
  }

  /**
   * The page whose URL contains `part`, once it has loaded (a prompt window opens as a page of its
   * own). Asked of each page itself: puppeteer still names a moz-extension:// page about:blank.
   */
  async waitForPage(part: string, timeout = 15_000): Promise<Page> {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const page of await this.browser.pages()) {
        const loaded = await page.evaluate((p) => location.href.includes(p) && document.readyState === 'complete', part).catch(() => false);
        if (loaded) return page;
      }
      if (Date.now() > deadline) throw new Error(`no page at ${part} within ${timeout} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Whether a page at this URL is open now. */
  async hasPage(part: string): Promise<boolean> {
    const urls = await Promise.all((await this.browser.pages()).map((p) => p.evaluate(() => location.href).catch(() => '')));
    return urls.some((u) => u.includes(part));
  }

  /**
   * Whether BiDi gives scripts with the browser's own privileges here: Firefox ESR 140 has no
   * `moz:scope: 'chrome'` contexts (its getTree answers with the content tabs), so what needs them
   * (the event page's state, stopping it on demand) can't be checked there.
   */
  async systemAccess(): Promise<boolean> {
    return this.privileged(`typeof WebExtensionPolicy`).then((t) => t === 'function', () => false);
  }

  /** Whether Satnav's event page is running, as Firefox's add-on manager tracks it. */
  backgroundState(): Promise<string> {
    return this.privileged(`WebExtensionPolicy.getByID(${JSON.stringify(FIREFOX_ID)}).extension.backgroundState`);
  }

  /**
   * Stops Satnav's event page the way Firefox does when it is idle, through the call behind
   * about:debugging's "Terminate background script". Like the idle timer, that call only resets
   * the timer while a listener's promise is pending (and forgets those promises): asked again
   * until the page is stopped. The next event starts it again.
   */
  async terminateBackground(): Promise<void> {
    const terminate = `ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs').ExtensionParent.DebugUtils.terminateBackgroundScript(${JSON.stringify(FIREFOX_ID)})`;
    await expect
      .poll(
        async () => {
          await this.privileged(terminate);
          return this.backgroundState();
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe('stopped');
  }

  /** Evaluates an expression with the browser's own privileges (its main window), to a string. */
  private async privileged(expression: string): Promise<string> {
    const tree = await this.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
    const [window] = tree.result.contexts as Array<{ context: string }>;
    const { result } = await this.send('script.evaluate', { expression: `(async () => String(await (${expression})))()`, target: { context: window!.context }, awaitPromise: true });
    if (result.type !== 'success') throw new Error(`privileged script failed: ${JSON.stringify(result)}`);
    return (result.result as { value: string }).value;
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

/*
 * Extension pages are driven with page.evaluate alone: puppeteer's locators and waitForFunction build
 * their functions with Function(), which an extension page's CSP refuses in Firefox ESR 140.
 */
const WAIT = { timeout: 15_000, interval: 100 };

/** Until `selector` is in the page. */
export async function waitFor(page: Page, selector: string, timeout = WAIT.timeout): Promise<void> {
  await expect.poll(() => page.evaluate((s) => document.querySelector(s) !== null, selector).catch(() => false), { ...WAIT, timeout }).toBe(true);
}

/** Clicks the element with this test id once it is there and enabled (as a person would). */
export async function click(page: Page, testId: string): Promise<void> {
  const clicked = (s: string) =>
    page.evaluate((sel) => {
      const e = document.querySelector(sel) as HTMLButtonElement | null;
      if (!e || e.disabled) return false;
      e.click();
      return true;
    }, s);
  await expect.poll(() => clicked(`[data-testid="${testId}"]`).catch(() => false), WAIT).toBe(true);
}

/** Types into a (React) input: the value set through the element's own setter, then an input event. */
export async function fill(page: Page, testId: string, value: string): Promise<void> {
  const filled = (s: string) =>
    page.evaluate(
      (sel, v) => {
        const e = document.querySelector(sel) as HTMLInputElement | HTMLTextAreaElement | null;
        if (!e) return false;
        const proto = e instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
        Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(e, v);
        e.dispatchEvent(new Event('input', { bubbles: true }));
        return true;
      },
      s,
      value,
    );
  await expect.poll(() => filled(`[data-testid="${testId}"]`).catch(() => false), WAIT).toBe(true);
}

export async function text(page: Page, selector: string): Promise<string> {
  await waitFor(page, selector);
  return ((await page.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector)) as string).trim();
}

/** Calls the worker's UI API from an extension page, as the popup does. */
export async function uiCall<T = unknown>(page: Page, request: Record<string, unknown>): Promise<T> {
  const reply = await page.evaluate(
    (req) =>
      (globalThis as unknown as { browser: { runtime: { sendMessage(m: unknown): Promise<{ ok: boolean; result?: unknown } | undefined> } } }).browser.runtime.sendMessage({
        channel: 'satnav/ui',
        request: req,
      }),
    request,
  );
  if (!reply?.ok) throw new Error(`uiCall ${String(request.type)}: ${JSON.stringify(reply)}`);
  return reply.result as T;
}

/** Walks the create flow in the popup (as e2e/wallet.ts does in Chromium); returns the words shown. */
export async function createWallet(popup: Page): Promise<string[]> {
  await click(popup, 'create-wallet');
  await click(popup, 'words-12');
  const words: string[] = [];
  for (let i = 1; i <= 12; i++) words.push(await text(popup, `[data-testid="mnemonic-word-${i}"]`));
  await click(popup, 'words-written');
  for (let k = 1; k <= 3; k++) {
    const position = Number(await popup.evaluate((s) => document.querySelector(s)?.getAttribute('data-position'), `[data-testid="confirm-word-input-${k}"]`));
    await fill(popup, `confirm-word-input-${k}`, words[position - 1]!);
  }
  await click(popup, 'confirm-words');
  await fill(popup, 'password', PASSWORD);
  await fill(popup, 'password-confirm', PASSWORD);
  await click(popup, 'password-submit');
  await waitFor(popup, '[data-testid="home"]', 20_000);
  return words;
}

/** Clicks a prompt button that closes the prompt's window, and waits until it is gone. */
export async function answer(firefox: FirefoxWithSatnav, prompt: Page, testId: 'prompt-approve' | 'prompt-reject'): Promise<void> {
  const url = await prompt.evaluate(() => location.href);
  // The click may race the close; puppeteer hears of the closed window late: asked of the pages left.
  await click(prompt, testId).catch(() => undefined);
  await expect.poll(() => firefox.hasPage(url), { timeout: 10_000 }).toBe(false);
}

/** The value of an attribute of the page's root element, or undefined while the page is (re)loading. */
export async function rootAttribute(page: Page, name: string): Promise<string | null | undefined> {
  return page.evaluate((n) => document.documentElement.getAttribute(n), name).catch(() => undefined);
}

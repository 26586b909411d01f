import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import type { WebLNProvider } from '@webbtc/webln-types';
import { DIST } from './fixtures.ts';
import { expect, test } from './devnet-fixtures.ts';
import { answer, approveEnable, lastResult, nextPrompt } from './prompt.ts';
import { uiCall } from './wallet.ts';

type Failure = { name: string; code?: string; message: string };
type Limits = { sites: Array<{ origin: string; enabled: boolean }> };

async function invoiceFrom(page: Page, amount: number): Promise<string> {
  return page.evaluate(async (a) => (await (await fetch(`/api/invoice?amount=${a}&memo=test`)).json()).paymentRequest as string, amount);
}

async function enabledPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context);
  await lastResult(page, 'enable');
  return page;
}

/** Runs `expression` in Satnav's content-script (isolated) world of `page`'s main frame, over CDP. */
async function contentScriptWorld(context: BrowserContext, page: Page, url: string): Promise<{ run: <T>(expression: string) => Promise<T>; cdp: CDPSession }> {
  const cdp = await context.newCDPSession(page);
  const worlds: Array<{ id: number; name: string; auxData?: { type?: string } }> = [];
  cdp.on('Runtime.executionContextCreated', (e) => worlds.push(e.context));
  await cdp.send('Runtime.enable');
  await page.goto(url);
  await expect.poll(() => worlds.some((w) => w.auxData?.type === 'isolated' && w.name === 'Satnav')).toBe(true);
  const world = worlds.filter((w) => w.auxData?.type === 'isolated' && w.name === 'Satnav').at(-1)!;
  const run = async <T>(expression: string) => {
    const r = await cdp.send('Runtime.evaluate', { expression, contextId: world.id, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`content-script world: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  };
  return { run, cdp };
}

test('frames that are not the enabled site get nothing: sandboxed, srcdoc, data:; about:blank only acts as its parent', async ({ context, walletReady: popup, sites }) => {
  const page = await enabledPage(context, `${sites.url}/webln-direct.html`);
  const pr = await invoiceFrom(page, 10);
  await page.evaluate((src) => {
    const add = (attrs: Record<string, string>) => {
      const f = document.createElement('iframe');
      for (const [k, v] of Object.entries(attrs)) f.setAttribute(k, v);
      document.body.append(f);
    };
    // The enabled site's own page, but sandboxed by whoever embeds it: an opaque origin.
    add({ sandbox: 'allow-scripts', src });
    add({ sandbox: 'allow-scripts', srcdoc: '<p>sandboxed srcdoc</p>', name: 'sandboxed-srcdoc' });
    add({ srcdoc: '<p>srcdoc</p>', name: 'srcdoc' });
    add({ src: 'about:blank', name: 'blank' });
    add({ src: 'data:text/html,<p>data</p>', name: 'data' });
  }, `${sites.url}/webln-direct.html?sandboxed`);
  const sandboxedFrame = () => page.frames().find((f) => f.url().endsWith('?sandboxed'));
  await expect.poll(() => sandboxedFrame()?.evaluate(() => typeof window.webln)).toBe('object');
  await expect.poll(() => page.frames().length).toBe(6);

  // 1. The sandboxed copy of the enabled page has the provider, and the worker refuses its opaque origin.
  const sandboxed = sandboxedFrame()!;
  const refused = await sandboxed.evaluate(async (p) => {
    const out: Failure[] = [];
    const w = window.webln!;
    for (const call of [() => w.enable(), () => w.sendPayment(p), () => w.getInfo()]) {
      await call().then(
        () => out.push({ name: 'resolved', message: '' }),
        (e: Error & { code?: string }) => out.push({ name: e.name, code: e.code, message: e.message }),
      );
    }
    return out;
  }, pr);
  expect(refused.map(({ name, code }) => ({ name, code }))).toEqual(Array(3).fill({ name: 'RejectionError', code: 'FORBIDDEN' }));

  // 2. srcdoc, about:blank and data: frames get no provider (content scripts run in http(s) frames only).
  for (const name of ['sandboxed-srcdoc', 'srcdoc', 'blank', 'data']) {
    const frame = page.frame({ name })!;
    expect(await frame.evaluate(() => typeof (window as { webln?: unknown }).webln), name).toBe('undefined');
  }
  // An opaque-origin child can't reach its parent's provider either.
  expect(await page.frame({ name: 'sandboxed-srcdoc' })!.evaluate(() => { try { return typeof (parent as unknown as { webln: unknown }).webln; } catch (e) { return (e as Error).name; } })).toBe('SecurityError');
  // A same-origin about:blank child can use its parent's provider: it is that origin, and its parent can script it anyway.
  expect(await page.frame({ name: 'blank' })!.evaluate(() => (parent as unknown as { webln: { isEnabled(): Promise<boolean> } }).webln.isEnabled())).toBe(true);

  const { entries } = await uiCall<{ entries: unknown[] }>(popup, { type: 'activity.list' });
  expect(entries).toEqual([]);
  expect(context.pages().some((p) => p.url().includes('/extension/prompt/'))).toBe(false);
});

test("a page script can't take the bridge's port, inject a handshake, or make the bridge relay anything but WebLN", async ({ context, walletReady, sites }) => {
  void walletReady;
  const page = await enabledPage(context, `${sites.url}/webln-direct.html`);
  const result = await page.evaluate(async () => {
    const w = window.webln as WebLNProvider & { isEnabled(): Promise<boolean> };
    // A second handshake, late: the bridge offers no port to anyone.
    const offered: number[] = [];
    window.addEventListener('satnav:bridge-port', (e) => offered.push((e as MessageEvent).ports.length), true);
    window.dispatchEvent(new Event('satnav:provider-ready', { cancelable: true }));
    const offeredLate = offered.length;
    // A port of the page's own, offered to the provider: ignored, the real channel stays.
    const fake = new MessageChannel();
    const toFake: unknown[] = [];
    fake.port1.onmessage = (e) => toFake.push(e.data);
    window.dispatchEvent(new MessageEvent('satnav:bridge-port', { ports: [fake.port2], cancelable: true }));
    const stillEnabled = await w.isEnabled();
    // The provider's own port, grabbed by patching MessagePort: it can do no more than window.webln.
    let stolen: MessagePort | undefined;
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (this: MessagePort, ...args: Parameters<MessagePort['postMessage']>) {
      stolen = this;
      return post.apply(this, args);
    } as MessagePort['postMessage'];
    await w.isEnabled();
    MessagePort.prototype.postMessage = post;
    const ask = (message: Record<string, unknown>) =>
      new Promise<unknown>((resolve) => {
        const onReply = (e: MessageEvent) => {
          if ((e.data as { id: number }).id !== message.id) return;
          stolen!.removeEventListener('message', onReply);
          resolve(e.data);
        };
        stolen!.addEventListener('message', onReply);
        stolen!.postMessage(message);
      });
    return {
      offeredLate,
      toFake,
      stillEnabled,
      gotPort: stolen !== undefined,
      uiType: await ask({ id: 900_001, method: 'vault.reveal', params: { password: 'x' } }),
      uiChannel: await ask({ id: 900_002, method: 'approval.decide', channel: 'satnav/ui', request: { type: 'vault.status' } }),
      proto: await ask({ id: 900_003, method: '__proto__' }),
      extras: await ask({ id: 900_004, method: 'isEnabled', origin: 'https://elsewhere.example', channel: 'satnav/ui' }),
    };
  });
  expect(result.offeredLate).toBe(0);
  expect(result.toFake).toEqual([]);
  expect(result.stillEnabled).toBe(true);
  expect(result.gotPort).toBe(true);
  const refused = (id: number) => ({ id, ok: false, error: { code: 'UNSUPPORTED_METHOD', message: 'satnav: unknown method', name: 'UnsupportedMethodError' } });
  expect(result.uiType).toEqual(refused(900_001));
  expect(result.uiChannel).toEqual(refused(900_002));
  expect(result.proto).toEqual(refused(900_003));
  // Extra fields are dropped by the bridge; the answer is this frame's own.
  expect(result.extras).toEqual({ id: 900_004, ok: true, result: true });
});

test('the content-script world gets no UI API, no say in a prompt, and no storage', async ({ context, walletReady: popup, sites }) => {
  const page = await context.newPage();
  const { run } = await contentScriptWorld(context, page, `${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  const prompt = await nextPrompt(context);
  const id = new URL(prompt.url()).searchParams.get('id')!;

  const ui = (request: Record<string, unknown>) => run<{ ok: boolean; error?: { code: string } }>(`chrome.runtime.sendMessage(${JSON.stringify({ channel: 'satnav/ui', request })})`);
  expect(await ui({ type: 'approval.decide', id, decision: { approved: true, allowance: { sat: 1_000_000 } } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await ui({ type: 'vault.reveal', password: 'correct horse battery' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await ui({ type: 'limits.updateGlobal', patch: { dailyCap: { sat: 2_000_000 } } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  for (const area of ['session', 'local']) {
    expect(await run<string>(`chrome.storage.${area}.get(null).then((x) => 'read ' + Object.keys(x).length + ' keys', (e) => e.message)`), area).toMatch(/not allowed/i);
  }
  // The page channel from here still speaks for this frame only.
  const forged = await run<{ ok: boolean; error?: { code: string } }>(
    `chrome.runtime.sendMessage({ channel: 'satnav/page', origin: 'https://elsewhere.example', request: { method: 'getInfo' } })`,
  );
  expect(forged).toMatchObject({ ok: false, error: { code: 'SITE_NOT_ENABLED' } });

  // The question is still open, and only the person answers it.
  expect(await uiCall(popup, { type: 'approval.get', id })).toMatchObject({ id, request: { kind: 'enable' } });
  await answer(prompt, 'prompt-reject');
  expect(await lastResult<{ error: string }>(page, 'enable')).toMatchObject({ error: 'RejectionError' });
  const limits = await uiCall<Limits>(popup, { type: 'limits.get' });
  expect(limits.sites.filter((s) => s.enabled)).toEqual([]);
});

test('a site asking while another site’s question is open learns nothing about it', async ({ context, walletReady, sites }) => {
  void walletReady;
  const first = await context.newPage();
  await first.goto(`${sites.url}/webln-direct.html`);
  await first.getByRole('button', { name: 'Connect wallet' }).click();
  const prompt = await nextPrompt(context);
  const second = await context.newPage();
  await second.goto(`${sites.url.replace('127.0.0.1', 'localhost')}/webln-direct.html`);
  const failure = await second.evaluate(() => window.webln!.enable().then(
    () => undefined,
    (e: Error & { code?: string }) => ({ name: e.name, code: e.code, message: e.message }),
  ));
  expect(failure).toMatchObject({ name: 'RejectionError', code: 'APPROVAL_PENDING' });
  expect(failure!.message).not.toContain(new URL(sites.url).host);
  await answer(prompt, 'prompt-reject');
});

test('extension pages run no eval; web pages can neither message nor load them; demo pages fetch nothing remote', async ({ context, openExtensionPage, extensionId, sites }) => {
  const built = JSON.parse(readFileSync(path.join(DIST, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  expect(built).not.toHaveProperty('externally_connectable');
  expect(built).not.toHaveProperty('web_accessible_resources');
  expect(built.content_security_policy).toEqual({ extension_pages: "script-src 'self'; object-src 'self'" });

  // (Code evaluated over CDP is exempt from CSP, so the checks go through the page's own machinery.)
  const popup = await openExtensionPage();
  type Probe = { violations: string[]; inlineRan?: boolean; stringTimerRan?: boolean; remoteSettled?: boolean; laterTimerRan?: boolean };
  await popup.evaluate(() => {
    const probe = window as unknown as Probe;
    probe.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => probe.violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
    const inline = document.createElement('script');
    inline.textContent = 'window.inlineRan = true';
    document.head.append(inline);
    const remote = document.createElement('script');
    remote.src = 'https://cdn.example/x.js';
    for (const done of ['load', 'error']) remote.addEventListener(done, () => (probe.remoteSettled = true));
    document.head.append(remote);
    (setTimeout as unknown as (code: string, ms: number) => void)('window.stringTimerRan = true', 0);
    // Queued after the string timer with the same delay: once it has run, the string timer would have.
    setTimeout(() => (probe.laterTimerRan = true), 0);
  });
  // No sleep: wait until the browser has reported each refusal and both scripts and timers are settled.
  await expect
    .poll(() =>
      popup.evaluate(() => {
        const probe = window as unknown as Probe;
        return { violations: [...new Set(probe.violations)].sort(), remoteSettled: probe.remoteSettled === true, laterTimerRan: probe.laterTimerRan === true };
      }),
    )
    .toEqual({
      violations: ['script-src-elem https://cdn.example/x.js', 'script-src-elem inline', 'script-src eval'].sort(),
      remoteSettled: true,
      laterTimerRan: true,
    });
  const ran = await popup.evaluate(() => {
    const probe = window as unknown as Probe;
    return [probe.inlineRan, probe.stringTimerRan].map(Boolean);
  });
  expect(ran).toEqual([false, false]);

  const remote: string[] = [];
  const page = await context.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith(sites.url) && !r.url().startsWith('data:')) remote.push(r.url());
  });
  for (const file of ['index.html', 'webln-client.html', 'webln-direct.html', 'rewards.html']) await page.goto(`${sites.url}/${file}`, { waitUntil: 'networkidle' });
  expect(remote).toEqual([]);

  const reach = await page.evaluate(async (base) => {
    const chromeRuntime = typeof (window as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome?.runtime?.sendMessage;
    const fetched = await fetch(`${base}/extension/prompt/index.html`).then(() => 'loaded', (e: Error) => e.name);
    return { chromeRuntime, fetched };
  }, `chrome-extension://${extensionId}`);
  expect(reach).toEqual({ chromeRuntime: 'undefined', fetched: 'TypeError' });
});

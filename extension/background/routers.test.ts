import type { Runtime } from 'webextension-polyfill';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { moduleErrors } from '../../src/errors.ts';
import type { Envelope } from '../../src/messages/envelope.ts';
import type { PageContext } from '../../src/base/origin.ts';
import type { Services } from './services.ts';
import type { UiHandlers } from './ui-handlers.ts';

const ID = 'satnavsatnavsatnavsatnavsatnavsa';
vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: { id: 'satnavsatnavsatnavsatnavsatnavsa', getURL: (p: string) => `chrome-extension://satnavsatnavsatnavsatnavsatnavsa/${p}` },
    alarms: { create: async () => undefined, clear: async () => true },
  },
}));
const { routeUiMessage } = await import('./ui-router.ts');
const { routePageMessage } = await import('./page-router.ts');

const tab = { index: 0, highlighted: false, active: true, pinned: false, incognito: false } as Runtime.MessageSender['tab'];
const SHOP = 'https://shop.example';
const popup: Runtime.MessageSender = { id: ID, url: `chrome-extension://${ID}/extension/popup/index.html` };
const page = (origin: string, url = `${origin}/`): Runtime.MessageSender => ({ id: ID, tab, frameId: 0, url, origin } as Runtime.MessageSender);

/** Records every call that got past the routers' checks. */
let reached: string[];
let handle: (ctx: PageContext, method: unknown, params: unknown) => Promise<unknown>;
const services = (): Promise<Services> =>
  Promise.resolve({
    vault: { lockIfIdle: async () => false, status: async () => ({ initialized: true, unlocked: true, autoLockMinutes: 15 }), touch: async () => undefined },
    webln: { handle: (ctx: PageContext, method: unknown, params: unknown) => handle(ctx, method, params) },
  } as unknown as Services);
const handlers = new Proxy({} as UiHandlers, {
  get: (_t, type: string) => async () => {
    reached.push(type);
    return { ok: true };
  },
});
let contexts: PageContext[];
beforeEach(() => {
  reached = [];
  contexts = [];
  handle = async (ctx, method) => {
    reached.push(`${ctx.origin} ${String(method)}`);
    contexts.push(ctx);
    return { enabled: true };
  };
});

describe('UI API: only Satnav’s own pages', () => {
  const REQUESTS = [
    { type: 'vault.status' },
    { type: 'vault.reveal', password: 'hunter22hunter22' },
    { type: 'approval.decide', id: 'abc', decision: { approved: true, allowanceSat: 1_000_000 } },
    { type: 'limits.updateGlobal', patch: { dailyCapSat: 2_000_000 } },
    { type: 'node.connect', connection: { restUrl: 'https://evil.example', macaroon: '00' } },
  ];
  const SENDERS: Array<[why: string, sender: Runtime.MessageSender]> = [
    ['a content script in a web page', page(SHOP)],
    ['a content script in a frame of an enabled page', page('https://ads.example')],
    ['another extension', { id: 'otherotherotherotherotherotherot', url: 'chrome-extension://otherotherotherotherotherotherot/x.html' }],
  ];
  for (const [why, sender] of SENDERS) {
    for (const request of REQUESTS) {
      it(`${why} gets FORBIDDEN for ${request.type}`, async () => {
        const reply = await routeUiMessage(request, sender, services(), handlers);
        expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        expect(reached).toEqual([]);
      });
    }
  }

  it('the popup is served', async () => {
    expect(await routeUiMessage({ type: 'vault.status' }, popup, services(), handlers)).toEqual({ ok: true, result: { ok: true } });
    expect(reached).toEqual(['vault.status']);
  });

  const MALFORMED: Array<[why: string, request: unknown]> = [
    ['an unknown type', { type: 'vault.export' }],
    ['an extra key', { type: 'vault.lock', origin: SHOP }],
    ['a __proto__ key', JSON.parse('{"type":"vault.lock","__proto__":{"admin":true}}')],
    ['a constructor key', { type: 'vault.lock', constructor: 'x' }],
    ['an oversized password', { type: 'vault.unlock', password: 'x'.repeat(1025) }],
    ['an oversized approval id', { type: 'approval.get', id: 'x'.repeat(65) }],
    ['an extra key in a decision', { type: 'approval.decide', id: 'a', decision: { approved: true, origin: SHOP } }],
    ['not an object', 'vault.status'],
  ];
  for (const [why, request] of MALFORMED) {
    it(`refuses ${why} before any handler`, async () => {
      expect(await routeUiMessage(request, popup, services(), handlers)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(reached).toEqual([]);
    });
  }
});

describe('page requests: the origin is the sender’s', () => {
  it('an origin in the message body is refused, not used', async () => {
    const reply = await routePageMessage({ method: 'sendPayment', params: { paymentRequest: 'lnbc1' }, origin: SHOP }, page('https://evil.example'), services());
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', name: 'InvalidDataError' } });
    expect(reached).toEqual([]);
  });

  it('the service gets the browser’s origin', async () => {
    await routePageMessage({ method: 'enable' }, page('https://evil.example', `${SHOP}/looks-like-shop`), services());
    expect(reached).toEqual(['https://evil.example enable']);
  });

  it('a top-level frame carries no embedding; its tab id comes along', async () => {
    await routePageMessage({ method: 'enable' }, { ...page(SHOP), tab: { ...tab, id: 7, url: `${SHOP}/` } } as Runtime.MessageSender, services());
    expect(contexts).toEqual([{ origin: SHOP, tabId: 7 }]);
  });

  it('a subframe learns the top-level origin from the browser’s tab, not from the page', async () => {
    const frame = { ...page(SHOP), frameId: 3, tab: { ...tab, id: 7, url: 'https://news.example/article' } } as Runtime.MessageSender;
    await routePageMessage({ method: 'enable', params: { topOrigin: SHOP } }, frame, services());
    expect(contexts).toEqual([{ origin: SHOP, tabId: 7, topOrigin: 'https://news.example' }]);
  });

  it('a subframe whose tab URL the browser did not give counts as embedded in an unknown page', async () => {
    await routePageMessage({ method: 'enable' }, { ...page(SHOP), frameId: 3, tab: { ...tab, id: 7 } } as Runtime.MessageSender, services());
    expect(contexts).toEqual([{ origin: SHOP, tabId: 7, topOrigin: null }]);
  });

  for (const [why, sender] of [
    ['a sandboxed frame with the shop’s URL', page('null', `${SHOP}/`)],
    ['a sender without an origin', { id: ID, tab, url: `${SHOP}/` } as Runtime.MessageSender],
    ['Satnav’s popup', popup],
  ] as const) {
    it(`${why} is FORBIDDEN, a RejectionError`, async () => {
      expect(await routePageMessage({ method: 'enable' }, sender, services())).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', name: 'RejectionError' } });
      expect(reached).toEqual([]);
    });
  }

  for (const [why, raw] of [
    ['a __proto__ key', JSON.parse('{"method":"enable","__proto__":{"origin":"https://shop.example"}}')],
    ['a constructor key', { method: 'enable', constructor: { prototype: { origin: SHOP } } }],
    ['a method over 64 characters', { method: 'x'.repeat(65) }],
  ] as const) {
    it(`refuses ${why}`, async () => {
      expect(await routePageMessage(raw, page(SHOP), services())).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(reached).toEqual([]);
    });
  }
});

describe('page requests: what an error tells the page', () => {
  const fail = (e: unknown) => {
    handle = async () => {
      throw e;
    };
  };
  const errorOf = async () => ((await routePageMessage({ method: 'getInfo' }, page(SHOP), services())) as Envelope<never> & { ok: false }).error;

  it('the node’s own words stay in the worker; the page hears only that the node is unavailable', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const unavailable = { code: 'NODE_UNAVAILABLE', message: 'satnav: the wallet’s node is unavailable', name: 'ConnectionError' };
    fail(moduleErrors('node')('NODE_BAD_RESPONSE', 'not JSON', 'GET /v1/getinfo: <html>gateway for node-7.internal.lan, token=abc'));
    expect(await errorOf()).toEqual(unavailable);
    fail(moduleErrors('node')('NODE_AUTH', 'macaroon rejected', 'verification failed: signature mismatch after caveat verification'));
    expect(await errorOf()).toEqual(unavailable);
  });

  it('internal faults say nothing', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    fail(moduleErrors('ledger')('INVALID_ENTRY', 'invalid field', 'preimage'));
    expect(await errorOf()).toEqual({ code: 'INTERNAL', message: 'satnav: internal error', name: 'InternalError' });
    fail(new TypeError('cannot read x of undefined at /secret/path'));
    expect(await errorOf()).toEqual({ code: 'INTERNAL', message: 'satnav: internal error', name: 'InternalError' });
  });

  it('a budget refusal never says which limit, nor what is left', async () => {
    fail(moduleErrors('policy')('DAILY_CAP_EXCEEDED', 'daily_cap_exceeded', SHOP, { remainingDailySat: 12, origin: 'https://other.example' }));
    expect(await errorOf()).toEqual({ code: 'BUDGET_EXCEEDED', message: 'satnav: refused by the spending limits set in the wallet', name: 'RejectionError' });
  });
});

describe('page params: every free-form value is bounded', () => {
  it('webln.request params are capped at 16 KB of JSON', async () => {
    const { weblnParams } = await import('../../src/webln/params.ts');
    expect(weblnParams.request.safeParse({ method: 'decodepayreq', params: { pay_req: 'lnbc'.padEnd(7000, 'q') } }).success).toBe(true);
    expect(weblnParams.request.safeParse({ method: 'decodepayreq', params: { pay_req: 'x'.repeat(16_384) } }).success).toBe(false);
    expect(weblnParams.request.safeParse({ method: 'getinfo', params: Array(5000).fill([1, 2, 3]) }).success).toBe(false);
    // Deeply nested (JSON.stringify may throw on it): refused, never thrown.
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(weblnParams.request.safeParse({ method: 'getinfo', params: deep }).success).toBe(false);
  });
});

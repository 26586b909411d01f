import type { Runtime } from 'webextension-polyfill';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PageContext } from '../../src/base/origin.ts';
import { moduleErrors } from '../../src/errors.ts';
import type { LnurlResult } from '../../src/webln/lnurl-flow.ts';
import type { LinkHooks } from '../../src/webln/service.ts';

const ID = 'satnavsatnavsatnavsatnavsatnavsa';
vi.mock('webextension-polyfill', () => ({
  default: { runtime: { id: 'satnavsatnavsatnavsatnavsatnavsa', getURL: (p: string) => `chrome-extension://satnavsatnavsatnavsatnavsatnavsa/${p}` } },
}));
const { LINKS_PER_MINUTE, LinkRouter, noticeText, REASON_MAX_CHARS } = await import('./links.ts');
type Notice = Parameters<typeof noticeText>[0];

const NEWS = 'https://news.example';
const tab = (id: number, url = `${NEWS}/`) => ({ id, url, index: 0, highlighted: false, active: true, pinned: false, incognito: false }) as Runtime.MessageSender['tab'];
const page = (o: { origin?: string; tabId?: number; frameId?: number; topUrl?: string } = {}): Runtime.MessageSender =>
  ({ id: ID, tab: tab(o.tabId ?? 7, o.topUrl), frameId: o.frameId ?? 0, url: `${o.origin ?? NEWS}/page`, origin: o.origin ?? NEWS }) as Runtime.MessageSender;
const LINK = { href: 'lnurlw://news.example/w' };
const links = moduleErrors('links');

let opened: Array<{ ctx: PageContext; href: string }>;
let notices: Notice[];
let now: number;
/** What the next flows do: resolve to a result, throw, or wait until released. */
let outcome: (hooks: LinkHooks) => Promise<LnurlResult>;
const router = () =>
  new LinkRouter({
    open: async (ctx, href, hooks) => {
      opened.push({ ctx, href });
      return outcome(hooks);
    },
    notify: (n) => notices.push(n),
    now: () => now,
  });

beforeEach(() => {
  opened = [];
  notices = [];
  now = 1_000_000;
  outcome = async () => ({ status: 'OK' });
});

describe('LinkRouter: a known message from a tab’s content script, or nothing happens', () => {
  const senders: Array<[why: string, sender: Runtime.MessageSender]> = [
    ['an extension page (no tab)', { id: ID, url: `chrome-extension://${ID}/extension/popup/index.html` }],
    ['another extension', { ...page(), id: 'otherotherotherotherotherotherot' }],
    ['a sandboxed frame (opaque origin)', { ...page(), origin: 'null' } as Runtime.MessageSender],
    ['a file: page', { ...page(), origin: 'file://', url: 'file:///tmp/x.html' } as Runtime.MessageSender],
    ['no tab at all', { id: ID, frameId: 0, url: `${NEWS}/`, origin: NEWS } as Runtime.MessageSender],
  ];
  for (const [why, sender] of senders)
    it(`ignores ${why}`, async () => {
      await router().route(LINK, sender);
      expect(opened).toEqual([]);
      expect(notices).toEqual([]);
    });
  const messages: Array<[why: string, raw: unknown]> = [
    ['no href', {}],
    ['an extra origin field', { ...LINK, origin: 'https://bank.example' }],
    ['not an object', 'lnurlw://news.example/w'],
  ];
  for (const [why, raw] of messages)
    it(`ignores a message with ${why}`, async () => {
      await router().route(raw, page());
      expect(opened).toEqual([]);
    });

  it('the origin is the sender’s; a frame of another site is told as inside its tab’s page', async () => {
    const r = router();
    await r.route(LINK, page());
    await r.route(LINK, page({ origin: 'https://ads.example', frameId: 3, tabId: 8 }));
    expect(opened.map((o) => o.ctx)).toEqual([
      { origin: NEWS, tabId: 7 },
      { origin: 'https://ads.example', tabId: 8, topOrigin: NEWS },
    ]);
  });
});

describe('LinkRouter: limits per tab', () => {
  it('one link at a time per tab: a second while the first is open is refused and said', async () => {
    let release!: () => void;
    outcome = () => new Promise((resolve) => (release = () => resolve({ status: 'OK' })));
    const r = router();
    const first = r.route(LINK, page());
    await r.route(LINK, page());
    expect(notices).toEqual([{ kind: 'failed', code: 'APPROVAL_PENDING' }]);
    // Another tab is not held up by this one.
    outcome = async () => ({ status: 'OK' });
    await r.route(LINK, page({ tabId: 9 }));
    release();
    await first;
    expect(opened.map((o) => o.ctx.tabId)).toEqual([7, 9]);
    // Once it is over, the tab may open the next.
    await r.route(LINK, page());
    expect(opened).toHaveLength(3);
  });

  it(`at most ${LINKS_PER_MINUTE} links a minute per tab, then again after a minute`, async () => {
    const r = router();
    for (let i = 0; i < LINKS_PER_MINUTE + 2; i++) await r.route(LINK, page());
    expect(opened).toHaveLength(LINKS_PER_MINUTE);
    expect(notices).toEqual([
      { kind: 'failed', code: 'RATE_LIMITED' },
      { kind: 'failed', code: 'RATE_LIMITED' },
    ]);
    await r.route(LINK, page({ tabId: 9 }));
    expect(opened).toHaveLength(LINKS_PER_MINUTE + 1);
    now += 60_000;
    await r.route(LINK, page());
    expect(opened).toHaveLength(LINKS_PER_MINUTE + 2);
  });
});

describe('LinkRouter: what the person is told', () => {
  it('a "no" is not told back; a refusal is told by its code', async () => {
    outcome = async () => {
      throw links('REJECTED', 'the person declined');
    };
    await router().route(LINK, page());
    expect(notices).toEqual([]);
    outcome = async () => {
      throw links('LNURL_INVALID', 'bad');
    };
    await router().route(LINK, page());
    expect(notices).toEqual([{ kind: 'failed', code: 'LNURL_INVALID' }]);
  });
  it('a fault that is no SatnavError reads as INTERNAL', async () => {
    outcome = async () => {
      throw new TypeError('boom');
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await router().route(LINK, page());
    warn.mockRestore();
    expect(notices).toEqual([{ kind: 'failed', code: 'INTERNAL' }]);
  });
  it('the service’s own words with whose they are, or one line for any failure on the wire', async () => {
    outcome = async () => ({ status: 'ERROR', reason: 'this reward was already claimed', domain: 'news.example' });
    await router().route(LINK, page());
    outcome = async () => ({ status: 'ERROR', reason: 'LNURL service failed' });
    await router().route(LINK, page({ tabId: 9 }));
    expect(notices).toEqual([{ kind: 'serviceSaid', domain: 'news.example', reason: 'this reward was already claimed' }, { kind: 'serviceFailed' }]);
  });
  it('a reward claimed without a prompt is told', async () => {
    outcome = async (hooks) => {
      hooks.onAutoClaim?.('news.example', 500);
      return { status: 'OK' };
    };
    await router().route(LINK, page());
    expect(notices).toEqual([{ kind: 'claimed', domain: 'news.example', amountSat: 500 }]);
  });
});

describe('noticeText', () => {
  const t = (key: string, subs?: string[]) => (key === 'error_NO_TEXT' ? '' : `${key}${subs ? `(${subs.join('|')})` : ''}`);
  const cases: Array<[Notice, { title: string; message: string }]> = [
    [{ kind: 'claimed', domain: 'news.example', amountSat: 500 }, { title: 'link_notifyClaimedTitle', message: 'link_notifyClaimedBody(500|news.example)' }],
    [{ kind: 'failed', code: 'LNURL_UNSUPPORTED' }, { title: 'link_notifyFailedTitle', message: 'link_channelUnsupported' }],
    [{ kind: 'failed', code: 'INVOICE_EXPIRED' }, { title: 'link_notifyFailedTitle', message: 'error_INVOICE_EXPIRED' }],
    [{ kind: 'failed', code: 'NO_TEXT' }, { title: 'link_notifyFailedTitle', message: 'link_notifyFailedBody' }],
    [{ kind: 'serviceSaid', domain: 'shop.example', reason: 'sold out' }, { title: 'link_notifyFailedTitle', message: 'link_serviceSaid(shop.example|sold out)' }],
    [{ kind: 'serviceFailed' }, { title: 'link_notifyFailedTitle', message: 'link_serviceFailed' }],
  ];
  for (const [n, text] of cases) it(`${n.kind} ${'code' in n ? n.code : ''}`, () => expect(noticeText(n, t)).toEqual(text));

  /** What a service's reason reads as in the notice (its domain is named before it). */
  const said = (reason: string) => noticeText({ kind: 'serviceSaid', domain: 'shop.example', reason }, (key, subs) => (key === 'link_serviceSaid' ? subs![1]! : key)).message;
  it('a service’s text on one line: no control, format or direction characters', () => {
    expect(said('sold out\n\nSatnav: your wallet is locked')).toBe('sold out Satnav: your wallet is locked');
    expect(said('\u0000\u0007try\tagain\u001b[31m\u007f later\u2028now')).toBe('try again [31m later now');
    // RIGHT-TO-LEFT OVERRIDE and isolates would reorder the line; zero-width characters hide text.
    expect(said('\u202Edias vanstaS\u202C \u2067x\u2069\u200B\uFEFF')).toBe('dias vanstaS x');
  });
  it(`a service’s text is cut at ${REASON_MAX_CHARS} characters, with an ellipsis`, () => {
    expect(said('a'.repeat(REASON_MAX_CHARS))).toBe('a'.repeat(REASON_MAX_CHARS));
    expect(said('a'.repeat(REASON_MAX_CHARS + 1))).toBe(`${'a'.repeat(REASON_MAX_CHARS - 1)}…`);
    // Counted in characters: an emoji is never cut in half.
    const emoji = said('😀'.repeat(REASON_MAX_CHARS + 5));
    expect([Array.from(emoji).length, emoji.endsWith('😀…')]).toEqual([REASON_MAX_CHARS, true]);
  });
  it('a service’s text with nothing left once cleaned reads as a failed service', () => {
    expect(noticeText({ kind: 'serviceSaid', domain: 'shop.example', reason: '\u202E\n\u0000 ' }, t).message).toBe('link_serviceFailed');
  });
});

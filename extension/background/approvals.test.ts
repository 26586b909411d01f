import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isSatnavError } from '../../src/errors.ts';
import { MemoryStore } from '../../src/storage/kv.ts';
import type { ApprovalDecision } from '../../src/webln/approval.ts';

const b = vi.hoisted(() => {
  const removedListeners: Array<(windowId: number) => void> = [];
  let nextWindow = 100;
  return {
    removedListeners,
    created: [] as string[],
    windows: [] as number[],
    removed: [] as number[],
    create: async (o: { url: string }) => {
      b.created.push(o.url);
      b.windows.push(nextWindow);
      return { id: nextWindow++ };
    },
  };
});
vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: { getURL: (p: string) => `chrome-extension://satnav/${p}` },
    windows: {
      create: (o: { url: string }) => b.create(o),
      remove: async (id: number) => void b.removed.push(id),
      onRemoved: { addListener: (fn: (id: number) => void) => b.removedListeners.push(fn) },
    },
    storage: { session: { get: async () => ({}) } },
  },
}));
const { Approvals } = await import('./approvals.ts');

const SHOP = 'https://shop.example';
const EVIL = 'https://evil.example';
const idOf = (url: string) => new URL(url).searchParams.get('id')!;
const closeWindow = (id: number) => b.removedListeners.at(-1)!(id);
const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (isSatnavError(e) ? e.code : String(e)));
/** Let the pending awaits inside ask() run. */
const settle = () => new Promise((r) => setTimeout(r, 0));
/** Ask, let the window open, answer in it. */
async function askAndAnswer(origin: string, decision: ApprovalDecision, context?: { tabId: number }, kind: 'enable' | 'unlock' = 'enable') {
  const answer = approvals.ask({ kind, origin }, context);
  await settle();
  approvals.decide(idOf(b.created.at(-1)!), decision);
  return answer;
}

let approvals: InstanceType<typeof Approvals>;
beforeEach(() => {
  b.created.length = 0;
  b.windows.length = 0;
  b.removed.length = 0;
  approvals = new Approvals(new MemoryStore());
});
afterEach(() => vi.useRealTimers());

describe('Approvals: one question at a time', () => {
  it('two questions from one site in the same tick open one window; the other is refused', async () => {
    const first = approvals.ask({ kind: 'enable', origin: SHOP });
    const second = approvals.ask({ kind: 'enable', origin: 'https://www.shop.example' });
    expect(await codeOf(second)).toBe('APPROVAL_PENDING');
    await settle();
    expect(b.created).toHaveLength(1);
    approvals.decide(idOf(b.created[0]!), { approved: true });
    expect(await first).toEqual({ approved: true });
  });

  it('APPROVAL_PENDING does not tell a page which site is being asked', async () => {
    void approvals.ask({ kind: 'enable', origin: SHOP }, { tabId: 1 });
    const refused = await approvals.ask({ kind: 'enable', origin: EVIL }, { tabId: 1 }).catch((e: Error) => e);
    expect((refused as Error).message).not.toContain(SHOP);
    expect((refused as Error).message).not.toContain('shop');
  });

  it('the next question can open once the first is answered', async () => {
    const first = approvals.ask({ kind: 'enable', origin: SHOP });
    await settle();
    approvals.decide(idOf(b.created[0]!), { approved: false });
    await first;
    void approvals.ask({ kind: 'enable', origin: EVIL });
    await settle();
    expect(b.created).toHaveLength(2);
  });
});

describe('Approvals: a flooding site does not starve the others', () => {
  it('a question from another site waits for the open window instead of being refused', async () => {
    const first = approvals.ask({ kind: 'enable', origin: EVIL }, { tabId: 1 });
    const other = approvals.ask({ kind: 'enable', origin: SHOP }, { tabId: 2 });
    await settle();
    expect(b.created).toHaveLength(1);
    closeWindow(b.windows[0]!);
    expect(await first).toEqual({ approved: false });
    await settle();
    expect(b.created).toHaveLength(2);
    approvals.decide(idOf(b.created[1]!), { approved: true });
    expect(await other).toEqual({ approved: true });
  });

  it('while its question is open, a site (any subdomain) or tab is refused at once and never queues', async () => {
    void approvals.ask({ kind: 'enable', origin: 'https://a1.evil.example' }, { tabId: 1 });
    const flood = Array.from({ length: 20 }, (_, i) => approvals.ask({ kind: 'enable', origin: `https://a${i + 2}.evil.example` }, { tabId: 10 + i }));
    const sameTab = approvals.ask({ kind: 'enable', origin: 'https://elsewhere.example' }, { tabId: 1 });
    expect(await Promise.all(flood.map(codeOf))).toEqual(Array(20).fill('APPROVAL_PENDING'));
    expect(await codeOf(sameTab)).toBe('APPROVAL_PENDING');
    // The queue stayed empty: the person's next window is another site's, not the flooder's.
    const shop = approvals.ask({ kind: 'enable', origin: SHOP }, { tabId: 2 });
    await settle();
    closeWindow(b.windows[0]!);
    await settle();
    expect(b.created).toHaveLength(2);
    approvals.decide(idOf(b.created[1]!), { approved: true });
    expect(await shop).toEqual({ approved: true });
  });

  it('the waiting line is short: past four waiting questions the next is refused', async () => {
    void approvals.ask({ kind: 'enable', origin: SHOP });
    for (const i of [1, 2, 3, 4]) void approvals.ask({ kind: 'enable', origin: `https://site${i}.example` });
    expect(await codeOf(approvals.ask({ kind: 'enable', origin: 'https://site5.example' }))).toBe('APPROVAL_PENDING');
  });

  it('a waiting question gives up after a minute; the open one is unaffected', async () => {
    vi.useFakeTimers();
    const open = approvals.ask({ kind: 'enable', origin: SHOP });
    const waiting = codeOf(approvals.ask({ kind: 'enable', origin: EVIL }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await waiting).toBe('APPROVAL_PENDING');
    approvals.decide(idOf(b.created[0]!), { approved: true });
    expect(await open).toEqual({ approved: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(b.created).toHaveLength(1);
  });
});

describe('Approvals: anything but an answer is "no"', () => {
  it('closing the window resolves as not approved', async () => {
    const answer = approvals.ask({ kind: 'enable', origin: SHOP });
    await settle();
    closeWindow(b.windows[0]!);
    expect(await answer).toEqual({ approved: false });
    await expect(approvals.get(idOf(b.created[0]!))).rejects.toMatchObject({ code: 'APPROVAL_UNKNOWN' });
  });

  it('a question nobody answers times out as not approved, and its window is closed', async () => {
    vi.useFakeTimers();
    const answer = approvals.ask({ kind: 'enable', origin: SHOP });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(await answer).toEqual({ approved: false });
    expect(b.removed).toEqual([b.windows[0]]);
  });

  it('a window that fails to open is a "no"', async () => {
    const create = b.create;
    b.create = async () => {
      throw new Error('no windows here');
    };
    try {
      expect(await approvals.ask({ kind: 'enable', origin: SHOP })).toEqual({ approved: false });
    } finally {
      b.create = create;
    }
  });

  it('an answer to an unknown or finished question is refused', async () => {
    expect(() => approvals.decide('nope', { approved: true })).toThrow(/no pending question/);
    const answer = approvals.ask({ kind: 'enable', origin: SHOP });
    await settle();
    const id = idOf(b.created[0]!);
    approvals.decide(id, { approved: false });
    await answer;
    expect(() => approvals.decide(id, { approved: true })).toThrow(/no pending question/);
  });
});

describe('Approvals: a site that is told "no" again and again goes quiet', () => {
  it('three "no"s in a row: the fourth question is refused without a window, for a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let i = 0; i < 3; i++) await askAndAnswer(SHOP, { approved: false });
    expect(b.created).toHaveLength(3);
    expect(await codeOf(approvals.ask({ kind: 'enable', origin: SHOP }))).toBe('REJECTED');
    expect(b.created).toHaveLength(3);
    // Other sites are not affected.
    expect(await askAndAnswer(EVIL, { approved: true })).toEqual({ approved: true });
    vi.setSystemTime(Date.now() + 60_000);
    await askAndAnswer(SHOP, { approved: false });
    expect(b.created).toHaveLength(5);
  });

  it('a "yes" starts the count again', async () => {
    await askAndAnswer(SHOP, { approved: false });
    await askAndAnswer(SHOP, { approved: false });
    await askAndAnswer(SHOP, { approved: true });
    await askAndAnswer(SHOP, { approved: false });
    await askAndAnswer(SHOP, { approved: false });
    expect(await askAndAnswer(SHOP, { approved: true })).toEqual({ approved: true });
  });

  it('the count is per registrable domain: fresh subdomains of a declined site stay quiet', async () => {
    for (const sub of ['a1', 'a2', 'a3']) await askAndAnswer(`https://${sub}.evil.example`, { approved: false });
    const refused = [codeOf(approvals.ask({ kind: 'enable', origin: 'https://a4.evil.example' })), codeOf(approvals.ask({ kind: 'enable', origin: 'https://evil.example:8443' }))];
    await settle();
    expect(b.created).toHaveLength(3);
    expect(await Promise.all(refused)).toEqual(['REJECTED', 'REJECTED']);
    // A neighbour under a public suffix is another site.
    expect(await askAndAnswer('https://friend.example', { approved: true })).toEqual({ approved: true });
  });

  it('the count is per tab too: a tab whose frames of many sites are declined goes quiet, other tabs do not', async () => {
    for (const site of ['https://x1.example', 'https://x2.example', 'https://x3.example']) await askAndAnswer(site, { approved: false }, { tabId: 7 });
    const refused = codeOf(approvals.ask({ kind: 'enable', origin: 'https://x4.example' }, { tabId: 7 }));
    await settle();
    expect(b.created).toHaveLength(3);
    expect(await refused).toBe('REJECTED');
    expect(await askAndAnswer('https://x4.example', { approved: true }, { tabId: 8 })).toEqual({ approved: true });
  });
});

describe('Approvals: enable windows per tab are rate-limited', () => {
  it('three enable windows per tab per minute, even when answered "yes"; other tabs and other questions are not limited', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const yes = { approved: true };
    for (const site of ['https://y1.example', 'https://y2.example', 'https://y3.example']) await askAndAnswer(site, yes, { tabId: 3 });
    const refused = codeOf(approvals.ask({ kind: 'enable', origin: 'https://y4.example' }, { tabId: 3 }));
    await settle();
    expect(b.created).toHaveLength(3);
    expect(await refused).toBe('RATE_LIMITED');
    await askAndAnswer('https://y1.example', yes, { tabId: 3 }, 'unlock');
    await askAndAnswer('https://y4.example', yes, { tabId: 4 });
    expect(b.created).toHaveLength(5);
    vi.setSystemTime(Date.now() + 60_000);
    await askAndAnswer('https://y4.example', yes, { tabId: 3 });
    expect(b.created).toHaveLength(6);
  });
});

describe('Approvals: what a question says of where it comes from', () => {
  it('the page a frame sits inside is an origin or null; anything else opens no window', async () => {
    for (const embeddedIn of ['not an origin', 'https://news.example/path', 'javascript:alert(1)', ''])
      expect(await codeOf(approvals.ask({ kind: 'signMessage', origin: SHOP, embeddedIn, message: 'm' })), embeddedIn).toBe('INVALID_ORIGIN');
    await settle();
    expect(b.created).toEqual([]);
    for (const embeddedIn of ['https://news.example', null]) {
      const answer = approvals.ask({ kind: 'lnurlPay', origin: SHOP, embeddedIn, domain: 'pay.example', minSat: 1, maxSat: 2, description: '', commentAllowed: 0, budget: { remainingDailySat: 10 } });
      await settle();
      approvals.decide(idOf(b.created.at(-1)!), { approved: false });
      expect(await answer).toEqual({ approved: false });
    }
    expect(b.created).toHaveLength(2);
  });

  it('the same for the questions any page can raise: connect and unlock (what the prompt reads names the page)', async () => {
    for (const embeddedIn of ['not an origin', 'https://news.example/', ''])
      for (const kind of ['enable', 'unlock'] as const) expect(await codeOf(approvals.ask({ kind, origin: SHOP, embeddedIn })), `${kind} ${embeddedIn}`).toBe('INVALID_ORIGIN');
    await settle();
    expect(b.created).toEqual([]);
    for (const [kind, embeddedIn] of [['enable', 'https://news.example'], ['unlock', null]] as const) {
      const answer = approvals.ask({ kind, origin: SHOP, embeddedIn });
      await settle();
      const id = idOf(b.created.at(-1)!);
      expect((await approvals.get(id)).request).toEqual({ kind, origin: SHOP, embeddedIn });
      approvals.decide(id, { approved: true });
      expect(await answer).toEqual({ approved: true });
    }
  });
});

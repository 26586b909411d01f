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

let approvals: InstanceType<typeof Approvals>;
beforeEach(() => {
  b.created.length = 0;
  b.windows.length = 0;
  b.removed.length = 0;
  approvals = new Approvals(new MemoryStore());
});
afterEach(() => vi.useRealTimers());

describe('Approvals: one question at a time', () => {
  it('two questions asked in the same tick open one window; the other is refused', async () => {
    const first = approvals.ask({ kind: 'enable', origin: SHOP });
    const second = approvals.ask({ kind: 'enable', origin: EVIL });
    expect(await codeOf(second)).toBe('APPROVAL_PENDING');
    await settle();
    expect(b.created).toHaveLength(1);
    approvals.decide(idOf(b.created[0]!), { approved: true });
    expect(await first).toEqual({ approved: true });
  });

  it('APPROVAL_PENDING does not tell a page which site is being asked', async () => {
    void approvals.ask({ kind: 'enable', origin: SHOP });
    const refused = await approvals.ask({ kind: 'enable', origin: EVIL }).catch((e: Error) => e);
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
  async function askAndAnswer(origin: string, decision: ApprovalDecision) {
    const answer = approvals.ask({ kind: 'enable', origin });
    await settle();
    approvals.decide(idOf(b.created.at(-1)!), decision);
    return answer;
  }

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
});

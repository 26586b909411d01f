import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/kv.ts';
import { DepositBook, MAX_ENDED, type DepositRecord } from './book.ts';

const hash = (n: number) => n.toString(16).padStart(64, '0');

function record(n: number, over: Partial<DepositRecord> = {}): DepositRecord {
  return {
    paymentHash: hash(n),
    origin: `https://site${n}.example`,
    paidBy: `https://site${n}.example`,
    realm: 'articles',
    amountSat: 1_000,
    paymentRequest: 'lnbcrt10u1x',
    release: `https://site${n}.example/deposit/release`,
    status: `https://site${n}.example/deposit/status`,
    forfeit: 'abuse',
    maxHoldSeconds: 3_600,
    idleSeconds: 600,
    cltvLimit: 288,
    nonce: 'ab'.repeat(32),
    state: 'held',
    createdAt: 1_000 + n,
    lockedUntil: 10_000_000,
    ...over,
  };
}

/** Counts writes per key. */
class CountingStore extends MemoryStore {
  writes: Record<string, number> = {};
  override async set(entries: Record<string, unknown>): Promise<void> {
    for (const k of Object.keys(entries)) this.writes[k] = (this.writes[k] ?? 0) + 1;
    return super.set(entries);
  }
}

describe('DepositBook', () => {
  it('keeps deposits under way and ended ones apart: the live steps never rewrite the history', async () => {
    const store = new CountingStore();
    const book = new DepositBook(store);
    await book.put(record(1));
    await book.put(record(2));
    await book.transition(hash(1), () => ({ state: 'refunded', endedAt: 5_000 }));
    const historyWrites = store.writes['deposits.history'];
    for (let i = 0; i < 5; i++) await book.update(hash(2), { lastVisitAt: 6_000 + i });
    expect(store.writes['deposits.history']).toBe(historyWrites);
    expect((await book.active()).map((r) => r.paymentHash)).toEqual([hash(2)]);
    expect((await book.list()).map((r) => [r.paymentHash, r.state])).toEqual([
      [hash(2), 'held'],
      [hash(1), 'refunded'],
    ]);
  });

  it('transition sees the stored record: an end is applied once', async () => {
    const book = new DepositBook(new MemoryStore());
    await book.put(record(1));
    const endOnce = () => book.transition(hash(1), (r) => (r.state === 'held' ? { state: 'refunded', endedAt: 1 } : undefined));
    const [a, b] = await Promise.all([endOnce(), endOnce()]);
    expect([a?.state, b]).toEqual(['refunded', undefined]);
  });

  it('the history is bounded; deposits under way never drop out', async () => {
    const book = new DepositBook(new MemoryStore());
    for (let i = 0; i < MAX_ENDED + 3; i++) await book.put(record(i, { state: 'refunded', endedAt: i }));
    await book.put(record(100_000));
    const all = await book.list();
    expect(all.filter((r) => r.state === 'refunded')).toHaveLength(MAX_ENDED);
    expect(all.some((r) => r.paymentHash === hash(0))).toBe(false);
    expect((await book.active()).map((r) => r.paymentHash)).toEqual([hash(100_000)]);
  });

  it('reads the older layout (everything under one key) and reports a damaged record instead of failing', async () => {
    const store = new MemoryStore();
    const issues: string[] = [];
    await store.set({ deposits: { schemaVersion: 1, records: { [hash(1)]: record(1, { state: 'refunded', endedAt: 2 }), [hash(2)]: record(2), [hash(3)]: { paymentHash: hash(3) } } } });
    const book = new DepositBook(store, (i) => issues.push(i));
    expect((await book.list()).map((r) => r.state)).toEqual(['held', 'refunded']);
    expect(issues).toEqual([`deposits[${hash(3)}]: invalid; dropped`]);
    await book.update(hash(2), { lastVisitAt: 9 });
    expect(Object.keys((await store.get<{ records: object }>('deposits'))!.records)).toEqual([hash(2)]);
    // The ended one moved to the history on that first write, not lost.
    expect((await book.list()).map((r) => r.state)).toEqual(['held', 'refunded']);
  });

  it('a record from a newer Satnav is reported, the book starts empty rather than guessing', async () => {
    const store = new MemoryStore();
    const issues: string[] = [];
    await store.set({ deposits: { schemaVersion: 9, records: {} } });
    expect(await new DepositBook(store, (i) => issues.push(i)).list()).toEqual([]);
    expect(issues).toEqual(['deposits: schemaVersion=9 newer than 1; starting empty']);
  });
});

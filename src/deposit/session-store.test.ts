import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import { MAX_ENDED, MAX_LIVE, SessionStore, type SessionRecord } from './session-store.ts';

const hash = (n: number) => n.toString(16).padStart(64, '0');
const record = (n: number, over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: hash(n),
  origin: `https://site${n}.example`,
  url: `https://site${n}.example/paid`,
  paidBy: `https://site${n}.example`,
  realm: 'api',
  state: 'open',
  depositSat: 60,
  unitSat: 3,
  paymentRequest: 'lnbcrt600n1p',
  returnInvoice: 'lnbcrt1p',
  returnHash: hash(1_000_000 + n),
  challenge: { id: 'i', realm: 'api', method: 'lightning', intent: 'session', request: 'e30' },
  createdAt: n,
  updatedAt: n,
  ...over,
});

describe('SessionStore', () => {
  it('keeps one session under way per server, newest first', async () => {
    const s = new SessionStore(new MemoryStore());
    await s.put(record(1));
    await s.put(record(2));
    expect((await s.list()).map((r) => r.id)).toEqual([hash(2), hash(1)]);
    expect(await codeOf(s.put(record(3, { origin: 'https://site1.example' })))).toBe('SESSION_REFUSED');
    await s.update(hash(1), { state: 'closed', closedAt: 5 });
    await s.put(record(3, { origin: 'https://site1.example' }));
    expect((await s.liveAt('https://site1.example'))?.id).toBe(hash(3));
  });

  it('is bounded: a session past MAX_LIVE under way is refused; ended ones beyond MAX_ENDED go, oldest first, once their refund is settled', async () => {
    const s = new SessionStore(new MemoryStore());
    for (let i = 0; i < MAX_LIVE; i++) await s.put(record(i));
    expect(await codeOf(s.put(record(MAX_LIVE)))).toBe('SESSION_REFUSED');
    for (let i = 0; i < MAX_LIVE; i++) await s.update(hash(i), { state: 'closed', closedAt: i, ...(i % 2 === 0 && { refundSettledAt: i }) });
    for (let i = MAX_LIVE; i < MAX_ENDED + MAX_LIVE; i++) {
      await s.put(record(i));
      await s.update(hash(i), { state: 'closed', closedAt: i, refundSettledAt: i });
    }
    const kept = await s.list();
    // The newest MAX_ENDED ended ones stay, and older ones only while their refund is awaited.
    for (let i = 1; i < MAX_LIVE; i += 2) expect(kept.some((r) => r.id === hash(i))).toBe(true);
    for (let i = 0; i < MAX_LIVE; i += 2) expect(kept.some((r) => r.id === hash(i))).toBe(false);
    expect(kept).toHaveLength(MAX_ENDED + MAX_LIVE / 2);
  });

  it('an update that removes a field, and one to a record gone meanwhile', async () => {
    const s = new SessionStore(new MemoryStore());
    await s.put(record(1, { header: 'Payment x', headerAt: 1 }));
    expect(await s.update(hash(1), { header: undefined })).not.toHaveProperty('header');
    await s.remove(hash(1));
    expect(await s.update(hash(1), { state: 'closed' })).toBeUndefined();
    expect(await s.list()).toEqual([]);
  });

  it('refuses a record off its schema, and writes nothing', async () => {
    const store = new MemoryStore();
    const s = new SessionStore(store);
    await expect(s.put(record(1, { preimage: 'AB' }))).rejects.toThrow();
    await expect(s.put(record(1, { origin: 'https://a.example/path' }))).rejects.toThrow();
    await expect(s.put(record(1, { depositSat: -1 }))).rejects.toThrow();
    expect(await store.get('sessions')).toBeUndefined();
  });

  it('keeps a damaged record as stored (never rewritten away) and tells about it', async () => {
    const store = new MemoryStore();
    const issues: string[] = [];
    await store.set({ sessions: { schemaVersion: 1, records: { [hash(9)]: { id: hash(9), state: 'weird' } } } });
    const s = new SessionStore(store, { onIssue: (i) => issues.push(i) });
    await s.put(record(1));
    expect((await s.list()).map((r) => r.id)).toEqual([hash(1)]);
    expect(((await store.get<{ records: Record<string, unknown> }>('sessions'))!.records)[hash(9)]).toEqual({ id: hash(9), state: 'weird' });
    expect(issues[0]).toMatch(/invalid; kept as stored/);
  });

  it('refuses to write over sessions stored by a newer version', async () => {
    const store = new MemoryStore();
    await store.set({ sessions: { schemaVersion: 2, records: {} } });
    const s = new SessionStore(store);
    expect(await codeOf(s.put(record(1)))).toBe('SESSION_UNKNOWN');
    expect(await store.get('sessions')).toEqual({ schemaVersion: 2, records: {} });
  });
});

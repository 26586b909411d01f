import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it, vi } from 'vitest';
import { isSatnavError } from '../errors.ts';
import { PolicyEngine } from '../policy/engine.ts';
import { MemoryStore, type KeyValueStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import type { LedgerBegin, LedgerEntry } from './entry.ts';
import { CHUNK, LEDGER_SCHEMA_VERSION, Ledger, type TrackResult } from './ledger.ts';

const SITE = 'https://shop.example';
const OTHER = 'https://news.example';

/** A deterministic payment: preimage n…n and its hash. */
function payment(n: number) {
  const bytes = new Uint8Array(32).fill(n);
  return { preimage: bytesToHex(bytes), paymentHash: bytesToHex(sha256(bytes)) };
}

const out = (n: number, extra: Partial<LedgerBegin> = {}): LedgerBegin => ({
  origin: SITE,
  kind: 'payment',
  source: 'webln',
  rail: 'btc',
  amountSat: 100 + n,
  maxFeeSat: 10,
  paymentHash: payment(n).paymentHash,
  ...extra,
});

function setup(store: KeyValueStore = new MemoryStore()) {
  const clock = { t: Date.parse('2025-03-12T10:00:00Z') };
  const issues: string[] = [];
  const make = (opts: Partial<ConstructorParameters<typeof Ledger>[0]> = {}) =>
    new Ledger({ store, now: () => clock.t, onIssue: (i) => issues.push(i), ...opts });
  return { store, clock, issues, ledger: make(), make };
}

describe('begin', () => {
  it('stores a pending entry, with direction derived from kind, before resolving', async () => {
    const { ledger, make, store, clock } = setup();
    const e = await ledger.begin(out(1, { description: 'coffee', reservationId: 'r1', paymentRequest: 'lnbc1...' }));
    expect(e).toEqual({
      ...out(1, { description: 'coffee', reservationId: 'r1', paymentRequest: 'lnbc1...' }),
      id: e.id,
      direction: 'out',
      status: 'pending',
      createdAt: clock.t,
      updatedAt: clock.t,
    });
    expect(await store.get(`ledger:e:${e.id}`)).toEqual({ schemaVersion: LEDGER_SCHEMA_VERSION, ...e });
    const restarted = make();
    expect(await restarted.get(e.id)).toEqual(e);
    expect(await restarted.byHash(e.paymentHash)).toEqual(e);
    expect(await restarted.pending()).toEqual([e]);
  });
  it('incoming kinds are recorded as direction in', async () => {
    const { ledger } = setup();
    for (const [n, kind] of (['refund', 'reward', 'invoice'] as const).entries())
      expect((await ledger.begin(out(n, { kind }))).direction).toBe('in');
  });
  it('does not resolve until the store has the entry, and writes it in one set', async () => {
    const inner = new MemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sets: string[][] = [];
    const slow: KeyValueStore = {
      get: (k) => inner.get(k),
      getMany: (k) => inner.getMany(k),
      remove: (k) => inner.remove(k),
      set: async (entries) => {
        sets.push(Object.keys(entries).sort());
        await gate;
        await inner.set(entries);
      },
    };
    const { ledger } = setup(slow);
    let resolved = false;
    const begun = ledger.begin(out(1)).then((e) => ((resolved = true), e));
    await new Promise((r) => setTimeout(r, 10));
    expect(resolved).toBe(false);
    release();
    const e = await begun;
    expect(await inner.get(`ledger:e:${e.id}`)).toBeDefined();
    expect(sets).toEqual([['ledger:e:' + e.id, 'ledger:h:' + e.paymentHash, 'ledger:i:0', 'ledger:meta', 'ledger:pending'].sort()]);
  });
  it('a failed write rejects begin and leaves no entry behind', async () => {
    const inner = new MemoryStore();
    const broken: KeyValueStore = { get: (k) => inner.get(k), getMany: (k) => inner.getMany(k), set: async () => { throw new Error('quota'); }, remove: (k) => inner.remove(k) };
    const { ledger } = setup(broken);
    await expect(ledger.begin(out(1))).rejects.toThrow('quota');
    expect(await new Ledger({ store: inner }).list()).toEqual([]);
  });
  const bad: Array<[string, Record<string, unknown>]> = [
    ['an uppercase hash', { paymentHash: 'AB'.repeat(32) }],
    ['a short hash', { paymentHash: 'ab'.repeat(31) }],
    ['a negative amount', { amountSat: -1 }],
    ['a fractional amount', { amountSat: 1.5 }],
    ['NaN max fee', { maxFeeSat: NaN }],
    ['an unknown kind', { kind: 'gift' }],
    ['a bad origin', { origin: 'https://shop.example/path' }],
    ['a caller-chosen direction', { direction: 'in' }],
    ['a caller-chosen status', { status: 'succeeded' }],
  ];
  for (const [name, patch] of bad)
    it(`rejects ${name}`, async () => {
      const { ledger } = setup();
      expect(await codeOf(ledger.begin({ ...out(1), ...patch } as never))).toBe('INVALID_ENTRY');
      expect(await ledger.list()).toEqual([]);
    });
});

describe('one invoice is never paid twice', () => {
  for (const status of ['pending', 'in_flight', 'succeeded'] as const)
    it(`refuses a second entry while the first is ${status}`, async () => {
      const { ledger } = setup();
      const first = await ledger.begin(out(1));
      if (status !== 'pending') await ledger.update(first.id, { status });
      const e = await ledger.begin(out(1)).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'DUPLICATE_PAYMENT', details: { id: first.id, status } });
      expect(await ledger.list()).toHaveLength(1);
    });
  it('allows a retry after a failure; byHash then finds the retry', async () => {
    const { ledger } = setup();
    const first = await ledger.begin(out(1));
    await ledger.fail(first.id, 'no_route');
    const retry = await ledger.begin(out(1));
    expect((await ledger.byHash(retry.paymentHash))?.id).toBe(retry.id);
    expect(await ledger.list()).toHaveLength(2);
  });
  it('of 20 concurrent begins for one hash exactly one is recorded', async () => {
    const { ledger, make } = setup();
    const other = make();
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => codeOf((i % 2 ? ledger : other).begin(out(1)))));
    expect(codes.filter((c) => c === 'no error')).toHaveLength(1);
    expect(codes.filter((c) => c === 'DUPLICATE_PAYMENT')).toHaveLength(19);
    expect(await ledger.pending()).toHaveLength(1);
  });
  it('an unreadable earlier entry for the hash also blocks (it may have succeeded)', async () => {
    const { ledger, store } = setup();
    const first = await ledger.begin(out(1));
    await store.set({ [`ledger:e:${first.id}`]: 'garbage' });
    expect(await codeOf(ledger.begin(out(1)))).toBe('DUPLICATE_PAYMENT');
  });
});

describe('outcomes', () => {
  it('succeed records preimage and fee and leaves the pending list', async () => {
    const { ledger, clock } = setup();
    const e = await ledger.begin(out(1));
    clock.t += 2_000;
    const done = await ledger.succeed(e.id, { preimage: payment(1).preimage, feeSat: 2 });
    expect(done).toEqual({ ...e, status: 'succeeded', preimage: payment(1).preimage, feeSat: 2, updatedAt: clock.t });
    expect(await ledger.pending()).toEqual([]);
    expect(await ledger.get(e.id)).toEqual(done);
  });
  it('a preimage that does not hash to the payment hash is refused, nothing changes', async () => {
    const { ledger } = setup();
    const e = await ledger.begin(out(1));
    expect(await codeOf(ledger.succeed(e.id, { preimage: payment(2).preimage }))).toBe('PREIMAGE_MISMATCH');
    expect(await ledger.get(e.id)).toEqual(e);
  });
  it('succeed twice is a no-op; fail after succeed is refused', async () => {
    const { ledger, clock } = setup();
    const e = await ledger.begin(out(1));
    const done = await ledger.succeed(e.id, { preimage: payment(1).preimage, feeSat: 2 });
    clock.t += 1;
    expect(await ledger.succeed(e.id, { feeSat: 9 })).toEqual(done);
    expect(await codeOf(ledger.fail(e.id, 'late'))).toBe('INVALID_TRANSITION');
    expect(await ledger.get(e.id)).toEqual(done);
  });
  it('fail twice keeps the first reason; the node may still report success later', async () => {
    const { ledger } = setup();
    const e = await ledger.begin(out(1));
    await ledger.fail(e.id, 'timeout');
    expect((await ledger.fail(e.id, 'other')).failureReason).toBe('timeout');
    const later = await ledger.succeed(e.id, { preimage: payment(1).preimage });
    expect(later).toMatchObject({ status: 'succeeded', failureReason: 'timeout' });
  });
  it('update never drops fields', async () => {
    const { ledger } = setup();
    const e = await ledger.begin(out(1, { description: 'tea', paymentRequest: 'lnbc1...', reservationId: 'r' }));
    const next = await ledger.update(e.id, { status: 'in_flight', description: undefined });
    expect(next).toMatchObject({ description: 'tea', paymentRequest: 'lnbc1...', reservationId: 'r', maxFeeSat: 10, status: 'in_flight' });
    expect(await ledger.pending()).toEqual([next]);
  });
  it('refuses unknown ids and bad patches', async () => {
    const { ledger } = setup();
    const e = await ledger.begin(out(1));
    expect(await codeOf(ledger.update('nope', { status: 'failed' }))).toBe('ENTRY_UNKNOWN');
    expect(await codeOf(ledger.update(e.id, { amountSat: 1 } as never))).toBe('INVALID_PATCH');
    expect(await codeOf(ledger.update(e.id, { feeSat: -1 }))).toBe('INVALID_PATCH');
    expect(await codeOf(ledger.fail(e.id, ''))).toBe('INVALID_PATCH');
  });
  it("does not store a bearer preimage (L402, a custodial session's deposit) unless told to", async () => {
    const { ledger, make, store } = setup();
    const l402 = await ledger.begin(out(1, { source: 'l402' }));
    expect((await ledger.succeed(l402.id, { preimage: payment(1).preimage })).preimage).toBeUndefined();
    expect(JSON.stringify(await store.get(`ledger:e:${l402.id}`))).not.toContain(payment(1).preimage);
    const session = await ledger.begin(out(3, { source: 'deposit', kind: 'payment' }));
    expect((await ledger.succeed(session.id, { preimage: payment(3).preimage })).preimage).toBeUndefined();
    const forfeit = await ledger.begin(out(4, { source: 'deposit', kind: 'deposit' }));
    expect((await ledger.succeed(forfeit.id, { preimage: payment(4).preimage })).preimage).toBe(payment(4).preimage);
    const keeping = make({ keepPreimage: () => true });
    const kept = await keeping.begin(out(2, { source: 'l402' }));
    expect((await keeping.succeed(kept.id, { preimage: payment(2).preimage })).preimage).toBe(payment(2).preimage);
  });
});

describe('list', () => {
  it('filters by origin, kind, source, status and since, newest first, with a limit', async () => {
    const { ledger, clock } = setup();
    const a = await ledger.begin(out(1));
    clock.t += 1_000;
    const b = await ledger.begin(out(2, { origin: OTHER, kind: 'keysend', source: 'lnurl' }));
    clock.t += 1_000;
    const c = await ledger.begin(out(3));
    await ledger.fail(c.id, 'no_route');
    const ids = async (f: Parameters<Ledger['list']>[0]) => (await ledger.list(f)).map((e) => e.id);
    expect(await ids({})).toEqual([c.id, b.id, a.id]);
    expect(await ids({ origin: SITE })).toEqual([c.id, a.id]);
    expect(await ids({ kind: 'keysend' })).toEqual([b.id]);
    expect(await ids({ source: 'lnurl' })).toEqual([b.id]);
    expect(await ids({ status: 'failed' })).toEqual([c.id]);
    expect(await ids({ since: a.createdAt + 1 })).toEqual([c.id, b.id]);
    expect(await ids({ limit: 2 })).toEqual([c.id, b.id]);
    expect(await ids({ origin: SITE, status: 'pending' })).toEqual([a.id]);
  });
  it(`spreads the index over chunks of ${CHUNK} ids and lists across them`, async () => {
    const { ledger, store } = setup();
    const ids: string[] = [];
    for (let n = 0; n < CHUNK + 5; n++) ids.push((await ledger.begin(out(n % 250, { paymentHash: bytesToHex(sha256(new Uint8Array([n, n >> 8]))) }))).id);
    expect(await store.get('ledger:meta')).toEqual({ schemaVersion: LEDGER_SCHEMA_VERSION, chunks: 2 });
    expect(await store.get<string[]>('ledger:i:1')).toHaveLength(5);
    expect((await ledger.list()).map((e) => e.id)).toEqual(ids.toReversed());
  });
  it('pending lists only unresolved entries, oldest first', async () => {
    const { ledger } = setup();
    const a = await ledger.begin(out(1));
    const b = await ledger.begin(out(2));
    const c = await ledger.begin(out(3));
    await ledger.succeed(b.id);
    await ledger.update(c.id, { status: 'in_flight' });
    expect((await ledger.pending()).map((e) => e.id)).toEqual([a.id, c.id]);
  });
});

describe('reconcile', () => {
  /** Four payments left behind by a worker that died: the node knows three of them. */
  async function afterCrash() {
    const s = setup();
    const ok = await s.ledger.begin(out(1));
    const failed = await s.ledger.begin(out(2));
    const flying = await s.ledger.begin(out(3));
    const neverSent = await s.ledger.begin(out(4));
    const node: Record<string, TrackResult> = {
      [ok.paymentHash]: { status: 'SUCCEEDED', preimage: payment(1).preimage, feeSat: 1 },
      [failed.paymentHash]: { status: 'FAILED', failureReason: 'FAILURE_REASON_NO_ROUTE' },
      [flying.paymentHash]: { status: 'IN_FLIGHT' },
    };
    // What the caller does: a hash the node never saw was never sent.
    const track = vi.fn(async (hash: string) => node[hash] ?? { status: 'FAILED' as const, failureReason: 'not_sent' });
    return { ...s, ok, failed, flying, neverSent, node, track, restarted: s.make() };
  }
  it('resolves succeeded, failed and never-sent payments; keeps in-flight ones', async () => {
    const { restarted, track, ok, failed, flying, neverSent } = await afterCrash();
    const resolvedSeen: Array<[string, string]> = [];
    const result = await restarted.reconcile(track, async (e, r) => void resolvedSeen.push([e.id, r.status]));
    expect(result.errors).toEqual([]);
    expect(Object.fromEntries(result.resolved.map((e) => [e.id, [e.status, e.failureReason ?? e.preimage]]))).toEqual({
      [ok.id]: ['succeeded', payment(1).preimage],
      [failed.id]: ['failed', 'FAILURE_REASON_NO_ROUTE'],
      [neverSent.id]: ['failed', 'not_sent'],
    });
    expect(result.stillPending.map((e) => [e.id, e.status])).toEqual([[flying.id, 'in_flight']]);
    expect(resolvedSeen.sort()).toEqual([[failed.id, 'FAILED'], [neverSent.id, 'FAILED'], [ok.id, 'SUCCEEDED']].sort());
    expect(track).toHaveBeenCalledTimes(4);
    expect((await restarted.get(ok.id))?.feeSat).toBe(1);
    expect((await restarted.pending()).map((e) => e.id)).toEqual([flying.id]);
  });
  it('an in-flight payment resolves on a later reconcile', async () => {
    const { restarted, track, node, flying } = await afterCrash();
    await restarted.reconcile(track);
    node[flying.paymentHash] = { status: 'SUCCEEDED', preimage: payment(3).preimage, feeSat: 0 };
    const second = await restarted.reconcile(track);
    expect(second.resolved.map((e) => e.id)).toEqual([flying.id]);
    expect(await restarted.pending()).toEqual([]);
  });
  it('a node error leaves the entry pending and is reported', async () => {
    const { restarted, ok } = await afterCrash();
    const boom = new Error('node unreachable');
    const result = await restarted.reconcile(async () => { throw boom; });
    expect(result.resolved).toEqual([]);
    expect(result.stillPending).toHaveLength(4);
    expect(result.errors[0]).toEqual({ id: ok.id, error: boom });
    expect(await restarted.pending()).toHaveLength(4);
  });
  it('a wrong preimage from the node is refused before onResolved runs', async () => {
    const { restarted, node, ok, track } = await afterCrash();
    node[ok.paymentHash] = { status: 'SUCCEEDED', preimage: payment(9).preimage };
    const onResolved = vi.fn(async (_e: LedgerEntry, _r: TrackResult) => {});
    const result = await restarted.reconcile(track, onResolved);
    expect(result.errors.map((x) => [x.id, isSatnavError(x.error) && x.error.code])).toEqual([[ok.id, 'PREIMAGE_MISMATCH']]);
    expect(onResolved.mock.calls.map(([e]) => e.id)).not.toContain(ok.id);
    expect((await restarted.get(ok.id))?.status).toBe('pending');
  });
  it('settles the policy hold exactly once, even if the worker dies between commit and ledger write', async () => {
    const store = new MemoryStore();
    const now = () => Date.parse('2025-03-12T10:00:00Z');
    const policy = new PolicyEngine({ store, now, timeZoneOffsetMinutes: () => 60 });
    await policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    const paid = await policy.reserve({ origin: SITE, source: 'webln', chosenBy: 'site', amountSat: 300, approvedByUser: false });
    const lost = await policy.reserve({ origin: SITE, source: 'webln', chosenBy: 'site', amountSat: 200, approvedByUser: false });
    const ledger = new Ledger({ store, now });
    await ledger.begin(out(1, { amountSat: 300, reservationId: paid.id }));
    await ledger.begin(out(2, { amountSat: 200, reservationId: lost.id }));
    const node: Record<string, TrackResult> = { [payment(1).paymentHash]: { status: 'SUCCEEDED', preimage: payment(1).preimage, feeSat: 4 } };
    const track = async (hash: string): Promise<TrackResult> => node[hash] ?? { status: 'FAILED', failureReason: 'not_sent' };
    const settle = async (e: { reservationId?: string; status: string; amountSat: number; feeSat?: number }) => {
      if (!e.reservationId) return;
      if (e.status === 'succeeded') await policy.commit(e.reservationId, { amountSat: e.amountSat, feeSat: e.feeSat ?? 0 });
      else await policy.release(e.reservationId);
    };
    // First attempt: the hold is settled, then the worker "dies" before the ledger write.
    let dying = true;
    const crashAfterSettle = async (e: Parameters<typeof settle>[0]) => {
      await settle(e);
      if (dying) throw new Error('worker killed');
    };
    const first = await new Ledger({ store, now }).reconcile(track, crashAfterSettle);
    expect(first.resolved).toEqual([]);
    dying = false;
    const second = await new Ledger({ store, now }).reconcile(track, crashAfterSettle);
    expect(second.resolved).toHaveLength(2);
    expect(await policy.getSite(SITE)).toMatchObject({ spentSat: 304, heldSat: 0 });
    expect(await policy.activeReservations()).toEqual([]);
  });
});

describe('corrupt stored data', () => {
  it('an unreadable entry is skipped and reported, the rest still list', async () => {
    const { ledger, store, issues } = setup();
    const a = await ledger.begin(out(1));
    const b = await ledger.begin(out(2));
    await store.set({ [`ledger:e:${a.id}`]: { schemaVersion: LEDGER_SCHEMA_VERSION, id: a.id, amountSat: 'lots' } });
    expect((await ledger.list()).map((e) => e.id)).toEqual([b.id]);
    expect(await ledger.get(a.id)).toBeUndefined();
    expect(issues).toEqual([`ledger:e:${a.id}: invalid; skipped`]);
  });
  it('an entry from a newer version is skipped, not misread', async () => {
    const { ledger, store, issues } = setup();
    const a = await ledger.begin(out(1));
    await store.set({ [`ledger:e:${a.id}`]: { ...a, schemaVersion: LEDGER_SCHEMA_VERSION + 1 } });
    expect(await ledger.list()).toEqual([]);
    expect(issues).toEqual([`ledger:e:${a.id}: schemaVersion=${LEDGER_SCHEMA_VERSION + 1} newer than ${LEDGER_SCHEMA_VERSION}; skipped`]);
  });
  describe('v1 entries (kind mixed what moved with what asked) read as v2', () => {
    const v1: Array<[string, Record<string, string>]> = [
      ['webln', { kind: 'payment', source: 'webln' }],
      ['keysend', { kind: 'keysend', source: 'webln' }],
      ['l402', { kind: 'payment', source: 'l402' }],
      ['deposit', { kind: 'deposit', source: 'deposit' }],
      ['refund', { kind: 'refund', source: 'lnurl' }],
      ['reward', { kind: 'reward', source: 'lnurl' }],
      ['invoice', { kind: 'invoice', source: 'webln' }],
    ];
    for (const [kind, moved] of v1)
      it(`${kind} → ${moved.kind} asked by ${moved.source}, paid in btc`, async () => {
        const { ledger, store } = setup();
        const a = await ledger.begin(out(1, { kind: moved.kind as 'payment', source: moved.source as 'webln' }));
        const { source: _s, rail: _r, ...old } = a;
        await store.set({ [`ledger:e:${a.id}`]: { ...old, kind, schemaVersion: 1 } });
        expect(await ledger.get(a.id)).toEqual({ ...a, ...moved, rail: 'btc' });
      });
    it('a v1 meta keeps its chunks', async () => {
      const { ledger, store, issues } = setup();
      const a = await ledger.begin(out(1));
      await store.set({ 'ledger:meta': { schemaVersion: 1, chunks: 1 } });
      expect((await ledger.list()).map((e) => e.id)).toEqual([a.id]);
      expect(issues).toEqual([]);
    });
  });
  it('an entry stored under another id is not trusted', async () => {
    const { ledger, store } = setup();
    const a = await ledger.begin(out(1));
    const b = await ledger.begin(out(2));
    await store.set({ [`ledger:e:${a.id}`]: { schemaVersion: LEDGER_SCHEMA_VERSION, ...b } });
    expect((await ledger.list()).map((e) => e.id)).toEqual([b.id]);
  });
  it('a damaged meta is rebuilt by counting index chunks', async () => {
    const { ledger, store, issues } = setup();
    const a = await ledger.begin(out(1));
    await store.set({ 'ledger:meta': 'garbage' });
    expect((await ledger.list()).map((e) => e.id)).toEqual([a.id]);
    const b = await ledger.begin(out(2));
    expect((await ledger.list()).map((e) => e.id)).toEqual([b.id, a.id]);
    expect(issues).toEqual(['ledger:meta: unreadable; found 1 index chunks']);
  });
  it('a meta from a newer version refuses writes (no payment without a record)', async () => {
    const { ledger, store } = setup();
    await store.set({ 'ledger:meta': { schemaVersion: 3, chunks: 0 } });
    expect(await codeOf(ledger.begin(out(1)))).toBe('LEDGER_SCHEMA_UNSUPPORTED');
    expect(await store.get('ledger:meta')).toEqual({ schemaVersion: 3, chunks: 0 });
  });
  it('a damaged pending list is rebuilt from the entries, so reconcile still sees them', async () => {
    const { ledger, store, issues } = setup();
    const a = await ledger.begin(out(1));
    const b = await ledger.begin(out(2));
    await ledger.succeed(b.id);
    await store.set({ 'ledger:pending': { not: 'a list' } });
    expect((await ledger.pending()).map((e) => e.id)).toEqual([a.id]);
    const c = await ledger.begin(out(3));
    expect((await ledger.pending()).map((e) => e.id)).toEqual([a.id, c.id]);
    expect(issues).toEqual(['ledger:pending: unreadable; its entries are not listed']);
  });
  it('a damaged index chunk hides only its own entries; new ones go to a fresh chunk', async () => {
    const { ledger, store } = setup();
    await ledger.begin(out(1));
    await store.set({ 'ledger:i:0': 42 });
    const b = await ledger.begin(out(2));
    expect((await ledger.list()).map((e) => e.id)).toEqual([b.id]);
    expect(await store.get('ledger:i:0')).toBe(42);
  });
});

describe('toCsv', () => {
  it('exports the filtered entries oldest first', async () => {
    const { ledger, clock } = setup();
    const a = await ledger.begin(out(1, { description: '=1+1' }));
    clock.t += 1_000;
    await ledger.begin(out(2, { origin: OTHER }));
    clock.t += 1_000;
    const c = await ledger.begin(out(3, { description: 'a, "b"' }));
    const lines = (await ledger.toCsv({ origin: SITE })).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`${a.id},${SITE},payment,webln,btc,out,pending,101,,10,${a.paymentHash},'=1+1,`);
    expect(lines[2]).toContain(`"a, ""b"""`);
    expect(lines[2]!.startsWith(new Date(c.createdAt).toISOString())).toBe(true);
  });
});

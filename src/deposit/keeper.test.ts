/**
 * The wallet's deposit keeper against a real site (sitekit) on the devnet: the
 * site's node (carol) holds the HTLC alice's node pays; the ledger, the budget
 * and the deposit records are checked after every step, and across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from '../../devnet/index.ts';
import { createDepositWall, type DepositWall, type DepositWallOptions } from '../../sitekit/deposit-wall.ts';
import { rootFromSeed } from '../keys/root.ts';
import { Ledger } from '../ledger/index.ts';
import { LndRest } from '../node/lnd-rest.ts';
import { PaymentPipeline } from '../payments/index.ts';
import { DEFAULT_GLOBAL, PolicyEngine } from '../policy/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { SatnavError } from '../errors.ts';
import { scriptedApprover } from '../testing/approver.ts';
import { codeOf } from '../testing/expect-code.ts';
import { waitFor } from '../testing/wait-for.ts';
import type { ApprovalDecision } from '../webln/approval.ts';
import { DepositBook, type DepositRecord } from './book.ts';
import { parseDepositCredential, verifyDepositSignature } from './credential.ts';
import { DepositKeeper, type DepositEvent } from './keeper.ts';

const ROOT = rootFromSeed(new Uint8Array(64).fill(7));
const SECRET = '5a'.repeat(32);
let dn: Devnet;
let port = 9000;

beforeAll(async () => {
  dn = await startDevnet({ basePort: 0 });
});
afterAll(() => dn.stop());

/** A deposit site of its own origin (each test its own, like distinct sites). */
function site(o: Partial<DepositWallOptions> & { lieAboutStatus?: boolean } = {}) {
  const origin = o.origin ?? `https://site${port++}.example`;
  const wall: DepositWall = createDepositWall({
    lndUrl: dn.nodes.carol.lndRestUrl,
    macaroon: dn.nodes.carol.adminMacaroonHex,
    secret: SECRET,
    origin,
    realm: 'articles',
    amountSat: 5_000,
    maxHoldSeconds: 3_600,
    maxCltv: 40,
    idleSeconds: 600,
    paths: { release: '/deposit/release', status: '/deposit/status' },
    forfeitTerms: `${origin}/terms`,
    ...o,
  });
  const serve = async (req: Request): Promise<Response> => {
    if (o.lieAboutStatus && new URL(req.url).pathname === '/deposit/status') return Response.json({ state: 'pending' });
    const handled = await wall.handle(req);
    if (handled) return handled;
    const g = await wall.guard(req);
    return g.ok ? new Response('content', { headers: g.headers }) : g.response;
  };
  /** What the browser met: the page's 402 and its challenge. */
  const meet = async () => {
    const res = await serve(new Request(`${origin}/article`));
    expect(res.status).toBe(402);
    return { url: `${origin}/article`, wwwAuthenticate: [res.headers.get('www-authenticate') ?? ''], ctx: { origin } };
  };
  return { origin, wall, serve, meet };
}

type Site = ReturnType<typeof site>;

/** One worker life on `store`; the sites answer the keeper's own fetches. */
function life(o: {
  store?: MemoryStore;
  session?: MemoryStore;
  sites: Site[];
  open?: Set<string>;
  answers?: ApprovalDecision[];
  now?: () => number;
  locked?: () => boolean;
  devBuild?: boolean;
}) {
  const store = o.store ?? new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  const alice = new LndRest({ baseUrl: dn.nodes.alice.lndRestUrl, macaroonHex: dn.nodes.alice.adminMacaroonHex, timeoutMs: 5_000 });
  const { asked, ask } = scriptedApprover(o.answers);
  const payments = new PaymentPipeline({ policy, ledger, node: async () => alice, isUnlocked: async () => true, ask });
  const headers = new Map<string, string>();
  const events: DepositEvent[] = [];
  const open = o.open ?? new Set(o.sites.map((s) => s.origin));
  let calls = 0;
  const keeper = new DepositKeeper({
    book: new DepositBook(store),
    payments,
    policy,
    ledger,
    node: async () => alice,
    nodeNetwork: async () => 'regtest',
    root: async () => {
      if (o.locked?.()) throw new SatnavError('VAULT_LOCKED', 'vault: locked');
      return ROOT;
    },
    sessionKeys: o.session ?? new MemoryStore(),
    ...(o.devBuild && { devBuild: true }),
    fetch: async (input, init) => {
      calls++;
      const url = String(input);
      const s = o.sites.find((x) => url.startsWith(`${x.origin}/`));
      if (!s) throw new TypeError('unreachable');
      return s.serve(new Request(url, init));
    },
    credential: {
      put: async (r: DepositRecord, header: string) => void headers.set(r.origin, header),
      drop: async (r: DepositRecord) => void headers.delete(r.origin),
    },
    openOrigins: async () => open,
    notify: (e) => events.push(e),
    graceMs: 50,
    ...(o.now && { now: o.now }),
  });
  return { store, policy, ledger, keeper, headers, events, open, asked, calls: () => calls, book: new DepositBook(store) };
}

const aliceLocalSat = async () => (await dn.control.balances('alice')).channels.reduce((n, c) => n + c.localSat, 0);
const stateOn = async (hash: string) => (await dn.control.lookupInvoice('carol', hash)).state;

describe('DepositKeeper on the devnet', () => {
  it('holds, opens the site, and is refunded in full when released', async () => {
    const s = site();
    const w = life({ sites: [s] });
    const before = await aliceLocalSat();
    const held = await w.keeper.open(await s.meet());
    expect(held).toMatchObject({ state: 'held', amountSat: 5_000, origin: s.origin });
    expect(await stateOn(held.paymentHash)).toBe('ACCEPTED');
    // The header the browser will add opens the page; it is signed by this wallet for this site only.
    const header = w.headers.get(s.origin)!;
    expect(verifyDepositSignature(parseDepositCredential(header, s.origin))).toBe(true);
    expect((await s.serve(new Request(`${s.origin}/article`, { headers: { authorization: header } }))).status).toBe(200);
    expect(await w.ledger.byHash(held.paymentHash)).toMatchObject({ kind: 'deposit', source: 'deposit', status: 'in_flight' });
    expect((await w.policy.dailyUsage()).lockedSat).toBeGreaterThanOrEqual(5_000);

    await w.keeper.release(held.paymentHash);
    await waitFor(async () => (await w.book.get(held.paymentHash))?.state === 'refunded');
    expect(await stateOn(held.paymentHash)).toBe('CANCELED');
    expect(await w.ledger.byHash(held.paymentHash)).toMatchObject({ status: 'refunded' });
    expect(await w.policy.dailyUsage()).toMatchObject({ lockedSat: 0, spentSat: 0 });
    expect(w.events.map((e) => e.kind)).toEqual(['refunded']);
    expect(w.headers.has(s.origin)).toBe(false);
    expect(await aliceLocalSat()).toBe(before);
  });

  it('one deposit per site: concurrent walls share one payment, a later wall re-signs the held one', async () => {
    const s = site();
    const w = life({ sites: [s] });
    const [a, b] = await Promise.all([w.keeper.open(await s.meet()), w.keeper.open(await s.meet())]);
    expect(a.paymentHash).toBe(b.paymentHash);
    const again = await w.keeper.open(await s.meet());
    expect(again.paymentHash).toBe(a.paymentHash);
    expect((await w.ledger.list()).filter((e) => e.kind === 'deposit' && e.origin === s.origin)).toHaveLength(1);
    await w.keeper.release(a.paymentHash);
    await waitFor(async () => (await w.book.get(a.paymentHash))?.state === 'refunded');
  });

  it('the site’s last tab closed: released after the grace, refunded', async () => {
    const s = site();
    const w = life({ sites: [s] });
    const held = await w.keeper.open(await s.meet());
    w.open.delete(s.origin);
    w.keeper.tabsChanged();
    await waitFor(async () => (await w.book.get(held.paymentHash))?.state === 'refunded');
    expect((await w.book.get(held.paymentHash))?.releaseAskedAt).toBeGreaterThan(0);
  });

  it('a tab back within the grace keeps it held', async () => {
    const s = site();
    const w = life({ sites: [s] });
    const held = await w.keeper.open(await s.meet());
    w.open.delete(s.origin);
    w.keeper.tabsChanged();
    w.open.add(s.origin);
    await new Promise((r) => setTimeout(r, 150));
    expect((await w.book.get(held.paymentHash))?.state).toBe('held');
    await w.keeper.release(held.paymentHash);
    await waitFor(async () => (await w.book.get(held.paymentHash))?.state === 'refunded');
  });

  it('forfeited by the site: spent, counted against the site, never silent', async () => {
    const s = site();
    const w = life({ sites: [s] });
    const held = await w.keeper.open(await s.meet());
    await s.wall.forfeit(held.paymentHash);
    await waitFor(async () => (await w.book.get(held.paymentHash))?.state === 'forfeited');
    expect(await w.ledger.byHash(held.paymentHash)).toMatchObject({ status: 'succeeded' });
    const usage = await w.policy.dailyUsage();
    expect(usage.lockedSat).toBe(0);
    expect(usage.spentSat).toBeGreaterThanOrEqual(5_000);
    expect(w.events).toEqual([expect.objectContaining({ kind: 'forfeited', record: expect.objectContaining({ origin: s.origin }) })]);
    // That site's next deposit asks: a site that keeps deposits can't take them one after another.
    expect((await w.policy.evaluate({ origin: s.origin, amountSat: 5_000, source: 'deposit', chosenBy: 'site' })).reason).toBe('site_kept_a_deposit');
  });

  it('a restarted worker finds it held, keeps it alive with a heartbeat, and releases it', async () => {
    const s = site();
    const first = life({ sites: [s] });
    const held = await first.keeper.open(await s.meet());
    const second = life({ store: first.store, sites: [s] });
    const before = second.calls();
    await second.keeper.tick();
    expect((await second.book.get(held.paymentHash))?.state).toBe('held');
    await second.keeper.release(held.paymentHash);
    await waitFor(async () => (await second.book.get(held.paymentHash))?.state === 'refunded');
    expect(second.calls()).toBeGreaterThan(before);
    expect(await second.ledger.byHash(held.paymentHash)).toMatchObject({ status: 'refunded' });
  });

  it('a worker killed mid-deposit: the next life finishes that deposit, never a second one', async () => {
    const s = site();
    const first = life({ sites: [s] });
    const wall = await s.meet();
    // The first life records the deposit and the node pays it, then dies before the site confirmed it held.
    const { paymentHash } = await first.keeper.open(wall);
    await first.book.update(paymentHash, { state: 'paying' });
    const second = life({ store: first.store, sites: [s] });
    const again = await second.keeper.open(await s.meet());
    expect(again).toMatchObject({ paymentHash, state: 'held' });
    expect((await second.ledger.list()).filter((e) => e.origin === s.origin)).toHaveLength(1);
    expect(second.headers.has(s.origin)).toBe(true);
    await second.keeper.release(paymentHash);
    await waitFor(async () => (await second.book.get(paymentHash))?.state === 'refunded');
  });

  it('while visited, a tick re-signs the credential at most two minutes apart (a signature’s time is good for ±5 min)', async () => {
    const s = site({ idleSeconds: 3_600, maxHoldSeconds: 3_600 });
    let clock = Date.now();
    const w = life({ sites: [s], now: () => clock });
    const held = await w.keeper.open(await s.meet());
    const first = w.headers.get(s.origin)!;
    clock += 60_000;
    await w.keeper.tick();
    expect(w.headers.get(s.origin)).toBe(first);
    clock += 61_000;
    const calls = w.calls();
    await w.keeper.tick();
    expect(w.calls()).toBe(calls + 1);
    const second = w.headers.get(s.origin)!;
    expect(parseDepositCredential(second, s.origin).timestamp).toBe(Math.floor(clock / 1000));
    // Still good at the site, 2 minutes on.
    expect((await s.serve(new Request(`${s.origin}/article`, { headers: { authorization: second } }))).status).toBe(200);
    await w.keeper.release(held.paymentHash);
    await waitFor(async () => (await w.book.get(held.paymentHash))?.state === 'refunded');
  });

  it('a browser restart with no tab of the site: the next tick releases it', async () => {
    const s = site();
    const first = life({ sites: [s] });
    const held = await first.keeper.open(await s.meet());
    const second = life({ store: first.store, sites: [s], open: new Set() });
    await new Promise((r) => setTimeout(r, 60));
    await second.keeper.tick();
    await waitFor(async () => (await second.book.get(held.paymentHash))?.state === 'refunded');
  });

  it('released by the site on its own (idle): expired, refunded, told', async () => {
    const s = site();
    const w = life({ sites: [s] });
    const held = await w.keeper.open(await s.meet());
    await w.keeper.tick();
    const res = await s.serve(new Request(`${s.origin}/deposit/release`, { method: 'POST', headers: { authorization: w.headers.get(s.origin)!.replace('action="hold"', 'action="release"') } }));
    // A hold credential is no release credential: the site refuses it (the signature covers the action).
    expect(res.status).not.toBe(200);
    await dn.control.cancelInvoice('carol', held.paymentHash);
    await waitFor(async () => (await w.book.get(held.paymentHash))?.state === 'expired');
    expect(w.events.map((e) => e.kind)).toEqual(['expired']);
  });

  it('a site that never releases: lnd’s hold expiry fails it back and the wallet records it as expired', async () => {
    const s = site({ maxHoldSeconds: 60, idleSeconds: 60, maxCltv: 40 });
    let clock = Date.now();
    const w = life({ sites: [s], now: () => clock });
    const { keeper } = w;
    const held = await keeper.open(await s.meet());
    clock += 120_000;
    await dn.control.mineBlocks(200);
    await waitFor(async () => (await stateOn(held.paymentHash)) === 'CANCELED');
    await waitFor(async () => {
      await keeper.settle();
      return (await w.book.get(held.paymentHash))?.state === 'expired';
    });
    expect(await w.ledger.byHash(held.paymentHash)).toMatchObject({ status: 'refunded' });
  });

  it('refuses a hold longer than the person allows, and pays nothing', async () => {
    const s = site({ maxHoldSeconds: 2 * 86_400, idleSeconds: 600, maxCltv: 400 });
    const w = life({ sites: [s] });
    expect(await codeOf(w.keeper.open(await s.meet()))).toBe('DEPOSIT_REFUSED');
    expect(await w.book.list()).toEqual([]);
    expect(await w.ledger.list()).toEqual([]);
  });

  it('above the largest deposit: the person is asked; a "no" pays nothing and keeps no record', async () => {
    const s = site({ amountSat: 150_000 });
    const w = life({ sites: [s], answers: [{ approved: false }] });
    expect(await codeOf(w.keeper.open(await s.meet()))).toBe('REJECTED');
    expect(w.asked).toEqual([expect.objectContaining({ kind: 'payment', label: 'deposit', reason: 'above_deposit_limit', deposit: expect.objectContaining({ maxHoldSeconds: 3_600 }) })]);
    expect(await w.book.list()).toEqual([]);
    expect(await w.ledger.list()).toEqual([]);
  });

  it('with auto-hold off and "show the 402" chosen, nothing is asked and nothing paid', async () => {
    const s = site();
    const w = life({ sites: [s] });
    await w.policy.updateGlobal({ deposits: { ...DEFAULT_GLOBAL.deposits, autoHold: false }, l402: { autoPay: true, overBudget: 'show402' } });
    expect(await codeOf(w.keeper.open(await s.meet()))).toBe('APPROVAL_REQUIRED');
    expect(w.asked).toEqual([]);
  });

  it('plain http is refused (anyone on the network could inject a wall); loopback http only in the devnet build', async () => {
    const s = site({ origin: 'http://news.example' });
    const w = life({ sites: [s] });
    expect(await codeOf(w.keeper.open(await s.meet()))).toBe('DEPOSIT_REFUSED');
    const local = site({ origin: `http://127.0.0.1:${port++}` });
    expect(await codeOf(life({ sites: [local] }).keeper.open(await local.meet()))).toBe('DEPOSIT_REFUSED');
    const dev = life({ sites: [local], devBuild: true });
    const held = await dev.keeper.open(await local.meet());
    expect(held.state).toBe('held');
    await dev.keeper.release(held.paymentHash);
    await waitFor(async () => (await dev.book.get(held.paymentHash))?.state === 'refunded');
    expect(await w.ledger.list()).toEqual([]);
  });

  it('another site re-offering a payment hash the wallet knows is refused: it can’t take over that deposit', async () => {
    const s = site();
    const evil = site();
    const w = life({ sites: [s, evil] });
    const wall = await s.meet();
    const held = await w.keeper.open(wall);
    // The challenge's endpoints are relative: read from evil's 402, they would point at evil.
    expect(await codeOf(w.keeper.open({ ...wall, url: `${evil.origin}/article`, ctx: { origin: evil.origin } }))).toBe('DEPOSIT_REFUSED');
    expect(await w.book.get(held.paymentHash)).toMatchObject({ origin: s.origin, state: 'held' });
    await w.keeper.release(held.paymentHash);
    await waitFor(async () => (await w.book.get(held.paymentHash))?.state === 'refunded');
  });

  it('a site whose status never says "held" is still released when its tab closes (its node holds the money)', async () => {
    const s = site({ lieAboutStatus: true });
    const w = life({ sites: [s] });
    const wall = await s.meet();
    const opening = w.keeper.open(wall).catch((e: unknown) => e);
    await waitFor(async () => (await w.book.list())[0]?.state === 'paying' && !!(await w.ledger.list())[0]);
    const [record] = await w.book.list();
    await waitFor(async () => (await stateOn(record!.paymentHash)) === 'ACCEPTED');
    w.open.delete(s.origin);
    w.keeper.tabsChanged();
    await waitFor(async () => (await stateOn(record!.paymentHash)) === 'CANCELED', 500);
    await waitFor(async () => (await w.book.get(record!.paymentHash))?.state === 'refunded');
    expect(await opening).toMatchObject({ code: 'PAYMENT_FAILED' });
  });

  it('asked for by another site’s page (an image of a1.evil.example on news.example): the person is asked', async () => {
    const s = site();
    const w = life({ sites: [s], answers: [{ approved: false }] });
    const wall = await s.meet();
    expect(await codeOf(w.keeper.open({ ...wall, ctx: { origin: 'https://news.example', tabId: 3 } }))).toBe('REJECTED');
    expect(w.asked).toEqual([expect.objectContaining({ origin: s.origin, reason: 'embedded_frame', embeddedIn: 'https://news.example' })]);
  });

  it('the wallet auto-locked while the person reads: the deposit is still kept alive and released (its site key stays in session memory)', async () => {
    const s = site();
    let locked = false;
    const session = new MemoryStore();
    const first = life({ sites: [s], session, locked: () => locked });
    const held = await first.keeper.open(await s.meet());
    locked = true;
    // A new worker life, locked: nothing to derive the key from but what the session kept.
    const second = life({ store: first.store, session, sites: [s], locked: () => locked, open: new Set() });
    await new Promise((r) => setTimeout(r, 60));
    await second.keeper.tick();
    await waitFor(async () => (await second.book.get(held.paymentHash))?.state === 'refunded');
    expect(await session.get(`deposit.key.${held.paymentHash}`)).toBeUndefined();
  });

  it('a malformed challenge is refused with a clear code, before anything is written', async () => {
    const s = site();
    const w = life({ sites: [s] });
    const wall = await s.meet();
    expect(await codeOf(w.keeper.open({ ...wall, wwwAuthenticate: ['Deposit realm="x", amount="1"'] }))).toBe('DEPOSIT_CHALLENGE_INVALID');
    expect(await w.book.list()).toEqual([]);
  });
});

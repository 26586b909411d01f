/**
 * The session payer (Payment intent="session", a custodial deposit) against the demo session wall
 * (demo-sites/paywall/session.ts) on the in-process devnet: alice's node pays the deposit to carol
 * and gets the refund back. The ledger, the budget, the node balances and the session records are
 * checked after each step, and across a restart.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from '../../devnet/index.ts';
import { startPaywallServer, type PaywallServer } from '../../demo-sites/paywall/paywall.ts';
import { Ledger } from '../ledger/index.ts';
import { bytesToBase64url, utf8Bytes } from '../l402/codec.ts';
import { sessionCloseAuthorization } from '../l402/session.ts';
import { LndRest } from '../node/lnd-rest.ts';
import { PaymentPipeline } from '../payments/index.ts';
import { DEFAULT_GLOBAL, PolicyEngine } from '../policy/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { scriptedApprover } from '../testing/approver.ts';
import { codeOf, rejectedWith } from '../testing/expect-code.ts';
import type { ApprovalDecision } from '../webln/approval.ts';
import { SessionPayer, sessionOffers, type SessionWall } from './session.ts';
import { SessionStore } from './session-store.ts';

let dn: Devnet;
let pw: PaywallServer;
let skewMs = 0;
const clock = () => Date.now() + skewMs;

beforeAll(async () => {
  dn = await startDevnet({ basePort: 0 });
  pw = await startPaywallServer({ control: dn.control, now: clock, session: { priceSat: 10, depositUnits: 5 } });
});
afterAll(async () => {
  await pw.stop();
  await dn.stop();
});
beforeEach(() => {
  skewMs = 0;
  pw.paywall.session.configure({ priceSat: 10, depositUnits: 5, asyncRefund: false });
});

const PAGE = () => new URL(pw.url).origin;
const resource = (file = 'data.json') => `${pw.url}/paywall/session/${file}`;
const get = (auth?: string, file?: string) => fetch(resource(file), auth ? { headers: { authorization: auth } } : {});

/** What the browser met: a 402 with a session offer. */
async function meet(res?: Response, sentAt?: number): Promise<SessionWall> {
  const r = res ?? (await get());
  expect(r.status).toBe(402);
  return { url: resource(), wwwAuthenticate: [r.headers.get('www-authenticate') ?? ''], ctx: { origin: PAGE(), tabId: 7 }, ...(sentAt !== undefined && { sentAt }) };
}

type Fetch = typeof fetch;

/** One worker life on `store`. */
function life(o: { store?: MemoryStore; answers?: ApprovalDecision[]; fetch?: Fetch; refusalGraceMs?: number; refundWaitMs?: number } = {}) {
  const store = o.store ?? new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  const alice = new LndRest({ baseUrl: dn.nodes.alice.lndRestUrl, macaroonHex: dn.nodes.alice.adminMacaroonHex, timeoutMs: 10_000 });
  const { asked, ask } = scriptedApprover(o.answers);
  const payments = new PaymentPipeline({ policy, ledger, node: async () => alice, isUnlocked: async () => true, ask });
  const sessions = new SessionStore(store, { now: clock });
  const payer = new SessionPayer({
    sessions,
    payments,
    policy,
    ledger,
    node: async () => alice,
    nodeNetwork: async () => 'regtest',
    fetch: o.fetch ?? fetch,
    now: clock,
    refusalGraceMs: o.refusalGraceMs ?? 0,
    refundWaitMs: o.refundWaitMs ?? 5_000,
  });
  return { store, policy, ledger, sessions, payer, asked };
}

const aliceLocalSat = async () => (await dn.control.balances('alice')).channels.reduce((n, c) => n + c.localSat, 0);
const onSite = (id: string) => pw.paywall.session.session(id);

describe('SessionPayer on the devnet, against the demo session wall', () => {
  it('open → bearer (served, debited) → close → the unspent balance is back on alice’s node, in the ledger as a refund', async () => {
    const w = life();
    const before = await aliceLocalSat();
    const opened = await w.payer.open(await meet());
    expect([opened.origin, opened.paid]).toEqual([PAGE(), true]);
    expect(onSite(opened.sessionId)).toMatchObject({ status: 'open', depositSat: 50, balanceSat: 50 });
    // The deposit: paid through the pipeline, settled, custodial, the whole of it counted as spent.
    const deposit = await w.ledger.byHash(opened.sessionId);
    expect(deposit).toMatchObject({ kind: 'payment', source: 'deposit', rail: 'btc', direction: 'out', status: 'succeeded', amountSat: 50, origin: PAGE() });
    expect(deposit?.description).toMatch(/^Custodial deposit at 127\.0\.0\.1:\d+ \(satnav-demo-paywall\)/);
    const fee = deposit?.feeSat ?? 0;
    expect((await w.policy.dailyUsage()).spentSat).toBe(50 + fee);
    expect((await w.policy.dailyUsage()).lockedSat).toBe(0);

    for (let i = 1; i <= 3; i++) {
      const res = await get(opened.header);
      expect(res.status).toBe(200);
      expect(onSite(opened.sessionId)?.balanceSat).toBe(50 - 10 * i);
    }
    const [active] = await w.payer.active();
    expect(active).toMatchObject({ id: opened.sessionId, state: 'open', origin: PAGE(), realm: 'satnav-demo-paywall', depositSat: 50, unitSat: 10, header: opened.header });

    const closed = await w.payer.close(PAGE());
    expect(closed).toEqual({ sessionId: opened.sessionId, refundSat: 20, status: 'succeeded', receivedSat: 20 });
    const s = (await w.payer.list())[0]!;
    expect(s).toMatchObject({ state: 'closed', refundSat: 20, refundStatus: 'succeeded', receivedSat: 20 });
    expect(s.header).toBeUndefined();
    // What the receipt says is what came back: the return invoice settled on alice for 20.
    const back = await dn.control.lookupInvoice('alice', s.returnHash);
    expect([back.state, back.amtPaidSat, back.valueSat]).toEqual(['SETTLED', 20, 0]);
    expect(before - (await aliceLocalSat())).toBe(30 + fee);
    expect(await w.ledger.byHash(s.returnHash)).toMatchObject({ kind: 'refund', source: 'deposit', direction: 'in', status: 'succeeded', amountSat: 20, origin: PAGE() });
    // The refund does not un-spend the budget: the whole deposit was the site's spending.
    expect((await w.policy.dailyUsage()).spentSat).toBe(50 + fee);
    expect(await w.payer.active()).toEqual([]);
    expect((await get(opened.header)).headers.get('x-paywall-reason')).toBe('session-closed');
  });

  it('an exhausted balance answers 402; the next open tops the session up and the site serves again', async () => {
    const w = life();
    const opened = await w.payer.open(await meet());
    for (let i = 0; i < 5; i++) expect((await get(opened.header)).status).toBe(200);
    const sentAt = clock();
    const exhausted = await get(opened.header);
    expect([exhausted.status, exhausted.headers.get('x-paywall-reason')]).toEqual([402, 'insufficient-balance']);
    const again = await w.payer.open(await meet(exhausted, sentAt));
    expect([again.sessionId, again.paid]).toEqual([opened.sessionId, true]);
    expect(onSite(opened.sessionId)).toMatchObject({ depositSat: 100, spentSat: 50, balanceSat: 50, topUps: 1 });
    expect((await get(again.header)).status).toBe(200);
    expect((await w.payer.active())[0]).toMatchObject({ depositSat: 100, state: 'open' });
    expect((await w.ledger.list({ kind: 'payment', source: 'deposit' })).map((e) => [e.amountSat, e.status])).toEqual([
      [50, 'succeeded'],
      [50, 'succeeded'],
    ]);
    expect((await w.ledger.list({ kind: 'payment', source: 'deposit' }))[0]?.description).toMatch(/^Custodial top-up/);
    expect(await w.payer.close(PAGE())).toMatchObject({ refundSat: 40, status: 'succeeded', receivedSat: 40 });
  });

  it('a 402 to a request sent before the header was made gets the same header, and nothing is paid', async () => {
    const w = life();
    const before = clock();
    const wall = await meet();
    const opened = await w.payer.open(wall);
    const late = await w.payer.open({ ...(await meet()), sentAt: before });
    expect(late).toEqual({ ...opened, paid: false });
    expect(await w.ledger.list()).toHaveLength(1);
    await w.payer.close(PAGE());
  });

  it('concurrent walls of one site share one deposit', async () => {
    const w = life();
    const walls = await Promise.all([meet(), meet(), meet()]);
    const t = clock();
    const all = await Promise.all(walls.map((wall) => w.payer.open({ ...wall, sentAt: t })));
    expect(new Set(all.map((a) => a.sessionId)).size).toBe(1);
    expect(all.filter((a) => a.paid)).toHaveLength(1);
    expect(await w.ledger.list({ kind: 'payment', source: 'deposit' })).toHaveLength(1);
    await w.payer.close(PAGE());
  });

  it('concurrent walls that do not say when their request left: one deposit, the same header for all', async () => {
    const w = life({ refusalGraceMs: 60_000 });
    const walls = await Promise.all([meet(), meet(), meet()]);
    const all = await Promise.all(walls.map((wall) => w.payer.open(wall)));
    expect(new Set(all.map((a) => a.header)).size).toBe(1);
    expect(await w.ledger.list({ kind: 'payment', source: 'deposit' })).toHaveLength(1);
    await w.payer.close(PAGE());
  });

  it('a header whose echoed offer expired is re-bound to the fresh offer, without paying', async () => {
    const w = life();
    const opened = await w.payer.open(await meet());
    skewMs = 901_000;
    const refused = await get(opened.header);
    expect(refused.headers.get('x-paywall-reason')).toBe('challenge-expired');
    const rebound = await w.payer.open(await meet(refused, clock()));
    expect([rebound.sessionId, rebound.paid]).toEqual([opened.sessionId, false]);
    expect(rebound.header).not.toBe(opened.header);
    expect((await get(rebound.header)).status).toBe(200);
    expect(await w.ledger.list({ kind: 'payment', source: 'deposit' })).toHaveLength(1);
    // Closing with the header's expired offer works too: the refusal brings a fresh one.
    skewMs = 1_900_000;
    expect(await w.payer.close(PAGE())).toMatchObject({ refundSat: 40, status: 'succeeded' });
  });

  it('a site that closed the session on its own: the top-up it is then paid opens a new session; the old refund is still recorded', async () => {
    const w = life();
    const first = await w.payer.open(await meet());
    const [record] = await w.payer.active();
    // The site closes it by itself (here: a close sent behind the wallet's back): it refunds the 50 sat.
    expect((await get(sessionCloseAuthorization(record!.challenge, { sessionId: record!.id, preimage: record!.preimage! }))).status).toBe(200);
    const refused = await get(first.header);
    expect(refused.headers.get('x-paywall-reason')).toBe('session-closed');
    const next = await w.payer.open(await meet(refused, clock()));
    expect(next.sessionId).not.toBe(first.sessionId);
    expect(next.paid).toBe(true);
    expect((await get(next.header)).status).toBe(200);
    const [now, old] = await w.payer.list();
    expect(now).toMatchObject({ id: next.sessionId, state: 'open', depositSat: 50 });
    expect(old).toMatchObject({ id: first.sessionId, state: 'closed', note: 'top-up refused: 402 session-closed' });
    expect(old?.topUp).toBeUndefined();
    await w.payer.settleRefunds();
    expect(await w.ledger.byHash(old!.returnHash)).toMatchObject({ kind: 'refund', status: 'succeeded', amountSat: 50 });
    expect(await w.ledger.list({ kind: 'payment', source: 'deposit' })).toHaveLength(2);
    expect(await w.payer.close(PAGE())).toMatchObject({ sessionId: next.sessionId, refundSat: 40, receivedSat: 40 });
  });

  it('a site refusing the session it was just paid for is not paid again within the grace', async () => {
    const w = life({ refusalGraceMs: 60_000 });
    const opened = await w.payer.open(await meet());
    for (let i = 0; i < 5; i++) await get(opened.header);
    const exhausted = await get(opened.header);
    expect(await codeOf(w.payer.open(await meet(exhausted, clock())))).toBe('SESSION_REFUSED');
    expect(await w.ledger.list({ kind: 'payment', source: 'deposit' })).toHaveLength(1);
    expect(await w.payer.close(PAGE())).toMatchObject({ refundSat: 0, status: 'skipped', receivedSat: 0 });
    expect(await w.ledger.list({ kind: 'refund' })).toEqual([]);
  });

  it('the site answers close with "failed" and pays after (Aperture’s way): the refund is seen arriving', async () => {
    pw.paywall.session.configure({ asyncRefund: true });
    const w = life();
    const opened = await w.payer.open(await meet());
    await get(opened.header);
    expect(await w.payer.close(PAGE())).toEqual({ sessionId: opened.sessionId, refundSat: 40, status: 'failed', receivedSat: 40 });
    const s = (await w.payer.list())[0]!;
    expect(await w.ledger.byHash(s.returnHash)).toMatchObject({ kind: 'refund', status: 'succeeded', amountSat: 40 });
  });

  it('a refund that does not arrive stays an incoming payment pending in the ledger, watched until it does', async () => {
    const w = life({ refundWaitMs: 300 });
    const opened = await w.payer.open(await meet());
    dn.control.setFailHtlcs('alice', true);
    let closed;
    try {
      closed = await w.payer.close(PAGE());
    } finally {
      dn.control.setFailHtlcs('alice', false);
    }
    expect(closed).toEqual({ sessionId: opened.sessionId, refundSat: 50, status: 'failed', receivedSat: 0 });
    const s = (await w.payer.list())[0]!;
    expect(await w.ledger.byHash(s.returnHash)).toMatchObject({ kind: 'refund', direction: 'in', status: 'pending', amountSat: 50 });
    expect(s.refundSettledAt).toBeUndefined();
    expect(await w.payer.settleRefunds()).toBe(0);
    // The site pays it later (by hand here): the tick finds it arrived.
    expect((await dn.control.payInvoice('carol', s.returnInvoice, { amountSat: 50 })).status).toBe('SUCCEEDED');
    expect(await w.payer.settleRefunds()).toBe(1);
    expect(await w.ledger.byHash(s.returnHash)).toMatchObject({ status: 'succeeded', amountSat: 50 });
    expect((await w.payer.list())[0]).toMatchObject({ receivedSat: 50 });
  });

  it('a worker that died after paying: the next life opens the paid session, never pays twice', async () => {
    let down = true;
    const flaky: Fetch = async (input, init) => {
      if (down && new Headers(init?.headers).get('authorization')?.startsWith('Payment ')) throw new TypeError('network down');
      return fetch(input, init);
    };
    const first = life({ fetch: flaky });
    expect(await codeOf(first.payer.open(await meet()))).toBe('SESSION_UNREACHABLE');
    const [paid] = await first.payer.active();
    expect(paid).toMatchObject({ state: 'paid' });
    expect(paid?.preimage).toMatch(/^[0-9a-f]{64}$/);
    down = false;
    const second = life({ store: first.store });
    expect(await second.payer.recover()).toMatchObject({ resumed: 1 });
    const [open] = await second.payer.active();
    expect(open).toMatchObject({ id: paid!.id, state: 'open' });
    expect((await get(open!.header)).status).toBe(200);
    expect(await second.ledger.list({ kind: 'payment', source: 'deposit' })).toHaveLength(1);
    await second.payer.close(PAGE());
  });

  it('a new worker life finishes a close that was under way', async () => {
    let down = false;
    const flaky: Fetch = async (input, init) => {
      if (down) throw new TypeError('network down');
      return fetch(input, init);
    };
    const first = life({ fetch: flaky });
    const opened = await first.payer.open(await meet());
    down = true;
    expect(await codeOf(first.payer.close(PAGE()))).toBe('SESSION_UNREACHABLE');
    expect((await first.payer.active())[0]).toMatchObject({ state: 'closing' });
    const second = life({ store: first.store });
    await second.payer.recover();
    expect((await second.payer.list())[0]).toMatchObject({ id: opened.sessionId, state: 'closed', refundSat: 50, receivedSat: 50 });
  });

  describe('malformed receipts are refused clearly; the session is closed and its refund still watched', () => {
    const b64 = (o: unknown) => bytesToBase64url(utf8Bytes(JSON.stringify(o)));
    const cases: [string, (sessionId: string, real: Record<string, unknown>) => string, RegExp][] = [
      ['garbage', () => '!!!', /not base64url/],
      ['a receipt for another session', (_id, real) => b64({ ...real, reference: 'ab'.repeat(32) }), /another session/],
      ['skipped with a refund', (_id, real) => b64({ ...real, refundStatus: 'skipped' }), /skipped with refundSats/],
      ['a refund status the scheme does not have', (_id, real) => b64({ ...real, refundStatus: 'pending' }), /refundStatus=pending/],
      ['no receipt at all', () => '', /no Payment-Receipt on the close answer/],
    ];
    for (const [name, forge, message] of cases)
      it(name, async () => {
        const rewriting: Fetch = async (input, init) => {
          const res = await fetch(input, init);
          const auth = new Headers(init?.headers).get('authorization') ?? '';
          const json = JSON.parse(new TextDecoder().decode(Buffer.from(auth.slice(8), 'base64url'))) as { payload: { action: string; sessionId?: string } };
          if (json.payload.action !== 'close') return res;
          const real = JSON.parse(Buffer.from(res.headers.get('payment-receipt') ?? '', 'base64url').toString()) as Record<string, unknown>;
          const headers = new Headers(res.headers);
          const forged = forge(json.payload.sessionId ?? '', real);
          if (forged) headers.set('payment-receipt', forged);
          else headers.delete('payment-receipt');
          return new Response(await res.text(), { status: res.status, headers });
        };
        const w = life({ fetch: rewriting });
        const opened = await w.payer.open(await meet());
        const e = await rejectedWith(w.payer.close(PAGE()));
        expect(e.code).toBe('SESSION_RECEIPT_INVALID');
        expect(e.message).toMatch(/^l402: /);
        expect(e.message).toMatch(message);
        const s = (await w.payer.list())[0]!;
        expect(s).toMatchObject({ id: opened.sessionId, state: 'closed' });
        expect(s.refundSat).toBeUndefined();
        // The site did refund (its receipt was the broken part): the node's word records it.
        await w.payer.settleRefunds();
        expect(await w.ledger.byHash(s.returnHash)).toMatchObject({ kind: 'refund', status: 'succeeded', amountSat: 50 });
      });
  });

  describe('refusals', () => {
    it('closing a site with no session', async () => {
      expect(await codeOf(life().payer.close('https://nobody.example'))).toBe('SESSION_UNKNOWN');
    });
    it('a 402 without a session offer', async () => {
      const w = life();
      expect(await codeOf(w.payer.open({ url: resource(), wwwAuthenticate: ['L402 macaroon="AA==", invoice="lnbcrt1"'], ctx: { origin: PAGE() } }))).toBe('L402_CHALLENGE_INVALID');
      expect(await w.payer.list()).toEqual([]);
    });
    it('a deposit for another network is refused before anything is written', async () => {
      const w = life();
      const wall = await meet();
      const payer = new SessionPayer({ ...depsOf(w), nodeNetwork: async () => 'mainnet' });
      expect(await codeOf(payer.open(wall))).toBe('L402_WRONG_NETWORK');
      expect(await w.payer.list()).toEqual([]);
    });
    it('above the largest deposit: the person is asked, as a payment (custodial: no lock terms); a "no" pays nothing and keeps no record', async () => {
      const w = life({ answers: [{ approved: false }] });
      await w.policy.updateGlobal({ deposits: { ...DEFAULT_GLOBAL.deposits, maxDepositSat: 40 } });
      expect(await codeOf(w.payer.open(await meet()))).toBe('REJECTED');
      expect(w.asked).toEqual([expect.objectContaining({ kind: 'payment', label: 'deposit', reason: 'above_deposit_limit', amountSat: 50 })]);
      expect(w.asked[0]).not.toHaveProperty('deposit');
      expect(await w.payer.list()).toEqual([]);
      expect(await w.ledger.list()).toEqual([]);
    });
    it('a deposit that cannot be paid ends the session as failed', async () => {
      const w = life();
      const wall = await meet();
      dn.control.setFailHtlcs('carol', true);
      try {
        expect(await codeOf(w.payer.open(wall))).toBe('PAYMENT_FAILED');
      } finally {
        dn.control.setFailHtlcs('carol', false);
      }
      expect((await w.payer.list())[0]).toMatchObject({ state: 'failed' });
      expect(await w.payer.active()).toEqual([]);
    });
    it('a site that takes the deposit and will not open the session: the session ends, the next wall opens a new one', async () => {
      const refusing: Fetch = async (input, init) => {
        const auth = new Headers(init?.headers).get('authorization') ?? '';
        if (auth.startsWith('Payment ') && JSON.parse(Buffer.from(auth.slice(8), 'base64url').toString()).payload.action === 'open') {
          return new Response('no', { status: 402, headers: { 'x-paywall-reason': 'bad-challenge' } });
        }
        return fetch(input, init);
      };
      const w = life({ fetch: refusing });
      const e = await rejectedWith(w.payer.open(await meet()));
      expect([e.code, e.message]).toEqual(['SESSION_REFUSED', 'session: the site refused to open the session it was paid for=402 bad-challenge']);
      expect((await w.payer.list())[0]).toMatchObject({ state: 'closed', note: 'open refused: 402 bad-challenge' });
      expect(await w.payer.active()).toEqual([]);
    });
  });
});

describe('sessionOffers', () => {
  it('finds the session offers among others, and none in garbage', async () => {
    const wall = await meet();
    expect(sessionOffers(wall.wwwAuthenticate)).toHaveLength(1);
    expect(sessionOffers(['garbage "'])).toEqual([]);
    expect(sessionOffers('')).toEqual([]);
  });
});

function depsOf(w: ReturnType<typeof life>) {
  const alice = new LndRest({ baseUrl: dn.nodes.alice.lndRestUrl, macaroonHex: dn.nodes.alice.adminMacaroonHex });
  const payments = new PaymentPipeline({ policy: w.policy, ledger: w.ledger, node: async () => alice, isUnlocked: async () => true, ask: async () => ({ approved: false }) });
  return { sessions: w.sessions, payments, policy: w.policy, ledger: w.ledger, node: async () => alice, nodeNetwork: async () => 'regtest' as const, fetch, now: clock };
}

import { describe, expect, it } from 'vitest';
import { SatnavError } from '../errors.ts';
import { NOW, invoice, l402Line, macaroonFor, paymentLine, type TestInvoice } from '../l402/test-fixtures.ts';
import { Ledger } from '../ledger/index.ts';
import type { LightningNode, PaymentResult } from '../node/types.ts';
import { PaymentPipeline } from '../payments/index.ts';
import { PolicyEngine } from '../policy/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import type { ApprovalDecision, ApprovalRequest } from '../webln/approval.ts';
import { CredentialStore, type SecretSlot } from './credentials.ts';
import { REFUSAL_GRACE_MS, WallPayer, type WallObservation } from './payer.ts';

/**
 * The 402 payer over the real pipeline, policy and ledger, with a scripted
 * node that knows the preimage of every test invoice and a scripted person.
 */
const SHOP = 'https://shop.example';
const API = 'https://api.example';

/** The vault's secrets in memory; `failNext` makes the next write fail (a worker killed before storing). */
function memorySlot() {
  let value: unknown;
  const slot: SecretSlot & { failNext: boolean } = {
    failNext: false,
    read: async () => structuredClone(value),
    update: async (fn: (v: unknown) => unknown) => {
      if (slot.failNext) {
        slot.failNext = false;
        throw new Error('worker killed');
      }
      value = structuredClone(fn(structuredClone(value)));
    },
  };
  return slot;
}

function world(o: { store?: MemoryStore; slot?: ReturnType<typeof memorySlot>; answers?: ApprovalDecision[]; locked?: boolean } = {}) {
  const store = o.store ?? new MemoryStore();
  const clock = { ms: NOW * 1000 };
  const now = () => clock.ms;
  const policy = new PolicyEngine({ store, now });
  const ledger = new Ledger({ store, now });
  const preimages = new Map<string, string>();
  const paid: string[] = [];
  const node = {
    payInvoice: async (p: { paymentRequest: string }) => {
      const inv = [...invoices.values()].find((i) => i.paymentRequest === p.paymentRequest)!;
      paid.push(inv.paymentHash);
      return result(inv, 'SUCCEEDED');
    },
    trackPayment: async (hash: string) => result({ paymentHash: hash, preimage: preimages.get(hash)! }, paid.includes(hash) ? 'SUCCEEDED' : 'FAILED'),
  } as unknown as LightningNode;
  const invoices = new Map<string, TestInvoice>();
  const asked: ApprovalRequest[] = [];
  const answers = [...(o.answers ?? [])];
  let locked = o.locked ?? false;
  const ask = async (r: ApprovalRequest) => {
    asked.push(r);
    const a = answers.shift();
    if (!a) throw new Error(`unexpected prompt: ${r.kind}`);
    // The prompt window unlocks the vault when the person approves an unlock.
    if (r.kind === 'unlock' && a.approved) locked = false;
    return a;
  };
  const isUnlocked = async () => !locked;
  const payments = new PaymentPipeline({ policy, ledger, ask, node: async () => node, isUnlocked, now });
  const slot = o.slot ?? memorySlot();
  const credentials = new CredentialStore(slot, now);
  const payer = new WallPayer({ payments, policy, ledger, credentials, node: async () => node, nodeNetwork: async () => 'regtest', isUnlocked, ask, now });
  /** A fresh invoice of `amountSat` the node can pay. */
  const make = (seed: string, amountSat = 100) => {
    const inv = invoice({ seed: `${seed} ${Math.random()}`, amountSat, timestamp: Math.floor(clock.ms / 1000) - 60 });
    invoices.set(inv.paymentHash, inv);
    preimages.set(inv.paymentHash, inv.preimage);
    return inv;
  };
  return { store, slot, clock, policy, ledger, credentials, payer, paid, preimages, asked, answers, make };
}

function result(inv: { paymentHash: string; preimage: string }, status: PaymentResult['status']): PaymentResult {
  return { status, paymentHash: inv.paymentHash, ...(status === 'SUCCEEDED' && { preimage: inv.preimage }), amountMsat: 100_000n, feeMsat: 0n, createdAt: 0 };
}

type World = ReturnType<typeof world>;

/** An Aperture 402: the LSAT and L402 lines for one token. */
function wall(w: World, path = '/v1/quote', o: { services?: string; sentAt?: number; origin?: string; seed?: string; amountSat?: number } = {}): WallObservation {
  const inv = w.make(o.seed ?? path, o.amountSat);
  const mac = macaroonFor(inv.paymentHash, [`services=${o.services ?? 'quotes'}:0`, `${o.services ?? 'quotes'}_valid_until=${Math.floor(w.clock.ms / 1000) + 3600}`]);
  return {
    url: `${o.origin ?? API}${path}?q=1`,
    headers: { wwwAuthenticate: [l402Line(inv, { scheme: 'LSAT', macaroon: mac }), l402Line(inv, { macaroon: mac })], paymentRequired: null },
    ctx: { origin: SHOP, tabId: 3 },
    sentAt: o.sentAt ?? w.clock.ms,
  };
}

async function enabled(w: World, patch: Parameters<PolicyEngine['upsertSite']>[1] = {}) {
  await w.policy.upsertSite(SHOP, { enabled: true, allowance: { sat: 5_000 }, l402AutoPay: true, ...patch });
}

describe('WallPayer', () => {
  it('a site never enabled is asked once (as a 402 wall); then the wall is paid and the credential kept for its server only', async () => {
    const w = world({ answers: [{ approved: true, allowance: { sat: 2_000 } }] });
    const obs = wall(w);
    const a = await w.payer.access(obs);
    expect(w.asked).toEqual([{ kind: 'enable', origin: SHOP, via: 'paywall' }]);
    expect(a.paid).toBe(true);
    expect(w.paid).toHaveLength(1);
    const inv = [...(await w.ledger.list())][0]!;
    expect(inv).toMatchObject({ origin: SHOP, source: 'l402', kind: 'payment', status: 'succeeded' });
    // The preimage is a bearer credential: not in the plain ledger, only in the encrypted store.
    expect(inv.preimage).toBeUndefined();
    expect(a.credential).toMatchObject({ origin: API, paths: ['/v1/quote'], services: ['quotes'], scheme: 'l402', reusable: true, paidBy: SHOP, amountSat: 100, expiresAt: NOW + 3600 });
    expect(a.credential.header.name).toBe('Authorization');
    expect(a.credential.header.value).toMatch(/^L402 [A-Za-z0-9+/=]+:[0-9a-f]{64}$/);
    expect(await w.credentials.pending()).toEqual([]);
    expect(await w.policy.getSite(SHOP)).toMatchObject({ enabled: true, l402AutoPay: true, allowance: { sat: 2_000 }, spentSat: 100 });
  });

  it('challenge headers too large to keep for recovery (a line over 64 KiB, more than 8 lines): refused clearly, nothing paid', async () => {
    const w = world();
    await enabled(w);
    const good = wall(w);
    const huge = { ...good, headers: { ...good.headers, wwwAuthenticate: [...good.headers.wwwAuthenticate, `Basic realm="${'x'.repeat(65_537)}"`] } };
    const many = { ...good, headers: { ...good.headers, wwwAuthenticate: [...good.headers.wwwAuthenticate, ...Array(7).fill('Basic realm="x"')] } };
    const bigX402 = { ...good, headers: { ...good.headers, paymentRequired: 'e'.repeat(65_537) } };
    for (const obs of [huge, many, bigX402]) expect(await codeOf(w.payer.access(obs))).toBe('L402_CHALLENGE_INVALID');
    expect(w.paid).toEqual([]);
    expect(await w.credentials.pending()).toEqual([]);
  });

  it('a "no" to the enable prompt pays nothing', async () => {
    const w = world({ answers: [{ approved: false }] });
    expect(await codeOf(w.payer.access(wall(w)))).toBe('REJECTED');
    expect(w.paid).toEqual([]);
  });

  it('reuse: a request sent before the credential applied, or another path of the same services, pays nothing', async () => {
    const w = world();
    await enabled(w);
    const first = await w.payer.access(wall(w, '/v1/quote', { sentAt: w.clock.ms - 5 }));
    // A request that left before the purchase and met the wall: the retry will carry the credential.
    expect(await w.payer.access(wall(w, '/v1/quote', { sentAt: w.clock.ms - 1 }))).toMatchObject({ paid: false, credential: { id: first.credential.id } });
    // Another path, same server and services: the held token goes there too.
    const other = await w.payer.access(wall(w, '/v1/price'));
    expect(other).toMatchObject({ paid: false, credential: { id: first.credential.id, paths: ['/v1/price', '/v1/quote'] } });
    expect(w.paid).toHaveLength(1);
  });

  it('another service of the same server is bought separately', async () => {
    const w = world();
    await enabled(w);
    await w.payer.access(wall(w, '/v1/quote'));
    const media = await w.payer.access(wall(w, '/v1/video', { services: 'media' }));
    expect(media.paid).toBe(true);
    expect(w.paid).toHaveLength(2);
    expect((await w.credentials.list()).map((c) => c.services)).toEqual([['media'], ['quotes']]);
  });

  it('single flight: 20 concurrent 402s for one server and service make one payment', async () => {
    const w = world();
    await enabled(w);
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => w.payer.access(wall(w, `/v1/item/${i % 4}`))));
    expect(w.paid).toHaveLength(1);
    expect(new Set(all.map((a) => a.credential.id)).size).toBe(1);
    expect(all.filter((a) => a.paid)).toHaveLength(1);
  });

  it('the credential is handed over while the vault writes it; until then the wall is not bought again and the list waits', async () => {
    const w = world();
    await enabled(w);
    let release = () => {};
    const put = w.credentials.put.bind(w.credentials);
    w.credentials.put = async (c) => {
      await new Promise<void>((resolve) => (release = resolve));
      return put(c);
    };
    const a = await w.payer.access(wall(w));
    expect(a.paid).toBe(true);
    expect(await w.credentials.list()).toEqual([]);
    let listed: string[] | undefined;
    const listing = w.payer.list().then((l) => (listed = l.map((c) => c.id)));
    // Another 402 of the wall meanwhile joins the purchase.
    expect(await w.payer.access(wall(w))).toMatchObject({ paid: false, credential: { id: a.credential.id } });
    expect(w.paid).toHaveLength(1);
    expect(listed).toBeUndefined();
    release();
    await a.stored;
    await listing;
    expect(listed).toEqual([a.credential.id]);
  });

  it('a credential the server refuses later (revoked, expired there) is bought again, once', async () => {
    const w = world();
    await enabled(w);
    const first = await w.payer.access(wall(w));
    w.clock.ms += REFUSAL_GRACE_MS + 1;
    const again = await w.payer.access(wall(w));
    expect(again.paid).toBe(true);
    expect(again.credential.id).not.toBe(first.credential.id);
    expect(await w.credentials.list()).toHaveLength(1);
  });

  it('a credential refused right after it was bought is not bought a third time', async () => {
    const w = world();
    await enabled(w);
    await w.payer.access(wall(w));
    w.clock.ms += 1_000;
    expect(await codeOf(w.payer.access(wall(w)))).toBe('PAYWALL_REFUSED');
    expect(w.paid).toHaveLength(1);
  });

  it('an expired credential is not used', async () => {
    const w = world();
    await enabled(w);
    await w.payer.access(wall(w));
    w.clock.ms += 3_601_000;
    expect(await w.credentials.list()).toEqual([]);
    expect((await w.payer.access(wall(w))).paid).toBe(true);
  });

  it('credentials go only to the server that issued them', async () => {
    const w = world();
    await enabled(w);
    await w.payer.access(wall(w));
    expect(await w.credentials.forUrl(new URL(`${API}/v1/quote`))).toBeDefined();
    expect(await w.credentials.forUrl(new URL('https://other.example/v1/quote'))).toBeUndefined();
    expect(await w.credentials.forUrl(new URL('http://api.example/v1/quote'))).toBeUndefined();
  });

  it('switched off in Limits: nothing is paid', async () => {
    const w = world();
    await enabled(w);
    await w.policy.updateGlobal({ l402: { autoPay: false, overBudget: 'ask' } });
    expect(await codeOf(w.payer.access(wall(w)))).toBe('PAYWALL_OFF');
    expect(w.paid).toEqual([]);
  });

  it('above the ceiling: the person is asked with a 402 label, or, if they chose so, the page just gets its 402', async () => {
    const w = world({ answers: [{ approved: false }] });
    await enabled(w);
    expect(await codeOf(w.payer.access(wall(w, '/big', { amountSat: 1_500 })))).toBe('REJECTED');
    expect(w.asked).toEqual([expect.objectContaining({ kind: 'payment', label: 'l402', amountSat: 1_500, reason: 'above_auto_approve' })]);
    await w.policy.updateGlobal({ l402: { autoPay: true, overBudget: 'show402' } });
    expect(await codeOf(w.payer.access(wall(w, '/big2', { amountSat: 1_500 })))).toBe('APPROVAL_REQUIRED');
    expect(w.asked).toHaveLength(1);
    expect(w.paid).toEqual([]);
  });

  it("a site with 402 auto-pay off asks even within its allowance", async () => {
    const w = world({ answers: [{ approved: true }] });
    await enabled(w, { l402AutoPay: false });
    expect((await w.payer.access(wall(w))).paid).toBe(true);
    expect(w.asked).toEqual([expect.objectContaining({ kind: 'payment', reason: 'l402_auto_pay_off' })]);
  });

  it('the worker killed after paying, before storing the credential: recovered from the node, never paid twice', async () => {
    const store = new MemoryStore();
    const slot = memorySlot();
    const w = world({ store, slot });
    await enabled(w);
    const obs = wall(w);
    // The pending purchase is written; the credential write is the one that dies.
    const put = w.credentials.put.bind(w.credentials);
    w.credentials.put = async (c) => {
      slot.failNext = true;
      return put(c);
    };
    // The header is handed over at once; the write that failed leaves the purchase pending.
    const a = await w.payer.access(obs);
    expect(a.paid).toBe(true);
    expect(await a.stored.catch((e: Error) => e.message)).toBe('worker killed');
    expect(await w.payer.list()).toEqual([]);
    expect(await w.credentials.pending()).toHaveLength(1);
    // The next worker life.
    const next = world({ store, slot });
    const payer = new WallPayer({
      payments: new PaymentPipeline({ policy: next.policy, ledger: next.ledger, ask: async () => ({ approved: false }), node: async () => nodeFor(w), isUnlocked: async () => true }),
      policy: next.policy,
      ledger: next.ledger,
      credentials: next.credentials,
      node: async () => nodeFor(w),
      nodeNetwork: async () => 'regtest',
      isUnlocked: async () => true,
      ask: async () => ({ approved: false }),
      now: () => next.clock.ms,
    });
    expect(await payer.recover()).toEqual({ recovered: 1, dropped: 0, waiting: 0 });
    const [c] = await next.credentials.list();
    expect(c).toMatchObject({ origin: API, paths: ['/v1/quote'], scheme: 'l402' });
    expect(await payer.access({ ...obs, sentAt: next.clock.ms - 1 })).toMatchObject({ paid: false });
    expect(w.paid).toHaveLength(1);
  });

  it('a Payment charge is one request: consumed, it is gone', async () => {
    const w = world();
    await enabled(w);
    const inv = w.make('charge');
    const a = await w.payer.access({ url: `${API}/charge`, headers: { wwwAuthenticate: [paymentLine(inv)], paymentRequired: null }, ctx: { origin: SHOP }, sentAt: w.clock.ms });
    expect(a.credential).toMatchObject({ scheme: 'payment', reusable: false });
    expect(a.credential.header.value).toMatch(/^Payment /);
    await w.payer.consumed(a.credential.id);
    expect(await w.credentials.list()).toEqual([]);
  });

  it('a malformed or hostile challenge pays nothing and says why', async () => {
    const w = world();
    await enabled(w);
    const inv = w.make('x');
    const other = w.make('y');
    const bad = (line: string) => w.payer.access({ url: `${API}/x`, headers: { wwwAuthenticate: [line], paymentRequired: null }, ctx: { origin: SHOP }, sentAt: w.clock.ms });
    expect(await codeOf(bad('L402 macaroon="%%%", invoice="lnbc1garbage"'))).toBe('L402_CHALLENGE_INVALID');
    expect(await codeOf(bad('Basic realm="x"'))).toBe('L402_CHALLENGE_INVALID');
    // The invoice pays for another hash than the token is bound to.
    expect(await codeOf(bad(l402Line(inv, { macaroon: macaroonFor(other.paymentHash) })))).toBe('L402_HASH_MISMATCH');
    expect(w.paid).toEqual([]);
    expect(await w.credentials.pending()).toEqual([]);
  });

  it('a purchase an earlier worker left in flight: nothing new is bought for that server until it resolves', async () => {
    const w = world();
    await enabled(w);
    const obs = wall(w);
    const hash = /invoice="([^"]+)"/.exec(obs.headers.wwwAuthenticate[1]!)![1]!;
    const { decodeInvoice } = await import('../bolt11/index.ts');
    const paymentHash = decodeInvoice(hash).paymentHash;
    await w.ledger.begin({ origin: SHOP, kind: 'payment', source: 'l402', rail: 'btc', amountSat: 100, paymentHash });
    await w.credentials.addPending({ paymentHash, origin: API, path: '/v1/quote', paidBy: SHOP, headers: obs.headers, createdAt: w.clock.ms });
    expect(await codeOf(w.payer.access(wall(w, '/v1/other')))).toBe('PAYMENT_PENDING');
    expect(w.paid).toEqual([]);
    expect(await w.credentials.pending()).toHaveLength(1);
  });

  it('an embedded frame asks, naming the page it sits in', async () => {
    const w = world({ answers: [{ approved: true }] });
    await enabled(w);
    await w.payer.access({ ...wall(w), ctx: { origin: SHOP, topOrigin: 'https://news.example', tabId: 4 } });
    expect(w.asked).toEqual([expect.objectContaining({ reason: 'embedded_frame', embeddedIn: 'https://news.example' })]);
  });

  it('an embedded frame on a locked wallet or a site never enabled: those questions name the page it sits in too', async () => {
    const frame = { origin: SHOP, topOrigin: 'https://news.example', tabId: 4 };
    const locked = world({ locked: true, answers: [{ approved: false }] });
    await enabled(locked);
    expect(await codeOf(locked.payer.access({ ...wall(locked), ctx: frame }))).toBe('REJECTED');
    expect(locked.asked).toEqual([{ kind: 'unlock', origin: SHOP, embeddedIn: 'https://news.example' }]);
    const stranger = world({ answers: [{ approved: false }] });
    expect(await codeOf(stranger.payer.access({ ...wall(stranger), ctx: { ...frame, topOrigin: null } }))).toBe('REJECTED');
    expect(stranger.asked).toEqual([{ kind: 'enable', origin: SHOP, embeddedIn: null, via: 'paywall' }]);
    expect([...locked.paid, ...stranger.paid]).toEqual([]);
  });
});

function nodeFor(w: World): LightningNode {
  return {
    trackPayment: async (hash: string) => {
      if (!w.paid.includes(hash)) throw new SatnavError('NODE_PAYMENT_NOT_FOUND', 'node: not found');
      const preimage = w.preimages.get(hash);
      return { status: 'SUCCEEDED', paymentHash: hash, preimage, amountMsat: 100_000n, feeMsat: 0n, createdAt: 0 } as PaymentResult;
    },
    payInvoice: async () => {
      throw new Error('must not pay again');
    },
  } as unknown as LightningNode;
}

/**
 * Page messages as an attacker (or a buggy site) sends them: random method names, params of any
 * shape, huge strings, odd numbers, invoices with flipped characters. Two things must hold for
 * every message, in any order:
 * - the service answers or throws a SatnavError whose code the page channel maps to a WebLN
 *   error class (never InternalError: the fake node here never fails);
 * - the node is asked to pay (payInvoice / keysend) exactly when the message was a valid,
 *   in-budget payment from an enabled site — judged by a model written apart from the service.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { Point } from '@noble/secp256k1';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeInvoice, type InvoiceField } from '../../devnet/bolt11-encode.ts';
import { deriveKey } from '../../devnet/keys.ts';
import { decodeInvoice } from '../bolt11/index.ts';
import { SatnavError } from '../errors.ts';
import { Ledger } from '../ledger/index.ts';
import type { KeysendParams, LightningNode, PayInvoiceParams, PaymentResult } from '../node/types.ts';
import { MAX_SATS } from '../base/sats.ts';
import { PaymentPipeline } from '../payments/index.ts';
import { PolicyEngine, feeLimitSat, valueOf, type SiteView } from '../policy/index.ts';
import { PageInvoices } from './page-invoices.ts';
import { MemoryStore } from '../storage/kv.ts';
import type { ApprovalDecision, ApprovalRequest } from './approval.ts';
import { weblnErrorName } from './error-names.ts';
import { WEBLN_ERROR_NAMES } from './page-channel.ts';
import { pageRequest, weblnParams } from './params.ts';
import { WeblnService } from './service.ts';

const NOW_S = Math.floor(Date.now() / 1000);

// ---- invoices: a pool signed once, each with a known preimage ----------------------

const payee = deriveKey('satnav-fuzz', 'payee');
const PREIMAGES = new Map<string, string>();

interface PoolInvoice {
  paymentRequest: string;
  paymentHash: string;
  /** Sats the wallet would reserve; undefined when the invoice must never be paid. */
  payableSat?: number;
}

function signed(i: number, o: { currency?: string; amountSat?: number; timestamp?: number; secret?: boolean }): PoolInvoice {
  const preimage = sha256(utf8ToBytes(`fuzz preimage ${i}`));
  const hash = sha256(preimage);
  PREIMAGES.set(bytesToHex(hash), bytesToHex(preimage));
  const fields: InvoiceField[] = [
    { type: 'p', paymentHash: hash },
    ...(o.secret === false ? [] : [{ type: 's' as const, paymentSecret: sha256(utf8ToBytes(`fuzz secret ${i}`)) }]),
    { type: 'd', description: `fuzz ${i}` },
    { type: 'x', expirySeconds: 3600 },
  ];
  const paymentRequest = encodeInvoice(
    { currency: o.currency ?? 'bcrt', timestamp: o.timestamp ?? NOW_S, fields, ...(o.amountSat !== undefined && { amountMsat: BigInt(o.amountSat) * 1000n }) },
    payee.secret,
  );
  return { paymentRequest, paymentHash: bytesToHex(hash) };
}

let n = 0;
const POOL: PoolInvoice[] = [
  ...[1, 10, 99, 100, 450, 999, 1_000, 1_001, 2_500, 9_000, 20_000].map((amountSat) => ({ ...signed(n++, { amountSat }), payableSat: amountSat })),
  signed(n++, { amountSat: 10, timestamp: NOW_S - 7_200 }), // expired
  signed(n++, { amountSat: 10, currency: 'bc' }), // mainnet
  signed(n++, { amountSat: 10, currency: 'tb' }), // testnet
  signed(n++, {}), // no amount
  signed(n++, { amountSat: 10, secret: false }), // no payment secret: unpayable
];
const BY_HASH = new Map(POOL.map((p) => [p.paymentHash, p]));

// ---- the fake node --------------------------------------------------------------

class FakeNode implements LightningNode {
  readonly paid: string[] = [];
  readonly keysent: KeysendParams[] = [];

  async payInvoice(p: PayInvoiceParams): Promise<PaymentResult> {
    const hash = decodeInvoice(p.paymentRequest).paymentHash;
    this.paid.push(hash);
    return succeeded(hash, PREIMAGES.get(hash), BY_HASH.get(hash)?.payableSat ?? 0);
  }
  async keysend(p: KeysendParams): Promise<PaymentResult> {
    this.keysent.push(p);
    // The connector's input contract (LndRest): custom-range types, values as hex bytes.
    for (const [type, value] of Object.entries(p.customRecords ?? {}))
      if (!/^[0-9]+$/.test(type) || BigInt(type) < 65_536n || !/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw new SatnavError('NODE_BAD_INPUT', `node: custom record=${type}`);
    const preimage = p.preimage ?? '';
    return succeeded(bytesToHex(sha256(Buffer.from(preimage, 'hex'))), preimage, p.amountSat);
  }
  async getInfo() {
    return { alias: 'fake', pubkey: payee.pubkeyHex, network: 'regtest' as const, blockHeight: 1, synced: true, version: 'fake' };
  }
  async checkNetwork() {
    return this.getInfo();
  }
  async getWalletState() {
    return 'SERVER_ACTIVE' as const;
  }
  async getBalances() {
    return { onchain: { confirmedSat: 0, unconfirmedSat: 0 }, lightning: { localSat: 1_000, remoteSat: 0, pendingOpenLocalSat: 0, unsettledLocalSat: 0 }, assetChannels: [] };
  }
  async createInvoice() {
    const pick = POOL[0] as PoolInvoice;
    return { paymentRequest: pick.paymentRequest, paymentHash: bytesToHex(sha256(utf8ToBytes(String(Math.random())))) };
  }
  async createHoldInvoice(): Promise<never> {
    throw new Error('fake node: not used by WebLN');
  }
  async settleHoldInvoice(): Promise<never> {
    throw new Error('fake node: not used by WebLN');
  }
  async cancelHoldInvoice(): Promise<never> {
    throw new Error('fake node: not used by WebLN');
  }
  async lookupInvoice(paymentHash: string) {
    return { paymentHash, paymentRequest: '', memo: '', state: 'OPEN' as const, amountMsat: 0n, amountPaidMsat: 0n, createdAt: NOW_S, expiresAt: NOW_S + 3600, isKeysend: false };
  }
  async decodePayReq() {
    return { destination: payee.pubkeyHex, paymentHash: '00'.repeat(32), amountMsat: 0n, timestamp: NOW_S, expirySeconds: 3600, description: '', cltvExpiry: 18 };
  }
  async trackPayment(hash: string): Promise<never> {
    throw new SatnavError('NODE_PAYMENT_NOT_FOUND', `node: payment unknown=${hash}`);
  }
  async trackPayments(): Promise<void> {}
  async signMessage(message: string) {
    return `sig:${message.length}`;
  }
  async verifyMessage(message: string) {
    return { valid: message.length % 2 === 0, pubkey: payee.pubkeyHex };
  }
  async listPayments() {
    return [];
  }
  async listInvoices() {
    return [];
  }
}

function succeeded(paymentHash: string, preimage: string | undefined, amountSat: number): PaymentResult {
  if (!preimage) return { status: 'FAILED', paymentHash, amountMsat: 0n, feeMsat: 0n, failureReason: 'INCORRECT_PAYMENT_DETAILS', createdAt: NOW_S };
  return { status: 'SUCCEEDED', paymentHash, preimage, amountMsat: BigInt(amountSat) * 1000n, feeMsat: 1_000n, createdAt: NOW_S };
}

// ---- messages ------------------------------------------------------------------------

const ENABLED = 'https://enabled.example';
const SMALL = 'https://small.example'; // enabled, allowance 200 a week
const PAUSED = 'https://paused.example';
const STRANGER = 'https://stranger.example';

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const NODE = deriveKey('satnav-fuzz', 'destination').pubkeyHex;

const oddNumber = fc.constantFrom(Number.NaN, -1, -0, 0, 0.5, 1e300, -1e300, Infinity, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, MAX_SATS, MAX_SATS + 1);
const amountLike = fc.oneof(
  oddNumber,
  fc.integer({ min: -10, max: 30_000 }),
  fc.stringMatching(/^[0-9]{1,17}$/),
  fc.constantFrom('1', '100', '2100000000000000', '2100000000000001', '9999999999999999', '1e3', ' 5', '0x10', ''),
  fc.string({ maxLength: 8 }),
);
const hugeString = fc.constantFrom('x'.repeat(70_000), 'lnbcrt'.repeat(2_000), '1'.repeat(7_100));

/** A pool invoice, or one bent: a character flipped, case changed, scheme added, cut short. */
const invoiceText = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...POOL.map((p) => p.paymentRequest)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...POOL.map((p) => p.paymentRequest)), fc.nat(), fc.constantFrom(...BECH32))
      .map(([pr, at, c]) => {
        const i = at % pr.length;
        return pr.slice(0, i) + c + pr.slice(i + 1);
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom(...POOL.map((p) => p.paymentRequest)).map((pr) => `lightning:${pr.toUpperCase()}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...POOL.map((p) => p.paymentRequest)), fc.nat()).map(([pr, k]) => pr.slice(0, k % pr.length)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 400 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^lnbcrt[0-9]{0,4}[munp]?1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{100,300}$/) },
  { weight: 1, arbitrary: hugeString },
);
const hex = (len: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: len, maxLength: len });
const destination = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(NODE, NODE.toUpperCase(), payee.pubkeyHex) },
  { weight: 1, arbitrary: fc.oneof(hex(66), hex(64), fc.constant(`04${NODE.slice(2)}`), fc.string({ maxLength: 70 })) },
);
const recordType = fc.oneof(fc.constantFrom('65536', '65535', '696969', '7629169', '5482373484', '18446744073709551615', '18446744073709551616', '__proto__', 'constructor'), fc.stringMatching(/^[0-9]{1,21}$/));
const anyValue = fc.oneof(fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 4 }), oddNumber, hugeString);

const payParams = fc.oneof(
  { weight: 4, arbitrary: fc.record({ paymentRequest: invoiceText }) },
  { weight: 1, arbitrary: fc.record({ paymentRequest: fc.oneof(invoiceText, anyValue), extra: anyValue }, { requiredKeys: ['paymentRequest'] }) },
);
const plausibleSats = fc.integer({ min: 1, max: 1_200 });
const keysendParams = fc.record(
  {
    destination,
    amount: fc.oneof({ weight: 2, arbitrary: plausibleSats }, { weight: 1, arbitrary: plausibleSats.map(String) }, { weight: 2, arbitrary: amountLike }),
    customRecords: fc.oneof(
      fc.dictionary(fc.constantFrom('65536', '696969', '7629169'), fc.string({ maxLength: 40 }), { maxKeys: 3 }),
      fc.dictionary(recordType, fc.oneof(fc.string({ maxLength: 20 }), anyValue), { maxKeys: 18 }),
      anyValue,
    ),
  },
  { requiredKeys: ['destination', 'amount'] },
);
const makeInvoiceParams = fc.record({
  args: fc.oneof(
    amountLike,
    fc.record(
      { amount: amountLike, defaultAmount: amountLike, minimumAmount: amountLike, maximumAmount: amountLike, defaultMemo: fc.oneof(fc.string(), hugeString) },
      { requiredKeys: [] },
    ),
    anyValue,
  ),
});
const messageParams = fc.record({ message: fc.oneof(fc.string(), hugeString, anyValue), signature: fc.oneof(fc.string({ maxLength: 210 }), anyValue) }, { requiredKeys: [] });
const lookupParams = fc.oneof(fc.record({ paymentHash: fc.oneof(hex(64), fc.string()) }), fc.record({ paymentRequest: invoiceText }));
const requestParams = fc.record(
  { method: fc.oneof(fc.constantFrom('getinfo', 'GETINFO', 'decodepayreq', 'sendpayment', 'keysend', '__proto__'), fc.string()), params: anyValue },
  { requiredKeys: [] },
);
const noParams = fc.oneof(fc.constant(undefined), fc.constant({}), anyValue);

/** Params of any shape: shaped after some method (often slightly wrong), or anything at all. */
const params = fc.oneof(payParams, keysendParams, makeInvoiceParams, messageParams, lookupParams, requestParams, noParams);

/** Params shaped after `method`, so that valid calls are common enough to test the rule both ways. */
const PARAMS_FOR: Record<string, fc.Arbitrary<unknown>> = {
  sendPayment: payParams,
  sendPaymentAsync: payParams,
  keysend: keysendParams,
  makeInvoice: makeInvoiceParams,
  signMessage: messageParams,
  verifyMessage: messageParams,
  lookupInvoice: lookupParams,
  request: requestParams,
};
const methodName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.keys(weblnParams)) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'on', 'off', 'SENDPAYMENT', '') },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 70 }), anyValue) },
);
const call = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...Object.keys(weblnParams), 'sendPayment', 'sendPayment', 'sendPaymentAsync', 'keysend', 'keysend')
      .chain((method) => fc.record({ method: fc.constant(method as unknown), params: PARAMS_FOR[method] ?? noParams })),
  },
  { weight: 2, arbitrary: fc.record({ method: methodName, params }) },
);
const command = fc
  .record({
    origin: fc.constantFrom(ENABLED, ENABLED, ENABLED, SMALL, PAUSED, STRANGER),
    call,
    locked: fc.nat({ max: 4 }).map((k) => k === 0),
  })
  .map(({ origin, call: c, locked }) => ({ origin, method: c.method, params: c.params, locked }));
type Command = { origin: string; method: unknown; params: unknown; locked: boolean };

// ---- the model: may this message make the node pay? ------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null);
const onlyKeys = (v: Record<string, unknown>, allowed: string[], required: string[]) =>
  Object.keys(v).every((k) => allowed.includes(k)) && required.every((k) => Object.hasOwn(v, k) && v[k] !== undefined);

function positiveSats(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 && v <= MAX_SATS ? v : undefined;
  if (typeof v === 'string' && /^[0-9]{1,16}$/.test(v)) {
    const n = Number(v);
    return n > 0 && n <= MAX_SATS ? n : undefined;
  }
  return undefined;
}

function isNodeKey(v: unknown): boolean {
  if (typeof v !== 'string' || !/^0[23][0-9a-fA-F]{64}$/.test(v)) return false;
  try {
    Point.fromHex(v.toLowerCase());
    return true;
  } catch {
    return false;
  }
}

function validRecords(v: unknown): boolean {
  if (v === undefined) return true;
  if (!isRecord(v) || Object.keys(v).length > 16) return false;
  return Object.entries(v).every(([t, value]) => /^[0-9]{1,20}$/.test(t) && BigInt(t) >= 65_536n && BigInt(t) < 2n ** 64n && typeof value === 'string' && value.length <= 4096);
}

interface Before {
  site: SiteView | undefined;
  dailyRemainingSat: number;
  autoApproveSat: number;
  fee: (amountSat: number) => number;
}

/** Whether a payment of `amountSat` goes out, given the person's stance (approve all, or decline all). */
function withinBudget(amountSat: number, b: Before, approveAll: boolean): boolean {
  const site = b.site;
  if (!site) return false;
  const hold = amountSat + b.fee(amountSat);
  if (hold > b.dailyRemainingSat) return false; // the hard cap: no approval lifts it
  const asks = hold > valueOf(site.remaining) || amountSat > b.autoApproveSat;
  // Within the ceiling but over the allowance: refused outright, nobody is asked.
  if (hold > valueOf(site.remaining) && amountSat <= b.autoApproveSat) return false;
  return !asks || approveAll;
}

/** The payment hash (or 'keysend') the node should be asked to pay, if any. */
function expectedPayment(cmd: Command, b: Before, approveAll: boolean, paidHashes: Set<string>): string | undefined {
  if (!b.site?.enabled || b.site.paused) return undefined;
  if (cmd.locked && !approveAll) return undefined; // the unlock prompt is declined
  const p = cmd.params;
  if (cmd.method === 'sendPayment' || cmd.method === 'sendPaymentAsync') {
    if (!isRecord(p) || !onlyKeys(p, ['paymentRequest'], ['paymentRequest']) || typeof p.paymentRequest !== 'string' || p.paymentRequest.length > 7099) return undefined;
    let hash: string;
    try {
      hash = decodeInvoice(p.paymentRequest).paymentHash;
    } catch {
      return undefined;
    }
    const inv = BY_HASH.get(hash);
    if (inv?.payableSat === undefined || paidHashes.has(hash)) return undefined;
    return withinBudget(inv.payableSat, b, approveAll) ? hash : undefined;
  }
  if (cmd.method === 'keysend') {
    if (!isRecord(p) || !onlyKeys(p, ['destination', 'amount', 'customRecords'], ['destination', 'amount'])) return undefined;
    const amount = positiveSats(p.amount);
    if (amount === undefined || !isNodeKey(p.destination) || !validRecords(p.customRecords)) return undefined;
    return withinBudget(amount, b, approveAll) ? 'keysend' : undefined;
  }
  return undefined;
}

// ---- the property ------------------------------------------------------------------------

const flush = () => new Promise<void>((r) => setImmediate(r));
const PROFILE = { alias: 'fuzz', pubkey: '02'.padEnd(66, '1'), network: 'regtest' as const };

async function world(approveAll: boolean) {
  const store = new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  await policy.upsertSite(ENABLED, { enabled: true, allowance: { sat: 3_000 } });
  await policy.upsertSite(SMALL, { enabled: true, allowance: { sat: 200 }, period: 'week' });
  await policy.upsertSite(PAUSED, { enabled: true, paused: true, allowance: { sat: 3_000 } });
  const node = new FakeNode();
  const state = { unlocked: true, asked: [] as ApprovalRequest[] };
  const ask = async (request: ApprovalRequest): Promise<ApprovalDecision> => {
    state.asked.push(request);
    if (request.kind === 'unlock' && approveAll) state.unlocked = true;
    return { approved: approveAll, allowance: { sat: 500 } };
  };
  const isUnlocked = async () => state.unlocked;
  const svc = new WeblnService({
    policy,
    ledger,
    payments: new PaymentPipeline({ policy, ledger, ask, node: async () => node, isUnlocked }),
    node: async () => node,
    nodeProfile: async () => PROFILE,
    isUnlocked,
    ask,
    invoices: new PageInvoices({ store }),
    version: 'fuzz',
  });
  return { svc, policy, node, state };
}

describe('WeblnService.handle on random page messages', () => {
  it('throws only SatnavErrors a page can be told about, and pays exactly the valid in-budget payments', async () => {
    const seen = { pays: 0, keysends: 0, refusedPayments: 0 };
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(command, { minLength: 1, maxLength: 10 }), async (approveAll, commands) => {
        const w = await world(approveAll);
        const paidHashes = new Set<string>();
        for (const cmd of commands) {
          w.state.unlocked = !cmd.locked;
          const global = (await w.policy.getConfig()).global;
          const daily = await w.policy.dailyUsage();
          const before: Before = {
            site: await w.policy.getSite(cmd.origin),
            dailyRemainingSat: daily.remainingSat,
            autoApproveSat: valueOf(global.autoApprove), // every budget here is in sats
            fee: (a) => feeLimitSat(global, a),
          };
          const expected = expectedPayment(cmd, before, approveAll, paidHashes);
          const [paid, keysent] = [w.node.paid.length, w.node.keysent.length];

          try {
            await w.svc.handle({ origin: cmd.origin }, cmd.method, cmd.params);
          } catch (e) {
            expect(e).toBeInstanceOf(SatnavError);
            const { code } = e as SatnavError;
            expect(WEBLN_ERROR_NAMES).toContain(weblnErrorName(code));
            expect(weblnErrorName(code), `code ${code}`).not.toBe('InternalError');
          }
          await flush(); // let an async payment settle before the next message looks at the budget

          const newPays = w.node.paid.slice(paid);
          const newKeysends = w.node.keysent.length - keysent;
          expect({ pays: newPays, keysends: newKeysends }).toEqual({
            pays: expected !== undefined && expected !== 'keysend' ? [expected] : [],
            keysends: expected === 'keysend' ? 1 : 0,
          });
          for (const h of newPays) paidHashes.add(h);
          seen.pays += newPays.length;
          seen.keysends += newKeysends;
          if (expected === undefined && (cmd.method === 'sendPayment' || cmd.method === 'keysend')) seen.refusedPayments++;

          const used = await w.policy.dailyUsage();
          expect(used.spentSat + used.heldSat).toBeLessThanOrEqual(valueOf(used.cap));
          expect(used.heldSat).toBe(0); // every payment here resolves at once
        }
      }),
      { numRuns: 300 },
    );
    // The generators must reach both sides of the rule, or the property says little.
    expect(seen.pays).toBeGreaterThan(10);
    expect(seen.keysends).toBeGreaterThan(5);
    expect(seen.refusedPayments).toBeGreaterThan(100);
  });

  it('a message from an origin without a grant never reaches the node or the person', async () => {
    await fc.assert(
      fc.asyncProperty(methodName, params, async (method, p) => {
        const w = await world(true);
        const calls: string[] = [];
        const spy = new Proxy(w.node, {
          get: (t, prop, r) => {
            const v: unknown = Reflect.get(t, prop, r);
            return typeof v === 'function' ? (...a: unknown[]) => (calls.push(String(prop)), (v as (...x: unknown[]) => unknown).apply(t, a)) : v;
          },
        });
        const ledger = new Ledger({ store: new MemoryStore() });
        const ask = async (request: ApprovalRequest) => {
          w.state.asked.push(request);
          return { approved: true };
        };
        const isUnlocked = async () => false;
        const svc = new WeblnService({
          policy: w.policy,
          ledger,
          payments: new PaymentPipeline({ policy: w.policy, ledger, ask, node: async () => spy, isUnlocked }),
          node: async () => spy,
          nodeProfile: async () => PROFILE,
          isUnlocked,
          ask,
          invoices: new PageInvoices({ store: new MemoryStore() }),
          version: 'fuzz',
        });
        const r = await svc.handle({ origin: STRANGER }, method, p).then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        // enable asks (that is its job); isEnabled answers false; everything else is refused.
        if (method === 'isEnabled' && r.ok) expect(r.v).toBe(false);
        else if (method !== 'enable') expect(r.ok).toBe(false);
        if (method !== 'enable') expect(w.state.asked).toEqual([]);
        expect(calls).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('pageRequest on random input', () => {
  it('never throws, and passes only { method: string ≤ 64, params? }', () => {
    const message = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record({ method: fc.oneof(fc.string({ maxLength: 80 }), anyValue), params: anyValue, id: anyValue }, { requiredKeys: [] }),
      fc.record({ method: methodName, params }),
    );
    fc.assert(
      fc.property(message, (m) => {
        const r = pageRequest.safeParse(m);
        if (!r.success) return;
        expect(typeof r.data.method).toBe('string');
        expect(r.data.method.length).toBeLessThanOrEqual(64);
        expect(Object.keys(r.data).every((k) => k === 'method' || k === 'params')).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});

/**
 * LndRest against the devnet, every exchange checked against lnd's swagger from both sides: the
 * recording fetch checks what the connector sends and gets, the devnet (validate: true) checks
 * what it receives and answers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '../../devnet/index.ts';
import { checkedDevnet } from '../testing/contract-checked.ts';
import { codeOf } from '../testing/expect-code.ts';
import { waitFor } from '../testing/wait-for.ts';
import { LndRest } from './lnd-rest.ts';
import type { PaymentResult } from './types.ts';

const session = checkedDevnet();
let devnet: Devnet;
let alice: LndRest;
let carol: LndRest;

const connect = (node: 'alice' | 'bob' | 'carol' | 'dave', over: { macaroonHex?: string; timeoutMs?: number } = {}) =>
  new LndRest({
    baseUrl: devnet.nodes[node].lndRestUrl,
    macaroonHex: over.macaroonHex ?? devnet.nodes[node].adminMacaroonHex,
    fetch: session.fetch('lnd'),
    timeoutMs: over.timeoutMs ?? 5000,
  });

beforeAll(() => {
  devnet = session.devnet;
  alice = connect('alice');
  carol = connect('carol');
});

const sha256hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

describe('LndRest on the devnet', () => {
  it('getInfo, wallet state and network check', async () => {
    const info = await alice.getInfo();
    expect(info.pubkey).toBe(devnet.nodes.alice.pubkey);
    expect(info.alias).toBe(devnet.nodes.alice.alias);
    expect(info.blockHeight).toBe(devnet.control.height());
    expect(await alice.getWalletState()).toBe('SERVER_ACTIVE');
    expect((await alice.checkNetwork(info.network)).pubkey).toBe(info.pubkey);
    expect(await codeOf(alice.checkNetwork(info.network === 'mainnet' ? 'regtest' : 'mainnet'))).toBe('NODE_WRONG_NETWORK');
  });

  it('balances match the network, with the USDT asset channel', async () => {
    const b = await alice.getBalances();
    const truth = await devnet.control.balances('alice');
    expect(b.onchain).toEqual({ confirmedSat: truth.onchainConfirmedSat, unconfirmedSat: truth.onchainUnconfirmedSat });
    expect(b.lightning.localSat).toBe(truth.channels.reduce((s, c) => s + c.localSat, 0));
    expect(b.lightning.remoteSat).toBe(truth.channels.reduce((s, c) => s + c.remoteSat, 0));
    const assetChannel = truth.channels.find((c) => c.localAssetUnits > 0);
    expect(b.assetChannels).toEqual([
      expect.objectContaining({
        name: 'USDT',
        localAmount: BigInt(assetChannel?.localAssetUnits ?? -1),
        remoteAmount: BigInt(assetChannel?.remoteAssetUnits ?? -1),
        pending: false,
      }),
    ]);
  });

  it('pays an invoice alice → carol: SUCCEEDED with the preimage', async () => {
    const inv = await devnet.control.createInvoice('carol', { amountSat: 1500, memo: 'coffee' });
    const result = await alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 50 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.paymentHash).toBe(inv.paymentHash);
    expect(sha256hex(result.preimage ?? '')).toBe(inv.paymentHash);
    expect(result.amountMsat).toBe(1_500_000n);
    expect(result.feeMsat > 0n && result.feeMsat <= 50_000n).toBe(true); // bob charges for the hop
    expect((await devnet.control.lookupInvoice('carol', inv.paymentHash)).state).toBe('SETTLED');
    const tracked = await alice.trackPayment(inv.paymentHash);
    expect([tracked.status, tracked.preimage]).toEqual(['SUCCEEDED', result.preimage]);
    const listed = await alice.listPayments({ maxPayments: 5 });
    expect(listed.find((p) => p.paymentHash === inv.paymentHash)?.status).toBe('SUCCEEDED');
  });

  it('a zero-amount invoice takes amountSat', async () => {
    const inv = await devnet.control.createInvoice('carol', { amountSat: 0, memo: 'tip' });
    const result = await alice.payInvoice({ paymentRequest: inv.paymentRequest, amountSat: 321, feeLimitSat: 20 });
    expect([result.status, result.amountMsat]).toEqual(['SUCCEEDED', 321_000n]);
  });

  it('a fee limit too low fails the payment with a reason, not an exception', async () => {
    const inv = await devnet.control.createInvoice('carol', { amountSat: 100_000 });
    const result = await alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 0 });
    expect(result.status).toBe('FAILED');
    expect(result.failureReason).toMatch(/NO_ROUTE|INSUFFICIENT_BALANCE/);
  });

  it('hold invoice deposit: IN_FLIGHT while held, FAILED (INCORRECT_PAYMENT_DETAILS) once cancelled', async () => {
    const inv = await devnet.control.createInvoice('carol', { amountSat: 10_000, memo: 'deposit', hold: true });
    const updates: PaymentResult[] = [];
    const paying = alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 50, timeoutSeconds: 30 }, (u) => updates.push(u));
    await waitFor(async () => (await devnet.control.lookupInvoice('carol', inv.paymentHash)).state === 'ACCEPTED');
    const held = await alice.trackPayment(inv.paymentHash, { waitFinal: false });
    expect([held.status, held.preimage]).toEqual(['IN_FLIGHT', undefined]);
    await devnet.control.cancelInvoice('carol', inv.paymentHash);
    const result = await paying;
    expect([result.status, result.failureReason]).toEqual(['FAILED', 'INCORRECT_PAYMENT_DETAILS']);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u) => u.status === 'IN_FLIGHT')).toBe(true);
  });

  it('a deposit carries a custom record to the payee and a route time-lock limit', async () => {
    const inv = await devnet.control.createInvoice('carol', { amountSat: 3_000, memo: 'deposit', hold: true, cltvExpiry: 40 });
    const tooTight = await alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 50, cltvLimit: 41 });
    expect([tooTight.status, tooTight.failureReason]).toEqual(['FAILED', 'NO_ROUTE']);
    const key = `02${'ab'.repeat(32)}`;
    const held = await alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 50, cltvLimit: 288, customRecords: { '1402001': key }, waitFinal: false });
    expect(held.status).toBe('IN_FLIGHT');
    await waitFor(async () => (await devnet.control.lookupInvoice('carol', inv.paymentHash)).state === 'ACCEPTED');
    const res = await session.fetch('lnd')(`${devnet.nodes.carol.lndRestUrl}/v2/invoices/lookup?payment_hash=${encodeURIComponent(Buffer.from(inv.paymentHash, 'hex').toString('base64'))}`, {
      headers: { 'Grpc-Metadata-macaroon': devnet.nodes.carol.adminMacaroonHex },
    });
    const body = (await res.json()) as { htlcs: Array<{ custom_records: Record<string, string> }> };
    expect(Buffer.from(body.htlcs[0]?.custom_records['1402001'] ?? '', 'base64').toString('hex')).toBe(key);
    await devnet.control.cancelInvoice('carol', inv.paymentHash);
  });

  it('trackPayments: one stream hears every payment’s final word, in-flight ones replayed first', async () => {
    const held = await devnet.control.createInvoice('carol', { amountSat: 2_000, hold: true });
    await alice.payInvoice({ paymentRequest: held.paymentRequest, feeLimitSat: 50, waitFinal: false });
    await waitFor(async () => (await devnet.control.lookupInvoice('carol', held.paymentHash)).state === 'ACCEPTED');
    const heard: PaymentResult[] = [];
    const stream = alice.trackPayments((p) => heard.push(p), { idleTimeoutMs: 300 }).catch((e: unknown) => e);
    const plain = await devnet.control.createInvoice('carol', { amountSat: 100 });
    await alice.payInvoice({ paymentRequest: plain.paymentRequest, feeLimitSat: 10 });
    await devnet.control.cancelInvoice('carol', held.paymentHash);
    await waitFor(async () => heard.length >= 2);
    expect(heard.map((p) => [p.paymentHash, p.status])).toEqual([
      [plain.paymentHash, 'SUCCEEDED'],
      [held.paymentHash, 'FAILED'],
    ]);
    // Silent longer than the idle limit: the caller is told, and subscribes again.
    expect(await stream).toMatchObject({ code: 'NODE_TIMEOUT' });
  });

  it('refuses a custom record below 65536 and a time-lock limit out of range before sending', async () => {
    const inv = await devnet.control.createInvoice('carol', { amountSat: 10 });
    expect(await codeOf(alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 1, customRecords: { '7': '00' } }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 1, cltvLimit: 0 }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 1, cltvLimit: 2017 }))).toBe('NODE_BAD_INPUT');
  });

  it('alice as the payee of a hold invoice: create, accepted, settle', async () => {
    const preimage = randomBytes(32).toString('hex');
    const paymentHash = sha256hex(preimage);
    const inv = await alice.createHoldInvoice({ paymentHash, amountSat: 2000, expirySeconds: 600, cltvExpiry: 40, memo: 'bond' });
    expect(inv.paymentHash).toBe(paymentHash);
    expect((await alice.lookupInvoice(paymentHash)).state).toBe('OPEN');
    const outcome = await devnet.control.payInvoice('carol', inv.paymentRequest, { feeLimitSat: 50 });
    expect(outcome.status).toBe('IN_FLIGHT');
    const accepted = await alice.lookupInvoice(paymentHash);
    expect([accepted.state, accepted.amountPaidMsat, accepted.preimage]).toEqual(['ACCEPTED', 2_000_000n, undefined]);
    await alice.settleHoldInvoice(preimage);
    const settled = await alice.lookupInvoice(paymentHash);
    expect([settled.state, settled.preimage]).toEqual(['SETTLED', preimage]);
    expect(settled.settledAt).toBeGreaterThan(0);
  });

  it('alice cancels a hold invoice she received', async () => {
    const paymentHash = sha256hex(randomBytes(32).toString('hex'));
    const inv = await alice.createHoldInvoice({ paymentHash, amountSat: 1000, expirySeconds: 600, cltvExpiry: 40 });
    await devnet.control.payInvoice('carol', inv.paymentRequest, { feeLimitSat: 50 });
    await alice.cancelHoldInvoice(paymentHash);
    expect((await alice.lookupInvoice(paymentHash)).state).toBe('CANCELED');
  });

  it('createInvoice, decodePayReq, paid by carol, listInvoices', async () => {
    const inv = await alice.createInvoice({ amountSat: 777, memo: 'refund', expirySeconds: 900 });
    const decoded = await carol.decodePayReq(inv.paymentRequest);
    expect(decoded).toMatchObject({ destination: devnet.nodes.alice.pubkey, paymentHash: inv.paymentHash, amountMsat: 777_000n, description: 'refund', expirySeconds: 900 });
    const paid = await carol.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 20 });
    expect(paid.status).toBe('SUCCEEDED');
    const status = await alice.lookupInvoice(inv.paymentHash);
    expect([status.state, status.amountPaidMsat, status.preimage]).toEqual(['SETTLED', 777_000n, paid.preimage]);
    expect((await alice.listInvoices({ maxInvoices: 10 }))[0]?.paymentHash).toBe(inv.paymentHash);
  });

  it('keysend alice → carol', async () => {
    const result = await alice.keysend({ destPubkey: devnet.nodes.carol.pubkey, amountSat: 42, feeLimitSat: 20, customRecords: { '696969': 'cafe' } });
    expect(result.status).toBe('SUCCEEDED');
    expect(sha256hex(result.preimage ?? '')).toBe(result.paymentHash);
    const received = await devnet.control.lookupInvoice('carol', result.paymentHash);
    expect([received.state, received.isKeysend, received.amtPaidSat]).toEqual(['SETTLED', true, 42]);
  });

  it('signMessage and verifyMessage, across nodes', async () => {
    const signature = await alice.signMessage('I own this node ✓');
    expect(signature).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]+$/); // zbase32
    expect(await carol.verifyMessage('I own this node ✓', signature)).toEqual({ valid: true, pubkey: devnet.nodes.alice.pubkey });
    expect((await carol.verifyMessage('I own this node!', signature)).pubkey).not.toBe(devnet.nodes.alice.pubkey);
  });

  it('trackPayment of a payment the node never made is NODE_PAYMENT_NOT_FOUND', async () => {
    expect(await codeOf(alice.trackPayment(randomBytes(32).toString('hex')))).toBe('NODE_PAYMENT_NOT_FOUND');
  });
});

describe('LndRest failures on the devnet', () => {
  it('node down → NODE_UNREACHABLE', async () => {
    devnet.control.setDown('alice', true);
    try {
      expect(await codeOf(alice.getInfo())).toBe('NODE_UNREACHABLE');
    } finally {
      devnet.control.setDown('alice', false);
    }
    expect((await alice.getInfo()).alias).toBe(devnet.nodes.alice.alias);
  });

  it('bad macaroon → NODE_AUTH; read-only macaroon cannot create invoices', async () => {
    const wrong = connect('alice', { macaroonHex: `0201${randomBytes(40).toString('hex')}` });
    expect(await codeOf(wrong.getInfo())).toBe('NODE_AUTH');
    const readonly = connect('alice', { macaroonHex: devnet.nodes.alice.readonlyMacaroonHex });
    expect((await readonly.getInfo()).pubkey).toBe(devnet.nodes.alice.pubkey);
    expect(await codeOf(readonly.createInvoice({ amountSat: 1 }))).toBe('NODE_AUTH');
  });

  it('slower than the timeout → NODE_TIMEOUT', async () => {
    const impatient = connect('alice', { timeoutMs: 50 });
    devnet.control.setSlow('alice', 500);
    try {
      expect(await codeOf(impatient.getInfo())).toBe('NODE_TIMEOUT');
    } finally {
      devnet.control.setSlow('alice', 0);
    }
  });

  it('malformed answers (cut JSON, wrong shapes) → NODE_BAD_RESPONSE', async () => {
    // Our own recording fetch would (rightly) flag these answers: use a plain fetch here.
    const plain = new LndRest({ baseUrl: devnet.nodes.alice.lndRestUrl, macaroonHex: devnet.nodes.alice.adminMacaroonHex });
    devnet.control.setMalformed('alice', true);
    try {
      expect(await codeOf(plain.getInfo())).toBe('NODE_BAD_RESPONSE');
      expect(await codeOf(plain.getInfo())).toBe('NODE_BAD_RESPONSE');
      expect(await codeOf(plain.getBalances())).toBe('NODE_BAD_RESPONSE');
    } finally {
      devnet.control.setMalformed('alice', false);
    }
  });
});

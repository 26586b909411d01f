import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from './index.ts';
import { b64, b64url, call, nodeClient, type Json, type LineReader, testDevnet } from './testing.ts';

let dn: Devnet;
let alice: ReturnType<typeof nodeClient>;
let carol: ReturnType<typeof nodeClient>;

beforeAll(async () => {
  dn = await testDevnet();
  alice = nodeClient(dn.nodes.alice);
  carol = nodeClient(dn.nodes.carol);
});
afterAll(async () => {
  expect(dn.control.contractViolations()).toEqual([]);
  await dn.stop();
});

const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

interface Deposit {
  preimage: string;
  hash: string;
  pr: string;
  payment: LineReader;
  invoice: LineReader;
}

/** carol makes a hold invoice, alice pays it; returns once carol's invoice is ACCEPTED. */
async function deposit(sat: number, cltvExpiry?: number): Promise<Deposit> {
  const preimage = randomBytes(32).toString('hex');
  const hash = sha256(preimage);
  const added = await carol.lnd('POST', '/v2/invoices/hodl', {
    hash: b64(hash),
    value: String(sat),
    memo: 'deposit',
    ...(cltvExpiry ? { cltv_expiry: String(cltvExpiry) } : {}),
  });
  expect(added.status).toBe(200);
  const pr = added.body.payment_request as string;
  const invoice = await carol.lndStream('GET', `/v2/invoices/subscribe/${b64url(hash)}`);
  expect((await invoice.next())?.result.state).toBe('OPEN');
  const payment = await alice.lndStream('POST', '/v2/router/send', { payment_request: pr, fee_limit_sat: '100', timeout_seconds: 60 });
  await payment.until((l) => l.result?.status === 'IN_FLIGHT' && l.result.htlcs.length > 0);
  expect((await invoice.next())?.result).toMatchObject({ state: 'ACCEPTED', amt_paid_sat: String(sat), r_preimage: '' });
  return { preimage, hash, pr, payment, invoice };
}

async function aliceLocalSat(): Promise<number> {
  const r = await alice.lnd('GET', '/v1/balance/channels');
  return Number(r.body.local_balance.sat);
}

describe('hold invoices', () => {
  it('accepted: the payer stays IN_FLIGHT with the HTLC locked on every hop', async () => {
    const d = await deposit(20_000);
    const track = await alice.lndStream('GET', `/v2/router/track/${b64url(d.hash)}`);
    expect((await track.next())?.result.status).toBe('IN_FLIGHT');
    await track.cancel();
    const ch = await alice.lnd('GET', '/v1/channels');
    const withHtlc = (ch.body.channels as Json[]).find((c) => c.pending_htlcs.length > 0);
    expect(withHtlc?.pending_htlcs[0]).toMatchObject({ incoming: false, amount: '20021', hash_lock: b64(d.hash) });
    const bal = await alice.lnd('GET', '/v1/balance/channels');
    expect(bal.body.unsettled_local_balance.sat).toBe('20021');
    await carol.lnd('POST', '/v2/invoices/cancel', { payment_hash: b64(d.hash) });
    await d.payment.rest();
  });

  it('accept → settle: the payer SUCCEEDS with the preimage', async () => {
    const d = await deposit(15_000);
    const settled = await carol.lnd('POST', '/v2/invoices/settle', { preimage: b64(d.preimage) });
    expect(settled).toEqual({ status: 200, body: {} });
    const final = (await d.payment.rest()).at(-1)?.result as Json;
    expect(final).toMatchObject({ status: 'SUCCEEDED', payment_preimage: d.preimage });
    const inv = await d.invoice.rest();
    expect(inv.at(-1)?.result).toMatchObject({ state: 'SETTLED', r_preimage: b64(d.preimage) });
  });

  it('accept → cancel: the payer FAILS with INCORRECT_PAYMENT_DETAILS and gets the money back', async () => {
    const before = await aliceLocalSat();
    const d = await deposit(30_000);
    expect(await aliceLocalSat()).toBe(before - 30_031);
    expect((await carol.lnd('POST', '/v2/invoices/cancel', { payment_hash: b64(d.hash) })).status).toBe(200);
    const final = (await d.payment.rest()).at(-1)?.result as Json;
    expect(final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS' });
    expect((await d.invoice.rest()).at(-1)?.result.state).toBe('CANCELED');
    expect(await aliceLocalSat()).toBe(before);
  });

  it('auto-cancels holdexpirydelta (18) blocks before the HTLC expires', async () => {
    const before = await aliceLocalSat();
    const d = await deposit(5_000, 40);
    const lookup = () => carol.lnd('GET', `/v2/invoices/lookup?payment_hash=${b64url(d.hash)}`);
    const acceptHeight = (await lookup()).body.htlcs[0].accept_height as number;
    // expiry = accept height + 40; canceled once the height reaches expiry - 18 = accept + 22.
    await dn.control.mineBlocks(21);
    expect((await lookup()).body.state).toBe('ACCEPTED');
    const mined = await call(dn.controlUrl, 'POST', '/control/mineBlocks', { body: { count: 1 } });
    expect(mined.body.height).toBe(acceptHeight + 22);
    expect((await lookup()).body.state).toBe('CANCELED');
    const final = (await d.payment.rest()).at(-1)?.result as Json;
    expect(final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS' });
    expect(await aliceLocalSat()).toBe(before);
  });

  it('settling an invoice that is still open, or a canceled one, is refused', async () => {
    const preimage = randomBytes(32).toString('hex');
    await carol.lnd('POST', '/v2/invoices/hodl', { hash: b64(sha256(preimage)), value: '10' });
    const open = await carol.lnd('POST', '/v2/invoices/settle', { preimage: b64(preimage) });
    expect(open).toEqual({ status: 500, body: { code: 2, message: 'invoice still open', details: [] } });
    await carol.lnd('POST', '/v2/invoices/cancel', { payment_hash: b64(sha256(preimage)) });
    const canceled = await carol.lnd('POST', '/v2/invoices/settle', { preimage: b64(preimage) });
    expect(canceled.body.message).toBe('invoice already canceled');
  });

  it('a second hold invoice with the same hash is refused', async () => {
    const hash = b64(sha256(randomBytes(32).toString('hex')));
    expect((await carol.lnd('POST', '/v2/invoices/hodl', { hash, value: '1' })).status).toBe(200);
    const dup = await carol.lnd('POST', '/v2/invoices/hodl', { hash, value: '1' });
    expect(dup.body.message).toBe('invoice with payment hash already exists');
  });
});

describe('hold invoices through the control API', () => {
  it('a merchant settles by hash; payInvoice reports the held payment as IN_FLIGHT', async () => {
    const inv = await dn.control.createInvoice('dave', { amountSat: 2_000, memo: 'deposit', hold: true });
    const paying = await alice.lndStream('POST', '/v2/router/send', { payment_request: inv.paymentRequest, fee_limit_sat: '50', timeout_seconds: 30 });
    await paying.until((l) => l.result?.status === 'IN_FLIGHT' && l.result.htlcs.length > 0);
    expect((await dn.control.lookupInvoice('dave', inv.paymentHash)).state).toBe('ACCEPTED');
    await dn.control.settleInvoice('dave', inv.paymentHash);
    const final = (await paying.rest()).at(-1)?.result as Json;
    expect(final.status).toBe('SUCCEEDED');
    expect(sha256(final.payment_preimage as string)).toBe(inv.paymentHash);

    const other = await dn.control.createInvoice('alice', { amountSat: 700, hold: true });
    const held = await dn.control.payInvoice('dave', other.paymentRequest);
    expect(held.status).toBe('IN_FLIGHT');
    await dn.control.cancelInvoice('alice', other.paymentHash);
    expect((await dn.control.lookupInvoice('alice', other.paymentHash)).state).toBe('CANCELED');
  });

  it('refuses to settle without a known preimage', async () => {
    const hash = 'ee'.repeat(32);
    await expect(dn.control.settleInvoice('dave', hash)).rejects.toThrow(/no preimage known/);
    const r = await call(dn.controlUrl, 'POST', '/control/settleInvoice', { body: { node: 'dave', paymentHash: 'xyz' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/payment hash must be 32 bytes of hex/);
  });
});

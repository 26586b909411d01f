import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeDaemon, json } from '../devnet/contract/fake-daemon.ts';
import { recordingFetch } from '../devnet/contract/recording-fetch.ts';
import { startDevnet, type Devnet } from '../devnet/index.ts';
import { b64, nodeClient } from '../devnet/testing.ts';
import { codeOf, rejectedWith, thrownCode } from '../src/testing/expect-code.ts';
import { allInvoices, createLnd, invoiceOf, type Lnd } from './lnd.ts';

let dn: Devnet;
let lnd: Lnd;
const contract = recordingFetch('lnd');
const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const fresh = () => {
  const preimage = randomBytes(32).toString('hex');
  return { preimage, hash: sha256(preimage) };
};
const hold = (hash: string, valueSat = 1000, memo = 'deposit test') => lnd.addHoldInvoice({ hash, valueSat, memo, expirySeconds: 600, cltvExpiry: 40 });

beforeAll(async () => {
  dn = await startDevnet({ basePort: 0, validate: true });
  lnd = createLnd({ url: dn.nodes.carol.lndRestUrl, macaroon: dn.nodes.carol.adminMacaroonHex, fetch: contract.fetch });
});
afterAll(() => dn.stop());
afterEach(() => {
  expect(contract.violations()).toEqual([]);
  expect(dn.control.contractViolations()).toEqual([]);
});

describe('against the devnet (requests and answers checked against the lnd swagger)', () => {
  it('adds a hold invoice and looks it up OPEN', async () => {
    const { hash } = fresh();
    const { paymentRequest } = await hold(hash, 1234, 'deposit articles x');
    expect(paymentRequest).toMatch(/^lnbcrt12340n1/);
    const inv = await lnd.lookupInvoice(hash);
    expect(inv).toMatchObject({ paymentHash: hash, memo: 'deposit articles x', valueMsat: 1_234_000n, state: 'OPEN', htlcs: [] });
    expect(inv!.addIndex).toMatch(/^[1-9][0-9]*$/);
  });

  it('reads the payer’s custom record and accept time from the held HTLC; cancels', async () => {
    const { hash } = fresh();
    const { paymentRequest } = await hold(hash);
    const key = '02' + 'ab'.repeat(32);
    const pay = await nodeClient(dn.nodes.alice).lndStream('POST', '/v2/router/send', {
      payment_request: paymentRequest, fee_limit_sat: '10', timeout_seconds: 30, dest_custom_records: { '1402001': b64(key) },
    });
    await pay.until((l) => l.result?.status === 'IN_FLIGHT' && l.result.htlcs.length > 0);
    const inv = (await lnd.lookupInvoice(hash))!;
    expect(inv.state).toBe('ACCEPTED');
    expect(inv.htlcs).toHaveLength(1);
    expect(inv.htlcs[0]!.state).toBe('ACCEPTED');
    expect(Buffer.from(inv.htlcs[0]!.customRecords['1402001']!).toString('hex')).toBe(key);
    expect(Math.abs(inv.htlcs[0]!.acceptTime - Date.now() / 1000)).toBeLessThan(5);
    await lnd.cancelInvoice(hash);
    expect((await lnd.lookupInvoice(hash))!.state).toBe('CANCELED');
    expect((await pay.rest()).at(-1)?.result.status).toBe('FAILED');
    await lnd.cancelInvoice(hash); // a second cancel is a no-op
  });

  it('settles a held invoice with its preimage; refuses to settle an open one', async () => {
    const { preimage, hash } = fresh();
    const { paymentRequest } = await hold(hash);
    expect((await rejectedWith(lnd.settleInvoice(preimage))).message).toBe('sitekit-lnd: /v2/invoices/settle=invoice still open');
    expect(await dn.control.payInvoice('alice', paymentRequest)).toMatchObject({ status: 'IN_FLIGHT' });
    await lnd.settleInvoice(preimage);
    expect((await lnd.lookupInvoice(hash))!.state).toBe('SETTLED');
  });

  it('an unknown hash is null, not an error', async () => expect(await lnd.lookupInvoice('ee'.repeat(32))).toBeNull());

  it('lists pending invoices page by page, each once', async () => {
    const made = [fresh(), fresh(), fresh(), fresh(), fresh()].map((x) => x.hash);
    for (const h of made) await hold(h);
    await lnd.cancelInvoice(made[0]!);
    const seen: string[] = [];
    for await (const inv of allInvoices(lnd, true, 2)) seen.push(inv.paymentHash);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(made.slice(1)));
    expect(seen).not.toContain(made[0]);
    const all: string[] = [];
    for await (const inv of allInvoices(lnd, false, 3)) all.push(inv.paymentHash);
    expect(all).toEqual(expect.arrayContaining(made));
  });
});

describe('failures', () => {
  const carol = () => dn.nodes.carol;
  it('another node’s macaroon: NODE_AUTH', async () => {
    const other = createLnd({ url: carol().lndRestUrl, macaroon: dn.nodes.bob.adminMacaroonHex });
    expect(await codeOf(other.lookupInvoice('ee'.repeat(32)))).toBe('NODE_AUTH');
  });
  it('nothing listening: NODE_UNREACHABLE', async () => {
    const gone = createLnd({ url: 'http://127.0.0.1:1', macaroon: 'ab' });
    expect(await codeOf(gone.lookupInvoice('ee'.repeat(32)))).toBe('NODE_UNREACHABLE');
  });
  it('too slow: NODE_TIMEOUT', async () => {
    dn.control.setSlow('carol', 300);
    try {
      const slow = createLnd({ url: carol().lndRestUrl, macaroon: carol().adminMacaroonHex, timeoutMs: 50 });
      expect(await codeOf(slow.lookupInvoice('ee'.repeat(32)))).toBe('NODE_TIMEOUT');
    } finally {
      dn.control.setSlow('carol', 0);
    }
  });
  it('broken JSON: NODE_BAD_RESPONSE', async () => {
    dn.control.setMalformed('carol', true);
    try {
      const l = createLnd({ url: carol().lndRestUrl, macaroon: carol().adminMacaroonHex });
      expect(await codeOf(l.lookupInvoice('ee'.repeat(32)))).toBe('NODE_BAD_RESPONSE');
    } finally {
      dn.control.setMalformed('carol', false);
    }
  });
  it('a wrong base URL is an error, never "no such invoice"', async () => {
    const l = createLnd({ url: `${carol().lndRestUrl}/nope`, macaroon: carol().adminMacaroonHex });
    expect(await codeOf(l.lookupInvoice('ee'.repeat(32)))).toBe('NODE_RPC');
  });
  it('bad settings and inputs', async () => {
    expect(thrownCode(() => createLnd({ url: 'nope', macaroon: 'ab' }))).toBe('NODE_CONFIG_INVALID');
    expect(thrownCode(() => createLnd({ url: 'ftp://x', macaroon: 'ab' }))).toBe('NODE_CONFIG_INVALID');
    expect(thrownCode(() => createLnd({ url: 'http://x', macaroon: 'xyz' }))).toBe('NODE_CONFIG_INVALID');
    expect(await codeOf(lnd.cancelInvoice('AB'.repeat(32)))).toBe('NODE_BAD_INPUT');
  });
  it('answers of the wrong shape: NODE_BAD_RESPONSE', async () => {
    const base = { r_hash: b64('aa'.repeat(32)), value_msat: '1000', state: 'OPEN', add_index: '1', htlcs: [] };
    expect(invoiceOf(base)).toMatchObject({ paymentHash: 'aa'.repeat(32), memo: '', valueMsat: 1000n });
    for (const bad of [
      null, [], { ...base, state: 'PAID' }, { ...base, r_hash: b64('aa') }, { ...base, value_msat: 1000 }, { ...base, htlcs: {} },
      { ...base, htlcs: [{ state: 'ACCEPTED', accept_time: 'x' }] }, { ...base, htlcs: [{ state: 'ACCEPTED', accept_time: '1', custom_records: { 1: 5 } }] },
      { ...base, htlcs: [{ state: 'GONE', accept_time: '1' }] }, { ...base, r_hash: '!!' },
    ]) {
      expect(thrownCode(() => invoiceOf(bad))).toBe('NODE_BAD_RESPONSE');
    }
    const d = fakeDaemon('lnd', { 'GET /v1/invoices': () => json({ invoices: {}, last_index_offset: '0', first_index_offset: '0' }) });
    const l = createLnd({ url: 'http://fake.invalid', macaroon: 'ab', fetch: d.fetch });
    expect(await codeOf(l.listInvoices({ pendingOnly: true, indexOffset: '0', max: 10 }))).toBe('NODE_BAD_RESPONSE');
  });
});

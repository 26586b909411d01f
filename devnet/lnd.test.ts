import { createHash, randomBytes } from 'node:crypto';
import bolt11 from 'bolt11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from './index.ts';
import { b64, b64url, call, hexOfB64, nodeClient, openStream, testDevnet, type Json } from './testing.ts';

let dn: Devnet;
let alice: ReturnType<typeof nodeClient>;
let bob: ReturnType<typeof nodeClient>;
let carol: ReturnType<typeof nodeClient>;
let dave: ReturnType<typeof nodeClient>;

beforeAll(async () => {
  dn = await testDevnet();
  alice = nodeClient(dn.nodes.alice);
  bob = nodeClient(dn.nodes.bob);
  carol = nodeClient(dn.nodes.carol);
  dave = nodeClient(dn.nodes.dave);
});
let deliberateViolations = 0;
afterAll(async () => {
  expect(dn.control.contractViolations()).toHaveLength(deliberateViolations);
  await dn.stop();
});

const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

async function invoice(node: ReturnType<typeof nodeClient>, sat: number, memo = 'test'): Promise<{ pr: string; hash: string }> {
  const r = await node.lnd('POST', '/v1/invoices', { value: String(sat), memo });
  expect(r.status).toBe(200);
  return { pr: r.body.payment_request as string, hash: hexOfB64(r.body.r_hash as string) };
}

/** Sends and returns every stream line and the final payment. */
async function send(node: ReturnType<typeof nodeClient>, body: Json) {
  const s = await node.lndStream('POST', '/v2/router/send', { timeout_seconds: 10, ...body });
  const lines = await s.rest();
  return { status: s.status, lines, final: lines[lines.length - 1]?.result as Json | undefined };
}

async function localSat(node: ReturnType<typeof nodeClient>, peer: string): Promise<number> {
  const r = await node.lnd('GET', '/v1/channels');
  const ch = (r.body.channels as Json[]).find((c) => c.remote_pubkey === peer && c.commitment_type === 'ANCHORS');
  return Number(ch?.local_balance);
}

describe('macaroons', () => {
  it('getinfo answers with the admin macaroon', async () => {
    const r = await alice.lnd('GET', '/v1/getinfo');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ identity_pubkey: dn.nodes.alice.pubkey, chains: [{ chain: 'bitcoin', network: 'regtest' }] });
    expect(typeof r.body.block_height).toBe('number');
  });
  it('getinfo without a macaroon is 401 with an lnd error body', async () => {
    const r = await call(dn.nodes.alice.lndRestUrl, 'GET', '/v1/getinfo');
    expect(r).toEqual({ status: 401, body: { code: 2, message: 'expected 1 macaroon, got 0', details: [] } });
  });
  it('a macaroon of another node is 403', async () => {
    const r = await call(dn.nodes.alice.lndRestUrl, 'GET', '/v1/getinfo', { macaroon: dn.nodes.bob.adminMacaroonHex });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/verification failed/);
  });
  it('the read-only macaroon reads but cannot write', async () => {
    const ro = dn.nodes.alice.readonlyMacaroonHex;
    expect((await call(dn.nodes.alice.lndRestUrl, 'GET', '/v1/balance/channels', { macaroon: ro })).status).toBe(200);
    const w = await call(dn.nodes.alice.lndRestUrl, 'POST', '/v1/invoices', { macaroon: ro, body: { value: '1' } });
    expect(w).toEqual({ status: 403, body: { code: 2, message: 'permission denied', details: [] } });
  });
  it('GetState needs no macaroon', async () => {
    expect(await call(dn.nodes.alice.lndRestUrl, 'GET', '/v1/state')).toEqual({ status: 200, body: { state: 'SERVER_ACTIVE' } });
  });
  it('the lndconnect URI carries the admin macaroon in base64url', () => {
    const u = new URL(dn.nodes.alice.lndconnectUri);
    expect(u.protocol).toBe('lndconnect:');
    expect(Buffer.from(u.searchParams.get('macaroon')!, 'base64url').toString('hex')).toBe(dn.nodes.alice.adminMacaroonHex);
  });
});

describe('invoices', () => {
  it('are BOLT11 invoices signed by the node key', async () => {
    const { pr, hash } = await invoice(carol, 1234, 'a coffee');
    const d = bolt11.decode(pr);
    expect(d.payeeNodeKey).toBe(dn.nodes.carol.pubkey);
    expect(d.satoshis).toBe(1234);
    expect(d.tagsObject.payment_hash).toBe(hash);
    expect(d.tagsObject.description).toBe('a coffee');
    expect(d.tagsObject.payment_secret).toMatch(/^[0-9a-f]{64}$/);
  });
  it('decode through /v1/payreq', async () => {
    const { pr, hash } = await invoice(carol, 777, 'decode me');
    const r = await alice.lnd('GET', `/v1/payreq/${pr}`);
    expect(r.body).toMatchObject({ destination: dn.nodes.carol.pubkey, payment_hash: hash, num_satoshis: '777', description: 'decode me', cltv_expiry: '80', expiry: '86400' });
  });
  it('list and look up by hex and by base64url hash', async () => {
    const { hash } = await invoice(dave, 42, 'lookup');
    const byHex = await dave.lnd('GET', `/v1/invoice/${hash}`);
    const byV2 = await dave.lnd('GET', `/v2/invoices/lookup?payment_hash=${b64url(hash)}`);
    expect(byHex.body).toEqual(byV2.body);
    expect(byHex.body).toMatchObject({ memo: 'lookup', value: '42', state: 'OPEN', settled: false });
    const list = await dave.lnd('GET', '/v1/invoices?reversed=true&num_max_invoices=1');
    expect((list.body.invoices as Json[]).map((i) => hexOfB64(i.r_hash as string))).toEqual([hash]);
  });
  it('lookup of an unknown hash is 404', async () => {
    const r = await dave.lnd('GET', `/v1/invoice/${'ab'.repeat(32)}`);
    expect(r).toEqual({ status: 404, body: { code: 5, message: 'unable to locate invoice', details: [] } });
  });
  it('description_hash (base64) writes the h tag instead of d; the memo stays with the invoice', async () => {
    const h = sha256(Buffer.from('[["text/plain","tea"]]').toString('hex'));
    const r = await carol.lnd('POST', '/v1/invoices', { value: '1500', memo: 'kept', description_hash: b64(h) });
    expect(r.status).toBe(200);
    const tags = bolt11.decode(r.body.payment_request as string).tagsObject;
    expect(tags.purpose_commit_hash).toBe(h);
    expect(tags.description).toBeUndefined();
    const hash = hexOfB64(r.body.r_hash as string);
    expect((await carol.lnd('GET', `/v1/invoice/${hash}`)).body).toMatchObject({ memo: 'kept', description_hash: b64(h) });
    expect((await alice.lnd('GET', `/v1/payreq/${r.body.payment_request as string}`)).body).toMatchObject({ description: '', description_hash: h });
    const paid = await send(alice, { payment_request: r.body.payment_request, fee_limit_sat: '10' });
    expect(paid.final?.status).toBe('SUCCEEDED');
  });
  it('a description_hash that is not 32 bytes is refused', async () => {
    const r = await carol.lnd('POST', '/v1/invoices', { value: '1', description_hash: b64('ab'.repeat(16)) });
    expect(r.status).toBe(500);
    expect(r.body.message).toBe('invalid description_hash length: 16, must be 32');
  });
  it('reject value and value_msat together', async () => {
    const r = await carol.lnd('POST', '/v1/invoices', { value: '1', value_msat: '1000' });
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/mutually exclusive/);
  });
});

describe('payments', () => {
  it('alice pays carol through bob: fees, balances, ListPayments and Track', async () => {
    const before = { alice: await localSat(alice, dn.nodes.bob.pubkey), carol: await localSat(carol, dn.nodes.bob.pubkey) };
    const { pr, hash } = await invoice(carol, 10_000);
    const { status, lines, final } = await send(alice, { payment_request: pr, fee_limit_sat: '100' });
    expect(status).toBe(200);
    expect(lines[0]?.result.status).toBe('INITIATED');
    expect(final).toMatchObject({ status: 'SUCCEEDED', value_sat: '10000', fee_sat: '11', fee_msat: '11000', failure_reason: 'FAILURE_REASON_NONE' });
    // bob's fee: 1 sat base + 0.1% of 10,000 sat
    expect(sha256(final!.payment_preimage as string)).toBe(hash);
    const route = final!.htlcs[0].route as Json;
    expect((route.hops as Json[]).map((h) => h.pub_key)).toEqual([dn.nodes.bob.pubkey, dn.nodes.carol.pubkey]);
    expect(route.total_amt).toBe('10011');

    expect(await localSat(alice, dn.nodes.bob.pubkey)).toBe(before.alice - 10_011);
    expect(await localSat(carol, dn.nodes.bob.pubkey)).toBe(before.carol + 10_000);

    const listed = await alice.lnd('GET', '/v1/payments');
    expect((listed.body.payments as Json[]).some((p) => p.payment_hash === hash && p.status === 'SUCCEEDED')).toBe(true);
    const track = await alice.lndStream('GET', `/v2/router/track/${b64url(hash)}`);
    const tracked = await track.rest();
    expect(tracked).toHaveLength(1);
    expect(tracked[0]?.result).toMatchObject({ status: 'SUCCEEDED', payment_preimage: final!.payment_preimage });
    const inv = await carol.lnd('GET', `/v1/invoice/${hash}`);
    expect(inv.body).toMatchObject({ state: 'SETTLED', amt_paid_sat: '10000', settled: true });
  });

  it('paying the same invoice again is refused as already paid (409)', async () => {
    const { pr } = await invoice(carol, 100);
    expect((await send(alice, { payment_request: pr, fee_limit_sat: '10' })).final?.status).toBe('SUCCEEDED');
    const again = await send(alice, { payment_request: pr, fee_limit_sat: '10' });
    expect(again.status).toBe(409);
    expect(again.lines).toEqual([{ error: { code: 6, message: 'invoice is already paid', details: [] } }]);
  });

  it('someone else paying a settled invoice fails with INCORRECT_PAYMENT_DETAILS', async () => {
    const { pr } = await invoice(carol, 100);
    expect((await send(alice, { payment_request: pr, fee_limit_sat: '10' })).final?.status).toBe('SUCCEEDED');
    const other = await send(dave, { payment_request: pr, fee_limit_sat: '10' });
    expect(other.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS' });
  });

  it('a canceled invoice fails with INCORRECT_PAYMENT_DETAILS', async () => {
    const { pr, hash } = await invoice(carol, 100);
    expect((await carol.lnd('POST', '/v2/invoices/cancel', { payment_hash: b64(hash) })).status).toBe(200);
    const r = await send(alice, { payment_request: pr, fee_limit_sat: '10' });
    expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS' });
    expect(r.final!.htlcs[0].failure).toMatchObject({ code: 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS', failure_source_index: 2 });
  });

  it('a fee above fee_limit_sat means no route', async () => {
    const { pr } = await invoice(carol, 5000);
    const r = await send(alice, { payment_request: pr, fee_limit_sat: '0' });
    expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_NO_ROUTE', htlcs: [] });
  });

  it('a payee that is not in the graph means no route', async () => {
    const preimage = randomBytes(32).toString('hex');
    const stranger = '02' + '11'.repeat(32);
    const r = await send(alice, { dest: b64(stranger), amt: '1000', payment_hash: b64(sha256(preimage)), fee_limit_sat: '10' });
    expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_NO_ROUTE' });
  });

  it('more than the local balance is INSUFFICIENT_BALANCE', async () => {
    const { pr } = await invoice(carol, 4_500_000);
    const r = await send(alice, { payment_request: pr, fee_limit_sat: '100000' });
    expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_INSUFFICIENT_BALANCE', htlcs: [] });
  });

  it('a hop without enough liquidity fails the attempt, then no route is left', async () => {
    // alice can send 3.9M sat, bob–carol has 4M capacity, but bob's side holds less than 3M.
    const { pr } = await invoice(carol, 3_500_000);
    const r = await send(alice, { payment_request: pr, fee_limit_sat: '10000' });
    expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_NO_ROUTE' });
    expect(r.final!.htlcs).toHaveLength(1);
    expect(r.final!.htlcs[0]).toMatchObject({ status: 'FAILED', failure: { code: 'TEMPORARY_CHANNEL_FAILURE', failure_source_index: 1 } });
  });

  it('amount rules: zero-amount invoices need amt, others refuse it', async () => {
    const zero = await invoice(carol, 0, 'any amount');
    const noAmt = await send(alice, { payment_request: zero.pr, fee_limit_sat: '10' });
    expect(noAmt.status).toBe(500);
    expect(noAmt.lines[0]?.error.message).toBe('amount must be specified when paying a zero amount invoice');
    const withAmt = await send(alice, { payment_request: zero.pr, amt: '321', fee_limit_sat: '10' });
    expect(withAmt.final).toMatchObject({ status: 'SUCCEEDED', value_sat: '321' });
    const fixed = await invoice(carol, 50);
    const extra = await send(alice, { payment_request: fixed.pr, amt: '60', fee_limit_sat: '10' });
    expect(extra.lines[0]?.error.message).toMatch(/amount must not be specified/);
  });

  it('keysend: the payee records a settled keysend invoice', async () => {
    const preimage = randomBytes(32).toString('hex');
    const hash = sha256(preimage);
    const r = await send(alice, {
      dest: b64(dn.nodes.carol.pubkey),
      amt: '2500',
      payment_hash: b64(hash),
      dest_custom_records: { '5482373484': b64(preimage) },
      fee_limit_sat: '10',
    });
    expect(r.final).toMatchObject({ status: 'SUCCEEDED', payment_preimage: preimage, payment_request: '' });
    const inv = await carol.lnd('GET', `/v1/invoice/${hash}`);
    expect(inv.body).toMatchObject({ is_keysend: true, state: 'SETTLED', value: '2500', amt_paid_sat: '2500', r_preimage: b64(preimage) });
    expect(inv.body.htlcs[0].custom_records).toEqual({ '5482373484': b64(preimage) });
  });

  it('keysend with a preimage that does not match the hash fails', async () => {
    const r = await send(alice, {
      dest: b64(dn.nodes.carol.pubkey),
      amt: '10',
      payment_hash: b64(sha256('00'.repeat(32))),
      dest_custom_records: { '5482373484': b64('11'.repeat(32)) },
      fee_limit_sat: '10',
    });
    expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS' });
  });

  it('a payee failing HTLCs with an unexpected error gives FAILURE_REASON_ERROR', async () => {
    const { pr } = await invoice(dave, 100);
    dn.control.setFailHtlcs('dave', true);
    try {
      const r = await send(alice, { payment_request: pr, fee_limit_sat: '10' });
      expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_ERROR' });
    } finally {
      dn.control.setFailHtlcs('dave', false);
    }
  });

  it('track of an unknown payment is 404', async () => {
    const s = await alice.lndStream('GET', `/v2/router/track/${b64url('cd'.repeat(32))}`);
    expect(s.status).toBe(404);
    expect(await s.rest()).toEqual([{ error: { code: 5, message: "payment isn't initiated", details: [] } }]);
  });

  it('no_inflight_updates streams only the final update', async () => {
    const { pr } = await invoice(carol, 10);
    const r = await send(alice, { payment_request: pr, fee_limit_sat: '10', no_inflight_updates: true });
    expect(r.lines.map((l) => l.result.status)).toEqual(['SUCCEEDED']);
  });
});

describe('peers down and slow', () => {
  it('with bob down, alice has nothing to send with and bob refuses connections', async () => {
    const { pr } = await invoice(carol, 100);
    dn.control.setDown('bob', true);
    try {
      await expect(bob.lnd('GET', '/v1/getinfo')).rejects.toThrow();
      const r = await send(alice, { payment_request: pr, fee_limit_sat: '10' });
      // lnd counts an offline peer's channel as zero bandwidth: "insufficient local balance".
      expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_INSUFFICIENT_BALANCE', htlcs: [] });
      const ch = await alice.lnd('GET', '/v1/channels?inactive_only=true');
      expect((ch.body.channels as Json[]).every((c) => c.remote_pubkey === dn.nodes.bob.pubkey && c.active === false)).toBe(true);
    } finally {
      dn.control.setDown('bob', false);
    }
    expect((await bob.lnd('GET', '/v1/getinfo')).status).toBe(200);
  });

  it('with the payee down, bob fails the HTLC (UNKNOWN_NEXT_PEER) and no route is left', async () => {
    const { pr } = await invoice(carol, 100);
    dn.control.setDown('carol', true);
    try {
      const r = await send(alice, { payment_request: pr, fee_limit_sat: '10' });
      expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_NO_ROUTE' });
      expect(r.final!.htlcs[0].failure).toMatchObject({ code: 'UNKNOWN_NEXT_PEER', failure_source_index: 1 });
    } finally {
      dn.control.setDown('carol', false);
    }
  });

  it('an HTLC stuck at a hop slower than the timeout fails with FAILURE_REASON_TIMEOUT', async () => {
    const { pr } = await invoice(dave, 100);
    // timeout_seconds 1 lasts 20 ms in the test devnet; bob sits on the HTLC for 400 ms.
    dn.control.setSlow('bob', 400);
    try {
      const r = await send(alice, { payment_request: pr, fee_limit_sat: '10', timeout_seconds: 1 });
      expect(r.final).toMatchObject({ status: 'FAILED', failure_reason: 'FAILURE_REASON_TIMEOUT' });
      expect(r.lines.some((l) => l.result.status === 'IN_FLIGHT')).toBe(true);
    } finally {
      dn.control.setSlow('bob', 0);
    }
    const inv = await dave.lnd('GET', `/v1/invoice/${bolt11.decode(pr).tagsObject.payment_hash}`);
    expect(inv.body.state).toBe('OPEN');
  });

  it('a slow node answers later than a client willing to wait only briefly', async () => {
    dn.control.setSlow('dave', 500);
    try {
      await expect(call(dn.nodes.dave.lndRestUrl, 'GET', '/v1/getinfo', { macaroon: dn.nodes.dave.adminMacaroonHex, signal: AbortSignal.timeout(20) })).rejects.toThrow();
    } finally {
      dn.control.setSlow('dave', 0);
    }
  });
});

describe('messages', () => {
  it('sign on alice, verify on bob', async () => {
    const msg = b64(Buffer.from('satnav says hi').toString('hex'));
    const signed = await alice.lnd('POST', '/v1/signmessage', { msg });
    expect(signed.body.signature).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{104}$/);
    const ok = await bob.lnd('POST', '/v1/verifymessage', { msg, signature: signed.body.signature });
    expect(ok.body).toEqual({ valid: true, pubkey: dn.nodes.alice.pubkey });
    const other = b64(Buffer.from('satnav says bye').toString('hex'));
    const bad = await bob.lnd('POST', '/v1/verifymessage', { msg: other, signature: signed.body.signature });
    expect(bad.body.valid).toBe(false);
    expect(bad.body.pubkey).not.toBe(dn.nodes.alice.pubkey);
  });
  it('refuse to sign an empty message', async () => {
    const r = await alice.lnd('POST', '/v1/signmessage', { msg: '' });
    expect(r.body.message).toBe('need a message to sign');
  });
});

describe('HTTP errors and faults', () => {
  it('an unknown path is 404 with the lnd error shape', async () => {
    expect(await alice.lnd('GET', '/v1/nope')).toEqual({ status: 404, body: { code: 5, message: 'Not Found', details: [] } });
  });
  it('a known path with the wrong method is 405', async () => {
    expect((await alice.lnd('DELETE', '/v1/getinfo')).status).toBe(405);
  });
  it('malformed JSON is 400 with a clear message', async () => {
    const r = await call(dn.nodes.alice.lndRestUrl, 'POST', '/v1/invoices', { macaroon: dn.nodes.alice.adminMacaroonHex, rawBody: '{"value": ' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 3, details: [] });
    expect(r.body.message).toMatch(/^invalid JSON in request body: /);
  });
  it('a body that is not an object is 400', async () => {
    const r = await call(dn.nodes.alice.lndRestUrl, 'POST', '/v1/invoices', { macaroon: dn.nodes.alice.adminMacaroonHex, rawBody: '[1]' });
    expect(r.body).toEqual({ code: 3, message: 'request body must be a JSON object', details: [] });
  });
  it('a request breaking the contract is answered 500 and recorded', async () => {
    const r = await carol.lnd('POST', '/v1/invoices', { value: 10, memo: 'number, not string' });
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/^devnet contract violation: lnd request POST \/v1\/invoices: body\/value: must be string/);
    expect(dn.control.contractViolations()).toHaveLength(1);
    deliberateViolations = 1;
  });
  it('malformed mode sends broken JSON, then JSON of the wrong shape', async () => {
    dn.control.setMalformed('carol', true);
    try {
      const opts = { macaroon: dn.nodes.carol.adminMacaroonHex };
      const first = await fetch(`${dn.nodes.carol.lndRestUrl}/v1/getinfo`, { headers: { 'Grpc-Metadata-macaroon': opts.macaroon } });
      const text = await first.text();
      expect(() => JSON.parse(text)).toThrow();
      const second = await call(dn.nodes.carol.lndRestUrl, 'GET', '/v1/getinfo', opts);
      expect(typeof second.body.identity_pubkey).toBe('number');
      expect(second.body.chains).not.toBeInstanceOf(Array);
    } finally {
      dn.control.setMalformed('carol', false);
    }
  });
  it('CORS preflight is answered', async () => {
    const r = await fetch(`${dn.nodes.alice.lndRestUrl}/v1/getinfo`, { method: 'OPTIONS' });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-headers')).toMatch(/Grpc-Metadata-macaroon/);
  });
});

describe('balances', () => {
  it('wallet balance and channel balance have lnd shapes', async () => {
    const w = await alice.lnd('GET', '/v1/balance/blockchain');
    expect(Number(w.body.confirmed_balance)).toBeGreaterThan(0);
    expect(w.body.account_balance.default.confirmed_balance).toBe(w.body.confirmed_balance);
    const c = await alice.lnd('GET', '/v1/balance/channels');
    expect(Number(c.body.local_balance.sat)).toBe(Math.floor(Number(c.body.local_balance.msat) / 1000));
  });
  it('funding on-chain stays unconfirmed until a block is mined (control over HTTP)', async () => {
    const post = (op: string, body: unknown) => call(dn.controlUrl, 'POST', `/control/${op}`, { body });
    const before = await dave.lnd('GET', '/v1/balance/blockchain');
    expect((await post('fundOnchain', { node: 'dave', amountSat: 12_345 })).status).toBe(200);
    const pending = await dave.lnd('GET', '/v1/balance/blockchain');
    expect(pending.body.unconfirmed_balance).toBe('12345');
    expect((await post('mineBlocks', { count: 1 })).body.height).toBeGreaterThan(0);
    const after = await dave.lnd('GET', '/v1/balance/blockchain');
    expect(Number(after.body.confirmed_balance)).toBe(Number(before.body.confirmed_balance) + 12_345);
    expect((await post('fundOnchain', { node: 'dave', amountSat: -1 })).status).toBe(400);
    expect((await post('noSuchThing', {})).status).toBe(404);
  });
});

describe('control API', () => {
  it('a merchant pays the user\'s invoice', async () => {
    const { pr, hash } = await invoice(alice, 3000, 'reward');
    const out = await dn.control.payInvoice('dave', pr);
    expect(out).toMatchObject({ status: 'SUCCEEDED', paymentHash: hash });
    expect(sha256(out.preimage!)).toBe(hash);
    expect((await alice.lnd('GET', `/v1/invoice/${hash}`)).body.state).toBe('SETTLED');
  });
  it('adds a merchant with its own ports, reachable through bob', async () => {
    const erin = await dn.control.addMerchant('erin');
    const client = nodeClient(erin);
    expect((await client.lnd('GET', '/v1/getinfo')).body.identity_pubkey).toBe(erin.pubkey);
    const { paymentRequest } = await dn.control.createInvoice('erin', { amountSat: 500, memo: 'shop' });
    const r = await send(alice, { payment_request: paymentRequest, fee_limit_sat: '10' });
    expect(r.final?.status).toBe('SUCCEEDED');
    const nodes = await call(dn.controlUrl, 'GET', '/control/nodes');
    expect(nodes.body.erin.lndRestUrl).toBe(erin.lndRestUrl);
  });
  it('createInvoice with descriptionHash writes the h tag, in-process and over HTTP', async () => {
    const h = sha256(Buffer.from('[["text/plain","a tip"]]').toString('hex'));
    const direct = await dn.control.createInvoice('carol', { amountSat: 21, memo: 'tip: hi', descriptionHash: h });
    expect(bolt11.decode(direct.paymentRequest).tagsObject).toMatchObject({ purpose_commit_hash: h, payment_hash: direct.paymentHash });
    expect(bolt11.decode(direct.paymentRequest).tagsObject.description).toBeUndefined();
    expect(await dn.control.lookupInvoice('carol', direct.paymentHash)).toMatchObject({ memo: 'tip: hi', valueSat: 21 });

    const post = (body: unknown) => call(dn.controlUrl, 'POST', '/control/createInvoice', { body });
    const viaHttp = await post({ node: 'carol', amountSat: 5, descriptionHash: h.toUpperCase() });
    expect(viaHttp.status).toBe(200);
    expect(bolt11.decode(viaHttp.body.paymentRequest as string).tagsObject.purpose_commit_hash).toBe(h);
    const bad = await post({ node: 'carol', amountSat: 5, descriptionHash: 'ab'.repeat(16) });
    expect(bad).toEqual({ status: 400, body: { error: `devnet: description hash must be 32 bytes of hex=${'ab'.repeat(16)}` } });
  });
});

describe('requests the contract refuses, on a devnet that does not validate', () => {
  let raw: Devnet;
  beforeAll(async () => {
    raw = await startDevnet();
  });
  afterAll(async () => {
    await raw.stop();
  });
  it('a wrongly typed field is 400', async () => {
    const r = await nodeClient(raw.nodes.carol).lnd('POST', '/v1/invoices', { value: 'ten' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: 3, message: 'proto: invalid value for integer field value: "ten"', details: [] });
  });
  it('unpadded base64url in a query is refused as grpc-gateway does', async () => {
    const r = await nodeClient(raw.nodes.dave).lnd('GET', `/v2/invoices/lookup?payment_hash=${Buffer.alloc(32, 1).toString('base64url')}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^type mismatch, parameter: payment_hash/);
  });
  it('an int64 sent as a JSON number is read as protojson does', async () => {
    const r = await nodeClient(raw.nodes.carol).lnd('POST', '/v1/invoices', { value: 10 });
    expect(r.status).toBe(200);
  });
});

describe('settlement delay', () => {
  let slow: Devnet;
  beforeAll(async () => {
    slow = await testDevnet({ paymentDelayMs: 40 });
  });
  afterAll(async () => {
    expect(slow.control.contractViolations()).toEqual([]);
    await slow.stop();
  });
  it('a payment is IN_FLIGHT until the preimage comes back', async () => {
    const payer = nodeClient(slow.nodes.alice);
    const { paymentRequest, paymentHash } = await slow.control.createInvoice('carol', { amountSat: 1000 });
    const s = await payer.lndStream('POST', '/v2/router/send', { payment_request: paymentRequest, fee_limit_sat: '10', timeout_seconds: 5 });
    await s.until((l) => l.result?.status === 'IN_FLIGHT' && l.result.htlcs.length === 1);
    const track = await openStream(slow.nodes.alice.lndRestUrl, 'GET', `/v2/router/track/${b64url(paymentHash)}`, {
      macaroon: slow.nodes.alice.adminMacaroonHex,
    });
    expect((await track.next())?.result.status).toBe('IN_FLIGHT');
    expect((await track.rest()).at(-1)?.result.status).toBe('SUCCEEDED');
    expect((await s.rest()).at(-1)?.result.status).toBe('SUCCEEDED');
  });
});

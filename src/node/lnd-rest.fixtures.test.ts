/**
 * LndRest against recorded lnd answers. Every request the connector sends and every fixture
 * answer passes through the contract checker (upstream swagger): `violations()` must stay empty.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { json, ndjson, rpcError, type Handler } from '../../devnet/contract/fake-daemon.ts';
import { checkedFakeDaemon } from '../testing/contract-checked.ts';
import { codeOf, thrownCode } from '../testing/expect-code.ts';
import { LndRest, parseAssetChannels } from './lnd-rest.ts';
import type { PaymentResult } from './types.ts';

const MAC = '0201036c6e6402f801';
const PUBKEY = '03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad';
const PREIMAGE = '11'.repeat(32);
const HASH = createHash('sha256').update(Buffer.from(PREIMAGE, 'hex')).digest('hex');
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const PR = 'lnbcrt10u1pjexample';

const payment = (status: string, extra: Record<string, unknown> = {}) => ({
  payment_hash: HASH,
  value: '1000',
  creation_date: '1700000000',
  fee: '0',
  payment_preimage: '0'.repeat(64),
  value_sat: '1000',
  value_msat: '1000000',
  payment_request: PR,
  status,
  fee_sat: '0',
  fee_msat: '0',
  creation_time_ns: '1700000000123456789',
  htlcs: [],
  payment_index: '7',
  failure_reason: 'FAILURE_REASON_NONE',
  first_hop_custom_records: {},
  ...extra,
});
const invoice = (extra: Record<string, unknown> = {}) => ({
  memo: 'coffee',
  r_preimage: b64(PREIMAGE),
  r_hash: b64(HASH),
  value: '1000',
  value_msat: '1000000',
  settled: false,
  creation_date: '1700000000',
  settle_date: '0',
  payment_request: PR,
  description_hash: '',
  expiry: '3600',
  fallback_addr: '',
  cltv_expiry: '80',
  route_hints: [],
  private: false,
  add_index: '3',
  settle_index: '0',
  amt_paid: '0',
  amt_paid_sat: '0',
  amt_paid_msat: '0',
  state: 'OPEN',
  htlcs: [],
  features: {},
  is_keysend: false,
  payment_addr: b64('22'.repeat(32)),
  is_amp: false,
  amp_invoice_state: {},
  is_blinded: false,
  blinded_path_config: null,
  ...extra,
});

const fakeNode = checkedFakeDaemon('lnd');
function node(routes: Record<string, Handler>) {
  const fake = fakeNode(routes);
  return { lnd: new LndRest({ baseUrl: 'https://alice.test:8080', macaroonHex: MAC, fetch: fake.fetch, timeoutMs: 200 }), fake };
}

describe('LndRest (recorded fixtures)', () => {
  const getinfo = {
    version: '0.19.2-beta commit=v0.19.2-beta',
    commit_hash: 'abc',
    identity_pubkey: PUBKEY,
    alias: 'alice',
    color: '#3399ff',
    num_pending_channels: 0,
    num_active_channels: 2,
    num_inactive_channels: 0,
    num_peers: 2,
    block_height: 812,
    block_hash: '00'.repeat(32),
    best_header_timestamp: '1700000000',
    synced_to_chain: true,
    synced_to_graph: true,
    testnet: false,
    chains: [{ chain: 'bitcoin', network: 'regtest' }],
    uris: [],
    features: { '9': { name: 'tlv-onion', is_required: false, is_known: true } },
    require_htlc_interceptor: false,
    store_final_htlc_resolutions: false,
  };

  it('getInfo and checkNetwork', async () => {
    const { lnd, fake } = node({ 'GET /v1/getinfo': () => json(getinfo) });
    expect(await lnd.getInfo()).toEqual({ alias: 'alice', pubkey: PUBKEY, network: 'regtest', blockHeight: 812, synced: true, version: getinfo.version });
    expect((await lnd.checkNetwork('regtest')).alias).toBe('alice');
    expect(await codeOf(lnd.checkNetwork('mainnet'))).toBe('NODE_WRONG_NETWORK');
    expect(fake.requests.every((r) => r.method === 'GET' && r.body === undefined)).toBe(true);
  });

  it('getWalletState', async () => {
    const { lnd } = node({ 'GET /v1/state': () => json({ state: 'LOCKED' }) });
    expect(await lnd.getWalletState()).toBe('LOCKED');
  });

  it('getBalances, with asset channels from custom_channel_data', async () => {
    const custom = {
      open_channels: {
        ['aa'.repeat(32)]: { asset_id: 'aa'.repeat(32), name: 'USDT', local_balance: 250000, remote_balance: 750000 },
      },
      pending_channels: {},
    };
    const amt = (sat: string) => ({ sat, msat: `${sat}000` });
    const { lnd } = node({
      'GET /v1/balance/blockchain': () =>
        json({
          total_balance: '150000',
          confirmed_balance: '100000',
          unconfirmed_balance: '50000',
          locked_balance: '0',
          reserved_balance_anchor_chan: '0',
          account_balance: {},
        }),
      'GET /v1/balance/channels': () =>
        json({
          balance: '400000',
          pending_open_balance: '0',
          local_balance: amt('400000'),
          remote_balance: amt('600000'),
          unsettled_local_balance: amt('1000'),
          unsettled_remote_balance: amt('0'),
          pending_open_local_balance: amt('20000'),
          pending_open_remote_balance: amt('0'),
          custom_channel_data: Buffer.from(JSON.stringify(custom)).toString('base64'),
        }),
    });
    expect(await lnd.getBalances()).toEqual({
      onchain: { confirmedSat: 100000, unconfirmedSat: 50000 },
      lightning: { localSat: 400000, remoteSat: 600000, pendingOpenLocalSat: 20000, unsettledLocalSat: 1000 },
      assetChannels: [{ assetId: 'aa'.repeat(32), name: 'USDT', localAmount: 250000n, remoteAmount: 750000n, pending: false }],
    });
  });

  it('createInvoice sends sats as an int64 string and returns the hash as hex', async () => {
    const { lnd, fake } = node({
      'POST /v1/invoices': () => json({ r_hash: b64(HASH), payment_request: PR, add_index: '4', payment_addr: b64('22'.repeat(32)) }),
    });
    const created = await lnd.createInvoice({ amountSat: 1000, memo: 'coffee', descriptionHash: 'ab'.repeat(32), expirySeconds: 600 });
    expect(created).toEqual({ paymentRequest: PR, paymentHash: HASH });
    expect(fake.requests[0]?.body).toEqual({ memo: 'coffee', value: '1000', description_hash: b64('ab'.repeat(32)), expiry: '600' });
  });

  it('hold invoices: create, settle, cancel (bytes as base64)', async () => {
    const { lnd, fake } = node({
      'POST /v2/invoices/hodl': () => json({ payment_request: PR, add_index: '5', payment_addr: b64('22'.repeat(32)) }),
      'POST /v2/invoices/settle': () => json({}),
      'POST /v2/invoices/cancel': () => json({}),
    });
    expect(await lnd.createHoldInvoice({ paymentHash: HASH, amountSat: 100000, expirySeconds: 600, cltvExpiry: 40, memo: 'deposit' })).toEqual({
      paymentRequest: PR,
      paymentHash: HASH,
    });
    await lnd.settleHoldInvoice(PREIMAGE);
    await lnd.cancelHoldInvoice(HASH);
    expect(fake.requests.map((r) => r.body)).toEqual([
      { hash: b64(HASH), value: '100000', expiry: '600', cltv_expiry: '40', memo: 'deposit' },
      { preimage: b64(PREIMAGE) },
      { payment_hash: b64(HASH) },
    ]);
  });

  it('lookupInvoice: %-encoded base64 in the query; no preimage while held', async () => {
    const { lnd, fake } = node({
      'GET /v2/invoices/lookup': () => json(invoice({ state: 'ACCEPTED', r_preimage: '', amt_paid_msat: '1000000' })),
    });
    const status = await lnd.lookupInvoice(HASH);
    expect(status).toEqual({
      paymentHash: HASH,
      paymentRequest: PR,
      memo: 'coffee',
      state: 'ACCEPTED',
      amountMsat: 1000000n,
      amountPaidMsat: 1000000n,
      createdAt: 1700000000,
      expiresAt: 1700003600,
      isKeysend: false,
    });
    expect(fake.requests[0]?.query.get('payment_hash')).toBe(b64(HASH));
  });

  it('payInvoice: IN_FLIGHT updates, then SUCCEEDED with a preimage that matches', async () => {
    const { lnd, fake } = node({
      'POST /v2/router/send': () =>
        ndjson([
          { result: payment('IN_FLIGHT') },
          { result: payment('SUCCEEDED', { payment_preimage: PREIMAGE, fee_msat: '1001', fee_sat: '1' }) },
        ]),
    });
    const updates: PaymentResult[] = [];
    const result = await lnd.payInvoice({ paymentRequest: `lightning:${PR}`, feeLimitSat: 10 }, (u) => updates.push(u));
    expect(result).toEqual({
      status: 'SUCCEEDED',
      paymentHash: HASH,
      preimage: PREIMAGE,
      amountMsat: 1000000n,
      feeMsat: 1001n,
      createdAt: 1700000000,
    });
    expect(updates.map((u) => u.status)).toEqual(['IN_FLIGHT']);
    expect(fake.requests[0]?.body).toEqual({ payment_request: PR, fee_limit_sat: '10', timeout_seconds: 60, no_inflight_updates: false });
  });

  it('payInvoice: in-flight updates are asked for only when someone reads them', async () => {
    const { lnd, fake } = node({ 'POST /v2/router/send': () => ndjson([{ result: payment('SUCCEEDED', { payment_preimage: PREIMAGE }) }]) });
    await lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 1 });
    await lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 1, waitFinal: false });
    await lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 1 }, () => undefined);
    expect(fake.requests.map((r) => (r.body as { no_inflight_updates: boolean }).no_inflight_updates)).toEqual([true, false, false]);
  });

  it('payInvoice: FAILED carries the reason', async () => {
    const { lnd } = node({
      'POST /v2/router/send': () => ndjson([{ result: payment('FAILED', { failure_reason: 'FAILURE_REASON_NO_ROUTE' }) }]),
    });
    const r = await lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 0, amountSat: 5, timeoutSeconds: 30 });
    expect([r.status, r.failureReason, r.preimage]).toEqual(['FAILED', 'NO_ROUTE', undefined]);
  });

  it('payInvoice: a success without the right preimage is a bad response', async () => {
    const { lnd } = node({
      'POST /v2/router/send': () => ndjson([{ result: payment('SUCCEEDED', { payment_preimage: '22'.repeat(32) }) }]),
    });
    expect(await codeOf(lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 1 }))).toBe('NODE_BAD_RESPONSE');
  });

  it('payInvoice: a held payment comes back IN_FLIGHT when the stream falls silent', async () => {
    const held: Handler = () => {
      const line = new TextEncoder().encode(`${JSON.stringify({ result: payment('IN_FLIGHT') })}\n`);
      return new Response(new ReadableStream({ start: (ctl) => ctl.enqueue(line) }), { status: 200 });
    };
    const { lnd } = node({ 'POST /v2/router/send': held });
    // timeoutSeconds 0: silence longer than the 200 ms call timeout ends the wait.
    expect((await lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 1, timeoutSeconds: 0 }, () => undefined)).status).toBe('IN_FLIGHT');
    expect((await lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 1, waitFinal: false })).status).toBe('IN_FLIGHT');
  });

  it('payInvoice: an rpc error line (already paid) throws NODE_RPC', async () => {
    const { lnd } = node({
      'POST /v2/router/send': () => ndjson([{ error: { code: 6, message: 'invoice is already paid', details: [] } }]),
    });
    expect(await codeOf(lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 1 }))).toBe('NODE_RPC');
  });

  it('trackPayment: base64url hash in the path; unknown payments are NODE_PAYMENT_NOT_FOUND', async () => {
    const { lnd, fake } = node({
      'GET /v2/router/track/*': (req) =>
        req.path.endsWith(encodeURIComponent(Buffer.from(HASH, 'hex').toString('base64url') + '='))
          ? ndjson([{ result: payment('SUCCEEDED', { payment_preimage: PREIMAGE }) }])
          : rpcError(404, 5, "payment isn't initiated"),
    });
    expect((await lnd.trackPayment(HASH)).preimage).toBe(PREIMAGE);
    expect(await codeOf(lnd.trackPayment('33'.repeat(32)))).toBe('NODE_PAYMENT_NOT_FOUND');
    expect(fake.requests[0]?.query.get('no_inflight_updates')).toBe('false');
  });

  it('keysend: random preimage in record 5482373484, its hash as payment_hash', async () => {
    const { lnd, fake } = node({
      'POST /v2/router/send': (req) => {
        const body = req.body as { payment_hash: string; dest_custom_records: Record<string, string> };
        const preimage = Buffer.from(body.dest_custom_records['5482373484'] ?? '', 'base64').toString('hex');
        const hash = Buffer.from(body.payment_hash, 'base64').toString('hex');
        return ndjson([{ result: payment('SUCCEEDED', { payment_hash: hash, payment_preimage: preimage }) }]);
      },
    });
    const r = await lnd.keysend({ destPubkey: PUBKEY, amountSat: 21, feeLimitSat: 2, customRecords: { '696969': 'beef' } });
    const body = fake.requests[0]?.body as Record<string, unknown>;
    expect(body.dest).toBe(b64(PUBKEY));
    expect(body.amt).toBe('21');
    expect(body.fee_limit_sat).toBe('2');
    expect((body.dest_custom_records as Record<string, string>)['696969']).toBe(b64('beef'));
    expect(r.status).toBe('SUCCEEDED');
    expect(createHash('sha256').update(Buffer.from(r.preimage ?? '', 'hex')).digest('hex')).toBe(r.paymentHash);
    const again = await lnd.keysend({ destPubkey: PUBKEY, amountSat: 21, feeLimitSat: 2 });
    expect(again.preimage).not.toBe(r.preimage);
  });

  it('signMessage / verifyMessage send the message as base64', async () => {
    const { lnd, fake } = node({
      'POST /v1/signmessage': () => json({ signature: 'd7dh8x3ue5yrzgj1ccnbqf8pzp8mk6sg1g9dfce' }),
      'POST /v1/verifymessage': () => json({ valid: true, pubkey: PUBKEY }),
    });
    expect(await lnd.signMessage('héllo')).toBe('d7dh8x3ue5yrzgj1ccnbqf8pzp8mk6sg1g9dfce');
    expect(await lnd.verifyMessage('héllo', 'd7dh')).toEqual({ valid: true, pubkey: PUBKEY });
    expect(fake.requests.map((r) => r.body)).toEqual([
      { msg: Buffer.from('héllo').toString('base64') },
      { msg: Buffer.from('héllo').toString('base64'), signature: 'd7dh' },
    ]);
  });

  it('listPayments and listInvoices come newest first', async () => {
    const older = payment('FAILED', { payment_hash: 'aa'.repeat(32), creation_time_ns: '1600000000000000000', failure_reason: 'FAILURE_REASON_TIMEOUT' });
    const { lnd, fake } = node({
      'GET /v1/payments': () => json({ payments: [older, payment('IN_FLIGHT')], first_index_offset: '1', last_index_offset: '2', total_num_payments: '0' }),
      'GET /v1/invoices': () => json({ invoices: [invoice({ memo: 'old' }), invoice({ memo: 'new' })], first_index_offset: '1', last_index_offset: '2' }),
    });
    expect((await lnd.listPayments({ maxPayments: 2 })).map((p) => [p.createdAt, p.status])).toEqual([
      [1700000000, 'IN_FLIGHT'],
      [1600000000, 'FAILED'],
    ]);
    expect((await lnd.listInvoices()).map((i) => i.memo)).toEqual(['new', 'old']);
    expect(fake.requests[0]?.query.get('max_payments')).toBe('2');
  });

  it('decodePayReq', async () => {
    const { lnd } = node({
      'GET /v1/payreq/*': () =>
        json({
          destination: PUBKEY,
          payment_hash: HASH,
          num_satoshis: '1000',
          timestamp: '1700000000',
          expiry: '3600',
          description: 'coffee',
          description_hash: '',
          fallback_addr: '',
          cltv_expiry: '80',
          route_hints: [],
          payment_addr: b64('22'.repeat(32)),
          num_msat: '1000000',
          features: {},
          blinded_paths: [],
        }),
    });
    expect(await lnd.decodePayReq(PR)).toEqual({
      destination: PUBKEY,
      paymentHash: HASH,
      amountMsat: 1000000n,
      timestamp: 1700000000,
      expirySeconds: 3600,
      description: 'coffee',
      cltvExpiry: 80,
    });
  });

  it('rejects bad input before sending anything', async () => {
    const { lnd, fake } = node({});
    expect(await codeOf(lnd.payInvoice({ paymentRequest: PR, feeLimitSat: -1 }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(lnd.payInvoice({ paymentRequest: PR, feeLimitSat: 1.5 }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(lnd.lookupInvoice('xyz'))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(lnd.settleHoldInvoice('ab'))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(lnd.keysend({ destPubkey: PUBKEY, amountSat: 1, feeLimitSat: 1, customRecords: { '12': 'ab' } }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(lnd.createInvoice({ amountSat: 1, amountMsat: 1000n }))).toBe('NODE_BAD_INPUT');
    expect(fake.requests).toEqual([]);
  });
});

describe('parseAssetChannels', () => {
  const hex = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('hex');
  it('reads open and pending channels, as a map or a list, numbers or strings', () => {
    const data = {
      open_channels: [{ asset_id: 'aa', name: 'USDT', local_balance: '10', remote_balance: 5 }],
      pending_channels: { x: { group_key: '02bb', name: 'USDT', local_balance: 1, remote_balance: 0 } },
    };
    expect(parseAssetChannels(hex(data))).toEqual([
      { assetId: 'aa', name: 'USDT', localAmount: 10n, remoteAmount: 5n, pending: false },
      { groupKey: '02bb', name: 'USDT', localAmount: 1n, remoteAmount: 0n, pending: true },
    ]);
    expect(parseAssetChannels('')).toEqual([]);
  });
  it('rejects data that is not the JSON we expect', () => {
    for (const bad of ['not json', { open_channels: [{ local_balance: -1 }] }, { open_channels: 'x' }]) {
      expect(thrownCode(() => parseAssetChannels(hex(bad)))).toBe('NODE_BAD_RESPONSE');
    }
  });
});

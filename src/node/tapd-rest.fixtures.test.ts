/**
 * TapdRest against recorded tapd answers (bytes as hex), every exchange checked against the
 * upstream swagger.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { json, ndjson, type Handler } from '../../devnet/contract/fake-daemon.ts';
import { checkedFakeDaemon } from '../testing/contract-checked.ts';
import { codeOf } from '../testing/expect-code.ts';
import type { SatnavError } from '../errors.ts';
import { TapdRest } from './tapd-rest.ts';

const MAC = '0201047461706402';
const USDT_A = 'a1'.repeat(32); // two tranches of one grouped stablecoin
const USDT_B = 'b2'.repeat(32);
const GROUP = `02${'c3'.repeat(32)}`;
const ART = 'd4'.repeat(32); // an ungrouped asset with an opaque meta
const PEER = `03${'e5'.repeat(32)}`;
const PREIMAGE = '77'.repeat(32);
const HASH = createHash('sha256').update(Buffer.from(PREIMAGE, 'hex')).digest('hex');
const PR = 'lnbcrt50u1pjassetexample';
const hex = (s: string) => Buffer.from(s).toString('hex');
const STABLE_META = JSON.stringify({ spec: 'stablecoin', version: 1, ticker: 'USDT', long_name: 'Tether USD', decimal_display: 6 });

const genesis = (id: string, name: string) => ({
  genesis_point: `${'00'.repeat(32)}:0`,
  name,
  meta_hash: 'ee'.repeat(32),
  asset_id: id,
  asset_type: 'NORMAL',
  output_index: 0,
});
const balance = (id: string, name: string, amount: string, groupKey: string) => ({ asset_genesis: genesis(id, name), balance: amount, group_key: groupKey });
const payment = (status: string, extra: Record<string, unknown> = {}) => ({
  payment_hash: HASH,
  value_msat: '5000000',
  fee_msat: '2000',
  payment_preimage: '',
  status,
  creation_time_ns: '1700000000000000000',
  failure_reason: 'FAILURE_REASON_NONE',
  htlcs: [],
  ...extra,
});

const fakeNode = checkedFakeDaemon('tapd');
function node(routes: Record<string, Handler>) {
  const fake = fakeNode(routes);
  return { tapd: new TapdRest({ baseUrl: 'https://alice.test:8089', macaroonHex: MAC, fetch: fake.fetch, timeoutMs: 500 }), fake };
}

const metaRoute: Handler = (req) => {
  const id = req.path.split('/').pop();
  return id === ART
    ? json({ data: hex('a picture of a cat'), type: 'META_TYPE_OPAQUE', meta_hash: 'ee'.repeat(32) })
    : json({ data: hex(STABLE_META), type: 'META_TYPE_JSON', meta_hash: 'ee'.repeat(32) });
};

describe('TapdRest (recorded fixtures)', () => {
  it('getInfo', async () => {
    const { tapd } = node({
      'GET /v1/taproot-assets/getinfo': () =>
        json({
          version: '0.8.1-alpha',
          lnd_version: '0.19.2-beta',
          network: 'regtest',
          lnd_identity_pubkey: PEER,
          node_alias: 'alice',
          block_height: 812,
          block_hash: '00'.repeat(32),
          sync_to_chain: true,
        }),
    });
    expect(await tapd.getInfo()).toEqual({
      version: '0.8.1-alpha',
      lndVersion: '0.19.2-beta',
      network: 'regtest',
      lndPubkey: PEER,
      alias: 'alice',
      blockHeight: 812,
      synced: true,
    });
  });

  it('listAssets', async () => {
    const { tapd } = node({
      'GET /v1/taproot-assets/assets': () =>
        json({
          assets: [
            {
              version: 'ASSET_VERSION_V1',
              asset_genesis: genesis(USDT_A, 'USDT'),
              amount: '1000000000',
              script_key: `02${'11'.repeat(32)}`,
              asset_group: { raw_group_key: GROUP, tweaked_group_key: GROUP, asset_witness: '', tapscript_root: '' },
              decimal_display: { decimal_display: 6 },
              is_spent: false,
            },
            { asset_genesis: genesis(ART, 'cat'), amount: '1', asset_group: null, decimal_display: null },
          ],
          unconfirmed_transfers: '0',
          unconfirmed_mints: '0',
        }),
    });
    expect(await tapd.listAssets()).toEqual([
      { assetId: USDT_A, groupKey: GROUP, name: 'USDT', amount: 1000000000n, decimalDisplay: 6 },
      { assetId: ART, name: 'cat', amount: 1n, decimalDisplay: 0 },
    ]);
  });

  it('getAssetBalances: tranches summed under the group key, decimals and ticker from the JSON meta (cached)', async () => {
    const { tapd, fake } = node({
      'GET /v1/taproot-assets/assets/balance': () =>
        json({
          asset_balances: {
            [USDT_A]: balance(USDT_A, 'USDT', '1500000', GROUP),
            [USDT_B]: balance(USDT_B, 'USDT', '2500000', GROUP),
            [ART]: balance(ART, 'cat', '1', ''),
          },
          asset_group_balances: {},
          unconfirmed_transfers: '0',
        }),
      'GET /v1/taproot-assets/assets/meta/asset-id/*': metaRoute,
    });
    const expected = [
      { groupKey: GROUP, assetIds: [USDT_A, USDT_B], name: 'USDT', ticker: 'USDT', amount: 4000000n, decimalDisplay: 6 },
      { assetId: ART, assetIds: [ART], name: 'cat', amount: 1n, decimalDisplay: 0 },
    ];
    expect(await tapd.getAssetBalances()).toEqual(expected);
    expect(fake.requests[0]?.query.get('asset_id')).toBe('true');
    expect(await tapd.getAssetBalances()).toEqual(expected);
    const metaCalls = fake.requests.filter((r) => r.path.includes('/meta/'));
    expect(metaCalls.map((r) => r.path.split('/').pop())).toEqual([USDT_A, ART]); // once per asset
  });

  it('createAssetInvoice (by group key, as a hold invoice) returns the quote', async () => {
    const { tapd, fake } = node({
      'POST /v1/taproot-assets/channels/invoice': () =>
        json({
          accepted_buy_quote: {
            peer: PEER,
            id: 'ab'.repeat(32),
            scid: '1234',
            asset_max_amount: '5000000',
            ask_asset_rate: { coefficient: '9500000000', scale: 2 },
            expiry: '1700000600',
            min_transportable_units: '1',
            price_oracle_metadata: '',
            asset_spec: { id: USDT_A, group_pub_key: '' },
            accepted_max_amount: '5000000',
          },
          invoice_result: { r_hash: HASH, payment_request: PR, add_index: '9', payment_addr: 'cd'.repeat(32) },
        }),
    });
    const inv = await tapd.createAssetInvoice({ groupKey: GROUP, assetAmount: 5000000n, peerPubkey: PEER, memo: 'deposit', holdPaymentHash: HASH });
    expect(inv).toEqual({ paymentRequest: PR, paymentHash: HASH, rate: { coefficient: 9500000000n, scale: 2 }, expiresAt: 1700000600 });
    expect(fake.requests[0]?.body).toEqual({
      group_key: GROUP,
      asset_amount: '5000000',
      peer_pubkey: PEER,
      invoice_request: { memo: 'deposit' },
      hodl_invoice: { payment_hash: HASH },
    });
  });

  it('createAssetInvoice for a sat value: value_msat in the invoice request, the peer converts at its quote', async () => {
    const { tapd, fake } = node({
      'POST /v1/taproot-assets/channels/invoice': () => json({ invoice_result: { r_hash: HASH, payment_request: PR } }),
    });
    await tapd.createAssetInvoice({ groupKey: GROUP, valueMsat: 5_000_000n, memo: 'tip' });
    expect(fake.requests[0]?.body).toEqual({ group_key: GROUP, invoice_request: { memo: 'tip', value_msat: '5000000' } });
    expect(await codeOf(tapd.createAssetInvoice({ groupKey: GROUP, valueMsat: 5n, assetAmount: 5n }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(tapd.createAssetInvoice({ groupKey: GROUP }))).toBe('NODE_BAD_INPUT');
  });

  it('payWithAsset: skips the quote message, waits for the final payment state', async () => {
    const quote = { accepted_sell_order: { peer: PEER, id: 'ab'.repeat(32), scid: '1234', asset_amount: '50', bid_asset_rate: { coefficient: '9500000000', scale: 2 }, expiry: '1700000600' } };
    const { tapd, fake } = node({
      'POST /v1/taproot-assets/channels/send-payment': () =>
        ndjson([
          { result: quote },
          { result: { payment_result: payment('IN_FLIGHT') } },
          { result: { payment_result: payment('SUCCEEDED', { payment_preimage: PREIMAGE }) } },
        ]),
    });
    const seen: string[] = [];
    const r = await tapd.payWithAsset({ assetId: USDT_A, paymentRequest: PR, feeLimitSat: 20 }, (u) => seen.push(u.status));
    expect(r).toEqual({ status: 'SUCCEEDED', paymentHash: HASH, preimage: PREIMAGE, amountMsat: 5000000n, feeMsat: 2000n, createdAt: 1700000000 });
    expect(seen).toEqual(['IN_FLIGHT']);
    expect(fake.requests[0]?.body).toEqual({
      asset_id: USDT_A,
      payment_request: { payment_request: PR, fee_limit_sat: '20', timeout_seconds: 60, no_inflight_updates: false },
    });
  });

  it('payWithAsset: nobody reading in-flight updates, lnd is asked for the final one only', async () => {
    const { tapd, fake } = node({
      'POST /v1/taproot-assets/channels/send-payment': () => ndjson([{ result: { payment_result: payment('SUCCEEDED', { payment_preimage: PREIMAGE }) } }]),
    });
    expect((await tapd.payWithAsset({ assetId: USDT_A, paymentRequest: PR, feeLimitSat: 20 })).status).toBe('SUCCEEDED');
    expect((fake.requests[0]?.body as { payment_request: { no_inflight_updates: boolean } }).payment_request.no_inflight_updates).toBe(true);
  });

  it('payWithAsset at a quote: rfq_id, custom records and the CLTV limit in lnd\'s request, bytes as hex', async () => {
    const { tapd, fake } = node({
      'POST /v1/taproot-assets/channels/send-payment': () =>
        ndjson([{ result: { payment_result: payment('IN_FLIGHT') } }]),
    });
    const r = await tapd.payWithAsset({
      groupKey: GROUP,
      paymentRequest: PR,
      feeLimitSat: 7,
      rfqId: 'AB'.repeat(32),
      peerPubkey: PEER,
      customRecords: { '696969': 'c0ffee' },
      cltvLimit: 288,
      waitFinal: false,
      timeoutSeconds: 30,
    });
    expect(r.status).toBe('IN_FLIGHT');
    expect(fake.requests[0]?.body).toEqual({
      group_key: GROUP,
      peer_pubkey: PEER,
      rfq_id: 'ab'.repeat(32),
      payment_request: { payment_request: PR, fee_limit_sat: '7', timeout_seconds: 30, dest_custom_records: { '696969': 'c0ffee' }, cltv_limit: 288, no_inflight_updates: false },
    });
  });

  const accepted = {
    peer: PEER,
    id: 'ab'.repeat(32),
    scid: '1234',
    asset_amount: '5100000',
    bid_asset_rate: { coefficient: '10000000000000', scale: 2 },
    expiry: '1700000600',
    min_transportable_msat: '355000',
    price_oracle_metadata: '',
    asset_spec: { id: USDT_A, group_pub_key: GROUP },
    accepted_max_amount: '0',
  };

  it('requestSellQuote by group key: the key in the path, the order in the body, the quote as the wallet uses it', async () => {
    const { tapd, fake } = node({ 'POST /v1/taproot-assets/rfq/sellorder/group-key/*': () => json({ accepted_quote: accepted }) });
    const q = await tapd.requestSellQuote({ groupKey: GROUP, maxMsat: 5_100_000n, expiresAt: 1700000600, peerPubkey: PEER, timeoutSeconds: 10 });
    expect(q).toEqual({
      id: 'ab'.repeat(32),
      peer: PEER,
      scid: '1234',
      rate: { coefficient: 10000000000000n, scale: 2 },
      expiresAt: 1700000600,
      assetAmount: 5100000n,
      maxMsat: 5_100_000n,
      minTransportableMsat: 355000n,
    });
    expect(fake.requests[0]?.path).toBe(`/v1/taproot-assets/rfq/sellorder/group-key/${GROUP}`);
    expect(fake.requests[0]?.body).toEqual({ payment_max_amt: '5100000', expiry: '1700000600', peer_pub_key: PEER, timeout_seconds: 10 });
  });

  it('requestSellQuote by asset id; a partial fill bounds what the quote carries', async () => {
    const { tapd, fake } = node({ 'POST /v1/taproot-assets/rfq/sellorder/asset-id/*': () => json({ accepted_quote: { ...accepted, accepted_max_amount: '4000000' } }) });
    const q = await tapd.requestSellQuote({ assetId: USDT_A, maxMsat: 5_100_000n, expiresAt: 1700000600 });
    expect(q.maxMsat).toBe(4_000_000n);
    expect(fake.requests[0]?.path).toBe(`/v1/taproot-assets/rfq/sellorder/asset-id/${USDT_A}`);
  });

  it('requestSellQuote: a rejected or invalid quote is ASSET_QUOTE_REFUSED with the peer\'s reason; a bad rate or no quote is a bad response', async () => {
    const answers = [
      { rejected_quote: { peer: PEER, id: 'ab'.repeat(32), error_message: 'price oracle unavailable', error_code: 1 } },
      { invalid_quote: { status: 'RATE_BOUND_MISS', peer: PEER, id: 'ab'.repeat(32) } },
      { accepted_quote: { ...accepted, bid_asset_rate: { coefficient: '0', scale: 2 } } },
      {},
    ];
    const seen: string[] = [];
    for (const answer of answers) {
      const { tapd } = node({ 'POST /v1/taproot-assets/rfq/sellorder/group-key/*': () => json(answer) });
      const e = await tapd.requestSellQuote({ groupKey: GROUP, maxMsat: 1000n, expiresAt: 1700000600 }).then(
        () => 'accepted',
        (x: SatnavError) => `${x.code}: ${x.message}`,
      );
      seen.push(e);
    }
    expect(seen).toEqual([
      'ASSET_QUOTE_REFUSED: node: the peer rejected the quote=price oracle unavailable',
      "ASSET_QUOTE_REFUSED: node: the peer's quote is invalid=RATE_BOUND_MISS",
      'NODE_BAD_RESPONSE: rate: quote rate coefficient must be positive=0',
      'NODE_BAD_RESPONSE: node: sell order answered with no quote',
    ]);
  });

  it('rejects an ambiguous or missing asset before sending anything', async () => {
    const { tapd, fake } = node({});
    const both = { assetId: USDT_A, groupKey: GROUP } as unknown as { assetId: string };
    expect(await codeOf(tapd.createAssetInvoice({ ...both, assetAmount: 1n }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(tapd.createAssetInvoice({ assetId: 'zz', assetAmount: 1n }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(tapd.createAssetInvoice({ assetId: USDT_A, assetAmount: 0n }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(tapd.payWithAsset({ groupKey: GROUP, paymentRequest: PR, feeLimitSat: -5 }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(tapd.payWithAsset({ groupKey: GROUP, paymentRequest: PR, feeLimitSat: 5, rfqId: 'ab' }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(tapd.payWithAsset({ groupKey: GROUP, paymentRequest: PR, feeLimitSat: 5, customRecords: { '5': 'aa' } }))).toBe('NODE_BAD_INPUT');
    expect(await codeOf(tapd.requestSellQuote({ groupKey: GROUP, maxMsat: 0n, expiresAt: 1 }))).toBe('NODE_BAD_INPUT');
    expect(fake.requests).toEqual([]);
  });
});

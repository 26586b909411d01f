import bolt11 from 'bolt11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from './index.ts';
import { call, nodeClient, type Json, testDevnet } from './testing.ts';

let dn: Devnet;
let alice: ReturnType<typeof nodeClient>;
let dave: ReturnType<typeof nodeClient>;

beforeAll(async () => {
  dn = await testDevnet();
  alice = nodeClient(dn.nodes.alice);
  dave = nodeClient(dn.nodes.dave);
});
afterAll(async () => {
  expect(dn.control.contractViolations()).toEqual([]);
  await dn.stop();
});

const USDT = 1_000_000; // units per dollar (decimal_display 6)

async function usdt(): Promise<{ id: string; groupKey: string }> {
  const r = await alice.tapd('GET', '/v1/taproot-assets/assets');
  const a = (r.body.assets as Json[])[0]!;
  return { id: a.asset_genesis.asset_id as string, groupKey: a.asset_group.tweaked_group_key as string };
}

async function assetChannel(node: string, peer: string) {
  const b = await dn.control.balances(node);
  return b.channels.find((c) => c.peer === peer && (c.localAssetUnits > 0 || c.remoteAssetUnits > 0))!;
}

describe('tapd basics', () => {
  it('getinfo with the tapd macaroon; 401 without, 403 with the lnd macaroon', async () => {
    const r = await alice.tapd('GET', '/v1/taproot-assets/getinfo');
    expect(r.body).toMatchObject({ network: 'regtest', lnd_identity_pubkey: dn.nodes.alice.pubkey, sync_to_chain: true });
    expect((await call(dn.nodes.alice.tapdRestUrl, 'GET', '/v1/taproot-assets/getinfo')).status).toBe(401);
    const lndMac = await call(dn.nodes.alice.tapdRestUrl, 'GET', '/v1/taproot-assets/getinfo', { macaroon: dn.nodes.alice.adminMacaroonHex });
    expect(lndMac.status).toBe(403);
  });

  it('setTapdUnnamed: getinfo names no lnd until it is set back', async () => {
    dn.control.setTapdUnnamed('alice', true);
    try {
      expect((await alice.tapd('GET', '/v1/taproot-assets/getinfo')).body).toMatchObject({ lnd_identity_pubkey: '', sync_to_chain: true });
    } finally {
      dn.control.setTapdUnnamed('alice', false);
    }
    expect((await alice.tapd('GET', '/v1/taproot-assets/getinfo')).body).toMatchObject({ lnd_identity_pubkey: dn.nodes.alice.pubkey });
  });

  it('lists the USD stablecoin with decimal_display 6 and a group key', async () => {
    const r = await alice.tapd('GET', '/v1/taproot-assets/assets');
    const a = (r.body.assets as Json[])[0]!;
    expect(a).toMatchObject({ amount: String(5_000 * USDT), decimal_display: { decimal_display: 6 }, asset_genesis: { name: 'USDT', asset_type: 'NORMAL' } });
    expect(a.asset_genesis.asset_id).toMatch(/^[0-9a-f]{64}$/);
    expect(a.asset_group.tweaked_group_key).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  it('balances by asset id and by group key', async () => {
    const { id, groupKey } = await usdt();
    const byId = await alice.tapd('GET', '/v1/taproot-assets/assets/balance?asset_id=true');
    expect(byId.body.asset_balances[id]).toMatchObject({ balance: String(5_000 * USDT), group_key: groupKey, asset_genesis: { asset_id: id } });
    const byGroup = await alice.tapd('GET', '/v1/taproot-assets/assets/balance?group_key=true');
    expect(byGroup.body.asset_group_balances).toEqual({ [groupKey]: { group_key: groupKey, balance: String(5_000 * USDT) } });
    const carolBal = await nodeClient(dn.nodes.carol).tapd('GET', '/v1/taproot-assets/assets/balance?asset_id=true');
    expect(carolBal.body.asset_balances).toEqual({});
  });

  it('serves the stablecoin JSON meta (hex) with decimal_display', async () => {
    const { id } = await usdt();
    const r = await alice.tapd('GET', `/v1/taproot-assets/assets/meta/asset-id/${id}`);
    expect(r.body).toMatchObject({ type: 'META_TYPE_JSON', decimal_display: 6 });
    expect(JSON.parse(Buffer.from(r.body.data as string, 'hex').toString('utf8'))).toEqual({
      spec: 'stablecoin',
      version: 1,
      ticker: 'USDT',
      long_name: 'Tether USD',
      decimal_display: 6,
    });
    const missing = await alice.tapd('GET', `/v1/taproot-assets/assets/meta/asset-id/${'00'.repeat(32)}`);
    expect(missing.status).toBe(500);
  });

  it('lnd shows asset channel balances in custom_channel_data (base64 JSON)', async () => {
    const { id, groupKey } = await usdt();
    const r = await alice.lnd('GET', '/v1/balance/channels');
    const data = JSON.parse(Buffer.from(r.body.custom_channel_data as string, 'base64').toString('utf8')) as Json;
    expect(data.open_channels[id]).toEqual({ asset_id: id, name: 'USDT', local_balance: 1_000 * USDT, remote_balance: 1_000 * USDT });
    expect(data.open_channels_by_group[groupKey]).toMatchObject({ local_balance: 1_000 * USDT });
    const chans = await alice.lnd('GET', '/v1/channels');
    const assetChan = (chans.body.channels as Json[]).find((c) => c.commitment_type === 'SIMPLE_TAPROOT_OVERLAY')!;
    const chanData = JSON.parse(Buffer.from(assetChan.custom_channel_data as string, 'base64').toString('utf8')) as Json;
    expect(chanData).toMatchObject({ group_key: groupKey, local_balance: 1_000 * USDT, capacity: 2_000 * USDT });
  });
});

describe('asset payments', () => {
  it('dave invoices 25 USDT; alice pays it with USDT at the RFQ rate', async () => {
    const { id } = await usdt();
    const added = await dave.tapd('POST', '/v1/taproot-assets/channels/invoice', {
      asset_id: id,
      asset_amount: String(25 * USDT),
      invoice_request: { memo: 'hoodie' },
    });
    expect(added.status).toBe(200);
    const quote = added.body.accepted_buy_quote as Json;
    expect(quote).toMatchObject({ peer: dn.nodes.bob.pubkey, ask_asset_rate: { coefficient: '10000000000000', scale: 2 } });
    // 1 BTC = 100,000 USD → 10^11 units per 10^11 msat: one unit per msat.
    const pr = added.body.invoice_result.payment_request as string;
    expect(bolt11.decode(pr).millisatoshis).toBe(String(25 * USDT));
    expect(added.body.invoice_result.r_hash).toMatch(/^[0-9a-f]{64}$/);

    const aliceBefore = await assetChannel('alice', 'bob');
    const daveBefore = await assetChannel('dave', 'bob');
    const s = await alice.tapdStream('POST', '/v1/taproot-assets/channels/send-payment', {
      asset_id: id,
      payment_request: { payment_request: pr, fee_limit_sat: '100', timeout_seconds: 30 },
    });
    const lines = await s.rest();
    expect(lines[0]?.result.accepted_sell_order).toMatchObject({ peer: dn.nodes.bob.pubkey, bid_asset_rate: { coefficient: '10000000000000', scale: 2 } });
    const final = lines.at(-1)?.result.payment_result as Json;
    expect(final).toMatchObject({ status: 'SUCCEEDED', value_msat: String(25 * USDT) });
    // bob's fee on the asset hop: 1 sat + 1 ppm.
    const fee = 1_000 + 25;
    expect(final.fee_msat).toBe(String(fee));
    expect((await assetChannel('alice', 'bob')).localAssetUnits).toBe(aliceBefore.localAssetUnits - (25 * USDT + fee));
    expect((await assetChannel('dave', 'bob')).localAssetUnits).toBe(daveBefore.localAssetUnits + 25 * USDT);
    const inv = await dave.lnd('GET', `/v1/invoice/${bolt11.decode(pr).tagsObject.payment_hash}`);
    expect(inv.body.state).toBe('SETTLED');
    const payments = await alice.lnd('GET', '/v1/payments');
    expect((payments.body.payments as Json[]).some((p) => p.payment_request === pr)).toBe(true);
  });

  it('alice pays a sats invoice of carol with USDT: units for amount plus fees go to bob', async () => {
    const { groupKey } = await usdt();
    const { paymentRequest } = await dn.control.createInvoice('carol', { amountSat: 10_000, memo: 'coffee' });
    const before = await assetChannel('alice', 'bob');
    const carolBefore = (await dn.control.balances('carol')).channels[0]!.localSat;
    const s = await alice.tapdStream('POST', '/v1/taproot-assets/channels/send-payment', {
      group_key: groupKey,
      payment_request: { payment_request: paymentRequest, fee_limit_sat: '100' },
    });
    const final = (await s.rest()).at(-1)?.result.payment_result as Json;
    expect(final).toMatchObject({ status: 'SUCCEEDED', fee_sat: '11' });
    expect((await assetChannel('alice', 'bob')).localAssetUnits).toBe(before.localAssetUnits - 10_011_000);
    expect((await dn.control.balances('carol')).channels[0]!.localSat).toBe(carolBefore + 10_000);
  });

  it("no_inflight_updates in lnd's request: the accepted quote, then only the final payment update", async () => {
    const { groupKey } = await usdt();
    const { paymentRequest } = await dn.control.createInvoice('carol', { amountSat: 1_000, memo: 'tea' });
    const s = await alice.tapdStream('POST', '/v1/taproot-assets/channels/send-payment', {
      group_key: groupKey,
      payment_request: { payment_request: paymentRequest, fee_limit_sat: '100', no_inflight_updates: true },
    });
    const lines = (await s.rest()).map((l) => l.result as Json);
    expect(lines.map((l) => (l.payment_result ? (l.payment_result as Json).status : 'quote'))).toEqual(['quote', 'SUCCEEDED']);
  });

  it('refuses an asset the node has no channel for, as a stream error', async () => {
    const s = await alice.tapdStream('POST', '/v1/taproot-assets/channels/send-payment', {
      asset_id: 'ab'.repeat(32),
      payment_request: { payment_request: (await dn.control.createInvoice('carol', { amountSat: 1 })).paymentRequest },
    });
    expect(s.status).toBe(500);
    expect((await s.rest())[0]?.error.message).toMatch(/no asset channel found/);
  });

  it('an asset invoice above the peer\'s balance is refused', async () => {
    const { id } = await usdt();
    const r = await dave.tapd('POST', '/v1/taproot-assets/channels/invoice', { asset_id: id, asset_amount: String(1_000_000 * USDT) });
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/no asset channel with enough remote balance/);
  });
});

describe('RFQ sell quotes', () => {
  const DESK = { coefficient: '10000000000000', scale: 2 };
  const sellOrder = async (spec: string, body: Json) => alice.tapd('POST', `/v1/taproot-assets/rfq/sellorder/${spec}`, body);
  const future = () => String(Math.floor(Date.now() / 1000) + 300);

  it('by group key or asset id: the peer quotes its rate, the units for the order and an expiry', async () => {
    const { id, groupKey } = await usdt();
    const byGroup = await sellOrder(`group-key/${groupKey}`, { payment_max_amt: '21210000', expiry: future() });
    expect(byGroup.status).toBe(200);
    const q = byGroup.body.accepted_quote as Json;
    expect(q).toMatchObject({ peer: dn.nodes.bob.pubkey, bid_asset_rate: DESK, asset_amount: '21210000', accepted_max_amount: '0' });
    expect(q.id).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(q.expiry) - Date.now() / 1000).toBeGreaterThan(590);
    const byId = await sellOrder(`asset-id/${id}`, { payment_max_amt: '1000' });
    expect(byId.body.accepted_quote).toMatchObject({ asset_amount: '1000' });
    expect(byId.body.accepted_quote.id).not.toBe(q.id);
  });

  it('refuses an unknown asset, a zero amount, a past expiry; rejects while the desk says so', async () => {
    const { groupKey } = await usdt();
    expect((await sellOrder(`group-key/02${'ab'.repeat(32)}`, { payment_max_amt: '1000' })).body.message).toMatch(/no asset channel found/);
    expect((await sellOrder(`group-key/${groupKey}`, { payment_max_amt: '0' })).status).toBe(400);
    expect((await sellOrder(`group-key/${groupKey}`, { payment_max_amt: '1000', expiry: '1000' })).status).toBe(400);
    dn.control.setRfq({ reject: 'oracle down' });
    try {
      const r = await sellOrder(`group-key/${groupKey}`, { payment_max_amt: '1000' });
      expect(r.body.rejected_quote).toMatchObject({ error_message: 'oracle down', peer: dn.nodes.bob.pubkey });
    } finally {
      dn.control.setRfq({ reject: null });
    }
  });

  it('send-payment with rfq_id pays at that quote even after the rate moved; unknown or expired quotes are refused', async () => {
    const { groupKey } = await usdt();
    const { paymentRequest } = await dn.control.createInvoice('carol', { amountSat: 2_000 });
    const q = (await sellOrder(`group-key/${groupKey}`, { payment_max_amt: String(2_100_000) })).body.accepted_quote as Json;
    dn.control.setRfq({ rate: { coefficient: '110000000000', scale: 0 } }); // 10 % more units per BTC
    try {
      const before = await assetChannel('alice', 'bob');
      const pay = (rfq: string) =>
        alice.tapdStream('POST', '/v1/taproot-assets/channels/send-payment', {
          group_key: groupKey,
          rfq_id: rfq,
          payment_request: { payment_request: paymentRequest, fee_limit_sat: '100' },
        });
      const unknown = await pay('cd'.repeat(32));
      expect(unknown.status).toBe(500);
      expect((await unknown.rest())[0]?.error.message).toMatch(/no accepted sell quote found for RFQ ID/);
      const lines = await (await pay(q.id as string)).rest();
      expect(lines[0]?.result.accepted_sell_order).toMatchObject({ id: q.id, bid_asset_rate: DESK });
      const final = lines.at(-1)?.result.payment_result as Json;
      expect(final).toMatchObject({ status: 'SUCCEEDED' });
      // At the quote's rate one unit per msat: amount + fee, not 10 % more.
      expect((await assetChannel('alice', 'bob')).localAssetUnits).toBe(before.localAssetUnits - Number(final.value_msat) - Number(final.fee_msat));

      dn.control.setRfq({ quoteSeconds: 1 });
      const short = (await sellOrder(`group-key/${groupKey}`, { payment_max_amt: '2100000' })).body.accepted_quote as Json;
      expect(short.bid_asset_rate).toEqual({ coefficient: '110000000000', scale: 0 });
      await new Promise((r) => setTimeout(r, (Number(short.expiry) - Date.now() / 1000) * 1000 + 50));
      const next = await dn.control.createInvoice('carol', { amountSat: 2_000 });
      const expired = await alice.tapdStream('POST', '/v1/taproot-assets/channels/send-payment', {
        group_key: groupKey,
        rfq_id: short.id,
        payment_request: { payment_request: next.paymentRequest, fee_limit_sat: '100' },
      });
      expect((await expired.rest())[0]?.error.message).toMatch(/no accepted sell quote found/);
    } finally {
      dn.control.setRfq({ rate: DESK, quoteSeconds: 600 });
    }
  });

  it('a quote carries only what it was asked for', async () => {
    const { groupKey } = await usdt();
    const { paymentRequest } = await dn.control.createInvoice('carol', { amountSat: 5_000 });
    const q = (await sellOrder(`group-key/${groupKey}`, { payment_max_amt: '1000000' })).body.accepted_quote as Json;
    const s = await alice.tapdStream('POST', '/v1/taproot-assets/channels/send-payment', {
      group_key: groupKey,
      rfq_id: q.id,
      payment_request: { payment_request: paymentRequest, fee_limit_sat: '10' },
    });
    expect((await s.rest())[0]?.error.message).toMatch(/exceeds the quote's max amount/);
  });
});

/**
 * TapdRest against the devnet (tapd REST: bytes as hex), every exchange checked against tapd's
 * swagger by the recording fetch and by the devnet itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '../../devnet/index.ts';
import { checkedDevnet } from '../testing/contract-checked.ts';
import { codeOf } from '../testing/expect-code.ts';
import { LndRest } from './lnd-rest.ts';
import { TapdRest } from './tapd-rest.ts';
import type { TapdAssetBalance } from './types.ts';

const session = checkedDevnet();
let devnet: Devnet;
let alice: TapdRest;
let dave: TapdRest;
let aliceLnd: LndRest;

const tapdFor = (node: 'alice' | 'dave', macaroonHex?: string) =>
  new TapdRest({ baseUrl: devnet.nodes[node].tapdRestUrl, macaroonHex: macaroonHex ?? devnet.nodes[node].tapdMacaroonHex, fetch: session.fetch('tapd'), timeoutMs: 5000 });

beforeAll(() => {
  devnet = session.devnet;
  alice = tapdFor('alice');
  dave = tapdFor('dave');
  aliceLnd = new LndRest({ baseUrl: devnet.nodes.alice.lndRestUrl, macaroonHex: devnet.nodes.alice.adminMacaroonHex, fetch: session.fetch('lnd') });
});

const usdt = (balances: TapdAssetBalance[]) => balances.find((b) => b.ticker === 'USDT');
const assetChannelLocal = async () => (await aliceLnd.getBalances()).assetChannels.find((c) => !c.pending)?.localAmount ?? -1n;

describe('TapdRest on the devnet', () => {
  it('getInfo names the same node as lnd', async () => {
    const info = await alice.getInfo();
    expect(info.lndPubkey).toBe(devnet.nodes.alice.pubkey);
    expect(info.blockHeight).toBe(devnet.control.height());
  });

  it('asset balances: USDT by group key, decimal display and ticker from the meta', async () => {
    const balances = await alice.getAssetBalances();
    const usd = usdt(balances);
    const truth = await devnet.control.balances('alice');
    expect(usd).toMatchObject({ name: 'USDT', ticker: 'USDT', decimalDisplay: 6, amount: BigInt(truth.assetUnits) });
    expect(usd?.groupKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(usd?.assetId).toBeUndefined();
    expect(Number(usd?.amount) / 10 ** (usd?.decimalDisplay ?? 0)).toBe(5000); // "5,000 USDT"
    const assets = await alice.listAssets();
    expect(assets.find((a) => usd?.assetIds.includes(a.assetId))).toMatchObject({ groupKey: usd?.groupKey, decimalDisplay: 6 });
  });

  it('dave invoices in USDT, alice pays with USDT over her asset channel', async () => {
    const [usd] = (await dave.getAssetBalances()).filter((b) => b.ticker === 'USDT');
    const groupKey = usd?.groupKey ?? '';
    const before = await assetChannelLocal();
    const inv = await dave.createAssetInvoice({ groupKey, assetAmount: 10_000_000n, memo: '10 USDT reward' });
    expect(inv.rate?.coefficient).toBeGreaterThan(0n);
    expect(inv.expiresAt).toBeGreaterThan(0);
    const paid = await alice.payWithAsset({ groupKey, paymentRequest: inv.paymentRequest, feeLimitSat: 100 });
    expect(paid.status).toBe('SUCCEEDED');
    expect(paid.paymentHash).toBe(inv.paymentHash);
    expect(createHash('sha256').update(Buffer.from(paid.preimage ?? '', 'hex')).digest('hex')).toBe(inv.paymentHash);
    expect(before - (await assetChannelLocal())).toBeGreaterThanOrEqual(10_000_000n);
  });

  it('alice pays carol’s sats invoice with USDT', async () => {
    const [usd] = (await alice.getAssetBalances()).filter((b) => b.ticker === 'USDT');
    const inv = await devnet.control.createInvoice('carol', { amountSat: 2000, memo: 'coffee' });
    const before = await assetChannelLocal();
    const paid = await alice.payWithAsset({ groupKey: usd?.groupKey ?? '', paymentRequest: inv.paymentRequest, feeLimitSat: 100 });
    expect([paid.status, paid.amountMsat]).toEqual(['SUCCEEDED', 2_000_000n]);
    expect((await devnet.control.lookupInvoice('carol', inv.paymentHash)).state).toBe('SETTLED');
    expect(await assetChannelLocal()).toBeLessThan(before);
  });

  it('an asset hold invoice keeps the payment in flight', async () => {
    const [usd] = (await dave.getAssetBalances()).filter((b) => b.ticker === 'USDT');
    const hash = createHash('sha256').update(randomBytes(32)).digest('hex');
    const inv = await dave.createAssetInvoice({ groupKey: usd?.groupKey ?? '', assetAmount: 1_000_000n, holdPaymentHash: hash });
    expect(inv.paymentHash).toBe(hash);
    const held = await alice.payWithAsset({ groupKey: usd?.groupKey ?? '', paymentRequest: inv.paymentRequest, feeLimitSat: 100, waitFinal: false });
    expect(held.status).toBe('IN_FLIGHT');
    let state = '';
    for (let i = 0; i < 200 && state !== 'ACCEPTED'; i++) {
      state = (await devnet.control.lookupInvoice('dave', hash)).state;
      if (state !== 'ACCEPTED') await new Promise((r) => setTimeout(r, 10));
    }
    expect(state).toBe('ACCEPTED'); // dave holds the HTLC: alice's USDT are locked, not spent
    await devnet.control.cancelInvoice('dave', hash);
  });

  it('wrong macaroon → NODE_AUTH; node down → NODE_UNREACHABLE', async () => {
    expect(await codeOf(tapdFor('alice', devnet.nodes.alice.adminMacaroonHex).getAssetBalances())).toBe('NODE_AUTH');
    devnet.control.setDown('alice', true);
    try {
      expect(await codeOf(alice.getInfo())).toBe('NODE_UNREACHABLE');
    } finally {
      devnet.control.setDown('alice', false);
    }
  });
});

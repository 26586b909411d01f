/**
 * Rails.quote's early question to the peer: the asset the last payment used is quoted while the
 * balances are read, and that answer is used only when the fresh balances still name that asset.
 */
import { describe, expect, it } from 'vitest';
import type { AssetChannelBalance, AssetNode, AssetQuote, LightningNode, SellQuoteParams } from '../node/types.ts';
import type { PolicyEngine } from '../policy/index.ts';
import type { PaymentIntent } from './intent.ts';
import { SatnavError } from '../errors.ts';
import { codeOf } from '../testing/expect-code.ts';
import { checkedTapd } from '../node/connection.ts';
import { Rails } from './rail.ts';

const USD_A = 'aa'.repeat(32);
const USD_B = 'bb'.repeat(32);
const RATE = { coefficient: 10_000_000_000_000n, scale: 2 }; // one unit per msat
const LND = `02${'cd'.repeat(32)}`;

/**
 * lnd and tapd with one USD channel per entry of `channels`; every node call logged in order.
 * `tapdNames`: tapd is a saved connection's, checked to name this lnd (checkedTapd), and names that.
 */
function nodes(channels: Record<string, bigint>, o: { tapdNames?: string } = {}) {
  const log: string[] = [];
  const peer: { refuses?: string } = {};
  const lnd = {
    getInfo: async () => ({ pubkey: LND }),
    getBalances: async () => {
      log.push('balances');
      const assetChannels: AssetChannelBalance[] = Object.entries(channels).map(([assetId, localAmount]) => ({ assetId, name: 'USD', localAmount, remoteAmount: 0n, pending: false }));
      return { onchain: { confirmedSat: 0, unconfirmedSat: 0 }, lightning: { localSat: 0, remoteSat: 0, pendingOpenLocalSat: 0, unsettledLocalSat: 0 }, assetChannels };
    },
  } as unknown as LightningNode;
  const tapd = {
    getInfo: async () => (log.push('tapd getinfo'), { lndPubkey: o.tapdNames }),
    getAssetBalances: async () => (log.push('assets'), []),
    assetMeta: async () => ({ ticker: 'USD', decimalDisplay: 6 }),
    requestSellQuote: async (p: SellQuoteParams): Promise<AssetQuote> => {
      log.push(`quote ${'assetId' in p && p.assetId ? p.assetId.slice(0, 2) : '?'}`);
      if ('assetId' in p && p.assetId === peer.refuses) throw new SatnavError('ASSET_QUOTE_REFUSED', 'payments: the peer refused');
      return { id: '11'.repeat(32), peer: '02'.repeat(33), scid: '1', rate: RATE, expiresAt: 2e9, assetAmount: 0n, maxMsat: p.maxMsat, minTransportableMsat: 1n };
    },
  } as unknown as AssetNode;
  const assetNode = o.tapdNames === undefined ? tapd : checkedTapd(tapd, lnd);
  const rails = new Rails({ policy: {} as PolicyEngine, node: async () => lnd, assetNode: async () => assetNode, now: () => 1_700_000_000_000 });
  return { rails, log, channels, peer };
}

const intent = { origin: 'https://shop.example', amountSat: 1_000, payIn: 'usd' } as PaymentIntent;
const how = { paymentRequest: 'lnbcrt1…' };

describe('Rails: quoting the dollar asset', () => {
  it('first payment: balances first, then the quote; the next one asks for its quote before the balances arrive', async () => {
    const { rails, log } = nodes({ [USD_A]: 5_000_000n });
    expect((await rails.plan(intent, how, 'usd', 10)).quote?.asset.ref).toEqual({ assetId: USD_A });
    expect(log).toEqual(['balances', 'assets', 'quote aa']);
    log.length = 0;
    expect((await rails.plan(intent, how, 'usd', 10)).quote?.asset.ref).toEqual({ assetId: USD_A });
    expect(log).toEqual(['quote aa', 'balances', 'assets']);
  });

  it('the channel with the most now is another asset: that one is quoted, the early answer is dropped', async () => {
    const { rails, log, channels } = nodes({ [USD_A]: 5_000_000n });
    await rails.plan(intent, how, 'usd', 10);
    channels[USD_A] = 0n;
    channels[USD_B] = 9_000_000n;
    log.length = 0;
    const plan = await rails.plan(intent, how, 'usd', 10);
    expect(plan.quote?.asset).toMatchObject({ ref: { assetId: USD_B }, spendableUnits: 9_000_000n });
    expect(log).toEqual(['quote aa', 'balances', 'assets', 'quote bb']);
  });

  it('the peer refusing the early question for the right asset is the answer; for a stale one it is dropped', async () => {
    const { rails, log, channels, peer } = nodes({ [USD_A]: 5_000_000n });
    await rails.plan(intent, how, 'usd', 10);
    peer.refuses = USD_A;
    expect(await codeOf(rails.plan(intent, how, 'usd', 10))).toBe('ASSET_QUOTE_REFUSED');
    channels[USD_A] = 0n;
    channels[USD_B] = 9_000_000n;
    log.length = 0;
    expect((await rails.plan(intent, how, 'usd', 10)).quote?.asset.ref).toEqual({ assetId: USD_B });
    expect(log).toEqual(['quote aa', 'balances', 'assets', 'quote bb']);
  });
});

describe('Rails: a saved tapd that does not name this lnd', () => {
  it('dollars are refused as NODE_TAPD_UNVERIFIED, before any balance or quote is asked of it', async () => {
    const { rails, log } = nodes({ [USD_A]: 5_000_000n }, { tapdNames: '' });
    expect(await codeOf(rails.plan(intent, how, 'usd', 10))).toBe('NODE_TAPD_UNVERIFIED');
    expect(log.filter((l) => l !== 'balances')).toEqual(['tapd getinfo']);
  });

  it('BTC still goes, unvalued in dollars', async () => {
    const { rails } = nodes({ [USD_A]: 5_000_000n }, { tapdNames: '' });
    expect(await rails.plan({ ...intent, payIn: 'btc' }, how, 'btc', 10)).toEqual({ chosen: 'btc', rail: 'btc', locked: 'unavailable' });
  });

  it('naming this lnd, it quotes as before', async () => {
    const { rails } = nodes({ [USD_A]: 5_000_000n }, { tapdNames: LND });
    expect((await rails.plan(intent, how, 'usd', 10)).quote?.asset.ref).toEqual({ assetId: USD_A });
  });
});


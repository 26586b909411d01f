import { describe, expect, it } from 'vitest';
import type { AssetChannelBalance } from './types.ts';
import { findUsdAsset, isUsdPegged } from './usd-asset.ts';

const id = (c: string) => c.repeat(64);
const channel = (assetId: string, remoteAmount: bigint, more: Partial<AssetChannelBalance> = {}): AssetChannelBalance => ({
  assetId,
  name: 'x',
  localAmount: 0n,
  remoteAmount,
  pending: false,
  ...more,
});
const TICKERS: Record<string, string> = { [id('a')]: 'USDT', [id('b')]: 'USDC', [id('c')]: 'GOLD' };
const tapd = { assetMeta: async (assetId: string) => ({ ticker: TICKERS[assetId], decimalDisplay: 6 }) };
const lnd = (assetChannels: AssetChannelBalance[]) => ({
  getBalances: async () => ({ onchain: { confirmedSat: 0, unconfirmedSat: 0 }, lightning: { localSat: 0, remoteSat: 0, pendingOpenLocalSat: 0, unsettledLocalSat: 0 }, assetChannels }),
});

describe('findUsdAsset: where dollars are received', () => {
  it('the USD channel that can take the most in, named by group key when grouped', async () => {
    const found = await findUsdAsset(lnd([channel(id('a'), 5n), channel(id('b'), 9n, { groupKey: '02' + 'b'.repeat(64) })]), tapd);
    expect(found).toEqual({ ref: { groupKey: '02' + 'b'.repeat(64) }, ticker: 'USDC', decimalDisplay: 6 });
  });
  it('skips channels not yet open and assets that are not dollars', async () => {
    const found = await findUsdAsset(lnd([channel(id('c'), 100n), channel(id('b'), 50n, { pending: true }), channel(id('a'), 1n)]), tapd);
    expect(found?.ref).toEqual({ assetId: id('a') });
  });
  it('none: undefined', async () => {
    expect(await findUsdAsset(lnd([channel(id('c'), 100n)]), tapd)).toBeUndefined();
  });
  it('USD, USDT, USDC in any case are dollars; others not', () => {
    expect(['usd', 'USDT', 'Usdc'].map(isUsdPegged)).toEqual([true, true, true]);
    expect(['EUR', 'USDX', ''].map(isUsdPegged)).toEqual([false, false, false]);
  });
});

/**
 * Which Taproot Asset is "dollars" to the wallet: a USD-pegged one (ticker USD, USDT or USDC) the
 * node holds in an open Lightning channel, since only those can be paid and received over Lightning.
 */
import type { AssetNode, AssetRef, LightningNode } from './types.ts';

const USD_PEGGED = new Set(['USDT', 'USDC', 'USD']);

export function isUsdPegged(ticker: string): boolean {
  return USD_PEGGED.has(ticker.toUpperCase());
}

export interface UsdAsset {
  /** How tapd is told which asset: the group key for a grouped asset (a stablecoin's tranches), else its id. */
  ref: AssetRef;
  ticker: string;
  decimalDisplay: number;
}

/**
 * The USD-pegged asset (tapd's meta names the ticker) whose open channels can take the most in:
 * receiving needs the peer's side of the channel, so the channel with the most inbound units wins.
 */
export async function findUsdAsset(lnd: Pick<LightningNode, 'getBalances'>, tapd: Pick<AssetNode, 'assetMeta'>): Promise<UsdAsset | undefined> {
  const { assetChannels } = await lnd.getBalances();
  let best: { asset: UsdAsset; inbound: bigint } | undefined;
  for (const ch of assetChannels) {
    if (ch.pending || !ch.assetId) continue;
    const meta = await tapd.assetMeta(ch.assetId);
    const ticker = meta.ticker ?? ch.name;
    if (!isUsdPegged(ticker) || (best && best.inbound >= ch.remoteAmount)) continue;
    const ref: AssetRef = ch.groupKey ? { groupKey: ch.groupKey } : { assetId: ch.assetId };
    best = { asset: { ref, ticker, decimalDisplay: meta.decimalDisplay ?? 0 }, inbound: ch.remoteAmount };
  }
  return best?.asset;
}

/**
 * The default network:
 *
 *   alice ──(5M sat: alice 4M │ bob 1M)── bob ──(4M: bob 3M │ carol 1M)── carol
 *   alice ══(USDT asset channel: 1,000 │ 1,000)══ bob ──(4M: bob 3M │ dave 1M)── dave
 *                                                 bob ══(USDT: 2,000 │ 500)══ dave
 *
 * alice is the wallet's node (on-chain coins and 5,000 USDT in tapd); bob routes and charges
 * 1 sat + 0.1% towards the merchants; carol is a merchant; dave a merchant that also pays rewards
 * and takes USDT. Amounts in USDT are display units (6 decimals).
 */
import type { OpenChannelOptions } from './network.ts';
import type { Sim } from './node-ops.ts';

export const NODE_ALIASES = {
  alice: 'alice (Satnav user)',
  bob: 'bob (routing node)',
  carol: 'carol (merchant)',
  dave: 'dave (merchant, rewards)',
} as const;
export type DefaultNode = keyof typeof NODE_ALIASES;

/** Routing fee of the merchants' inbound hop: 1 sat + 1,000 ppm (0.1%). */
export const MERCHANT_HOP_POLICY = { baseFeeMsat: 1000, feeRatePpm: 1000, cltvDelta: 80 } as const;

export function buildDefaultNetwork(sim: Sim): void {
  const { net, asset } = sim;
  for (const [name, alias] of Object.entries(NODE_ALIASES)) net.addNode(name, alias);
  const usd = (dollars: number) => dollars * 10 ** asset.decimalDisplay;
  net.fund('alice', 10_000_000);
  net.fund('bob', 20_000_000);
  net.fund('carol', 2_000_000);
  net.fund('dave', 2_000_000);
  net.mine(1);

  const toMerchant = (capacitySat: number, pushSat: number): OpenChannelOptions => ({
    capacitySat,
    pushSat,
    policy: MERCHANT_HOP_POLICY,
    remotePolicy: { baseFeeMsat: 1000, feeRatePpm: 1 },
  });
  net.openChannel('alice', 'bob', {
    capacitySat: 5_000_000,
    pushSat: 1_000_000,
    policy: { baseFeeMsat: 1000, feeRatePpm: 1 },
    remotePolicy: { baseFeeMsat: 1000, feeRatePpm: 100 },
  });
  net.openChannel('bob', 'carol', toMerchant(4_000_000, 1_000_000));
  net.openChannel('bob', 'dave', toMerchant(4_000_000, 1_000_000));
  net.openChannel('alice', 'bob', { capacitySat: 100_000, pushSat: 50_000, asset: { def: asset, localUnits: usd(1_000), remoteUnits: usd(1_000) } });
  net.openChannel('bob', 'dave', { capacitySat: 100_000, pushSat: 50_000, asset: { def: asset, localUnits: usd(2_000), remoteUnits: usd(500) } });

  net.node('alice').assetUnits.set(asset.assetId, usd(5_000));
  net.node('dave').assetUnits.set(asset.assetId, usd(1_000));
}

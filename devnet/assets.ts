/**
 * Taproot Assets in the devnet: one USD stablecoin issued as a grouped asset, and the RFQ rate at
 * which asset channels' edge nodes convert between asset units and millisatoshis.
 *
 * Rates are tapd's FixedPoint, in asset units per BTC: value = coefficient / 10^scale.
 *   units = msat × rate / MSAT_PER_BTC        msat = units × MSAT_PER_BTC / rate
 */
import { sha256Bytes, sha256Hex, toHex, utf8Bytes } from './codec.ts';
import { deriveKey } from './keys.ts';

export interface FixedPoint {
  readonly coefficient: bigint;
  readonly scale: number;
}

export const MSAT_PER_BTC = 100_000_000_000n;

export interface AssetDef {
  readonly name: string;
  readonly assetId: string; // hex, 32 bytes
  readonly groupKey: string; // hex, tweaked group key, 33 bytes
  readonly rawGroupKey: string; // hex, 33 bytes
  readonly meta: Uint8Array; // the JSON meta, as tapd stores it
  readonly metaHash: string; // hex sha256 of meta
  readonly decimalDisplay: number;
  readonly genesisPoint: string;
  readonly anchorHeight: number;
  /** RFQ rate of the edge nodes, units per BTC (same for buying and selling: no spread). */
  readonly rate: FixedPoint;
}

/**
 * USDT with 6 decimals: 1 BTC = 100,000 USD = 100,000 × 10^6 units. Written with a non-zero scale
 * so a client that ignores `scale` is caught.
 */
export function stablecoin(seed: string, anchorHeight: number): AssetDef {
  const meta = utf8Bytes(
    JSON.stringify({ spec: 'stablecoin', version: 1, ticker: 'USDT', long_name: 'Tether USD', decimal_display: 6 }),
  );
  return {
    name: 'USDT',
    assetId: sha256Hex(`asset-id/${seed}/USDT`),
    groupKey: deriveKey(seed, 'asset-group/USDT/tweaked').pubkeyHex,
    rawGroupKey: deriveKey(seed, 'asset-group/USDT/raw').pubkeyHex,
    meta,
    metaHash: toHex(sha256Bytes(meta)),
    decimalDisplay: 6,
    genesisPoint: `${sha256Hex(`asset-genesis/${seed}/USDT`)}:0`,
    anchorHeight,
    rate: { coefficient: 10_000_000_000_000n, scale: 2 },
  };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

const divRound = (num: bigint, den: bigint, round: 'up' | 'down'): bigint =>
  round === 'up' ? (num + den - 1n) / den : num / den;

export function unitsForMsat(msat: number, rate: FixedPoint, round: 'up' | 'down'): number {
  return Number(divRound(BigInt(msat) * rate.coefficient, MSAT_PER_BTC * pow10(rate.scale), round));
}

export function msatForUnits(units: number, rate: FixedPoint, round: 'up' | 'down'): number {
  return Number(divRound(BigInt(units) * MSAT_PER_BTC * pow10(rate.scale), rate.coefficient, round));
}

/** The asset's script key for one node (stable, so ListAssets is repeatable). */
export function scriptKeyOf(asset: AssetDef, node: string, seed: string): string {
  return deriveKey(seed, `asset-script-key/${asset.assetId}/${node}`).pubkeyHex;
}

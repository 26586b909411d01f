/**
 * The network: nodes, channels with per-direction balances and fee policies, pending HTLCs, the
 * shared chain height and the on-chain wallets. Amounts in channels are millisatoshi; asset
 * channels also carry asset units per side.
 */
import { sha256Hex } from './codec.ts';
import { SimNode } from './node.ts';
import type { AssetDef } from './assets.ts';

export interface FeePolicy {
  readonly baseFeeMsat: number;
  readonly feeRatePpm: number;
  readonly cltvDelta: number;
}

export interface ChannelSide {
  readonly node: string;
  balanceMsat: number;
  units: number;
  readonly policy: FeePolicy;
  sentMsat: number;
  receivedMsat: number;
}

export interface PendingHtlc {
  readonly index: number;
  /** The side that offered the HTLC. */
  readonly from: 0 | 1;
  readonly amountMsat: number;
  readonly units: number;
  readonly hash: Uint8Array;
  readonly expiryHeight: number;
}

export interface Channel {
  readonly id: bigint;
  readonly point: string;
  readonly capacitySat: number;
  readonly pushSat: number;
  readonly openHeight: number;
  readonly openedAtSec: number;
  /** sides[0] opened the channel. */
  readonly sides: readonly [ChannelSide, ChannelSide];
  readonly htlcs: PendingHtlc[];
  /** Set on Taproot Asset channels: which asset, and the units the channel was funded with. */
  readonly asset?: { readonly def: AssetDef; readonly capacityUnits: number };
  numUpdates: number;
  nextHtlcIndex: number;
}

export interface OpenChannelOptions {
  readonly capacitySat: number;
  /** Given to the remote side at opening. */
  readonly pushSat?: number;
  /** Fee policy of the opener's direction, then the remote's. */
  readonly policy?: Partial<FeePolicy>;
  readonly remotePolicy?: Partial<FeePolicy>;
  /** Make it a Taproot Asset channel holding these units per side. */
  readonly asset?: { readonly def: AssetDef; readonly localUnits: number; readonly remoteUnits: number };
}

export const DEFAULT_POLICY: FeePolicy = { baseFeeMsat: 1000, feeRatePpm: 1, cltvDelta: 80 };

export class NetworkError extends Error {}

export class Network {
  readonly nodes = new Map<string, SimNode>();
  readonly channels: Channel[] = [];
  private txCount = 0;

  constructor(
    readonly seed: string,
    public height: number,
  ) {}

  addNode(name: string, alias: string): SimNode {
    if (this.nodes.has(name)) throw new NetworkError(`devnet: node exists=${name}`);
    const node = new SimNode(name, alias, this.seed);
    this.nodes.set(name, node);
    return node;
  }

  node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw new NetworkError(`devnet: unknown node=${name}`);
    return n;
  }

  nodeByPubkey(pubkeyHex: string): SimNode | undefined {
    const want = pubkeyHex.toLowerCase();
    for (const n of this.nodes.values()) if (n.pubkeyHex === want) return n;
    return undefined;
  }

  channelsOf(name: string): Channel[] {
    return this.channels.filter((c) => c.sides[0].node === name || c.sides[1].node === name);
  }

  channelById(id: bigint): Channel | undefined {
    return this.channels.find((c) => c.id === id);
  }

  isActive(c: Channel): boolean {
    return !this.node(c.sides[0].node).faults.down && !this.node(c.sides[1].node).faults.down;
  }

  nowSec(): number {
    return Math.floor(Date.now() / 1000);
  }

  blockHash(height = this.height): string {
    return sha256Hex(`block/${this.seed}/${height}`);
  }

  newTxid(): string {
    return sha256Hex(`tx/${this.seed}/${++this.txCount}`);
  }

  /** A deposit to the node's wallet, confirmed by the next block. */
  fund(name: string, sat: number): string {
    assertSat(sat, 'amount');
    const txid = this.newTxid();
    this.node(name).pending.push({ txid, sat });
    return txid;
  }

  /** Opens at once (no confirmations are simulated); the opener pays the capacity on-chain. */
  openChannel(from: string, to: string, opts: OpenChannelOptions): Channel {
    const a = this.node(from);
    this.node(to);
    if (from === to) throw new NetworkError(`devnet: cannot open a channel to self=${from}`);
    assertSat(opts.capacitySat, 'capacity');
    const push = opts.pushSat ?? 0;
    if (!Number.isSafeInteger(push) || push < 0 || push > opts.capacitySat) {
      throw new NetworkError(`devnet: push must be within capacity=${push}`);
    }
    if (a.confirmedSat < opts.capacitySat) {
      throw new NetworkError(`devnet: not enough confirmed funds on ${from}=${a.confirmedSat}`);
    }
    a.confirmedSat -= opts.capacitySat;
    const txIndex = this.channels.length + 1;
    const channel: Channel = {
      id: (BigInt(this.height) << 40n) | (BigInt(txIndex) << 16n),
      point: `${this.newTxid()}:0`,
      capacitySat: opts.capacitySat,
      pushSat: push,
      openHeight: this.height,
      openedAtSec: this.nowSec(),
      sides: [
        side(from, (opts.capacitySat - push) * 1000, opts.asset?.localUnits ?? 0, opts.policy),
        side(to, push * 1000, opts.asset?.remoteUnits ?? 0, opts.remotePolicy),
      ],
      htlcs: [],
      asset: opts.asset && { def: opts.asset.def, capacityUnits: opts.asset.localUnits + opts.asset.remoteUnits },
      numUpdates: 0,
      nextHtlcIndex: 0,
    };
    this.channels.push(channel);
    return channel;
  }

  /** Mines blocks: confirms deposits and lets every node cancel hold invoices near expiry. */
  mine(count: number): number {
    if (!Number.isSafeInteger(count) || count < 1 || count > 10_000) {
      throw new NetworkError(`devnet: block count must be 1..10000=${count}`);
    }
    for (let i = 0; i < count; i++) {
      this.height++;
      for (const n of this.nodes.values()) {
        n.confirmedSat += n.unconfirmedSat;
        n.pending.length = 0;
        n.invoices.onBlock(this.height, this.nowSec());
      }
    }
    return this.height;
  }
}

function side(node: string, balanceMsat: number, units: number, policy?: Partial<FeePolicy>): ChannelSide {
  return { node, balanceMsat, units, policy: { ...DEFAULT_POLICY, ...policy }, sentMsat: 0, receivedMsat: 0 };
}

function assertSat(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new NetworkError(`devnet: ${what} must be a positive sat amount=${n}`);
}

export const sideOf = (c: Channel, node: string): 0 | 1 => (c.sides[0].node === node ? 0 : 1);
export const otherSide = (i: 0 | 1): 0 | 1 => (i === 0 ? 1 : 0);

/** Each side keeps 1% of capacity it cannot spend (lnd's default channel reserve). */
export const reserveSat = (c: Channel): number => Math.floor(c.capacitySat / 100);

export function spendableMsat(c: Channel, i: 0 | 1): number {
  return Math.max(0, c.sides[i].balanceMsat - reserveSat(c) * 1000);
}

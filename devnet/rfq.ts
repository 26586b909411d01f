/**
 * The devnet's RFQ desk: the price the asset channels' edge nodes quote at, how long a quote lives,
 * and the sell quotes peers accepted (tapd's PeerAcceptedSellQuotes), by id. Tests move the rate,
 * shorten the lifetime or make peers reject through the control API.
 */
import { toHex } from './codec.ts';
import type { FixedPoint } from './assets.ts';

/** Quotes are valid for ten minutes unless a test says otherwise. */
export const DEFAULT_QUOTE_SECONDS = 600;

export interface SellQuote {
  readonly id: string; // hex
  /** The node that asked (only it may pay with the quote). */
  readonly node: string;
  readonly peer: string;
  readonly channelId: bigint;
  readonly rate: FixedPoint;
  /** Unix seconds. */
  readonly expiresAt: number;
  readonly maxMsat: number;
}

export class RfqDesk {
  rate: FixedPoint;
  quoteSeconds = DEFAULT_QUOTE_SECONDS;
  /** Set: peers reject every sell order with this message. */
  rejectWith: string | undefined;
  private readonly sells = new Map<string, SellQuote>();

  constructor(rate: FixedPoint) {
    this.rate = rate;
  }

  addSell(q: Omit<SellQuote, 'id'> & { id: Uint8Array }): SellQuote {
    const quote = { ...q, id: toHex(q.id) };
    this.sells.set(quote.id, quote);
    return quote;
  }

  /** The node's own accepted quote, while it is valid (tapd forgets expired ones). */
  sell(node: string, id: string, nowSec: number): SellQuote | undefined {
    const q = this.sells.get(id);
    if (!q || q.node !== node) return undefined;
    if (nowSec >= q.expiresAt) {
      this.sells.delete(id);
      return undefined;
    }
    return q;
  }
}

/**
 * Cheapest route by fee, searched backwards from the destination as lnd does, so each hop's fee is
 * computed on the amount it forwards. What the payer can know is respected: exact balances of its
 * own channels only; for remote channels just capacity (a stale balance shows up as a failed
 * attempt, not here); a peer that is down makes the payer's own channel inactive.
 *
 * Fee of a forwarding node = base_fee_msat + ⌊amount_forwarded × fee_rate_ppm / 10^6⌋, charged on its
 * outgoing channel; the payer pays no fee on its own channel. Each forwarding node adds its
 * outgoing channel's CLTV delta to the HTLC expiry.
 */
import { otherSide, sideOf, spendableMsat, type Channel, type Network } from './network.ts';
import type { AssetDef } from './assets.ts';

export interface Leg {
  readonly channel: Channel;
  /** Sending side of the channel. */
  readonly from: 0 | 1;
  readonly amountMsat: number;
  readonly expiryHeight: number;
  /** Asset units carried instead of sats over an asset channel; 0 otherwise. */
  readonly units: number;
}

export interface Route {
  readonly legs: readonly Leg[];
  readonly totalAmtMsat: number;
  readonly totalFeesMsat: number;
  readonly totalTimeLock: number;
}

/** Pay with asset units over one of the payer's asset channels (tapd SendPayment). */
export interface AssetSpend {
  readonly asset: AssetDef;
  readonly peer?: string;
  readonly unitsFor: (msat: number) => number;
}

/** The last leg is fixed: the payee's asset channel peer converts sats into units (tapd invoices). */
export interface AssetLastLeg {
  readonly channel: Channel;
  readonly from: 0 | 1;
  readonly units: number;
}

export interface RouteQuery {
  readonly from: string;
  readonly to: string;
  readonly amountMsat: number;
  readonly finalCltvDelta: number;
  readonly feeLimitMsat: number;
  /** 0: no limit. */
  readonly cltvLimit: number;
  /** `${chanId}:${from}` directions that failed before. */
  readonly excluded: ReadonlySet<string>;
  readonly outgoingChanIds: readonly bigint[];
  readonly spend?: AssetSpend;
  readonly lastLeg?: AssetLastLeg;
}

export const directionKey = (c: Channel, from: 0 | 1): string => `${c.id}:${from}`;

interface Label {
  need: number; // amount the node must receive
  expiry: number; // expiry height of the HTLC it receives
  hops: number;
  next?: { channel: Channel; from: 0 | 1; to: string };
}

export function findRoute(net: Network, q: RouteQuery): Route | undefined {
  if (q.from === q.to) return undefined;
  const labels = new Map<string, Label>();
  const done = new Set<string>();
  const finalExpiry = net.height + q.finalCltvDelta;
  labels.set(q.to, { need: q.amountMsat, expiry: finalExpiry, hops: 0 });
  if (q.lastLeg) {
    // The payee is reachable only over the fixed leg from its asset channel peer.
    done.add(q.to);
    const { channel, from } = q.lastLeg;
    const edge = channel.sides[from].node;
    const policy = channel.sides[from].policy;
    const isPayer = edge === q.from;
    labels.set(edge, {
      need: isPayer ? q.amountMsat : q.amountMsat + fee(policy, q.amountMsat),
      expiry: isPayer ? finalExpiry : finalExpiry + policy.cltvDelta,
      hops: 1,
      next: { channel, from, to: q.to },
    });
  }

  for (;;) {
    const current = pickNext(labels, done);
    if (!current) return undefined;
    const [v, lv] = current;
    if (v === q.from) return build(net, q, legsFrom(q.from, labels));
    done.add(v);
    for (const c of net.channelsOf(v)) {
      const vSide = sideOf(c, v);
      const uSide = otherSide(vSide);
      const u = c.sides[uSide].node;
      if (done.has(u) || q.excluded.has(directionKey(c, uSide)) || !usable(net, q, c, uSide, lv.need)) continue;
      const policy = c.sides[uSide].policy;
      const isPayer = u === q.from;
      const need = isPayer ? lv.need : lv.need + fee(policy, lv.need);
      if (need - q.amountMsat > q.feeLimitMsat) continue;
      const expiry = isPayer ? lv.expiry : lv.expiry + policy.cltvDelta;
      const prev = labels.get(u);
      if (!prev || need < prev.need || (need === prev.need && lv.hops + 1 < prev.hops)) {
        labels.set(u, { need, expiry, hops: lv.hops + 1, next: { channel: c, from: uSide, to: v } });
      }
    }
  }
}

const fee = (p: { baseFeeMsat: number; feeRatePpm: number }, amountMsat: number): number =>
  p.baseFeeMsat + Math.floor((amountMsat * p.feeRatePpm) / 1_000_000);

function usable(net: Network, q: RouteQuery, c: Channel, from: 0 | 1, amountMsat: number): boolean {
  const payerLeg = c.sides[from].node === q.from;
  if (!payerLeg) return !c.asset && c.capacitySat * 1000 >= amountMsat;
  if (!net.isActive(c)) return false;
  if (q.outgoingChanIds.length > 0 && !q.outgoingChanIds.includes(c.id)) return false;
  if (!q.spend) return !c.asset && spendableMsat(c, from) >= amountMsat;
  const { asset, peer, unitsFor } = q.spend;
  if (c.asset?.def.assetId !== asset.assetId) return false;
  if (peer !== undefined && c.sides[otherSide(from)].node !== peer) return false;
  return c.sides[from].units >= unitsFor(amountMsat);
}

function pickNext(labels: Map<string, Label>, done: Set<string>): [string, Label] | undefined {
  let best: [string, Label] | undefined;
  for (const entry of labels) {
    if (done.has(entry[0])) continue;
    const [, l] = entry;
    if (!best || l.need < best[1].need || (l.need === best[1].need && l.hops < best[1].hops)) best = entry;
  }
  return best;
}

function legsFrom(start: string, labels: Map<string, Label>): Leg[] {
  const legs: Leg[] = [];
  let l = labels.get(start);
  while (l?.next) {
    const { channel, from, to } = l.next;
    const target = labels.get(to);
    if (!target) break; // cannot happen: every label's next points at a labelled node
    legs.push({ channel, from, amountMsat: target.need, expiryHeight: target.expiry, units: 0 });
    l = target;
  }
  return legs;
}

function build(net: Network, q: RouteQuery, legs: Leg[]): Route | undefined {
  const last = legs.length - 1;
  const withUnits = legs.map((leg, i) => {
    if (i === 0 && q.spend) return { ...leg, units: q.spend.unitsFor(leg.amountMsat) };
    if (i === last && q.lastLeg) return { ...leg, units: q.lastLeg.units };
    return leg;
  });
  const first = withUnits[0];
  if (!first) return undefined;
  // A payer that is itself the payee's asset peer pays with its own units.
  if (q.lastLeg && last === 0 && first.channel.sides[first.from].units < first.units) return undefined;
  const route = {
    legs: withUnits,
    totalAmtMsat: first.amountMsat,
    totalFeesMsat: first.amountMsat - q.amountMsat,
    totalTimeLock: first.expiryHeight,
  };
  if (q.cltvLimit > 0 && route.totalTimeLock - net.height > q.cltvLimit) return undefined;
  return route;
}

import { describe, expect, it } from 'vitest';
import { stablecoin } from './assets.ts';
import { Network } from './network.ts';
import { directionKey, findRoute, type RouteQuery } from './pathfinding.ts';

/**
 *        b (fee 1000 msat + 1000 ppm)
 *      /   \
 *    a       d
 *      \   /
 *        c (fee 0 msat + 5000 ppm)
 */
function diamond() {
  const net = new Network('t', 100);
  for (const n of ['a', 'b', 'c', 'd']) {
    net.addNode(n, n);
    net.fund(n, 10_000_000);
  }
  net.mine(1);
  const ab = net.openChannel('a', 'b', { capacitySat: 1_000_000, pushSat: 0 });
  const ac = net.openChannel('a', 'c', { capacitySat: 1_000_000, pushSat: 0 });
  const bd = net.openChannel('b', 'd', { capacitySat: 1_000_000, pushSat: 0, policy: { baseFeeMsat: 1000, feeRatePpm: 1000, cltvDelta: 40 } });
  const cd = net.openChannel('c', 'd', { capacitySat: 1_000_000, pushSat: 0, policy: { baseFeeMsat: 0, feeRatePpm: 5000, cltvDelta: 10 } });
  return { net, ab, ac, bd, cd };
}

const query = (q: Partial<RouteQuery>): RouteQuery => ({
  from: 'a',
  to: 'd',
  amountMsat: 100_000,
  finalCltvDelta: 18,
  feeLimitMsat: 1_000_000,
  cltvLimit: 0,
  excluded: new Set(),
  outgoingChanIds: [],
  ...q,
});

describe('findRoute', () => {
  it('takes the cheaper path for a small amount (base fee dominates)', () => {
    const { net, ac, cd } = diamond();
    // via b: 1000 + 100 = 1100 msat; via c: 0 + 500 = 500 msat
    const r = findRoute(net, query({ amountMsat: 100_000 }))!;
    expect(r.legs.map((l) => l.channel)).toEqual([ac, cd]);
    expect(r.totalFeesMsat).toBe(500);
    expect(r.legs.map((l) => l.amountMsat)).toEqual([100_500, 100_000]);
    expect(r.legs.map((l) => l.expiryHeight)).toEqual([101 + 18 + 10, 101 + 18]);
    expect(r.totalTimeLock).toBe(129);
  });

  it('takes the other path for a large amount (rate dominates)', () => {
    const { net, ab, bd } = diamond();
    // via b: 1000 + 500 = 1500 msat; via c: 2500 msat
    const r = findRoute(net, query({ amountMsat: 500_000 }))!;
    expect(r.legs.map((l) => l.channel)).toEqual([ab, bd]);
    expect(r.totalFeesMsat).toBe(1500);
  });

  it('avoids excluded directions', () => {
    const { net, cd, ab } = diamond();
    const r = findRoute(net, query({ excluded: new Set([directionKey(cd, 0)]) }))!;
    expect(r.legs[0]!.channel).toBe(ab);
  });

  it('finds nothing when every route costs more than the fee limit', () => {
    const { net } = diamond();
    expect(findRoute(net, query({ feeLimitMsat: 499 }))).toBeUndefined();
    expect(findRoute(net, query({ feeLimitMsat: 500 }))).toBeDefined();
  });

  it('respects the payer\'s own spendable balance (capacity minus the 1% reserve)', () => {
    const { net } = diamond();
    expect(findRoute(net, query({ amountMsat: 985_000_000 }))).toBeDefined();
    expect(findRoute(net, query({ amountMsat: 995_000_000 }))).toBeUndefined();
  });

  it('skips the payer\'s channels to peers that are down', () => {
    const { net, ab } = diamond();
    net.node('c').faults.down = true;
    expect(findRoute(net, query({}))!.legs[0]!.channel).toBe(ab);
    net.node('b').faults.down = true;
    expect(findRoute(net, query({}))).toBeUndefined();
  });

  it('respects a CLTV limit', () => {
    const { net } = diamond();
    expect(findRoute(net, query({ cltvLimit: 27 }))).toBeUndefined();
    expect(findRoute(net, query({ cltvLimit: 28 }))).toBeDefined();
  });

  it('has no route to self', () => {
    const { net } = diamond();
    expect(findRoute(net, query({ to: 'a' }))).toBeUndefined();
  });

  it('pays with asset units over an asset channel and ends over a fixed asset leg', () => {
    const { net } = diamond();
    const usd = stablecoin('t', 50);
    const first = net.openChannel('a', 'b', { capacitySat: 100_000, asset: { def: usd, localUnits: 1_000, remoteUnits: 0 } });
    const last = net.openChannel('b', 'd', { capacitySat: 100_000, asset: { def: usd, localUnits: 1_000, remoteUnits: 0 }, policy: { baseFeeMsat: 0, feeRatePpm: 0 } });
    const unitsFor = (msat: number) => Math.ceil(msat / 1000);
    const r = findRoute(net, query({ amountMsat: 200_000, spend: { asset: usd, unitsFor }, lastLeg: { channel: last, from: 0, units: 200 } }))!;
    expect(r.legs.map((l) => [l.channel, l.units])).toEqual([
      [first, 200],
      [last, 200],
    ]);
    expect(findRoute(net, query({ amountMsat: 2_000_000, spend: { asset: usd, unitsFor } }))).toBeUndefined();
  });
});

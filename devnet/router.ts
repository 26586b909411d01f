/**
 * The payer's side of a payment, after lnd's payment lifecycle: find a route, lock the HTLC on every
 * hop, let the payee decide, then settle or fail back hop by hop. A temporary failure on a hop
 * excludes that direction and tries again; when no route is left the payment fails NO_ROUTE.
 *
 * | what happens                                | payer sees                                  |
 * | ------------------------------------------- | ------------------------------------------- |
 * | payer's spendable balance below the amount  | FAILED, FAILURE_REASON_INSUFFICIENT_BALANCE |
 * | (offline peers' channels count as empty)    |                                             |
 * | no route (none at all, or none within fees) | FAILED, FAILURE_REASON_NO_ROUTE             |
 * | a hop lacks liquidity / next peer is down   | failed attempt, then retry or NO_ROUTE      |
 * | a hop slower than the payment's timeout     | FAILED, FAILURE_REASON_TIMEOUT (the stuck   |
 * |                                             | HTLC is failed back at the timeout)         |
 * | payee: unknown hash, wrong amount, paid,    | FAILED,                                     |
 * | canceled hold invoice                       | FAILURE_REASON_INCORRECT_PAYMENT_DETAILS    |
 * | payee fails HTLCs with an unexpected error  | FAILED, FAILURE_REASON_ERROR                |
 * | hold invoice accepted                       | IN_FLIGHT until settled or canceled         |
 */
import { directionKey, findRoute, type AssetLastLeg, type AssetSpend, type Leg, type Route } from './pathfinding.ts';
import { otherSide, spendableMsat, type Network } from './network.ts';
import type { SimNode } from './node.ts';
import type { FailureReason, HtlcAttempt, PaymentRecord } from './payments.ts';

export interface PaymentIntent {
  readonly hash: Uint8Array;
  readonly amountMsat: number;
  /** Undefined when the payee is not a node of the devnet: no route then. */
  readonly dest: SimNode | undefined;
  readonly paymentAddr?: Uint8Array;
  readonly finalCltvDelta: number;
  readonly feeLimitMsat: number;
  readonly cltvLimit: number;
  readonly timeoutMs: number;
  readonly paymentRequest: string;
  readonly destCustomRecords: Readonly<Record<string, Uint8Array>>;
  readonly firstHopCustomRecords: Readonly<Record<string, Uint8Array>>;
  readonly outgoingChanIds: readonly bigint[];
  readonly spend?: AssetSpend & { readonly rfqId: Uint8Array };
  readonly lastLeg?: AssetLastLeg;
}

export interface RouterConfig {
  /** Time the preimage takes to come back to the payer once the payee settled. */
  readonly paymentDelayMs: number;
}

const MAX_ATTEMPTS = 10;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Records the payment and runs it in the background; follow it through `payer.payments`. */
export function startPayment(net: Network, payer: SimNode, intent: PaymentIntent, cfg: RouterConfig): PaymentRecord {
  const rec = payer.payments.begin({
    hash: intent.hash,
    valueMsat: intent.amountMsat,
    paymentRequest: intent.paymentRequest,
    firstHopCustomRecords: intent.firstHopCustomRecords,
  });
  // Run on the next turn, so the caller can subscribe before the first update.
  setImmediate(() => {
    run(net, payer, rec, intent, cfg).catch((e: unknown) => {
      // A bug in the simulation must not leave the payment hanging forever.
      console.error('devnet: payment crashed', e);
      payer.payments.fail(rec, 'FAILURE_REASON_ERROR');
    });
  });
  return rec;
}

/** What the payer's own channels can send: lnd checks this before looking for a route. */
function localSendable(net: Network, payer: string, spend?: AssetSpend): number {
  let total = 0;
  for (const c of net.channelsOf(payer)) {
    if (!net.isActive(c)) continue;
    const i = c.sides[0].node === payer ? 0 : 1;
    if (spend) {
      if (c.asset?.def.assetId === spend.asset.assetId) total += c.sides[i].units;
    } else if (!c.asset) {
      total += spendableMsat(c, i);
    }
  }
  return total;
}

async function run(net: Network, payer: SimNode, rec: PaymentRecord, intent: PaymentIntent, cfg: RouterConfig): Promise<void> {
  const deadline = Date.now() + intent.timeoutMs;
  const needed = intent.spend ? intent.spend.unitsFor(intent.amountMsat) : intent.amountMsat;
  if (localSendable(net, payer.name, intent.spend) < needed) {
    return payer.payments.fail(rec, 'FAILURE_REASON_INSUFFICIENT_BALANCE');
  }
  const excluded = new Set<string>();
  for (let n = 0; n < MAX_ATTEMPTS && intent.dest; n++) {
    if (Date.now() >= deadline) return payer.payments.fail(rec, 'FAILURE_REASON_TIMEOUT');
    const route = findRoute(net, {
      from: payer.name,
      to: intent.dest.name,
      amountMsat: intent.amountMsat,
      finalCltvDelta: intent.finalCltvDelta,
      feeLimitMsat: intent.feeLimitMsat,
      cltvLimit: intent.cltvLimit,
      excluded,
      outgoingChanIds: intent.outgoingChanIds,
      spend: intent.spend,
      lastLeg: intent.lastLeg,
    });
    if (!route) break;
    const attempt = payer.payments.addAttempt(rec, {
      route,
      paymentAddr: intent.paymentAddr,
      destCustomRecords: intent.destCustomRecords,
      rfqId: intent.spend?.rfqId,
    });
    const outcome = await attemptRoute(net, route, intent, intent.dest, deadline, cfg);
    if (outcome.kind === 'settled') return payer.payments.succeed(rec, attempt, outcome.preimage);
    payer.payments.failAttempt(rec, attempt, { ...outcome.failure, height: net.height });
    if (outcome.kind === 'final') return payer.payments.fail(rec, outcome.reason);
    excluded.add(outcome.exclude);
  }
  payer.payments.fail(rec, Date.now() >= deadline ? 'FAILURE_REASON_TIMEOUT' : 'FAILURE_REASON_NO_ROUTE');
}

type AttemptOutcome =
  | { kind: 'settled'; preimage: Uint8Array }
  | { kind: 'retry'; failure: Failure; exclude: string }
  | { kind: 'final'; failure: Failure; reason: FailureReason };
type Failure = Omit<NonNullable<HtlcAttempt['failure']>, 'height'>;

async function attemptRoute(
  net: Network,
  route: Route,
  intent: PaymentIntent,
  payee: SimNode,
  deadline: number,
  cfg: RouterConfig,
): Promise<AttemptOutcome> {
  const locked: Array<{ leg: Leg; index: number }> = [];
  const failBack = () => {
    for (const l of [...locked].reverse()) release(l.leg, l.index, 'fail');
  };
  for (const [i, leg] of route.legs.entries()) {
    const failure = { sourceIndex: i, htlcMsat: leg.amountMsat };
    const to = net.node(leg.channel.sides[otherSide(leg.from)].node);
    if (to.faults.down || net.node(leg.channel.sides[leg.from].node).faults.down) {
      failBack();
      return { kind: 'retry', failure: { ...failure, code: 'UNKNOWN_NEXT_PEER' }, exclude: directionKey(leg.channel, leg.from) };
    }
    const index = lock(leg, intent.hash);
    if (index === undefined) {
      failBack();
      return { kind: 'retry', failure: { ...failure, code: 'TEMPORARY_CHANNEL_FAILURE' }, exclude: directionKey(leg.channel, leg.from) };
    }
    locked.push({ leg, index });
  }

  const lastLeg = route.legs[route.legs.length - 1]!;
  const finalIndex = route.legs.length;
  // Every node on the way, payee included, holds the HTLC for its `slowMs`.
  const forwardMs = route.legs.reduce((ms, l) => ms + net.node(l.channel.sides[otherSide(l.from)].node).faults.slowMs, 0);
  if (forwardMs > 0) {
    const left = deadline - Date.now();
    if (forwardMs > left) {
      await sleep(Math.max(0, left));
      failBack();
      return {
        kind: 'final',
        failure: { code: 'TEMPORARY_CHANNEL_FAILURE', sourceIndex: 1, htlcMsat: route.legs[0]!.amountMsat },
        reason: 'FAILURE_REASON_TIMEOUT',
      };
    }
    await sleep(forwardMs);
  }

  const finalFailure = (code: string) => ({ code, sourceIndex: finalIndex, htlcMsat: lastLeg.amountMsat });
  if (payee.faults.failHtlcs) {
    failBack();
    return { kind: 'final', failure: finalFailure('TEMPORARY_NODE_FAILURE'), reason: 'FAILURE_REASON_ERROR' };
  }
  const res = payee.invoices.receive(
    {
      hash: intent.hash,
      amtMsat: lastLeg.amountMsat,
      paymentAddr: intent.paymentAddr,
      customRecords: intent.destCustomRecords,
      chanId: lastLeg.channel.id,
      htlcIndex: locked[locked.length - 1]!.index,
      expiryHeight: lastLeg.expiryHeight,
    },
    { sec: net.nowSec(), height: net.height },
  );
  const incorrect = { kind: 'final', failure: finalFailure('INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS'), reason: 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS' } as const;
  if (res.kind === 'fail') {
    failBack();
    return incorrect;
  }
  if (res.kind === 'hold' && (await res.outcome) === 'canceled') {
    failBack();
    return incorrect;
  }
  const preimage = res.kind === 'settle' ? res.preimage : res.invoice.preimage!;
  if (cfg.paymentDelayMs > 0) await sleep(cfg.paymentDelayMs);
  for (const l of [...locked].reverse()) release(l.leg, l.index, 'settle');
  return { kind: 'settled', preimage };
}

/** Locks the leg's amount on the sending side; undefined when it lacks the liquidity. */
function lock(leg: Leg, hash: Uint8Array): number | undefined {
  const c = leg.channel;
  const s = c.sides[leg.from];
  if (leg.units > 0 ? s.units < leg.units : spendableMsat(c, leg.from) < leg.amountMsat) return undefined;
  if (leg.units > 0) s.units -= leg.units;
  else s.balanceMsat -= leg.amountMsat;
  const index = c.nextHtlcIndex++;
  c.htlcs.push({ index, from: leg.from, amountMsat: leg.amountMsat, units: leg.units, hash, expiryHeight: leg.expiryHeight });
  c.numUpdates++;
  return index;
}

function release(leg: Leg, index: number, how: 'settle' | 'fail'): void {
  const c = leg.channel;
  const at = c.htlcs.findIndex((h) => h.index === index);
  if (at >= 0) c.htlcs.splice(at, 1);
  const sender = c.sides[leg.from];
  const receiver = c.sides[otherSide(leg.from)];
  const credited = how === 'settle' ? receiver : sender;
  if (leg.units > 0) credited.units += leg.units;
  else credited.balanceMsat += leg.amountMsat;
  if (how === 'settle') {
    sender.sentMsat += leg.amountMsat;
    receiver.receivedMsat += leg.amountMsat;
  }
  c.numUpdates++;
}

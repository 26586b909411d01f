import { rateIncreasePpm } from '../base/asset-rate.ts';
import { msatToSat } from '../base/sats.ts';
import { moduleErrors, SatnavError } from '../errors.ts';
import type { Ledger, LedgerEntry, TrackResult } from '../ledger/index.ts';
import type { InvoiceStatus, LightningNode, PaymentResult } from '../node/types.ts';
import type { Evaluation, PolicyEngine, SpendRequest } from '../policy/index.ts';
import type { Approver } from '../webln/approval.ts';
import type { AssetNode } from '../node/types.ts';
import type { PaymentIntent } from './intent.ts';
import { ledgerAsset, payInTerms, Rails, valuationOf, type HowToPay, type PayInTerms, type RailPlan } from './rail.ts';

const error = moduleErrors('payments');

export interface PipelineDeps {
  policy: PolicyEngine;
  ledger: Ledger;
  ask: Approver;
  /** The connected node, for reconcile; throws VAULT_LOCKED / NODE_NOT_CONNECTED. */
  node(): Promise<LightningNode>;
  isUnlocked(): Promise<boolean>;
  /** tapd, when the person connected one: the dollar rail and dollar valuations. */
  assetNode?(): Promise<AssetNode | undefined>;
  /** Whether a BTC payment must be valued in dollars (a dollar budget applies); default: whenever tapd is there. */
  needsValuation?(origin: string): Promise<boolean>;
  now?: () => number;
  /**
   * Makes the storage writes `fn` makes one write, durable when it resolves,
   * or with `until: 'applied'` once every reader in this worker sees them (the
   * worker's CachedStore.batch); without it each write lands on its own.
   */
  batch?<T>(fn: () => Promise<T>, until?: 'durable' | 'applied'): Promise<T>;
}

export interface StartOptions {
  /**
   * The payer's own record of this payment (a 402 purchase in flight), written in the same
   * storage write as the hold and the ledger entry: durable with them, before the node is asked,
   * and only once the payment got that far. Written too (and the payer's to undo) when the
   * reservation then throws.
   */
  withHold?: () => Promise<void>;
}

/** A payment handed to the node: its ledger entry, and the node's word when it comes. */
export interface StartedPayment {
  entry: LedgerEntry;
  outcome: Promise<PaymentResult>;
}

/**
 * The one payment pipeline, one per worker:
 *
 *   policy decision → (prompt) → reserve → ledger entry → send → commit | release
 *
 * and `reconcile` for what a dead worker left unresolved. Every payer goes
 * through `start`/`pay` with its own `send`; a held deposit is a payment whose
 * `send` answers IN_FLIGHT, and keeps its budget hold until it resolves.
 */
export class PaymentPipeline {
  private readonly now: () => number;
  /** Ledger ids this worker is sending right now: reconcile must not judge them by the node's silence. */
  private readonly sending = new Set<string>();
  private readonly rails: Rails;

  constructor(private readonly d: PipelineDeps) {
    this.now = d.now ?? Date.now;
    this.rails = new Rails({
      policy: d.policy,
      node: d.node,
      now: this.now,
      ...(d.assetNode && { assetNode: d.assetNode }),
      ...(d.needsValuation && { needsValuation: d.needsValuation }),
    });
  }

  /** Runs the payment to the node's final word (or IN_FLIGHT). */
  async pay(intent: PaymentIntent, how: HowToPay, opts: StartOptions = {}): Promise<PaymentResult> {
    return (await this.start(intent, how, opts)).outcome;
  }

  /**
   * Resolves once the payment is recorded and handed to the node. The
   * outcome is recorded whether or not anyone awaits it. An invoice (`InvoicePayment`) is paid
   * on the rail the person chose (rail.ts); a payer's own `Send` (keysend) in BTC.
   */
  async start(intent: PaymentIntent, how: HowToPay, opts: StartOptions = {}): Promise<StartedPayment> {
    const req: SpendRequest = {
      origin: intent.origin,
      amountSat: intent.amountSat,
      source: intent.source,
      chosenBy: intent.consent === 'chosen' || intent.consent === 'confirm' ? 'person' : 'site',
      ...(intent.grant && { grant: intent.grant }),
      ...(intent.embeddedIn !== undefined && { embeddedIn: intent.embeddedIn }),
    };
    let ev = await this.d.policy.evaluate(req);
    let plan = await this.rails.plan(intent, how, await this.rails.choiceFor(intent), ev.maxFeeSat);
    if (plan.quote) ev = await this.d.policy.evaluate(valued(req, plan));
    // A payment to confirm is asked about whatever the budget says, unless the policy refuses it
    // outright. So is a dollar payment the person chose having seen only sats (the send screen,
    // LNURL-pay: the channel peer sets the rate, the person must see it before it is paid), and a
    // keysend from someone paying in dollars (it can only go out in BTC).
    const mustSee = ev.decision !== 'deny' && ((intent.consent === 'chosen' && plan.rail === 'asset') || plan.locked === 'keysend');
    const asks = mustSee || (intent.consent === 'confirm' ? ev.decision !== 'deny' : ev.decision === 'prompt');
    if (asks && (intent.consent !== 'chosen' || mustSee)) plan = await this.askPerson(intent, ev, plan, how);
    const approvedByUser = intent.consent === 'chosen' || asks;
    plan = await this.freshQuote(intent, ev, plan, how);
    valued(req, plan);
    // A 'deny' lands here too: reserve re-checks atomically and throws the refusal.
    // The hold and the ledger entry land in one storage write, durable before the node is asked.
    const { reservation, entry } = await this.batch(async () => {
      await opts.withHold?.();
      const reservation = await this.d.policy.reserve({ ...req, approvedByUser });
      try {
        const entry = await this.d.ledger.begin({
          origin: intent.origin,
          kind: intent.kind,
          source: intent.source,
          rail: plan.rail,
          amountSat: intent.amountSat,
          maxFeeSat: reservation.maxFeeSat,
          ...(plan.rail === 'asset' && plan.quote && { asset: ledgerAsset(plan.quote) }),
          paymentHash: intent.paymentHash,
          reservationId: reservation.id,
          ...(intent.paymentRequest && { paymentRequest: intent.paymentRequest }),
          ...(intent.description !== undefined && { description: intent.description }),
        });
        return { reservation, entry };
      } catch (e) {
        await this.d.policy.release(reservation.id);
        throw e;
      }
    });
    this.sending.add(entry.id);
    const send = this.rails.sender(plan, how);
    const outcome = send(reservation.maxFeeSat)
      .then(
        async (result) => {
          await this.recordOutcome(entry, fromPayment(result));
          return result;
        },
        async (e: unknown) => {
          // The connector refused the input before anything went on the wire: nothing was sent.
          if (e instanceof SatnavError && e.code === 'NODE_BAD_INPUT') await this.recordOutcome(entry, { status: 'FAILED', failureReason: 'not_sent' });
          // A payment stream silent past its deadline: the node was asked for its final update only
          // (node/wire.ts finalUpdateOnly), so its HTLCs may well be out (a held invoice). Told as in flight,
          // as its own update would have said: nobody pays again; the hold stays and reconcile asks the node.
          if (e instanceof SatnavError && e.code === 'NODE_TIMEOUT') {
            const inFlight: PaymentResult = { status: 'IN_FLIGHT', paymentHash: entry.paymentHash, amountMsat: BigInt(entry.amountSat) * 1000n, feeMsat: 0n, createdAt: Math.floor(this.now() / 1000) };
            await this.recordOutcome(entry, fromPayment(inFlight));
            return inFlight;
          }
          // Otherwise the outcome is unknown (node unreachable mid-call): the entry stays
          // pending with its hold, and reconcile asks the node later.
          throw e;
        },
      )
      .finally(() => this.sending.delete(entry.id));
    // Whoever started it may not wait (sendPaymentAsync): the outcome is recorded all the same.
    outcome.catch(() => undefined);
    return { entry, outcome };
  }

  /**
   * After a worker restart (or periodically): asks the node about every
   * payment the ledger still has unresolved and records its word.
   */
  async reconcile(): Promise<{ resolved: number; stillPending: number }> {
    const pending = await this.d.ledger.pending();
    if (pending.length === 0 || !(await this.d.isUnlocked())) return { resolved: 0, stillPending: pending.length };
    const node = await this.d.node();
    const r = await this.d.ledger.reconcile(
      async (hash, entry) => {
        // Its send call may not have reached the node yet; "not found" would wrongly release its hold.
        if (this.sending.has(entry.id)) return { status: 'IN_FLIGHT' };
        // Money coming in (rewards, refunds, invoices): the node's invoice tells the outcome.
        if (entry.direction === 'in') return incomingOutcome(await node.lookupInvoice(hash), this.now());
        try {
          return fromPayment(await node.trackPayment(hash, { waitFinal: false }));
        } catch (e) {
          if (e instanceof SatnavError && e.code === 'NODE_PAYMENT_NOT_FOUND') return { status: 'FAILED', failureReason: 'not_sent' };
          throw e;
        }
      },
      (entry, result) => this.settleBudget(entry, result),
    );
    return { resolved: r.resolved.length, stillPending: r.stillPending.length };
  }

  /**
   * The node's final word on one payment, heard elsewhere (its payment
   * stream): recorded as the live path and reconcile would. Unknown or already
   * resolved payments are left alone; an in-flight report changes nothing.
   */
  async resolve(result: PaymentResult): Promise<void> {
    if (result.status === 'IN_FLIGHT') return;
    const entry = await this.d.ledger.byHash(result.paymentHash);
    if (!entry || (entry.status !== 'pending' && entry.status !== 'in_flight') || entry.direction !== 'out') return;
    await this.recordOutcome(entry, fromPayment(result));
  }

  /** The live path's twin of reconcile: the same order (budget, then ledger), the same amounts. */
  private async recordOutcome(entry: LedgerEntry, result: TrackResult): Promise<void> {
    // Ledger outcome and budget commit/release: one storage write, not waited for: a worker that dies
    // before it lands leaves the entry pending with its hold (never less than was spent), and reconcile
    // asks the node.
    await this.batch(() => this.d.ledger.record(entry, result, (e, r) => this.settleBudget(e, r)), 'applied');
  }

  private batch<T>(fn: () => Promise<T>, until?: 'durable' | 'applied'): Promise<T> {
    return this.d.batch ? this.d.batch(fn, until) : fn();
  }

  /** Commit what left the node (its amount when it said, else the entry's), or release the hold. */
  private async settleBudget(entry: LedgerEntry, result: TrackResult): Promise<void> {
    if (!entry.reservationId) return;
    if (result.status === 'SUCCEEDED')
      await this.d.policy.commit(entry.reservationId, { amountSat: result.amountSat || entry.amountSat, feeSat: result.feeSat ?? 0 }, { forfeit: entry.kind === 'deposit' });
    else if (result.status === 'FAILED') await this.d.policy.release(entry.reservationId);
  }

  /**
   * Right before sending, a dollar quote that expired is fetched anew; one that moved against the
   * person beyond the allowed slippage is never paid silently: they are asked again, or (a payer
   * that must not ask) it is refused.
   */
  private async freshQuote(intent: PaymentIntent, ev: Evaluation, plan: RailPlan, how: HowToPay): Promise<RailPlan> {
    const { plan: next, movedPpm } = await this.rails.refresh(plan, intent.amountSat, ev.maxFeeSat);
    if (movedPpm <= (await this.d.policy.getConfig()).global.maxSlippagePpm) return next;
    if (intent.consent === 'never-ask') throw error('ASSET_QUOTE_MOVED', 'the rate moved against the person by (ppm)', movedPpm);
    return this.askPerson(intent, ev, next, how, movedPpm);
  }

  /** The plan the person approved (their pay-in switch applied); a "no" (or a payer that must not ask) throws. */
  private async askPerson(intent: PaymentIntent, ev: Evaluation, plan: RailPlan, how: HowToPay, movedPpm = 0): Promise<RailPlan> {
    if (intent.consent === 'never-ask')
      throw error('APPROVAL_REQUIRED', `${ev.reason}: the person chose not to be asked for`, intent.origin, { reason: ev.reason });
    const site = await this.d.policy.getSite(intent.origin);
    const answer = await this.d.ask({
      kind: 'payment',
      origin: intent.origin,
      label: intent.label,
      amountSat: intent.amountSat,
      maxFeeSat: ev.maxFeeSat,
      paymentHash: intent.paymentHash,
      destination: intent.destination(),
      reason: ev.reason,
      approvable: ev.approvable,
      budget: {
        allowance: site?.allowance ?? { sat: 0 },
        period: site?.period ?? 'day',
        remainingSite: ev.remainingSite,
        remainingDaily: ev.remainingDaily,
      },
      ...(intent.embeddedIn !== undefined && { embeddedIn: intent.embeddedIn }),
      ...(intent.paymentRequest && { paymentRequest: intent.paymentRequest }),
      ...(intent.description !== undefined && { description: intent.description }),
      ...(intent.expiresAt !== undefined && { expiresAt: intent.expiresAt }),
      ...(intent.deposit && { deposit: intent.deposit }),
      ...withPayIn(payInTerms(plan, movedPpm)),
    }, intent.tabId !== undefined ? { tabId: intent.tabId } : {});
    if (!answer.approved) throw error('REJECTED', 'the person declined', 'payment');
    if (!answer.payIn || answer.payIn === plan.chosen) return plan;
    // Switched in the prompt: this payment's choice, quoted (or refused with the reason) anew; a
    // quote worse than the dollar terms the prompt showed beyond the slippage limit is shown again.
    const next = await this.rails.plan({ ...intent, payIn: answer.payIn }, how, answer.payIn, ev.maxFeeSat);
    if (next.rail !== 'asset' || !plan.quote || !next.quote) return next;
    const moved = Number(rateIncreasePpm(plan.quote.quote.rate, next.quote.quote.rate));
    if (moved <= (await this.d.policy.getConfig()).global.maxSlippagePpm) return next;
    return this.askPerson({ ...intent, payIn: answer.payIn }, ev, next, how, moved);
  }
}

const withPayIn = (payIn: PayInTerms | undefined) => (payIn ? { payIn } : {});

/** The request valued at the plan's quote (the policy enforces dollar budgets with it). */
function valued(req: SpendRequest, plan: RailPlan): SpendRequest {
  if (plan.quote) req.valuation = valuationOf(plan.quote, plan.rail === 'asset');
  else delete req.valuation;
  return req;
}

/** The node's payment report in the ledger's terms (msat rounded up, see base/sats). */
function fromPayment(p: PaymentResult): TrackResult {
  return {
    status: p.status,
    ...(p.preimage && { preimage: p.preimage }),
    amountSat: msatToSat(p.amountMsat),
    feeSat: msatToSat(p.feeMsat),
    ...(p.failureReason && { failureReason: p.failureReason }),
  };
}

/** An incoming entry's outcome from its invoice (reconcile, and the receive screen's wait). */
export function incomingOutcome(inv: InvoiceStatus, nowMs: number): TrackResult {
  if (inv.state === 'SETTLED') return { status: 'SUCCEEDED' };
  if (inv.state === 'CANCELED') return { status: 'FAILED', failureReason: 'canceled' };
  if (inv.state === 'OPEN' && inv.expiresAt * 1000 <= nowMs) return { status: 'FAILED', failureReason: 'expired' };
  return { status: 'IN_FLIGHT' };
}

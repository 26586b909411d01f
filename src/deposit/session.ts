import { parseWebUrl } from '../base/web-url.ts';
import { embedding, type Origin, type PageContext } from '../base/origin.ts';
import { MAX_SATS } from '../base/sats.ts';
import { isSatnavError, moduleErrors, SatnavError } from '../errors.ts';
import { admitSession, type AdmittedSession } from '../l402/admit.ts';
import { parseChallenges, type PaymentSessionChallenge } from '../l402/challenge.ts';
import { decodeSessionRequest, paymentExpiresAt, type PaymentParams } from '../l402/payment.ts';
import {
  checkReturnInvoice,
  readSessionReceipt,
  sessionBearerAuthorization,
  sessionCloseAuthorization,
  sessionOpenAuthorization,
  sessionTopUpAuthorization,
  type RefundStatus,
} from '../l402/session.ts';
import type { LedgerEntry } from '../ledger/index.ts';
import { invoiceNetworkOf } from '../node/network-check.ts';
import type { LightningNode, PaymentResult } from '../node/types.ts';
import type { PayerDeps } from '../payments/index.ts';
import { LIVE_STATES, type SessionRecord, type SessionStore } from './session-store.ts';

/**
 * The wallet's side of Payment `intent="session"` (src/l402/session.ts): a **custodial** deposit.
 * The site's deposit invoice settles, so the site holds the money; requests spend it; `close` asks
 * the site to pay what is left to an amountless invoice on the wallet's own node.
 *
 *   402 with a session offer → admitted (admitSession: hash, network, expiry, amounts)
 *     → return invoice made on the node → session recorded ("paying")
 *     → deposit paid through the payment pipeline (kind deposit, source deposit: the deposit
 *       limits and prompt; settled = succeeded, the whole deposit counted as the site's spending)
 *     → "paid" → `open` sent to the site (preimage + return invoice) → "open"
 *     → the `bearer` header goes on the site's requests (the glue's job)
 *   a later 402 at that site:
 *     sent before the header was made → the same header (no payment)
 *     the header's echoed offer expired → re-bound to the fresh offer (no payment)
 *     otherwise (the balance ran out) → a top-up: the fresh offer's deposit paid, `topUp` sent;
 *       a site that no longer knows the session gets that payment as a new `open` instead
 *   close(origin) → "closing" → `close` sent (once more with a fresh offer if refused)
 *     → receipt read (refundSats, refundStatus) → "closed" → the refund recorded in the ledger as an
 *       incoming payment (kind refund) on the return invoice, settled when the node says it arrived.
 *
 * One session per server; calls for one server run one at a time (concurrent walls share the first
 * one's session). Every record is written before the money moves (session-store.ts). The site's word
 * on the refund is a claim: only the return invoice settling on the node counts as money back
 * (`receivedSat`). The glue calls `recover()` in a new worker life and on its tick (it also runs
 * `settleRefunds()`, which watches refunds that arrive after `close` stopped waiting).
 */
const error = moduleErrors('session');

/**
 * A server that refuses a session paid for this recently is not paid again; and a 402 that does not
 * say when its request left, met this soon after the header was made, gets that header (no payment).
 */
export const REFUSAL_GRACE_MS = 5_000;
/** An echoed offer this close to its `expires` is re-bound rather than trusted. */
const EXPIRY_MARGIN_S = 5;
const RETURN_INVOICE_EXPIRY_S = 7 * 86_400;
const REFUND_WAIT_MS = 10_000;
const REFUND_POLL_MS = 200;
const REQUEST_TIMEOUT_MS = 20_000;
/** A "paying" record with no ledger entry this old never reached the node. */
const UNSENT_AFTER_MS = 60_000;

export interface SessionWall {
  /** The URL that answered 402. */
  url: string;
  /** Its `WWW-Authenticate` lines (or the one joined value). */
  wwwAuthenticate: readonly string[];
  /** Who met it, from the browser: whose budget pays, in which tab, inside which page. */
  ctx: PageContext;
  /** When the refused request left (ms): one sent before the current header was made is no refusal of it. */
  sentAt?: number;
}

export interface OpenedSession {
  /** The `Authorization` value for the site's requests. */
  header: string;
  /** The server it is for (never send it anywhere else). */
  origin: Origin;
  sessionId: string;
  /** True when this call paid (a deposit or a top-up). */
  paid: boolean;
}

export interface ClosedSession {
  sessionId: string;
  /** What the site says it refunded (0 when nothing, or when it did not say). */
  refundSat: number;
  /** The site's word; `failed` may still arrive later (Aperture writes it before paying). Undefined: it did not say. */
  status: RefundStatus | undefined;
  /** What has arrived on the return invoice so far (the node's word). */
  receivedSat: number;
}

export type Session = SessionRecord;

export interface SessionPayerDeps extends PayerDeps {
  sessions: SessionStore;
  /** The worker's own fetch to the site: no cookies, no redirects followed. */
  fetch: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (...args: unknown[]) => void;
  paymentTimeoutSeconds?: number;
  /** Expiry of the return invoice (default 7 days): the refund must come before it. */
  returnInvoiceExpirySeconds?: number;
  /** How long `close` waits for the refund to arrive (default 10 s); later arrivals: `settleRefunds`. */
  refundWaitMs?: number;
  refusalGraceMs?: number;
}

export class SessionPayer {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly running = new Map<Origin, Promise<unknown>>();

  constructor(private readonly d: SessionPayerDeps) {
    this.now = d.now ?? Date.now;
    this.sleep = d.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The header that opens `wall`'s server: the session held already, re-bound, topped up, or opened now. */
  open(wall: SessionWall): Promise<OpenedSession> {
    const site = parseWebUrl(wall.url).origin;
    return this.serial(site, () => this.openOnce(site, wall));
  }

  /** Closes the session at `origin`: the site refunds what is left to the return invoice. */
  close(site: Origin): Promise<ClosedSession> {
    return this.serial(site, () => this.closeOnce(site));
  }

  /** Sessions under way (paying, paid, open, closing), newest first. */
  active(): Promise<Session[]> {
    return this.d.sessions.live();
  }

  /** Every session kept, ended ones too, newest first. */
  list(): Promise<Session[]> {
    return this.d.sessions.list();
  }

  /**
   * A new worker life (and the periodic tick): payments a dead life left are read from the ledger
   * and the node (never paid twice), paid sessions the site was not told of are opened, closes
   * under way are asked again; then the refunds are watched (`settleRefunds`).
   */
  async recover(): Promise<{ resumed: number; waiting: number; failed: number }> {
    const out = { resumed: 0, waiting: 0, failed: 0 };
    await this.d.payments.reconcile().catch((e: unknown) => this.d.log?.('satnav session: reconcile', e));
    for (const s of await this.d.sessions.live()) {
      if (this.running.has(s.origin) || (s.state === 'open' && !s.topUp)) continue;
      try {
        const r = await this.serial(s.origin, () => this.resume(s));
        out[r]++;
      } catch (e) {
        this.d.log?.('satnav session: resume', isSatnavError(e) ? e.message : e);
        out.waiting++;
      }
    }
    await this.settleRefunds();
    return out;
  }

  /**
   * Closed sessions whose refund is not settled yet: the return invoice is asked; arrived → the
   * ledger's refund entry succeeds (begun with the amount that arrived if the site never said how
   * much); expired or canceled unpaid → the refund is given up and its entry fails. Returns how many
   * were settled now.
   */
  async settleRefunds(): Promise<number> {
    let settled = 0;
    const waiting = (await this.d.sessions.list()).filter((s) => s.state === 'closed' && s.refundSettledAt === undefined);
    if (waiting.length === 0) return 0;
    const node = await this.d.node();
    for (const s of waiting) {
      try {
        if (await this.checkRefund(s, node)) settled++;
      } catch (e) {
        this.d.log?.('satnav session: refund', isSatnavError(e) ? e.message : e);
      }
    }
    return settled;
  }

  // ---- open ------------------------------------------------------------------------------------

  private async openOnce(site: Origin, wall: SessionWall): Promise<OpenedSession> {
    const held = await this.d.sessions.liveAt(site);
    if (held?.state === 'open') return this.renew(held, wall);
    if (held?.state === 'closing') await this.finishClose(held).catch((e: unknown) => this.d.log?.('satnav session: close before reopening', e));
    if (held?.state === 'paying' || held?.state === 'paid') {
      const r = await this.resume(held);
      const now = await this.d.sessions.get(held.id);
      if (r === 'resumed' && now?.state === 'open' && now.header) return { header: now.header, origin: site, sessionId: now.id, paid: false };
      if (now && LIVE_STATES.has(now.state)) throw error('PAYMENT_PENDING', 'the deposit of an earlier session with this site is not settled yet', now.id);
    }
    const admitted = await this.admit(wall);
    const node = await this.d.node();
    const ret = await this.returnInvoice(node, site);
    const t = this.now();
    const record = await this.d.sessions.put({
      id: admitted.paymentHash,
      origin: site,
      url: wall.url,
      paidBy: wall.ctx.origin,
      realm: admitted.challenge.params.realm,
      state: 'paying',
      depositSat: admitted.depositSat,
      unitSat: admitted.unitSat,
      ...(admitted.idleTimeoutSeconds !== undefined && { idleTimeoutSeconds: admitted.idleTimeoutSeconds }),
      paymentRequest: admitted.invoice,
      returnInvoice: ret.paymentRequest,
      returnHash: ret.paymentHash,
      challenge: admitted.challenge.params,
      ...expiresOf(admitted.challenge.params),
      createdAt: t,
      updatedAt: t,
    });
    const result = await this.payDeposit(record, admitted, wall.ctx, 'deposit').catch(async (e: unknown) => {
      // Refused before the ledger (limits, a "no", locked): nothing moved, nothing to keep.
      if (!(await this.d.ledger.byHash(record.id))) await this.d.sessions.remove(record.id);
      throw e;
    });
    if (result.status === 'FAILED') {
      await this.d.sessions.update(record.id, { state: 'failed', closedAt: this.now(), note: clip(result.failureReason ?? 'failed') });
      throw error('PAYMENT_FAILED', 'the deposit could not be paid', result.failureReason ?? 'unknown');
    }
    if (result.status !== 'SUCCEEDED' || !result.preimage) throw error('PAYMENT_PENDING', 'the deposit is still in flight', record.id);
    const paid = await this.d.sessions.update(record.id, { state: 'paid', preimage: result.preimage, paidAt: this.now() });
    const opened = await this.sendOpen(paid ?? record);
    return { header: opened.header!, origin: site, sessionId: opened.id, paid: true };
  }

  /** A 402 at a server whose session is open: the same header, a re-bound one, or a top-up. */
  private async renew(s: SessionRecord, wall: SessionWall): Promise<OpenedSession> {
    const same = (r: SessionRecord, paid = false): OpenedSession => ({ header: r.header!, origin: r.origin, sessionId: r.id, paid });
    const grace = this.d.refusalGraceMs ?? REFUSAL_GRACE_MS;
    // Sent before the header was made (or, not knowing when it left, just after): the retry carries it.
    if (s.header && s.headerAt !== undefined && (wall.sentAt !== undefined ? wall.sentAt < s.headerAt : this.now() - s.headerAt < grace)) return same(s);
    if (s.topUp) return same(await this.resumeTopUp(s));
    const offers = sessionOffers(wall.wwwAuthenticate);
    if (offers.length === 0) throw error('L402_CHALLENGE_INVALID', 'the site answered 402 without a session offer', wall.url);
    const nowS = Math.floor(this.now() / 1000);
    // The header echoes an offer past its expiry: the site refuses it whatever the balance.
    if (s.challengeExpiresAt !== undefined && nowS >= s.challengeExpiresAt - EXPIRY_MARGIN_S) return same(await this.rebind(s, offers[0]!.params));
    if (s.paidAt !== undefined && this.now() - s.paidAt < grace)
      throw error('SESSION_REFUSED', 'the site refused the session it was just paid for; not paying again', s.origin);
    return same(await this.topUp(s, wall), true);
  }

  private async rebind(s: SessionRecord, params: PaymentParams): Promise<SessionRecord> {
    const header = sessionBearerAuthorization(params, { sessionId: s.id, preimage: s.preimage! });
    return (await this.d.sessions.update(s.id, { challenge: params, ...expiresOf(params, true), header, headerAt: this.now() })) ?? s;
  }

  private async topUp(s: SessionRecord, wall: SessionWall): Promise<SessionRecord> {
    const admitted = await this.admit(wall);
    if (admitted.paymentHash === s.id) throw error('SESSION_REFUSED', 'the site offers the deposit already paid as a top-up', s.id);
    const started = await this.d.sessions.update(s.id, {
      topUp: { paymentHash: admitted.paymentHash, depositSat: admitted.depositSat, challenge: admitted.challenge.params, paymentRequest: admitted.invoice, startedAt: this.now() },
    });
    const node = await this.d.node();
    const result = await this.payDeposit(started ?? s, admitted, wall.ctx, 'top-up').catch(async (e: unknown) => {
      if (!(await this.d.ledger.byHash(admitted.paymentHash))) await this.d.sessions.update(s.id, { topUp: undefined });
      throw e;
    });
    if (result.status === 'FAILED') {
      await this.d.sessions.update(s.id, { topUp: undefined });
      throw error('PAYMENT_FAILED', 'the top-up could not be paid', result.failureReason ?? 'unknown');
    }
    if (result.status !== 'SUCCEEDED' || !result.preimage) throw error('PAYMENT_PENDING', 'the top-up is still in flight', admitted.paymentHash);
    const paid = await this.d.sessions.transition(s.id, (r) => (r.topUp ? { topUp: { ...r.topUp, preimage: result.preimage! }, paidAt: this.now() } : undefined));
    return this.sendTopUp(paid ?? s);
  }

  /** The paid top-up told to the site; a site that no longer knows the session gets it as a new open. */
  private async sendTopUp(s: SessionRecord): Promise<SessionRecord> {
    const t = s.topUp;
    if (!t?.preimage) throw error('PAYMENT_PENDING', 'the top-up is not paid yet', t?.paymentHash ?? s.id);
    const header = sessionTopUpAuthorization(t.challenge, { sessionId: s.id, topUpPreimage: t.preimage });
    const res = await this.sendRetrying(s.url, header);
    if (res.ok) {
      const bearer = sessionBearerAuthorization(t.challenge, { sessionId: s.id, preimage: s.preimage! });
      const receipt = res.headers.get('payment-receipt');
      if (receipt) this.checkReceipt(receipt, 'topUp', s.id);
      return (
        (await this.d.sessions.transition(s.id, (r) =>
          r.topUp?.paymentHash === t.paymentHash
            ? { topUp: undefined, depositSat: r.depositSat + t.depositSat, challenge: t.challenge, ...expiresOf(t.challenge, true), unitSat: unitOf(t.challenge) ?? r.unitSat, header: bearer, headerAt: this.now() }
            : undefined,
        )) ?? s
      );
    }
    // Refused: the site closed or forgot the session, or will not take this payment for it. The payment
    // funded nothing there yet: the old session is closed (its balance, if the site still has one, comes
    // back), and the payment opens a new one.
    const reason = refusal(res);
    this.d.log?.('satnav session: top-up refused, closing the session and opening a new one with it', reason);
    await this.finishClose(s).catch((e: unknown) => {
      // Refused or a bad receipt: the old session is closed on our side all the same. Anything else (unreachable): try later.
      if (!(isSatnavError(e) && (e.code === 'SESSION_REFUSED' || e.code === 'SESSION_RECEIPT_INVALID'))) throw e;
    });
    await this.d.sessions.update(s.id, { topUp: undefined, note: clip(`top-up refused: ${reason}`) });
    const node = await this.d.node();
    const ret = await this.returnInvoice(node, s.origin);
    const t2 = this.now();
    const next = await this.d.sessions.put({
      id: t.paymentHash,
      origin: s.origin,
      url: s.url,
      paidBy: s.paidBy,
      realm: t.challenge.realm,
      state: 'paid',
      depositSat: t.depositSat,
      unitSat: unitOf(t.challenge) ?? s.unitSat,
      paymentRequest: t.paymentRequest,
      preimage: t.preimage,
      returnInvoice: ret.paymentRequest,
      returnHash: ret.paymentHash,
      challenge: t.challenge,
      ...expiresOf(t.challenge),
      paidAt: this.now(),
      createdAt: t2,
      updatedAt: t2,
    });
    return this.sendOpen(next);
  }

  private async sendOpen(s: SessionRecord): Promise<SessionRecord> {
    const header = sessionOpenAuthorization(s.challenge, { preimage: s.preimage!, returnInvoice: s.returnInvoice, nowSeconds: Math.floor(this.now() / 1000) });
    const res = await this.sendRetrying(s.url, header);
    if (!res.ok) {
      // Paid, and the site will not open it: the money is the site's to give back; the session ends here
      // (a stuck "paid" record would block every later session with that site).
      const reason = refusal(res);
      await this.d.sessions.update(s.id, { state: 'closed', closedAt: this.now(), receivedSat: 0, refundSettledAt: this.now(), note: clip(`open refused: ${reason}`) });
      throw error('SESSION_REFUSED', 'the site refused to open the session it was paid for', reason);
    }
    const receipt = res.headers.get('payment-receipt');
    if (receipt) this.checkReceipt(receipt, 'open', s.id);
    const bearer = sessionBearerAuthorization(s.challenge, { sessionId: s.id, preimage: s.preimage! });
    return (await this.d.sessions.update(s.id, { state: 'open', header: bearer, headerAt: this.now(), note: undefined })) ?? s;
  }

  // ---- close -----------------------------------------------------------------------------------

  private async closeOnce(site: Origin): Promise<ClosedSession> {
    const s = await this.d.sessions.liveAt(site);
    if (!s) throw error('SESSION_UNKNOWN', 'no deposit session with', site);
    if (s.state === 'paying' || s.state === 'paid') throw error('SESSION_REFUSED', 'the session is not open yet; it cannot be closed before the site opened it', s.id);
    return this.finishClose(s);
  }

  private async finishClose(s0: SessionRecord): Promise<ClosedSession> {
    const s = (await this.d.sessions.update(s0.id, { state: 'closing', closeAskedAt: s0.closeAskedAt ?? this.now() })) ?? s0;
    let params = s.challenge;
    let res = await this.send(s.url, sessionCloseAuthorization(params, { sessionId: s.id, preimage: s.preimage! }));
    if (!res.ok) {
      // Refused: the echoed offer may have expired. The refusal carries a fresh one (Aperture's way): once more with it.
      const fresh = sessionOffers(res.headers.get('www-authenticate') ?? '')[0];
      if (fresh) {
        params = fresh.params;
        res = await this.send(s.url, sessionCloseAuthorization(params, { sessionId: s.id, preimage: s.preimage! }));
      }
    }
    if (!res.ok) {
      // The site no longer has it open (closed it itself, or forgot it): nothing more to ask; the return invoice is still watched.
      const reason = refusal(res);
      await this.d.sessions.update(s.id, { state: 'closed', closedAt: this.now(), note: clip(`close refused: ${reason}`) });
      throw error('SESSION_REFUSED', 'the site refused to close the session', reason);
    }
    let receiptError: SatnavError | undefined;
    let refundSat = 0;
    let status: RefundStatus | undefined;
    try {
      const r = readSessionReceipt(res.headers.get('payment-receipt'), { action: 'close', sessionId: s.id });
      refundSat = r.refundSat;
      status = r.refundStatus;
    } catch (e) {
      if (!isSatnavError(e)) throw e;
      receiptError = e;
    }
    const closed =
      (await this.d.sessions.update(s.id, {
        state: 'closed',
        closedAt: this.now(),
        header: undefined,
        ...(receiptError ? { note: clip(receiptError.message) } : { refundSat, ...(status && { refundStatus: status }) }),
        ...(status === 'skipped' && { receivedSat: 0, refundSettledAt: this.now() }),
      })) ?? s;
    // Closed either way: a bad receipt only means the site's claim is unknown; the return invoice still tells.
    const receivedSat = status === 'skipped' ? 0 : await this.awaitRefund(closed);
    if (receiptError) throw receiptError;
    return { sessionId: s.id, refundSat, status, receivedSat };
  }

  /** Records the refund the site claims (a pending incoming entry) and waits a little for it to arrive. */
  private async awaitRefund(s: SessionRecord): Promise<number> {
    if (s.refundSat !== undefined && s.refundSat > 0) await this.refundEntry(s, s.refundSat);
    const node = await this.d.node();
    const deadline = this.now() + (this.d.refundWaitMs ?? REFUND_WAIT_MS);
    for (;;) {
      const current = (await this.d.sessions.get(s.id)) ?? s;
      if (await this.checkRefund(current, node)) return (await this.d.sessions.get(s.id))?.receivedSat ?? 0;
      // Nothing was claimed (or the receipt was unreadable): no wait, the tick watches it.
      if (!(s.refundSat && s.refundSat > 0) || this.now() >= deadline) return 0;
      await this.sleep(REFUND_POLL_MS);
    }
  }

  /** True when the refund is settled now (arrived, or given up on an expired return invoice). */
  private async checkRefund(s: SessionRecord, node: LightningNode): Promise<boolean> {
    if (s.refundSettledAt !== undefined) return true;
    const inv = await node.lookupInvoice(s.returnHash);
    if (inv.state === 'SETTLED') {
      const arrived = msatToSatDown(inv.amountPaidMsat);
      const entry = await this.refundEntry(s, arrived);
      if (entry.status !== 'succeeded') await this.d.ledger.succeed(entry.id);
      if (s.refundSat !== undefined && arrived !== entry.amountSat)
        await this.d.ledger.update(entry.id, { description: clip(`${refundLabel(s)}: ${arrived} sat arrived of the ${entry.amountSat} sat the site said`, 2048) });
      await this.d.sessions.update(s.id, { receivedSat: arrived, refundSettledAt: this.now() });
      return true;
    }
    if (inv.state === 'CANCELED' || (inv.state === 'OPEN' && inv.expiresAt * 1000 <= this.now())) {
      const entry = await this.d.ledger.byHash(s.returnHash);
      if (entry && (entry.status === 'pending' || entry.status === 'in_flight')) await this.d.ledger.fail(entry.id, inv.state === 'CANCELED' ? 'canceled' : 'expired');
      await this.d.sessions.update(s.id, { receivedSat: 0, refundSettledAt: this.now(), note: clip(`refund never arrived: return invoice ${inv.state === 'CANCELED' ? 'canceled' : 'expired'}`) });
      return true;
    }
    return false;
  }

  /** The incoming refund in the ledger (kind refund, direction in), begun once with the amount first known. */
  private async refundEntry(s: SessionRecord, amountSat: number): Promise<LedgerEntry> {
    const existing = await this.d.ledger.byHash(s.returnHash);
    if (existing) return existing;
    try {
      return await this.d.ledger.begin({
        origin: s.paidBy,
        kind: 'refund',
        source: 'deposit',
        rail: 'btc',
        amountSat,
        paymentHash: s.returnHash,
        paymentRequest: s.returnInvoice,
        description: clip(refundLabel(s), 2048),
      });
    } catch (e) {
      // Begun meanwhile by another path (the tick and close both look): that one is it.
      const now = isSatnavError(e) && e.code === 'DUPLICATE_PAYMENT' ? await this.d.ledger.byHash(s.returnHash) : undefined;
      if (now) return now;
      throw e;
    }
  }

  // ---- restart ---------------------------------------------------------------------------------

  private async resume(s: SessionRecord): Promise<'resumed' | 'waiting' | 'failed'> {
    if (s.state === 'closing') {
      await this.finishClose(s);
      return 'resumed';
    }
    if (s.state === 'open') {
      if (!s.topUp) return 'waiting';
      await this.resumeTopUp(s);
      return 'resumed';
    }
    // paying or paid: the deposit's word from the ledger (the pipeline's reconcile) and the node.
    if (s.state === 'paying') {
      const preimage = await this.paidPreimage(s.id, s.createdAt);
      if (preimage === 'failed') {
        const entry = await this.d.ledger.byHash(s.id);
        if (entry) await this.d.sessions.update(s.id, { state: 'failed', closedAt: this.now(), note: clip(entry.failureReason ?? entry.status) });
        else await this.d.sessions.remove(s.id);
        return 'failed';
      }
      if (preimage === 'waiting') return 'waiting';
      s = (await this.d.sessions.update(s.id, { state: 'paid', preimage, paidAt: this.now() })) ?? s;
    }
    await this.sendOpen(s);
    return 'resumed';
  }

  private async resumeTopUp(s: SessionRecord): Promise<SessionRecord> {
    const t = s.topUp!;
    if (t.preimage) return this.sendTopUp(s);
    const preimage = await this.paidPreimage(t.paymentHash, t.startedAt);
    if (preimage === 'failed') {
      await this.d.sessions.update(s.id, { topUp: undefined });
      throw error('PAYMENT_FAILED', 'the top-up could not be paid', t.paymentHash);
    }
    if (preimage === 'waiting') throw error('PAYMENT_PENDING', 'the top-up is still in flight', t.paymentHash);
    const paid = await this.d.sessions.transition(s.id, (r) => (r.topUp?.paymentHash === t.paymentHash ? { topUp: { ...r.topUp, preimage }, paidAt: this.now() } : undefined));
    return this.sendTopUp(paid ?? s);
  }

  /** A deposit payment's outcome after the fact: its preimage (from the node), failed, or still waiting. */
  private async paidPreimage(paymentHash: string, startedAt: number): Promise<string | 'failed' | 'waiting'> {
    const entry = await this.d.ledger.byHash(paymentHash);
    if (!entry) return this.now() - startedAt > UNSENT_AFTER_MS ? 'failed' : 'waiting';
    if (entry.status === 'failed' || entry.status === 'refunded') return 'failed';
    if (entry.status !== 'succeeded') return 'waiting';
    if (entry.preimage) return entry.preimage;
    const paid = await (await this.d.node()).trackPayment(paymentHash, { waitFinal: false });
    return paid.preimage ?? 'waiting';
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** The session offer the wallet can take: the first one that passes admission. */
  private async admit(wall: SessionWall): Promise<AdmittedSession> {
    const offers = sessionOffers(wall.wwwAuthenticate);
    if (offers.length === 0) throw error('L402_CHALLENGE_INVALID', 'no session offer in the 402 of', wall.url);
    const network = await this.d.nodeNetwork();
    if (!network) throw error('NODE_NOT_CONNECTED', 'no node connected');
    // The amount is the policy's to judge (deposit limits, it may ask); the offer itself is checked here.
    const ctx = { now: Math.floor(this.now() / 1000), network: invoiceNetworkOf(network), ceilingSat: MAX_SATS };
    let first: unknown;
    for (const o of offers) {
      try {
        return admitSession(o, ctx);
      } catch (e) {
        if (!isSatnavError(e)) throw e;
        first ??= e;
      }
    }
    throw first;
  }

  private async returnInvoice(node: LightningNode, site: Origin) {
    // No amount: the site pays whatever is left (lnd: value 0 = any amount).
    const ret = await node.createInvoice({ memo: `refund ${new URL(site).host}`.slice(0, 600), expirySeconds: this.d.returnInvoiceExpirySeconds ?? RETURN_INVOICE_EXPIRY_S });
    checkReturnInvoice(ret.paymentRequest, Math.floor(this.now() / 1000));
    return ret;
  }

  private async payDeposit(s: SessionRecord, a: AdmittedSession, ctx: PageContext, what: 'deposit' | 'top-up'): Promise<PaymentResult> {
    const { global } = await this.d.policy.getConfig();
    return this.d.payments.pay(
      {
        origin: ctx.origin,
        source: 'deposit',
        rail: 'btc',
        // It settles at once by design (the site holds the money): a payment, not a held deposit nor a forfeit.
        kind: 'payment',
        label: 'deposit',
        consent: global.l402.overBudget === 'ask' ? 'may-ask' : 'never-ask',
        amountSat: a.depositSat,
        paymentHash: a.paymentHash,
        destination: () => a.challenge.invoice.payee,
        paymentRequest: a.invoice,
        expiresAt: a.expiresAt,
        // Custodial, and labelled so: the site keeps the money until it refunds what is left.
        description: clip(`Custodial ${what} at ${new URL(s.origin).host} (${a.challenge.params.realm}): the site holds it; what is left is refunded at close`, 2048),
        ...embedding(ctx),
        ...(ctx.tabId !== undefined && { tabId: ctx.tabId }),
      },
      { paymentRequest: a.invoice, timeoutSeconds: this.d.paymentTimeoutSeconds ?? 60 },
    );
  }

  /** One request to the site with a session credential: no cookies, no redirects, a time limit. */
  private async send(url: string, authorization: string): Promise<Response> {
    try {
      return await this.d.fetch(url, {
        method: 'GET',
        headers: { Authorization: authorization },
        credentials: 'omit',
        redirect: 'manual',
        cache: 'no-store',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch {
      throw error('SESSION_UNREACHABLE', 'the site did not answer', new URL(url).origin);
    }
  }

  /** `send`, and once more after the wait a refusal names (`Retry-After` ≤ 5 s: its node has not seen the deposit settle yet). */
  private async sendRetrying(url: string, authorization: string): Promise<Response> {
    const res = await this.send(url, authorization);
    const wait = Number(res.headers.get('retry-after'));
    if (res.ok || !Number.isFinite(wait) || wait <= 0 || wait > 5) return res;
    await this.sleep(wait * 1000);
    return this.send(url, authorization);
  }

  /** A receipt on an open or top-up answer: the site already served, so a bad one is only logged. */
  private checkReceipt(value: string, action: 'open' | 'topUp', sessionId: string): void {
    try {
      readSessionReceipt(value, { action, sessionId });
    } catch (e) {
      this.d.log?.('satnav session: receipt', isSatnavError(e) ? e.message : e);
    }
  }

  /** One call at a time per server; a later call waits for the one running (it may find the session open). */
  private serial<T>(site: Origin, fn: () => Promise<T>): Promise<T> {
    const before = this.running.get(site) ?? Promise.resolve();
    const p = before.catch(() => undefined).then(fn);
    this.running.set(site, p);
    void p.catch(() => undefined).then(() => {
      if (this.running.get(site) === p) this.running.delete(site);
    });
    return p;
  }
}

/** Session offers in a 402's `WWW-Authenticate` lines, in order. */
export function sessionOffers(wwwAuthenticate: string | readonly string[]): PaymentSessionChallenge[] {
  try {
    return parseChallenges({ wwwAuthenticate }).challenges.filter((c): c is PaymentSessionChallenge => c.scheme === 'payment' && c.intent === 'session');
  } catch {
    return [];
  }
}

function expiresOf(params: PaymentParams, clear = false): { challengeExpiresAt?: number } {
  const at = paymentExpiresAt(params);
  return at === undefined ? (clear ? { challengeExpiresAt: undefined } : {}) : { challengeExpiresAt: at };
}

/** The unit price an offer names (its deposit may be paid and expired already: only the request is read). */
function unitOf(params: PaymentParams): number | undefined {
  try {
    return decodeSessionRequest(params.request).unitSat;
  } catch {
    return undefined;
  }
}

function refusal(res: Response): string {
  return `${res.status}${res.headers.get('x-paywall-reason') ? ` ${res.headers.get('x-paywall-reason')}` : ''}`;
}

function refundLabel(s: SessionRecord): string {
  return `Refund of the custodial deposit at ${new URL(s.origin).host} (${s.realm})`;
}

const clip = (s: string, max = 256) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** msat that arrived → whole sat, rounded down (money in is never over-counted). */
const msatToSatDown = (msat: bigint): number => (msat < 0n ? 0 : Number(msat / 1000n));



import { MAX_SATS } from '../base/sats.ts';
import { parseWebUrl } from '../base/web-url.ts';
import { embedding, type Origin, type PageContext } from '../base/origin.ts';
import { moduleErrors, SatnavError } from '../errors.ts';
import { admitBest, parseChallenges, rankChallenges, retryHeader, type Admitted, type Challenge, type ChallengeHeaders } from '../l402/index.ts';
import { invoiceNetworkOf } from '../node/network-check.ts';
import type { PayerDeps } from '../payments/index.ts';
import { enableRequest, unlockRequest, type Approver } from '../webln/approval.ts';
import type { Credential, CredentialStore } from './credentials.ts';

/**
 * Pays 402 walls: one observed `402 Payment Required` in, the header that
 * opens it out. The browser glue decides where the header goes (a
 * declarativeNetRequest rule for the credential's origin) and retries; this
 * module decides whether to pay, pays through the one payment pipeline, and
 * keeps what it bought.
 *
 *   observation → a credential already held? (reuse, no payment)
 *               → site enabled? (else ask once) → unlocked? (else ask)
 *               → offers parsed and admitted → purchase recorded → pipeline → credential stored
 *
 * Single flight: concurrent 402s for the same server and L402 services (or
 * the same path, for one-shot schemes) share one purchase, until its
 * credential is stored. The credential is handed over as soon as it is bought,
 * while the vault write runs: a worker killed before that write lands loses
 * nothing, the pending purchase (written before paying) and the ledger's
 * entry give it back (`recover`).
 */
const error = moduleErrors('paywall');

/** A credential refused again this soon after it was bought is not bought a third time. */
export const REFUSAL_GRACE_MS = 30_000;

export interface WallObservation {
  /** The URL that answered 402. */
  url: string;
  headers: { wwwAuthenticate: string[]; paymentRequired: string | null };
  /** Who asked, from the browser: whose budget pays, in which tab, inside which page. */
  ctx: PageContext;
  /** When the request left (ms): a 402 to a request sent before a credential applied is no refusal of it. */
  sentAt: number;
}

export interface Access {
  credential: Credential;
  /** True when this call paid; false when a credential already held was reused. */
  paid: boolean;
  /** Settles once the credential is in the vault; a rejection leaves the purchase to `recover`. */
  stored: Promise<void>;
}

const STORED: Promise<void> = Promise.resolve();

export interface PaywallDeps extends PayerDeps {
  credentials: CredentialStore;
  isUnlocked(): Promise<boolean>;
  ask: Approver;
  now?: () => number;
  paymentTimeoutSeconds?: number;
}

export class WallPayer {
  private readonly now: () => number;
  private readonly inflight = new Map<string, Promise<Access>>();
  /** Credentials bought and being written: what reads the store waits for them. */
  private readonly storing = new Set<Promise<void>>();
  /** When a credential was applied to a path in this worker life (after a restart: its purchase time counts). */
  private readonly appliedAt = new Map<string, number>();

  constructor(private readonly d: PaywallDeps) {
    this.now = d.now ?? Date.now;
  }

  /** What opens the wall at `obs.url`: a credential held already, or one bought now. */
  async access(obs: WallObservation): Promise<Access> {
    const url = parseWebUrl(obs.url);
    checkHeaderSize(obs.headers);
    const { l402 } = (await this.d.policy.getConfig()).global;
    if (!l402.autoPay) throw error('PAYWALL_OFF', 'paying 402 walls is switched off in Limits');
    // Credentials live in the vault: unlock first (the person is asked), never fail as "locked".
    if (!(await this.d.isUnlocked())) await this.approve(unlockRequest(obs.ctx), obs.ctx);
    await this.settleLeftovers(url.origin);
    const held = await this.d.credentials.forUrl(url);
    if (held) {
      const since = this.appliedAt.get(appliedKey(held, url)) ?? held.createdAt;
      // Sent before the credential applied: the retry will carry it.
      if (obs.sentAt < since) return { credential: held, paid: false, stored: STORED };
      // Sent with it and refused: revoked or expired on the server's side.
      if (this.now() - held.createdAt < REFUSAL_GRACE_MS)
        throw error('PAYWALL_REFUSED', 'the site refused the access it just sold; not paying again for', url.origin);
      await this.d.credentials.remove(held.id);
    }
    const challenges = parseChallenges(headersOf(obs)).challenges;
    const preferred = rankChallenges(challenges)[0];
    const services = preferred?.scheme === 'l402' ? (preferred.token.services ?? []).map((s) => s.name) : [];
    if (preferred?.scheme === 'l402') {
      const reusable = await this.d.credentials.findReusable(url.origin, services);
      if (reusable && reusable.id !== held?.id) return { credential: await this.apply(reusable, url), paid: false, stored: STORED };
    }
    // `<origin> ` first, so a site's purchases are found by it (settleLeftovers).
    const key = `${url.origin} ${preferred?.scheme === 'l402' ? `l402 ${services.toSorted().join(',')}` : `path ${url.pathname}`}`;
    const running = this.inflight.get(key);
    if (running) return running.then(async (a) => ({ credential: await this.apply(a.credential, url), paid: false, stored: a.stored }));
    const purchase = this.buy(obs, url, challenges);
    this.inflight.set(key, purchase);
    const done = () => void (this.inflight.get(key) === purchase && this.inflight.delete(key));
    purchase.then((a) => a.stored).then(done, done);
    return purchase;
  }

  /** Credentials held, for the popup and the header rules (those being stored included). */
  async list(): Promise<Credential[]> {
    await this.allStored();
    return this.d.credentials.list();
  }

  /** The person revoked it (Paid access): true when it was held. */
  async revoke(id: string): Promise<boolean> {
    await this.allStored();
    return this.d.credentials.remove(id);
  }

  /** Every credential `site`'s budget paid for; the ids that were held (their header rules go too). */
  async revokePaidBy(site: Origin): Promise<string[]> {
    const ids = (await this.list()).filter((c) => c.paidBy === site).map((c) => c.id);
    await this.d.credentials.removePaidBy(site);
    return ids;
  }

  /** A one-shot credential (Payment charge, x402) was sent: it is spent. */
  async consumed(id: string): Promise<void> {
    await this.allStored();
    const c = await this.d.credentials.get(id);
    if (c && !c.reusable) await this.d.credentials.remove(id);
  }

  /**
   * After a worker restart: purchases recorded but not turned into
   * credentials. Paid ones get their preimage from the node (never paid
   * twice); failed ones are dropped; unresolved ones wait.
   */
  async recover(): Promise<{ recovered: number; dropped: number; waiting: number }> {
    const out = { recovered: 0, dropped: 0, waiting: 0 };
    // A purchase of this life whose credential is being written is no leftover.
    await this.allStored();
    const pending = await this.d.credentials.pending();
    if (pending.length === 0 || !(await this.d.isUnlocked())) return { ...out, waiting: pending.length };
    const node = await this.d.node();
    for (const p of pending) {
      const entry = await this.d.ledger.byHash(p.paymentHash);
      if (entry?.status === 'failed' || (!entry && this.now() - p.createdAt > REFUSAL_GRACE_MS)) {
        await this.d.credentials.dropPending(p.paymentHash);
        out.dropped++;
        continue;
      }
      if (entry?.status !== 'succeeded') {
        out.waiting++;
        continue;
      }
      const paid = await node.trackPayment(p.paymentHash, { waitFinal: false });
      const challenge = paid.preimage ? findChallenge(p.headers, p.paymentHash) : undefined;
      if (!paid.preimage || !challenge) {
        await this.d.credentials.dropPending(p.paymentHash);
        out.dropped++;
        continue;
      }
      await this.d.credentials.put(credentialFrom(challenge, retryHeader(challenge, paid.preimage), { ...p, amountSat: entry.amountSat, createdAt: this.now() }));
      out.recovered++;
    }
    return out;
  }

  /**
   * Purchases for `origin` that an earlier worker life left unresolved: turned
   * into credentials when paid; while one is still in flight nothing new is
   * bought for that server (single flight across restarts).
   */
  private async settleLeftovers(origin: Origin): Promise<void> {
    const mine = (await this.d.credentials.pending()).filter((p) => p.origin === origin);
    if (mine.length === 0 || [...this.inflight.keys()].some((k) => k.startsWith(`${origin} `))) return;
    await this.recover();
    if ((await this.d.credentials.pending()).some((p) => p.origin === origin))
      throw error('PAYMENT_PENDING', 'an earlier payment to this site is still in flight', origin);
  }

  private async buy(obs: WallObservation, url: URL, challenges: readonly Challenge[]): Promise<Access> {
    const { ctx } = obs;
    await this.enabledSite(ctx);
    const network = await this.d.nodeNetwork();
    if (!network) throw error('NODE_NOT_CONNECTED', 'no node connected');
    const { global } = await this.d.policy.getConfig();
    const admitted = admitBest(challenges, {
      now: Math.floor(this.now() / 1000),
      network: invoiceNetworkOf(network),
      // The daily cap is the most any payment can be; the per-request ceiling is the policy's (it asks above it).
      // A cap in dollars has no sat figure before the payment is valued: the policy judges it at reserve.
      ceilingSat: 'sat' in global.dailyCap ? global.dailyCap.sat : MAX_SATS,
    });
    // Locked or not connected: refused before anything is recorded.
    await this.d.node();
    // The purchase in flight lands with the hold and the ledger entry, in one write, before the node is asked.
    let recorded = false;
    const recordPending = async () => {
      await this.d.credentials.addPending({
        paymentHash: admitted.paymentHash,
        origin: url.origin,
        path: url.pathname,
        paidBy: ctx.origin,
        headers: { wwwAuthenticate: obs.headers.wwwAuthenticate, paymentRequired: obs.headers.paymentRequired },
        createdAt: this.now(),
      });
      recorded = true;
    };
    const inv = admitted.challenge.invoice;
    const result = await this.d.payments
      .pay(
        {
          origin: ctx.origin,
          source: 'l402',
          rail: 'btc',
          kind: 'payment',
          label: 'l402',
          consent: global.l402.overBudget === 'ask' ? 'may-ask' : 'never-ask',
          amountSat: admitted.amountSat,
          paymentHash: admitted.paymentHash,
          destination: () => inv.payee,
          paymentRequest: admitted.invoice,
          expiresAt: admitted.expiresAt,
          description: inv.description ?? url.host,
          ...embedding(ctx),
          ...(ctx.tabId !== undefined && { tabId: ctx.tabId }),
        },
        { paymentRequest: admitted.invoice, timeoutSeconds: this.d.paymentTimeoutSeconds ?? 60 },
        { withHold: recordPending },
      )
      .catch(async (e: unknown) => {
        // Nothing of this purchase reached the ledger (refused before any money could move): nothing to recover.
        const entry = await this.d.ledger.byHash(admitted.paymentHash);
        if (recorded && (!entry || (entry.status === 'failed' && e instanceof SatnavError && e.code !== 'DUPLICATE_PAYMENT')))
          await this.d.credentials.dropPending(admitted.paymentHash);
        throw e;
      });
    if (result.status === 'FAILED') {
      await this.d.credentials.dropPending(admitted.paymentHash);
      throw error('PAYMENT_FAILED', 'payment failed', result.failureReason ?? 'unknown');
    }
    if (result.status !== 'SUCCEEDED' || !result.preimage) throw error('PAYMENT_PENDING', 'payment still in flight', admitted.paymentHash);
    const credential = credentialFrom(admitted.challenge, admitted.authorize(result.preimage), {
      origin: url.origin,
      path: url.pathname,
      paidBy: ctx.origin,
      amountSat: admitted.amountSat,
      createdAt: this.now(),
      expiresAt: admitted.credentialExpiresAt,
    });
    this.appliedAt.set(appliedKey(credential, url), credential.createdAt);
    // Queued on the vault now, so a path added to it after (apply) finds it; not waited for (see the class comment).
    const stored = this.d.credentials.put(credential);
    const written = stored.catch(() => undefined);
    this.storing.add(written);
    void written.then(() => this.storing.delete(written));
    return { credential, paid: true, stored };
  }

  private async allStored(): Promise<void> {
    while (this.storing.size > 0) await Promise.all(this.storing);
  }

  /** Another path of the same server and services: the credential goes there too, no payment. */
  private async apply(c: Credential, url: URL): Promise<Credential> {
    if (c.paths.includes(url.pathname) || !c.reusable) return c;
    const updated = await this.d.credentials.addPath(c.id, url.pathname);
    this.appliedAt.set(appliedKey(updated, url), this.now());
    return updated;
  }

  /** A site the person never enabled is asked about once, as for WebLN. */
  private async enabledSite(ctx: PageContext): Promise<void> {
    const site = await this.d.policy.getSite(ctx.origin);
    if (site?.paused) throw error('SITE_PAUSED', 'payments paused for', ctx.origin);
    if (site?.enabled) return;
    const answer = await this.approve(enableRequest(ctx, 'paywall'), ctx);
    await this.d.policy.upsertSite(ctx.origin, {
      enabled: true,
      remember: answer.remember ?? true,
      l402AutoPay: true,
      sharePubkey: answer.sharePubkey === true,
      ...(answer.allowance !== undefined && { allowance: answer.allowance }),
      ...(answer.period && { period: answer.period }),
      methods: { ...site?.methods, getBalance: answer.allowBalance === true },
    });
  }

  private async approve(request: Parameters<Approver>[0], ctx: PageContext) {
    const answer = await this.d.ask(request, ctx.tabId !== undefined ? { tabId: ctx.tabId } : {});
    if (!answer.approved) throw error('REJECTED', 'the person declined', request.kind);
    return answer;
  }
}


/** What a purchase keeps of the challenge to recover it after a restart (credentials.ts) has bounds: beyond them nothing is bought. */
const MAX_CHALLENGE_LINES = 8;
const MAX_CHALLENGE_CHARS = 65_536;

function checkHeaderSize(h: WallObservation['headers']): void {
  const lines = [...h.wwwAuthenticate, ...(h.paymentRequired === null ? [] : [h.paymentRequired])];
  if (h.wwwAuthenticate.length > MAX_CHALLENGE_LINES || lines.some((l) => l.length > MAX_CHALLENGE_CHARS))
    throw error('L402_CHALLENGE_INVALID', 'challenge headers too large to keep', lines.length);
}

function headersOf(obs: Pick<WallObservation, 'headers'>): ChallengeHeaders {
  return { wwwAuthenticate: obs.headers.wwwAuthenticate, paymentRequired: obs.headers.paymentRequired };
}

function findChallenge(headers: WallObservation['headers'], paymentHash: string): Challenge | undefined {
  try {
    return parseChallenges(headersOf({ headers })).challenges.find((c) => c.invoice.paymentHash === paymentHash);
  } catch {
    return undefined;
  }
}

function credentialFrom(
  challenge: Challenge,
  header: { name: string; value: string },
  p: { origin: Origin; path: string; paidBy: Origin; amountSat: number; createdAt: number; expiresAt?: number | null },
): Credential {
  return {
    id: challenge.invoice.paymentHash.slice(0, 32),
    origin: p.origin,
    paths: [p.path],
    services: challenge.scheme === 'l402' ? (challenge.token.services ?? []).map((s) => s.name) : [],
    scheme: challenge.scheme,
    header: { name: header.name, value: header.value },
    paymentHash: challenge.invoice.paymentHash,
    amountSat: p.amountSat,
    paidBy: p.paidBy,
    createdAt: p.createdAt,
    expiresAt: p.expiresAt ?? (challenge.scheme === 'l402' ? challenge.token.expiresAt : null),
    reusable: challenge.scheme === 'l402',
  };
}

const appliedKey = (c: Credential, url: URL) => `${c.id} ${url.pathname}`;

export type { Admitted };

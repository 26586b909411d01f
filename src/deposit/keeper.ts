import { HDKey } from '@scure/bip32';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import type { KeyValueStore } from '../storage/kv.ts';
import { isLoopbackHost } from '../base/net.ts';
import { registrableDomain } from '../base/site.ts';
import { isRecord } from '../storage/schema.ts';
import { embedding, type Origin, type PageContext } from '../base/origin.ts';
import { isSatnavError, moduleErrors, SatnavError } from '../errors.ts';
import { invoiceNetworkOf } from '../node/network-check.ts';
import type { PaymentResult } from '../node/types.ts';
import type { PayerDeps } from '../payments/index.ts';
import { admitDeposit } from './admit.ts';
import { ACTIVE_STATES, type DepositBook, type DepositRecord } from './book.ts';
import { parseDepositChallenge, type DepositChallenge } from './challenge.ts';
import { DEPOSIT_KEY_RECORD, depositKeyFor, formatDepositCredential, signDeposit, type DepositAction } from './credential.ts';

/**
 * The wallet's side of deposit walls (docs/deposit-wall.md), from the 402 to
 * the refund:
 *
 *   challenge → admitted (hold time, time-lock, network, expiry) → recorded →
 *   payment pipeline (deposit limits, prompt, ledger) → node pays with the
 *   site key as a custom record and a time-lock limit → status until "held" →
 *   signed `hold` credential → the glue puts it on the site's requests
 *
 * then, while held: status every idle/3 (heartbeat, fresh nonce, re-signed
 * credential); the site's last tab gone for GRACE_MS → release; the node's
 * final word (FAILED = money back, SUCCEEDED = forfeited) goes through the
 * pipeline's reconcile, so the ledger and the budget follow one rule.
 *
 * One deposit per site: concurrent walls of a site share one payment, and a
 * site already holding one gets its credential re-signed, not a second deposit.
 */
const error = moduleErrors('deposit');

/** A site's last tab closed: released after this, unless it comes back. */
export const GRACE_MS = 2_000;
const HELD_POLL_MS = 100;
const HELD_WAIT_MS = 20_000;
/** Blocks are ~10 minutes: the time-lock limit as a worst-case duration. */
const BLOCK_MS = 600_000;
/** The payment stream is opened again after this much silence, or this long after it broke. */
const FOLLOW_IDLE_MS = 60_000;
/** The site's release and status endpoints: a silent site must not hold up the tick. */
const SITE_TIMEOUT_MS = 10_000;
const MAX_SITE_ANSWER = 16_384;
const FOLLOW_RETRY_MS = 2_000;
/**
 * Status calls (fresh nonce, re-signed credential, the site's idle timer reset) every idle/3,
 * within these bounds: not more often than the alarm can wake us, and well inside the ±300 s a
 * signature's time is accepted and the ≤ 10 min a nonce lives.
 */
const MIN_HEARTBEAT_MS = 30_000;
const MAX_HEARTBEAT_MS = 120_000;

export type DepositEvent = { kind: 'refunded' | 'expired' | 'forfeited' | 'failed'; record: DepositRecord };

export interface KeeperDeps extends PayerDeps {
  book: DepositBook;
  /** The vault's BIP32 root (unlocked). */
  root(): Promise<HDKey>;
  /** The worker's own fetch to the site (release, status): no cookies, no redirects followed. */
  fetch: typeof fetch;
  /** Where the glue puts (or removes) the `Authorization` header on the site's requests. */
  credential: { put(record: DepositRecord, header: string): Promise<void>; drop(record: DepositRecord): Promise<void> };
  /** Origins a tab shows now. */
  openOrigins(): Promise<ReadonlySet<string>>;
  notify(e: DepositEvent): void;
  log?: (...args: unknown[]) => void;
  now?: () => number;
  /** GRACE_MS unless a test says otherwise. */
  graceMs?: number;
  /** storage.session: the site keys of active deposits, so a locked wallet or a new worker life can still release. */
  sessionKeys?: KeyValueStore;
  /** The devnet build: deposit walls on loopback http too (the demo). */
  devBuild?: boolean;
}

export interface DepositWall {
  /** The URL that answered 402. */
  url: string;
  wwwAuthenticate: readonly string[];
  /** Who met it, from the browser. */
  ctx: PageContext;
}

export class DepositKeeper {
  private readonly now: () => number;
  private readonly opening = new Map<Origin, Promise<DepositRecord>>();
  private following: Promise<void> | undefined;
  /** Site keys of active deposits, by `deposit.key.<hash>` (see keyOf). */
  private readonly keys = new Map<string, string>();
  private readonly releasing = new Map<string, Promise<void>>();
  private closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly d: KeeperDeps) {
    this.now = d.now ?? Date.now;
  }

  /** The deposit that opens `wall`: held already (credential re-signed), or paid now. Resolves once its header is in place. */
  async open(wall: DepositWall): Promise<DepositRecord> {
    const site = new URL(wall.url).origin;
    const running = this.opening.get(site);
    if (running) return running;
    const p = this.openOnce(site, wall).finally(() => this.opening.delete(site));
    this.opening.set(site, p);
    return p;
  }

  /** Deposits, newest first (the popup). */
  list(): Promise<DepositRecord[]> {
    return this.d.book.list();
  }

  /** The person's release button, or the site's last tab gone. Resolves when the site was asked. */
  release(paymentHash: string): Promise<void> {
    const running = this.releasing.get(paymentHash);
    if (running) return running;
    const p = this.releaseOnce(paymentHash).finally(() => this.releasing.delete(paymentHash));
    this.releasing.set(paymentHash, p);
    return p;
  }

  /** Tabs changed: a held deposit whose site has no tab left is released after the grace. */
  tabsChanged(): void {
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => void this.releaseUnvisited().catch((e) => this.d.log?.('satnav deposit: close', e)), this.d.graceMs ?? GRACE_MS);
  }

  /**
   * The periodic tick (and a new worker life): finished deposits settled from
   * the node, the payment stream reopened, visited ones kept alive with a fresh
   * credential, unvisited ones released, stuck ones retried.
   */
  async tick(): Promise<void> {
    const active = await this.d.book.active();
    if (active.length === 0) return;
    await this.settle();
    const open = await this.d.openOrigins();
    const calls: Promise<unknown>[] = [];
    for (const r of await this.d.book.active()) {
      // Being opened: that call finishes it, unless its tab is gone (then it is released below).
      if (this.opening.has(r.origin) && open.has(r.paidBy)) continue;
      // Paid by a dead worker life (or a site that never says "held"): only one with a ledger entry can hold money.
      if (r.state === 'paying' && !(await this.d.ledger.byHash(r.paymentHash))) continue;
      this.follow();
      if (r.state === 'releasing') {
        calls.push(this.release(r.paymentHash));
        continue;
      }
      if (!open.has(r.paidBy)) {
        if (this.now() - (r.lastVisitAt ?? r.heldAt ?? r.createdAt) >= (this.d.graceMs ?? GRACE_MS)) calls.push(this.release(r.paymentHash));
        continue;
      }
      await this.d.book.update(r.paymentHash, { lastVisitAt: this.now() });
      // Held meanwhile? Then its credential goes (back) in place.
      if (r.state === 'paying') calls.push(this.resumePaying(r));
      else if (this.now() - (r.checkedAt ?? r.heldAt ?? 0) >= heartbeatMs(r)) calls.push(this.heartbeat(r));
    }
    // Side by side: a site that never answers must not hold up the others (each call has its own timeout).
    for (const c of await Promise.allSettled(calls)) if (c.status === 'rejected') this.d.log?.('satnav deposit: tick', c.reason);
  }

  /** Asks the node about every unresolved deposit (through the pipeline, for the ledger and budget) and ends the finished ones. */
  async settle(): Promise<void> {
    await this.d.payments.reconcile();
    for (const r of await this.d.book.active()) {
      const entry = await this.d.ledger.byHash(r.paymentHash);
      if (!entry) {
        // Recorded but never handed to the pipeline (refused, or the worker died in between): no money moved.
        if (r.state === 'paying' && !this.opening.has(r.origin) && this.now() - r.createdAt > HELD_WAIT_MS) await this.d.book.remove(r.paymentHash);
        continue;
      }
      if (entry.status === 'refunded' || entry.status === 'failed' || entry.status === 'succeeded') await this.end(r, entry.status, entry.failureReason);
    }
  }

  private async openOnce(site: Origin, wall: DepositWall): Promise<DepositRecord> {
    const held = await this.d.book.activeAt(site);
    if (held?.state === 'held') {
      await this.heartbeat(held);
      return held;
    }
    if (held?.state === 'paying') {
      // A dead worker life was paying it: never a second deposit while that one may be held.
      if (await this.d.ledger.byHash(held.paymentHash)) {
        this.follow();
        return this.untilHeld(held, await this.keyOf(held));
      }
      // It died before the ledger entry, so before the node was asked: nothing moved.
      await this.d.book.remove(held.paymentHash);
    }
    if (held?.state === 'releasing') await this.release(held.paymentHash);
    this.secureOrigins(site, wall.ctx.origin);
    const challenge = parse(wall, site);
    // A hash the wallet already knows (another site's deposit re-offered) would take over that deposit's record.
    if ((await this.d.book.get(challenge.invoice.paymentHash)) || (await this.d.ledger.byHash(challenge.invoice.paymentHash)))
      throw error('DEPOSIT_REFUSED', 'payment hash already used', challenge.invoice.paymentHash);
    const { global } = await this.d.policy.getConfig();
    const limits = global.deposits;
    const nowS = Math.floor(this.now() / 1000);
    // The amount is the policy's to judge (it may ask); time limits and the invoice itself are refused here.
    admitDeposit(challenge, { maxAmountSat: Number.MAX_SAFE_INTEGER, maxHoldSeconds: limits.maxHoldSeconds, maxCltv: limits.maxCltv }, nowS);
    const network = await this.d.nodeNetwork();
    if (!network) throw error('NODE_NOT_CONNECTED', 'no node connected');
    if (challenge.invoice.network !== invoiceNetworkOf(network)) throw error('DEPOSIT_REFUSED', 'invoice for another network', challenge.invoice.network);
    const key = depositKeyFor(await this.d.root(), site);
    const record = await this.d.book.put({
      paymentHash: challenge.invoice.paymentHash,
      origin: site,
      paidBy: wall.ctx.origin,
      realm: challenge.realm,
      amountSat: challenge.amountSat,
      paymentRequest: challenge.invoice.paymentRequest,
      release: challenge.release,
      status: challenge.status,
      forfeit: challenge.forfeit,
      maxHoldSeconds: challenge.maxHoldSeconds,
      idleSeconds: challenge.idleSeconds,
      cltvLimit: limits.maxCltv,
      nonce: challenge.nonce,
      state: 'paying',
      createdAt: this.now(),
      lockedUntil: this.now() + limits.maxCltv * BLOCK_MS,
      lastVisitAt: this.now(),
    });
    await this.keepKey(record, key);
    // Locked or not connected: refused before anything is recorded.
    await this.d.node();
    let outcome: Promise<PaymentResult>;
    try {
      ({ outcome } = await this.d.payments.start(
        {
          // The site holding the money is judged (its switch, its forfeits); asked for from another site's page, the person is asked.
          origin: site,
          source: 'deposit',
          rail: 'btc',
          kind: 'deposit',
          label: 'deposit',
          consent: global.l402.overBudget === 'ask' ? 'may-ask' : 'never-ask',
          amountSat: challenge.amountSat,
          paymentHash: record.paymentHash,
          destination: () => challenge.invoice.payee,
          paymentRequest: record.paymentRequest,
          expiresAt: challenge.invoice.expiresAt,
          description: `${challenge.realm} (${new URL(site).host})`,
          deposit: { maxHoldSeconds: challenge.maxHoldSeconds, lockedUntil: record.lockedUntil, forfeit: challenge.forfeit },
          ...askedFrom(site, wall.ctx),
          ...(wall.ctx.tabId !== undefined && { tabId: wall.ctx.tabId }),
        },
        {
          paymentRequest: record.paymentRequest,
          waitFinal: false,
          cltvLimit: record.cltvLimit,
          customRecords: { [DEPOSIT_KEY_RECORD]: bytesToHex(key.publicKey!) },
        },
      ));
    } catch (e) {
      // Refused before the ledger (limits, a "no", locked): nothing to track.
      if (!(await this.d.ledger.byHash(record.paymentHash))) await this.d.book.remove(record.paymentHash);
      throw e;
    }
    const first = await outcome.catch((e: unknown) => {
      if (isSatnavError(e) && e.code === 'NODE_BAD_INPUT') return undefined;
      throw e;
    });
    if (!first || first.status === 'FAILED') {
      await this.settle();
      throw error('PAYMENT_FAILED', 'the deposit could not be paid', first?.failureReason ?? 'not_sent');
    }
    if (first.status === 'SUCCEEDED') {
      // Settled at once: the site took it (recorded as forfeited; never followed by another offer of the same 402).
      await this.settle();
      throw error('DEPOSIT_TAKEN', 'the site settled the deposit at once', record.paymentHash);
    }
    this.follow();
    return this.untilHeld(record, key);
  }

  /**
   * Deposits over https only: on plain http anyone on the network could inject a deposit wall (and
   * read the credential). Loopback http only in the devnet build, for the demo.
   */
  private secureOrigins(...origins: string[]): void {
    for (const o of origins) {
      const u = new URL(o);
      if (u.protocol === 'https:' || (this.d.devBuild === true && u.protocol === 'http:' && isLoopbackHost(u.hostname))) continue;
      throw error('DEPOSIT_REFUSED', 'deposits only over https', o);
    }
  }

  /** Status until the site says "held" (its node ACCEPTED the HTLC); then the `hold` credential goes in place. */
  private async untilHeld(record: DepositRecord, key: HDKey): Promise<DepositRecord> {
    const deadline = this.now() + HELD_WAIT_MS;
    let r = record;
    for (;;) {
      const status = await this.ask(r, 'status', key).catch((e: unknown) => (isSatnavError(e) ? undefined : Promise.reject(e)));
      if (status) r = status.record;
      if (status?.state === 'held') break;
      const current = await this.d.book.get(r.paymentHash);
      // Ended, or released meanwhile (its tab closed): it will never open the page.
      if (current?.state !== 'paying') throw error('PAYMENT_FAILED', 'the deposit ended before it was held', current?.note ?? current?.state ?? 'gone');
      if (this.now() > deadline) throw error('PAYMENT_PENDING', 'the site has not confirmed the deposit yet', r.paymentHash);
      await sleep(HELD_POLL_MS);
    }
    const held = (await this.d.book.update(r.paymentHash, { state: 'held', heldAt: this.now(), lastVisitAt: this.now() })) ?? r;
    await this.putCredential(held, key);
    return held;
  }

  private async resumePaying(r: DepositRecord): Promise<void> {
    this.follow();
    const key = await this.keyOf(r);
    const status = await this.ask(r, 'status', key);
    if (status.state !== 'held') return;
    const held = (await this.d.book.update(r.paymentHash, { state: 'held', heldAt: this.now(), lastVisitAt: this.now() })) ?? status.record;
    await this.putCredential(held, key);
  }

  /**
   * The site key of an active deposit. Deriving it needs the unlocked seed (and a
   * BIP39 stretch each time), so it is kept while the deposit lasts: in memory,
   * and in storage.session (memory only, closed to content scripts) so a
   * restarted worker — or a wallet that auto-locked while the person reads —
   * can still heartbeat and release. It signs for that one site only; it goes
   * when the deposit ends.
   */
  private async keyOf(r: DepositRecord): Promise<HDKey> {
    const name = `deposit.key.${r.paymentHash}`;
    const known = this.keys.get(name) ?? (await this.d.sessionKeys?.get<string>(name));
    if (typeof known === 'string' && /^[0-9a-f]{64}$/.test(known)) return new HDKey({ privateKey: hexToBytes(known) });
    const key = depositKeyFor(await this.d.root(), r.origin);
    await this.keepKey(r, key);
    return key;
  }

  private async keepKey(r: DepositRecord, key: HDKey): Promise<void> {
    const name = `deposit.key.${r.paymentHash}`;
    const hex = bytesToHex(key.privateKey!);
    this.keys.set(name, hex);
    await this.d.sessionKeys?.set({ [name]: hex });
  }

  private async forgetKey(r: DepositRecord): Promise<void> {
    const name = `deposit.key.${r.paymentHash}`;
    this.keys.delete(name);
    await this.d.sessionKeys?.remove([name]);
  }

  /** A status call: keeps the site's idle timer alive, brings a fresh nonce, and the credential is re-signed with it. */
  private async heartbeat(r: DepositRecord): Promise<void> {
    const key = await this.keyOf(r);
    const status = await this.ask(r, 'status', key);
    const checked = (await this.d.book.update(r.paymentHash, { checkedAt: this.now() })) ?? status.record;
    if (status.state === 'held') await this.putCredential(checked, key);
    else await this.settle();
  }

  private async putCredential(r: DepositRecord, key: HDKey): Promise<void> {
    await this.d.credential.put(r, this.sign(r, 'hold', key));
  }

  private sign(r: DepositRecord, action: DepositAction, key: HDKey): string {
    return formatDepositCredential(
      signDeposit(key, { action, origin: r.origin, realm: r.realm, paymentHash: r.paymentHash, nonce: r.nonce, timestamp: Math.floor(this.now() / 1000) }),
    );
  }

  /**
   * One signed call to the site's status or release endpoint. A refusal that
   * carries a fresh `Deposit-Nonce` (ours was stale) is retried once with it.
   */
  private async ask(r: DepositRecord, action: 'status' | 'release', key: HDKey): Promise<{ state: string; record: DepositRecord }> {
    let current = r;
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await this.d
        .fetch(action === 'status' ? current.status : current.release, {
          method: action === 'status' ? 'GET' : 'POST',
          headers: { Authorization: this.sign(current, action, key), Accept: 'application/json' },
          credentials: 'omit',
          redirect: 'manual',
          cache: 'no-store',
          signal: AbortSignal.timeout(SITE_TIMEOUT_MS),
        })
        .catch(() => undefined);
      if (!res) throw error('DEPOSIT_UNREACHABLE', 'the site did not answer', current.origin);
      const nonce = res.headers.get('deposit-nonce')?.trim().toLowerCase();
      if (nonce && /^[0-9a-f]{64}$/.test(nonce) && nonce !== current.nonce) current = (await this.d.book.update(current.paymentHash, { nonce })) ?? current;
      if (res.ok) {
        const body = await readJsonCapped(res);
        return { state: isRecord(body) && typeof body.state === 'string' ? body.state : 'unknown', record: current };
      }
      if (!(nonce && nonce !== r.nonce)) break;
    }
    throw error('DEPOSIT_CREDENTIAL_INVALID', `the site refused the ${action} request`, current.origin);
  }

  private async releaseOnce(paymentHash: string): Promise<void> {
    const r = await this.d.book.get(paymentHash);
    if (!r || !ACTIVE_STATES.has(r.state)) return;
    // Still "paying" for us but maybe held at the site (which may never say so): a release can't hurt once money may have moved.
    if (r.state === 'paying' && !(await this.d.ledger.byHash(paymentHash))) return;
    const releasing = (await this.d.book.update(paymentHash, { state: 'releasing', releaseAskedAt: r.releaseAskedAt ?? this.now() })) ?? r;
    await this.d.credential.drop(releasing);
    this.follow();
    const key = await this.keyOf(r);
    // The site's answer is advisory: the node's word (the payment stream, or settle) ends it.
    await this.ask(releasing, 'release', key).catch((e: unknown) => this.d.log?.('satnav deposit: release refused', isSatnavError(e) ? e.message : e));
  }

  private async releaseUnvisited(): Promise<void> {
    const open = await this.d.openOrigins();
    for (const r of await this.d.book.active()) {
      if (r.state !== 'held' && r.state !== 'paying') continue;
      if (open.has(r.paidBy)) await this.d.book.update(r.paymentHash, { lastVisitAt: this.now() });
      else await this.release(r.paymentHash);
    }
  }

  /**
   * One stream of every payment's final word while a deposit is active (one
   * connection for all of them: a browser allows six per host). A deposit's
   * word is recorded at once; a silent or broken stream is opened again.
   */
  private follow(): void {
    if (this.following) return;
    this.following = (async () => {
      while ((await this.d.book.active()).length > 0) {
        try {
          const node = await this.d.node();
          const stream = node.trackPayments((p) => void this.heard(p).catch((e) => this.d.log?.('satnav deposit: outcome', e)), { idleTimeoutMs: FOLLOW_IDLE_MS });
          // What ended before the stream was listening is asked of the node.
          await this.settle();
          await stream;
        } catch (e) {
          if (!(e instanceof SatnavError && e.code === 'NODE_TIMEOUT')) {
            this.d.log?.('satnav deposit: payment stream', e instanceof SatnavError ? e.code : e);
            await sleep(FOLLOW_RETRY_MS);
          }
        }
      }
    })().finally(() => (this.following = undefined));
  }

  private async heard(p: PaymentResult): Promise<void> {
    if (p.status === 'IN_FLIGHT') return;
    const r = await this.d.book.get(p.paymentHash);
    if (!r || !ACTIVE_STATES.has(r.state)) return;
    await this.d.payments.resolve(p);
    const entry = await this.d.ledger.byHash(p.paymentHash);
    if (entry?.status === 'refunded' || entry?.status === 'failed' || entry?.status === 'succeeded') await this.end(r, entry.status, entry.failureReason);
  }

  /** Ends an active deposit once (the payment stream and a settle may both hear the node's word). */
  private async end(r: DepositRecord, status: 'refunded' | 'failed' | 'succeeded', reason?: string): Promise<void> {
    const ended = await this.d.book.transition(r.paymentHash, (now) => {
      if (!ACTIVE_STATES.has(now.state)) return undefined;
      const state =
        status === 'succeeded' ? 'forfeited'
        : status === 'failed' || now.state === 'paying' ? 'failed'
        // Back without being released by us: the site's idle or max-hold release, or the time-lock.
        : now.releaseAskedAt === undefined ? 'expired'
        : 'refunded';
      return { state, endedAt: this.now(), ...(reason && { note: reason.slice(0, 256) }) };
    });
    if (!ended) return;
    await this.forgetKey(ended);
    await this.d.credential.drop(ended);
    this.d.notify({ kind: ended.state as DepositEvent['kind'], record: ended });
  }
}

function parse(wall: DepositWall, site: Origin): DepositChallenge {
  const challenge = parseDepositChallenge(wall.wwwAuthenticate.join(', '), site);
  if (!challenge) throw error('DEPOSIT_CHALLENGE_INVALID', 'no Deposit challenge', wall.url);
  return challenge;
}

/**
 * Where the deposit was asked from, when that is not the site itself: a frame inside another page,
 * or a resource of another site on the page (an image of a1.evil.example on news.example). The
 * policy then asks instead of holding on its own.
 */
function askedFrom(site: Origin, ctx: PageContext): { embeddedIn?: Origin | null } {
  const framed = embedding(ctx);
  if ('embeddedIn' in framed) return framed;
  return registrableDomain(site) === registrableDomain(ctx.origin) ? {} : { embeddedIn: ctx.origin };
}

function heartbeatMs(r: DepositRecord): number {
  return Math.min(MAX_HEARTBEAT_MS, Math.max(MIN_HEARTBEAT_MS, (r.idleSeconds * 1000) / 3));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A site's status answer is a few fields: more than this is not read (nor waited for past the timeout). */
async function readJsonCapped(res: Response): Promise<unknown> {
  const reader = res.body?.getReader();
  if (!reader) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_SITE_ANSWER) return undefined;
      chunks.push(value);
    }
  } catch {
    return undefined;
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  try {
    return JSON.parse(new TextDecoder().decode(concatBytes(...chunks)));
  } catch {
    return undefined;
  }
}

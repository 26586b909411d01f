import type { PageContext } from '../../../src/base/origin.ts';
import { isSatnavError, moduleErrors } from '../../../src/errors.ts';
import { offersDeposit } from '../../../src/deposit/challenge.ts';
import type { DepositWall } from '../../../src/deposit/keeper.ts';
import { sessionOffers, type SessionWall } from '../../../src/deposit/session.ts';
import type { Credential } from '../../../src/paywall/credentials.ts';
import type { WallObservation, WallPayer } from '../../../src/paywall/payer.ts';
import { isBusted } from '../../content/refetch.ts';
import { budgetContext } from './context.ts';
import { PageWalls, type Seen402 } from './observations.ts';
import type { RuleBook } from './rules.ts';

/**
 * The worker's side of 402 walls, between what the browser saw (webRequest),
 * the payer core (src/paywall: whether and what to pay) and the header rules:
 *
 *   fetch/XHR 402  → wait for the provider's question → open → {retry}
 *   element / iframe / navigation 402 → open on our own → ask the element again / reload the tab
 *
 * `open` never adds a purchase of its own: a credential already held for the
 * path whose rule was missing (browser restart, eviction) or came after the
 * request left is put (back) in place without asking the payer; everything
 * else is the payer's single flight. Questions to the person come one at a
 * time per site (the approvals refuse a second concurrent one): the first 402
 * of a site not yet enabled asks, the others wait for its answer.
 *
 * A worker killed mid-payment: the element and navigation walls being opened
 * are kept in storage.session; the next worker life recovers the purchase
 * (payer.recover) and finishes them without paying (`resume`). While such a
 * purchase is still in flight nothing more is bought for that site: the
 * payer's single flight lived in the dead life's memory (`leftBehind`).
 */
const error = moduleErrors('paywall');

export const PAGE_WAIT_MS = 2_000;
/** Longer than any payment's timeout (60 s) plus a restart. */
export const ACTION_TTL_MS = 120_000;
/** A navigation reloaded by us that meets its wall again is not paid again. */
export const RELOAD_GUARD_MS = 60_000;

/** Resource types the worker opens on its own (it can make them load again); fetch/XHR wait for the page's provider. */
export const OWN_TYPES: ReadonlySet<string> = new Set(['main_frame', 'sub_frame', 'image', 'media', 'font', 'script', 'stylesheet', 'object']);

export interface OpenerDeps {
  payer: Pick<WallPayer, 'access' | 'list' | 'consumed' | 'recover'>;
  rules: Pick<RuleBook, 'entry' | 'install' | 'sync' | 'spend' | 'spent' | 'forgetSpent'>;
  isUnlocked(): Promise<boolean>;
  /** Ask the person to unlock; rejects when they don't. */
  unlock(ctx: PageContext): Promise<void>;
  /** Whether the site is enabled already (paying needs no question about it). */
  siteEnabled(origin: string): Promise<boolean>;
  /** Settle payments a dead worker left in flight (before recovering purchases). */
  reconcile(): Promise<void>;
  /** When each unresolved 402 payment of this paying site was started (the ledger's word). */
  unresolvedPurchases(origin: string): Promise<number[]>;
  /** Where the tab is (its committed URL), undefined when gone. */
  tabUrl(tabId: number): Promise<string | undefined>;
  /** Resolves true once the tab shows `url` (a 402 document may still be committing), false after a while. */
  waitForTabUrl(tabId: number, url: string): Promise<boolean>;
  reloadTab(tabId: number): Promise<void>;
  /** Have that document's elements ask for `url` again (content/refetch.ts). */
  refetch(tabId: number, frameId: number, url: string, documentId?: string): Promise<void>;
  /** Element and navigation walls being opened, for the next worker life. */
  actions: { get(): Promise<PendingAction[]>; set(list: PendingAction[]): Promise<void> };
  walls: PageWalls;
  /** Deposit walls (src/deposit/keeper.ts): a 402 offering a Deposit is opened there, origin-wide. */
  deposits?: { open(wall: DepositWall): Promise<unknown> };
  /** Custodial deposits (Payment intent="session", src/deposit/session.ts): opened there, origin-wide. */
  sessions?: { open(wall: SessionWall): Promise<unknown> };
  log?: (...args: unknown[]) => void;
  now?: () => number;
  /** How long the page's question waits for the browser's report of its 402 (PAGE_WAIT_MS). */
  pageWaitMs?: number;
}

export interface PendingAction {
  seen: Seen402;
  ctx: PageContext;
  at: number;
  /** The worker life that started it: only a dead life's actions are resumed. */
  life: string;
}

export type Outcome = 'opened' | 'page' | 'not-ours' | 'retry-refused' | 'reload-refused' | 'duplicate' | 'failed';

export class WallOpener {
  private readonly now: () => number;
  private readonly asking = new Map<string, Promise<unknown>>();
  private readonly handling = new Set<string>();
  private readonly reloads = new Map<string, number>();
  private unlocking: Promise<void> | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private readonly life = Math.random().toString(36).slice(2);
  private readonly bornAt: number;
  /** storage.session read-modify-writes of the pending actions, one at a time. */
  private actionsTail: Promise<void> = Promise.resolve();

  constructor(private readonly d: OpenerDeps) {
    this.now = d.now ?? Date.now;
    this.bornAt = this.now();
  }

  /** A 402 the browser reported: kept for the page's provider, or opened here. */
  async seen(seen: Seen402): Promise<Outcome> {
    if (!OWN_TYPES.has(seen.type)) {
      this.d.walls.add(seen);
      return 'page';
    }
    // Our own retry refused again: the credential we just put in place did not open it; paying again would loop.
    if (isBusted(seen.url)) return 'retry-refused';
    const key = `${seen.tabId} ${seen.frameId} ${seen.url}`;
    if (seen.type === 'main_frame') {
      const at = this.reloads.get(`${seen.tabId} ${seen.url}`);
      if (at !== undefined) {
        this.reloads.delete(`${seen.tabId} ${seen.url}`);
        if (this.now() - at < RELOAD_GUARD_MS) return 'reload-refused';
      }
    }
    if (this.handling.has(key)) return 'duplicate';
    this.handling.add(key);
    try {
      const needsTop = seen.type !== 'main_frame' && (seen.type === 'sub_frame' ? seen.parentFrameId : seen.frameId) !== 0;
      const ctx = budgetContext(seen, needsTop ? await this.d.tabUrl(seen.tabId) : undefined);
      if (!ctx) return 'not-ours';
      const action: PendingAction = { seen, ctx, at: this.now(), life: this.life };
      await this.changeActions((list) => [...list, action]);
      try {
        await this.open({ url: seen.url, headers: seen.headers, ctx, sentAt: seen.sentAt });
        await this.reload(seen);
        return 'opened';
      } finally {
        await this.changeActions((list) => list.filter((a) => !sameAction(a, action)));
      }
    } catch (e) {
      this.d.log?.('satnav paywall: not opened', seen.type, seen.url, isSatnavError(e) ? e.code : e);
      return 'failed';
    } finally {
      this.handling.delete(key);
    }
  }

  /** A navigation of the tab loaded without a wall: a reload of ours worked, so the guard against looping goes. */
  loaded(tabId: number, url: string): void {
    this.reloads.delete(`${tabId} ${url}`);
  }

  /** The page's provider met a 402 at `url`: open it from our own sighting, then it retries once. */
  async fromPage(ctx: PageContext, url: string): Promise<{ retry: boolean }> {
    if (ctx.tabId === undefined) return { retry: false };
    const seen = await this.d.walls.take(ctx.tabId, ctx.origin, url, this.d.pageWaitMs ?? PAGE_WAIT_MS);
    if (!seen) return { retry: false };
    // Asked again after the worker died mid-purchase (the bridge asks once more, content/relay.ts): only what it recovered opens it.
    if (seen.restored) return { retry: (await this.reopen(new URL(seen.url), ctx)) !== undefined };
    await this.open({ url: seen.url, headers: seen.headers, ctx, sentAt: seen.sentAt });
    return { retry: true };
  }

  /** The credential that opens `obs.url`, in place as a header rule when this resolves (undefined: a deposit's rule). */
  async open(obs: WallObservation): Promise<Credential | undefined> {
    await this.unlocked(obs.ctx);
    if (this.d.deposits && offersDeposit(obs.headers.wwwAuthenticate)) {
      try {
        await this.d.deposits.open({ url: obs.url, wwwAuthenticate: obs.headers.wwwAuthenticate, ctx: obs.ctx });
        return undefined;
      } catch (e) {
        // A deposit Satnav won't hold, beside an ordinary offer: that one is paid instead (never after a person's "no").
        if (!(isSatnavError(e) && DEPOSIT_FALLBACK.has(e.code) && offersMore(obs))) throw e;
      }
    }
    if (this.d.sessions && sessionOffers(obs.headers.wwwAuthenticate).length > 0) {
      await this.d.sessions.open({ url: obs.url, wwwAuthenticate: obs.headers.wwwAuthenticate, ctx: obs.ctx, sentAt: obs.sentAt });
      return undefined;
    }
    const url = new URL(obs.url);
    const held = await this.heldFor(url);
    if (held) {
      const entry = await this.d.rules.entry(held.id, url.pathname);
      // The request never carried it (no rule then): put it in place, nothing to buy.
      if (!entry || entry.installedAt > obs.sentAt) {
        await this.d.rules.install(held, url.pathname);
        return held;
      }
    }
    if (await this.leftBehind(obs.ctx.origin)) {
      const recovered = await this.heldFor(url);
      if (recovered && recovered.id !== held?.id) {
        await this.d.rules.install(recovered, url.pathname);
        return recovered;
      }
    }
    const { credential, stored } = await this.oneQuestionAtATime(obs.ctx.origin, () => this.d.payer.access(obs));
    // Not waited for: a credential whose write failed comes back from its pending purchase at the next refresh.
    stored.catch((e: unknown) => this.d.log?.('satnav paywall: credential not stored yet', e));
    await this.d.rules.install(credential, url.pathname);
    return credential;
  }

  /**
   * A purchase for this site that a dead worker life left unresolved (the
   * payer's single flight lived in that life's memory): settled and recovered
   * first (true when there was one). Still in flight: nothing is bought, a
   * second purchase could pay twice; the page keeps its 402 until it resolves.
   */
  private async leftBehind(origin: string): Promise<boolean> {
    const before = (await this.d.unresolvedPurchases(origin)).filter((at) => at < this.bornAt);
    if (before.length === 0) return false;
    await this.refresh();
    if ((await this.d.unresolvedPurchases(origin)).some((at) => at < this.bornAt))
      throw error('PAYMENT_PENDING', 'a 402 purchase a stopped worker left is still in flight for', origin);
    return true;
  }

  /**
   * At a worker start and after an unlock: payments a dead worker left are
   * settled, paid purchases become credentials, the rules match the
   * credentials held, and walls being opened when the worker died are finished.
   */
  refresh(): Promise<void> {
    // Asked again while running (a vault change mid-way): one more round after this one, not a parallel one.
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        try {
          if (!(await this.d.isUnlocked())) return;
          await this.d.reconcile().catch((e) => this.d.log?.('satnav paywall: reconcile deferred', e));
          await this.d.payer.recover();
          await this.tellSpent();
          await this.d.rules.sync(() => this.d.payer.list());
          await this.resume();
        } catch (e) {
          this.d.log?.('satnav paywall: refresh failed', e);
        }
      } while (this.refreshAgain);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** The server answered a request to `url` that left at `sentAt`: a one-shot credential it carried is spent. */
  async answered(url: string, sentAt: number): Promise<void> {
    const ids = await this.d.rules.spend(url, sentAt);
    if (ids.length > 0 && (await this.d.isUnlocked())) await this.tellSpent();
  }

  private async tellSpent(): Promise<void> {
    const ids = await this.d.rules.spent();
    if (ids.length === 0) return;
    for (const id of ids) await this.d.payer.consumed(id);
    await this.d.rules.forgetSpent(ids);
  }

  /** Walls a dead worker was opening: finished with what was recovered, never with a new purchase. */
  private async resume(): Promise<void> {
    let left: PendingAction[] = [];
    await this.changeActions((list) => {
      left = list.filter((a) => a.life !== this.life && this.now() - a.at < ACTION_TTL_MS);
      return list.filter((a) => a.life === this.life);
    });
    for (const { seen, ctx } of left) {
      try {
        // A deposit the dead life was paying is finished, not paid twice (the keeper's records survive).
        if (this.d.deposits && offersDeposit(seen.headers.wwwAuthenticate)) {
          await this.d.deposits.open({ url: seen.url, wwwAuthenticate: seen.headers.wwwAuthenticate, ctx });
          await this.reload(seen);
        } else if (await this.reopen(new URL(seen.url))) await this.reload(seen);
      } catch (e) {
        this.d.log?.('satnav paywall: not resumed', seen.url, e);
      }
    }
  }

  /**
   * Puts a credential already held for `url` in place, buying nothing: for
   * what a dead worker life was opening, whose purchase may still be in flight
   * (a second one would pay twice). Undefined when none is held (yet).
   */
  private async reopen(url: URL, ctx?: PageContext): Promise<Credential | undefined> {
    if (ctx) await this.unlocked(ctx);
    else if (!(await this.d.isUnlocked())) return undefined;
    const held = await this.heldFor(url);
    if (held) await this.d.rules.install(held, url.pathname);
    return held;
  }

  private async heldFor(url: URL): Promise<Credential | undefined> {
    const spent = await this.d.rules.spent();
    return (await this.d.payer.list()).find((c) => c.origin === url.origin && c.paths.includes(url.pathname) && !spent.includes(c.id));
  }

  private async reload(seen: Seen402): Promise<void> {
    if (seen.type === 'main_frame') {
      // Reloading a POST would resend a form; the person reloads it if they want.
      if (seen.method !== 'GET') return;
      if (!(await this.d.waitForTabUrl(seen.tabId, seen.url))) return;
      for (const [key, at] of this.reloads) if (this.now() - at >= RELOAD_GUARD_MS) this.reloads.delete(key);
      this.reloads.set(`${seen.tabId} ${seen.url}`, this.now());
      await this.d.reloadTab(seen.tabId);
      return;
    }
    // An iframe is asked again by the document that holds the <iframe> element.
    if (seen.type === 'sub_frame') await this.d.refetch(seen.tabId, seen.parentFrameId, seen.url);
    else await this.d.refetch(seen.tabId, seen.frameId, seen.url, seen.documentId);
  }

  private async unlocked(ctx: PageContext): Promise<void> {
    if (await this.d.isUnlocked()) return;
    this.unlocking ??= this.d.unlock(ctx).finally(() => (this.unlocking = undefined));
    await this.unlocking;
    // Rules are rebuilt from the credentials now readable before anything is bought.
    await this.refresh();
  }

  /**
   * A site that is not enabled yet is asked about once: its other 402s wait
   * for that answer (the approvals would refuse a second question at once), and
   * fail with it when it was no.
   */
  private async oneQuestionAtATime<T>(origin: string, fn: () => Promise<T>): Promise<T> {
    for (;;) {
      const ahead = this.asking.get(origin);
      if (ahead) {
        try {
          await ahead;
        } catch (e) {
          if (isSatnavError(e) && e.code === 'REJECTED') throw e;
        }
        continue;
      }
      const enabled = await this.d.siteEnabled(origin);
      // Another wall of the site started asking while we looked: wait for it instead.
      if (this.asking.has(origin)) continue;
      if (enabled) return fn();
      const run = fn();
      this.asking.set(origin, run);
      try {
        return await run;
      } finally {
        if (this.asking.get(origin) === run) this.asking.delete(origin);
      }
    }
  }

  private changeActions(fn: (list: PendingAction[]) => PendingAction[]): Promise<void> {
    const next = this.actionsTail.then(async () => this.d.actions.set(fn(await this.d.actions.get())));
    this.actionsTail = next.catch(() => undefined);
    return next;
  }
}

const DEPOSIT_FALLBACK: ReadonlySet<string> = new Set(['DEPOSIT_REFUSED', 'DEPOSITS_NOT_ALLOWED', 'DEPOSIT_CHALLENGE_INVALID']);

function offersMore(obs: WallObservation): boolean {
  return obs.headers.paymentRequired !== null || obs.headers.wwwAuthenticate.some((h) => /(^|[\s,])(l402|lsat|payment)\s/i.test(h));
}

function sameAction(a: PendingAction, b: PendingAction): boolean {
  return a.life === b.life && a.at === b.at && a.seen.url === b.seen.url && a.seen.tabId === b.seen.tabId && a.seen.frameId === b.seen.frameId;
}

import browser from 'webextension-polyfill';
import type { PageContext } from '../../../src/base/origin.ts';
import { moduleErrors } from '../../../src/errors.ts';
import { parseChallenges } from '../../../src/l402/challenge.ts';
import { unlockRequest } from '../../../src/webln/approval.ts';
import { BUST_PARAM, refetch } from '../../content/refetch.ts';
import { depositAlarm } from '../deposits.ts';
import type { Services } from '../services.ts';
import { storageArea } from '../storage-area.ts';
import { PageWalls, SentTimes, seen402, withoutHash, type HeadersReceivedDetails, type RequestDetails, type Seen402 } from './observations.ts';
import { OWN_TYPES, WallOpener, type PendingAction } from './opener.ts';
import { RuleBook, type SessionRule } from './rules.ts';
import { headerRulesApi, hearSends } from '../rule-api.ts';

/**
 * Browser wiring of the 402 glue (see opener.ts for what it does). worker.ts
 * registers the listeners at top level and hands their events here; nothing
 * here waits for the services before recording what the browser reported.
 *
 * Permissions: webRequest (observing only: 402 status and challenge headers;
 * when a request to a header rule's origin left), declarativeNetRequestWithHostAccess (the session
 * rules that add a credential's header to its own server's requests), scripting
 * (running content/refetch.ts in a document whose element met a paid wall).
 */
const error = moduleErrors('paywall');

/** The vault's session key appears: unlocked (vault.ts keeps it under this key). */
const VAULT_SESSION_KEY = 'vault.session';
/** The encrypted vault, where credentials live: a change may add or drop some. */
const VAULT_RECORD_KEY = 'vault.record';
const WALLS_KEY = 'paywall.walls';
const ACTIONS_KEY = 'paywall.actions';
const TAB_COMMIT_WAIT_MS = 5_000;
const SYNC_DEBOUNCE_MS = 250;

let current: WallGlue | undefined;

/** The page method `paywall` ({url}): routed here by the WebLN service. */
export function openWallForPage(ctx: PageContext, url: string): Promise<{ retry: boolean }> {
  if (!current) throw error('UNSUPPORTED_METHOD', 'no 402 glue in this context');
  return current.fromPage(ctx, url);
}

export class WallGlue {
  private readonly sentTimes = new SentTimes();
  private readonly session = storageArea('session');
  private readonly rules = new RuleBook(headerRulesApi<SessionRule>(), this.session);
  private readonly walls: PageWalls;
  private readonly opener: Promise<WallOpener>;
  private started: Promise<void> | undefined;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly services: Promise<Services>) {
    const session = this.session;
    // A restored sighting is never paid (its purchase may be in flight): its challenge is not kept, a tenth of the write.
    const kept = (list: Seen402[]) => list.map((seen) => ({ ...seen, headers: { wwwAuthenticate: [], paymentRequired: null } }));
    this.walls = new PageWalls({ onChange: (list) => void session.set({ [WALLS_KEY]: kept(list) }).catch(() => undefined) });
    const restored = session.get<Seen402[]>(WALLS_KEY).then((list) => this.walls.restore(Array.isArray(list) ? list : []));
    this.opener = Promise.all([services, restored]).then(([svc]) => new WallOpener(this.deps(svc)));
    current = this;
    void hearSends((d) => this.sent(d)).catch((e: unknown) => console.warn('satnav paywall: send times', e));
  }

  /** Once per worker life, after the ledger was reconciled: recover purchases, rebuild rules, finish what a dead worker left. */
  start(): Promise<void> {
    this.started ??= this.opener.then((o) => o.refresh());
    return this.started;
  }

  /** webRequest.onSendHeaders, for the origins of the header rules (send-watch.ts); a request Chrome restarts internally reports again. */
  private sent(d: RequestDetails): void {
    this.sentTimes.sent(d.requestId, d.timeStamp);
  }

  /** webRequest.onHeadersReceived (every http(s) response): one-shot credentials spent, 402s with a challenge kept or opened. */
  headersReceived(d: HeadersReceivedDetails): void {
    const sentAt = this.sentTimes.take(d.requestId);
    // Spent once the server answered a request that carried it (not when sent: Chrome may restart a request before it
    // reaches the server, and the restarted one would go without the header).
    if (sentAt !== undefined && this.rules.hasOneShot())
      void this.opener.then((o) => o.answered(d.url, sentAt)).catch((e) => console.warn('satnav paywall: spend', e));
    if (d.type === 'main_frame' && d.statusCode !== 402) void this.opener.then((o) => o.loaded(d.tabId, withoutHash(d.url)));
    const seen = seen402(d, sentAt);
    if (!seen) return;
    // The page's provider is about to ask for it: kept at once, before anything else is ready.
    if (!OWN_TYPES.has(seen.type)) {
      this.walls.add(seen);
      // Its offers read now (each invoice's signature checked, ~2.5 ms), while the page's question is on its way:
      // the opener and the payer then find them read (l402/challenge.ts keeps them).
      setTimeout(() => void this.readAhead(seen), 0);
      return;
    }
    void this.ready()
      .then((o) => o.seen(seen))
      .catch((e) => console.warn('satnav paywall:', e));
  }

  async fromPage(ctx: PageContext, url: string): Promise<{ retry: boolean }> {
    return (await this.ready()).fromPage(ctx, url);
  }

  /** storage.onChanged: an unlock rebuilds everything; a changed vault may hold other credentials. */
  storageChanged(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string): void {
    const unlock = area === 'session' && changes[VAULT_SESSION_KEY] && changes[VAULT_SESSION_KEY].oldValue === undefined && changes[VAULT_SESSION_KEY].newValue !== undefined;
    if (unlock) {
      void this.ready().then((o) => o.refresh());
      return;
    }
    if (area !== 'local' || !changes[VAULT_RECORD_KEY]) return;
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => void this.ready().then((o) => o.refresh()), SYNC_DEBOUNCE_MS);
  }

  /** The person revoked credentials (Paid access): their header rules go at once. */
  dropRules(credentialIds: readonly string[]): Promise<void> {
    return this.rules.drop(credentialIds);
  }

  /** The reconcile alarm: a purchase left in flight may have settled since. */
  refresh(): Promise<void> {
    return this.ready().then((o) => o.refresh());
  }

  private async ready(): Promise<WallOpener> {
    await this.start();
    return this.opener;
  }

  private deps(svc: Services): ConstructorParameters<typeof WallOpener>[0] {
    return {
      payer: svc.paywall,
      rules: this.rules,
      sessions: {
        open: async (wall) => {
          // Closed when its site's tabs are gone: the tick notices too.
          await depositAlarm(true);
          await svc.sessions.open(wall);
        },
      },
      deposits: {
        open: async (wall) => {
          // Before paying: a worker that dies mid-deposit is woken by it to finish the deposit; then heartbeats and the node's word.
          await depositAlarm(true);
          return svc.deposits.open(wall);
        },
      },
      walls: this.walls,
      isUnlocked: async () => (await svc.vault.status()).unlocked,
      unlock: async (ctx) => {
        const answer = await svc.approvals.ask(unlockRequest(ctx), ctx.tabId !== undefined ? { tabId: ctx.tabId } : {});
        if (!answer.approved) throw error('REJECTED', 'the person declined', 'unlock');
      },
      siteEnabled: async (origin) => (await svc.policy.getSite(origin))?.enabled === true,
      reconcile: async () => void (await svc.payments.reconcile()),
      unresolvedPurchases: async (origin) => (await svc.ledger.pending()).filter((e) => e.source === 'l402' && e.origin === origin).map((e) => e.createdAt),
      tabUrl: async (tabId) => (await browser.tabs.get(tabId).catch(() => undefined))?.url,
      waitForTabUrl: (tabId, url) => waitForTabUrl(tabId, url),
      reloadTab: (tabId) => browser.tabs.reload(tabId),
      refetch: async (tabId, frameId, url, documentId) => {
        // In the page's world, injected only now (content/refetch.ts): the page's loads stay its own, no page carries the code.
        const target = documentId !== undefined ? { tabId, documentIds: [documentId] } : { tabId, frameIds: [frameId] };
        const args = [url, BUST_PARAM, String(Date.now())];
        // Not waited for: it returns only once the page's main thread ran it, and a busy page must not hold the worker.
        void browser.scripting.executeScript({ target, world: 'MAIN', injectImmediately: true, func: refetch as (...a: unknown[]) => number, args }).catch(() => undefined);
      },
      actions: {
        get: async () => {
          const list = await this.session.get<PendingAction[]>(ACTIONS_KEY);
          return Array.isArray(list) ? list : [];
        },
        set: (list) => this.session.set({ [ACTIONS_KEY]: list }),
      },
      log: (...args) => console.warn(...args),
    };
  }

  /** Only where a wall may be paid without asking: a page can make as many 402s as it likes, each a signature to check. */
  private async readAhead(seen: Seen402): Promise<void> {
    const { policy } = await this.services;
    if (!seen.initiator || !(await policy.getConfig()).global.l402.autoPay) return;
    const site = await policy.getSite(seen.initiator).catch(() => undefined);
    if (!site?.enabled || site.paused) return;
    try {
      parseChallenges(seen.headers);
    } catch {
      // No offer to pay (a deposit, garbage): the opener says so if the page asks.
    }
  }
}

/** True once the tab's committed URL is `url` (the 402 document may commit after the purchase), false after a while or when it went elsewhere. */
function waitForTabUrl(tabId: number, url: string): Promise<boolean> {
  const shows = (u: string | undefined) => u !== undefined && withoutHash(u) === url;
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      browser.tabs.onUpdated.removeListener(onUpdated);
      resolve(ok);
    };
    const onUpdated = (id: number, _change: unknown, tab: { url?: string }) => {
      if (id === tabId && shows(tab.url)) finish(true);
    };
    const timer = setTimeout(() => finish(false), TAB_COMMIT_WAIT_MS);
    browser.tabs.onUpdated.addListener(onUpdated);
    browser.tabs.get(tabId).then(
      (tab) => {
        if (shows(tab.url)) finish(true);
      },
      () => finish(false),
    );
  });
}

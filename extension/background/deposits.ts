import browser from 'webextension-polyfill';
import type { DepositRecord } from '../../src/deposit/book.ts';
import type { DepositEvent, KeeperDeps } from '../../src/deposit/keeper.ts';
import type { KeyValueStore } from '../../src/storage/kv.ts';
import type { MessageKey } from '../ui/i18n.ts';
import { Mutex } from '../../src/storage/mutex.ts';
import { RESOURCE_TYPES } from './paywall/rules.ts';
import { headerRulesApi } from './rule-api.ts';
import type { HeaderRulesApi } from './paywall/send-watch.ts';

/**
 * Browser wiring of deposit walls (the logic is src/deposit/keeper.ts):
 *
 * | what                     | how                                                                  |
 * | ------------------------ | -------------------------------------------------------------------- |
 * | the `hold` credential    | one declarativeNetRequest session rule per deposit, every path of its origin, tab requests only (the worker's own release/status calls carry their own header) |
 * | which sites are visited  | the origins of the open tabs (`tabs.query`; host access gives their URLs) |
 * | a site's last tab closed | tabs.onRemoved / onUpdated → keeper.tabsChanged (released after a grace) |
 * | heartbeat, node's word   | the DEPOSIT_ALARM every 30 s while a deposit is active               |
 * | refund, forfeit          | a system notification naming the site                                |
 */
export const DEPOSIT_ALARM = 'satnav:deposits';
export const DEPOSIT_RULE_ID_MIN = 2_000_000;
export const DEPOSIT_RULE_ID_MAX = 2_049_999;
/** Each deposit has two rules: `id` (the site's own requests) and `id + NAVIGATION_RULE_OFFSET` (top-level visits). */
export const NAVIGATION_RULE_OFFSET = 50_000;
const RULES_KEY = 'deposit.rules';
/** Requests not made by a tab (the worker's own) have this tab id. */
const TAB_ID_NONE = -1;

/** The tick alarm runs while a deposit is active (every 30 s, Chrome's shortest); created once, not reset. */
export async function depositAlarm(active: boolean): Promise<void> {
  if (!active) return void (await browser.alarms.clear(DEPOSIT_ALARM));
  if (!(await browser.alarms.get(DEPOSIT_ALARM))) await browser.alarms.create(DEPOSIT_ALARM, { periodInMinutes: 0.5 });
}

export interface DepositRule {
  id: number;
  priority: number;
  condition: {
    urlFilter: string;
    isUrlFilterCaseSensitive: boolean;
    resourceTypes: readonly string[];
    excludedTabIds: number[];
    initiatorDomains?: string[];
    requestMethods?: string[];
  };
  action: { type: 'modifyHeaders'; requestHeaders: Array<{ header: string; operation: 'set'; value: string }> };
}

type DnrApi = Pick<HeaderRulesApi<DepositRule>, 'updateSessionRules'>;

/**
 * The credential goes on every path of `origin` (a deposit opens the whole site), but only on
 *
 * | rule       | requests                                                    | why                                   |
 * | ---------- | ----------------------------------------------------------- | ------------------------------------- |
 * | `id`       | any type, made by a page of the site itself (initiator)     | the site's own pages, images, fetches, forms |
 * | `id + 50k` | top-level GET navigations, from anywhere (typed, links)     | visiting the site                      |
 *
 * so another site's page can't make the browser send it (an image, a form POST to an "abuse"
 * endpoint: a forced forfeit). Tab requests only: the worker's own release and status calls carry
 * their own. Above the 402 credentials' rules. A left-anchored urlFilter, not a regex: Chrome allows
 * 1,000 regex rules in all, the 402 rules use them, and a person may hold deposits at hundreds of
 * sites. An origin holds none of the filter's special characters (`*`, `^`, `|`).
 */
export function depositRules(id: number, origin: string, header: string): [DepositRule, DepositRule] {
  const base = { urlFilter: `|${origin}/`, isUrlFilterCaseSensitive: false, excludedTabIds: [TAB_ID_NONE] };
  const action = { type: 'modifyHeaders' as const, requestHeaders: [{ header: 'Authorization', operation: 'set' as const, value: header }] };
  return [
    { id, priority: 2, condition: { ...base, resourceTypes: RESOURCE_TYPES, initiatorDomains: [new URL(origin).hostname] }, action },
    { id: id + NAVIGATION_RULE_OFFSET, priority: 2, condition: { ...base, resourceTypes: ['main_frame'], requestMethods: ['get'] }, action },
  ];
}

/** What a header rule is for: a deposit (its payment hash) or a custodial session (its id), on one origin. */
export interface HeldAt {
  key: string;
  origin: string;
}

/** Rule ids by deposit or session, in storage.session: a restarted worker replaces and removes the rules it made. */
export class DepositRules {
  private readonly mutex = new Mutex();

  constructor(
    private readonly dnr: DnrApi,
    private readonly session: KeyValueStore,
  ) {}

  put(held: HeldAt, header: string): Promise<void> {
    return this.mutex.run(async () => {
      const ids = await this.ids();
      const used = new Set(Object.values(ids));
      const id = ids[held.key] ?? freeId(used);
      await this.dnr.updateSessionRules({ removeRuleIds: [id, id + NAVIGATION_RULE_OFFSET], addRules: depositRules(id, held.origin, header) });
      await this.session.set({ [RULES_KEY]: { ...ids, [held.key]: id } });
    });
  }

  drop(held: Pick<HeldAt, 'key'>): Promise<void> {
    return this.mutex.run(async () => {
      const ids = await this.ids();
      const id = ids[held.key];
      if (id === undefined) return;
      await this.dnr.updateSessionRules({ removeRuleIds: [id, id + NAVIGATION_RULE_OFFSET] });
      delete ids[held.key];
      await this.session.set({ [RULES_KEY]: ids });
    });
  }

  private async ids(): Promise<Record<string, number>> {
    const raw = await this.session.get<Record<string, number>>(RULES_KEY);
    return raw && typeof raw === 'object' ? { ...raw } : {};
  }
}

function freeId(used: ReadonlySet<number>): number {
  for (let id = DEPOSIT_RULE_ID_MIN; id <= DEPOSIT_RULE_ID_MAX; id++) if (!used.has(id)) return id;
  throw new Error('deposit rules: no free id');
}

/** The one set of deposit and session header rules of this worker (one lock over their ids). */
export function headerRules(session: KeyValueStore): DepositRules {
  return new DepositRules(headerRulesApi<DepositRule>(), session);
}

/** The origins open tabs show now. */
export async function openOrigins(): Promise<Set<string>> {
  return new Set((await browser.tabs.query({})).flatMap((t) => (t.url ? [originOf(t.url)] : [])).filter((o): o is string => o !== undefined));
}

export function depositBrowserDeps(rules: DepositRules): Pick<KeeperDeps, 'credential' | 'openOrigins' | 'notify' | 'fetch'> {
  return {
    credential: { put: (r, header) => rules.put({ key: r.paymentHash, origin: r.origin }, header), drop: (r) => rules.drop({ key: r.paymentHash }) },
    openOrigins,
    notify: (e) => void notify(e).catch(() => undefined),
    fetch: (input, init) => fetch(input, init),
  };
}

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The browser's language (a notification can't wait for the pages' chosen catalog). */
const t = (key: MessageKey, substitutions?: string[]) => browser.i18n.getMessage(key, substitutions);

const TITLE: Record<DepositEvent['kind'], () => string> = {
  refunded: () => t('deposit_notifyRefundedTitle'),
  expired: () => t('deposit_notifyExpiredTitle'),
  forfeited: () => t('deposit_notifyForfeitedTitle'),
  failed: () => t('deposit_notifyFailedTitle'),
};

async function notify(e: DepositEvent): Promise<void> {
  const host = new URL(e.record.origin).host;
  await browser.notifications.create(`satnav-deposit-${e.record.paymentHash}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('icons/icon-128.png'),
    title: TITLE[e.kind](),
    message: t('deposit_notifyBody', [e.record.amountSat.toLocaleString(), host]),
  });
}

import type { ErrorCode } from '../error-codes.ts';
import { moduleErrors } from '../errors.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import { lockFor } from '../storage/mutex.ts';
import { parseWith } from '../storage/schema.ts';
import { assertOrigin, type Origin } from '../base/origin.ts';
import type { GrantableMethod } from '../base/page-methods.ts';
import { PAYMENT_SOURCES, type PaymentSource } from '../base/payment-kinds.ts';
import { assertSats } from '../base/sats.ts';
import {
  DEFAULT_SITE,
  feeLimitSat,
  globalPolicyPatch,
  migrateConfig,
  sitePolicyPatch,
  storedConfig,
  type GlobalPolicy,
  type GlobalPolicyPatch,
  type PolicyConfig,
  type SitePolicy,
  type SitePolicyPatch,
} from './config.ts';
import { localDate, periodStart, systemTimeZoneOffset, type TimeZoneOffset } from './period.ts';
import { registrableDomain } from '../base/site.ts';
import {
  addForfeit,
  addSpend,
  migrateSpend,
  prune,
  recordSettled,
  storedSpend,
  usage,
  type Reservation,
  type SpendState,
} from './spend.ts';

/**
 * Every payment goes through here: `reserve` (atomic check-and-hold) → pay →
 * `commit` (actual amount + fee) or `release`. Nothing lives in memory: each
 * call reads the store, so a restarted worker (a new engine on the same store)
 * still sees every hold.
 *
 * Approval rule: a person's approval can lift a payment over the per-payment
 * auto-approve ceiling, the site's allowance, the fee limit and the L402
 * auto-pay switch, but never over the global daily cap; that cap is the hard
 * ceiling, raised only by changing it in the settings.
 *
 * What a site can learn: a payment it chose that fits under the ceiling but
 * not its allowance, or not today's cap, is refused without a window, and the
 * page sees one code for both (the error table collapses them), the site's own
 * allowance checked first. Above the ceiling the person is asked, also when
 * today's cap blocks it, so the site can't tell the cap from a "no".
 */
export interface SpendRequest {
  /** From the browser (message sender), never from page data. */
  origin: Origin;
  amountSat: number;
  /** Routing-fee limit to send with; defaults to the global fee rule. */
  maxFeeSat?: number;
  /** What asked for the payment; budgets and switches follow it. */
  source: PaymentSource;
  /** The per-site WebLN grant the payment uses (a withdrawn grant denies it). */
  grant?: GrantableMethod;
  /** A payment the site chose on its own, or one the person chose (typed the amount, clicked send). */
  chosenBy: 'site' | 'person';
  /** The top-level origin when the asking frame sits inside another origin's page (`null`: unknown). */
  embeddedIn?: Origin | null;
  /**
   * The payment's worth in dollars at the RFQ quote used for it (an asset payment's own quote, or
   * for a BTC payment a quote fetched to value it): what dollar budgets are enforced with.
   */
  valuation?: Valuation;
}

/** A payment valued in the USD asset at one quote. */
export interface Valuation {
  /** amount + routing-fee limit, in the asset's raw units (micro-dollars for a 6-decimal USD coin), rounded up. */
  worstCaseUnits: bigint;
  /** The quote's rate: asset units per BTC = coefficient / 10^scale. */
  rate: { coefficient: bigint; scale: number };
  decimalDisplay: number;
  /** The RFQ quote id (hex), when the payment is made with it. */
  quoteId?: string;
}

export type Decision = 'auto' | 'prompt' | 'deny';

/** Stable codes, first matching row of `decide` wins. */
export type PolicyReason =
  | 'site_not_enabled' //     deny
  | 'site_paused' //          deny
  | 'method_not_granted' //   deny: WebLN grant for this kind of payment withdrawn
  | 'deposits_not_allowed' // deny
  | 'above_site_allowance' // deny when the site chose it under the ceiling, else prompt
  | 'daily_cap_exceeded' //   deny when the site chose it under the ceiling, else a prompt that can't be approved
  | 'embedded_frame' //       prompt: the asking frame is inside another origin's page
  | 'above_auto_approve' //   prompt: amount over the per-payment ceiling
  | 'above_fee_limit' //      prompt: requested max fee over the global fee rule
  | 'l402_auto_pay_off' //    prompt
  | 'above_deposit_limit' //  prompt: a deposit larger than the largest one held without asking
  | 'above_locked_limit' //   prompt: all deposits together would lock more than the limit
  | 'site_kept_a_deposit' //  prompt: this site (its registrable domain) kept a deposit in the last 30 days
  | 'above_forfeit_limit' //  prompt: were it kept too, today's forfeits would pass their limit
  | 'deposit_auto_hold_off' // prompt
  | 'within_budget'; //       auto

export interface Evaluation {
  decision: Decision;
  reason: PolicyReason;
  /** Whether the person's approval can let it through (never over the daily cap). */
  approvable: boolean;
  /** The fee limit the payment would be held (and must be sent) with. */
  maxFeeSat: number;
  remainingSiteSat: number;
  remainingDailySat: number;
}

export interface SiteView extends SitePolicy {
  origin: string;
  /** First local date of the current period. */
  periodStart: string;
  spentSat: number;
  heldSat: number;
  /** Locked in this site's deposits now (not spending). */
  lockedSat: number;
  remainingSat: number;
}

export interface DailyUsage {
  /** Today's local date. */
  day: string;
  capSat: number;
  spentSat: number;
  heldSat: number;
  remainingSat: number;
  /** Locked in deposits now, all sites, against `lockLimitSat`. */
  lockedSat: number;
  lockLimitSat: number;
}

export interface PolicyEngineOptions {
  store: KeyValueStore;
  now?: () => number;
  timeZoneOffsetMinutes?: TimeZoneOffset;
  /** Told once per distinct problem found in stored data; the engine falls back to safe values and goes on. */
  onIssue?: (issue: string) => void;
}

const CONFIG_KEY = 'policy:config';
const SPEND_KEY = 'policy:spend';
const err = moduleErrors('policy');

/** Error code `reserve` throws when a decision is not (or cannot be) overridden by approval. */
const REFUSAL_CODE: Record<Exclude<PolicyReason, 'within_budget'>, ErrorCode> = {
  site_not_enabled: 'SITE_NOT_ENABLED',
  site_paused: 'SITE_PAUSED',
  method_not_granted: 'METHOD_NOT_GRANTED',
  deposits_not_allowed: 'DEPOSITS_NOT_ALLOWED',
  daily_cap_exceeded: 'DAILY_CAP_EXCEEDED',
  above_site_allowance: 'BUDGET_EXCEEDED',
  embedded_frame: 'APPROVAL_REQUIRED',
  above_auto_approve: 'APPROVAL_REQUIRED',
  above_fee_limit: 'APPROVAL_REQUIRED',
  l402_auto_pay_off: 'APPROVAL_REQUIRED',
  above_deposit_limit: 'DEPOSIT_REFUSED',
  above_locked_limit: 'DEPOSIT_REFUSED',
  site_kept_a_deposit: 'DEPOSIT_REFUSED',
  above_forfeit_limit: 'DEPOSIT_REFUSED',
  deposit_auto_hold_off: 'APPROVAL_REQUIRED',
};

type Write = 'spend' | 'config' | 'both';

export class PolicyEngine {
  private readonly store: KeyValueStore;
  private readonly now: () => number;
  private readonly offset: TimeZoneOffset;
  private readonly onIssue: ((issue: string) => void) | undefined;
  private readonly reported = new Set<string>();

  constructor(opts: PolicyEngineOptions) {
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.offset = opts.timeZoneOffsetMinutes ?? systemTimeZoneOffset;
    this.onIssue = opts.onIssue;
  }

  async getConfig(): Promise<PolicyConfig> {
    return (await this.load()).config;
  }

  async updateGlobal(patch: GlobalPolicyPatch): Promise<GlobalPolicy> {
    const valid = parseWith(globalPolicyPatch, patch, invalidPatch);
    return this.transact('config', (config) => {
      config.global = { ...config.global, ...definedOnly(valid) };
      return config.global;
    });
  }

  async getSite(origin: string): Promise<SiteView | undefined> {
    assertOrigin(origin);
    const { config, state } = await this.load();
    const site = config.sites[origin];
    return site && siteView(origin, site, state, this.today());
  }

  /** Creates the site from `DEFAULT_SITE` (nothing granted) if new, then applies `patch`. */
  async upsertSite(origin: string, patch: SitePolicyPatch): Promise<SiteView> {
    assertOrigin(origin);
    const valid = parseWith(sitePolicyPatch, patch, invalidPatch);
    return this.transact('config', (config, state, today) => {
      const site: SitePolicy = { ...(config.sites[origin] ?? { ...DEFAULT_SITE, createdAt: this.now() }), ...definedOnly(valid) };
      config.sites[origin] = site;
      return siteView(origin, site, state, today);
    });
  }

  /**
   * Forgets the site's grants. Its holds stay until their payments resolve,
   * and its spend stays counted, so revoking and re-adding frees no budget.
   */
  async revokeSite(origin: string): Promise<boolean> {
    assertOrigin(origin);
    return this.transact('config', (config) => {
      const existed = origin in config.sites;
      delete config.sites[origin];
      return existed;
    });
  }

  async listSites(): Promise<SiteView[]> {
    const { config, state } = await this.load();
    const today = this.today();
    return Object.entries(config.sites)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([origin, site]) => siteView(origin, site, state, today));
  }

  async dailyUsage(): Promise<DailyUsage> {
    const { config, state } = await this.load();
    const day = this.today();
    const { spentSat, heldSat, lockedSat } = usage(state, day);
    const capSat = config.global.dailyCapSat;
    return { day, capSat, spentSat, heldSat, remainingSat: Math.max(0, capSat - spentSat - heldSat), lockedSat, lockLimitSat: config.global.deposits.maxLockedSat };
  }

  /** What `reserve` would do now, without holding anything (for the UI and to decide whether to prompt). */
  async evaluate(req: SpendRequest): Promise<Evaluation> {
    checkRequest(req);
    const { config, state } = await this.load();
    return decide(config, state, this.today(), req);
  }

  /**
   * Atomic check-and-hold of amount + max fee against the site's allowance
   * (in the period of today) and the global daily cap. Throws SatnavError with
   * the code from the decision's reason (SITE_NOT_ENABLED, SITE_PAUSED,
   * DAILY_CAP_EXCEEDED, BUDGET_EXCEEDED, APPROVAL_REQUIRED, ...) and details.
   * The hold has no expiry: an async or hold-invoice payment keeps it until resolved.
   */
  async reserve(req: SpendRequest & { approvedByUser: boolean }): Promise<Reservation> {
    checkRequest(req);
    if (typeof req.approvedByUser !== 'boolean') throw err('INVALID_REQUEST', 'invalid approvedByUser', req.approvedByUser);
    return this.transact('both', (config, state, today) => {
      const ev = decide(config, state, today, req);
      if (ev.decision === 'deny' || (ev.decision === 'prompt' && !(req.approvedByUser && ev.approvable))) {
        throw err(REFUSAL_CODE[ev.reason as keyof typeof REFUSAL_CODE], ev.reason, req.origin, {
          reason: ev.reason,
          origin: req.origin,
          requestedSat: req.amountSat + ev.maxFeeSat,
          remainingSiteSat: ev.remainingSiteSat,
          remainingDailySat: ev.remainingDailySat,
        });
      }
      const r: Reservation = {
        id: globalThis.crypto.randomUUID(),
        origin: req.origin,
        source: req.source,
        amountSat: req.amountSat,
        maxFeeSat: ev.maxFeeSat,
        approvedByUser: req.approvedByUser,
        day: today,
        createdAt: this.now(),
      };
      state.reservations[r.id] = r;
      const site = config.sites[req.origin];
      if (site) site.lastUsedAt = r.createdAt;
      return r;
    });
  }

  /**
   * The payment went out: its actual amount + fee replaces the hold, counted
   * in the period the hold was made in. Repeating it is a no-op. After a
   * `release` it still counts the spend (the node's word that money left wins).
   */
  async commit(reservationId: string, actual: { amountSat: number; feeSat: number }, opts: { forfeit?: boolean } = {}): Promise<void> {
    assertSats(actual.amountSat, 'amountSat');
    assertSats(actual.feeSat, 'feeSat');
    const spent = actual.amountSat + actual.feeSat;
    return this.transact('spend', (_config, state) => {
      const r = state.reservations[reservationId];
      if (r) {
        delete state.reservations[reservationId];
        addSpend(state, r.origin, r.day, spent);
        // A hold-invoice deposit that settled: the site kept it (a custodial deposit settles by design and is no forfeit).
        if (opts.forfeit) addForfeit(state, registrableDomain(r.origin), this.today(), spent);
        recordSettled(state, { id: r.id, outcome: 'committed', origin: r.origin, day: r.day });
        return;
      }
      const settled = findSettled(state, reservationId);
      if (settled.outcome === 'committed') return;
      addSpend(state, settled.origin, settled.day, spent);
      recordSettled(state, { ...settled, outcome: 'committed' });
    });
  }

  /** The payment did not go out: the hold is dropped. Repeating it, or releasing a committed one, is a no-op. */
  async release(reservationId: string): Promise<void> {
    return this.transact('spend', (_config, state) => {
      const r = state.reservations[reservationId];
      if (!r) return void findSettled(state, reservationId);
      delete state.reservations[reservationId];
      recordSettled(state, { id: r.id, outcome: 'released', origin: r.origin, day: r.day });
    });
  }

  async activeReservations(): Promise<Reservation[]> {
    const { state } = await this.load();
    return Object.values(state.reservations).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  private today(): string {
    const t = this.now();
    return localDate(t, this.offset(t));
  }

  private async load(): Promise<{ config: PolicyConfig; state: SpendState }> {
    // One getMany: config and spend come from the same moment.
    const raw = await this.store.getMany([CONFIG_KEY, SPEND_KEY]);
    const { config, issues: configIssues } = migrateConfig(raw[CONFIG_KEY]);
    const { state, issues: spendIssues } = migrateSpend(raw[SPEND_KEY]);
    for (const issue of [...configIssues, ...spendIssues]) {
      if (this.reported.has(issue)) continue;
      this.reported.add(issue);
      this.onIssue?.(issue);
    }
    return { config, state };
  }

  /** Read-modify-write under the store's policy lock; the changed keys land in one `set`, or nothing does. */
  private transact<T>(write: Write, fn: (config: PolicyConfig, state: SpendState, today: string) => T): Promise<T> {
    return lockFor(this.store, 'policy').run(async () => {
      const { config, state } = await this.load();
      const today = this.today();
      const result = fn(config, state, today);
      const entries: Record<string, unknown> = {};
      if (write !== 'config') {
        prune(state, today);
        entries[SPEND_KEY] = storedSpend(state);
      }
      if (write !== 'spend') entries[CONFIG_KEY] = storedConfig(config);
      await this.store.set(entries);
      return result;
    });
  }
}

function decide(config: PolicyConfig, state: SpendState, today: string, req: SpendRequest): Evaluation {
  return req.source === 'deposit' ? decideDeposit(config, state, today, req) : decideSpend(config, state, today, req);
}

/**
 * A deposit locks money, it does not spend it: its own limits instead of the
 * allowance and the daily cap, and no WebLN grant needed (a deposit wall is a
 * page the person opened). Once forfeited it counts as the site's spending.
 */
function decideDeposit(config: PolicyConfig, state: SpendState, today: string, req: SpendRequest): Evaluation {
  const { global } = config;
  const limits = global.deposits;
  const site = config.sites[req.origin];
  const ruleFee = feeLimitSat(global, req.amountSat);
  const maxFeeSat = req.maxFeeSat ?? ruleFee;
  const hold = req.amountSat + maxFeeSat;
  const day = usage(state, today);
  const rows: Array<[boolean, Decision, PolicyReason]> = [
    [!!site?.paused, 'deny', 'site_paused'],
    [site !== undefined && !site.depositsAllowed, 'deny', 'deposits_not_allowed'],
    [req.amountSat > limits.maxDepositSat, 'prompt', 'above_deposit_limit'],
    [day.lockedSat + hold > limits.maxLockedSat, 'prompt', 'above_locked_limit'],
    [state.forfeitedSites[registrableDomain(req.origin)] !== undefined, 'prompt', 'site_kept_a_deposit'],
    [(state.forfeits[today] ?? 0) + req.amountSat > limits.maxForfeitPerDaySat, 'prompt', 'above_forfeit_limit'],
    [req.embeddedIn !== undefined, 'prompt', 'embedded_frame'],
    [maxFeeSat > ruleFee, 'prompt', 'above_fee_limit'],
    [!limits.autoHold, 'prompt', 'deposit_auto_hold_off'],
  ];
  const [, decision, reason] = rows.find(([hit]) => hit) ?? [true, 'auto', 'within_budget'];
  const remainingSiteSat = site ? siteView(req.origin, site, state, today).remainingSat : 0;
  const remainingDailySat = Math.max(0, global.dailyCapSat - day.spentSat - day.heldSat);
  return { decision, reason, approvable: true, maxFeeSat, remainingSiteSat, remainingDailySat };
}

function decideSpend(config: PolicyConfig, state: SpendState, today: string, req: SpendRequest): Evaluation {
  const { global } = config;
  const site = config.sites[req.origin];
  const day = usage(state, today);
  const remainingDailySat = Math.max(0, global.dailyCapSat - day.spentSat - day.heldSat);
  const remainingSiteSat = site ? siteView(req.origin, site, state, today).remainingSat : 0;
  const ruleFee = feeLimitSat(global, req.amountSat);
  const maxFeeSat = req.maxFeeSat ?? ruleFee;
  const hold = req.amountSat + maxFeeSat;
  // A small payment a site chose on its own never opens a window: a site can't flood the person.
  const quiet = req.chosenBy === 'site' && req.amountSat <= global.autoApproveSat;
  const rows: Array<[boolean, Decision, PolicyReason]> = [
    // Enable is a site's permission to ask for payments; one the person chose (a link they clicked, an amount
    // they typed) is theirs, and meets the allowance (as 0 for a site never enabled) and the cap like any other.
    [!site?.enabled && req.chosenBy === 'site', 'deny', 'site_not_enabled'],
    [!!site?.paused, 'deny', 'site_paused'],
    [req.grant !== undefined && site?.methods?.[req.grant] === false, 'deny', 'method_not_granted'],
    [quiet && hold > remainingSiteSat, 'deny', 'above_site_allowance'],
    [quiet && hold > remainingDailySat, 'deny', 'daily_cap_exceeded'],
    [hold > remainingDailySat, 'prompt', 'daily_cap_exceeded'],
    [hold > remainingSiteSat, 'prompt', 'above_site_allowance'],
    [req.embeddedIn !== undefined, 'prompt', 'embedded_frame'],
    [req.amountSat > global.autoApproveSat, 'prompt', 'above_auto_approve'],
    [maxFeeSat > ruleFee, 'prompt', 'above_fee_limit'],
    [req.source === 'l402' && !site?.l402AutoPay, 'prompt', 'l402_auto_pay_off'],
  ];
  const [, decision, reason] = rows.find(([hit]) => hit) ?? [true, 'auto', 'within_budget'];
  return { decision, reason, approvable: reason !== 'daily_cap_exceeded', maxFeeSat, remainingSiteSat, remainingDailySat };
}

function siteView(origin: string, site: SitePolicy, state: SpendState, today: string): SiteView {
  const start = periodStart(today, site.period);
  const { spentSat, heldSat, lockedSat } = usage(state, start, origin);
  const remainingSat = Math.max(0, site.allowanceSat - spentSat - heldSat);
  return { ...site, origin, periodStart: start, spentSat, heldSat, lockedSat, remainingSat };
}

function findSettled(state: SpendState, id: string) {
  const settled = state.settled.find((s) => s.id === id);
  if (!settled) throw err('RESERVATION_UNKNOWN', 'unknown reservation', id);
  return settled;
}

const invalidPatch = (where: string) => err('INVALID_PATCH', 'invalid patch', where);

function checkRequest(req: SpendRequest): void {
  assertOrigin(req.origin);
  assertSats(req.amountSat, 'amountSat');
  if (req.maxFeeSat !== undefined) assertSats(req.maxFeeSat, 'maxFeeSat');
  if (!(PAYMENT_SOURCES as readonly unknown[]).includes(req.source)) throw err('INVALID_REQUEST', 'invalid source', req.source);
  if (req.chosenBy !== 'site' && req.chosenBy !== 'person') throw err('INVALID_REQUEST', 'invalid chosenBy', req.chosenBy);
  if (req.embeddedIn != null) assertOrigin(req.embeddedIn, 'embeddedIn');
}


/** A key given as `undefined` means "leave as is", never "erase". */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

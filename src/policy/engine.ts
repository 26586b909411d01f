import type { ErrorCode } from '../error-codes.ts';
import { moduleErrors } from '../errors.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import { lockFor } from '../storage/mutex.ts';
import { parseWith } from '../storage/schema.ts';
import { assertOrigin, type Origin } from '../base/origin.ts';
import type { GrantableMethod } from '../base/page-methods.ts';
import { PAYMENT_SOURCES, type PaymentSource } from '../base/payment-kinds.ts';
import { assertSats } from '../base/sats.ts';
import { amountIn, microUsdToSat, satToMicroUsd, unitOf, unitsToMicroUsd, valueOf, type Amount, type Unit, type UsdRate } from './amount.ts';
import {
  DEFAULT_SITE,
  feeLimitSat,
  limitsFor,
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
  readRate,
  recordSettled,
  changedGenerations,
  SETTLED_KEYS,
  storedSettled,
  storedSpend,
  storeRate,
  tallyIn,
  tallyOf,
  usage,
  valued,
  type Reservation,
  type Settled,
  type SpendState,
  type Usage,
  type Valued,
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

/** Decimals a USD asset may have (tapd allows up to 12). */
const MAX_DECIMAL_DISPLAY = 12;
/** tapd's scales stay small; a huge one is a broken answer, not a price. */
const MAX_RATE_SCALE = 30;

export type Decision = 'auto' | 'prompt' | 'deny';

/** Stable codes, first matching row of `decide` wins. */
export type PolicyReason =
  | 'site_not_enabled' //     deny
  | 'site_paused' //          deny
  | 'method_not_granted' //   deny: WebLN grant for this kind of payment withdrawn
  | 'valuation_missing' //    deny: a dollar budget applies and the payment could not be valued in dollars
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
  /** What is left of the site's allowance and of today's cap, each in its own unit. */
  remainingSite: Amount;
  remainingDaily: Amount;
  /** The same in sats (a dollar budget's at this payment's quote; 0 when it has none). */
  remainingSiteSat: number;
  remainingDailySat: number;
}

export interface SiteView extends SitePolicy {
  origin: string;
  /** First local date of the current period. */
  periodStart: string;
  /** Spent and held this period in sats: every payment counts in sats, whatever it was paid in. */
  spentSat: number;
  heldSat: number;
  /** What is left in sats (a dollar allowance's at the last quote seen; 0 when none was). */
  remainingSat: number;
  /** Spent, held and left in the allowance's unit; spend never valued in dollars counts at the last quote seen (left out if none was). */
  spent: Amount;
  held: Amount;
  remaining: Amount;
  /** Locked in this site's deposits now (not spending). */
  lockedSat: number;
}

export interface DailyUsage {
  /** Today's local date. */
  day: string;
  cap: Amount;
  spentSat: number;
  heldSat: number;
  /** In the cap's unit, as in `SiteView`. */
  spent: Amount;
  held: Amount;
  remaining: Amount;
  /** `remaining` in sats (a dollar cap's at the last quote seen; 0 when none was). */
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
/** What the engine reads and writes: its config, the spend record and the generations of settled holds. */
const STATE_KEYS = [CONFIG_KEY, SPEND_KEY, ...SETTLED_KEYS];
const err = moduleErrors('policy');

/** Error code `reserve` throws when a decision is not (or cannot be) overridden by approval. */
const REFUSAL_CODE: Record<Exclude<PolicyReason, 'within_budget'>, ErrorCode> = {
  site_not_enabled: 'SITE_NOT_ENABLED',
  site_paused: 'SITE_PAUSED',
  method_not_granted: 'METHOD_NOT_GRANTED',
  valuation_missing: 'VALUATION_MISSING',
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
  /** The last config and spend state read, frozen, with the store's revision of STATE_KEYS then. */
  private snapshot: { revision: string; config: PolicyConfig; state: SpendState } | undefined;
  /**
   * The config and spend state this engine last wrote, as JSON (the settled holds aside: their
   * entries are never changed in place, so copies share them), and the store's revision with it.
   */
  private written: { revision: string; json: string; settled: readonly Settled[] } | undefined;
  /** The last read found the settled holds inside the spend record (v4): the next spend write moves them all out. */
  private settledInline = false;

  constructor(opts: PolicyEngineOptions) {
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.offset = opts.timeZoneOffsetMinutes ?? systemTimeZoneOffset;
    this.onIssue = opts.onIssue;
  }

  /** Read-only: the config as stored (frozen; change it with `updateGlobal` / `upsertSite`). */
  async getConfig(): Promise<PolicyConfig> {
    return (await this.view()).config;
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
    const { config, state } = await this.view();
    const site = config.sites[origin];
    return site && siteView(origin, site, state, this.today());
  }

  /** Creates the site from `DEFAULT_SITE` (nothing granted) if new, then applies `patch`. */
  async upsertSite(origin: string, patch: SitePolicyPatch): Promise<SiteView> {
    assertOrigin(origin);
    const valid = parseWith(sitePolicyPatch, patch, invalidPatch);
    return this.transact('config', (config, state, today) => {
      const { payIn, ...rest } = valid;
      const site: SitePolicy = { ...(config.sites[origin] ?? { ...DEFAULT_SITE, createdAt: this.now() }), ...definedOnly(rest) };
      if (payIn === null) delete site.payIn;
      else if (payIn !== undefined) site.payIn = payIn;
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
    const { config, state } = await this.view();
    const today = this.today();
    return Object.entries(config.sites)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([origin, site]) => siteView(origin, site, state, today));
  }

  async dailyUsage(): Promise<DailyUsage> {
    const { config, state } = await this.view();
    const day = this.today();
    const used = usage(state, day);
    const cap = config.global.dailyCap;
    const view = budgetView(cap, used, state);
    return { day, cap, ...view, lockedSat: used.lockedSat, lockLimitSat: config.global.deposits.maxLockedSat };
  }

  /**
   * Whether a payment from `origin` must be valued in dollars to be judged: a dollar budget (the
   * daily cap, the per-payment ceiling, the site's allowance) applies to it. Without a valuation
   * such a payment is refused (`valuation_missing`), so a payer fetches a quote when this says so.
   */
  async needsValuation(origin: string): Promise<boolean> {
    assertOrigin(origin);
    const { config } = await this.view();
    return limitsFor(config, origin).some((a) => unitOf(a) === 'usd');
  }

  /** What `reserve` would do now, without holding anything (for the UI and to decide whether to prompt). */
  async evaluate(req: SpendRequest): Promise<Evaluation> {
    checkRequest(req);
    const { config, state } = await this.view();
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
      const v = req.valuation;
      const r: Reservation = {
        id: globalThis.crypto.randomUUID(),
        origin: req.origin,
        source: req.source,
        amountSat: req.amountSat,
        maxFeeSat: ev.maxFeeSat,
        ...(v && { valued: valued(v.worstCaseUnits, rateOf(v), req.amountSat + ev.maxFeeSat, v.quoteId) }),
        approvedByUser: req.approvedByUser,
        day: today,
        createdAt: this.now(),
      };
      state.reservations[r.id] = r;
      if (r.valued) state.lastRate = r.valued.rate;
      const site = config.sites[req.origin];
      if (site) site.lastUsedAt = r.createdAt;
      return r;
    });
  }

  /**
   * The payment went out: its actual amount + fee replaces the hold, counted
   * in the period the hold was made in. Repeating it is a no-op. After a
   * `release` it still counts the spend (the node's word that money left wins).
   *
   * A payment valued in dollars counts in dollars too: `units` (raw asset
   * units, amount + fee) when it was paid from the asset and the node said
   * what left, else its sats at the rate it was valued with.
   */
  async commit(reservationId: string, actual: { amountSat: number; feeSat: number; units?: bigint }, opts: { forfeit?: boolean } = {}): Promise<void> {
    assertSats(actual.amountSat, 'amountSat');
    assertSats(actual.feeSat, 'feeSat');
    if (actual.units !== undefined && (typeof actual.units !== 'bigint' || actual.units < 0n)) throw err('INVALID_AMOUNT', 'invalid units', String(actual.units));
    const spentSat = actual.amountSat + actual.feeSat;
    const spentIn = (stored: Valued | undefined) => {
      if (!stored) return tallyOf(spentSat, undefined);
      const rate = readRate(stored.rate);
      return tallyOf(spentSat, actual.units !== undefined ? unitsToMicroUsd(actual.units, rate.decimalDisplay) : satToMicroUsd(spentSat, rate));
    };
    return this.transact('spend', (_config, state) => {
      const r = state.reservations[reservationId];
      if (r) {
        delete state.reservations[reservationId];
        addSpend(state, r.origin, r.day, spentIn(r.valued));
        // A hold-invoice deposit that settled: the site kept it (a custodial deposit settles by design and is no forfeit).
        if (opts.forfeit) addForfeit(state, registrableDomain(r.origin), this.today(), spentSat);
        recordSettled(state, { id: r.id, outcome: 'committed', origin: r.origin, day: r.day, ...(r.valued && { valued: r.valued }) });
        return;
      }
      const settled = findSettled(state, reservationId);
      if (settled.outcome === 'committed') return;
      addSpend(state, settled.origin, settled.day, spentIn(settled.valued));
      recordSettled(state, { ...settled, outcome: 'committed' });
    });
  }

  /** The payment did not go out: the hold is dropped. Repeating it, or releasing a committed one, is a no-op. */
  async release(reservationId: string): Promise<void> {
    return this.transact('spend', (_config, state) => {
      const r = state.reservations[reservationId];
      if (!r) return void findSettled(state, reservationId);
      delete state.reservations[reservationId];
      recordSettled(state, { id: r.id, outcome: 'released', origin: r.origin, day: r.day, ...(r.valued && { valued: r.valued }) });
    });
  }

  async activeReservations(): Promise<Reservation[]> {
    const { state } = await this.view();
    return Object.values(state.reservations).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  private today(): string {
    const t = this.now();
    return localDate(t, this.offset(t));
  }

  /**
   * Config and spend state for reading: parsed and migrated once per change of either key (a
   * payment reads them half a dozen times between two writes), frozen so no reader changes the
   * shared copy. A store that can't say when they change is read every time.
   */
  private async view(): Promise<{ config: PolicyConfig; state: SpendState }> {
    // Taken before reading: a write landing meanwhile makes the kept copy stale at once, never the other way.
    const revision = this.store.revision?.(STATE_KEYS);
    if (revision !== undefined && this.snapshot?.revision === revision) return this.snapshot;
    const { config, state } = this.ownWrite(revision) ?? (await this.load());
    if (revision === undefined) return { config, state };
    this.snapshot = { revision, config: deepFreeze(config), state: deepFreeze(state) };
    return this.snapshot;
  }

  /** What this engine wrote last, as fresh copies, while it is still what the store holds. */
  private ownWrite(revision: string | undefined): { config: PolicyConfig; state: SpendState } | undefined {
    if (revision === undefined || this.written?.revision !== revision) return undefined;
    const copy = JSON.parse(this.written.json) as { config: PolicyConfig; state: SpendState };
    copy.state.settled = [...this.written.settled];
    return copy;
  }

  /** Fresh, changeable copies (the write path). */
  private async load(): Promise<{ config: PolicyConfig; state: SpendState }> {
    // One getMany: config and spend come from the same moment.
    const raw = await this.store.getMany(STATE_KEYS);
    const { config, issues: configIssues } = migrateConfig(raw[CONFIG_KEY]);
    const { state, issues: spendIssues, inline } = migrateSpend(
      raw[SPEND_KEY],
      SETTLED_KEYS.map((k) => raw[k]),
    );
    this.settledInline = inline;
    for (const issue of [...configIssues, ...spendIssues]) {
      if (this.reported.has(issue)) continue;
      this.reported.add(issue);
      this.onIssue?.(issue);
    }
    return { config, state };
  }

  /**
   * Read-modify-write under the store's policy lock; the changed keys land in one `set`, or nothing
   * does. It starts from a copy of the kept view when that is current, and keeps what it wrote as
   * the next view: a payment's reserve and commit parse and migrate nothing.
   */
  private transact<T>(write: Write, fn: (config: PolicyConfig, state: SpendState, today: string) => T): Promise<T> {
    return lockFor(this.store, 'policy').run(async () => {
      const revision = this.store.revision?.(STATE_KEYS);
      const kept = revision !== undefined && this.snapshot?.revision === revision ? this.snapshot : undefined;
      const { config, state } = this.ownWrite(revision) ?? (kept ? editable(kept) : await this.load());
      const today = this.today();
      const settledBefore = state.settled;
      const result = fn(config, state, today);
      const entries: Record<string, unknown> = {};
      if (write !== 'config') {
        prune(state, today);
        entries[SPEND_KEY] = storedSpend(state);
        // Only the generations that gained or lost an entry (all of them, once, from a v4 record).
        Object.assign(entries, storedSettled(state, changedGenerations(settledBefore, state.settled, this.settledInline)));
      }
      if (write !== 'spend') entries[CONFIG_KEY] = storedConfig(config);
      const written = this.store.set(entries);
      // Taken as the write enters memory (CachedStore: at once), before anything else can change either key.
      const after = this.store.revision?.(STATE_KEYS);
      // As text, as a read would give it back (no undefined fields); parsed only when next asked for.
      if (after !== undefined)
        this.written = { revision: after, json: JSON.stringify({ config, state: { ...state, settled: [] } }), settled: state.settled };
      await written;
      if (write !== 'config') this.settledInline = false;
      return result;
    });
  }
}

/** Changeable copies of a kept view; the settled holds' entries are shared (never changed in place). */
function editable(view: { config: PolicyConfig; state: SpendState }): { config: PolicyConfig; state: SpendState } {
  const { settled, ...rest } = view.state;
  return { config: structuredClone(view.config), state: { ...structuredClone(rest), settled: [...settled] } };
}

function decide(config: PolicyConfig, state: SpendState, today: string, req: SpendRequest): Evaluation {
  return req.source === 'deposit' ? decideDeposit(config, state, today, req) : decideSpend(config, state, today, req);
}

/** A request's worth in each unit; the dollar side only when it was valued. */
interface Worth {
  amountSat: number;
  maxFeeSat: number;
  holdSat: number;
  rate?: UsdRate;
  amountMicroUsd?: number;
  holdMicroUsd?: number;
}

function worthOf(req: SpendRequest, maxFeeSat: number): Worth {
  const holdSat = req.amountSat + maxFeeSat;
  const v = req.valuation;
  if (!v) return { amountSat: req.amountSat, maxFeeSat, holdSat };
  const rate = rateOf(v);
  const { microUsd } = valued(v.worstCaseUnits, rate, holdSat);
  return { amountSat: req.amountSat, maxFeeSat, holdSat, rate, amountMicroUsd: satToMicroUsd(req.amountSat, rate), holdMicroUsd: microUsd };
}

const rateOf = (v: Valuation): UsdRate => ({ coefficient: v.rate.coefficient, scale: v.rate.scale, decimalDisplay: v.decimalDisplay });

/**
 * One budget against one request, in the budget's unit: what is left of it,
 * and whether the request's hold (or its amount, for the per-payment ceiling)
 * passes it. A dollar budget cannot measure a request never valued: that is
 * "over", the safe side (`valuation_missing` refuses it first).
 */
interface Measured {
  left: Amount;
  leftSat: number;
  over: boolean;
}

function measure(limit: Amount, used: Usage | undefined, w: Worth, part: 'hold' | 'amount' = 'hold'): Measured {
  const unit = unitOf(limit);
  const spent = used ? tallyIn(unit, used.spent, w.rate) + tallyIn(unit, used.held, w.rate) : 0;
  const left = Math.max(0, valueOf(limit) - spent);
  const ask = unit === 'sat' ? (part === 'hold' ? w.holdSat : w.amountSat) : part === 'hold' ? w.holdMicroUsd : w.amountMicroUsd;
  const leftSat = unit === 'sat' ? left : w.rate ? microUsdToSat(left, w.rate) : 0;
  return { left: amountIn(unit, left), leftSat, over: ask === undefined || ask > left };
}

/** A site never enabled has nothing to spend, in sats. */
const NO_ALLOWANCE: Amount = { sat: 0 };

function budgets(config: PolicyConfig, state: SpendState, today: string, req: SpendRequest, w: Worth) {
  const site = config.sites[req.origin];
  const siteUsed = site && usage(state, periodStart(today, site.period), req.origin);
  const day = usage(state, today);
  return { site, day, siteBudget: measure(site?.allowance ?? NO_ALLOWANCE, siteUsed, w), daily: measure(config.global.dailyCap, day, w) };
}

/**
 * A deposit locks money, it does not spend it: its own limits instead of the
 * allowance and the daily cap, and no WebLN grant needed (a deposit wall is a
 * page the person opened). Once forfeited it counts as the site's spending.
 */
function decideDeposit(config: PolicyConfig, state: SpendState, today: string, req: SpendRequest): Evaluation {
  const { global } = config;
  const limits = global.deposits;
  const ruleFee = feeLimitSat(global, req.amountSat);
  const maxFeeSat = req.maxFeeSat ?? ruleFee;
  const w = worthOf(req, maxFeeSat);
  const { site, day, siteBudget, daily } = budgets(config, state, today, req, w);
  const rows: Array<[boolean, Decision, PolicyReason]> = [
    [!!site?.paused, 'deny', 'site_paused'],
    [site !== undefined && !site.depositsAllowed, 'deny', 'deposits_not_allowed'],
    [req.amountSat > limits.maxDepositSat, 'prompt', 'above_deposit_limit'],
    [day.lockedSat + w.holdSat > limits.maxLockedSat, 'prompt', 'above_locked_limit'],
    [state.forfeitedSites[registrableDomain(req.origin)] !== undefined, 'prompt', 'site_kept_a_deposit'],
    [(state.forfeits[today] ?? 0) + req.amountSat > limits.maxForfeitPerDaySat, 'prompt', 'above_forfeit_limit'],
    [req.embeddedIn !== undefined, 'prompt', 'embedded_frame'],
    [maxFeeSat > ruleFee, 'prompt', 'above_fee_limit'],
    [!limits.autoHold, 'prompt', 'deposit_auto_hold_off'],
  ];
  const [, decision, reason] = rows.find(([hit]) => hit) ?? [true, 'auto', 'within_budget'];
  return { decision, reason, approvable: true, maxFeeSat, ...remaining(siteBudget, daily) };
}

function remaining(site: Measured, daily: Measured) {
  return { remainingSite: site.left, remainingDaily: daily.left, remainingSiteSat: site.leftSat, remainingDailySat: daily.leftSat };
}

/**
 * One table for every unit: each budget is compared in its own unit (sats, or
 * dollars at this payment's quote), so a dollar allowance holds BTC payments
 * and a sat cap holds dollar payments alike.
 */
function decideSpend(config: PolicyConfig, state: SpendState, today: string, req: SpendRequest): Evaluation {
  const { global } = config;
  const ruleFee = feeLimitSat(global, req.amountSat);
  const maxFeeSat = req.maxFeeSat ?? ruleFee;
  const w = worthOf(req, maxFeeSat);
  const { site, siteBudget, daily } = budgets(config, state, today, req, w);
  const ceiling = measure(global.autoApprove, undefined, w, 'amount');
  const unmeasured = !req.valuation && limitsFor(config, req.origin).some((a) => unitOf(a) === 'usd');
  // A small payment a site chose on its own never opens a window: a site can't flood the person.
  const quiet = req.chosenBy === 'site' && !ceiling.over;
  const rows: Array<[boolean, Decision, PolicyReason]> = [
    // Enable is a site's permission to ask for payments; one the person chose (a link they clicked, an amount
    // they typed) is theirs, and meets the allowance (as 0 for a site never enabled) and the cap like any other.
    [!site?.enabled && req.chosenBy === 'site', 'deny', 'site_not_enabled'],
    [!!site?.paused, 'deny', 'site_paused'],
    [req.grant !== undefined && site?.methods?.[req.grant] === false, 'deny', 'method_not_granted'],
    [unmeasured, 'deny', 'valuation_missing'],
    [quiet && siteBudget.over, 'deny', 'above_site_allowance'],
    [quiet && daily.over, 'deny', 'daily_cap_exceeded'],
    [daily.over, 'prompt', 'daily_cap_exceeded'],
    [siteBudget.over, 'prompt', 'above_site_allowance'],
    [req.embeddedIn !== undefined, 'prompt', 'embedded_frame'],
    [ceiling.over, 'prompt', 'above_auto_approve'],
    [maxFeeSat > ruleFee, 'prompt', 'above_fee_limit'],
    [req.source === 'l402' && !site?.l402AutoPay, 'prompt', 'l402_auto_pay_off'],
  ];
  const [, decision, reason] = rows.find(([hit]) => hit) ?? [true, 'auto', 'within_budget'];
  return { decision, reason, approvable: reason !== 'daily_cap_exceeded' && reason !== 'valuation_missing', maxFeeSat, ...remaining(siteBudget, daily) };
}

/**
 * A budget's use in sats and in its own unit; for a dollar budget, spend never
 * valued in dollars and the sats left are at the last quote seen (without one,
 * the first is left out and the second is 0).
 */
function budgetView(limit: Amount, used: Usage, state: SpendState) {
  const rate = state.lastRate && readRate(state.lastRate);
  const unit: Unit = unitOf(limit);
  const spent = tallyIn(unit, used.spent, rate);
  const held = tallyIn(unit, used.held, rate);
  const left = Math.max(0, valueOf(limit) - spent - held);
  const remainingSat = unit === 'sat' ? left : rate ? microUsdToSat(left, rate) : 0;
  return { spentSat: used.spent.sat, heldSat: used.held.sat, remainingSat, spent: amountIn(unit, spent), held: amountIn(unit, held), remaining: amountIn(unit, left) };
}

function siteView(origin: string, site: SitePolicy, state: SpendState, today: string): SiteView {
  const start = periodStart(today, site.period);
  const used = usage(state, start, origin);
  return { ...site, origin, periodStart: start, ...budgetView(site.allowance, used, state), lockedSat: used.lockedSat };
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
  if (req.valuation !== undefined) checkValuation(req.valuation);
}

function checkValuation(v: Valuation): void {
  const bad = (what: string, value: unknown) => err('INVALID_REQUEST', `invalid valuation.${what}`, String(value));
  if (typeof v !== 'object' || v === null) throw bad('', v);
  if (typeof v.worstCaseUnits !== 'bigint' || v.worstCaseUnits < 0n) throw bad('worstCaseUnits', v.worstCaseUnits);
  if (typeof v.rate?.coefficient !== 'bigint' || v.rate.coefficient <= 0n) throw bad('rate.coefficient', v.rate?.coefficient);
  if (!Number.isSafeInteger(v.rate.scale) || v.rate.scale < 0 || v.rate.scale > MAX_RATE_SCALE) throw bad('rate.scale', v.rate.scale);
  if (!Number.isSafeInteger(v.decimalDisplay) || v.decimalDisplay < 0 || v.decimalDisplay > MAX_DECIMAL_DISPLAY) throw bad('decimalDisplay', v.decimalDisplay);
  if (v.quoteId !== undefined && !/^[0-9a-f]{1,128}$/.test(v.quoteId)) throw bad('quoteId', v.quoteId);
}


/** A key given as `undefined` means "leave as is", never "erase". */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

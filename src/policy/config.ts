import { z } from '../base/zod.ts';
import { GRANTABLE_METHODS } from '../base/page-methods.ts';
import { isOrigin } from '../base/origin.ts';
import { satsSchema as sats } from '../base/sats.ts';
import { isRecord, upgrade, type Migration } from '../storage/schema.ts';
import { amountSchema, type Amount } from './amount.ts';
import { PERIODS } from './period.ts';

/**
 * What the person decided about spending: global limits and one record per
 * site. Stored under one key; unreadable parts fall back to defaults field by
 * field (global) or site by site (a dropped site is simply not enabled, which
 * is the safe side), and every fallback is reported.
 */
export const POLICY_SCHEMA_VERSION = 3;
/** Upgrades of the stored config: `POLICY_MIGRATIONS[v]` turns version v into v + 1. */
export const POLICY_MIGRATIONS: Readonly<Record<number, Migration>> = {
  // v1 had no deposit walls and no way to set `depositsAllowed`: its `false` was a default nobody chose.
  1: (record) => mapSites(record, (s) => ({ ...s, depositsAllowed: true })),
  // v3 sets budgets in sats or dollars: each sat amount becomes an amount in sats.
  2: (record) => {
    const global = isRecord(record.global) ? renameToAmount(renameToAmount(record.global, 'dailyCapSat', 'dailyCap'), 'autoApproveSat', 'autoApprove') : record.global;
    return mapSites({ ...record, global }, (s) => renameToAmount(s, 'allowanceSat', 'allowance'));
  },
};

function mapSites(record: Record<string, unknown>, fn: (site: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(record.sites)) return record;
  return { ...record, sites: Object.fromEntries(Object.entries(record.sites).map(([o, s]) => [o, isRecord(s) ? fn(s) : s])) };
}

/** `{ fromKey: n }` → `{ toKey: { sat: n } }`; a missing or broken value is left for the field check to report. */
function renameToAmount(record: Record<string, unknown>, fromKey: string, toKey: string): Record<string, unknown> {
  if (!(fromKey in record)) return record;
  const { [fromKey]: sat, ...rest } = record;
  return { ...rest, [toKey]: { sat } };
}

const epochMs = z.int().check(z.minimum(0));

/** A re-quote may move at most this far (50 %) whatever the setting: beyond it nothing is "slippage". */
export const MAX_SLIPPAGE_PPM = 500_000;

/** What a Lightning invoice is paid from. */
export const PAY_IN = ['btc', 'usd'] as const;
export type PayIn = (typeof PAY_IN)[number];

/** How long a deposit may be held (seconds) and its route time-lock (blocks); the deposit form checks against these too. */
export const HOLD_SECONDS_RANGE = { min: 60, max: 30 * 86_400 } as const;
export const CLTV_RANGE = { min: 20, max: 2_016 } as const;

export const globalPolicySchema = z.strictObject({
  /**
   * Hard ceiling: no approval lets a day's spend (amount + max fee) exceed it. In dollars, each
   * payment counts at the quote it was valued with (see `SpendRequest.valuation`).
   */
  dailyCap: amountSchema,
  /** Payments up to this amount may go through without asking. */
  autoApprove: amountSchema,
  /** Default routing-fee limit: the larger of `baseSat` and `ppm` of the amount. */
  maxFee: z.strictObject({ baseSat: sats, ppm: z.int().check(z.minimum(0), z.maximum(1_000_000)) }),
  /**
   * 402 walls: paid on their own within each site's allowance (`autoPay`);
   * above it the person is asked, or the page simply gets its 402 (`overBudget`).
   */
  l402: z.strictObject({ autoPay: z.boolean(), overBudget: z.enum(['ask', 'show402']) }),
  /**
   * Deposit walls: money locked, not spent. Within these limits a deposit is
   * held without asking; above them the person is asked (or, with
   * `l402.overBudget` = show402, the page keeps its 402).
   */
  deposits: z.strictObject({
    autoHold: z.boolean(),
    /** Largest single deposit. */
    maxDepositSat: sats,
    /**
     * Most that forfeited deposits may cost in a day before every deposit asks: a site
     * that settles what it was handed is bounded by this, not by the locked total.
     */
    maxForfeitPerDaySat: sats,
    /** All deposits locked at once, amount + fee limit each. */
    maxLockedSat: sats,
    /** Longest a site may ask to keep a deposit held (its `max_hold`). */
    maxHoldSeconds: z.int().check(z.minimum(HOLD_SECONDS_RANGE.min), z.maximum(HOLD_SECONDS_RANGE.max)),
    /** Route time-lock limit (blocks, ≈10 min each): the worst case before the HTLC must come back. */
    maxCltv: z.int().check(z.minimum(CLTV_RANGE.min), z.maximum(CLTV_RANGE.max)),
  }),
  /** What Lightning invoices are paid from: BTC channels, or the USD asset channel through tapd at an RFQ quote. */
  payIn: z.enum(PAY_IN),
  /**
   * How far (parts per million) a fresh RFQ quote may move against the person from the one
   * they saw or their budgets were checked with before the payment is asked about again.
   */
  maxSlippagePpm: z.int().check(z.minimum(0), z.maximum(MAX_SLIPPAGE_PPM)),
});
export type GlobalPolicy = z.infer<typeof globalPolicySchema>;

export const sitePolicySchema = z.strictObject({
  /** Most this site may spend per period without asking (amount + max fee, like the cap). */
  allowance: amountSchema,
  period: z.enum(PERIODS),
  paused: z.boolean(),
  /** WebLN `enable` granted; without it every payment is denied. */
  enabled: z.boolean(),
  /** Keep the grant across browser sessions (the caller forgets it otherwise). */
  remember: z.boolean(),
  /** Per-method WebLN grants; a method not listed is allowed once the site is enabled. */
  methods: z.optional(z.partialRecord(z.enum(GRANTABLE_METHODS), z.boolean())),
  l402AutoPay: z.boolean(),
  /** Deposit walls may lock money for this site (a site never seen is allowed too, within the global limits). */
  depositsAllowed: z.boolean(),
  rewardAutoClaim: z.boolean(),
  /** This site's payments are paid in this, whatever the global choice (absent: the global choice). */
  payIn: z.optional(z.enum(PAY_IN)),
  /** getInfo shows the node's public key: a lasting id linking this site to every other that sees it. Absent: not shared. */
  sharePubkey: z.optional(z.boolean()),
  createdAt: epochMs,
  lastUsedAt: z.optional(epochMs),
});
export type SitePolicy = z.infer<typeof sitePolicySchema>;

/** What the UI may change; the engine owns the timestamps. */
export const globalPolicyPatch = z.partial(globalPolicySchema);
export type GlobalPolicyPatch = z.infer<typeof globalPolicyPatch>;
export const sitePolicyPatch = z.partial(
  // `payIn: null` takes the site's own choice away: it pays in the global one again.
  z.extend(z.omit(sitePolicySchema, { createdAt: true, lastUsedAt: true }), { payIn: z.nullable(z.enum(PAY_IN)) }),
);
export type SitePolicyPatch = z.infer<typeof sitePolicyPatch>;

export interface PolicyConfig {
  global: GlobalPolicy;
  sites: Record<string, SitePolicy>;
}

export const DEFAULT_GLOBAL: GlobalPolicy = {
  dailyCap: { sat: 10_000 },
  autoApprove: { sat: 1_000 },
  maxFee: { baseSat: 10, ppm: 10_000 }, // max(10 sat, 1 %)
  l402: { autoPay: true, overBudget: 'ask' },
  deposits: { autoHold: true, maxDepositSat: 100_000, maxForfeitPerDaySat: 100_000, maxLockedSat: 1_000_000, maxHoldSeconds: 86_400, maxCltv: 288 },
  payIn: 'btc',
  maxSlippagePpm: 10_000, // 1 %
};

/** A new site starts with nothing granted; the caller's patch grants what the person chose. */
export const DEFAULT_SITE: Omit<SitePolicy, 'createdAt'> = {
  allowance: { sat: 1_000 },
  period: 'day',
  paused: false,
  enabled: false,
  remember: false,
  l402AutoPay: false,
  depositsAllowed: true,
  rewardAutoClaim: false,
};

/** Every amount limit a site's payments are held to: the site's allowance, the daily cap, the per-payment ceiling. */
export function limitsFor(config: PolicyConfig, origin: string): Amount[] {
  const site = config.sites[origin];
  return [config.global.dailyCap, config.global.autoApprove, ...(site ? [site.allowance] : [])];
}

export function defaultConfig(): PolicyConfig {
  return { global: structuredClone(DEFAULT_GLOBAL), sites: {} };
}

/** Routing-fee limit for `amountSat` under the global rule; BigInt because amount·ppm can pass 2^53. */
export function feeLimitSat(global: GlobalPolicy, amountSat: number): number {
  const { baseSat, ppm } = global.maxFee;
  const proportional = Number((BigInt(amountSat) * BigInt(ppm) + 999_999n) / 1_000_000n);
  return Math.max(baseSat, proportional);
}

/** Reads a stored config of any known version; never throws. `undefined` (fresh install) is not an issue. */
export function migrateConfig(raw: unknown): { config: PolicyConfig; issues: string[] } {
  const config = defaultConfig();
  if (raw === undefined) return { config, issues: [] };
  const up = upgrade(raw, POLICY_SCHEMA_VERSION, POLICY_MIGRATIONS);
  if (!up.ok) return { config, issues: [`config: ${up.problem}; using defaults`] };
  const issues: string[] = [];
  const { global, sites } = up.record;
  const g = isRecord(global) ? global : {};
  if (!isRecord(global)) issues.push('config.global: not an object; using defaults');
  const shape = globalPolicySchema.shape;
  for (const key of Object.keys(shape) as Array<keyof GlobalPolicy>) {
    const field = shape[key].safeParse(g[key]);
    if (field.success) (config.global as Record<string, unknown>)[key] = field.data;
    // A field added since the config was stored simply takes its default.
    else if (isRecord(global) && g[key] !== undefined) issues.push(`config.global.${key}: invalid; using default`);
  }
  if (!isRecord(sites)) {
    issues.push('config.sites: not an object; no site enabled');
    return { config, issues };
  }
  for (const [origin, site] of Object.entries(sites)) {
    const parsed = sitePolicySchema.safeParse(site);
    if (isOrigin(origin) && parsed.success) config.sites[origin] = parsed.data;
    else issues.push(`config.sites[${origin}]: invalid; site dropped`);
  }
  return { config, issues };
}

export function storedConfig(config: PolicyConfig): Record<string, unknown> {
  return { schemaVersion: POLICY_SCHEMA_VERSION, ...config };
}

import { z } from '../base/zod.ts';
import { isRecord, upgrade, type Migration } from '../storage/schema.ts';
import { isOrigin } from '../base/origin.ts';
import { PAYMENT_SOURCES } from '../base/payment-kinds.ts';
import { satsSchema as sats } from '../base/sats.ts';
import { satToMicroUsd, unitsToMicroUsd, type UsdRate } from './amount.ts';
import { oldestRelevantDate, shiftDays } from './period.ts';

/**
 * What has been spent and what is on hold. Spend is kept in buckets per local
 * date (per site and in total), so any period is a sum over its dates and
 * changing a site from 'day' to 'month' keeps what was already spent. A hold
 * counts in the period of the date it was made on.
 */
export const SPEND_SCHEMA_VERSION = 5;
/** v1 → v2: a hold's `kind` (webln, keysend, l402, deposit) became its `source`; keysend was always asked through WebLN. */
const SOURCE_OF_V1_KIND: Record<string, string> = { webln: 'webln', keysend: 'webln', l402: 'l402', deposit: 'deposit' };
export const SPEND_MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: (record) => {
    const reservations = isRecord(record.reservations) ? record.reservations : {};
    const moved = Object.fromEntries(
      Object.entries(reservations).map(([id, r]) => {
        if (!isRecord(r)) return [id, r];
        const { kind, ...rest } = r;
        return [id, { ...rest, source: SOURCE_OF_V1_KIND[String(kind)] ?? kind }];
      }),
    );
    return { ...record, reservations: moved };
  },
  // v3 counts forfeited deposits apart (a site that takes deposits is bounded by them).
  2: (record) => ({ ...record, forfeits: {}, forfeitedSites: {} }),
  // v4 counts spend in sats and in dollars: a bucket's sats, none of them valued in dollars yet.
  3: (record) => {
    const tally = (buckets: unknown) =>
      isRecord(buckets) ? Object.fromEntries(Object.entries(buckets).map(([day, sat]) => [day, { sat, microUsd: 0, unvaluedSat: sat }])) : buckets;
    const sites = isRecord(record.sites) ? Object.fromEntries(Object.entries(record.sites).map(([o, b]) => [o, tally(b)])) : record.sites;
    return { ...record, daily: tally(record.daily), sites };
  },
  // v5 keeps settled holds out of this record, in generations of their own (see SETTLED_GEN_SIZE): each
  // settled hold takes its place in the sequence; the list read from v4 is kept here to be moved out.
  4: (record) => {
    const settled = Array.isArray(record.settled) ? record.settled.map((s, n) => (isRecord(s) ? { ...s, n } : s)) : record.settled;
    return { ...record, settled, settledNext: Array.isArray(settled) ? settled.length : 0 };
  },
};

/**
 * Settled holds are remembered so a repeated commit/release is recognised (a late success after a
 * release is counted), in generations of SETTLED_GEN_SIZE by their place in the sequence, each
 * stored under its own key (`settledKey`), the last SETTLED_GENS kept. A payment rewrites its
 * generation, never all of them: the spend record stays small however long the wallet is used.
 */
export const SETTLED_GEN_SIZE = 100;
export const SETTLED_GENS = 10;
export const SETTLED_KEYS: readonly string[] = Array.from({ length: SETTLED_GENS }, (_, slot) => `policy:settled:${slot}`);
export const settledGen = (n: number): number => Math.floor(n / SETTLED_GEN_SIZE);
export const settledKey = (gen: number): string => SETTLED_KEYS[gen % SETTLED_GENS]!;

const date = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
const bigintText = z.string().check(z.regex(/^\d{1,40}$/));
/** Counted micro-dollars: conversions clamp at 2^53 (see amount.ts), so any safe integer may be stored. */
const microUsdCount = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));

/** A rate as stored (JSON has no bigint). */
const rateSchema = z.strictObject({
  coefficient: bigintText.check(z.refine((c) => BigInt(c) > 0n)),
  scale: z.int().check(z.minimum(0), z.maximum(30)),
  decimalDisplay: z.int().check(z.minimum(0), z.maximum(18)),
});
type StoredRate = z.infer<typeof rateSchema>;

/** A payment's worth in dollars at the quote it was valued with. */
const valuedSchema = z.strictObject({
  /** amount + fee limit in the asset's raw units, as the quote said. */
  units: bigintText,
  rate: rateSchema,
  /** What the hold counts against dollar budgets: the quote's worst case, and never less than the sats at its rate. */
  microUsd: microUsdCount,
  quoteId: z.optional(z.string().check(z.regex(/^[0-9a-f]{1,128}$/))),
});
export type Valued = z.infer<typeof valuedSchema>;

/**
 * Spend of one date, in both units. Every payment counts in sats; one valued
 * in dollars counts in micro-dollars too, one that was not (no dollar budget
 * applied when it was made) in `unvaluedSat`, which a dollar budget counts at
 * the rate it is judged with.
 */
const tallySchema = z.strictObject({ sat: sats, microUsd: microUsdCount, unvaluedSat: sats });
export type Tally = z.infer<typeof tallySchema>;

const reservationSchema = z.strictObject({
  id: z.string().check(z.minLength(1)),
  origin: z.string().check(z.refine(isOrigin)),
  source: z.enum(PAYMENT_SOURCES),
  amountSat: sats,
  /** Routing-fee limit the payment must be sent with; held on top of the amount. */
  maxFeeSat: sats,
  /** Its worth in dollars, when it was valued (a dollar budget applied, or it is paid in dollars). */
  valued: z.optional(valuedSchema),
  approvedByUser: z.boolean(),
  /** Local date the hold counts in. */
  day: date,
  createdAt: z.int().check(z.minimum(0)),
});
export type Reservation = z.infer<typeof reservationSchema>;

const settledSchema = z.strictObject({
  id: z.string().check(z.minLength(1)),
  /** Its place in the sequence of settled holds: its generation. */
  n: z.int().check(z.minimum(0)),
  outcome: z.enum(['committed', 'released']),
  origin: z.string(),
  day: date,
  valued: z.optional(valuedSchema),
});
export type Settled = z.infer<typeof settledSchema>;

export interface SpendState {
  reservations: Record<string, Reservation>;
  /** date → spent (amount + fee) by all sites. */
  daily: Record<string, Tally>;
  /** origin → date → spent. */
  sites: Record<string, Record<string, Tally>>;
  /** Most recent last; kept apart from the rest when stored (`storedSettled`). */
  settled: Settled[];
  /** The place in the sequence the next settled hold takes. */
  settledNext: number;
  /** date → sat lost to forfeited deposits (also counted in `daily`). */
  forfeits: Record<string, number>;
  /** registrable domain → last date one of its sites kept a deposit. */
  forfeitedSites: Record<string, string>;
  /** The most recent quote a payment was valued with: what the limits screen shows unvalued spend in dollars at. */
  lastRate?: StoredRate;
}

/** A site that kept a deposit is asked about for this long. */
export const FORFEIT_MEMORY_DAYS = 30;

export function emptySpend(): SpendState {
  return { reservations: {}, daily: {}, sites: {}, settled: [], settledNext: 0, forfeits: {}, forfeitedSites: {} };
}

export function holdSat(r: Reservation): number {
  return r.amountSat + r.maxFeeSat;
}

export const storeRate = (rate: UsdRate): StoredRate => ({ coefficient: rate.coefficient.toString(), scale: rate.scale, decimalDisplay: rate.decimalDisplay });
export const readRate = (rate: StoredRate): UsdRate => ({ coefficient: BigInt(rate.coefficient), scale: rate.scale, decimalDisplay: rate.decimalDisplay });

/** The stored form of a payment's valuation; what it holds against dollar budgets never falls below its sats at the quote's rate. */
export function valued(units: bigint, rate: UsdRate, holdSat: number, quoteId?: string): Valued {
  const microUsd = Math.max(unitsToMicroUsd(units, rate.decimalDisplay), satToMicroUsd(holdSat, rate));
  return { units: units.toString(), rate: storeRate(rate), microUsd, ...(quoteId !== undefined && { quoteId }) };
}

/**
 * Reads stored spend state, with the generations of settled holds stored apart (`generations`,
 * the values under SETTLED_KEYS); never throws. Damaged parts are dropped one by one and reported:
 * a lost bucket under-counts spend, which the report makes visible. `inline`: the settled holds
 * came inside the record (schema v4 and before), and must all be written out with the next write.
 */
export function migrateSpend(raw: unknown, generations: readonly unknown[] = []): { state: SpendState; issues: string[]; inline: boolean } {
  const state = emptySpend();
  if (raw === undefined) return { state, issues: [], inline: false };
  const up = upgrade(raw, SPEND_SCHEMA_VERSION, SPEND_MIGRATIONS);
  if (!up.ok) return { state, issues: [`spend: ${up.problem}; counters reset`], inline: false };
  const issues: string[] = [];
  const { reservations, daily, sites, settled, settledNext, forfeits, forfeitedSites, lastRate } = up.record;
  for (const [name, part] of Object.entries({ reservations, daily, sites }))
    if (!isRecord(part)) issues.push(`spend.${name}: not an object; reset`);
  const inline = settled !== undefined;
  if (inline && !Array.isArray(settled)) issues.push('spend.settled: not an array; reset');
  if (Number.isSafeInteger(settledNext) && (settledNext as number) >= 0) state.settledNext = settledNext as number;
  else issues.push('spend.settledNext: invalid; reset');
  for (const [id, r] of Object.entries(isRecord(reservations) ? reservations : {})) {
    const parsed = reservationSchema.safeParse(r);
    if (parsed.success && parsed.data.id === id) state.reservations[id] = parsed.data;
    else issues.push(`spend.reservations[${id}]: invalid; dropped`);
  }
  state.daily = readBuckets(daily, tallySchema, 'spend.daily', issues);
  state.forfeits = readBuckets(forfeits, sats, 'spend.forfeits', issues);
  if (lastRate !== undefined) {
    const rate = rateSchema.safeParse(lastRate);
    if (rate.success) state.lastRate = rate.data;
    else issues.push('spend.lastRate: invalid; dropped');
  }
  for (const [site, day] of Object.entries(isRecord(forfeitedSites) ? forfeitedSites : {})) {
    if (typeof day === 'string' && date.safeParse(day).success) state.forfeitedSites[site] = day;
    else issues.push(`spend.forfeitedSites[${site}]: invalid; dropped`);
  }
  for (const [origin, buckets] of Object.entries(isRecord(sites) ? sites : {})) {
    if (isOrigin(origin)) state.sites[origin] = readBuckets(buckets, tallySchema, `spend.sites[${origin}]`, issues);
    else issues.push(`spend.sites[${origin}]: invalid origin; dropped`);
  }
  const read = (s: unknown, gen?: number) => {
    const parsed = settledSchema.safeParse(s);
    if (parsed.success && parsed.data.n < state.settledNext && (gen === undefined || settledGen(parsed.data.n) === gen)) state.settled.push(parsed.data);
    else issues.push('spend.settled: invalid item; dropped');
  };
  if (inline) for (const s of Array.isArray(settled) ? settled : []) read(s);
  else {
    // Only the generations the sequence still keeps: a slot holds the newest generation written to it.
    const newest = settledGen(state.settledNext - 1);
    for (const stored of generations) {
      if (stored === undefined) continue;
      if (!isRecord(stored) || !Number.isSafeInteger(stored.gen) || !Array.isArray(stored.entries)) {
        issues.push('spend.settled: invalid generation; dropped');
        continue;
      }
      const gen = stored.gen as number;
      if (gen > newest || gen <= newest - SETTLED_GENS) continue;
      for (const s of stored.entries) read(s, gen);
    }
    state.settled.sort((a, b) => a.n - b.n);
  }
  return { state, issues, inline };
}

function readBuckets<T>(raw: unknown, bucket: z.ZodMiniType<T>, where: string, issues: string[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [day, value] of Object.entries(isRecord(raw) ? raw : {})) {
    const parsed = bucket.safeParse(value);
    if (date.safeParse(day).success && parsed.success) out[day] = parsed.data;
    else issues.push(`${where}[${day}]: invalid; dropped`);
  }
  return out;
}

/** The spend record as stored: everything but the settled holds (`storedSettled`). */
export function storedSpend(state: SpendState): Record<string, unknown> {
  const { settled: _apart, ...rest } = state;
  return { schemaVersion: SPEND_SCHEMA_VERSION, ...rest };
}

/** The stored generations `gens` of the settled holds, by key: a generation the sequence no longer keeps is not written (its slot is a newer one's). */
export function storedSettled(state: SpendState, gens: Iterable<number>): Record<string, unknown> {
  const newest = settledGen(state.settledNext - 1);
  const out: Record<string, unknown> = {};
  for (const gen of gens) {
    if (gen > newest || gen <= newest - SETTLED_GENS) continue;
    out[settledKey(gen)] = { gen, entries: state.settled.filter((s) => settledGen(s.n) === gen) };
  }
  return out;
}

export interface Usage {
  spent: Tally;
  /** Held for payments in flight; a held deposit is not spending and is counted in `lockedSat` instead. */
  held: Tally;
  /** Held by deposits right now, whatever day they were made (a lock lasts until released). */
  lockedSat: number;
}

export const emptyTally = (): Tally => ({ sat: 0, microUsd: 0, unvaluedSat: 0 });

function addTo(t: Tally, add: Tally): void {
  t.sat += add.sat;
  t.microUsd += add.microUsd;
  t.unvaluedSat += add.unvaluedSat;
}

/** A payment's sats, in dollars too when it was valued. */
export function tallyOf(sat: number, microUsd: number | undefined): Tally {
  return microUsd === undefined ? { sat, microUsd: 0, unvaluedSat: sat } : { sat, microUsd, unvaluedSat: 0 };
}

/** Spend and holds dated `since` or later, for one site or (no origin) for all. */
export function usage(state: SpendState, since: string, origin?: string): Usage {
  const buckets = origin === undefined ? state.daily : (state.sites[origin] ?? {});
  const spent = emptyTally();
  for (const [day, tally] of Object.entries(buckets)) if (day >= since) addTo(spent, tally);
  const held = emptyTally();
  let lockedSat = 0;
  for (const r of Object.values(state.reservations)) {
    if (origin !== undefined && r.origin !== origin) continue;
    if (r.source === 'deposit') lockedSat += holdSat(r);
    else if (r.day >= since) addTo(held, tallyOf(holdSat(r), r.valued?.microUsd));
  }
  return { spent, held, lockedSat };
}

/**
 * What a tally comes to in sats, or in micro-dollars at `rate` (spend never
 * valued counts at it; without a rate it cannot be counted and is left out).
 */
export function tallyIn(unit: 'sat' | 'usd', t: Tally, rate: UsdRate | undefined): number {
  if (unit === 'sat') return t.sat;
  return t.microUsd + (rate && t.unvaluedSat > 0 ? satToMicroUsd(t.unvaluedSat, rate) : 0);
}

export function addSpend(state: SpendState, origin: string, day: string, spent: Tally): void {
  addTo((state.daily[day] ??= emptyTally()), spent);
  const site = (state.sites[origin] ??= {});
  addTo((site[day] ??= emptyTally()), spent);
}

/** A forfeited deposit: spent like any payment, and remembered against its site and the day's forfeit limit. */
export function addForfeit(state: SpendState, site: string, day: string, sat: number): void {
  state.forfeits[day] = (state.forfeits[day] ?? 0) + sat;
  state.forfeitedSites[site] = day;
}

/** The hold's new settled entry takes the next place in the sequence; generations beyond the last SETTLED_GENS are forgotten. */
export function recordSettled(state: SpendState, entry: Omit<Settled, 'n'>): void {
  const n = state.settledNext++;
  const oldest = settledGen(n) - SETTLED_GENS + 1;
  // New arrays and entries, never changed in place: a stored copy may share them (engine.ts).
  state.settled = state.settled.filter((s) => s.id !== entry.id && settledGen(s.n) >= oldest);
  state.settled.push(Object.freeze({ ...entry, n }));
}

/**
 * The generations that gained or lost an entry from `before` to `after` (recordSettled makes a new
 * list, so an untouched one is the same array); `all`: every generation in `after` (moving a v4 list out).
 */
export function changedGenerations(before: readonly Settled[], after: readonly Settled[], all = false): Set<number> {
  const changed = new Set<number>();
  if (!all && before === after) return changed;
  const was = new Set(before);
  const is = new Set(after);
  for (const s of after) if (all || !was.has(s)) changed.add(settledGen(s.n));
  for (const s of before) if (!is.has(s)) changed.add(settledGen(s.n));
  return changed;
}

/** Drops buckets no current period can include; holds stay until committed or released. */
export function prune(state: SpendState, today: string): void {
  for (const day of Object.keys(state.daily)) if (day < today) delete state.daily[day];
  for (const day of Object.keys(state.forfeits)) if (day < today) delete state.forfeits[day];
  const forgetBefore = shiftDays(today, -FORFEIT_MEMORY_DAYS);
  for (const [site, day] of Object.entries(state.forfeitedSites)) if (day < forgetBefore) delete state.forfeitedSites[site];
  const oldest = oldestRelevantDate(today);
  for (const [origin, buckets] of Object.entries(state.sites)) {
    for (const day of Object.keys(buckets)) if (day < oldest) delete buckets[day];
    if (Object.keys(buckets).length === 0) delete state.sites[origin];
  }
}

import { z } from 'zod';
import { isRecord, upgrade, type Migration } from '../storage/schema.ts';
import { isOrigin } from '../base/origin.ts';
import { PAYMENT_SOURCES } from '../base/payment-kinds.ts';
import { isSats, satsSchema as sats } from '../base/sats.ts';
import { oldestRelevantDate, shiftDays } from './period.ts';

/**
 * What has been spent and what is on hold. Spend is kept in buckets per local
 * date (per site and in total), so any period is a sum over its dates and
 * changing a site from 'day' to 'month' keeps what was already spent. A hold
 * counts in the period of the date it was made on.
 */
export const SPEND_SCHEMA_VERSION = 3;
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
};
/** Settled ids remembered so a repeated commit/release is recognised; older ones are forgotten. */
export const MAX_SETTLED = 1_000;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const reservationSchema = z
  .object({
    id: z.string().min(1),
    origin: z.string().refine(isOrigin),
    source: z.enum(PAYMENT_SOURCES),
    amountSat: sats,
    /** Routing-fee limit the payment must be sent with; held on top of the amount. */
    maxFeeSat: sats,
    approvedByUser: z.boolean(),
    /** Local date the hold counts in. */
    day: date,
    createdAt: z.number().int().min(0),
  })
  .strict();
export type Reservation = z.infer<typeof reservationSchema>;

const settledSchema = z
  .object({ id: z.string().min(1), outcome: z.enum(['committed', 'released']), origin: z.string(), day: date })
  .strict();
type Settled = z.infer<typeof settledSchema>;

export interface SpendState {
  reservations: Record<string, Reservation>;
  /** date → sat spent (amount + fee) by all sites. */
  daily: Record<string, number>;
  /** origin → date → sat spent. */
  sites: Record<string, Record<string, number>>;
  /** Most recent last. */
  settled: Settled[];
  /** date → sat lost to forfeited deposits (also counted in `daily`). */
  forfeits: Record<string, number>;
  /** registrable domain → last date one of its sites kept a deposit. */
  forfeitedSites: Record<string, string>;
}

/** A site that kept a deposit is asked about for this long. */
export const FORFEIT_MEMORY_DAYS = 30;

export function emptySpend(): SpendState {
  return { reservations: {}, daily: {}, sites: {}, settled: [], forfeits: {}, forfeitedSites: {} };
}

export function holdSat(r: Reservation): number {
  return r.amountSat + r.maxFeeSat;
}

/**
 * Reads stored spend state; never throws. Damaged parts are dropped one by one
 * and reported: a lost bucket under-counts spend, which the report makes visible.
 */
export function migrateSpend(raw: unknown): { state: SpendState; issues: string[] } {
  const state = emptySpend();
  if (raw === undefined) return { state, issues: [] };
  const up = upgrade(raw, SPEND_SCHEMA_VERSION, SPEND_MIGRATIONS);
  if (!up.ok) return { state, issues: [`spend: ${up.problem}; counters reset`] };
  const issues: string[] = [];
  const { reservations, daily, sites, settled, forfeits, forfeitedSites } = up.record;
  for (const [name, part] of Object.entries({ reservations, daily, sites }))
    if (!isRecord(part)) issues.push(`spend.${name}: not an object; reset`);
  if (!Array.isArray(settled)) issues.push('spend.settled: not an array; reset');
  for (const [id, r] of Object.entries(isRecord(reservations) ? reservations : {})) {
    const parsed = reservationSchema.safeParse(r);
    if (parsed.success && parsed.data.id === id) state.reservations[id] = parsed.data;
    else issues.push(`spend.reservations[${id}]: invalid; dropped`);
  }
  state.daily = readBuckets(daily, 'spend.daily', issues);
  state.forfeits = readBuckets(forfeits, 'spend.forfeits', issues);
  for (const [site, day] of Object.entries(isRecord(forfeitedSites) ? forfeitedSites : {})) {
    if (typeof day === 'string' && date.safeParse(day).success) state.forfeitedSites[site] = day;
    else issues.push(`spend.forfeitedSites[${site}]: invalid; dropped`);
  }
  for (const [origin, buckets] of Object.entries(isRecord(sites) ? sites : {})) {
    if (isOrigin(origin)) state.sites[origin] = readBuckets(buckets, `spend.sites[${origin}]`, issues);
    else issues.push(`spend.sites[${origin}]: invalid origin; dropped`);
  }
  for (const s of Array.isArray(settled) ? settled : []) {
    const parsed = settledSchema.safeParse(s);
    if (parsed.success) state.settled.push(parsed.data);
    else issues.push('spend.settled: invalid item; dropped');
  }
  return { state, issues };
}

function readBuckets(raw: unknown, where: string, issues: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [day, sat] of Object.entries(isRecord(raw) ? raw : {})) {
    if (date.safeParse(day).success && isSats(sat)) out[day] = sat;
    else issues.push(`${where}[${day}]: invalid; dropped`);
  }
  return out;
}

export function storedSpend(state: SpendState): Record<string, unknown> {
  return { schemaVersion: SPEND_SCHEMA_VERSION, ...state };
}

export interface Usage {
  spentSat: number;
  /** Held for payments in flight; a held deposit is not spending and is counted in `lockedSat` instead. */
  heldSat: number;
  /** Held by deposits right now, whatever day they were made (a lock lasts until released). */
  lockedSat: number;
}

/** Spend and holds dated `since` or later, for one site or (no origin) for all. */
export function usage(state: SpendState, since: string, origin?: string): Usage {
  const buckets = origin === undefined ? state.daily : (state.sites[origin] ?? {});
  let spentSat = 0;
  for (const [day, sat] of Object.entries(buckets)) if (day >= since) spentSat += sat;
  let heldSat = 0;
  let lockedSat = 0;
  for (const r of Object.values(state.reservations)) {
    if (origin !== undefined && r.origin !== origin) continue;
    if (r.source === 'deposit') lockedSat += holdSat(r);
    else if (r.day >= since) heldSat += holdSat(r);
  }
  return { spentSat, heldSat, lockedSat };
}

export function addSpend(state: SpendState, origin: string, day: string, sat: number): void {
  state.daily[day] = (state.daily[day] ?? 0) + sat;
  const site = (state.sites[origin] ??= {});
  site[day] = (site[day] ?? 0) + sat;
}

/** A forfeited deposit: spent like any payment, and remembered against its site and the day's forfeit limit. */
export function addForfeit(state: SpendState, site: string, day: string, sat: number): void {
  state.forfeits[day] = (state.forfeits[day] ?? 0) + sat;
  state.forfeitedSites[site] = day;
}

export function recordSettled(state: SpendState, entry: Settled): void {
  state.settled = state.settled.filter((s) => s.id !== entry.id);
  state.settled.push(entry);
  if (state.settled.length > MAX_SETTLED) state.settled.splice(0, state.settled.length - MAX_SETTLED);
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

import { z } from '../base/zod.ts';
import { registrableDomain } from '../base/site.ts';
import { moduleErrors } from '../errors.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import { lockFor } from '../storage/mutex.ts';
import { upgrade } from '../storage/schema.ts';

/**
 * Which page made which invoice, so `lookupInvoice` answers a site about its
 * own invoices only. A page can call `makeInvoice` in a loop, so everything
 * here is bounded; the worst a site can do is push out its own records.
 *
 * - Rate: PAGE_INVOICE_LIMITS.perMinute creations per site per minute
 *   (RATE_LIMITED beyond), counted before the node is asked, failures included:
 *   the loop must not reach the node either. In memory: a loop keeps the
 *   worker alive, so it never gets the fresh count a restart would give.
 * - Cap: at most `perSite` live records per site, `total` overall. Over a cap
 *   the oldest record of the site holding the most goes: the heaviest user pays.
 * - Expiry: a record lives until its invoice expires plus `graceMs` (nothing
 *   can pay it after expiry; the day lets a page that reloads or comes back
 *   still learn that a last-minute payment landed), never longer than
 *   `maxKeepMs` after it was made, whatever expiry the node chose.
 *
 * "Site" is the registrable domain (a1.shop.com and a2.shop.com share limits,
 * being one owner); ownership stays with the exact origin.
 *
 * Storage: one key, so every write lands whole and the total is easy to bound:
 *
 * | key            | value                                                          |
 * | -------------- | -------------------------------------------------------------- |
 * | webln.invoices | { schemaVersion, records: [{ hash, origin, keepUntil }] }, oldest first |
 *
 * Satnav ≤ 0.1 wrote one `webln.invoice:<hash>` → { origin, createdAt } per
 * invoice with no end; `migrateLegacy` folds those still young enough into the
 * index (kept `maxKeepMs` from creation: their expiry was not stored) and
 * deletes them all.
 */
export const PAGE_INVOICE_LIMITS = Object.freeze({
  perMinute: 20,
  perSite: 100,
  total: 1000,
  graceMs: 24 * 3600_000,
  maxKeepMs: 7 * 24 * 3600_000,
});

export const PAGE_INVOICES_KEY = 'webln.invoices';
const LEGACY_PREFIX = 'webln.invoice:';
const SCHEMA_VERSION = 1;
const RATE_WINDOW_MS = 60_000;

const err = moduleErrors('page-invoices');

/** Origins are checked on read: the caps need each one's site, and stored data is outside our control. */
const recordSchema = z.object({ hash: z.string(), origin: z.string().check(z.refine(hasSite)), keepUntil: z.number() });
type InvoiceRecord = z.infer<typeof recordSchema>;
const indexSchema = z.object({ records: z.array(recordSchema) });
const legacySchema = z.object({ origin: z.string().check(z.refine(hasSite)), createdAt: z.number() });

export interface PageInvoicesOptions {
  store: KeyValueStore;
  now?: () => number;
  /** Told when the stored index is unreadable (it is then treated as empty: lookups are refused, never misattributed). */
  onIssue?: (issue: string) => void;
}

/** One per worker: the rate count lives in the instance. */
export class PageInvoices {
  private readonly store: KeyValueStore;
  private readonly now: () => number;
  private readonly onIssue: ((issue: string) => void) | undefined;
  /** Per site: when its recent creations were admitted. */
  private readonly recent = new Map<string, number[]>();

  constructor(opts: PageInvoicesOptions) {
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.onIssue = opts.onIssue;
  }

  /**
   * Makes an invoice for `origin` through `make` (the node call) and records
   * that `origin` owns it. `expiresAt` is unix seconds, as in a decoded BOLT11
   * invoice. Throws RATE_LIMITED, without calling `make`, when the site made
   * too many in the last minute.
   */
  async create<T extends { paymentHash: string; expiresAt: number }>(origin: string, make: () => Promise<T>): Promise<T> {
    this.admit(registrableDomain(origin));
    const made = await make();
    await this.update((records) => {
      const now = this.now();
      const keepUntil = Math.min(made.expiresAt * 1000 + PAGE_INVOICE_LIMITS.graceMs, now + PAGE_INVOICE_LIMITS.maxKeepMs);
      return [...records.filter((r) => r.hash !== made.paymentHash), { hash: made.paymentHash, origin, keepUntil }];
    });
    return made;
  }

  /** The origin that made the invoice, while its record lives; undefined for any other invoice. */
  async ownerOf(paymentHash: string): Promise<string | undefined> {
    const found = (await this.read()).find((r) => r.hash === paymentHash);
    return found && found.keepUntil > this.now() ? found.origin : undefined;
  }

  /** Drops expired records (every write does too; this is for idle times). */
  async prune(): Promise<void> {
    await this.update((records) => records);
  }

  /**
   * Folds the previous version's per-invoice keys into the index and deletes
   * them. `keys`: every key in the store (the core cannot list them); others
   * are ignored.
   */
  async migrateLegacy(keys: string[]): Promise<void> {
    const legacy = keys.filter((k) => k.startsWith(LEGACY_PREFIX));
    if (!legacy.length) return;
    const raw = await this.store.getMany(legacy);
    const adopted: Array<InvoiceRecord & { createdAt: number }> = [];
    for (const [key, value] of Object.entries(raw)) {
      const old = legacySchema.safeParse(value);
      if (!old.success) continue;
      const { origin, createdAt } = old.data;
      adopted.push({ hash: key.slice(LEGACY_PREFIX.length), origin, createdAt, keepUntil: createdAt + PAGE_INVOICE_LIMITS.maxKeepMs });
    }
    adopted.sort((a, b) => a.createdAt - b.createdAt);
    // They predate every indexed record, so they go first and the caps evict them first.
    await this.update((records) => [
      ...adopted.filter((a) => !records.some((r) => r.hash === a.hash)).map(({ hash, origin, keepUntil }) => ({ hash, origin, keepUntil })),
      ...records,
    ]);
    await this.store.remove(legacy);
  }

  private admit(site: string): void {
    const now = this.now();
    const recent = (this.recent.get(site) ?? []).filter((at) => now - at < RATE_WINDOW_MS);
    if (recent.length >= PAGE_INVOICE_LIMITS.perMinute) {
      this.recent.set(site, recent);
      throw err('RATE_LIMITED', 'too many invoices in a minute, from', site, { retryAfterMs: recent[0]! + RATE_WINDOW_MS - now });
    }
    recent.push(now);
    this.recent.set(site, recent);
  }

  private async read(): Promise<InvoiceRecord[]> {
    const raw = await this.store.get(PAGE_INVOICES_KEY);
    if (raw === undefined) return [];
    const up = upgrade(raw, SCHEMA_VERSION);
    const parsed = up.ok ? indexSchema.safeParse(up.record) : undefined;
    if (parsed?.success) return parsed.data.records;
    this.onIssue?.(`${PAGE_INVOICES_KEY} unreadable: ${up.ok ? 'bad records' : up.problem}`);
    return [];
  }

  /** Read, change, drop the expired, enforce the caps, write (only if anything changed). */
  private update(change: (records: InvoiceRecord[]) => InvoiceRecord[]): Promise<void> {
    return lockFor(this.store, PAGE_INVOICES_KEY).run(async () => {
      const before = await this.read();
      const now = this.now();
      const after = bounded(change(before).filter((r) => r.keepUntil > now));
      if (after.length === before.length && after.every((r, i) => r === before[i])) return;
      await this.store.set({ [PAGE_INVOICES_KEY]: { schemaVersion: SCHEMA_VERSION, records: after } });
    });
  }
}

/** Enforces perSite (each site keeps its newest) and total (the oldest record of a site holding the most goes). */
function bounded(records: InvoiceRecord[]): InvoiceRecord[] {
  const bySite = new Map<string, number[]>(); // indexes into records, newest first
  for (let i = records.length - 1; i >= 0; i--) {
    const site = registrableDomain(records[i]!.origin);
    let kept = bySite.get(site);
    if (!kept) bySite.set(site, (kept = []));
    if (kept.length < PAGE_INVOICE_LIMITS.perSite) kept.push(i);
  }
  let total = [...bySite.values()].reduce((n, kept) => n + kept.length, 0);
  for (; total > PAGE_INVOICE_LIMITS.total; total--) {
    [...bySite.values()].reduce((most, kept) => (kept.length > most.length ? kept : most)).pop();
  }
  if (total === records.length) return records;
  const keep = new Set([...bySite.values()].flat());
  return records.filter((_, i) => keep.has(i));
}

function hasSite(origin: string): boolean {
  try {
    registrableDomain(origin);
    return true;
  } catch {
    return false;
  }
}

import { moduleErrors } from '../errors.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import type { PaymentSource } from '../base/payment-kinds.ts';
import { lockFor } from '../storage/mutex.ts';
import { isRecord, parseWith, upgrade, type Migration } from '../storage/schema.ts';
import { entriesToCsv } from './csv.ts';
import {
  DIRECTION_OF,
  LIVE_STATUSES,
  UNRESOLVED_STATUSES,
  applyPatch,
  ledgerBeginSchema,
  ledgerEntrySchema,
  ledgerPatchSchema,
  type LedgerBegin,
  type LedgerEntry,
  type LedgerKind,
  type LedgerPatch,
  type LedgerStatus,
} from './entry.ts';

/**
 * Write-ahead payment log. `begin` persists the entry before the caller sends
 * anything; the outcome is written onto it later, or found by `reconcile`
 * after a worker restart. Storage layout (every write is one `set`, so it
 * lands whole or not at all):
 *
 * | key               | value                                                 |
 * | ----------------- | ----------------------------------------------------- |
 * | ledger:meta       | { schemaVersion, chunks }                             |
 * | ledger:i:<n>      | ids of entries, in creation order, ≤ CHUNK per key    |
 * | ledger:e:<id>     | { schemaVersion, ...LedgerEntry }                     |
 * | ledger:h:<hash>   | id of the latest entry for that payment hash          |
 * | ledger:pending    | ids of entries still pending or in flight             |
 */
export const LEDGER_SCHEMA_VERSION = 2;
/** v1 kinds mixed what moved with what asked; v2 splits them (LNURL-pay was recorded as webln, and stays so). */
const V1_KIND: Record<string, { kind: LedgerKind; source: PaymentSource }> = {
  webln: { kind: 'payment', source: 'webln' },
  keysend: { kind: 'keysend', source: 'webln' },
  l402: { kind: 'payment', source: 'l402' },
  deposit: { kind: 'deposit', source: 'deposit' },
  refund: { kind: 'refund', source: 'lnurl' },
  reward: { kind: 'reward', source: 'lnurl' },
  invoice: { kind: 'invoice', source: 'webln' },
};
/** Per-entry upgrades: `LEDGER_MIGRATIONS[v]` turns a version-v entry into v + 1 (applied on read). */
export const LEDGER_MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: (record) => {
    const moved = V1_KIND[String(record.kind)];
    if (!moved) throw new Error(`unknown v1 kind ${String(record.kind)}`);
    return { ...record, ...moved, rail: 'btc' };
  },
};
/** The layout itself did not change in v2, only the entries. */
const META_MIGRATIONS: Readonly<Record<number, Migration>> = { 1: (record) => record };
/** Ids per index key: every payment rewrites the last one (64 ids, ~2.5 KB); older keys of 256 ids, as they were once written, are read the same. */
export const CHUNK = 64;

const KEY = {
  meta: 'ledger:meta',
  pending: 'ledger:pending',
  chunk: (n: number) => `ledger:i:${n}`,
  entry: (id: string) => `ledger:e:${id}`,
  hash: (hash: string) => `ledger:h:${hash}`,
};

export interface LedgerFilter {
  origin?: string;
  kind?: LedgerKind;
  /** What asked for it (a custodial deposit is a `payment` asked by `deposit`). */
  source?: PaymentSource;
  status?: LedgerStatus;
  /** createdAt ≥ since (epoch ms). */
  since?: number;
  /** Newest first, at most this many. */
  limit?: number;
}

/** What the node says about a payment hash. A hash the node never saw: the caller answers FAILED 'not_sent'. */
export interface TrackResult {
  status: 'SUCCEEDED' | 'FAILED' | 'IN_FLIGHT';
  preimage?: string;
  /** What left the node, when it said; otherwise the entry's amount counts. */
  amountSat?: number;
  feeSat?: number;
  failureReason?: string;
}

export interface ReconcileResult {
  resolved: LedgerEntry[];
  stillPending: LedgerEntry[];
  /** Entries left pending because `track` or `onResolved` threw; retried on the next reconcile. */
  errors: Array<{ id: string; error: unknown }>;
}

export interface LedgerOptions {
  store: KeyValueStore;
  now?: () => number;
  /** Told once per distinct problem found in stored data. */
  onIssue?: (issue: string) => void;
  /**
   * Whether to store the preimage of an entry. Default: all but the bearer
   * credentials, kept only in encrypted storage: a 402 wall's, and a custodial
   * session's deposit (a `payment` asked by `deposit`: its preimage spends the balance).
   * A forfeited hold-invoice deposit keeps its preimage: the proof the site took it.
   */
  keepPreimage?: (entry: Pick<LedgerEntry, 'kind' | 'source'>) => boolean;
}

const err = moduleErrors('ledger');

export class Ledger {
  private readonly store: KeyValueStore;
  private readonly now: () => number;
  private readonly onIssue: ((issue: string) => void) | undefined;
  private readonly keepPreimage: (entry: Pick<LedgerEntry, 'kind' | 'source'>) => boolean;
  private readonly reported = new Set<string>();

  constructor(opts: LedgerOptions) {
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.onIssue = opts.onIssue;
    this.keepPreimage = opts.keepPreimage ?? ((entry) => entry.source !== 'l402' && !(entry.source === 'deposit' && entry.kind === 'payment'));
  }

  /**
   * Records a payment about to be sent (or an invoice about to be offered) as
   * 'pending'. Resolves only once it is stored. Refuses (DUPLICATE_PAYMENT) if
   * another entry for the hash is pending, in flight or succeeded: one invoice
   * is never paid twice. A failed entry may be retried.
   */
  async begin(input: LedgerBegin): Promise<LedgerEntry> {
    const valid = parseWith(ledgerBeginSchema, input, (where) => err('INVALID_ENTRY', 'invalid field', where));
    return this.locked(async () => {
      const meta = await this.meta();
      const last = meta.chunks - 1;
      const raw = await this.store.getMany([KEY.hash(valid.paymentHash), KEY.pending, ...(last >= 0 ? [KEY.chunk(last)] : [])]);
      const prevId = raw[KEY.hash(valid.paymentHash)];
      if (prevId !== undefined) {
        const prev = typeof prevId === 'string' ? await this.read(prevId) : undefined;
        // An unreadable earlier entry may have been a success: refuse rather than risk paying twice.
        if (!prev || LIVE_STATUSES.includes(prev.status))
          throw err('DUPLICATE_PAYMENT', 'payment already recorded', valid.paymentHash, {
            id: typeof prevId === 'string' ? prevId : 'unreadable',
            status: prev?.status ?? 'unreadable',
          });
      }
      const t = this.now();
      const entry: LedgerEntry = {
        ...valid,
        id: globalThis.crypto.randomUUID(),
        direction: DIRECTION_OF[valid.kind],
        status: 'pending',
        createdAt: t,
        updatedAt: t,
      };
      const chunk = this.ids(raw[KEY.chunk(last)], KEY.chunk(last));
      // A full or unreadable last chunk starts a new one; nothing is ever rewritten away.
      const append = last >= 0 && chunk !== undefined && chunk.length < CHUNK ? last : last + 1;
      await this.store.set({
        [KEY.entry(entry.id)]: stored(entry),
        [KEY.hash(entry.paymentHash)]: entry.id,
        [KEY.chunk(append)]: append === last ? [...(chunk ?? []), entry.id] : [entry.id],
        [KEY.pending]: [...(await this.pendingIds(raw[KEY.pending])), entry.id],
        [KEY.meta]: { schemaVersion: LEDGER_SCHEMA_VERSION, chunks: append + 1 },
      });
      return entry;
    });
  }

  /** Applies `patch`; fields not in it are kept. Repeating a final outcome is a no-op. */
  async update(id: string, patch: LedgerPatch): Promise<LedgerEntry> {
    const valid = parseWith(ledgerPatchSchema, patch, (where) => err('INVALID_PATCH', 'invalid field', where));
    return this.locked(async () => {
      const entry = await this.read(id);
      if (!entry) throw err('ENTRY_UNKNOWN', 'unknown entry', id);
      const next = this.withoutSecrets(applyPatch(entry, valid, this.now()));
      if (next === entry) return entry;
      const ids = await this.pendingIds(await this.store.get(KEY.pending));
      const stillOpen = UNRESOLVED_STATUSES.includes(next.status);
      await this.store.set({
        [KEY.entry(id)]: stored(next),
        [KEY.pending]: stillOpen ? (ids.includes(id) ? ids : [...ids, id]) : ids.filter((x) => x !== id),
      });
      return next;
    });
  }

  async succeed(id: string, outcome: { preimage?: string; feeSat?: number } = {}): Promise<LedgerEntry> {
    return this.update(id, { status: 'succeeded', ...outcome });
  }

  async fail(id: string, reason: string): Promise<LedgerEntry> {
    return this.update(id, { status: 'failed', failureReason: reason });
  }

  async get(id: string): Promise<LedgerEntry | undefined> {
    return this.read(id);
  }

  /** The latest entry for a payment hash. */
  async byHash(paymentHash: string): Promise<LedgerEntry | undefined> {
    const id = await this.store.get(KEY.hash(paymentHash));
    return typeof id === 'string' ? this.read(id) : undefined;
  }

  /** Newest first. */
  async list(filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
    const meta = await this.meta();
    const chunkKeys = Array.from({ length: meta.chunks }, (_, n) => KEY.chunk(meta.chunks - 1 - n));
    const chunks = await this.store.getMany(chunkKeys);
    const out: LedgerEntry[] = [];
    for (const key of chunkKeys) {
      const ids = (this.ids(chunks[key], key) ?? []).toReversed();
      for (const e of await this.readMany(ids)) {
        if (filter.origin !== undefined && e.origin !== filter.origin) continue;
        if (filter.kind !== undefined && e.kind !== filter.kind) continue;
        if (filter.source !== undefined && e.source !== filter.source) continue;
        if (filter.status !== undefined && e.status !== filter.status) continue;
        if (filter.since !== undefined && e.createdAt < filter.since) continue;
        out.push(e);
        if (out.length === filter.limit) return out;
      }
    }
    return out;
  }

  /** Entries still pending or in flight, oldest first. */
  async pending(): Promise<LedgerEntry[]> {
    const ids = await this.pendingIds(await this.store.get(KEY.pending));
    return (await this.readMany(ids)).filter((e) => UNRESOLVED_STATUSES.includes(e.status));
  }

  /**
   * Records the node's word on one entry: the outcome is validated
   * (transition, preimage) before anyone acts on it, then for a final outcome
   * `onResolved` (the budget's commit or release) runs, then the entry is stored. A crash in
   * between leaves the entry unresolved, so the next reconcile calls
   * `onResolved` again; it must be idempotent, as PolicyEngine commit/release are.
   */
  async record(entry: LedgerEntry, result: TrackResult, onResolved?: (entry: LedgerEntry, result: TrackResult) => Promise<void>): Promise<LedgerEntry> {
    const patch = patchFor(entry, result);
    const preview = this.withoutSecrets(applyPatch(entry, parseWith(ledgerPatchSchema, patch, (where) => err('INVALID_TRACK_RESULT', 'invalid field', where)), this.now()));
    if (result.status !== 'IN_FLIGHT') await onResolved?.(preview, result);
    return this.update(entry.id, patch);
  }

  /** After a restart: asks the node about each unresolved entry and records the answer (see `record`). */
  async reconcile(
    track: (paymentHash: string, entry: LedgerEntry) => Promise<TrackResult>,
    onResolved?: (entry: LedgerEntry, result: TrackResult) => Promise<void>,
  ): Promise<ReconcileResult> {
    const out: ReconcileResult = { resolved: [], stillPending: [], errors: [] };
    for (const entry of await this.pending()) {
      try {
        const recorded = await this.record(entry, await track(entry.paymentHash, entry), onResolved);
        (UNRESOLVED_STATUSES.includes(recorded.status) ? out.stillPending : out.resolved).push(recorded);
      } catch (error) {
        out.errors.push({ id: entry.id, error });
        out.stillPending.push(entry);
      }
    }
    return out;
  }

  async toCsv(filter: LedgerFilter = {}): Promise<string> {
    return entriesToCsv((await this.list(filter)).toReversed());
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return lockFor(this.store, 'ledger').run(fn);
  }

  private withoutSecrets(entry: LedgerEntry): LedgerEntry {
    if (entry.preimage === undefined || this.keepPreimage(entry)) return entry;
    const { preimage: _, ...rest } = entry;
    return rest;
  }

  /** Layout metadata. A newer layout is refused outright: writing to it could destroy records. */
  private async meta(): Promise<{ chunks: number }> {
    const raw = await this.store.get(KEY.meta);
    if (raw === undefined) return { chunks: 0 };
    if (isRecord(raw) && typeof raw.schemaVersion === 'number' && raw.schemaVersion > LEDGER_SCHEMA_VERSION)
      throw err('LEDGER_SCHEMA_UNSUPPORTED', 'stored by a newer version, schemaVersion', raw.schemaVersion);
    const up = upgrade(raw, LEDGER_SCHEMA_VERSION, META_MIGRATIONS);
    const chunks = up.ok ? up.record.chunks : undefined;
    if (typeof chunks === 'number' && Number.isSafeInteger(chunks) && chunks >= 0) return { chunks };
    // The chunks are numbered from 0 without gaps, so counting them rebuilds the meta.
    let n = 0;
    while ((await this.store.get(KEY.chunk(n))) !== undefined) n++;
    this.report(`ledger:meta: unreadable; found ${n} index chunks`);
    return { chunks: n };
  }

  private ids(raw: unknown, key: string): string[] | undefined {
    if (raw === undefined) return undefined;
    if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw;
    this.report(`${key}: unreadable; its entries are not listed`);
    return undefined;
  }

  /** The pending list, rebuilt from the entries if it was damaged (losing it would hide payments from reconcile). */
  private async pendingIds(raw: unknown): Promise<string[]> {
    if (raw === undefined) return [];
    const ids = this.ids(raw, KEY.pending);
    if (ids) return ids;
    const open = (await this.list()).filter((e) => UNRESOLVED_STATUSES.includes(e.status));
    return open.map((e) => e.id).toReversed();
  }

  private async read(id: string): Promise<LedgerEntry | undefined> {
    return (await this.readMany([id]))[0];
  }

  private async readMany(ids: readonly string[]): Promise<LedgerEntry[]> {
    const raw = await this.store.getMany(ids.map(KEY.entry));
    const out: LedgerEntry[] = [];
    for (const id of ids) {
      const value = raw[KEY.entry(id)];
      if (value === undefined) continue;
      const entry = this.parseStored(value, id);
      if (entry) out.push(entry);
    }
    return out;
  }

  private parseStored(raw: unknown, id: string): LedgerEntry | undefined {
    const up = upgrade(raw, LEDGER_SCHEMA_VERSION, LEDGER_MIGRATIONS);
    if (!up.ok) return this.report(`ledger:e:${id}: ${up.problem}; skipped`);
    const { schemaVersion: _, ...rest } = up.record;
    const parsed = ledgerEntrySchema.safeParse(rest);
    if (parsed.success && parsed.data.id === id) return parsed.data;
    return this.report(`ledger:e:${id}: invalid; skipped`);
  }

  private report(issue: string): undefined {
    if (!this.reported.has(issue)) {
      this.reported.add(issue);
      this.onIssue?.(issue);
    }
    return undefined;
  }
}

function stored(entry: LedgerEntry): Record<string, unknown> {
  return { schemaVersion: LEDGER_SCHEMA_VERSION, ...entry };
}

/** A failed deposit is one whose hold was cancelled: the money came back. */
function patchFor(entry: LedgerEntry, result: TrackResult): LedgerPatch {
  switch (result.status) {
    case 'SUCCEEDED':
      return { status: 'succeeded', preimage: result.preimage, feeSat: result.feeSat };
    case 'FAILED':
      if (entry.kind === 'deposit') return { status: 'refunded', failureReason: result.failureReason ?? 'cancelled' };
      return { status: 'failed', failureReason: result.failureReason ?? 'failed' };
    case 'IN_FLIGHT':
      return { status: 'in_flight' };
    default:
      throw err('INVALID_TRACK_RESULT', 'invalid status', (result as { status: unknown }).status);
  }
}

import { z } from '../base/zod.ts';
import { isOrigin, type Origin } from '../base/origin.ts';
import { satsSchema } from '../base/sats.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import { lockFor } from '../storage/mutex.ts';
import { isRecord, upgrade } from '../storage/schema.ts';

/**
 * Every deposit the wallet has paid or is paying, by payment hash: what the
 * site asked (release and status endpoints, terms, limits) and where it stands.
 * Written before any money moves, so a restarted worker (or browser) finds
 * every deposit again; the money's truth stays with the node and the ledger.
 *
 * | state     | means                                                      | next                           |
 * | --------- | ---------------------------------------------------------- | ------------------------------ |
 * | paying    | recorded; the hold invoice is being paid                   | held, failed                   |
 * | held      | the site's node accepted the HTLC and holds it             | releasing, refunded, forfeited, expired |
 * | releasing | the wallet asked the site to release it                    | refunded, forfeited, expired   |
 * | refunded  | the HTLC failed back: the money never left                 | —                              |
 * | expired   | refunded without the wallet asking: the site's idle or max-hold release, or the HTLC's time-lock | — |
 * | forfeited | the site settled it: spent, counted against the site       | —                              |
 * | failed    | the payment never reached the site (no route, refused)     | —                              |
 *
 * No secret here: the credential is signed afresh from the vault's key each time.
 */
export const DEPOSIT_BOOK_VERSION = 1;
/** Ended deposits kept for the history; the ledger keeps them all. */
export const MAX_ENDED = 500;
/** Deposits under way: small, written at every step. */
const KEY = 'deposits';
/** Ended deposits: written only when one ends, so a long history costs the live steps nothing. */
const HISTORY_KEY = 'deposits.history';

export const DEPOSIT_STATES = ['paying', 'held', 'releasing', 'refunded', 'expired', 'forfeited', 'failed'] as const;
export type DepositState = (typeof DEPOSIT_STATES)[number];
export const ACTIVE_STATES: ReadonlySet<DepositState> = new Set(['paying', 'held', 'releasing']);

const origin = z.string().check(z.refine(isOrigin, 'expected an origin'));
const hex32 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const seconds = z.int().check(z.minimum(0), z.maximum(0xffffffff));
const ms = z.int().check(z.minimum(0));
const url = z.url().check(z.maxLength(2048));

const recordSchema = z.strictObject({
  paymentHash: hex32,
  /** The server holding it (release and status are on it). */
  origin,
  /** The page that met the wall: whose tabs keep it held, whose budget a forfeit counts against. */
  paidBy: origin,
  realm: z.string().check(z.minLength(1), z.maxLength(256)),
  amountSat: satsSchema,
  paymentRequest: z.string().check(z.minLength(1), z.maxLength(4096)),
  release: url,
  status: url,
  forfeit: z.string().check(z.minLength(1), z.maxLength(2048)),
  maxHoldSeconds: seconds,
  idleSeconds: seconds,
  /** The route time-lock limit paid with (blocks): the worst case. */
  cltvLimit: z.int().check(z.minimum(1), z.maximum(2016)),
  /** Latest nonce the site gave for this deposit. */
  nonce: hex32,
  state: z.enum(DEPOSIT_STATES),
  createdAt: ms,
  heldAt: z.optional(ms),
  /** Worst case (ms): the HTLC must come back by then, whatever the site does. */
  lockedUntil: ms,
  releaseAskedAt: z.optional(ms),
  /** Last status call the site answered (the heartbeat). */
  checkedAt: z.optional(ms),
  /** Last time a tab of `paidBy` was seen open (the glue's word). */
  lastVisitAt: z.optional(ms),
  endedAt: z.optional(ms),
  /** Why it ended, in the node's or site's words (e.g. INCORRECT_PAYMENT_DETAILS, NO_ROUTE). */
  note: z.optional(z.string().check(z.maxLength(256))),
});
export type DepositRecord = z.infer<typeof recordSchema>;

interface Stored {
  records: Record<string, DepositRecord>;
  /** What the history key holds. */
  stored: Record<string, DepositRecord>;
}

export class DepositBook {
  constructor(
    private readonly store: KeyValueStore,
    private readonly onIssue: (issue: string) => void = () => undefined,
  ) {}

  async list(): Promise<DepositRecord[]> {
    return Object.values((await this.load()).records).sort((a, b) => b.createdAt - a.createdAt);
  }

  async active(): Promise<DepositRecord[]> {
    return (await this.list()).filter((r) => ACTIVE_STATES.has(r.state));
  }

  async get(paymentHash: string): Promise<DepositRecord | undefined> {
    return (await this.load()).records[paymentHash];
  }

  /** The deposit `origin` holds (or is being paid) now: one per site. */
  async activeAt(originOf: Origin): Promise<DepositRecord | undefined> {
    return (await this.active()).find((r) => r.origin === originOf);
  }

  async put(record: DepositRecord): Promise<DepositRecord> {
    const valid = recordSchema.parse(record);
    await this.change((s) => {
      s.records[valid.paymentHash] = valid;
    });
    return valid;
  }

  /** Applies `patch` to a stored record (a record gone meanwhile is not brought back). */
  update(paymentHash: string, patch: Partial<DepositRecord>): Promise<DepositRecord | undefined> {
    return this.transition(paymentHash, () => patch);
  }

  /** Atomically: `fn` sees the stored record and says what changes (undefined: nothing). */
  async transition(paymentHash: string, fn: (r: DepositRecord) => Partial<DepositRecord> | undefined): Promise<DepositRecord | undefined> {
    let out: DepositRecord | undefined;
    await this.change((s) => {
      const r = s.records[paymentHash];
      const patch = r && fn(r);
      if (!r || !patch) return;
      out = recordSchema.parse({ ...r, ...patch });
      s.records[paymentHash] = out;
    });
    return out;
  }

  /** A deposit that never reached the ledger (refused before paying): nothing to keep. */
  async remove(paymentHash: string): Promise<void> {
    await this.change((s) => {
      delete s.records[paymentHash];
    });
  }

  private change(fn: (s: Stored) => void): Promise<void> {
    return lockFor(this.store, KEY).run(async () => {
      const s = await this.load();
      // What the history key holds now (an older layout kept ended deposits under KEY: they move on the first write).
      const endedBefore = endedKeys(s.stored);
      fn(s);
      const ended = Object.values(s.records)
        .filter((r) => !ACTIVE_STATES.has(r.state))
        .sort((a, b) => (b.endedAt ?? b.createdAt) - (a.endedAt ?? a.createdAt));
      for (const r of ended.slice(MAX_ENDED)) delete s.records[r.paymentHash];
      const active = Object.fromEntries(Object.entries(s.records).filter(([, r]) => ACTIVE_STATES.has(r.state)));
      const entries: Record<string, unknown> = { [KEY]: { schemaVersion: DEPOSIT_BOOK_VERSION, records: active } };
      // One set for both keys: a deposit that ends moves in one atomic write.
      if (endedKeys(s.records) !== endedBefore) {
        const history = Object.fromEntries(Object.entries(s.records).filter(([, r]) => !ACTIVE_STATES.has(r.state)));
        entries[HISTORY_KEY] = { schemaVersion: DEPOSIT_BOOK_VERSION, records: history };
      }
      await this.store.set(entries);
    });
  }

  private async load(): Promise<Stored> {
    const raw = await this.store.getMany([KEY, HISTORY_KEY]);
    // History first: a record in both (an older layout kept everything under KEY) is the live one.
    const stored = this.read(raw[HISTORY_KEY], HISTORY_KEY);
    return { records: { ...stored, ...this.read(raw[KEY], KEY) }, stored };
  }

  private read(raw: unknown, key: string): Record<string, DepositRecord> {
    if (raw === undefined) return {};
    const up = upgrade(raw, DEPOSIT_BOOK_VERSION);
    if (!up.ok) {
      this.onIssue(`${key}: ${up.problem}; starting empty`);
      return {};
    }
    const records: Record<string, DepositRecord> = {};
    for (const [hash, r] of Object.entries(isRecord(up.record.records) ? up.record.records : {})) {
      const parsed = recordSchema.safeParse(r);
      if (parsed.success && parsed.data.paymentHash === hash) records[hash] = parsed.data;
      else this.onIssue(`${key}[${hash}]: invalid; dropped`);
    }
    return records;
  }
}

/** Which deposits have ended, as one comparable string. */
function endedKeys(records: Record<string, DepositRecord>): string {
  return Object.values(records)
    .filter((r) => !ACTIVE_STATES.has(r.state))
    .map((r) => `${r.paymentHash}:${r.state}:${r.endedAt ?? ''}:${r.note ?? ''}`)
    .sort()
    .join(',');
}

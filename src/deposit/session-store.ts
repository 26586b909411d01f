import { z } from '../base/zod.ts';
import { isOrigin, type Origin } from '../base/origin.ts';
import { satsSchema } from '../base/sats.ts';
import { moduleErrors } from '../errors.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import { lockFor } from '../storage/mutex.ts';
import { isRecord, upgrade } from '../storage/schema.ts';

/**
 * The custodial deposit sessions (Payment `intent="session"`, src/l402/session.ts) the wallet has
 * paid or is paying, by session id (the first deposit's payment hash). Written before any money
 * moves and at every step, so a restarted worker finds each one again; the money's truth stays
 * with the node and the ledger.
 *
 * | state   | means                                                          | next             |
 * | ------- | -------------------------------------------------------------- | ---------------- |
 * | paying  | recorded, return invoice made; the deposit invoice is being paid | paid, failed   |
 * | paid    | the deposit settled (the site holds it); the site not yet told   | open             |
 * | open    | the site opened it: the bearer header spends it                  | closing          |
 * | closing | the wallet is asking the site to close it                        | closed           |
 * | closed  | the site answered (refund, receipt) or no longer knows it; the refund is watched on the return invoice | — |
 * | failed  | the deposit never reached the site (payment failed)              | —                |
 *
 * A secret lives here: `preimage` is the bearer proof of the session (whoever holds it spends the
 * balance at that site). Give this store the vault's encrypted storage where there is one.
 *
 * Bounded: at most MAX_LIVE sessions under way (a page cannot grow the store without limit; a new
 * one past it is refused), and the newest MAX_ENDED ended ones plus older ones only while their
 * refund is still awaited (the ledger keeps the money's history). A record that does not parse is
 * kept as it is stored, never rewritten away.
 */
export const SESSION_STORE_VERSION = 1;
export const MAX_LIVE = 32;
export const MAX_ENDED = 100;
const KEY = 'sessions';

export const SESSION_STATES = ['paying', 'paid', 'open', 'closing', 'closed', 'failed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];
export const LIVE_STATES: ReadonlySet<SessionState> = new Set(['paying', 'paid', 'open', 'closing']);

const err = moduleErrors('session');
const origin = z.string().check(z.refine(isOrigin, 'expected an origin'));
const hex32 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const ms = z.int().check(z.minimum(0));
const text = (max: number) => z.string().check(z.maxLength(max));
const nonEmpty = (max: number) => text(max).check(z.minLength(1));

/** A Payment challenge's parameters, as echoed in the credentials (payment.ts PaymentParams). */
const paramsSchema = z.strictObject({
  id: nonEmpty(1024),
  realm: nonEmpty(1024),
  method: nonEmpty(64),
  intent: nonEmpty(64),
  request: nonEmpty(16_384),
  expires: z.optional(text(64)),
  digest: z.optional(text(1024)),
  description: z.optional(text(2048)),
  opaque: z.optional(text(4096)),
});

const topUpSchema = z.strictObject({
  paymentHash: hex32,
  depositSat: satsSchema,
  /** The offer whose deposit invoice pays it: echoed by the topUp credential. */
  challenge: paramsSchema,
  paymentRequest: nonEmpty(4096),
  preimage: z.optional(hex32),
  startedAt: ms,
});

const recordSchema = z.strictObject({
  /** The session id: the first deposit's payment hash. */
  id: hex32,
  /** The server that holds it (where open, top-up and close are sent). */
  origin,
  /** The URL that answered 402: open and close are sent there. */
  url: z.url().check(z.maxLength(2048)),
  /** The page that met the wall: whose budget paid. */
  paidBy: origin,
  realm: nonEmpty(1024),
  state: z.enum(SESSION_STATES),
  /** Everything paid in: the deposit and every top-up (all of it counted as spent). */
  depositSat: satsSchema,
  /** What one request costs, per the last offer. */
  unitSat: satsSchema,
  idleTimeoutSeconds: z.optional(z.int().check(z.minimum(0), z.maximum(0xffffffff))),
  paymentRequest: nonEmpty(4096),
  /** Once paid: the deposit preimage, the session's bearer proof. */
  preimage: z.optional(hex32),
  /** The amountless invoice on the wallet's node the refund is paid to. */
  returnInvoice: nonEmpty(4096),
  returnHash: hex32,
  /** The offer the credentials echo now. */
  challenge: paramsSchema,
  /** Unix seconds, from its `expires`. */
  challengeExpiresAt: z.optional(z.int().check(z.minimum(0))),
  /** The `Authorization` value for the site's requests (bearer), once open. */
  header: z.optional(text(65_536)),
  /** When that header was made (ms): a 402 to a request sent before it is no refusal of it. */
  headerAt: z.optional(ms),
  /** When money last went in (open or top-up), ms. */
  paidAt: z.optional(ms),
  topUp: z.optional(topUpSchema),
  createdAt: ms,
  updatedAt: ms,
  closeAskedAt: z.optional(ms),
  closedAt: z.optional(ms),
  /** What the site says it refunded (its receipt); absent: it did not say. */
  refundSat: z.optional(satsSchema),
  refundStatus: z.optional(z.enum(['succeeded', 'failed', 'skipped'])),
  /** What arrived on the return invoice (the node's word); absent while unknown. */
  receivedSat: z.optional(satsSchema),
  /** Set once the refund is settled either way: arrived, nothing owed, or the return invoice expired. */
  refundSettledAt: z.optional(ms),
  /** Why it is where it is, in the site's or node's words. */
  note: z.optional(text(256)),
});
export type SessionRecord = z.infer<typeof recordSchema>;
export type SessionTopUp = z.infer<typeof topUpSchema>;

interface Loaded {
  records: Record<string, SessionRecord>;
  /** Stored values that do not parse, kept untouched. */
  damaged: Record<string, unknown>;
}

export interface SessionStoreOptions {
  now?: () => number;
  /** Told about stored data that does not parse. */
  onIssue?: (issue: string) => void;
}

export class SessionStore {
  private readonly now: () => number;
  private readonly onIssue: (issue: string) => void;

  constructor(
    private readonly store: KeyValueStore,
    opts: SessionStoreOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.onIssue = opts.onIssue ?? (() => undefined);
  }

  /** Newest first. */
  async list(): Promise<SessionRecord[]> {
    return Object.values((await this.load()).records).sort((a, b) => b.createdAt - a.createdAt);
  }

  async live(): Promise<SessionRecord[]> {
    return (await this.list()).filter((r) => LIVE_STATES.has(r.state));
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return (await this.load()).records[id];
  }

  /** The session under way at `originOf`: one per server. */
  async liveAt(originOf: Origin): Promise<SessionRecord | undefined> {
    return (await this.live()).find((r) => r.origin === originOf);
  }

  /** Stores a new session; SESSION_REFUSED when MAX_LIVE are under way, or one for that server already is. */
  async put(record: SessionRecord): Promise<SessionRecord> {
    const valid = recordSchema.parse(record);
    await this.change((s) => {
      const live = Object.values(s.records).filter((r) => LIVE_STATES.has(r.state) && r.id !== valid.id);
      if (LIVE_STATES.has(valid.state) && live.some((r) => r.origin === valid.origin))
        throw err('SESSION_REFUSED', 'a session with this site is already under way', valid.origin);
      if (LIVE_STATES.has(valid.state) && live.length >= MAX_LIVE) throw err('SESSION_REFUSED', 'too many deposit sessions under way; close one first', live.length);
      s.records[valid.id] = valid;
    });
    return valid;
  }

  /** Applies `patch` (undefined values remove a field); a record gone meanwhile is not brought back. */
  update(id: string, patch: Partial<SessionRecord>): Promise<SessionRecord | undefined> {
    return this.transition(id, () => patch);
  }

  /** Atomically: `fn` sees the stored record and says what changes (undefined: nothing). */
  async transition(id: string, fn: (r: SessionRecord) => Partial<SessionRecord> | undefined): Promise<SessionRecord | undefined> {
    let out: SessionRecord | undefined;
    await this.change((s) => {
      const r = s.records[id];
      const patch = r && fn(r);
      if (!r || !patch) return;
      const next: Record<string, unknown> = { ...r, ...patch, updatedAt: Math.max(r.updatedAt, this.now()) };
      for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
      out = recordSchema.parse(next);
      s.records[id] = out;
    });
    return out;
  }

  /** A session refused before any money moved: nothing to keep. */
  async remove(id: string): Promise<void> {
    await this.change((s) => {
      delete s.records[id];
    });
  }

  private change(fn: (s: Loaded) => void): Promise<void> {
    return lockFor(this.store, KEY).run(async () => {
      const s = await this.load();
      fn(s);
      const ended = Object.values(s.records)
        .filter((r) => !LIVE_STATES.has(r.state))
        .sort((a, b) => (b.closedAt ?? b.updatedAt) - (a.closedAt ?? a.updatedAt));
      // An ended session still waiting for its refund is kept: its return invoice is watched.
      for (const r of ended.slice(MAX_ENDED)) if (r.refundSettledAt !== undefined || r.state === 'failed') delete s.records[r.id];
      await this.store.set({ [KEY]: { schemaVersion: SESSION_STORE_VERSION, records: { ...s.damaged, ...s.records } } });
    });
  }

  private async load(): Promise<Loaded> {
    const raw = await this.store.get(KEY);
    const out: Loaded = { records: {}, damaged: {} };
    if (raw === undefined) return out;
    const up = upgrade(raw, SESSION_STORE_VERSION);
    if (!up.ok) {
      // A newer layout or garbage: refuse to write over it (sessions hold money).
      this.onIssue(`${KEY}: ${up.problem}`);
      throw err('SESSION_UNKNOWN', `stored sessions unreadable (${up.problem}); not overwriting them`, KEY);
    }
    for (const [id, r] of Object.entries(isRecord(up.record.records) ? up.record.records : {})) {
      const parsed = recordSchema.safeParse(r);
      if (parsed.success && parsed.data.id === id) out.records[id] = parsed.data;
      else {
        out.damaged[id] = r;
        this.onIssue(`${KEY}[${id}]: invalid; kept as stored, not used`);
      }
    }
    return out;
  }
}

/**
 * A deposit wall (docs/deposit-wall.md) for any fetch-style server: Request in, Response out.
 *
 *   guard(request)  → the page's go-ahead (with headers to add), or the 402 to send instead
 *   handle(request) → the answer for the release and status paths, null for any other path
 *   forfeit(hash)   → settle a deposit whose holder broke the terms
 *   sweep()         → cancel deposits past idle or max hold; start()/stop() run it on a timer
 *
 * Stateless but for the activity store (activity.ts): nonces and preimages derive from the
 * secret, the key binding and hold times are read from the node's invoice.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { DEPOSIT_KEY_RECORD, verifyDepositCredential, type DepositAction, type SignedDeposit } from '../src/deposit/credential.ts';
import { currentDepositNonce, isFreshDepositNonce, NONCE_WINDOW_SECONDS } from '../src/deposit/nonce.ts';
import { isSatnavError, moduleErrors } from '../src/errors.ts';
import { memoryActivity, type ActivityStore } from './activity.ts';
import { defaultChallengePage, depositChallengeHeader, type ChallengeFacts, type ChallengePage } from './challenge.ts';
import { checkTerms, type WallTerms } from './config.ts';
import { allInvoices, createLnd, type Invoice, type InvoiceState } from './lnd.ts';
import { newHoldSecret, ownHoldSecret, secretBytes } from './secret.ts';

const err = moduleErrors('sitekit');

/** Short: an unpaid challenge is worth nothing after it, and nonces live at most as long. */
export const HOLD_INVOICE_EXPIRY_SECONDS = 600;

export interface DepositWallOptions extends WallTerms {
  /** The site's LND REST URL and a macaroon (hex) allowed to add, look up, cancel and settle invoices. */
  readonly lndUrl: string;
  readonly macaroon: string;
  /** How to reach LND (e.g. trusting its self-signed certificate); default the global fetch. */
  readonly fetch?: typeof globalThis.fetch;
  /** At least 32 bytes (hex or bytes); every server of the site uses the same one. */
  readonly secret: string | Uint8Array;
  /** Last verified request per deposit, for the idle release; default in memory (one server). */
  readonly activity?: ActivityStore;
  /**
   * Strict single use: answers whether this exact credential (its signature) was seen before, and
   * remembers it until `untilSeconds`. Without it the same credential works until its nonce is stale.
   */
  readonly usedCredential?: (sig: string, untilSeconds: number) => boolean | Promise<boolean>;
  /** The body of the 402; default a plain page saying what the deposit is and when it comes back. */
  readonly page?: (c: ChallengeFacts, acceptsHtml: boolean) => ChallengePage;
  /**
   * Whether the sweep releases deposits with no request in this server's activity store, counting
   * idle from acceptance (default true). False where servers keep their own activity (sticky
   * sessions): each sweeps the deposits it served, the max hold ends the others.
   */
  readonly sweepUnseen?: boolean;
  /** Where a failed timed sweep is reported; default console.warn. */
  readonly onError?: (e: unknown) => void;
  /** Clock in ms (tests move it). */
  readonly now?: () => number;
}

/** Why a credential was not honoured: the `Deposit-Reason` header and the `error` of JSON answers. */
export type DepositReason =
  | 'bad-credential' | 'stale-nonce' | 'replayed' | 'unknown-deposit' | 'not-held' | 'released' | 'forfeited'
  | 'wrong-key' | 'amount' | 'idle' | 'max-hold' | 'cross-site';

export type DepositState = 'pending' | 'held' | 'released' | 'forfeited';

export type GuardResult =
  | { readonly ok: true; readonly headers: Headers; readonly paymentHash: string }
  | { readonly ok: false; readonly response: Response };

export interface DepositSummary {
  readonly paymentHash: string;
  readonly state: DepositState;
  readonly amountSat: number;
}

export interface SweepResult {
  /** This wall's held deposits looked at. */
  readonly checked: number;
  readonly idle: number;
  readonly maxHold: number;
}

export interface DepositWall {
  readonly terms: WallTerms;
  guard(request: Request): Promise<GuardResult>;
  handle(request: Request): Promise<Response | null>;
  /** Settles a held deposit of this wall (idempotent once forfeited). */
  forfeit(paymentHash: string): Promise<'forfeited'>;
  sweep(): Promise<SweepResult>;
  start(everySeconds?: number): void;
  stop(): void;
  /** This wall's deposits on the node, every state (reads all of the node's invoices). */
  list(): Promise<DepositSummary[]>;
}

const STATE: Record<InvoiceState, DepositState> = { OPEN: 'pending', ACCEPTED: 'held', CANCELED: 'released', SETTLED: 'forfeited' };
const HOLD_REFUSAL: Record<Exclude<InvoiceState, 'ACCEPTED'>, DepositReason> = { OPEN: 'not-held', CANCELED: 'released', SETTLED: 'forfeited' };

type Inspected =
  | { readonly ok: true; readonly s: SignedDeposit; readonly inv: Invoice; readonly state: InvoiceState; readonly timedOut?: 'idle' | 'max-hold' }
  | { readonly ok: false; readonly reason: DepositReason; readonly verifiedHash?: string };

/** The HTLCs that tell the key: the held ones, else (released, forfeited) all that came. */
function bindingHtlcs(inv: Invoice) {
  const accepted = inv.htlcs.filter((h) => h.state === 'ACCEPTED');
  return accepted.length > 0 ? accepted : inv.htlcs;
}

/** Earliest acceptance among the HTLCs that tell the key, if any came. */
function acceptTimeOf(inv: Invoice): number | undefined {
  const times = bindingHtlcs(inv).map((h) => h.acceptTime);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Every HTLC names the same key in record 1402001, and it is `key`. */
function paidWithKey(inv: Invoice, key: string): boolean {
  const keys = new Set(bindingHtlcs(inv).map((h) => {
    const r = h.customRecords[DEPOSIT_KEY_RECORD];
    return r ? bytesToHex(r) : '';
  }));
  return keys.size === 1 && keys.has(key);
}

const isNodeError = (e: unknown) => isSatnavError(e) && e.code.startsWith('NODE_');

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers } });
}

const unavailable = () => json(503, { error: 'node-unavailable' }, { 'Retry-After': '5' });

export function createDepositWall(o: DepositWallOptions): DepositWall {
  const terms = checkTerms(o);
  const secret = secretBytes(o.secret);
  const lnd = createLnd({ url: o.lndUrl, macaroon: o.macaroon, fetch: o.fetch });
  const activity = o.activity ?? memoryActivity();
  const page = o.page ?? defaultChallengePage;
  const nowSeconds = () => Math.floor((o.now ?? Date.now)() / 1000);
  const own = (inv: Invoice) => ownHoldSecret(secret, terms.realm, inv.memo, inv.paymentHash);
  const nonceHeader = (hash: string, now: number) => ({ 'Deposit-Nonce': currentDepositNonce(secret, hash, now) });

  /** Past max hold or idle: the protocol says the site MUST release it. */
  async function timeout(inv: Invoice, now: number, idleIfUnseen = true): Promise<'idle' | 'max-hold' | undefined> {
    const accepted = acceptTimeOf(inv);
    if (inv.state !== 'ACCEPTED' || accepted === undefined) return undefined;
    if (now - accepted > terms.maxHoldSeconds) return 'max-hold';
    const seen = await activity.get(inv.paymentHash);
    if (seen === undefined && !idleIfUnseen) return undefined;
    return now - Math.max(seen ?? 0, accepted) > terms.idleSeconds ? 'idle' : undefined;
  }

  async function release(hash: string): Promise<void> {
    await lnd.cancelInvoice(hash);
    await activity.delete(hash);
  }

  /** Credential (docs/deposit-wall.md §3.3 steps 1–4), then the node (5) and the timers (6). */
  async function inspect(header: string | null, action: DepositAction, now: number): Promise<Inspected> {
    let signedHash: string | undefined;
    let s: SignedDeposit;
    try {
      s = verifyDepositCredential(header ?? '', {
        origin: terms.origin, realm: terms.realm, nowSeconds: now, expectAction: action,
        // Called only once the signature verified: a refusal after it is the nonce's alone.
        nonceFresh: (nonce, hash) => ((signedHash = hash), isFreshDepositNonce(secret, hash, nonce, now)),
      });
    } catch (e) {
      if (!isSatnavError(e)) throw e;
      return signedHash ? { ok: false, reason: 'stale-nonce', verifiedHash: signedHash } : { ok: false, reason: 'bad-credential' };
    }
    const hash = s.paymentHash;
    if (o.usedCredential && (await o.usedCredential(s.sig, now + 2 * NONCE_WINDOW_SECONDS))) return { ok: false, reason: 'replayed', verifiedHash: hash };
    const inv = await lnd.lookupInvoice(hash);
    if (!inv || !own(inv)) return { ok: false, reason: 'unknown-deposit', verifiedHash: hash };
    if (inv.htlcs.length > 0 && !paidWithKey(inv, s.key)) return { ok: false, reason: 'wrong-key', verifiedHash: hash };
    const timedOut = await timeout(inv, now);
    if (timedOut) await release(hash);
    return { ok: true, s, inv, state: timedOut ? 'CANCELED' : inv.state, timedOut };
  }

  async function challenge(request: Request, now: number, reason?: DepositReason, verifiedHash?: string): Promise<Response> {
    const h = newHoldSecret(secret, terms.realm);
    const { paymentRequest } = await lnd.addHoldInvoice({
      hash: h.paymentHash, valueSat: terms.amountSat, memo: h.memo, expirySeconds: HOLD_INVOICE_EXPIRY_SECONDS, cltvExpiry: terms.maxCltv,
    });
    const facts: ChallengeFacts = {
      realm: terms.realm, paymentRequest, amountSat: terms.amountSat, maxHoldSeconds: terms.maxHoldSeconds, maxCltv: terms.maxCltv,
      idleSeconds: terms.idleSeconds, release: terms.paths.release, status: terms.paths.status, forfeitTerms: terms.forfeitTerms,
      nonce: currentDepositNonce(secret, h.paymentHash, now),
    };
    const body = page(facts, (request.headers.get('accept') ?? '').includes('text/html'));
    const headers = new Headers({ 'WWW-Authenticate': depositChallengeHeader(facts), 'Content-Type': body.contentType, 'Cache-Control': 'no-store' });
    if (reason) headers.set('Deposit-Reason', reason);
    // The holder of a deposit signs again with this instead of paying again.
    if (verifiedHash) headers.set('Deposit-Nonce', currentDepositNonce(secret, verifiedHash, now));
    return new Response(body.body, { status: 402, headers });
  }

  async function guard(request: Request): Promise<GuardResult> {
    const now = nowSeconds();
    const header = request.headers.get('authorization');
    const refuse = async (reason?: DepositReason, verifiedHash?: string): Promise<GuardResult> => ({ ok: false, response: await challenge(request, now, reason, verifiedHash) });
    try {
      if (header === null || !/^\s*deposit(\s|$)/i.test(header)) return await refuse();
      // Another site's page made the browser send it (an <img>, a form POST): never honoured, so a
      // guarded "abuse" endpoint can't be made to forfeit a visitor's deposit. A visit is fine.
      if (crossSite(request)) return { ok: false, response: json(403, { error: 'cross-site' satisfies DepositReason }) };
      const r = await inspect(header, 'hold', now);
      if (!r.ok) return await refuse(r.reason, r.verifiedHash);
      const hash = r.s.paymentHash;
      if (r.timedOut) return await refuse(r.timedOut, hash);
      if (r.state !== 'ACCEPTED') return await refuse(HOLD_REFUSAL[r.state], hash);
      if (r.inv.valueMsat < BigInt(terms.amountSat) * 1000n) return await refuse('amount', hash);
      await activity.set(hash, now, terms.maxHoldSeconds);
      return { ok: true, paymentHash: hash, headers: new Headers({ ...nonceHeader(hash, now), 'Cache-Control': 'private, no-store' }) };
    } catch (e) {
      if (isNodeError(e)) return { ok: false, response: unavailable() };
      throw e;
    }
  }

  function statusBody(r: Extract<Inspected, { ok: true }>, now: number) {
    const accepted = acceptTimeOf(r.inv);
    const state = STATE[r.state];
    const holdUntil = state === 'pending' ? now + terms.maxHoldSeconds : accepted === undefined ? 0 : accepted + terms.maxHoldSeconds;
    const idleLeft = state === 'pending' ? terms.idleSeconds : state === 'held' ? Math.min(terms.idleSeconds, holdUntil - now) : 0;
    return { state, amount: Number(r.inv.valueMsat / 1000n), idleLeft, holdUntil };
  }

  async function handle(request: Request): Promise<Response | null> {
    const path = new URL(request.url).pathname;
    const action = path === terms.paths.status ? 'status' : path === terms.paths.release ? 'release' : null;
    if (action === null) return null;
    const method = action === 'status' ? 'GET' : 'POST';
    if (request.method !== method) return json(405, { error: 'method' }, { Allow: method });
    const now = nowSeconds();
    try {
      const r = await inspect(request.headers.get('authorization'), action, now);
      if (!r.ok) return json(r.reason === 'unknown-deposit' ? 404 : 403, { error: r.reason }, r.verifiedHash ? nonceHeader(r.verifiedHash, now) : {});
      const hash = r.s.paymentHash;
      const headers = nonceHeader(hash, now);
      if (action === 'status') {
        if (r.state === 'ACCEPTED') await activity.set(hash, now, terms.maxHoldSeconds);
        return json(200, statusBody(r, now), headers);
      }
      if (r.state === 'SETTLED') return json(409, { state: 'forfeited' }, headers);
      if (r.state !== 'CANCELED') await release(hash);
      else await activity.delete(hash);
      return json(200, { state: 'released' }, headers);
    } catch (e) {
      if (isNodeError(e)) return unavailable();
      throw e;
    }
  }

  async function forfeit(paymentHash: string): Promise<'forfeited'> {
    const inv = await lnd.lookupInvoice(paymentHash);
    const h = inv && own(inv);
    if (!inv || !h) throw err('INVOICE_UNKNOWN', 'no deposit of this wall has hash', paymentHash);
    if (inv.state === 'SETTLED') return 'forfeited';
    if (inv.state !== 'ACCEPTED') throw err('INVALID_TRANSITION', 'only a held deposit can be forfeited, state', inv.state);
    await lnd.settleInvoice(h.preimage);
    await activity.delete(paymentHash);
    return 'forfeited';
  }

  async function sweep(): Promise<SweepResult> {
    const now = nowSeconds();
    const out = { checked: 0, idle: 0, maxHold: 0 };
    for await (const inv of allInvoices(lnd, true)) {
      if (inv.state !== 'ACCEPTED' || !own(inv)) continue;
      out.checked++;
      const t = await timeout(inv, now, o.sweepUnseen ?? true);
      if (!t) continue;
      await release(inv.paymentHash);
      if (t === 'idle') out.idle++;
      else out.maxHold++;
    }
    return out;
  }

  let timer: ReturnType<typeof setInterval> | undefined;
  let sweeping = false;
  const report = o.onError ?? ((e: unknown) => console.warn(`sitekit: sweep failed=${(e as Error).message}`));

  return {
    terms,
    guard,
    handle,
    forfeit,
    sweep,
    start(everySeconds = 30) {
      if (timer) return;
      timer = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        sweep().catch(report).finally(() => (sweeping = false));
      }, everySeconds * 1000);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    async list() {
      const out: DepositSummary[] = [];
      for await (const inv of allInvoices(lnd, false)) {
        if (own(inv)) out.push({ paymentHash: inv.paymentHash, state: STATE[inv.state], amountSat: Number(inv.valueMsat / 1000n) });
      }
      return out;
    },
  };
}

/**
 * What the browser says about who made the request (Fetch Metadata): from another site, only a
 * top-level GET visit counts. Clients that send no Sec-Fetch-Site (scripts, servers) are not browsers
 * carrying someone else's credential.
 */
function crossSite(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site === null || site === 'same-origin' || site === 'none') return false;
  const visit = request.headers.get('sec-fetch-mode') === 'navigate' && (request.method === 'GET' || request.method === 'HEAD');
  return !visit;
}

/**
 * The `Payment` scheme's Lightning `session` intent as Aperture serves it: a **custodial deposit**
 * (draft-lightning-session-00). Facts from github:lightninglabs/aperture @
 * 7ee3ed7a0490d6f3b3780dda80d63e5d17869bd1 — mpp/session.go, auth/mpp_session_authenticator.go,
 * aperturedb/mpp_sessions.go — and its vectors (contracts/aperture-mpp/vectors.json).
 *
 * Challenge (402):
 *   WWW-Authenticate: Payment id, realm, method="lightning", intent="session", request, expires
 *   request = b64url(JCS {amount: "<sat per request>", currency: "sat", depositInvoice: "<bolt11>",
 *             paymentHash: "<hex>", depositAmount: "<sat>", idleTimeout: "<seconds>"})
 *   The deposit is `depositUnits` (Aperture: 20) × the price, a normal invoice on the merchant node.
 * Credential: Authorization: Payment <b64url {challenge echo, source?, payload}>, payload by action:
 *
 * | action | payload                                  | checks (after the challenge id and expiry)                          | effect                         |
 * | ------ | ---------------------------------------- | ------------------------------------------------------------------- | ------------------------------ |
 * | open   | {action, preimage, returnInvoice}        | sha256(preimage) = request.paymentHash, invoice SETTLED, payment not claimed, returnInvoice bolt11 with no amount, unexpired | session (id = that hash, balance = depositAmount); served, no debit |
 * | bearer | {action, sessionId, preimage}            | session open, sha256(preimage) = sessionId, balance ≥ request.amount | debit request.amount; served   |
 * | topUp  | {action, sessionId, topUpPreimage}       | session open, sha256(topUpPreimage) = request.paymentHash, SETTLED, payment not claimed elsewhere | credit depositAmount once (the same payment again: nothing more); served |
 * | close  | {action, sessionId, preimage}            | session open, sha256(preimage) = sessionId                           | closed; the balance paid to returnInvoice from the merchant node; served |
 *
 * Receipts: open/bearer/topUp `{status, method, timestamp, reference, challengeId}` (reference: the
 * session id); close `{method, reference, status, timestamp, refundSats (omitted when 0),
 * refundStatus: succeeded|failed|skipped}`. By default the refund is paid before the answer, so the
 * receipt tells its outcome; `asyncRefund` answers first with `failed` and pays after, as Aperture does.
 * Every refusal is a 402 with a fresh session challenge (as Aperture), the reason in
 * `X-Paywall-Reason`: malformed-credential, bad-challenge, challenge-expired, wrong-preimage,
 * invoice-not-settled, already-used, bad-return-invoice, unknown-session, session-closed,
 * insufficient-balance, unsupported.
 *
 * `idleTimeout` is advertised, not enforced (Aperture @ 7ee3ed7a does not close idle sessions either).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import type { DevnetControl } from '../../devnet/index.ts';
import { decodeInvoice } from '../../src/bolt11/index.ts';
import { paymentRequiredPage, RESOURCES, type Resource } from './content.ts';
import * as mpp from './mpp.ts';

export interface SessionConfig {
  /** What one request costs (the request's `amount`), in sat. */
  priceSat: number;
  /** Deposit = price × this (`depositAmount`). */
  depositUnits: number;
  /** Advertised `idleTimeout`, seconds. */
  idleTimeoutSec: number;
  /** The challenge's `expires`. */
  challengeExpirySec: number;
  /** Expiry of the deposit invoices. */
  invoiceExpirySec: number;
  /** Answer `close` first (refundStatus "failed"), pay the refund after: Aperture's way. */
  asyncRefund: boolean;
}

export interface SessionWallOptions extends Partial<SessionConfig> {
  /** Without payInvoice every refund fails (refundStatus "failed"), as Aperture without a payment sender. */
  control: Pick<DevnetControl, 'createInvoice' | 'lookupInvoice'> & Partial<Pick<DevnetControl, 'payInvoice'>>;
  /** The merchant node: makes the deposit invoices, pays the refunds (default carol). */
  node?: string;
  realm?: string;
  /** Network the return invoice must be for (BOLT 11 name; default regtest). */
  network?: string;
  now?: () => number;
}

export type RefundStatus = 'succeeded' | 'failed' | 'skipped';

export interface DemoSession {
  sessionId: string;
  status: 'open' | 'closed';
  depositSat: number;
  spentSat: number;
  balanceSat: number;
  returnInvoice: string;
  openedAt: number;
  lastUsedAt: number;
  requests: number;
  topUps: number;
  refundSat?: number;
  refundStatus?: RefundStatus;
}

export interface SessionStats {
  invoicesIssued: number;
  opened: number;
  served: number;
  toppedUp: number;
  closed: number;
  refused: number;
  refundedSat: number;
  sessions: DemoSession[];
  config: SessionConfig;
}

export interface SessionWall {
  /** `/paywall/session/…` */
  matches(pathname: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  stats(): SessionStats;
  session(sessionId: string): DemoSession | undefined;
  configure(c: Partial<SessionConfig>): SessionConfig;
  /** Resolves when every refund started so far (asyncRefund) has its outcome. */
  refundsDone(): Promise<void>;
}

const DEFAULTS: SessionConfig = { priceSat: 10, depositUnits: 20, idleTimeoutSec: 300, challengeExpirySec: 900, invoiceExpirySec: 600, asyncRefund: false };
const PREFIX = '/paywall/session/';
const HEX32 = /^[0-9a-f]{64}$/;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type, Authorization',
  'access-control-expose-headers': 'WWW-Authenticate, Payment-Receipt, X-Paywall-Reason, Retry-After',
};

type Reason = { code: string; message: string };
type Outcome = { ok: true; sessionId: string; receipt: string } | { ok: false; reason: Reason; retryAfter?: boolean };

interface SessionRequest {
  amount?: unknown;
  currency?: unknown;
  depositInvoice?: unknown;
  paymentHash?: unknown;
  depositAmount?: unknown;
  idleTimeout?: unknown;
}

class BadConfig extends Error {}

function validConfig(c: Partial<SessionConfig>, base: SessionConfig): SessionConfig {
  const out = { ...base };
  for (const [k, v] of Object.entries(c)) {
    if (k === 'asyncRefund') {
      if (typeof v !== 'boolean') throw new BadConfig('asyncRefund must be true or false');
      out.asyncRefund = v;
    } else if (k in DEFAULTS) {
      if (!Number.isSafeInteger(v) || (v as number) < 1) throw new BadConfig(`${k} must be a whole number ≥ 1`);
      (out as unknown as Record<string, number>)[k] = v as number;
    } else throw new BadConfig(`unknown setting ${k}`);
  }
  return out;
}

const sha256Hex = (hex: string) => bytesToHex(sha256(hexToBytes(hex)));
const SAT = /^(0|[1-9][0-9]{0,15})$/;

export function sessionWall(opts: SessionWallOptions): SessionWall {
  const { control } = opts;
  const node = opts.node ?? 'carol';
  const realm = opts.realm ?? 'satnav-demo-paywall';
  const network = opts.network ?? 'regtest';
  const now = opts.now ?? Date.now;
  let config = validConfig(Object.fromEntries(Object.entries(opts).filter(([k, v]) => k in DEFAULTS && v !== undefined)) as Partial<SessionConfig>, DEFAULTS);
  const secret = randomBytes(32);

  /** Deposit invoices made here (hash → amount). */
  const issued = new Map<string, number>();
  /** Payments already turned into balance: hash → the session they funded (Aperture claims them with the write). */
  const claimed = new Map<string, string>();
  const sessions = new Map<string, DemoSession>();
  const refunds = new Set<Promise<void>>();
  const counters = { invoicesIssued: 0, opened: 0, served: 0, toppedUp: 0, closed: 0, refused: 0, refundedSat: 0 };

  async function challenge(): Promise<string> {
    const depositSat = config.priceSat * config.depositUnits;
    const inv = await control.createInvoice(node, { amountSat: depositSat, memo: 'session deposit', expirySec: config.invoiceExpirySec });
    issued.set(inv.paymentHash, depositSat);
    counters.invoicesIssued++;
    const request = mpp.encodeRequest({
      amount: String(config.priceSat),
      currency: 'sat',
      depositInvoice: inv.paymentRequest,
      paymentHash: inv.paymentHash,
      depositAmount: String(depositSat),
      idleTimeout: String(config.idleTimeoutSec),
    });
    const p = { realm, method: 'lightning', intent: 'session', request, expires: mpp.rfc3339(now() + config.challengeExpirySec * 1000) };
    return mpp.challengeHeader({ id: mpp.challengeId(secret, p), ...p });
  }

  const refuse = (code: string, message: string): Outcome => ({ ok: false, reason: { code, message } });
  const receipt = (reference: string, challengeId: string) =>
    mpp.encodeReceipt({ status: 'success', method: 'lightning', timestamp: mpp.rfc3339(now()), reference, challengeId });

  async function settled(paymentHash: string): Promise<Outcome | null> {
    const inv = await control.lookupInvoice(node, paymentHash).catch(() => undefined);
    if (inv?.state === 'SETTLED') return null;
    return { ok: false, reason: { code: 'invoice-not-settled', message: `deposit invoice is ${inv?.state ?? 'unknown'}, not SETTLED` }, retryAfter: inv?.state === 'ACCEPTED' };
  }

  function returnInvoiceProblem(returnInvoice: unknown): string | null {
    if (typeof returnInvoice !== 'string' || !returnInvoice) return 'missing returnInvoice';
    try {
      const inv = decodeInvoice(returnInvoice);
      if (inv.amountMsat !== null) return 'returnInvoice must not name an amount';
      if (inv.network !== network) return `returnInvoice is for ${inv.network}, not ${network}`;
      if (inv.expiresAt * 1000 <= now()) return 'returnInvoice already expired';
      return null;
    } catch (e) {
      return `returnInvoice: ${(e as Error).message}`;
    }
  }

  async function payRefund(s: DemoSession, amountSat: number): Promise<RefundStatus> {
    const out = await control.payInvoice?.(node, s.returnInvoice, { amountSat, timeoutSec: 30 }).catch(() => undefined);
    const status: RefundStatus = out?.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
    s.refundStatus = status;
    if (status === 'succeeded') counters.refundedSat += amountSat;
    return status;
  }

  async function verify(authorization: string | undefined): Promise<Outcome | null> {
    if (!authorization || !/^payment /i.test(authorization)) return null;
    let cred: mpp.Credential;
    try {
      cred = mpp.parseCredential(authorization);
    } catch (e) {
      return refuse('malformed-credential', (e as Error).message);
    }
    const c = cred.challenge;
    if (c.method !== 'lightning' || c.intent !== 'session') return refuse('unsupported', `method=${c.method} intent=${c.intent} is not served here`);
    if (!mpp.verifyChallengeId(secret, c)) return refuse('bad-challenge', 'challenge id does not match its parameters (not issued here, or altered)');
    if (c.expires !== undefined) {
      const expires = Date.parse(c.expires);
      if (Number.isNaN(expires) || now() >= expires) return refuse('challenge-expired', `challenge expired at ${c.expires}`);
    }
    let req: SessionRequest;
    try {
      req = mpp.decodeRequest(c.request) as SessionRequest;
    } catch (e) {
      return refuse('bad-challenge', (e as Error).message);
    }
    const p = (cred.payload ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : '');
    switch (p.action) {
      case 'open': {
        const preimage = str('preimage');
        if (!HEX32.test(preimage)) return refuse('malformed-credential', 'payload.preimage must be 64 lowercase hex');
        const hash = typeof req.paymentHash === 'string' ? req.paymentHash : '';
        if (!issued.has(hash)) return refuse('bad-challenge', 'request names no deposit made here');
        if (sha256Hex(preimage) !== hash) return refuse('wrong-preimage', 'sha256(preimage) is not the deposit payment hash');
        const problem = returnInvoiceProblem(p.returnInvoice);
        if (problem) return refuse('bad-return-invoice', problem);
        const unsettled = await settled(hash);
        if (unsettled) return unsettled;
        // Claimed with the write, after the lookup: of concurrent opens (or an open racing a top-up) one wins.
        if (claimed.has(hash)) return refuse('already-used', 'this deposit already funded a session');
        const depositSat = typeof req.depositAmount === 'string' && SAT.test(req.depositAmount) ? Number(req.depositAmount) : 0;
        claimed.set(hash, hash);
        sessions.set(hash, {
          sessionId: hash,
          status: 'open',
          depositSat,
          spentSat: 0,
          balanceSat: depositSat,
          returnInvoice: p.returnInvoice as string,
          openedAt: now(),
          lastUsedAt: now(),
          requests: 0,
          topUps: 0,
        });
        counters.opened++;
        return { ok: true, sessionId: hash, receipt: receipt(hash, c.id) };
      }
      case 'bearer': {
        const sessionId = str('sessionId');
        const preimage = str('preimage');
        if (!sessionId || !preimage) return refuse('malformed-credential', 'bearer needs sessionId and preimage');
        const s = sessions.get(sessionId);
        if (!s) return refuse('unknown-session', `no session ${sessionId}`);
        if (s.status !== 'open') return refuse('session-closed', `session ${sessionId} is closed`);
        if (!HEX32.test(preimage) || sha256Hex(preimage) !== sessionId) return refuse('wrong-preimage', 'sha256(preimage) is not the session id');
        const price = typeof req.amount === 'string' && SAT.test(req.amount) ? Number(req.amount) : 0;
        if (price <= 0) return refuse('bad-challenge', 'request amount is not a positive sat amount');
        if (s.balanceSat < price) return refuse('insufficient-balance', `balance ${s.balanceSat} sat, a request costs ${price} sat: top up`);
        s.balanceSat -= price;
        s.spentSat += price;
        s.requests++;
        s.lastUsedAt = now();
        return { ok: true, sessionId, receipt: receipt(sessionId, c.id) };
      }
      case 'topUp': {
        const sessionId = str('sessionId');
        const topUpPreimage = str('topUpPreimage');
        if (!sessionId || !HEX32.test(topUpPreimage)) return refuse('malformed-credential', 'topUp needs sessionId and a 64-hex topUpPreimage');
        const s = sessions.get(sessionId);
        if (!s) return refuse('unknown-session', `no session ${sessionId}`);
        if (s.status !== 'open') return refuse('session-closed', `session ${sessionId} is closed`);
        const hash = typeof req.paymentHash === 'string' ? req.paymentHash : '';
        if (!issued.has(hash)) return refuse('bad-challenge', 'request names no deposit made here');
        if (sha256Hex(topUpPreimage) !== hash) return refuse('wrong-preimage', 'sha256(topUpPreimage) is not the top-up payment hash');
        const unsettled = await settled(hash);
        if (unsettled) return unsettled;
        const owner = claimed.get(hash);
        if (owner !== undefined && owner !== sessionId) return refuse('already-used', 'this payment funded another session');
        if (owner === undefined) {
          if (s.status !== 'open') return refuse('session-closed', `session ${sessionId} is closed`);
          const amount = typeof req.depositAmount === 'string' && SAT.test(req.depositAmount) ? Number(req.depositAmount) : 0;
          claimed.set(hash, sessionId);
          s.depositSat += amount;
          s.balanceSat += amount;
          s.topUps++;
          counters.toppedUp++;
        }
        // The same top-up again (its answer was lost): credited once, served all the same.
        s.lastUsedAt = now();
        return { ok: true, sessionId, receipt: receipt(sessionId, c.id) };
      }
      case 'close': {
        const sessionId = str('sessionId');
        const preimage = str('preimage');
        if (!sessionId || !preimage) return refuse('malformed-credential', 'close needs sessionId and preimage');
        const s = sessions.get(sessionId);
        if (!s) return refuse('unknown-session', `no session ${sessionId}`);
        if (s.status !== 'open') return refuse('session-closed', `session ${sessionId} is already closed`);
        if (!HEX32.test(preimage) || sha256Hex(preimage) !== sessionId) return refuse('wrong-preimage', 'sha256(preimage) is not the session id');
        // Closed and its balance taken in one step: no bearer can spend it after this line.
        s.status = 'closed';
        const refund = s.balanceSat;
        s.balanceSat = 0;
        s.refundSat = refund;
        s.lastUsedAt = now();
        counters.closed++;
        let status: RefundStatus;
        if (refund === 0) status = s.refundStatus = 'skipped';
        else if (config.asyncRefund) {
          status = s.refundStatus = 'failed';
          const running: Promise<void> = payRefund(s, refund).then(() => void refunds.delete(running));
          refunds.add(running);
        } else status = await payRefund(s, refund);
        // Go's SessionReceipt: method, reference, status, timestamp, refundSats (omitempty), refundStatus.
        const json = { method: 'lightning', reference: sessionId, status: 'success', timestamp: mpp.rfc3339(now()), refundSats: refund || undefined, refundStatus: status };
        return { ok: true, sessionId, receipt: mpp.b64urlEncode(new TextEncoder().encode(JSON.stringify(json))) };
      }
      default:
        return refuse('malformed-credential', `unknown session action ${JSON.stringify(p.action)}`);
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, r: Resource): Promise<void> {
    const outcome = await verify(req.headersDistinct.authorization?.find((a) => /^payment /i.test(a)));
    if (outcome?.ok) {
      counters.served++;
      res.writeHead(200, { ...CORS, 'content-type': r.mimeType, 'cache-control': 'private, no-store', 'payment-receipt': outcome.receipt });
      res.end(r.render({ scheme: 'mpp', paymentHash: outcome.sessionId }));
      return;
    }
    if (outcome) counters.refused++;
    const reason = outcome?.reason ?? null;
    const headers: Record<string, string> = { ...CORS, 'cache-control': 'no-store', 'www-authenticate': await challenge() };
    if (reason) headers['x-paywall-reason'] = reason.code;
    if (outcome?.retryAfter) headers['retry-after'] = '1';
    let body: string;
    if (/\btext\/html\b/.test(req.headers.accept ?? '')) {
      headers['content-type'] = 'text/html; charset=utf-8';
      body = paymentRequiredPage(r, 'mpp', config.priceSat, reason);
    } else {
      headers['content-type'] = 'application/problem+json';
      body = mpp.problem('payment-required', 'Payment Required', 402, reason ? `${reason.code}: ${reason.message}` : 'A session deposit is required for access.');
    }
    res.writeHead(402, headers).end(body);
  }

  async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    let raw = '';
    for await (const chunk of req) {
      raw += chunk;
      if (raw.length > 10_000) throw new BadConfig('body too large');
    }
    if (!raw.trim()) return {};
    const v = JSON.parse(raw) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadConfig('body must be a JSON object');
    return v as Record<string, unknown>;
  }

  const api: SessionWall = {
    matches: (p) => p.startsWith(PREFIX),
    stats: () => ({ ...counters, sessions: [...sessions.values()].map((s) => ({ ...s })), config: { ...config } }),
    session: (id) => {
      const s = sessions.get(id);
      return s && { ...s };
    },
    configure(c) {
      config = validConfig(c, config);
      return { ...config };
    },
    async refundsDone() {
      while (refunds.size > 0) await Promise.all([...refunds]);
    },
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: unknown) =>
        void res.writeHead(status, { ...CORS, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      try {
        if (req.method === 'OPTIONS') return void res.writeHead(204, { ...CORS, 'access-control-max-age': '600' }).end();
        const file = /^\/paywall\/session\/([a-z]+\.[a-z]+)$/.exec(url.pathname)?.[1];
        if (file !== undefined) {
          const r = RESOURCES[file];
          if (!r) return send(404, { error: 'no such resource', resources: Object.keys(RESOURCES) });
          if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'GET only' });
          return await serve(req, res, r);
        }
        switch (`${req.method} ${url.pathname}`) {
          case 'GET /paywall/session/stats':
            return send(200, api.stats());
          case 'GET /paywall/session/config':
            return send(200, config);
          case 'POST /paywall/session/config':
            return send(200, api.configure((await readJson(req)) as Partial<SessionConfig>));
          default:
            return send(404, { error: 'no such route' });
        }
      } catch (e) {
        if (res.headersSent) return void res.end();
        send(e instanceof BadConfig || e instanceof SyntaxError ? 400 : 500, { error: (e as Error).message });
      }
    },
  };
  return api;
}

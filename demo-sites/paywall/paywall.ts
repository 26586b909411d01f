import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import type { DevnetControl } from '../../devnet/index.ts';
import { formatChallenge } from './auth-header.ts';
import { paymentRequiredPage, RESOURCES, SCHEMES, type Resource, type Scheme } from './content.ts';
import {
  caveatsRefusal,
  decodeIdentifier,
  decodeMacaroon,
  encodeIdentifier,
  encodeMacaroon,
  mintMacaroon,
  servicesCaveat,
  validUntilCaveat,
  verifyMacaroon,
} from './macaroon.ts';
import * as mpp from './mpp.ts';
import { sessionWall, type SessionConfig, type SessionWall } from './session.ts';
import * as x402 from './x402.ts';

/**
 * The demo paywall: the same five resources behind L402 (as Aperture serves it), the `Payment`
 * scheme's Lightning charge (Aperture's "MPP") and x402 on Lightning, with invoices made on the
 * merchant's devnet node through the devnet control API (as merchant-api.ts does), plus control
 * endpoints for tests. Wire formats: macaroon.ts, mpp.ts, x402.ts; overview: README.md here.
 *
 * | route                                  | does                                                   |
 * | -------------------------------------- | ------------------------------------------------------ |
 * | GET /paywall.html, /paywall/paywall.js | the demo page                                          |
 * | GET /paywall/<scheme>/<file>           | scheme l402, mpp or x402; file data.json, image.svg,   |
 * |                                        | poster.svg, article.html, frame.html: 402 or content   |
 * | GET /paywall/stats                     | counters per scheme (invoices issued/settled, served…) |
 * | POST /paywall/revoke                   | L402 tokens (and re-presentable MPP credentials) die   |
 * | GET/POST /paywall/config               | price, validity, expiries, MPP re-presentation         |
 * | POST /paywall/reset                    | counters back to zero                                  |
 * | /paywall/session/…                     | Payment intent="session" (custodial deposit): session.ts |
 *
 * Every refusal of a presented credential answers 402 with a fresh challenge (Aperture does the
 * same), the reason in `X-Paywall-Reason` and in the body; a malformed x402 payload answers 400.
 */

export interface PaywallConfig {
  /** Price of every resource, in sat. */
  priceSat: number;
  /** L402: `<service>_valid_until` = mint time + this; 0 = no expiry caveat. */
  validitySec: number;
  /** Expiry of the invoices the paywall makes. */
  invoiceExpirySec: number;
  /** MPP: the challenge's `expires`. */
  challengeExpirySec: number;
  /** MPP: let a charge credential be presented again (Aperture's metered services); default single use. */
  mppReusable: boolean;
}

export interface PaywallOptions extends Partial<PaywallConfig> {
  /** The devnet control API (or anything with its createInvoice/lookupInvoice; payInvoice pays session refunds). */
  control: Pick<DevnetControl, 'createInvoice' | 'lookupInvoice'> & Partial<Pick<DevnetControl, 'payInvoice'>>;
  /** The merchant node that receives the payments (default carol). */
  node?: string;
  /** MPP realm (part of the challenge HMAC). */
  realm?: string;
  /** MPP `methodDetails.network`. */
  mppNetwork?: string;
  /** x402 CAIP-2 network id. */
  x402Network?: string;
  /** Clock in ms (tests move it). */
  now?: () => number;
  /** The session wall (`/paywall/session/…`, session.ts). */
  session?: Partial<SessionConfig>;
}

export interface SchemeStats {
  /** Fresh challenges sent = invoices made. */
  invoicesIssued: number;
  /** Of those, settled on the merchant node now. */
  invoicesSettled: number;
  /** Of those, held (a hold HTLC accepted, not settled). */
  invoicesAccepted: number;
  /** Requests answered with the paid content. */
  served: number;
  /** Requests that carried a credential of this scheme and were refused. */
  refused: number;
}

export interface PaywallStats {
  l402: SchemeStats;
  mpp: SchemeStats;
  x402: SchemeStats;
  total: SchemeStats;
  /** Served count per `<scheme>/<file>`. */
  servedByPath: Record<string, number>;
  /** L402 tokens whose secret the server still holds. */
  liveL402Tokens: number;
  config: PaywallConfig;
}

export interface RevokeRequest {
  scheme?: Scheme;
  /** Only the token or credential for this invoice. */
  paymentHash?: string;
  /** L402 only: the token with this id. */
  tokenId?: string;
}

export interface Paywall {
  /** Whether the path belongs to the paywall (its page, resources and control endpoints). */
  matches(pathname: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  stats(): Promise<PaywallStats>;
  revoke(r?: RevokeRequest): { l402: number; mpp: number };
  configure(c: Partial<PaywallConfig>): PaywallConfig;
  reset(): void;
  /** Payment intent="session" at `/paywall/session/<file>` (session.ts). */
  session: SessionWall;
}

const DEFAULTS: PaywallConfig = { priceSat: 10, validitySec: 3600, invoiceExpirySec: 600, challengeExpirySec: 900, mppReusable: false };
const PAGE_DIR = path.resolve(import.meta.dirname, 'public');
const PAGE_FILES: Record<string, [string, string]> = {
  '/paywall.html': ['paywall.html', 'text/html; charset=utf-8'],
  '/paywall/paywall.js': ['paywall.js', 'text/javascript; charset=utf-8'],
};
const L402_AUTH = /^(LSAT|L402) ([A-Za-z0-9+/]+={0,2}):([a-f0-9]{64})$/;
const HEX32 = /^[0-9a-f]{64}$/;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type, Authorization, PAYMENT-SIGNATURE',
  'access-control-expose-headers': 'WWW-Authenticate, Payment-Receipt, PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-Paywall-Reason, Retry-After',
};

type Reason = { code: string; message: string };
type Outcome = { ok: true; paymentHash: string; headers?: Record<string, string> } | { ok: false; reason: Reason; status?: number; retryAfter?: boolean };

interface Issued {
  scheme: Scheme;
  service: string;
  paymentRequest: string;
  amountSat: number;
  expiresMs: number;
}

interface L402Token {
  rootKey: Uint8Array;
  tokenId: string;
  paymentHash: string;
}

class BadConfig extends Error {}

function validConfig(c: Partial<PaywallConfig>, base: PaywallConfig): PaywallConfig {
  const out = { ...base };
  for (const [k, v] of Object.entries(c)) {
    if (k === 'mppReusable') {
      if (typeof v !== 'boolean') throw new BadConfig('mppReusable must be true or false');
      out.mppReusable = v;
    } else if (k in DEFAULTS) {
      const min = k === 'validitySec' ? 0 : 1;
      if (!Number.isSafeInteger(v) || (v as number) < min) throw new BadConfig(`${k} must be a whole number ≥ ${min}`);
      (out as unknown as Record<string, number>)[k] = v as number;
    } else throw new BadConfig(`unknown setting ${k}`);
  }
  return out;
}

export function paywallApi(opts: PaywallOptions): Paywall {
  const { control } = opts;
  const node = opts.node ?? 'carol';
  const realm = opts.realm ?? 'satnav-demo-paywall';
  const mppNetwork = opts.mppNetwork ?? 'regtest';
  const x402Network = opts.x402Network ?? x402.X402_NETWORK.regtest;
  const now = opts.now ?? Date.now;
  let config = validConfig(
    Object.fromEntries(Object.entries(opts).filter(([k, v]) => k in DEFAULTS && v !== undefined)) as Partial<PaywallConfig>,
    DEFAULTS,
  );
  /** Secret for MPP challenge ids: nothing per challenge is stored. */
  const mppSecret = randomBytes(32);

  /** Every invoice the paywall made, by payment hash. */
  const issued = new Map<string, Issued>();
  const hashByInvoice = new Map<string, string>();
  /** L402 root keys by hex sha256(identifier), as Aperture's secret store; deleting one revokes the token. */
  const l402Tokens = new Map<string, L402Token>();
  const revokedL402 = new Set<string>();
  /** MPP charges consumed: payment hash → challenge id. */
  const mppConsumed = new Map<string, string>();
  const revokedMpp = new Set<string>();
  /** x402 invoices already taken. */
  const x402Used = new Set<string>();
  // The session intent lives in session.ts; its return invoices are on the MPP network (BOLT 11 names it bitcoin for mainnet).
  const session = sessionWall({ control, node, realm, network: mppNetwork === 'mainnet' ? 'bitcoin' : mppNetwork, now, ...opts.session });

  const zero = (): Omit<SchemeStats, 'invoicesSettled' | 'invoicesAccepted'> => ({ invoicesIssued: 0, served: 0, refused: 0 });
  let counters: Record<Scheme, ReturnType<typeof zero>> = { l402: zero(), mpp: zero(), x402: zero() };
  let counted: Record<Scheme, Set<string>> = { l402: new Set(), mpp: new Set(), x402: new Set() };
  let servedByPath: Record<string, number> = {};

  const nowSec = () => Math.floor(now() / 1000);

  async function newInvoice(scheme: Scheme, r: Resource) {
    const amountSat = config.priceSat;
    const inv = await control.createInvoice(node, {
      amountSat,
      memo: `${r.description} (${scheme})`,
      expirySec: config.invoiceExpirySec,
    });
    issued.set(inv.paymentHash, { scheme, service: r.service, paymentRequest: inv.paymentRequest, amountSat, expiresMs: now() + config.invoiceExpirySec * 1000 });
    hashByInvoice.set(inv.paymentRequest, inv.paymentHash);
    counters[scheme].invoicesIssued++;
    counted[scheme].add(inv.paymentHash);
    return { ...inv, amountSat };
  }

  async function invoiceState(paymentHash: string): Promise<Outcome | null> {
    const inv = await control.lookupInvoice(node, paymentHash);
    if (inv.state === 'SETTLED') return null;
    return {
      ok: false,
      reason: { code: 'invoice-not-settled', message: `invoice is ${inv.state}, not SETTLED` },
      retryAfter: inv.state === 'ACCEPTED',
    };
  }

  // ---------------- L402 ----------------

  async function l402Challenge(r: Resource): Promise<Record<string, string | string[]>> {
    const inv = await newInvoice('l402', r);
    const tokenId = randomBytes(32);
    const identifier = encodeIdentifier(hexToBytes(inv.paymentHash), tokenId);
    const rootKey = randomBytes(32);
    l402Tokens.set(bytesToHex(sha256(identifier)), { rootKey, tokenId: bytesToHex(tokenId), paymentHash: inv.paymentHash });
    const caveats = [servicesCaveat([{ name: r.service, tier: 0 }])];
    if (config.validitySec > 0) caveats.push(validUntilCaveat(r.service, nowSec() + config.validitySec));
    const mac = Buffer.from(encodeMacaroon(mintMacaroon(rootKey, identifier, 'lsat', caveats))).toString('base64');
    const params = [
      ['macaroon', mac],
      ['invoice', inv.paymentRequest],
    ] as const;
    // Aperture's order: the legacy LSAT header first (old clients read only the first one).
    return { 'www-authenticate': [formatChallenge('LSAT', params), formatChallenge('L402', params)] };
  }

  async function l402Verify(authorizations: string[], r: Resource): Promise<Outcome | null> {
    const presented = authorizations.filter((a) => /^(LSAT|L402) /.test(a));
    if (presented.length === 0) return null;
    const m = presented.map((a) => L402_AUTH.exec(a)).find(Boolean);
    const refuse = (code: string, message: string): Outcome => ({ ok: false, reason: { code, message } });
    if (!m) return refuse('malformed-credential', 'expected "L402 <base64 macaroon>:<64 lowercase hex preimage>"');
    let id;
    let mac;
    try {
      mac = decodeMacaroon(Buffer.from(m[2]!, 'base64'));
      id = decodeIdentifier(mac.identifier);
    } catch (e) {
      return refuse('malformed-credential', (e as Error).message);
    }
    const paymentHash = bytesToHex(id.paymentHash);
    if (bytesToHex(sha256(hexToBytes(m[3]!))) !== paymentHash) return refuse('wrong-preimage', 'sha256(preimage) is not the payment hash in the macaroon');
    const key = bytesToHex(sha256(mac.identifier));
    const token = l402Tokens.get(key);
    if (!token) return revokedL402.has(key) ? refuse('revoked', 'this token was revoked') : refuse('unknown-token', 'this server did not mint that macaroon');
    let caveats;
    try {
      caveats = verifyMacaroon(mac, token.rootKey);
    } catch (e) {
      return refuse('bad-signature', (e as Error).message);
    }
    const refusal = caveatsRefusal(caveats, r.service, now() / 1000);
    if (refusal) return { ok: false, reason: refusal };
    return (await invoiceState(paymentHash)) ?? { ok: true, paymentHash };
  }

  // ---------------- Payment (MPP) ----------------

  async function mppChallenge(r: Resource): Promise<Record<string, string | string[]>> {
    const inv = await newInvoice('mpp', r);
    const request = mpp.encodeRequest({
      amount: String(inv.amountSat),
      currency: 'sat',
      description: r.description,
      // A merchant reference, inside the HMAC: binds the credential to this service.
      externalId: r.service,
      methodDetails: { invoice: inv.paymentRequest, paymentHash: inv.paymentHash, network: mppNetwork },
    });
    const p = { realm, method: 'lightning', intent: 'charge', request, expires: mpp.rfc3339(now() + config.challengeExpirySec * 1000) };
    return { 'www-authenticate': mpp.challengeHeader({ id: mpp.challengeId(mppSecret, p), ...p }) };
  }

  async function mppVerify(authorizations: string[], r: Resource): Promise<Outcome | null> {
    const presented = authorizations.find((a) => /^payment /i.test(a));
    if (!presented) return null;
    const refuse = (code: string, message: string): Outcome => ({ ok: false, reason: { code, message } });
    let cred;
    try {
      cred = mpp.parseCredential(presented);
    } catch (e) {
      return refuse('malformed-credential', (e as Error).message);
    }
    const c = cred.challenge;
    if (c.method !== 'lightning' || c.intent !== 'charge') return refuse('unsupported', `method=${c.method} intent=${c.intent} is not served here`);
    if (!mpp.verifyChallengeId(mppSecret, c)) return refuse('bad-challenge', 'challenge id does not match its parameters (not issued here, or altered)');
    if (!c.expires) return refuse('bad-challenge', 'challenge carries no expiry');
    const expires = Date.parse(c.expires);
    if (Number.isNaN(expires)) return refuse('bad-challenge', 'bad expires');
    if (now() >= expires) return refuse('challenge-expired', `challenge expired at ${c.expires}`);
    const preimage = (cred.payload as { preimage?: unknown }).preimage;
    if (typeof preimage !== 'string' || !HEX32.test(preimage)) return refuse('malformed-credential', 'payload.preimage must be 64 lowercase hex');
    let req: Partial<mpp.ChargeRequest> & { externalId?: string };
    try {
      req = mpp.decodeRequest(c.request) as typeof req;
    } catch (e) {
      return refuse('bad-challenge', (e as Error).message);
    }
    const paymentHash = req.methodDetails?.paymentHash ?? '';
    if (!HEX32.test(paymentHash)) return refuse('bad-challenge', 'request has no payment hash');
    if (bytesToHex(sha256(hexToBytes(preimage))) !== paymentHash) return refuse('wrong-preimage', 'sha256(preimage) is not the payment hash');
    if (req.externalId !== r.service) return refuse('wrong-service', `credential is for ${String(req.externalId)}, not ${r.service}`);
    const unsettled = await invoiceState(paymentHash);
    if (unsettled) return unsettled;
    // Consume last (as Aperture does), synchronously after the lookup: concurrent replays get one success.
    if (revokedMpp.has(paymentHash)) return refuse('revoked', 'this credential was revoked');
    if (mppConsumed.has(paymentHash) && !config.mppReusable) return refuse('already-used', 'this charge already bought a request');
    mppConsumed.set(paymentHash, c.id);
    const receipt = mpp.encodeReceipt({ status: 'success', method: 'lightning', timestamp: mpp.rfc3339(now()), reference: paymentHash, challengeId: c.id });
    return { ok: true, paymentHash, headers: { 'payment-receipt': receipt, 'cache-control': 'private' } };
  }

  // ---------------- x402 ----------------

  async function x402Challenge(r: Resource, url: string, error: string): Promise<Record<string, string | string[]>> {
    const inv = await newInvoice('x402', r);
    const required: x402.PaymentRequired = {
      x402Version: 2,
      error,
      resource: { url, description: r.description, mimeType: r.mimeType },
      accepts: [
        {
          scheme: 'exact',
          network: x402Network,
          amount: String(inv.amountSat * 1000),
          asset: 'BTC',
          payTo: 'anonymous',
          maxTimeoutSeconds: config.invoiceExpirySec,
          extra: { paymentMethod: 'lightning', invoice: inv.paymentRequest },
        },
      ],
    };
    return { [x402.HEADER.required.toLowerCase()]: x402.encodeJsonHeader(required) };
  }

  async function x402Verify(signature: string | undefined, r: Resource): Promise<Outcome | null> {
    if (signature === undefined) return null;
    const refuse = (code: string, message: string): Outcome => ({ ok: false, reason: { code, message } });
    let p;
    try {
      p = x402.parsePaymentSignature(signature);
    } catch (e) {
      return { ok: false, status: 400, reason: { code: 'malformed-credential', message: (e as Error).message } };
    }
    const a = p.accepted;
    if (a.scheme !== 'exact' || a.extra?.paymentMethod !== 'lightning') return refuse('unsupported', 'only scheme exact with paymentMethod lightning');
    if (a.network !== x402Network) return refuse('wrong-network', `network ${String(a.network)}, expected ${x402Network}`);
    if (p.payload.invoice !== a.extra.invoice) return refuse('invoice-mismatch', 'payload.invoice differs from accepted.extra.invoice');
    const paymentHash = hashByInvoice.get(p.payload.invoice);
    const inv = paymentHash ? issued.get(paymentHash) : undefined;
    if (!paymentHash || !inv || inv.scheme !== 'x402') return refuse('unknown-invoice', 'this server did not offer that invoice for x402');
    if (inv.service !== r.service) return refuse('wrong-service', `invoice was for ${inv.service}, not ${r.service}`);
    if (a.amount !== String(inv.amountSat * 1000)) return refuse('amount-mismatch', `amount ${String(a.amount)} msat, invoice is ${inv.amountSat * 1000}`);
    if (x402Used.has(paymentHash)) return refuse('already-used', 'this invoice already bought a request');
    const unsettled = await invoiceState(paymentHash);
    if (unsettled) {
      if (now() >= inv.expiresMs) return refuse('invoice-expired', 'the invoice expired unpaid');
      return unsettled;
    }
    if (x402Used.has(paymentHash)) return refuse('already-used', 'this invoice already bought a request');
    x402Used.add(paymentHash);
    const response = { success: true, transaction: p.payload.invoice, network: x402Network, payer: 'anonymous', extra: { invoice: p.payload.invoice, settledAt: nowSec() } };
    return { ok: true, paymentHash, headers: { [x402.HEADER.response.toLowerCase()]: x402.encodeJsonHeader(response) } };
  }

  // ---------------- HTTP ----------------

  const wantsHtml = (req: IncomingMessage) => /\btext\/html\b/.test(req.headers.accept ?? '');

  async function serveResource(req: IncomingMessage, res: ServerResponse, scheme: Scheme, r: Resource, url: URL): Promise<void> {
    const authorizations = req.headersDistinct.authorization ?? [];
    const outcome =
      scheme === 'l402'
        ? await l402Verify(authorizations, r)
        : scheme === 'mpp'
          ? await mppVerify(authorizations, r)
          : await x402Verify(req.headersDistinct[x402.HEADER.signature.toLowerCase()]?.[0], r);
    if (outcome?.ok) {
      counters[scheme].served++;
      const key = `${scheme}/${r.file}`;
      servedByPath[key] = (servedByPath[key] ?? 0) + 1;
      res.writeHead(200, { ...CORS, 'content-type': r.mimeType, 'cache-control': 'private, no-store', ...outcome.headers });
      res.end(r.render({ scheme, paymentHash: outcome.paymentHash }));
      return;
    }
    if (outcome) counters[scheme].refused++;
    const reason = outcome?.reason ?? null;
    const headers: Record<string, string | string[]> = { ...CORS, 'cache-control': 'no-store' };
    if (reason) headers['x-paywall-reason'] = reason.code;
    if (outcome?.status === 400) {
      res.writeHead(400, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ error: reason?.code, message: reason?.message }));
      return;
    }
    if (outcome?.retryAfter) headers['retry-after'] = '1';
    const resourceUrl = `http://${req.headers.host ?? 'localhost'}${url.pathname}`;
    Object.assign(
      headers,
      scheme === 'l402'
        ? await l402Challenge(r)
        : scheme === 'mpp'
          ? await mppChallenge(r)
          : await x402Challenge(r, resourceUrl, reason ? reason.message : `${x402.HEADER.signature} header is required`),
    );
    if (scheme === 'x402' && reason) {
      headers[x402.HEADER.response.toLowerCase()] = x402.encodeJsonHeader({ success: false, errorReason: reason.code, transaction: '', network: x402Network, payer: 'anonymous' });
    }
    let body: string;
    if (wantsHtml(req)) {
      headers['content-type'] = 'text/html; charset=utf-8';
      body = paymentRequiredPage(r, scheme, config.priceSat, reason);
    } else if (scheme === 'mpp') {
      headers['content-type'] = 'application/problem+json';
      body = mpp.problem('payment-required', 'Payment Required', 402, reason ? `${reason.code}: ${reason.message}` : 'Payment required for access.');
    } else if (scheme === 'x402') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify({ x402Version: 2, error: reason ? reason.code : 'payment_required', message: reason?.message });
    } else {
      headers['content-type'] = 'text/plain; charset=utf-8';
      body = reason ? `payment required (${reason.code}: ${reason.message})\n` : 'payment required\n';
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

  const api: Paywall = {
    session,
    matches: (p) => p === '/paywall.html' || p === '/paywall' || p.startsWith('/paywall/'),

    async stats() {
      const per = {} as Record<Scheme, SchemeStats>;
      const total: SchemeStats = { invoicesIssued: 0, invoicesSettled: 0, invoicesAccepted: 0, served: 0, refused: 0 };
      for (const scheme of SCHEMES) {
        const states = await Promise.all([...counted[scheme]].map((h) => control.lookupInvoice(node, h).then((i) => i.state)));
        per[scheme] = {
          ...counters[scheme],
          invoicesSettled: states.filter((s) => s === 'SETTLED').length,
          invoicesAccepted: states.filter((s) => s === 'ACCEPTED').length,
        };
        for (const k of Object.keys(total) as Array<keyof SchemeStats>) total[k] += per[scheme][k];
      }
      return { ...per, total, servedByPath: { ...servedByPath }, liveL402Tokens: l402Tokens.size, config: { ...config } };
    },

    revoke(r = {}) {
      const out = { l402: 0, mpp: 0 };
      if (!r.scheme || r.scheme === 'l402') {
        for (const [key, t] of l402Tokens) {
          if ((r.paymentHash && t.paymentHash !== r.paymentHash) || (r.tokenId && t.tokenId !== r.tokenId)) continue;
          l402Tokens.delete(key);
          revokedL402.add(key);
          out.l402++;
        }
      }
      if ((!r.scheme || r.scheme === 'mpp') && !r.tokenId) {
        for (const hash of mppConsumed.keys()) {
          if (r.paymentHash && hash !== r.paymentHash) continue;
          if (!revokedMpp.has(hash)) out.mpp++;
          revokedMpp.add(hash);
        }
      }
      return out;
    },

    configure(c) {
      config = validConfig(c, config);
      return { ...config };
    },

    reset() {
      counters = { l402: zero(), mpp: zero(), x402: zero() };
      counted = { l402: new Set(), mpp: new Set(), x402: new Set() };
      servedByPath = {};
    },

    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: unknown) =>
        void res.writeHead(status, { ...CORS, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      try {
        if (session.matches(url.pathname)) return await session.handle(req, res);
        if (req.method === 'OPTIONS') return void res.writeHead(204, { ...CORS, 'access-control-max-age': '600' }).end();
        const page = PAGE_FILES[url.pathname];
        if (page) {
          const body = await readFile(path.join(PAGE_DIR, page[0]));
          return void res.writeHead(200, { 'content-type': page[1], 'cache-control': 'no-store' }).end(body);
        }
        const m = /^\/paywall\/(l402|mpp|x402)\/([a-z]+\.[a-z]+)$/.exec(url.pathname);
        if (m) {
          const r = RESOURCES[m[2]!];
          if (!r) return send(404, { error: 'no such resource', resources: Object.keys(RESOURCES) });
          if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'GET only' });
          return await serveResource(req, res, m[1] as Scheme, r, url);
        }
        switch (`${req.method} ${url.pathname}`) {
          case 'GET /paywall/stats':
            return send(200, await api.stats());
          case 'POST /paywall/revoke': {
            const b = await readJson(req);
            if (b.scheme !== undefined && !SCHEMES.includes(b.scheme as Scheme)) throw new BadConfig(`scheme must be one of ${SCHEMES.join(', ')}`);
            for (const k of ['paymentHash', 'tokenId'] as const) if (b[k] !== undefined && !HEX32.test(String(b[k]))) throw new BadConfig(`${k} must be 64 lowercase hex`);
            return send(200, { revoked: api.revoke(b as RevokeRequest) });
          }
          case 'GET /paywall/config':
            return send(200, config);
          case 'POST /paywall/config':
            return send(200, api.configure((await readJson(req)) as Partial<PaywallConfig>));
          case 'POST /paywall/reset':
            api.reset();
            return send(200, { reset: true });
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

export interface PaywallServer {
  url: string;
  paywall: Paywall;
  stop(): Promise<void>;
}

/** The paywall alone on its own port (tests; the demo mounts it in demo-sites/server.ts). */
export async function startPaywallServer(opts: PaywallOptions & { port?: number; host?: string }): Promise<PaywallServer> {
  const paywall = paywallApi(opts);
  const server: Server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://x');
    if (paywall.matches(pathname)) void paywall.handle(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    paywall,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

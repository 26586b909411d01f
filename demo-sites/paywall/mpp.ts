/**
 * The `Payment` HTTP authentication scheme, Lightning `charge` intent, as Aperture serves it
 * ("MPP"; draft-ryan-httpauth-payment, draft-lightning-charge-00). Facts from
 * github:lightninglabs/aperture @ 7ee3ed7a0490d6f3b3780dda80d63e5d17869bd1 — mpp/types.go,
 * mpp/header.go, mpp/challenge.go, mpp/charge.go, auth/mpp_authenticator.go — and its
 * cross-implementation vectors (contracts/aperture-mpp/vectors.json, which the tests replay):
 *
 * Challenge (402):
 *   WWW-Authenticate: Payment id="<id>", realm="<realm>", method="lightning", intent="charge",
 *                     request="<b64url(JCS(ChargeRequest))>", expires="<RFC 3339, UTC, seconds>"
 *   ChargeRequest = {amount: "<sat>", currency: "sat", [description], methodDetails:
 *                    {invoice: "<bolt11>", paymentHash: "<hex>", network: "mainnet|regtest|signet"}}
 *   id = b64url(HMAC-SHA256(server secret, realm|method|intent|request|expires|digest|opaque))
 *   (seven slots joined with "|", absent ones empty) — the server keeps no per-challenge state.
 *   Body: RFC 9457 problem JSON, `application/problem+json`, type …/problems/payment-required.
 * Credential:
 *   Authorization: Payment <b64url(JSON {challenge: {id, realm, method, intent, request,
 *                  [expires, description, opaque, digest]}, [source], payload: {preimage: "<hex>"}})>
 *   Scheme name case-insensitive; strict base64url (padding allowed, nothing else lenient).
 * Checks: id recomputes from the echoed params; expires present and in the future;
 *   sha256(preimage) = request.methodDetails.paymentHash; invoice SETTLED on the node; then the
 *   payment is consumed — one credential buys one request (Aperture's default; its metered
 *   services may re-present, `reusable` here).
 * Success: Payment-Receipt: b64url(JSON {status: "success", method: "lightning", timestamp,
 *   reference: <payment hash hex>, challengeId}), with Cache-Control: private.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { formatChallenge } from './auth-header.ts';

export interface ChallengeParams {
  id: string;
  realm: string;
  method: string;
  intent: string;
  request: string;
  expires?: string;
  digest?: string;
  description?: string;
  opaque?: string;
}

export interface ChargeRequest {
  amount: string;
  currency: 'sat';
  description?: string;
  methodDetails: { invoice: string; paymentHash: string; network: string };
}

export interface Credential {
  challenge: ChallengeParams;
  source?: string;
  payload: unknown;
}

export interface Receipt {
  status: 'success';
  method: 'lightning';
  timestamp: string;
  reference: string;
  challengeId?: string;
}

// ---- RFC 8785 JSON canonicalization (JCS) ----

/** ECMAScript's JSON.stringify already renders numbers and strings as RFC 8785 wants; keys sort by UTF-16 code units. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('jcs: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`jcs: cannot encode ${typeof value}`);
}

// ---- base64url, unpadded out, strict in ----

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function b64urlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Padding accepted when it completes a multiple of 4; any other irregularity (alphabet, whitespace, trailing bits) refused. */
export function b64urlDecode(s: string): Uint8Array {
  const unpadded = s.replace(/=+$/, '');
  const pad = s.length - unpadded.length;
  if (pad > 2 || (pad > 0 && s.length % 4 !== 0)) throw new Error('base64url: bad padding');
  if (unpadded.length % 4 === 1) throw new Error('base64url: dangling character');
  let bits = 0;
  let acc = 0;
  const out: number[] = [];
  for (const ch of unpadded) {
    const v = B64URL.indexOf(ch);
    if (v < 0) throw new Error(`base64url: invalid character ${JSON.stringify(ch)}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  if (acc !== 0) throw new Error('base64url: non-zero trailing bits');
  return Uint8Array.from(out);
}

const utf8 = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

// ---- challenge ----

export const hmacInput = (p: Omit<ChallengeParams, 'id'>): string =>
  [p.realm, p.method, p.intent, p.request, p.expires ?? '', p.digest ?? '', p.opaque ?? ''].join('|');

export const challengeId = (secret: Uint8Array, p: Omit<ChallengeParams, 'id'>): string =>
  b64urlEncode(hmac(sha256, secret, utf8ToBytes(hmacInput(p))));

export function verifyChallengeId(secret: Uint8Array, p: ChallengeParams): boolean {
  const expected = challengeId(secret, p);
  if (expected.length !== p.id.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ p.id.charCodeAt(i);
  return diff === 0;
}

export const encodeRequest = (r: ChargeRequest | Record<string, unknown>): string => b64urlEncode(utf8ToBytes(canonicalJson(r)));
export const decodeRequest = (encoded: string): unknown => JSON.parse(utf8(b64urlDecode(encoded)));

/** Parameters in Aperture's order: id, realm, method, intent, request, then the optional ones. */
export function challengeHeader(p: ChallengeParams): string {
  const params: Array<[string, string]> = [
    ['id', p.id],
    ['realm', p.realm],
    ['method', p.method],
    ['intent', p.intent],
    ['request', p.request],
  ];
  for (const k of ['expires', 'digest', 'description', 'opaque'] as const) if (p[k]) params.push([k, p[k]]);
  return formatChallenge('Payment', params);
}

/** RFC 3339 in UTC with whole seconds, as Go's time.RFC3339 prints it. */
export const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

// ---- credential ----

const MAX_CREDENTIAL = Math.ceil((64 * 1024) / 3) * 4;

/** Parses `Authorization: Payment <token>`; throws with the reason when it is not a well-formed credential. */
export function parseCredential(authorization: string): Credential {
  const sp = authorization.indexOf(' ');
  if (sp < 0 || authorization.slice(0, sp).toLowerCase() !== 'payment') throw new Error('not a Payment credential');
  const token = authorization.slice(sp + 1).trim();
  if (!token) throw new Error('empty credential');
  if (token.length > MAX_CREDENTIAL) throw new Error('credential too large');
  const cred = JSON.parse(utf8(b64urlDecode(token))) as Partial<Credential> | null;
  const c = cred?.challenge as Partial<ChallengeParams> | undefined;
  for (const k of ['id', 'realm', 'method', 'intent', 'request'] as const) {
    if (typeof c?.[k] !== 'string' || !c[k]) throw new Error(`credential missing challenge.${k}`);
  }
  for (const k of ['expires', 'digest', 'description', 'opaque'] as const) {
    if (c?.[k] !== undefined && typeof c[k] !== 'string') throw new Error(`credential challenge.${k} is not a string`);
  }
  if (cred?.payload === undefined || cred.payload === null) throw new Error('credential missing payload');
  return cred as Credential;
}

/** What a client sends back: the challenge echoed and the preimage (JCS, so the bytes are stable). */
export const encodeCredential = (challenge: ChallengeParams, preimageHex: string, source?: string): string =>
  `Payment ${b64urlEncode(utf8ToBytes(canonicalJson({ challenge, payload: { preimage: preimageHex }, source })))}`;

/** Go's struct field order, no HTML escaping: the bytes Aperture would send. */
export const encodeReceipt = (r: Receipt): string =>
  b64urlEncode(
    utf8ToBytes(JSON.stringify({ status: r.status, method: r.method, timestamp: r.timestamp, reference: r.reference, challengeId: r.challengeId || undefined })),
  );

export const PROBLEM_BASE = 'https://paymentauth.org/problems/';

export const problem = (type: string, title: string, status: number, detail?: string, challengeId?: string) =>
  JSON.stringify({ type: `${PROBLEM_BASE}${type}`, title, status, detail, challengeId });

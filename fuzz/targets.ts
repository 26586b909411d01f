/**
 * What is fuzzed, and what each parser may answer. Every target makes one
 * input from a generator and runs it; the runner counts anything thrown that
 * is not a SatnavError as a crash. A target also checks what a success
 * returned (`Wrong` when it breaks the parser's own promise), and the payer
 * targets count every time the node was asked to pay.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { base64, base64urlnopad, bech32, utf8 } from '@scure/base';
import { RELAYED_METHODS, relayOf } from '../extension/content/relay.ts';
import { isPageMethod } from '../src/base/page-methods.ts';
import { isSatnavError } from '../src/errors.ts';
import { MAX_SATS } from '../src/base/sats.ts';
import { amountSat, checkPayable, decodeInvoice, isExpired, matchesDescription, MAX_INVOICE_LENGTH, type Invoice } from '../src/bolt11/index.ts';
import { admitDeposit, parseDepositChallenge, parseDepositCredential, verifyDepositCredential } from '../src/deposit/index.ts';
import {
  admitBest,
  decodeChargeRequest,
  decodeMacaroon,
  decodeNeedTopUp,
  decodePaymentCredential,
  decodePaymentReceipt,
  decodePaymentResponse,
  decodeSessionCredential,
  decodeSessionRequest,
  parseAuthChallenges,
  parseChallenges,
  parsePaymentChallenges,
  parsePaymentRequired,
  rankChallenges,
  readSessionReceipt,
  retryHeader,
} from '../src/l402/index.ts';
import { decodeLnurl, encodeLnurl, fetchLnurlParams, isLightningAddress, parseLightningAddress, parsePayMetadata, requestPayInvoice, submitWithdraw } from '../src/lnurl/index.ts';
import type { PayParams, WithdrawParams } from '../src/lnurl/params.ts';
import { parseLoginUrl } from '../src/lnurl/auth.ts';
import { decryptSuccessAction } from '../src/lnurl/success-action.ts';
import { parseLndConnect, parseManualConnection } from '../src/node/lndconnect.ts';
import { pageRequest, weblnParams } from '../src/webln/params.ts';
import { FUZZ_WORLDS, makeWorld, type WorldKind } from './payers.ts';
import { deepJsonText, mutateBytes, mutateJson, mutateString, oddValue, randomString, TOKENS, type Rng } from './rng.ts';
import * as S from './seeds.ts';

/** A success that breaks the parser's own promise: counted as a crash. */
export class Wrong extends Error {
  override readonly name = 'Wrong';
}
function ensure(ok: boolean, what: string): void {
  if (!ok) throw new Wrong(what);
}

export type Family = 'BOLT11' | 'LNURL' | 'page messages' | '402 challenges' | 'lndconnect' | 'payers';

export interface Target<I = unknown> {
  name: string;
  family: Family;
  /** Share of all inputs. */
  share: number;
  make(rng: Rng): I;
  /** `false`: refused by a documented result rather than a SatnavError (a failed safeParse, no Deposit challenge). */
  run(input: I): unknown;
  /** Payment attempts the last `run` led to (payer targets). */
  payments?(): number;
  /** Inputs that got as far as a payment prompt or the budget (payer targets). */
  deep?(): number;
}

const NOW = S.NOW;
const HEX64 = /^[0-9a-f]{64}$/;
const PUBKEY = /^0[23][0-9a-f]{64}$/;

// ---- shared generators ------------------------------------------------------------------

/** A seed invoice bent at the character level (checksum mostly broken) or below it (checksum recomputed). */
function invoiceText(rng: Rng): string {
  const seed = rng.pick(S.INVOICE_TEXTS);
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return mutateString(rng, seed, S.INVOICE_TEXTS);
    case 4:
    case 5:
    case 6:
      return rechecksum(rng, seed);
    case 7:
      return rng.pick([`lightning:${seed.toUpperCase()}`, ` ${seed}\n`, `LIGHTNING:${seed}`, seed.toUpperCase(), `lightning://${seed}`]);
    case 8:
      return rng.chance(0.5) ? randomString(rng, 400) : `lnbcrt${rng.pick(['', '1', '10p', '2500u'])}1${randomString(rng, 300)}`;
    default:
      return seed;
  }
}

const HRPS = ['lnbcrt', 'lnbc', 'lntb', 'lntbs', 'lnsb', 'ln', 'lnbcrt1', 'lnbcrt0', 'lnbcrt10p', 'lnbcrt11p', 'lnbcrt1p', 'lnbcrt2500u', 'lnbcrt25m', 'lnbcrt3', 'lnbc21000000', 'lnbc21000001', 'lnbcrt1n', 'lnbcrt01m', 'lnbcrtx', 'lnbcrt99999999999999999999999m', 'bc', 'lnurl'];

/** Mutates the 5-bit words (fields, lengths, timestamp, signature) and the prefix, then writes a valid checksum. */
function rechecksum(rng: Rng, text: string): string {
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(text.toLowerCase() as `${string}1${string}`, false);
  } catch {
    return text;
  }
  let prefix = decoded.prefix;
  const words = [...decoded.words];
  if (rng.chance(0.3)) prefix = rng.chance(0.7) ? rng.pick(HRPS) : mutateString(rng, prefix, HRPS, 'abcdefghijklmnopqrstuvwxyz0123456789munp');
  const n = rng.small(5);
  for (let k = 0; k < n; k++) {
    const at = rng.int(words.length + 1);
    switch (rng.int(9)) {
      case 0:
        if (at < words.length) words[at] = rng.int(32);
        break;
      case 1:
        words.splice(at, 0, ...Array.from({ length: rng.small(12) }, () => rng.int(32)));
        break;
      case 2:
        words.splice(at, rng.small(20));
        break;
      case 3: {
        // A whole tagged field of any type, right after the timestamp.
        const len = rng.pick([0, 1, 52, 53, 51, 10, 1023, rng.int(80)]);
        const data = Array.from({ length: Math.min(len, 400) }, () => rng.int(32));
        words.splice(7, 0, rng.int(32), len >> 5, len & 31, ...data);
        break;
      }
      case 4:
        // A field's length words.
        if (words.length > 10) words[rng.range(8, 9)] = rng.int(32);
        break;
      case 5:
        for (let i = 0; i < 7 && i < words.length; i++) words[i] = rng.chance(0.5) ? 31 : 0;
        break;
      case 6:
        // The signature: r, s, or the recovery id.
        if (words.length > 104) words[words.length - 1 - rng.int(104)] = rng.int(32);
        break;
      case 7:
        words.length = Math.max(0, words.length - rng.small(110));
        break;
      default:
        words.splice(at, 0, ...words.slice(rng.int(words.length), rng.int(words.length)));
    }
  }
  try {
    return bech32.encode(prefix, words, false);
  } catch {
    return text;
  }
}

/** A URL bent: scheme, userinfo, host (private, IDN, onion), port, path, query. */
function urlText(rng: Rng, base: string): string {
  if (rng.chance(0.4)) return mutateString(rng, base, [], TOKENS.join(''));
  const hosts = ['lnurl.example', 'LNURL.example', '127.0.0.1', '10.0.0.1', '[::1]', '[fe80::1]', 'localhost', '0x7f.1', '192.168.1.1.nip.io', 'xn--nxasmq6b.example', 'bücher.example', 'example3kxt4e7pqg3x7sqg7n2pzfpzijmcoaw5ogx4cpz5tuhfp4wqd.onion', 'a'.repeat(300), '', 'lnurl.example.', 'user:pw@lnurl.example', 'lnurl.example@evil.example', '%6cnurl.example'];
  const scheme = rng.pick(['https://', 'http://', 'HTTPS://', 'ftp://', 'javascript:', 'https:/', '//', 'https:\\\\']);
  const port = rng.chance(0.3) ? `:${rng.pick(['0', '443', '65535', '65536', '99999999', 'x'])}` : '';
  const path = rng.pick(['/pay', '/', '', '/a/../b', '/%2e%2e/', `/${randomString(rng, 20)}`]);
  const query = rng.chance(0.5) ? `?${rng.pick(['tag=login', 'tag=login&k1=' + 'ab'.repeat(32), 'amount=1', 'lightning=' + S.LNURL_TEXTS[0], randomString(rng, 30)])}` : '';
  return `${scheme}${rng.pick(hosts)}${port}${path}${query}`;
}

function lnurlText(rng: Rng): string {
  const seed = rng.pick(S.LNURL_TEXTS);
  switch (rng.int(8)) {
    case 0:
    case 1:
      return mutateString(rng, seed, S.LNURL_TEXTS);
    case 2:
    case 3:
      // The URL inside a bech32 LNURL, bent, then encoded with a valid checksum.
      try {
        return encodeLnurl(urlText(rng, `${S.LNURL_SERVICE}/pay/alice`));
      } catch {
        return seed;
      }
    case 4:
      return rechecksum(rng, seed);
    case 5:
      return `${rng.pick(['', 'lightning:', 'LIGHTNING:', 'lightning://'])}${rng.pick(['alice', 'Bob.Tips+x', '', 'a b', 'ä', '..', randomString(rng, 12)])}@${rng.pick(['lnurl.example', 'lnurl.example:443', '127.0.0.1', '[::1]', 'x.onion', 'a@b', '', 'lnurl.example/x', randomString(rng, 12)])}`;
    case 6:
      return `${rng.pick(['lnurlp://', 'lnurlw://', 'keyauth://', 'lnurlc://', 'LNURLP://', 'lnurlx://'])}${urlText(rng, 'lnurl.example/pay').replace(/^[a-zA-Z]*:\/\//, '')}`;
    default:
      return randomString(rng, 120);
  }
}

/** One challenge list, rewritten param by param: values bent in their own format, params dropped, repeated or invented. */
function authLine(rng: Rng, seed: string): string {
  let parsed;
  try {
    parsed = parseAuthChallenges(seed);
  } catch {
    return mutateString(rng, seed);
  }
  const quote = (v: string) => `"${v.replace(/[\\"]/g, '\\$&')}"`;
  const parts = parsed.map((c) => {
    let params: [string, string][] = Object.entries(c.params);
    const n = rng.small(4);
    for (let k = 0; k < n; k++) {
      const i = rng.int(params.length);
      const p = params[i];
      switch (rng.int(6)) {
        case 0:
          params.splice(i, 1);
          break;
        case 1:
          if (p) params.push([p[0], rng.chance(0.5) ? p[1] : mutateString(rng, p[1])]);
          break;
        case 2:
          params.push([rng.pick(['version', 'token', 'macaroon', 'invoice', 'realm', 'x', 'amount', 'nonce', 'intent', 'expires', randomString(rng, 6)]), String(oddValue(rng))]);
          break;
        default:
          if (p) params[i] = [p[0], bendParam(rng, p[0], p[1])];
      }
    }
    if (rng.chance(0.05)) params = params.reverse();
    const scheme = rng.chance(0.1) ? rng.pick(['l402', 'LSAT', 'payment', 'PAYMENT', 'Deposit', 'deposit', 'Bearer', 'L402x', '']) : c.scheme;
    const body = c.token68 !== undefined ? c.token68 : params.map(([k, v]) => (rng.chance(0.92) ? `${k}=${quote(v)}` : `${k}=${v}`)).join(rng.pick([', ', ',', ' ,  ']));
    return `${scheme} ${body}`;
  });
  const line = parts.join(rng.pick([', ', ',', ' , ']));
  return rng.chance(0.15) ? mutateString(rng, line) : line;
}

function bendParam(rng: Rng, name: string, value: string): string {
  switch (name) {
    case 'invoice':
      return invoiceText(rng);
    case 'macaroon':
    case 'token':
      return macaroonText(rng, value);
    case 'request':
      return base64urlJson(rng, value);
    case 'amount':
    case 'max_hold':
    case 'max_cltv':
    case 'idle':
      return rng.pick(['0', '1', '3', '5', '40', '600', '3600', '86401', '4294967295', '4294967296', '01', '-1', '1.5', '1e3', ' 5', '99999999999999999999']);
    case 'release':
    case 'status':
      return rng.chance(0.5) ? rng.pick(['/r', '//evil.example/r', 'https://news.example.evil/r', 'http://news.example/r', 'https://NEWS.example:443/r', 'javascript:alert(1)', '', '\\\\evil.example/x']) : mutateString(rng, value);
    case 'nonce':
      return rng.pick(['ab'.repeat(32), 'AB'.repeat(32), 'ab'.repeat(31), 'zz'.repeat(32), '', 'ab'.repeat(33)]);
    case 'expires':
      return rng.pick(['2030-03-17T05:00:00Z', '2000-01-01T00:00:00Z', '2030-02-30T00:00:00Z', 'tomorrow', '2030-03-17T05:00:00+25:00', '9999-12-31T23:59:60Z', '']);
    default:
      return rng.chance(0.7) ? mutateString(rng, value) : String(oddValue(rng));
  }
}

function macaroonText(rng: Rng, seed: string): string {
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(seed.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return mutateString(rng, seed);
  }
  switch (rng.int(4)) {
    case 0:
      return mutateString(rng, seed, S.MACAROONS, 'ABCDEFabcdef0123456789+/=-_');
    case 1:
      return base64urlnopad.encode(mutateBytes(rng, bytes));
    default:
      return base64.encode(mutateBytes(rng, bytes));
  }
}

/** base64url JSON (Payment requests, credentials, receipts) with the JSON bent. */
function base64urlJson(rng: Rng, seed: string): string {
  let value: unknown;
  try {
    value = JSON.parse(utf8.encode(base64urlnopad.decode(seed.replace(/=+$/, ''))));
  } catch {
    return mutateString(rng, seed);
  }
  if (rng.chance(0.15)) return mutateString(rng, seed, [], 'ABCabc012-_=+/');
  const text = rng.chance(0.01) ? deepJsonText(rng) : withInvoices(rng, JSON.stringify(mutateJson(rng, value, S.INVOICE_TEXTS)) ?? 'null');
  // TextEncoder, not a strict UTF-8 writer: a lone surrogate from a mutation becomes U+FFFD, as a server's encoder would write it.
  return base64urlnopad.encode(new TextEncoder().encode(text));
}

/** Swaps any invoice in a JSON text for a bent one (checksum kept valid often enough to reach the amount checks). */
function withInvoices(rng: Rng, json: string): string {
  return rng.chance(0.4) ? json.replace(/ln(bcrt|bc|tbs|tb)[0-9a-z]+/g, () => invoiceText(rng)) : json;
}

function x402Text(rng: Rng): string {
  const seed = rng.pick(S.PAYMENT_REQUIRED);
  if (rng.chance(0.2)) return mutateString(rng, seed, S.PAYMENT_REQUIRED, 'ABCabc012+/=');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(base64.decode(seed)));
  } catch {
    return seed;
  }
  const json = rng.chance(0.01) ? deepJsonText(rng) : withInvoices(rng, JSON.stringify(mutateJson(rng, value)) ?? 'null');
  return base64.encode(new TextEncoder().encode(rng.chance(0.1) ? mutateString(rng, json) : json));
}

interface Headers402 {
  wwwAuthenticate: string | string[] | null;
  paymentRequired: string | null;
}

function headers402(rng: Rng): Headers402 {
  const line = () => (rng.chance(0.85) ? authLine(rng, rng.pick(S.WWW_AUTHENTICATE)) : rng.chance(0.5) ? mutateString(rng, rng.pick(S.WWW_AUTHENTICATE), S.WWW_AUTHENTICATE) : randomString(rng, 300));
  const www = rng.int(5);
  return {
    wwwAuthenticate: www === 0 ? null : www === 1 ? Array.from({ length: rng.small(4) }, line) : line(),
    paymentRequired: rng.chance(0.35) ? x402Text(rng) : null,
  };
}

function depositHeader(rng: Rng): string {
  const seed = rng.pick(S.DEPOSIT_LINES);
  switch (rng.int(6)) {
    case 0:
      return mutateString(rng, seed, S.DEPOSIT_LINES);
    case 1:
      return randomString(rng, 400);
    case 2:
      return seed;
    default:
      return authLine(rng, seed);
  }
}

function pageMessage(rng: Rng): unknown {
  switch (rng.int(8)) {
    case 0:
      return oddValue(rng);
    case 1:
      return { method: rng.pick([...Object.keys(weblnParams), '__proto__', 'constructor', 'SENDPAYMENT', 'x'.repeat(65), '']), params: oddValue(rng) };
    case 2:
      return { method: rng.pick(Object.keys(weblnParams)), params: rng.pick<unknown>([new Map([['paymentRequest', 'x']]), new Date(Number.NaN), 10n, new Uint8Array(4), [], Object.create(null)]) };
    case 3: {
      const m = structuredClone(rng.pick(S.PAGE_MESSAGES)) as { params?: Record<string, unknown> };
      // An invoice swapped for a bent one: what a page hands sendPayment.
      if (m.params && typeof m.params.paymentRequest === 'string') m.params.paymentRequest = invoiceText(rng);
      return m;
    }
    default:
      return mutateJson(rng, rng.pick(S.PAGE_MESSAGES), S.INVOICE_TEXTS);
  }
}

/** What a page can post on the bridge's port: the provider's `{ id, method, args }`, bent, or anything else. */
function portMessage(rng: Rng): unknown {
  const m = pageMessage(rng);
  if (rng.int(5) === 0 || typeof m !== 'object' || m === null) return m;
  const { method, params } = m as { method?: unknown; params?: unknown };
  // As the provider sends a call: its arguments in order (a params object's values, or the object itself).
  const spread = typeof params === 'object' && params !== null && !Array.isArray(params) && rng.int(2) === 0;
  const args = spread ? Object.values(params) : [params];
  const id = rng.pick<unknown>([1, rng.int(1_000_000) + 1, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, '1', null]);
  return { id, method, args: rng.int(8) === 0 ? oddValue(rng) : args, ...(rng.int(6) === 0 && { origin: 'https://evil.example', params }) };
}

// ---- targets -----------------------------------------------------------------------------

function checkInvoice(inv: Invoice): void {
  ensure(HEX64.test(inv.paymentHash), 'payment hash is 32 bytes hex');
  ensure(PUBKEY.test(inv.payee), 'payee is a compressed key');
  ensure(inv.paymentRequest === inv.paymentRequest.toLowerCase() && inv.paymentRequest.length <= MAX_INVOICE_LENGTH, 'payment request is lower case and bounded');
  ensure(inv.amountMsat === null || (inv.amountMsat >= 0n && inv.amountMsat <= BigInt(MAX_SATS) * 1000n), 'amount within 21M BTC');
  ensure(Number.isSafeInteger(inv.timestamp) && inv.timestamp >= 0 && Number.isSafeInteger(inv.expirySeconds), 'timestamp and expiry are whole seconds');
}

const bolt11: Target<string> = {
  name: 'bolt11',
  family: 'BOLT11',
  share: 0.15,
  make: invoiceText,
  run(text) {
    const inv = decodeInvoice(text);
    checkInvoice(inv);
    const sat = amountSat(inv);
    ensure(sat === null || (Number.isSafeInteger(sat) && sat * 1000 >= Number(inv.amountMsat)), 'amountSat rounds up');
    isExpired(inv, NOW);
    matchesDescription(inv, 'A coffee');
    checkPayable(inv);
  },
};

const lnurlDecode: Target<{ text: string; local: boolean }> = {
  name: 'lnurl-decode',
  family: 'LNURL',
  share: 0.12,
  make: (rng) => ({ text: lnurlText(rng), local: rng.chance(0.2) }),
  run({ text, local }) {
    isLightningAddress(text);
    try {
      const a = parseLightningAddress(text);
      ensure(/^[a-z0-9\-_.+]+$/.test(a.user), 'address user in the LUD-16 set');
    } catch (e) {
      if (!isSatnavError(e)) throw e;
    }
    const link = decodeLnurl(text, local ? { allowInsecureLocalhost: true } : {});
    const url = new URL(link.url);
    ensure(url.protocol === 'https:' || (url.protocol === 'http:' && (url.hostname.endsWith('.onion') || local)), 'https, or http to an onion');
    ensure(url.username === '' && url.password === '' && url.hostname === link.domain, 'no user info; the domain shown is the host contacted');
  },
};

type Fetch = typeof globalThis.fetch;
/** A service answering `body` to every request (JSON text, anything else, or an unreachable host). */
const answering = (body: string | undefined, status = 200): Fetch =>
  (async () => {
    if (body === undefined) throw new TypeError('fetch failed');
    return new Response(body, { status });
  }) as Fetch;

function answerText(rng: Rng, seeds: readonly unknown[]): string | undefined {
  switch (rng.int(10)) {
    case 0:
      return rng.chance(0.8) ? undefined : deepJsonText(rng);
    case 1:
      return randomString(rng, 200);
    case 2:
      return mutateString(rng, JSON.stringify(rng.pick(seeds)));
    default:
      return withInvoices(rng, JSON.stringify(mutateJson(rng, rng.pick(seeds), [S.METADATA, S.PAY_INVOICE])) ?? 'null');
  }
}

const lnurlParams: Target<{ link: string; body: string | undefined; status: number }> = {
  name: 'lnurl-params',
  family: 'LNURL',
  share: 0.04,
  make: (rng) => ({
    link: rng.chance(0.8) ? rng.pick(S.LNURL_TEXTS.slice(0, 12)) : lnurlText(rng),
    body: answerText(rng, S.LNURL_ANSWERS),
    status: rng.pick([200, 200, 200, 302, 404, 500]),
  }),
  async run({ link, body, status }) {
    const p = await fetchLnurlParams(link, { fetch: answering(body, status), timeoutMs: 2_000 });
    if (p.tag === 'payRequest') {
      ensure(Number.isSafeInteger(p.minSendable) && p.minSendable >= 1 && p.minSendable <= p.maxSendable, 'LUD-06 1 ≤ min ≤ max');
      ensure(new URL(p.callback).hostname === p.domain && typeof p.meta.description === 'string', 'callback on the service host; a description');
    } else if (p.tag === 'withdrawRequest') {
      ensure(p.k1 !== '' && p.minWithdrawable <= p.maxWithdrawable && new URL(p.callback).hostname === p.domain, 'LUD-03 fields');
    } else ensure(/^[0-9a-f]{64}$/i.test(p.k1), 'LUD-04 k1');
  },
};

const PAY_PARAMS: PayParams = {
  tag: 'payRequest',
  domain: 'lnurl.example',
  callback: `${S.LNURL_SERVICE}/pay/cb?x=1`,
  minSendable: 1_000,
  maxSendable: 100_000_000,
  metadata: S.METADATA,
  meta: parsePayMetadata(S.METADATA),
  commentAllowed: 140,
};
const WITHDRAW_PARAMS: WithdrawParams = { tag: 'withdrawRequest', domain: 'lnurl.example', callback: `${S.LNURL_SERVICE}/withdraw/cb`, k1: 'k1', defaultDescription: '', minWithdrawable: 1_000, maxWithdrawable: 50_000_000 };

type LnurlStep =
  | { kind: 'pay'; body: string | undefined; amountMsat: number; comment: string; preimage: string }
  | { kind: 'withdraw'; body: string | undefined; pr: string }
  | { kind: 'login'; url: string }
  | { kind: 'metadata'; text: string };

const lnurlSteps: Target<LnurlStep> = {
  name: 'lnurl-lud06-03-04',
  family: 'LNURL',
  share: 0.04,
  make(rng) {
    switch (rng.int(4)) {
      case 0:
      case 1:
        return {
          kind: 'pay',
          body: answerText(rng, S.PAY_ANSWERS),
          amountMsat: rng.chance(0.85) ? 21_000 : (rng.pick([0, 999, 1_000, 100_000_001, 1.5, -1, Number.NaN, 2 ** 53]) as number),
          comment: rng.chance(0.7) ? '' : rng.chance(0.5) ? randomString(rng, 200) : '😀'.repeat(rng.pick([140, 141])),
          preimage: rng.chance(0.5) ? '77'.repeat(32) : randomString(rng, 70),
        };
      case 2:
        return rng.chance(0.5) ? { kind: 'withdraw', body: answerText(rng, [{ status: 'OK' }, { status: 'ERROR', reason: 'no' }]), pr: invoiceText(rng) } : { kind: 'login', url: rng.chance(0.7) ? mutateString(rng, rng.pick(S.LOGIN_URLS)) : urlText(rng, S.LOGIN_URLS[0]!) };
      default:
        return { kind: 'metadata', text: rng.chance(0.3) ? mutateString(rng, S.METADATA) : JSON.stringify(mutateJson(rng, JSON.parse(S.METADATA))) ?? '' };
    }
  },
  async run(step) {
    switch (step.kind) {
      case 'pay': {
        const r = await requestPayInvoice(PAY_PARAMS, step.amountMsat, { fetch: answering(step.body), comment: step.comment, timeoutMs: 2_000 });
        ensure(r.invoice.amountMsat === BigInt(step.amountMsat), 'invoice amount is the amount asked');
        ensure(r.invoice.descriptionHash === bytesToHex(sha256(new TextEncoder().encode(S.METADATA))), 'invoice commits to the metadata');
        if (r.successAction?.tag === 'aes') await decryptSuccessAction(r.successAction, step.preimage);
        return;
      }
      case 'withdraw':
        return submitWithdraw(WITHDRAW_PARAMS, step.pr, { fetch: answering(step.body), timeoutMs: 2_000 });
      case 'login': {
        const p = parseLoginUrl(step.url);
        ensure(/^[0-9a-f]{64}$/i.test(p.k1) && new URL(p.url).searchParams.get('tag') === 'login', 'LUD-04 tag and k1');
        return;
      }
      case 'metadata': {
        const m = parsePayMetadata(step.text);
        ensure(typeof m.description === 'string', 'a text/plain description');
      }
    }
  },
};

const pageValidation: Target<unknown> = {
  name: 'page-message',
  family: 'page messages',
  share: 0.2,
  make: pageMessage,
  run(raw) {
    // The router's check, then the service's: the whole of what a page message must pass before any handler.
    const r = pageRequest.safeParse(raw);
    if (!r.success) return false;
    // zod counts a string's length in code points: 64 of them, up to 128 UTF-16 units.
    ensure(typeof r.data.method === 'string' && [...r.data.method].length <= 64, 'method is a bounded string');
    if (!isPageMethod(r.data.method)) return false;
    const p = weblnParams[r.data.method].safeParse(r.data.params);
    if (!p.success) return false;
    const v = p.data as Record<string, unknown> | undefined;
    if (r.data.method === 'keysend') {
      const k = v as { destination: string; amount: number; customRecords?: Record<string, string> };
      ensure(PUBKEY.test(k.destination) && Number.isSafeInteger(k.amount) && k.amount > 0 && k.amount <= MAX_SATS, 'keysend to a node key, a whole positive amount');
      for (const t of Object.keys(k.customRecords ?? {})) ensure(/^[0-9]{1,20}$/.test(t) && BigInt(t) >= 65_536n && BigInt(t) < 2n ** 64n, 'custom record in the custom range');
    }
    if (r.data.method === 'sendPayment' || r.data.method === 'sendPaymentAsync') ensure(typeof v?.paymentRequest === 'string' && v.paymentRequest.length <= MAX_INVOICE_LENGTH + 10, 'bounded invoice text');
    if (v !== undefined && v !== null) ensure(!Object.hasOwn(v, '__proto__'), 'no own __proto__ key');
  },
};

const bridgeMessage: Target<unknown> = {
  name: 'bridge-message',
  family: 'page messages',
  share: 0.1,
  make: portMessage,
  run(raw) {
    // The bridge's relay (extension/content/relay.ts), then everything the worker checks.
    const relay = relayOf(raw);
    if (!relay) return false;
    if ('reply' in relay) {
      ensure(!relay.reply.ok && relay.reply.error.code === 'UNSUPPORTED_METHOD', 'an unknown method is answered in the tab');
      return false;
    }
    ensure(RELAYED_METHODS.has(relay.forward.method), 'only page methods leave the tab');
    ensure(Object.keys(relay.forward).every((k) => k === 'method' || k === 'params'), 'nothing else of the message leaves the tab');
    return pageValidation.run(relay.forward);
  },
};

const challenges: Target<Headers402 & { ceilingSat: number; preimage: string }> = {
  name: '402-challenges',
  family: '402 challenges',
  share: 0.07,
  make: (rng) => ({ ...headers402(rng), ceilingSat: rng.pick([0, 5, 100, 10_000, MAX_SATS]), preimage: rng.chance(0.2) ? randomString(rng, 70) : '' }),
  run(h) {
    const parsed = parseChallenges(h);
    ensure(parsed.challenges.length > 0, 'at least one offer, or a refusal');
    for (const c of parsed.challenges) checkInvoice(c.invoice);
    rankChallenges(parsed.challenges);
    const a = admitBest(parsed.challenges, { now: NOW, network: 'regtest', ceilingSat: h.ceilingSat });
    ensure(a.amountSat <= h.ceilingSat && a.expiresAt > NOW && a.paymentHash === a.challenge.invoice.paymentHash, 'admitted within the ceiling, unexpired, for its own invoice');
    retryHeader(a.challenge, h.preimage || (S.BY_HASH.get(a.paymentHash)?.preimage ?? '00'.repeat(32)));
  },
};

const macaroons: Target<string> = {
  name: 'macaroon',
  family: '402 challenges',
  share: 0.1,
  make: (rng) => (rng.chance(0.9) ? macaroonText(rng, rng.pick(S.MACAROONS)) : randomString(rng, 300)),
  run(text) {
    const m = decodeMacaroon(text);
    ensure(HEX64.test(m.identifier.paymentHash) && (m.expiresAt === null || Number.isFinite(m.expiresAt)), 'identifier hash; a real expiry');
  },
};

type PaymentInput = { fn: number; text: string };
const paymentScheme: Target<PaymentInput> = {
  name: 'payment-x402',
  family: '402 challenges',
  share: 0.06,
  make(rng) {
    const fn = rng.int(9);
    const from = (seeds: readonly string[], json: boolean) => (json && rng.chance(0.8) ? base64urlJson(rng, rng.pick(seeds)) : mutateString(rng, rng.pick(seeds), seeds));
    const auth = () => `Payment ${base64urlJson(rng, rng.pick(S.PAYMENT_AUTHORIZATIONS).slice('Payment '.length))}`;
    const texts: Record<number, () => string> = {
      0: () => (rng.chance(0.8) ? auth() : mutateString(rng, rng.pick(S.PAYMENT_AUTHORIZATIONS))),
      1: () => from(S.PAYMENT_RECEIPTS, true),
      2: () => from(S.PAYMENT_RECEIPTS, true),
      3: () => base64urlJson(rng, S.paymentParamsFor(S.INVOICES[1]!).request),
      4: () => base64urlJson(rng, S.paymentParamsFor(S.INVOICES[1]!, { intent: 'session', request: { amount: '3', currency: 'sat', depositInvoice: S.INVOICES[6]!.paymentRequest, paymentHash: S.INVOICES[6]!.paymentHash, depositAmount: '60', idleTimeout: '300' } }).request),
      5: () => authLine(rng, rng.pick(S.WWW_AUTHENTICATE.filter((l) => l.startsWith('Payment')))),
      6: () => (rng.chance(0.8) ? auth() : randomString(rng, 200)),
      7: () => x402Text(rng),
      8: () => (rng.chance(0.8) ? base64.encode(new TextEncoder().encode(JSON.stringify(mutateJson(rng, JSON.parse(new TextDecoder().decode(base64.decode(S.X402_RESPONSES[0]!))))) ?? '')) : mutateString(rng, S.X402_RESPONSES[0]!)),
    };
    return { fn, text: texts[fn]!() };
  },
  run({ fn, text }) {
    switch (fn) {
      case 0:
        return decodePaymentCredential(text);
      case 1:
        return decodePaymentReceipt(text);
      case 2:
        return readSessionReceipt(text, { action: 'close', sessionId: S.INVOICES[1]!.paymentHash });
      case 3:
        return decodeChargeRequest(text);
      case 4:
        return decodeSessionRequest(text);
      case 5:
        return parsePaymentChallenges(text);
      case 6:
        return decodeSessionCredential(text);
      case 7: {
        const x = parsePaymentRequired(text);
        for (const o of x.offers) ensure(typeof o.invoice === 'string' && o.invoice !== '', 'an offer has an invoice');
        return x;
      }
      default:
        return decodePaymentResponse(text);
    }
  },
};

const deposits: Target<{ header: string; verify: boolean }> = {
  name: 'deposit',
  family: '402 challenges',
  share: 0.06,
  make: (rng) =>
    rng.chance(0.7)
      ? { header: depositHeader(rng), verify: false }
      : { header: rng.chance(0.8) ? authLine(rng, rng.pick(S.DEPOSIT_CREDENTIALS)) : mutateString(rng, rng.pick(S.DEPOSIT_CREDENTIALS)), verify: rng.chance(0.1) },
  run({ header, verify }) {
    if (/^\s*deposit\s+(action|realm|hash|nonce|ts|key|sig)=/i.test(header)) {
      const s = verify
        ? verifyDepositCredential(header, { origin: S.ORIGIN, realm: 'articles', nowSeconds: NOW, nonceFresh: () => true, expectAction: 'hold' })
        : parseDepositCredential(header, S.ORIGIN);
      ensure(HEX64.test(s.paymentHash) && HEX64.test(s.nonce) && Number.isSafeInteger(s.timestamp), 'hash, nonce and time read whole');
      return;
    }
    const c = parseDepositChallenge(header, S.ORIGIN);
    if (c === null) return false;
    ensure(c.amountSat > 0 && c.invoice.amountMsat === BigInt(c.amountSat) * 1000n, 'amount is the invoice amount');
    ensure(new URL(c.release).origin === S.ORIGIN && new URL(c.status).origin === S.ORIGIN && c.idleSeconds <= c.maxHoldSeconds, 'endpoints on the origin; idle within max_hold');
    admitDeposit(c, { maxAmountSat: 100_000, maxHoldSeconds: 86_400, maxCltv: 288 }, NOW);
  },
};

const lndconnect: Target<{ uri: string } | { url: string; macaroon: string }> = {
  name: 'lndconnect',
  family: 'lndconnect',
  share: 0.1,
  make(rng) {
    if (rng.chance(0.7)) {
      const seed = rng.pick(S.LNDCONNECT);
      if (rng.chance(0.5)) return { uri: mutateString(rng, seed, S.LNDCONNECT, TOKENS.join('')) };
      // Each part bent apart: host, port, macaroon bytes, cert bytes.
      const mac = base64urlnopad.encode(mutateBytes(rng, base64.decode(S.MACAROONS[0]!)));
      const host = rng.pick(['node.example', '[::1]', '[2001:db8::1', '127.0.0.1', 'a b', 'x@y', '', 'ÄÖ.example', 'node.example:']);
      const port = rng.pick(['', ':0', ':8080', ':65535', ':65536', ':99999', ':-1', ':abc']);
      const cert = rng.chance(0.5) ? `&cert=${rng.chance(0.5) ? base64urlnopad.encode(mutateBytes(rng, Uint8Array.from([0x30, 0x82, 1, 2, 3]))) : randomString(rng, 40)}` : '';
      return { uri: `${rng.pick(['lndconnect://', 'LNDCONNECT://', 'lndconnect:', 'lndconnect:///'])}${host}${port}${rng.pick(['', '/', '//'])}?macaroon=${mac}${cert}${rng.chance(0.2) ? `&macaroon=${randomString(rng, 10)}` : ''}` };
    }
    return {
      url: rng.chance(0.7) ? mutateString(rng, rng.pick(S.REST_URLS), S.REST_URLS, TOKENS.join('')) : urlText(rng, S.REST_URLS[0]!),
      macaroon: rng.chance(0.5) ? mutateString(rng, rng.pick(S.MACAROON_TEXTS), [], '0123456789abcdefABCDEF+/=-_') : base64.encode(mutateBytes(rng, base64.decode(S.MACAROONS[0]!))),
    };
  },
  run(input) {
    const c = 'uri' in input ? parseLndConnect(input.uri) : parseManualConnection(input.url, input.macaroon);
    ensure(/^https?:\/\/[^/?#]+/.test(c.restUrl) && /^02([0-9a-f]{2})*$/.test(c.macaroonHex), 'a REST URL and a v2 macaroon in hex');
    if ('uri' in input) ensure(c.restUrl.startsWith('https://'), 'lndconnect is always https');
  },
};

// ---- payers -----------------------------------------------------------------------------

/** A payer target: one fresh world per input, in one of the worlds where nothing may be paid. */
function payer<I>(
  name: string,
  share: number,
  worlds: readonly WorldKind[],
  make: (rng: Rng) => I,
  pay: (w: Awaited<ReturnType<typeof makeWorld>>, input: I) => Promise<unknown>,
): Target<{ world: WorldKind; input: I }> {
  let last = { payments: 0, deep: 0 };
  return {
    name,
    family: 'payers',
    share,
    make: (rng) => ({ world: rng.pick(worlds), input: make(rng) }),
    async run({ world, input }) {
      last = { payments: 0, deep: 0 };
      const w = await makeWorld(world);
      try {
        await pay(w, input);
      } finally {
        last = { payments: w.node.paid.length, deep: w.budgetChecks > 0 ? 1 : 0 };
      }
    },
    payments: () => last.payments,
    deep: () => last.deep,
  };
}

const PAYWALL_URL = `${S.SITE}/article/1`;
const paywallPayer = payer(
  'payer-paywall',
  0.02,
  FUZZ_WORLDS,
  (rng) => ({ headers: headers402(rng), url: rng.chance(0.95) ? PAYWALL_URL : urlText(rng, PAYWALL_URL) }),
  (w, { headers, url }) =>
    w.paywall.access({
      url,
      headers: { wwwAuthenticate: headers.wwwAuthenticate === null ? [] : typeof headers.wwwAuthenticate === 'string' ? [headers.wwwAuthenticate] : headers.wwwAuthenticate, paymentRequired: headers.paymentRequired },
      ctx: { origin: S.SITE, tabId: 1 },
      sentAt: NOW * 1000,
    }),
);
// A deposit is not spending: the cap does not bound it, and a "yes" lifts the lock limit. Only a "no", or no prompt, may stop it.
const depositPayer = payer(
  'payer-deposit',
  0.02,
  ['declines', 'never-ask'],
  (rng) => ({ lines: Array.from({ length: rng.small(3) }, () => depositHeader(rng)) }),
  (w, { lines }) => w.deposits.open({ url: `${S.ORIGIN}/article`, wwwAuthenticate: lines, ctx: { origin: S.SITE, tabId: 1 } }),
);
const weblnPayer = payer(
  'payer-webln',
  0.02,
  // A WebLN payment always may ask: "keep the 402" is for walls only.
  ['declines', 'cap'],
  (rng) => {
    // Mostly payments with a bent invoice or keysend, so that many get as far as the budget.
    if (rng.chance(0.6)) return { method: rng.pick(['sendPayment', 'sendPaymentAsync']), params: { paymentRequest: invoiceText(rng) } };
    const m = (rng.chance(0.5) ? mutateJson(rng, rng.pick(S.PAGE_MESSAGES.filter((x) => (x as { method: string }).method === 'keysend'))) : pageMessage(rng)) as { method?: unknown; params?: unknown } | null;
    return typeof m === 'object' && m !== null ? { method: m.method, params: m.params } : { method: m, params: undefined };
  },
  (w, { method, params }) => w.webln.handle({ origin: S.SITE, tabId: 1 }, method, params),
);

export const TARGETS: Target[] = [bolt11, lnurlDecode, lnurlParams, lnurlSteps, pageValidation, bridgeMessage, challenges, macaroons, paymentScheme, deposits, lndconnect, paywallPayer, depositPayer, weblnPayer] as Target[];

/** The payers' unbent seeds, for the control world. */
export const CONTROL_INPUTS = {
  paywall: { url: PAYWALL_URL, headers: { wwwAuthenticate: [S.WWW_AUTHENTICATE[0]!], paymentRequired: null }, ctx: { origin: S.SITE, tabId: 1 }, sentAt: NOW * 1000 },
  deposit: { url: `${S.ORIGIN}/article`, wwwAuthenticate: [S.DEPOSIT_LINES[0]!], ctx: { origin: S.SITE, tabId: 1 } },
  webln: S.PAGE_MESSAGES[4] as { method: string; params: unknown },
};

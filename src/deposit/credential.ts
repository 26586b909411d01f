/**
 * The Deposit credential and the release request: a per-site key (LUD-05 style, purpose 1402')
 * signs sha256 of a canonical message binding origin, realm, payment hash, server nonce and time.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import * as secp from '@noble/secp256k1';
import type { HDKey } from '@scure/bip32';
import { moduleErrors } from '../errors.ts';
import { parseAuthChallenges, quoteAuthParam } from '../l402/authparams.ts';
import { assertRoot } from '../keys/root.ts';

const err = moduleErrors('deposit');
const bad = (problem: string, value?: unknown) => err('DEPOSIT_CREDENTIAL_INVALID', problem, value);

export const DEPOSIT_ROOT_PATH = "m/1402'";
export const DEPOSIT_HASHING_PATH = "m/1402'/0";
export const DEPOSIT_TAG = 'satnav-deposit/1';
/**
 * TLV type of the `dest_custom_records` entry the wallet pays the hold invoice with: the 33-byte
 * compressed site key. The site reads it from its own invoice's HTLCs, so the payment itself binds
 * the key to the deposit and no server has to remember it.
 */
export const DEPOSIT_KEY_RECORD = '1402001';

const HEX32 = /^[0-9a-f]{64}$/;
const PUBKEY = /^0[23][0-9a-f]{64}$/;
const SIG = /^[0-9a-f]{128}$/;
const TS = /^[1-9][0-9]{0,10}$/;

export type DepositAction = 'hold' | 'release' | 'status';

export interface DepositProof {
  readonly action: DepositAction;
  readonly origin: string;
  readonly realm: string;
  readonly paymentHash: string;
  readonly nonce: string;
  readonly timestamp: number;
}

/** Origin as serialized by URL: scheme://host[:port], lowercase, no path. */
function canonicalOrigin(origin: string): string {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    throw bad('origin is not a URL', origin);
  }
  if (u.origin === 'null' || u.origin !== origin) throw bad('origin is not canonical', origin);
  return u.origin;
}

/** The exact bytes signed: UTF-8 of the lines joined by LF, no trailing LF. */
export function depositMessage(p: DepositProof): Uint8Array {
  if (!HEX32.test(p.paymentHash)) throw bad('payment hash must be 32 bytes lowercase hex', p.paymentHash);
  if (!HEX32.test(p.nonce)) throw bad('nonce must be 32 bytes lowercase hex', p.nonce);
  if (!Number.isSafeInteger(p.timestamp) || p.timestamp <= 0) throw bad('timestamp', p.timestamp);
  if (p.realm.length === 0 || /[\n\r]/.test(p.realm)) throw bad('realm', p.realm);
  const lines = [DEPOSIT_TAG, p.action, canonicalOrigin(p.origin), p.realm, p.paymentHash, p.nonce, String(p.timestamp)];
  return utf8ToBytes(lines.join('\n'));
}

export const depositDigest = (p: DepositProof) => sha256(depositMessage(p));

/** The per-site key: m/1402'/i1/i2/i3/i4 with i's from HMAC-SHA256(key at m/1402'/0, origin). */
export function depositKeyFor(root: HDKey, origin: string): HDKey {
  assertRoot(root);
  const hashingKey = root.derive(DEPOSIT_HASHING_PATH).privateKey!;
  const material = hmac(sha256, hashingKey, utf8ToBytes(canonicalOrigin(origin)));
  const v = new DataView(material.buffer, material.byteOffset, 16);
  return [v.getUint32(0), v.getUint32(4), v.getUint32(8), v.getUint32(12)].reduce((k, i) => k.deriveChild(i), root.derive(DEPOSIT_ROOT_PATH));
}

export interface SignedDeposit extends DepositProof {
  readonly key: string;
  readonly sig: string;
}

/** ECDSA (RFC 6979, low-S, compact 64 bytes) over sha256(message) by the site's key. */
export function signDeposit(siteKey: HDKey, p: DepositProof): SignedDeposit {
  if (siteKey.privateKey === null || siteKey.publicKey === null) throw err('KEY_NOT_PRIVATE', 'deposit key has no private key');
  const sig = siteKey.sign(depositDigest(p));
  return { ...p, key: bytesToHex(siteKey.publicKey), sig: bytesToHex(sig) };
}

/** `Authorization: Deposit …` (or the body of a release/status request: the same params). */
export function formatDepositCredential(s: SignedDeposit): string {
  const params: [string, string][] = [
    ['action', s.action], ['realm', s.realm], ['hash', s.paymentHash], ['nonce', s.nonce],
    ['ts', String(s.timestamp)], ['key', s.key], ['sig', s.sig],
  ];
  return `Deposit ${params.map(([k, v]) => `${k}=${quoteAuthParam(v)}`).join(', ')}`;
}

/** Parse `Authorization: Deposit …` at the server; `origin` is the server's own origin. */
export function parseDepositCredential(header: string, origin: string): SignedDeposit {
  let cs;
  try {
    cs = parseAuthChallenges(header);
  } catch {
    throw bad('Authorization syntax');
  }
  if (cs.length !== 1 || cs[0]!.scheme.toLowerCase() !== 'deposit') throw bad('not one Deposit credential');
  const c = cs[0]!;
  if (c.duplicates.length > 0) throw bad('repeated parameter', c.duplicates.join(','));
  const p = c.params;
  const action = p['action'];
  if (action !== 'hold' && action !== 'release' && action !== 'status') throw bad('action', action);
  const [realm, hash, nonce, ts, key, sig] = ['realm', 'hash', 'nonce', 'ts', 'key', 'sig'].map((n) => p[n]);
  if (realm === undefined || hash === undefined || !HEX32.test(hash) || nonce === undefined || !HEX32.test(nonce)) throw bad('realm/hash/nonce');
  if (ts === undefined || !TS.test(ts)) throw bad('ts', ts);
  if (key === undefined || !PUBKEY.test(key)) throw bad('key', key);
  if (sig === undefined || !SIG.test(sig)) throw bad('sig', sig);
  return { action, origin: canonicalOrigin(origin), realm, paymentHash: hash, nonce, timestamp: Number(ts), key, sig };
}

/** Signature check alone (no I/O): true when `sig` by `key` signs the canonical message. */
export function verifyDepositSignature(s: SignedDeposit): boolean {
  try {
    return secp.verify(hexToBytes(s.sig), depositDigest(s), hexToBytes(s.key), { prehash: false, lowS: true });
  } catch {
    return false;
  }
}

export interface VerifyContext {
  readonly origin: string;
  readonly realm: string;
  readonly nowSeconds: number;
  /** Allowed clock skew either way (default 300 s). */
  readonly skewSeconds?: number;
  /** A nonce this server issued for this payment hash and still accepts (nonce.ts); false → refused. */
  readonly nonceFresh: (nonce: string, paymentHash: string) => boolean;
  /** The key bound to this hash, when the caller knows it before the node is asked. */
  readonly boundKey?: string;
  readonly expectAction: DepositAction;
}

/** What a site owner's server runs before looking at its node (ACCEPTED for `hash`). */
export function verifyDepositCredential(header: string, ctx: VerifyContext): SignedDeposit {
  const s = parseDepositCredential(header, ctx.origin);
  if (s.action !== ctx.expectAction) throw bad('wrong action', s.action);
  if (s.realm !== ctx.realm) throw bad('wrong realm', s.realm);
  if (Math.abs(ctx.nowSeconds - s.timestamp) > (ctx.skewSeconds ?? 300)) throw bad('stale timestamp', s.timestamp);
  if (ctx.boundKey !== undefined && ctx.boundKey !== s.key) throw bad('key not bound to this deposit');
  if (!verifyDepositSignature(s)) throw bad('bad signature');
  if (!ctx.nonceFresh(s.nonce, s.paymentHash)) throw bad('nonce not fresh');
  return s;
}

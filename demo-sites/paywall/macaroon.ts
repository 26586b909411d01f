/**
 * The paywall server's own minimal macaroons (server side only): mint, encode, decode and verify
 * the version-2 binary macaroons L402 tokens are, with first-party caveats. Written from the
 * format facts, not from a library; kept small on purpose (no third-party caveats, no discharges).
 *
 * Facts, checked against go-macaroon (github:go-macaroon/macaroon, crypto.go, macaroon.go,
 * marshal-v2.go, packet-v2.go @ 1679699b0b723e05f9f16c45b4c6cbd46adb2c78), the library Aperture
 * mints with (github:lightninglabs/aperture mint/mint.go @ 7ee3ed7a0490d6f3b3780dda80d63e5d17869bd1):
 *
 * - Signature chain: k = HMAC-SHA256(key = "macaroons-key-generator", msg = rootKey);
 *   sig₀ = HMAC-SHA256(k, identifier); each first-party caveat c: sigᵢ = HMAC-SHA256(sigᵢ₋₁, c).
 * - Binary v2: byte 0x02; then packets `fieldType(varint) length(varint) data`, EOS = a single 0:
 *   [location(1)] identifier(2) EOS, per caveat [location(1)] identifier(2) [vid(4)] EOS, then EOS,
 *   then signature(6) of 32 bytes with no EOS after it. Field types inside a section ascend.
 * - Aperture mints with location "lsat"; the identifier (l402/identifier.go) is
 *   version u16 BE = 0 ‖ payment hash (32) ‖ token id (32) = 66 bytes.
 * - Caveats are "condition=value" (l402/caveat.go): `services=name:tier[,name:tier…]`,
 *   `<service>_valid_until=<unix seconds>` (l402/service.go); a later caveat of the same
 *   condition may only narrow the earlier one (l402/satisfier.go); unknown conditions are skipped.
 *
 * Aperture keeps one random root key per token, stored under sha256(identifier), and revokes a
 * token by deleting it (mint.SecretStore); paywall.ts does the same.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export interface Macaroon {
  location: string;
  identifier: Uint8Array;
  /** First-party caveat identifiers, in order (each a UTF-8 "condition=value"). */
  caveats: Uint8Array[];
  signature: Uint8Array;
}

export class MacaroonError extends Error {}

const KEY_GENERATOR = utf8ToBytes('macaroons-key-generator');
const FIELD = { eos: 0, location: 1, identifier: 2, vid: 4, signature: 6 } as const;

/** The HMAC chain over the identifier and the caveats, from the root key. */
export function signatureFor(rootKey: Uint8Array, identifier: Uint8Array, caveats: readonly Uint8Array[]): Uint8Array {
  let sig = hmac(sha256, hmac(sha256, KEY_GENERATOR, rootKey), identifier);
  for (const c of caveats) sig = hmac(sha256, sig, c);
  return sig;
}

export function mintMacaroon(rootKey: Uint8Array, identifier: Uint8Array, location: string, caveats: readonly string[]): Macaroon {
  const cavs = caveats.map((c) => utf8ToBytes(c));
  return { location, identifier, caveats: cavs, signature: signatureFor(rootKey, identifier, cavs) };
}

/** Adds a first-party caveat, as a holder may (the signature key is the old signature). */
export function addCaveat(m: Macaroon, caveat: string): Macaroon {
  const c = utf8ToBytes(caveat);
  return { ...m, caveats: [...m.caveats, c], signature: hmac(sha256, m.signature, c) };
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

export function encodeMacaroon(m: Macaroon): Uint8Array {
  const out: number[] = [2];
  const packet = (type: number, data: Uint8Array) => out.push(...varint(type), ...varint(data.length), ...data);
  if (m.location) packet(FIELD.location, utf8ToBytes(m.location));
  packet(FIELD.identifier, m.identifier);
  out.push(FIELD.eos);
  for (const c of m.caveats) {
    packet(FIELD.identifier, c);
    out.push(FIELD.eos);
  }
  out.push(FIELD.eos);
  packet(FIELD.signature, m.signature);
  return Uint8Array.from(out);
}

/** Decodes a v2 binary macaroon; refuses anything else, trailing bytes and third-party caveats. */
export function decodeMacaroon(bytes: Uint8Array): Macaroon {
  let pos = 0;
  const fail = (why: string): never => {
    throw new MacaroonError(`macaroon: ${why} at byte ${pos}`);
  };
  const readVarint = (): number => {
    let n = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= bytes.length) fail('truncated varint');
      const b = bytes[pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
    return fail('varint too long');
  };
  type Packet = { type: number; data: Uint8Array };
  const readPacket = (): Packet => {
    const type = readVarint();
    if (type === FIELD.eos) return { type, data: new Uint8Array() };
    const len = readVarint();
    if (pos + len > bytes.length) fail('field runs past the end');
    const data = bytes.subarray(pos, pos + len);
    pos += len;
    return { type, data };
  };
  const readSection = (): Packet[] => {
    const packets: Packet[] = [];
    for (;;) {
      if (pos >= bytes.length) fail('section runs past the end');
      const p = readPacket();
      if (p.type === FIELD.eos) return packets;
      if (packets.length > 0 && p.type <= packets[packets.length - 1]!.type) fail('fields out of order');
      packets.push(p);
    }
  };
  if (bytes[0] !== 2) fail('not a version 2 binary macaroon');
  pos = 1;
  const head = readSection();
  let location = '';
  if (head[0]?.type === FIELD.location) location = new TextDecoder().decode(head.shift()!.data);
  if (head.length !== 1 || head[0]!.type !== FIELD.identifier) fail('bad header section');
  const identifier = head[0]!.data.slice();
  const caveats: Uint8Array[] = [];
  for (;;) {
    const section = readSection();
    if (section.length === 0) break;
    if (section.length !== 1 || section[0]!.type !== FIELD.identifier) fail('only first-party caveats are supported');
    caveats.push(section[0]!.data.slice());
  }
  const sig = readPacket();
  if (sig.type !== FIELD.signature || sig.data.length !== 32) fail('bad signature field');
  if (pos !== bytes.length) fail('trailing bytes');
  return { location, identifier, caveats, signature: sig.data.slice() };
}

/** Constant-time check of the chain; returns the caveats as strings. */
export function verifyMacaroon(m: Macaroon, rootKey: Uint8Array): string[] {
  const expected = signatureFor(rootKey, m.identifier, m.caveats);
  let diff = expected.length ^ m.signature.length;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ (m.signature[i] ?? 0);
  if (diff !== 0) throw new MacaroonError('macaroon: signature does not verify');
  return m.caveats.map((c) => new TextDecoder('utf-8', { fatal: true }).decode(c));
}

// ---- L402 identifier and caveats (Aperture's l402/identifier.go, l402/service.go) ----

export interface L402Identifier {
  version: 0;
  paymentHash: Uint8Array;
  tokenId: Uint8Array;
}

export function encodeIdentifier(paymentHash: Uint8Array, tokenId: Uint8Array): Uint8Array {
  if (paymentHash.length !== 32 || tokenId.length !== 32) throw new MacaroonError('identifier: hash and token id are 32 bytes');
  const id = new Uint8Array(66);
  id.set(paymentHash, 2);
  id.set(tokenId, 34);
  return id; // version 0, big-endian u16, is the two leading zero bytes
}

export function decodeIdentifier(id: Uint8Array): L402Identifier {
  if (id.length < 2) throw new MacaroonError('identifier: too short');
  const version = (id[0]! << 8) | id[1]!;
  if (version !== 0) throw new MacaroonError(`identifier: unknown version ${version}`);
  if (id.length !== 66) throw new MacaroonError(`identifier: version 0 is 66 bytes, got ${id.length}`);
  return { version: 0, paymentHash: id.slice(2, 34), tokenId: id.slice(34, 66) };
}

export const servicesCaveat = (services: ReadonlyArray<{ name: string; tier: number }>) =>
  `services=${services.map((s) => `${s.name}:${s.tier}`).join(',')}`;
export const validUntilCaveat = (service: string, unixSeconds: number) => `${service}_valid_until=${unixSeconds}`;

export type CaveatRefusal = { code: 'wrong-service' | 'expired' | 'bad-caveat'; message: string };

/** Why a caveat set does not allow `service` at `nowSec`, or null when it does (Aperture's satisfiers). */
export function caveatsRefusal(caveats: readonly string[], service: string, nowSec: number): CaveatRefusal | null {
  const bad = (message: string): CaveatRefusal => ({ code: 'bad-caveat', message });
  const byCondition = new Map<string, string[]>();
  for (const c of caveats) {
    const eq = c.indexOf('=');
    if (eq <= 0) continue; // not condition=value: Aperture skips what it cannot decode
    const cond = c.slice(0, eq);
    byCondition.set(cond, [...(byCondition.get(cond) ?? []), c.slice(eq + 1)]);
  }
  const services = byCondition.get('services');
  if (services) {
    const parsed: string[][] = [];
    for (const v of services) {
      const names: string[] = [];
      for (const entry of v.split(',')) {
        const m = /^([^:]+):(\d+)$/.exec(entry);
        if (!m) return bad(`bad services caveat "${v}"`);
        names.push(m[1]!);
      }
      parsed.push(names);
    }
    for (let i = 1; i < parsed.length; i++) {
      if (parsed[i]!.some((n) => !parsed[i - 1]!.includes(n))) return bad('services caveat widens an earlier one');
    }
    const allowed = parsed[parsed.length - 1]!;
    if (!allowed.includes(service)) return { code: 'wrong-service', message: `token is for ${allowed.join(', ')}, not ${service}` };
  }
  const until = byCondition.get(`${service}_valid_until`);
  if (until) {
    const times = until.map((v) => (/^-?\d+$/.test(v) ? Number(v) : NaN));
    if (times.some((t) => Number.isNaN(t))) return bad(`bad ${service}_valid_until caveat`);
    for (let i = 1; i < times.length; i++) if (times[i]! > times[i - 1]!) return bad(`${service}_valid_until caveat widens an earlier one`);
    const last = times[times.length - 1]!;
    if (!(nowSec < last)) return { code: 'expired', message: `token expired at ${new Date(last * 1000).toISOString()}` };
  }
  return null;
}

export const hex = { encode: bytesToHex, decode: hexToBytes };

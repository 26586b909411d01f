/**
 * L402 tokens: binary macaroons (v2) with an L402 identifier and first-party caveats.
 *
 * Macaroon v2 binary layout, as real tokens are written (go-macaroon `appendBinaryV2`, libmacaroons
 * doc/format.txt). The L402 spec's own table is wrong; these are the bytes Aperture sends:
 *
 * | part      | bytes                                                                     |
 * | --------- | ------------------------------------------------------------------------- |
 * | version   | `02`                                                                      |
 * | header    | [location packet] identifier packet, then EOS `00`                        |
 * | caveat*   | [location packet] identifier packet [verification-id packet], then EOS `00` |
 * | end       | EOS `00` (an empty caveat section)                                        |
 * | signature | signature packet `06 20` ‖ 32 bytes; nothing after it (no trailing EOS)   |
 *
 * A packet is `tag (uvarint) ‖ length (uvarint) ‖ data`; EOS is the single byte `00`.
 *
 * | tag | field           |
 * | --- | --------------- |
 * | 0   | EOS             |
 * | 1   | location        |
 * | 2   | identifier      |
 * | 4   | verification-id |
 * | 6   | signature       |
 *
 * Within a section tags must increase. A caveat with a verification-id is third-party; a
 * first-party caveat has no location.
 *
 * L402 identifier (Aperture `l402/identifier.go`), 66 bytes, big-endian:
 *
 * | offset | size | field        |
 * | ------ | ---- | ------------ |
 * | 0      | 2    | version = 0  |
 * | 2      | 32   | payment_hash |
 * | 34     | 32   | token_id     |
 *
 * lsat-js (the older JavaScript server kit) writes the same 66 bytes as 132 ASCII hex digits;
 * both spellings are read.
 *
 * Caveats are UTF-8 `condition=value`; the ones read here (unknown ones are kept, not interpreted):
 *
 * | condition              | value                          | source     |
 * | ---------------------- | ------------------------------ | ---------- |
 * | `services`             | `name:tier[,name:tier…]`       | Aperture   |
 * | `<service>_capabilities` | `a,b,…` (may be empty)       | Aperture   |
 * | `<service>_valid_until`| unix seconds                   | Aperture   |
 * | `expiration`           | unix milliseconds              | lsat-js    |
 * | `expires_at`           | RFC 3339 time                  | Fewsats    |
 *
 * A later caveat of the same condition can only narrow: services and capabilities are the
 * intersection of every such caveat, and the credential expires at the earliest time caveat.
 *
 * Version 1 macaroons (text packets, first byte an ASCII hex digit) are detected and refused: no
 * L402 server mints them, and accepting a second format only widens what a hostile server can feed
 * the parser.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { moduleErrors } from '../errors.ts';
import { anyBase64ToBytes, parseRfc3339, utf8 } from './codec.ts';

const err = moduleErrors('l402');
const fail = (problem: string, value?: unknown) => err('L402_MACAROON_INVALID', problem, value);

/** Aperture's tokens are ~200 bytes; a few caveats more stay far below this. */
export const MAX_MACAROON_BYTES = 8192;

export const FIELD = { eos: 0, location: 1, identifier: 2, verificationId: 4, signature: 6 } as const;

export interface RawCaveat {
  readonly id: Uint8Array;
  readonly location?: string;
  /** Present only on third-party caveats. */
  readonly verificationId?: Uint8Array;
}

/** The binary structure, before any L402 meaning is read into it. */
export interface RawMacaroon {
  readonly location?: string;
  readonly identifier: Uint8Array;
  readonly caveats: readonly RawCaveat[];
  readonly signature: Uint8Array; // 32 bytes
}

export interface L402Identifier {
  readonly version: 0;
  readonly paymentHash: string; // hex
  readonly tokenId: string; // hex
  /** 'binary' as Aperture writes it, 'hex' as lsat-js does. */
  readonly encoding: 'binary' | 'hex';
}

export interface Service {
  readonly name: string;
  readonly tier: number;
}

export interface Caveat extends RawCaveat {
  /** For first-party caveats of the form `condition=value`. */
  readonly condition?: string;
  readonly value?: string;
}

export interface Macaroon {
  readonly location?: string;
  readonly identifier: L402Identifier;
  readonly caveats: readonly Caveat[];
  readonly signature: string; // hex
  /** Services the token is for (intersection of every `services` caveat); undefined when unrestricted. */
  readonly services?: readonly Service[];
  /** Per service, the capabilities allowed (intersection of its `_capabilities` caveats). */
  readonly capabilities: Readonly<Record<string, readonly string[]>>;
  /** Unix seconds: the earliest time caveat; null when none limits the token in time. */
  readonly expiresAt: number | null;
}

// ---- binary ---------------------------------------------------------------------------------

/** Unsigned LEB128 as go's binary.Uvarint, capped like go-macaroon at 2^31 - 1. */
function readUvarint(b: Uint8Array, at: number): [value: number, next: number] {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    const byte = b[at + i];
    if (byte === undefined) throw fail('varint runs past the end at offset', at);
    v += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (v > 0x7fffffff) throw fail('varint out of range at offset', at);
      return [v, at + i + 1];
    }
  }
  throw fail('varint too long at offset', at);
}

interface Packet {
  tag: number;
  data: Uint8Array;
}

function readPacket(b: Uint8Array, at: number): [Packet, number] {
  const [tag, afterTag] = readUvarint(b, at);
  if (tag === FIELD.eos) return [{ tag, data: new Uint8Array(0) }, afterTag];
  const [len, afterLen] = readUvarint(b, afterTag);
  if (afterLen + len > b.length) throw fail(`field ${tag} runs past the end at offset`, at);
  return [{ tag, data: b.subarray(afterLen, afterLen + len) }, afterLen + len];
}

/** Packets up to (not including) an EOS, tags strictly increasing. */
function readSection(b: Uint8Array, at: number): [Packet[], number] {
  const out: Packet[] = [];
  for (;;) {
    if (at >= b.length) throw fail('section runs past the end at offset', at);
    const [p, next] = readPacket(b, at);
    at = next;
    if (p.tag === FIELD.eos) return [out, at];
    const prev = out[out.length - 1];
    if (prev !== undefined && p.tag <= prev.tag) throw fail('fields out of order, tag', p.tag);
    out.push(p);
  }
}

function text(data: Uint8Array, what: string): string {
  const s = utf8(data);
  if (s === undefined) throw fail(`${what} is not UTF-8`, bytesToHex(data));
  return s;
}

/** The v2 binary structure; refuses v1, JSON and anything after the signature. */
export function readMacaroonV2(b: Uint8Array): RawMacaroon {
  if (!(b instanceof Uint8Array)) throw fail('not bytes', typeof b);
  if (b.length === 0) throw fail('empty');
  if (b.length > MAX_MACAROON_BYTES) throw fail('too long', b.length);
  const v = b[0] as number;
  if (/[0-9a-fA-F]/.test(String.fromCharCode(v))) throw fail('macaroon version 1 (text packets) is not used by L402; version byte', v);
  if (v === 0x7b) throw fail('JSON macaroons are not used by L402; first byte', v);
  if (v !== 2) throw fail('unknown macaroon version', v);

  let [section, at] = readSection(b, 1);
  let location: string | undefined;
  if (section[0]?.tag === FIELD.location) location = text((section.shift() as Packet).data, 'location');
  const [idPacket, ...extra] = section;
  if (idPacket?.tag !== FIELD.identifier || extra.length > 0) throw fail('header must be [location] identifier');
  const identifier = idPacket.data;

  const caveats: RawCaveat[] = [];
  for (;;) {
    [section, at] = readSection(b, at);
    if (section.length === 0) break; // the empty section that ends the caveats
    let cavLocation: string | undefined;
    if (section[0]?.tag === FIELD.location) cavLocation = text((section.shift() as Packet).data, 'caveat location');
    const [cid, vid, ...more] = section;
    if (cid?.tag !== FIELD.identifier) throw fail('caveat without identifier, caveat', caveats.length);
    if (more.length > 0 || (vid !== undefined && vid.tag !== FIELD.verificationId)) throw fail('unexpected field in caveat', caveats.length);
    if (vid === undefined && cavLocation !== undefined) throw fail('first-party caveat with a location, caveat', caveats.length);
    caveats.push({ id: cid.data, ...(cavLocation !== undefined && { location: cavLocation }), ...(vid && { verificationId: vid.data }) });
  }

  const [sig, end] = readPacket(b, at);
  if (sig.tag !== FIELD.signature) throw fail('expected the signature field, got tag', sig.tag);
  if (sig.data.length !== 32) throw fail('signature length', sig.data.length);
  if (end !== b.length) throw fail('bytes after the signature', b.length - end);
  return { ...(location !== undefined && { location }), identifier, caveats, signature: sig.data };
}

// ---- L402 meaning -----------------------------------------------------------------------------

const L402_ID_BYTES = 66;
const HEX_ID = /^[0-9a-fA-F]{132}$/;

/** The 66-byte L402 identifier, binary or (lsat-js) as 132 hex digits. */
export function decodeL402Identifier(id: Uint8Array): L402Identifier {
  let raw = id;
  let encoding: L402Identifier['encoding'] = 'binary';
  if (id.length === 2 * L402_ID_BYTES) {
    const s = utf8(id);
    if (s === undefined || !HEX_ID.test(s)) throw fail('identifier is neither 66 bytes nor 132 hex digits', bytesToHex(id));
    raw = hexToBytes(s);
    encoding = 'hex';
  }
  if (raw.length !== L402_ID_BYTES) throw fail('identifier length (L402 needs 66 bytes)', id.length);
  const version = ((raw[0] as number) << 8) | (raw[1] as number);
  if (version !== 0) throw fail('unknown L402 identifier version', version);
  return { version: 0, paymentHash: bytesToHex(raw.subarray(2, 34)), tokenId: bytesToHex(raw.subarray(34, 66)), encoding };
}

const DIGITS = /^[0-9]{1,16}$/;
const SERVICE = /^([^:,\s]+)(?::([0-9]{1,9}))?$/;

function unixSeconds(condition: string, value: string): number {
  if (condition === 'expires_at') {
    const t = parseRfc3339(value);
    if (t === undefined) throw fail(`caveat ${condition} is not an RFC 3339 time`, value);
    return t;
  }
  if (!DIGITS.test(value)) throw fail(`caveat ${condition} is not a whole number`, value);
  const n = Number(value);
  return condition === 'expiration' ? Math.floor(n / 1000) : n; // lsat-js counts milliseconds
}

/** `<service><suffix>` with a non-empty service name. */
const isSuffixed = (condition: string, suffix: string) => condition.length > suffix.length && condition.endsWith(suffix);

const list = (value: string) => (value === '' ? [] : value.split(',').map((x) => x.trim()));

/** Decodes an L402 token as sent in a challenge (base64, std or url alphabet, padded or not). */
export function decodeMacaroon(encoded: string): Macaroon {
  if (typeof encoded !== 'string') throw fail('not a string', typeof encoded);
  if (encoded.length === 0) throw fail('empty');
  if (encoded.length > (MAX_MACAROON_BYTES * 4) / 3 + 4) throw fail('too long', encoded.length);
  const bytes = anyBase64ToBytes(encoded);
  if (bytes === undefined) throw fail('not base64', encoded);
  return decodeMacaroonBytes(bytes);
}

export function decodeMacaroonBytes(bytes: Uint8Array): Macaroon {
  const raw = readMacaroonV2(bytes);
  const identifier = decodeL402Identifier(raw.identifier);
  let services: Service[] | undefined;
  const capabilities: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  let expiresAt: number | null = null;
  const caveats: Caveat[] = [];
  for (const c of raw.caveats) {
    const s = c.verificationId === undefined ? utf8(c.id) : undefined; // third-party: the server's business
    const eq = s?.indexOf('=') ?? -1;
    if (s === undefined || eq < 0) {
      caveats.push(c); // not condition=value: unknown, kept uninterpreted
      continue;
    }
    const condition = s.slice(0, eq).trim();
    const value = s.slice(eq + 1).trim();
    caveats.push({ ...c, condition, value });
    if (condition === 'services') {
      const next = list(value).map((entry) => {
        const m = SERVICE.exec(entry);
        if (!m) throw fail('services caveat entry', entry);
        return { name: m[1] as string, tier: m[2] === undefined ? 0 : Number(m[2]) };
      });
      const prev = services;
      services = prev === undefined ? next : next.filter((x) => prev.some((y) => y.name === x.name));
    } else if (isSuffixed(condition, '_capabilities')) {
      const service = condition.slice(0, -'_capabilities'.length);
      const next = list(value);
      const prev = capabilities[service];
      capabilities[service] = prev === undefined ? next : next.filter((x) => prev.includes(x));
    } else if (condition === 'expiration' || condition === 'expires_at' || isSuffixed(condition, '_valid_until')) {
      const t = unixSeconds(condition, value);
      expiresAt = expiresAt === null ? t : Math.min(expiresAt, t);
    }
  }
  return {
    ...(raw.location !== undefined && { location: raw.location }),
    identifier,
    caveats,
    signature: bytesToHex(raw.signature),
    ...(services !== undefined && { services }),
    capabilities,
    expiresAt,
  };
}

/**
 * L402 macaroons: real tokens first (kept unchanged), then tokens minted here with every caveat
 * kind, then every way the bytes can be wrong.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSatnavError } from '../errors.ts';
import { thrownCode, thrownError } from '../testing/expect-code.ts';
import { bytesToBase64, bytesToBase64url, utf8Bytes } from './codec.ts';
import { decodeL402Identifier, decodeMacaroon, decodeMacaroonBytes, MAX_MACAROON_BYTES, readMacaroonV2 } from './macaroon.ts';
import { attenuate, encodeMacaroonV2, l402Identifier, mintMacaroon } from './macaroon-mint.ts';

// ---- real tokens --------------------------------------------------------------------------------
// From lsat-js `tests/data.ts` (Tierion/lsat-js @ d902b955, MIT), the set PROTOCOL-NOTES names.

/** Minted by Aperture (location "lsat", binary identifier, services + capabilities caveats). */
const APERTURE =
  'AgEEbHNhdAJCAAAwpHpumws6ufQoDwiTLNcge0QPUIWA0+tVY+tKPYAJ/zSfmEGlIpNm3VzxuzCqLhEp5KGiyPLUM9L+kcB7uzS+AAIPc2VydmljZXM9bWVtZTowAAISbWVtZV9jYXBhYmlsaXRpZXM9AAAGILA1VCEIExukt4nG+XR9tX8WJ2BVMiHG3UNt1uYJ+NRD';
/** Minted by lsat-js: url-safe base64 without padding, identifier as 132 hex digits, `expiration` in ms. */
const LSAT_JS =
  'AgEIbG9jYXRpb24ChAEwMDAwN2NlZjkzZjJjNTFhYTY1MjA4YmVjMTQ0N2ZjMzhmYzU4ZDliY2UxMzc1YTUzMmVkYjBkY2QyOTBhMmMzMzBhZTljNTMyNjZiMWJlMzE1MGI2NjZiM2Y2ZWM3MGYyOGJkNDNhOWQ0ZmQxOTQ2MWE2MjBmYmFjYzMzNzY4YTk5OTQAAhhleHBpcmF0aW9uPTE2NDQxOTQyNjM2OTMAAAYg_1CMq8TuMXv-ERHDWQCtlIhsQwwKiUDmnnh1maDFpkQ';
/** Minted by go-macaroon ("golang generated"): standard base64 with padding, no caveats. */
const GOLANG =
  'AgESMy4xMzYuMTc4LjE1OjM0MjM4AkIAAD2b0rX78LATiVo8bKgHuurefeF5OeX2H5ZuacBIK3+RAR1PKU1oZpfCZFib4zdDoj0pOpgPmhtuzNllU+y//D0AAAYgcWFs9FIteCzpCcEPSwmXKBpcx97hyL5Yt99cbLjRHzU=';
/** libmacaroons README's example in the v1 format (location http://mybank/): not used by L402. */
const LIBMACAROONS_V1 = 'MDAxY2xvY2F0aW9uIGh0dHA6Ly9teWJhbmsvCjAwMjZpZGVudGlmaWVyIHdlIHVzZWQgb3VyIHNlY3JldCBrZXkKMDAyZnNpZ25hdHVyZSDj2eApCFJsTAA5rhURQRXZf91ovyujebNCqvD2F9BVLwo';

describe('real tokens', () => {
  it('Aperture: payment hash 30a47a6e…09ff, service meme tier 0, no capabilities, no expiry', () => {
    const m = decodeMacaroon(APERTURE);
    expect(m.location).toBe('lsat');
    expect(m.identifier).toEqual({
      version: 0,
      paymentHash: '30a47a6e9b0b3ab9f4280f08932cd7207b440f508580d3eb5563eb4a3d8009ff',
      tokenId: '349f9841a5229366dd5cf1bb30aa2e1129e4a1a2c8f2d433d2fe91c07bbb34be',
      encoding: 'binary',
    });
    expect(m.caveats.map((c) => [c.condition, c.value])).toEqual([
      ['services', 'meme:0'],
      ['meme_capabilities', ''],
    ]);
    expect(m.services).toEqual([{ name: 'meme', tier: 0 }]);
    expect(m.capabilities).toEqual({ meme: [] });
    expect(m.expiresAt).toBeNull();
    expect(m.signature).toBe('b035542108131ba4b789c6f9747db57f162760553221c6dd436dd6e609f8d443');
  });
  it('lsat-js: hex identifier, url alphabet without padding, expiration in milliseconds', () => {
    const m = decodeMacaroon(LSAT_JS);
    expect(m.location).toBe('location');
    expect(m.identifier.paymentHash).toBe('7cef93f2c51aa65208bec1447fc38fc58d9bce1375a532edb0dcd290a2c330ae');
    expect(m.identifier.encoding).toBe('hex');
    expect(m.expiresAt).toBe(1644194263); // 1644194263693 ms
    expect(m.services).toBeUndefined();
  });
  it('go-macaroon: standard alphabet with padding, no caveats', () => {
    const m = decodeMacaroon(GOLANG);
    expect(m.location).toBe('3.136.178.15:34238');
    expect(m.identifier.paymentHash).toBe('3d9bd2b5fbf0b013895a3c6ca807baeade7de17939e5f61f966e69c0482b7f91');
    expect(m.caveats).toEqual([]);
  });
  it('reads the Aperture token in the url alphabet and without padding too', () => {
    const bytes = readMacaroonV2(Buffer.from(APERTURE, 'base64'));
    expect(decodeMacaroon(bytesToBase64url(encodeMacaroonV2(bytes))).identifier.paymentHash).toBe(decodeMacaroon(APERTURE).identifier.paymentHash);
  });
  it('re-encodes the real tokens byte for byte (the minter writes the layout servers write)', () => {
    for (const t of [APERTURE, GOLANG]) expect(bytesToBase64(encodeMacaroonV2(readMacaroonV2(Buffer.from(t, 'base64'))))).toBe(t);
  });
  it('refuses the libmacaroons v1 token, saying why', () => {
    const e = thrownError(() => decodeMacaroon(LIBMACAROONS_V1));
    expect(e.code).toBe('L402_MACAROON_INVALID');
    expect(e.message).toMatch(/version 1/);
  });
});

// ---- minted tokens ------------------------------------------------------------------------------

const HASH = 'ab'.repeat(32);
const TOKEN_ID = 'cd'.repeat(32);
const id = l402Identifier(HASH, TOKEN_ID);
const mint = (caveats: string[] = [], location = 'lsat') => bytesToBase64(mintMacaroon({ rootKey: 'root', identifier: id, location, caveats }));

describe('caveats', () => {
  it('reads Aperture-style services, capabilities and valid_until', () => {
    const m = decodeMacaroon(mint(['services=weather:0,news:2', 'weather_capabilities=read,list', 'weather_valid_until=1700000000']));
    expect(m.services).toEqual([
      { name: 'weather', tier: 0 },
      { name: 'news', tier: 2 },
    ]);
    expect(m.capabilities).toEqual({ weather: ['read', 'list'] });
    expect(m.expiresAt).toBe(1700000000);
  });
  it('takes the earliest of every time caveat, whatever server wrote it', () => {
    const m = decodeMacaroon(mint(['weather_valid_until=1700000300', 'expiration=1700000200999', 'expires_at=2023-11-14T22:16:40+00:00', 'news_valid_until=1700000250']));
    expect(m.expiresAt).toBe(1700000200); // milliseconds rounded down
    expect(decodeMacaroon(mint(['expires_at=2023-11-14T23:13:20+01:00'])).expiresAt).toBe(1700000000);
  });
  it('narrows services and capabilities with each later caveat (attenuation cannot widen)', () => {
    const m = decodeMacaroon(mint(['services=a:0,b:1', 'a_capabilities=x,y', 'services=b:1,c:0', 'a_capabilities=y,z']));
    expect(m.services).toEqual([{ name: 'b', tier: 1 }]);
    expect(m.capabilities).toEqual({ a: ['y'] });
  });
  it('reads a service without a tier as tier 0 and trims spaces', () => {
    expect(decodeMacaroon(mint(['services = a, b:3'])).services).toEqual([
      { name: 'a', tier: 0 },
      { name: 'b', tier: 3 },
    ]);
  });
  it('keeps unknown caveats without interpreting them', () => {
    const m = decodeMacaroon(mint(['ipaddr 1.2.3.4', 'color=blue', '_valid_until=5']));
    expect(m.caveats.map((c) => c.condition ?? null)).toEqual([null, 'color', '_valid_until']);
    expect(m.expiresAt).toBeNull();
    expect(m.services).toBeUndefined();
  });
  it('keeps a third-party caveat uninterpreted', () => {
    const raw = readMacaroonV2(Buffer.from(mint(), 'base64'));
    const bytes = encodeMacaroonV2({ ...raw, caveats: [{ id: utf8Bytes('services=x:0'), location: 'https://auth', verificationId: new Uint8Array(40) }] });
    const m = decodeMacaroonBytes(bytes);
    expect(m.caveats[0]?.condition).toBeUndefined();
    expect(m.caveats[0]?.location).toBe('https://auth');
    expect(m.services).toBeUndefined();
  });
  it('keeps caveats that are not UTF-8', () => {
    const raw = readMacaroonV2(Buffer.from(mint(), 'base64'));
    const m = decodeMacaroonBytes(encodeMacaroonV2({ ...raw, caveats: [{ id: Uint8Array.of(0xff, 0x3d, 0x31) }] }));
    expect(m.caveats[0]?.condition).toBeUndefined();
  });
  it('reads a token attenuated by its holder', () => {
    const bytes = attenuate(Buffer.from(mint(['services=a:0']), 'base64'), 'a_valid_until=10');
    expect(decodeMacaroonBytes(bytes).expiresAt).toBe(10);
  });
  const bad: [string, string][] = [
    ['a services entry with two colons', 'services=a:0:1'],
    ['a services entry with a word as tier', 'services=a:gold'],
    ['an empty services entry', 'services=a:0,,b:1'],
    ['valid_until not a number', 'weather_valid_until=soon'],
    ['valid_until negative', 'weather_valid_until=-5'],
    ['valid_until a decimal', 'weather_valid_until=1.5'],
    ['expiration too large to be a time', 'expiration=99999999999999999999'],
    ['expires_at not RFC 3339', 'expires_at=2023-11-14 22:13'],
    ['expires_at on February 30th', 'expires_at=2024-02-30T00:00:00Z'],
    ['expires_at with an hour of 24', 'expires_at=2024-02-10T24:00:00Z'],
  ];
  for (const [name, caveat] of bad)
    it(`refuses ${name} (a known caveat the wallet cannot read would hide the real expiry)`, () => expect(thrownCode(() => decodeMacaroon(mint([caveat])))).toBe('L402_MACAROON_INVALID'));
});

describe('identifier', () => {
  it('reads version 0, payment hash and token id', () => expect(decodeL402Identifier(id)).toEqual({ version: 0, paymentHash: HASH, tokenId: TOKEN_ID, encoding: 'binary' }));
  it('reads the 132-hex-digit form lsat-js writes', () => expect(decodeL402Identifier(utf8Bytes(bytesToHex(id).toUpperCase())).paymentHash).toBe(HASH));
  const bad: [string, Uint8Array][] = [
    ['65 bytes', id.subarray(0, 65)],
    ['67 bytes', Uint8Array.of(...id, 0)],
    ['version 1', Uint8Array.of(0, 1, ...id.subarray(2))],
    ['version 256 (a little-endian reading of 1)', Uint8Array.of(1, 0, ...id.subarray(2))],
    ['132 bytes that are not hex', utf8Bytes('z'.repeat(132))],
    ['hex of a version-1 identifier', utf8Bytes(`0001${bytesToHex(id.subarray(2))}`)],
    ['empty', new Uint8Array(0)],
  ];
  for (const [name, bytes] of bad) it(`refuses ${name}`, () => expect(thrownCode(() => decodeL402Identifier(bytes))).toBe('L402_MACAROON_INVALID'));
  it('refuses a macaroon whose identifier is not an L402 one', () =>
    expect(thrownCode(() => decodeMacaroon(bytesToBase64(mintMacaroon({ rootKey: 'k', identifier: 'we used our secret key' }))))).toBe('L402_MACAROON_INVALID'));
});

// ---- malformed bytes ------------------------------------------------------------------------------

const good = Buffer.from(mint(['services=a:0']), 'base64');
const sig = new Uint8Array(32).fill(7);
const pkt = (tag: number, data: Uint8Array | number[]) => [tag, data.length, ...data];
const idPkt = pkt(2, id);

describe('binary format failures', () => {
  const cases: [string, number[]][] = [
    ['empty', []],
    ['JSON macaroon', [...utf8Bytes('{"i":"x"}')]],
    ['unknown version 3', [3, ...good.subarray(1)]],
    ['version 1 text packets', [...utf8Bytes('0024location ')]],
    ['only the version byte', [2]],
    ['no identifier', [2, ...pkt(1, utf8Bytes('loc')), 0, 0, ...pkt(6, sig)]],
    ['identifier before location (out of order)', [2, ...idPkt, ...pkt(1, utf8Bytes('loc')), 0, 0, ...pkt(6, sig)]],
    ['a verification id in the header', [2, ...idPkt, ...pkt(4, [1]), 0, 0, ...pkt(6, sig)]],
    ['an unknown field in the header', [2, ...idPkt, ...pkt(3, [1]), 0, 0, ...pkt(6, sig)]],
    ['a caveat without identifier', [2, ...idPkt, 0, ...pkt(4, [1]), 0, 0, ...pkt(6, sig)]],
    ['a first-party caveat with a location', [2, ...idPkt, 0, ...pkt(1, utf8Bytes('x')), ...pkt(2, [0x61]), 0, 0, ...pkt(6, sig)]],
    ['a caveat field repeated', [2, ...idPkt, 0, ...pkt(2, [0x61]), ...pkt(2, [0x62]), 0, 0, ...pkt(6, sig)]],
    ['a signature field in a caveat', [2, ...idPkt, 0, ...pkt(2, [0x61]), ...pkt(6, sig), 0, 0, ...pkt(6, sig)]],
    ['no end of caveats', [2, ...idPkt, 0, ...pkt(6, sig)]],
    ['no signature', [2, ...idPkt, 0, 0]],
    ['a 31-byte signature', [2, ...idPkt, 0, 0, ...pkt(6, sig.subarray(1))]],
    ['a signature tagged as identifier', [2, ...idPkt, 0, 0, ...pkt(2, sig)]],
    ['a trailing EOS after the signature', [2, ...idPkt, 0, 0, ...pkt(6, sig), 0]],
    ['a length past the end', [2, 2, 100, ...id]],
    ['a varint past the end', [2, 2, 0x80]],
    ['a varint of six bytes', [2, 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
    ['a varint above 2^31', [2, 2, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    ['a location that is not UTF-8', [2, ...pkt(1, [0xc3]), ...idPkt, 0, 0, ...pkt(6, sig)]],
    ['a truncated token', [...good.subarray(0, good.length - 1)]],
  ];
  for (const [name, bytes] of cases) it(`refuses ${name}`, () => expect(thrownCode(() => decodeMacaroonBytes(Uint8Array.from(bytes)))).toBe('L402_MACAROON_INVALID'));
  it('refuses a token larger than any real one', () =>
    expect(thrownCode(() => decodeMacaroonBytes(mintMacaroon({ rootKey: 'k', identifier: id, caveats: [`x=${'y'.repeat(MAX_MACAROON_BYTES)}`] })))).toBe('L402_MACAROON_INVALID'));
  it('accepts the minimal well-formed token', () => expect(decodeMacaroonBytes(Uint8Array.from([2, ...idPkt, 0, 0, ...pkt(6, sig)])).caveats).toEqual([]));
});

describe('text failures', () => {
  const std = mint(['services=a:0']);
  const url = bytesToBase64url(Buffer.from(std, 'base64'));
  // A token whose length leaves 4 unused bits in its last base64 character.
  let pad = '';
  while (Buffer.from(mint([`x=${pad}`]), 'base64').length % 3 !== 1) pad += 'p';
  const ragged = bytesToBase64url(Buffer.from(mint([`x=${pad}`]), 'base64'));
  const lastBitSet = `${ragged.slice(0, -1)}${String.fromCharCode(ragged.charCodeAt(ragged.length - 1) + 1)}`;
  const cases: [string, string][] = [
    ['empty', ''],
    ['not base64', '!!!'],
    ['mixed alphabets', `${url.slice(0, -4)}+/__`],
    ['internal padding', `${std.slice(0, 8)}=${std.slice(8)}`],
    ['whitespace inside', `${std.slice(0, 8)} ${std.slice(8)}`],
    ['hex instead of base64 (what lnd tools print)', Buffer.from(std, 'base64').toString('hex')],
    ['non-zero trailing bits (a second spelling of the same token)', lastBitSet],
  ];
  for (const [name, text] of cases) it(`refuses ${name}`, () => expect(thrownCode(() => decodeMacaroon(text))).toBe('L402_MACAROON_INVALID'));
  it('refuses a non-string', () => expect(thrownCode(() => decodeMacaroon(null as unknown as string))).toBe('L402_MACAROON_INVALID'));
});

describe('properties', () => {
  it('any bytes decode or throw L402_MACAROON_INVALID, nothing else', () => {
    const prefixed = fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.of(2, ...b));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), prefixed), (b) => {
        try {
          decodeMacaroonBytes(b);
        } catch (e) {
          expect(isSatnavError(e) && e.code).toBe('L402_MACAROON_INVALID');
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('any single flipped byte of a real token decodes or fails cleanly', () => {
    const bytes = Buffer.from(APERTURE, 'base64');
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = Uint8Array.from(bytes);
        b[at]! ^= x;
        try {
          decodeMacaroonBytes(b);
        } catch (e) {
          expect(isSatnavError(e) && e.code).toBe('L402_MACAROON_INVALID');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

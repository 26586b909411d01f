import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addCaveat,
  caveatsRefusal,
  decodeIdentifier,
  decodeMacaroon,
  encodeIdentifier,
  encodeMacaroon,
  MacaroonError,
  mintMacaroon,
  servicesCaveat,
  validUntilCaveat,
  verifyMacaroon,
} from './macaroon.ts';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const rootKey = bytes(32, 7);
const id = encodeIdentifier(bytes(32, 0xaa), bytes(32, 0xbb));
const caveats = ['services=data:0', 'data_valid_until=2000000000'];

/** The chain computed independently with node:crypto. */
function nodeChain(key: Uint8Array, identifier: Uint8Array, cavs: string[]): Buffer {
  const derived = createHmac('sha256', 'macaroons-key-generator').update(key).digest();
  let sig = createHmac('sha256', derived).update(identifier).digest();
  for (const c of cavs) sig = createHmac('sha256', sig).update(c).digest();
  return sig;
}

describe('L402 identifier', () => {
  it('is version u16 BE 0, payment hash, token id: 66 bytes', () => {
    expect(id.length).toBe(66);
    expect([...id.slice(0, 2)]).toEqual([0, 0]);
    expect(id.slice(2, 34)).toEqual(bytes(32, 0xaa));
    expect(id.slice(34)).toEqual(bytes(32, 0xbb));
    expect(decodeIdentifier(id)).toEqual({ version: 0, paymentHash: bytes(32, 0xaa), tokenId: bytes(32, 0xbb) });
  });

  it('refuses other versions and lengths', () => {
    const v1 = id.slice();
    v1[1] = 1;
    expect(() => decodeIdentifier(v1)).toThrow(/unknown version 1/);
    expect(() => decodeIdentifier(id.slice(0, 65))).toThrow(/66 bytes/);
  });
});

describe('macaroon', () => {
  const mac = mintMacaroon(rootKey, id, 'lsat', caveats);

  it('signs with the HMAC chain from the derived root key', () => {
    expect(Buffer.from(mac.signature)).toEqual(nodeChain(rootKey, id, caveats));
  });

  it('encodes v2 binary: location, identifier, EOS, caveats each with EOS, EOS, signature and nothing after', () => {
    const enc = encodeMacaroon(mac);
    const expected = Buffer.concat([
      Buffer.from([2, 1, 4]),
      Buffer.from('lsat'),
      Buffer.from([2, 66]),
      id,
      Buffer.from([0]),
      Buffer.from([2, caveats[0]!.length]),
      Buffer.from(caveats[0]!),
      Buffer.from([0]),
      Buffer.from([2, caveats[1]!.length]),
      Buffer.from(caveats[1]!),
      Buffer.from([0, 0]),
      Buffer.from([6, 32]),
      mac.signature,
    ]);
    expect(Buffer.from(enc)).toEqual(expected);
    expect(decodeMacaroon(enc)).toEqual(mac);
  });

  it('round-trips long fields (multi-byte varints)', () => {
    const long = mintMacaroon(rootKey, id, '', ['x='.padEnd(300, 'y')]);
    expect(decodeMacaroon(encodeMacaroon(long))).toEqual(long);
  });

  it('verifies and returns the caveats; a wrong key or a changed caveat fails', () => {
    expect(verifyMacaroon(mac, rootKey)).toEqual(caveats);
    expect(() => verifyMacaroon(mac, bytes(32, 8))).toThrow(MacaroonError);
    const forged = { ...mac, caveats: [mac.caveats[0]!, new TextEncoder().encode('data_valid_until=2100000000')] };
    expect(() => verifyMacaroon(forged, rootKey)).toThrow(/does not verify/);
    expect(() => verifyMacaroon({ ...mac, caveats: mac.caveats.slice(0, 1) }, rootKey)).toThrow(/does not verify/);
  });

  it('a holder can add a caveat without the key, and the server verifies it', () => {
    const narrowed = addCaveat(mac, 'data_valid_until=1900000000');
    expect(verifyMacaroon(narrowed, rootKey)).toEqual([...caveats, 'data_valid_until=1900000000']);
  });

  it('refuses what it does not support or that is broken', () => {
    const enc = encodeMacaroon(mac);
    expect(() => decodeMacaroon(Uint8Array.from([1, ...enc.slice(1)]))).toThrow(/version 2/);
    expect(() => decodeMacaroon(Uint8Array.from([...enc, 0]))).toThrow(/trailing/);
    expect(() => decodeMacaroon(enc.slice(0, enc.length - 1))).toThrow(/past the end/);
    expect(() => decodeMacaroon(randomBytes(80))).toThrow(MacaroonError);
    // a third-party caveat: identifier + verification id
    const thirdParty = Uint8Array.from([2, 2, 2, 1, 1, 0, 2, 1, 9, 4, 1, 9, 0, 0, 6, 32, ...bytes(32, 1)]);
    expect(() => decodeMacaroon(thirdParty)).toThrow(/first-party/);
  });
});

describe('caveats (Aperture satisfiers)', () => {
  const now = 1_900_000_000;
  it('services: the last caveat decides; a later one may narrow, not widen', () => {
    expect(caveatsRefusal([servicesCaveat([{ name: 'data', tier: 0 }])], 'data', now)).toBeNull();
    expect(caveatsRefusal(['services=data:0,media:0', 'services=media:0'], 'media', now)).toBeNull();
    expect(caveatsRefusal(['services=data:0,media:0', 'services=media:0'], 'data', now)?.code).toBe('wrong-service');
    expect(caveatsRefusal(['services=data:0', 'services=data:0,media:0'], 'media', now)?.code).toBe('bad-caveat');
    expect(caveatsRefusal(['services=data'], 'data', now)?.code).toBe('bad-caveat');
  });

  it('<service>_valid_until: expired at the second, narrowing only, other services ignored', () => {
    expect(caveatsRefusal([validUntilCaveat('data', now + 1)], 'data', now)).toBeNull();
    expect(caveatsRefusal([validUntilCaveat('data', now)], 'data', now)?.code).toBe('expired');
    expect(caveatsRefusal([validUntilCaveat('media', now - 5)], 'data', now)).toBeNull();
    expect(caveatsRefusal(['data_valid_until=2000000000', 'data_valid_until=1950000000'], 'data', now)).toBeNull();
    expect(caveatsRefusal(['data_valid_until=1950000000', 'data_valid_until=2000000000'], 'data', now)?.code).toBe('bad-caveat');
  });

  it('unknown caveats are skipped', () => {
    expect(caveatsRefusal(['data_capabilities=read', 'whatever', 'x=y'], 'data', now)).toBeNull();
  });
});

/**
 * x402 `exact` on Lightning: the scheme text's examples (x402-foundation/x402
 * scheme_exact_lightning.md) and the shapes `@getalby/lightning-tools` `fetchWithX402` sends and
 * accepts (its tests), read and answered.
 */
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../testing/expect-code.ts';
import { base64ToBytes, bytesToBase64, utf8, utf8Bytes } from './codec.ts';
import { decodePaymentResponse, parsePaymentRequired, x402PaymentSignature, X402_SIGNATURE_HEADER } from './x402.ts';

const b64 = (o: unknown) => bytesToBase64(utf8Bytes(JSON.stringify(o)));
const unb64 = (s: string) => JSON.parse(utf8(base64ToBytes(s) as Uint8Array) as string) as Record<string, unknown>;

const MAINNET = 'bip122:000000000019d6689c085ae165831e93';
// The scheme text's example requirements, as written there.
const SPEC = {
  scheme: 'exact',
  network: MAINNET,
  amount: '100000',
  asset: 'BTC',
  payTo: 'anonymous',
  maxTimeoutSeconds: 3600,
  extra: { paymentMethod: 'lightning', invoice: 'lnbc1u1p3...' },
};
const RESOURCE = { url: 'https://example.com/weather', description: 'Access to protected content', mimeType: 'application/json' };
// The shape Alby's tests send (no x402Version, `lightning:` networks, no amount).
const ALBY = { scheme: 'exact', network: 'lightning:mainnet', extra: { invoice: 'lnbc100n1p…' } };
const EVM = { scheme: 'exact', network: 'eip155:84532', amount: '10000', asset: '0x036C', payTo: '0x2096', maxTimeoutSeconds: 60, extra: { name: 'USDC', version: '2' } };

describe('PAYMENT-REQUIRED', () => {
  it('reads the scheme text’s Lightning requirements (amount in msat, CAIP-2 network)', () => {
    const { offers, skipped } = parsePaymentRequired(b64({ x402Version: 2, resource: RESOURCE, accepts: [SPEC] }));
    expect(skipped).toEqual([]);
    expect(offers).toEqual([{ dialect: 'spec', network: 'bitcoin', invoice: 'lnbc1u1p3...', amountMsat: 100000n, maxTimeoutSeconds: 3600, accepted: SPEC, resource: RESOURCE }]);
  });
  it('reads what Alby’s fetchWithX402 accepts: no version, lightning:<net>, no amount', () => {
    const { offers } = parsePaymentRequired(b64({ accepts: [ALBY, { ...ALBY, network: 'lightning:testnet' }] }));
    expect(offers.map((o) => [o.dialect, o.network, o.amountMsat])).toEqual([
      ['alby', 'bitcoin', undefined],
      ['alby', 'testnet', undefined],
    ]);
  });
  it('maps the testnet, signet and regtest genesis ids', () => {
    const nets = ['bip122:000000000933ea01ad0ee984209779ba', 'bip122:00000008819873e925422c1ff0f99f7c', 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328'];
    expect(parsePaymentRequired(b64({ x402Version: 2, accepts: nets.map((network) => ({ ...SPEC, network })) })).offers.map((o) => o.network)).toEqual(['testnet', 'signet', 'regtest']);
  });
  it('skips other chains and malformed Lightning entries, saying why', () => {
    const { offers, skipped } = parsePaymentRequired(
      b64({
        x402Version: 2,
        accepts: [
          EVM,
          { ...SPEC, scheme: 'upto' },
          { ...SPEC, extra: { invoice: 'lnbc1' } }, // bip122 without paymentMethod: maybe on-chain
          { ...SPEC, extra: { paymentMethod: 'on-chain', invoice: 'lnbc1' } },
          { ...SPEC, amount: 100000 },
          { ...SPEC, amount: '0' },
          { ...SPEC, amount: '1.5' },
          { ...SPEC, extra: { paymentMethod: 'lightning' } },
          { ...SPEC, maxTimeoutSeconds: -1 },
          { ...SPEC, network: 'bip122:unknown' },
          { ...ALBY, network: 'lightning:simnet' },
          'lnbc1',
          SPEC,
        ],
      }),
    );
    expect(offers).toHaveLength(1);
    expect(skipped).toHaveLength(12);
  });
  it('accepts the header without padding and with surrounding spaces', () => {
    const v = b64({ accepts: [ALBY] }).replace(/=+$/, '');
    expect(parsePaymentRequired(` ${v} `).offers).toHaveLength(1);
  });
  it('reads non-ASCII text as UTF-8', () => {
    const { offers } = parsePaymentRequired(b64({ x402Version: 2, resource: { url: 'https://x', description: 'café' }, accepts: [SPEC] }));
    expect(offers[0]?.resource?.description).toBe('café');
  });
  const bad: [string, string][] = [
    ['not base64', '!!!'],
    ['base64url instead of base64', b64({ accepts: [ALBY] }).replace(/\+/g, '-').replace(/\//g, '_') + '-_'],
    ['not UTF-8', bytesToBase64(Uint8Array.of(0xff, 0xfe))],
    ['not JSON', bytesToBase64(utf8Bytes('{accepts'))],
    ['a JSON array', b64([SPEC])],
    ['x402 version 1 (a JSON body and X-PAYMENT)', b64({ x402Version: 1, accepts: [SPEC] })],
    ['x402 version "2" as a string', b64({ x402Version: '2', accepts: [SPEC] })],
    ['no accepts list', b64({ x402Version: 2 })],
    ['accepts not a list', b64({ x402Version: 2, accepts: SPEC })],
    ['longer than 64 KiB', 'A'.repeat(70_000)],
  ];
  for (const [name, v] of bad) it(`refuses ${name}`, () => expect(thrownCode(() => parsePaymentRequired(v))).toBe('L402_CHALLENGE_INVALID'));
});

describe('PAYMENT-SIGNATURE', () => {
  const preimage = 'AB'.repeat(32);
  it('is named as both the spec and Alby name it', () => expect(X402_SIGNATURE_HEADER.toLowerCase()).toBe('payment-signature'));
  it('answers the spec dialect with what its verifier reads: version, resource, accepted unchanged, payload.invoice', () => {
    const [offer] = parsePaymentRequired(b64({ x402Version: 2, resource: RESOURCE, accepts: [SPEC] })).offers;
    const body = unb64(x402PaymentSignature(offer!, preimage));
    expect(body).toMatchObject({ x402Version: 2, resource: RESOURCE, accepted: SPEC, payload: { invoice: SPEC.extra.invoice } });
  });
  it('answers the Alby dialect with what fetchWithX402 sends: version, scheme, network, payload.preimage, accepted', () => {
    const [offer] = parsePaymentRequired(b64({ accepts: [ALBY] })).offers;
    const body = unb64(x402PaymentSignature(offer!, preimage));
    expect(body).toMatchObject({ x402Version: 2, scheme: 'exact', network: 'lightning:mainnet', payload: { preimage: preimage.toLowerCase() }, accepted: ALBY });
    expect(body.resource).toBeUndefined();
  });
  it('keeps unknown fields of the chosen requirements', () => {
    const entry = { ...SPEC, extra: { ...SPEC.extra, orderId: 7 }, future: [1, 'x'] };
    const [offer] = parsePaymentRequired(b64({ x402Version: 2, accepts: [entry] })).offers;
    expect(unb64(x402PaymentSignature(offer!, preimage)).accepted).toEqual(entry);
  });
  for (const bad of ['', 'zz'.repeat(32), 'ab'.repeat(31)])
    it(`refuses preimage ${JSON.stringify(bad)}`, () => {
      const [offer] = parsePaymentRequired(b64({ accepts: [ALBY] })).offers;
      expect(thrownCode(() => x402PaymentSignature(offer!, bad))).toBe('L402_HASH_MISMATCH');
    });
});

describe('PAYMENT-RESPONSE', () => {
  it('reads the scheme text’s settlement response', () => {
    const v = b64({ success: true, transaction: 'a1b2c3d4e5f', network: MAINNET, payer: 'anonymous', extra: { invoice: 'lnbc1u1p3...', settledAt: 1739116800 } });
    expect(decodePaymentResponse(v)).toEqual({ success: true, transaction: 'a1b2c3d4e5f', network: MAINNET, payer: 'anonymous' });
  });
  for (const [name, v] of [
    ['not base64', '%%'],
    ['no success flag', b64({ transaction: 'x' })],
    ['success as a string', b64({ success: 'true' })],
  ] as const)
    it(`refuses ${name}`, () => expect(thrownCode(() => decodePaymentResponse(v))).toBe('L402_CHALLENGE_INVALID'));
});

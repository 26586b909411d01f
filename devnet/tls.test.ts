import { X509Certificate, createPrivateKey } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLndConnect } from '../src/node/lndconnect.ts';
import type { Devnet } from './index.ts';
import { call, testDevnet, type Json } from './testing.ts';
import { loadDevnetTls, type TlsIdentity } from './tls.ts';

interface TlsReply {
  readonly status: number;
  readonly body: Json;
  /** DER of the certificate the server presented. */
  readonly peerCert: Uint8Array;
}

/** A GET over node:https that trusts only `ca` (none: the system's roots, as a browser would). */
function httpsGet(url: string, opts: { ca?: string; macaroon?: string } = {}): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const headers = opts.macaroon ? { 'Grpc-Metadata-macaroon': opts.macaroon } : {};
    const req = https.get(url, { ca: opts.ca, headers, agent: false }, (res) => {
      const peerCert = new Uint8Array((res.socket as TLSSocket).getPeerCertificate().raw);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json, peerCert }));
    });
    req.on('error', reject);
  });
}

let dn: Devnet;
let tls: TlsIdentity;
beforeAll(async () => {
  [dn, tls] = await Promise.all([testDevnet(), loadDevnetTls()]);
});
afterAll(async () => {
  expect(dn.control.contractViolations()).toEqual([]);
  await dn.stop();
});

describe('the committed certificate', () => {
  const cert = () => new X509Certificate(tls.cert);
  it('names 127.0.0.1, localhost and ::1, nothing else', () => {
    const c = cert();
    expect(c.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(c.checkIP('::1')).toBe('::1');
    expect(c.checkHost('localhost')).toBe('localhost');
    expect(c.checkIP('10.0.0.1')).toBeUndefined();
    expect(c.checkHost('example.com')).toBeUndefined();
  });
  it('is self-signed EC P-256 and matches the committed key', () => {
    const c = cert();
    expect(c.verify(c.publicKey)).toBe(true);
    expect(c.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(c.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
  });
  it('spkiSha256 is the base64 SHA-256 of the public key (openssl x509 -pubkey | pkey -outform der | dgst -sha256)', () => {
    // Computed once with openssl from the committed cert.
    expect(tls.spkiSha256).toBe('m7ib9IdD5h+XW8HvyqjrUQqy/ggDlDueIXlyOz/vtC0=');
  });
  it('certDer is the PEM body', () => {
    const body = tls.cert.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(Buffer.from(tls.certDer).toString('base64')).toBe(body);
  });
});

describe('lnd and tapd over https', () => {
  it('lnd getinfo answers with the admin macaroon, presenting the committed certificate', async () => {
    const a = dn.nodes.alice;
    const r = await httpsGet(`${a.lndRestTlsUrl}/v1/getinfo`, { ca: tls.cert, macaroon: a.adminMacaroonHex });
    expect(r.status).toBe(200);
    expect(r.body.identity_pubkey).toBe(a.pubkey);
    expect(r.peerCert).toEqual(tls.certDer);
  });
  it('lnd over https checks macaroons as over http', async () => {
    const a = dn.nodes.alice;
    const none = await httpsGet(`${a.lndRestTlsUrl}/v1/getinfo`, { ca: tls.cert });
    expect(none).toMatchObject({ status: 401, body: { code: 2, message: 'expected 1 macaroon, got 0' } });
    const other = await httpsGet(`${a.lndRestTlsUrl}/v1/getinfo`, { ca: tls.cert, macaroon: dn.nodes.bob.adminMacaroonHex });
    expect(other.status).toBe(403);
  });
  it('tapd getinfo answers with the tapd macaroon', async () => {
    const c = dn.nodes.carol;
    const r = await httpsGet(`${c.tapdRestTlsUrl}/v1/taproot-assets/getinfo`, { ca: tls.cert, macaroon: c.tapdMacaroonHex });
    expect(r.status).toBe(200);
    expect(r.body.lnd_identity_pubkey).toBe(c.pubkey);
    expect(r.peerCert).toEqual(tls.certDer);
  });
  it('without the certificate as a trust anchor the connection is refused, as in a browser', async () => {
    await expect(httpsGet(`${dn.nodes.alice.lndRestTlsUrl}/v1/state`)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
  it('plain http stays on its own port', async () => {
    const a = dn.nodes.alice;
    expect(new URL(a.lndRestUrl).protocol).toBe('http:');
    expect(new URL(a.lndRestUrl).port).not.toBe(new URL(a.lndRestTlsUrl).port);
    expect(await call(a.lndRestUrl, 'GET', '/v1/state')).toEqual({ status: 200, body: { state: 'SERVER_ACTIVE' } });
  });
  it('one handler behind both: a node set down drops https connections too', async () => {
    const d = dn.nodes.dave;
    dn.control.setDown('dave', true);
    try {
      await expect(httpsGet(`${d.lndRestTlsUrl}/v1/state`, { ca: tls.cert })).rejects.toThrow();
      await expect(httpsGet(`${d.tapdRestTlsUrl}/v1/taproot-assets/getinfo`, { ca: tls.cert, macaroon: d.tapdMacaroonHex })).rejects.toThrow();
    } finally {
      dn.control.setDown('dave', false);
    }
    expect((await httpsGet(`${d.lndRestTlsUrl}/v1/state`, { ca: tls.cert })).body).toEqual({ state: 'SERVER_ACTIVE' });
  });
  it('merchants added later serve https too', async () => {
    const frank = await dn.control.addMerchant('frank');
    const r = await httpsGet(`${frank.lndRestTlsUrl}/v1/getinfo`, { ca: tls.cert, macaroon: frank.adminMacaroonHex });
    expect(r.body.identity_pubkey).toBe(frank.pubkey);
  });
});

describe('lndconnect URI', () => {
  for (const name of ['alice', 'bob', 'carol', 'dave'] as const) {
    it(`${name}: the wallet's parser reads the https URL, the admin macaroon and the certificate`, () => {
      const n = dn.nodes[name];
      const parsed = parseLndConnect(n.lndconnectUri);
      expect(parsed.restUrl).toBe(n.lndRestTlsUrl);
      expect(parsed.macaroonHex).toBe(n.adminMacaroonHex);
      expect(parsed.certDer).toEqual(tls.certDer);
    });
  }
  it('cert is base64url without padding, as lndconnect writes it', () => {
    const cert = new URL(dn.nodes.alice.lndconnectUri).searchParams.get('cert');
    expect(cert).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cert).toBe(Buffer.from(tls.certDer).toString('base64url'));
  });
});

describe('fixed ports', () => {
  let fixed: Devnet;
  // Below Linux's ephemeral range (32768+), so random ports of other tests never collide with these.
  const base = 20_000 + 50 * Math.floor(Math.random() * 200);
  beforeAll(async () => {
    fixed = await testDevnet({ basePort: base });
  });
  afterAll(async () => {
    await fixed.stop();
  });
  it('lnd https at B+21+i, tapd https at B+31+i, next to http at B+1+i and B+11+i', () => {
    const port = (url: string) => Number(new URL(url).port);
    (['alice', 'bob', 'carol', 'dave'] as const).forEach((name, i) => {
      const n = fixed.nodes[name];
      expect([port(n.lndRestUrl), port(n.tapdRestUrl), port(n.lndRestTlsUrl), port(n.tapdRestTlsUrl)]).toEqual([
        base + 1 + i,
        base + 11 + i,
        base + 21 + i,
        base + 31 + i,
      ]);
    });
    expect(parseLndConnect(fixed.nodes.bob.lndconnectUri).restUrl).toBe(`https://127.0.0.1:${base + 22}`);
  });
});

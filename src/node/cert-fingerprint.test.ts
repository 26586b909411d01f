/**
 * The certificate an lndconnect URI carries (cert=, base64url DER): its SHA-256 fingerprint is
 * shown on the connect screen for the person to compare with the browser's, and kept with the
 * node's profile. Checked against the devnet's certificate and openssl's own fingerprint of it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectionFromRequest, probeConnection, type Connectors } from './connection.ts';
import { certificateFingerprint, parseLndConnect } from './lndconnect.ts';
import type { NodeInfo } from './types.ts';

// `openssl x509 -in devnet/tls/cert.pem -noout -fingerprint -sha256`, computed apart from this code.
const DEVNET_FINGERPRINT = 'B4:18:29:8B:E4:D0:C0:E7:26:E3:46:ED:7C:8E:CA:7D:46:5A:5D:7C:B9:7F:CC:04:72:B0:A9:47:F0:36:AC:38';

const pem = readFileSync(new URL('../../devnet/tls/cert.pem', import.meta.url), 'utf8');
const der = Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
const MAC_B64URL = Buffer.from('0201036c6e6402f801', 'hex').toString('base64url');
const uri = (cert: string) => `lndconnect://127.0.0.1:8080?macaroon=${MAC_B64URL}&cert=${cert}`;

describe('certificate fingerprint from an lndconnect URI', () => {
  it('is the SHA-256 of the DER, as openssl prints it', () => {
    expect(certificateFingerprint(der)).toBe(DEVNET_FINGERPRINT);
  });

  it('parseLndConnect reads it from cert= (base64url DER, padded or not, or standard base64)', () => {
    const padded = der.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    for (const cert of [der.toString('base64url'), padded, encodeURIComponent(der.toString('base64'))]) {
      expect(parseLndConnect(uri(cert)).certFingerprint).toBe(DEVNET_FINGERPRINT);
    }
  });

  it('a URI without cert= has none', () => {
    expect(parseLndConnect(`lndconnect://127.0.0.1:8080?macaroon=${MAC_B64URL}`).certFingerprint).toBeUndefined();
  });

  it('is kept with the connection and the saved node profile', async () => {
    const conn = connectionFromRequest({ lndconnect: uri(der.toString('base64url')) });
    expect(conn.certFingerprint).toBe(DEVNET_FINGERPRINT);
    const info: NodeInfo = { alias: 'alice', pubkey: '02'.padEnd(66, 'a'), network: 'regtest', blockHeight: 1, synced: true, version: 'test' };
    const lnd = { getWalletState: async () => 'RPC_ACTIVE' as const, getInfo: async () => info };
    const profile = await probeConnection(conn, { lnd } as unknown as Connectors, 'regtest');
    expect(profile.certFingerprint).toBe(DEVNET_FINGERPRINT);
  });

  it('the manual form has none (there is no certificate to show)', () => {
    expect('certFingerprint' in connectionFromRequest({ restUrl: 'https://node.example:8080', macaroon: '0201036c6e6402f801' })).toBe(false);
  });
});

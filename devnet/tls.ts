/**
 * The devnet's TLS identity (devnet/tls/README.md): a committed, test-only, self-signed
 * certificate for 127.0.0.1, localhost and ::1, so nodes serve HTTPS as lnd and tapd do.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface TlsIdentity {
  /** PEM, as node:https takes them. */
  readonly cert: string;
  readonly key: string;
  /** The certificate in DER, as lndconnect's `cert=` carries it (base64url, unpadded). */
  readonly certDer: Uint8Array;
  /**
   * base64 SHA-256 of the public key (SubjectPublicKeyInfo), what Chromium's
   * `--ignore-certificate-errors-spki-list` takes: trusts this key only, service workers included.
   */
  readonly spkiSha256: string;
}

const dir = new URL('./tls/', import.meta.url);

export async function loadDevnetTls(): Promise<TlsIdentity> {
  const [cert, key] = await Promise.all([readFile(new URL('cert.pem', dir), 'utf8'), readFile(new URL('key.pem', dir), 'utf8')]);
  const x509 = new X509Certificate(cert);
  const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
  return { cert, key, certDer: new Uint8Array(x509.raw), spkiSha256: createHash('sha256').update(spki).digest('base64') };
}

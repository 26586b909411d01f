/**
 * Connection settings for a node: an `lndconnect://` URI, or the manual form (REST URL +
 * macaroon). Macaroons are kept as hex: that is what the `Grpc-Metadata-macaroon` header takes.
 *
 * lndconnect://<host>[:<port>]?macaroon=<base64url>[&cert=<base64url DER>]
 *   host: name, IPv4, or IPv6 in brackets; port default 8080 (lnd REST).
 */
import { base64 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { moduleErrors } from '../errors.ts';

const error = moduleErrors('node');
const invalid = (problem: string, value?: unknown) => error('LNDCONNECT_INVALID', problem, value);

export const DEFAULT_REST_PORT = 8080;
const MACAROON_V2 = 0x02; // first byte of a binary v2 macaroon (lnd issues only v2)
const DER_SEQUENCE = 0x30;

export interface NodeConnection {
  /** https://host:port, no trailing slash. */
  restUrl: string;
  macaroonHex: string;
  /** The node's TLS certificate (DER) when the URI carries one. */
  certDer?: Uint8Array;
  /** Its SHA-256 fingerprint, written as browsers and `openssl x509 -fingerprint -sha256` show it. */
  certFingerprint?: string;
}

/**
 * "AB:CD:…" over the certificate's DER. A service worker's fetch cannot read the certificate the
 * node presents, so this is shown for the person to compare with the browser's certificate
 * viewer; nothing checks it automatically.
 */
export function certificateFingerprint(der: Uint8Array): string {
  return Array.from(sha256(der), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** base64 or base64url, padded or not (URIs in the wild use all four). */
function decodeBase64Any(s: string): Uint8Array | undefined {
  const std = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(std) || std.length % 4 === 1) return undefined;
  try {
    return base64.decode(std.padEnd(Math.ceil(std.length / 4) * 4, '='));
  } catch {
    return undefined;
  }
}

function macaroonToHex(bytes: Uint8Array | undefined, fail: (problem: string) => Error): string {
  if (!bytes || bytes.length === 0) throw fail('macaroon is not base64 or hex');
  if (bytes[0] !== MACAROON_V2) throw fail('not a v2 macaroon');
  return bytesToHex(bytes);
}

const URI = /^lndconnect:\/\/(\[[0-9a-fA-F:.]+\]|[^/?#:[\]@\s]+)(?::([0-9]{1,5}))?\/?(?:\?(.*))?$/i;

export function parseLndConnect(uri: string): NodeConnection {
  const s = typeof uri === 'string' ? uri.trim() : '';
  if (!/^lndconnect:\/\//i.test(s)) throw invalid('not an lndconnect:// URI', s.split('?')[0]);
  const m = URI.exec(s);
  if (!m) throw invalid('bad host or port', s.split('?')[0]);
  const [, host = '', portText, query = ''] = m;
  const port = portText === undefined ? DEFAULT_REST_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('port', portText);
  // A '+' of standard base64 that was not %-encoded reads as a space: put it back.
  const params = new URLSearchParams(query.replace(/\+/g, '%2B'));
  const macaroon = params.get('macaroon');
  if (!macaroon) throw invalid('missing macaroon');
  const macaroonHex = macaroonToHex(decodeBase64Any(macaroon), (p) => invalid(p));
  const cert = params.get('cert');
  let certDer: Uint8Array | undefined;
  if (cert) {
    certDer = decodeBase64Any(cert);
    if (!certDer || certDer[0] !== DER_SEQUENCE) throw invalid('cert is not base64url DER');
  }
  return {
    restUrl: `https://${host.toLowerCase()}:${port}`,
    macaroonHex,
    ...(certDer && { certDer, certFingerprint: certificateFingerprint(certDer) }),
  };
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The manual form: a REST URL and a macaroon in hex or base64. Plain http is allowed only to
 * this machine (the macaroon would cross the network in clear): NODE_INSECURE_URL otherwise.
 */
export function parseManualConnection(restUrl: string, macaroon: string): NodeConnection {
  const bad = (problem: string, value?: unknown) => error('NODE_CONFIG_INVALID', problem, value);
  let url: URL;
  try {
    url = new URL(restUrl.trim());
  } catch {
    throw bad('not a URL', restUrl);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('URL must be https', restUrl);
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    throw error('NODE_INSECURE_URL', 'https required except for localhost', restUrl);
  }
  if (url.username || url.password || url.search || url.hash) throw bad('URL must be scheme://host[:port][/path] only', restUrl);
  const m = macaroon.trim();
  const bytes = /^(?:[0-9a-fA-F]{2})+$/.test(m) ? hexToBytes(m) : decodeBase64Any(m);
  const macaroonHex = macaroonToHex(bytes, (p) => bad(p));
  return { restUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, macaroonHex };
}

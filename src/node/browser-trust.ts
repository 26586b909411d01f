/**
 * A node whose certificate the browser does not trust (lnd's and tapd's own self-signed
 * tls.cert): the person accepts it on the browser's warning page, and the wallet's calls then go
 * where that acceptance applies. In Chrome that is a document, not the service worker
 * (e2e/tls.spec.ts): the extension supplies a fetch through its offscreen document as
 * `acceptedInBrowser`, and a connection made that way is marked `tls: 'accepted-in-browser'`.
 *
 * Chrome keys the acceptance by host and by the SHA-256 of the certificate chain, and forgets it
 * after a week. So a node showing another certificate later is refused by the browser itself;
 * the wallet sees only that its calls fail (NODE_TLS_UNTRUSTED) and cannot tell a new
 * certificate from an expired acceptance: an extension's fetch never sees the certificate. The
 * fingerprint from the lndconnect link (cert=) is what the person compares before accepting.
 */
import { moduleErrors, SatnavError } from '../errors.ts';
import { connectorsFor, probeConnection, type NodeProfile, type StoredConnection } from './connection.ts';
import type { NodeNetwork } from './types.ts';

const error = moduleErrors('node');

export interface NodeFetches {
  /** The context's own fetch (the service worker's). */
  own: typeof fetch;
  /** Where a certificate accepted in the browser applies; absent where the own fetch has that reach already. */
  acceptedInBrowser?: typeof fetch;
}

export function fetchFor(conn: StoredConnection, fetches: NodeFetches): typeof fetch {
  return (conn.tls === 'accepted-in-browser' && fetches.acceptedInBrowser) || fetches.own;
}

/**
 * A certificate the browser refused (NODE_TLS_UNTRUSTED), or an https failure a browser that
 * does not say why (no webRequest report) leaves open to that reading.
 */
export function isCertificateProblem(e: unknown): boolean {
  return e instanceof SatnavError && (e.code === 'NODE_TLS_UNTRUSTED' || (e.code === 'NODE_UNREACHABLE' && e.details?.maybeTls === true));
}

/** An address the person opens to see, compare and accept a certificate. */
export interface TrustEndpoint {
  /** A page of the node that answers without a macaroon once the certificate is accepted. */
  checkUrl: string;
  /** The certificate's SHA-256 fingerprint the lndconnect link gave, when it gave one. */
  fingerprint?: string;
}

/** lnd's address, then tapd's when it is served over https from another origin (tapd has its own tls.cert). */
export function trustEndpoints(conn: StoredConnection): TrustEndpoint[] {
  const lnd: TrustEndpoint = { checkUrl: `${conn.restUrl}/v1/state`, ...(conn.certFingerprint && { fingerprint: conn.certFingerprint }) };
  const endpoints = conn.restUrl.startsWith('https:') ? [lnd] : [];
  if (conn.tapdUrl?.startsWith('https:') && new URL(conn.tapdUrl).origin !== new URL(conn.restUrl).origin) {
    endpoints.push({ checkUrl: `${new URL(conn.tapdUrl).origin}/` });
  }
  return endpoints;
}

/** What the connect screen shows: the address to open and the fingerprint to compare. */
export function untrustedError(endpoint: TrustEndpoint, extra: Record<string, boolean> = {}): SatnavError {
  return error('NODE_TLS_UNTRUSTED', 'certificate not accepted in the browser', endpoint.checkUrl, {
    checkUrl: endpoint.checkUrl,
    ...(endpoint.fingerprint && { fingerprint: endpoint.fingerprint }),
    ...extra,
  });
}

/**
 * Probes the node with the own fetch; when its certificate is the problem, again where the
 * browser's acceptance applies. Success there marks the connection. Still refused: which
 * address the person should open (NODE_TLS_UNTRUSTED with `checkUrl`).
 *
 * `acceptedBefore`: this node was reached through the acceptance already; go there directly.
 * Chrome pools connections per extension, not per context: right after the document reached the
 * node, the worker's own fetch may ride the document's connection and succeed, once. A
 * connection saved unmarked on such luck would fail at the next fresh connection.
 */
export async function probeTrusting(
  conn: StoredConnection,
  fetches: NodeFetches,
  expectedNetwork?: NodeNetwork,
  acceptedBefore = false,
): Promise<{ conn: StoredConnection; profile: NodeProfile }> {
  const { tls: _previous, ...plain } = conn;
  const own = async () => ({ conn: plain, profile: await probeConnection(plain, connectorsFor(plain, fetches.own), expectedNetwork) });
  const accepted = fetches.acceptedInBrowser;
  if (!accepted) return own();
  if (!acceptedBefore) {
    try {
      return await own();
    } catch (e) {
      if (!isCertificateProblem(e)) throw e;
    }
  }
  return probeAccepted(plain, accepted, expectedNetwork);
}

/** The probe where the browser's acceptance applies; the connection comes back marked. */
export async function probeAccepted(
  conn: StoredConnection,
  acceptedInBrowser: typeof fetch,
  expectedNetwork?: NodeNetwork,
): Promise<{ conn: StoredConnection; profile: NodeProfile }> {
  const marked: StoredConnection = { ...conn, tls: 'accepted-in-browser' };
  try {
    return { conn: marked, profile: await probeConnection(marked, connectorsFor(marked, acceptedInBrowser), expectedNetwork) };
  } catch (e) {
    if (!isCertificateProblem(e)) throw e;
    const endpoints = trustEndpoints(marked);
    const endpoint = (await firstUnreachable(endpoints, acceptedInBrowser)) ?? endpoints[0];
    throw endpoint ? untrustedError(endpoint) : e;
  }
}

async function firstUnreachable(endpoints: TrustEndpoint[], fetchImpl: typeof fetch): Promise<TrustEndpoint | undefined> {
  for (const endpoint of endpoints) if (!(await answers(endpoint.checkUrl, fetchImpl))) return endpoint;
  return undefined;
}

const ANSWER_TIMEOUT_MS = 5000;

/** Whether the address answers at all (any status): its certificate is then accepted. No macaroon is sent. */
export async function answers(url: string, fetchImpl: typeof fetch, timeoutMs = ANSWER_TIMEOUT_MS): Promise<boolean> {
  try {
    const res = await fetchImpl(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

export interface AcceptanceDeps {
  /** Shows the address to the person, where the browser asks them about its certificate. */
  open(url: string): Promise<void>;
  /** Aborts the wait: the person closed the tab, or took too long. */
  signal: AbortSignal;
  intervalMs?: number;
}

/**
 * Each endpoint the browser does not accept yet is opened in turn, then asked every
 * `intervalMs` until it answers: the person accepted its certificate. Gave up (`signal`):
 * NODE_TLS_UNTRUSTED for the endpoint waited on, with `gaveUp`.
 */
export async function untilAccepted(conn: StoredConnection, fetchImpl: typeof fetch, deps: AcceptanceDeps): Promise<void> {
  for (const endpoint of trustEndpoints(conn)) {
    if (await answers(endpoint.checkUrl, fetchImpl)) continue;
    await deps.open(endpoint.checkUrl);
    while (!(await answers(endpoint.checkUrl, fetchImpl))) {
      if (deps.signal.aborted || !(await pause(deps.intervalMs ?? 1000, deps.signal))) throw untrustedError(endpoint, { gaveUp: true });
    }
  }
}

/** Waits `ms`; false when `signal` aborted first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (waited: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(waited);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

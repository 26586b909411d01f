/**
 * Connecting to a node whose certificate only the person can vouch for, against the devnet and a
 * model of Chromium measured in e2e/tls.spec.ts: the worker's own fetch refuses the node's
 * self-signed certificate whatever the person did; a document's fetch (the offscreen relay)
 * reaches the hosts whose certificate the person accepted. Refusals carry the browser's reason,
 * as the extension's webRequest report adds it (extension/background/net-errors.ts). The model
 * maps each node's https address onto its plain-http twin, which serves the same API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from '../../devnet/index.ts';
import { rejectedWith } from '../testing/expect-code.ts';
import { answers, fetchFor, probeAccepted, probeTrusting, trustEndpoints, untilAccepted, type NodeFetches } from './browser-trust.ts';
import { connectionFromRequest, type StoredConnection } from './connection.ts';

let devnet: Devnet;
beforeAll(async () => {
  devnet = await startDevnet({ basePort: 0, validate: true });
});
afterAll(async () => {
  await devnet.stop();
  expect(devnet.control.contractViolations()).toEqual([]);
});

const refused = (code: string) => new TypeError('Failed to fetch', { cause: { code } });

/**
 * The browser: which hosts have an accepted certificate, what each context's fetch reaches, what
 * reached the node. Chrome pools connections per extension: the worker's fetch may ride a
 * connection the document opened (past its certificate check) while it is idle in the pool.
 */
function chromium() {
  const accepted = new Set<string>();
  const down = new Set<string>();
  const pooled = new Set<string>();
  const sent: Array<{ context: 'worker' | 'document'; url: string; macaroon: boolean }> = [];
  /** The plain-http server behind an https address, whatever host name it is reached by. */
  const twin = (url: URL) => {
    const port = (tls: string) => new URL(tls).port;
    for (const n of Object.values(devnet.nodes)) {
      if (url.port === port(n.lndRestTlsUrl)) return n.lndRestUrl + url.pathname + url.search;
      if (url.port === port(n.tapdRestTlsUrl)) return n.tapdRestUrl + url.pathname + url.search;
    }
    return url.href;
  };
  const contextFetch =
    (context: 'worker' | 'document'): typeof fetch =>
    async (input, init) => {
      const req = new Request(input, init);
      const url = new URL(req.url);
      if (down.has(url.origin)) throw refused('net::ERR_CONNECTION_REFUSED');
      // A certificate error ends the handshake: nothing, macaroon included, was sent.
      const rides = context === 'worker' && pooled.has(url.origin);
      if (url.protocol === 'https:' && !rides && (context === 'worker' || !accepted.has(url.hostname))) throw refused('net::ERR_CERT_AUTHORITY_INVALID');
      if (context === 'document') pooled.add(url.origin);
      sent.push({ context, url: req.url, macaroon: req.headers.has('grpc-metadata-macaroon') });
      return fetch(twin(url), { method: req.method, headers: req.headers, body: init?.body ?? null, redirect: req.redirect, signal: req.signal });
    };
  const fetches: NodeFetches = { own: contextFetch('worker'), acceptedInBrowser: contextFetch('document') };
  return { accepted, down, pooled, sent, fetches };
}

const alice = () => connectionFromRequest({ lndconnect: devnet.nodes.alice.lndconnectUri });
const withTapd = (tapdUrl: string): StoredConnection => ({ ...alice(), tapdUrl, tapdMacaroonHex: devnet.nodes.alice.tapdMacaroonHex });

describe('probeTrusting: the connect button', () => {
  it('a certificate nobody accepted: the address to open and the fingerprint from the link, no macaroon sent', async () => {
    const browser = chromium();
    const err = await rejectedWith(probeTrusting(alice(), browser.fetches, 'regtest'));
    expect(err.code).toBe('NODE_TLS_UNTRUSTED');
    expect(err.details).toEqual({ checkUrl: `${devnet.nodes.alice.lndRestTlsUrl}/v1/state`, fingerprint: alice().certFingerprint });
    expect(browser.sent).toEqual([]);
  });

  it('once accepted in the browser: connected through the document, and marked so', async () => {
    const browser = chromium();
    browser.accepted.add('127.0.0.1');
    const { conn, profile } = await probeTrusting(alice(), browser.fetches, 'regtest');
    expect(conn.tls).toBe('accepted-in-browser');
    expect([profile.alias, profile.tls, profile.certFingerprint]).toEqual([devnet.nodes.alice.alias, 'accepted-in-browser', alice().certFingerprint]);
    expect(new Set(browser.sent.map((s) => s.context))).toEqual(new Set(['document']));
    // The connection's calls go the same way.
    expect(fetchFor(conn, browser.fetches)).toBe(browser.fetches.acceptedInBrowser);
  });

  it('a node reached through the acceptance before goes there directly, not through the worker’s luck on a pooled connection', async () => {
    const browser = chromium();
    browser.accepted.add('127.0.0.1');
    const first = await probeAccepted(alice(), browser.fetches.acceptedInBrowser!, 'regtest');
    expect(first.conn.tls).toBe('accepted-in-browser');
    // The document's connection is idle in the pool: the worker's own probe would succeed on it…
    expect((await probeTrusting(alice(), browser.fetches, 'regtest')).conn.tls).toBeUndefined();
    // …and be refused on the next fresh one. Told it was accepted before, Satnav keeps to the document.
    browser.sent.length = 0;
    const again = await probeTrusting(alice(), browser.fetches, 'regtest', true);
    expect(again.conn.tls).toBe('accepted-in-browser');
    expect(new Set(browser.sent.map((s) => s.context))).toEqual(new Set(['document']));
  });

  it('a certificate the browser trusts by itself (plain http here): the worker’s own fetch, unmarked', async () => {
    const browser = chromium();
    const plain = connectionFromRequest({ restUrl: devnet.nodes.alice.lndRestUrl, macaroon: devnet.nodes.alice.adminMacaroonHex });
    const { conn, profile } = await probeTrusting({ ...plain, tls: 'accepted-in-browser' }, browser.fetches);
    expect([conn.tls, profile.tls]).toEqual([undefined, undefined]);
    expect(fetchFor(conn, browser.fetches)).toBe(browser.fetches.own);
  });

  it('a node that is down is told as such: the document is not asked, and no certificate is blamed', async () => {
    const browser = chromium();
    browser.down.add(new URL(devnet.nodes.alice.lndRestTlsUrl).origin);
    const err = await rejectedWith(probeTrusting(alice(), browser.fetches));
    expect([err.code, err.details?.maybeTls]).toEqual(['NODE_UNREACHABLE', false]);
    expect(browser.sent).toEqual([]);
  });

  it('a browser without a document path (acceptedInBrowser absent) gets the worker’s answer', async () => {
    const browser = chromium();
    const err = await rejectedWith(probeTrusting(alice(), { own: browser.fetches.own }));
    expect(err.code).toBe('NODE_TLS_UNTRUSTED');
    expect(err.details?.checkUrl).toBeUndefined();
  });

  it('accepted, but the node refuses the macaroon: that is what the person is told', async () => {
    const browser = chromium();
    browser.accepted.add('127.0.0.1');
    const wrong = { ...alice(), macaroonHex: devnet.nodes.bob.adminMacaroonHex };
    expect((await rejectedWith(probeTrusting(wrong, browser.fetches))).code).toBe('NODE_AUTH');
  });

  it('tapd on another host with its own certificate: its address is the one to open', async () => {
    const browser = chromium();
    browser.accepted.add('127.0.0.1');
    const tapdElsewhere = devnet.nodes.alice.tapdRestTlsUrl.replace('127.0.0.1', 'localhost');
    const err = await rejectedWith(probeTrusting(withTapd(tapdElsewhere), browser.fetches, 'regtest'));
    expect(err.code).toBe('NODE_TLS_UNTRUSTED');
    expect(err.details).toEqual({ checkUrl: `${new URL(tapdElsewhere).origin}/` });
  });
});

describe('trustEndpoints: what the person is asked to open', () => {
  it('lnd’s /v1/state (answers without a macaroon) with the link’s fingerprint; tapd’s origin when it has its own', () => {
    expect(trustEndpoints(withTapd('https://node.example:8089'))).toEqual([
      { checkUrl: `${devnet.nodes.alice.lndRestTlsUrl}/v1/state`, fingerprint: alice().certFingerprint },
      { checkUrl: 'https://node.example:8089/' },
    ]);
  });

  it('nothing for plain http (no certificate), nor for tapd on lnd’s own origin', () => {
    expect(trustEndpoints({ restUrl: 'http://127.0.0.1:8080', macaroonHex: '02' })).toEqual([]);
    expect(trustEndpoints({ ...alice(), tapdUrl: devnet.nodes.alice.lndRestTlsUrl })).toHaveLength(1);
  });
});

describe('untilAccepted: waiting for the person on the warning page', () => {
  it('opens each address not accepted yet, asks until it answers, then the next', async () => {
    const browser = chromium();
    const tapdElsewhere = devnet.nodes.alice.tapdRestTlsUrl.replace('127.0.0.1', 'localhost');
    const opened: string[] = [];
    const open = async (url: string) => {
      opened.push(url);
      // The person takes a moment on each warning page, then proceeds.
      setTimeout(() => browser.accepted.add(new URL(url).hostname), 50);
    };
    await untilAccepted(withTapd(tapdElsewhere), browser.fetches.acceptedInBrowser!, { open, signal: new AbortController().signal, intervalMs: 10 });
    expect(opened).toEqual([`${devnet.nodes.alice.lndRestTlsUrl}/v1/state`, `${new URL(tapdElsewhere).origin}/`]);
    // The polls carried no macaroon: only the probe after acceptance does.
    expect(browser.sent.every((s) => !s.macaroon)).toBe(true);
  });

  it('opens nothing when the browser accepts the certificate already', async () => {
    const browser = chromium();
    browser.accepted.add('127.0.0.1');
    const opened: string[] = [];
    await untilAccepted(alice(), browser.fetches.acceptedInBrowser!, { open: async (u) => void opened.push(u), signal: new AbortController().signal });
    expect(opened).toEqual([]);
  });

  it('gives up when told to (tab closed, time out): NODE_TLS_UNTRUSTED with gaveUp', async () => {
    const browser = chromium();
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 60);
    const err = await rejectedWith(untilAccepted(alice(), browser.fetches.acceptedInBrowser!, { open: async () => undefined, signal: ctl.signal, intervalMs: 10 }));
    expect(err.code).toBe('NODE_TLS_UNTRUSTED');
    expect(err.details).toMatchObject({ checkUrl: `${devnet.nodes.alice.lndRestTlsUrl}/v1/state`, gaveUp: true });
  });
});

describe('answers', () => {
  it('any HTTP answer counts (401 included); a refused certificate or connection does not', async () => {
    const browser = chromium();
    browser.accepted.add('127.0.0.1');
    expect(await answers(`${devnet.nodes.alice.tapdRestTlsUrl}/v1/taproot-assets/getinfo`, browser.fetches.acceptedInBrowser!)).toBe(true);
    expect(await answers(`${devnet.nodes.alice.lndRestTlsUrl}/v1/state`, browser.fetches.own)).toBe(false);
  });
});

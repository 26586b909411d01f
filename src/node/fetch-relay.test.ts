/**
 * The fetch relay end to end in Node: the node client (http.ts) on the worker's side, a fake
 * runtime.Port (src/testing/port-pair.ts), the document's side making real requests to a local
 * server. The relay only takes https URLs; the document's fetch here maps the test's https
 * address onto the local plain-http server.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from '../base/zod.ts';
import { CHUNK_BYTES } from '../messages/fetch-relay.ts';
import { codeOf, rejectedWith } from '../testing/expect-code.ts';
import { portPair, type FakePort } from '../testing/port-pair.ts';
import { waitFor } from '../testing/wait-for.ts';
import { relayFetch, serveRelayedFetch } from './fetch-relay.ts';
import { restCall, restStream, type RestConfig } from './http.ts';

const NODE = 'https://node.test:8080';
const MAC = '0201036c6e64';
const servers: Array<{ close(): void; closeAllConnections(): void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The worker's fetch, each call over a new port pair served by the document's side; `ports` has the worker's ends, `documents` the others. */
function relayTo(base: string, documentFetch: typeof fetch = fetch) {
  const ports: FakePort[] = [];
  const documents: FakePort[] = [];
  const toLocal: typeof fetch = (input, init) => documentFetch(String(input).replace(NODE, base), init);
  const relayed = relayFetch(async () => {
    const [worker, document] = portPair();
    serveRelayedFetch(document, toLocal);
    ports.push(worker);
    documents.push(document);
    return worker;
  });
  return { fetch: relayed, ports, documents };
}

const cfg = (f: typeof fetch, timeoutMs = 1000): RestConfig => ({ baseUrl: NODE, macaroonHex: MAC, fetch: f, timeoutMs });
const anyResult = z.object({ n: z.number() });

/** Resolves when the server saw the client go away. */
const closedBy = (req: IncomingMessage, res: ServerResponse) => new Promise<void>((resolve) => (res.writableFinished ? resolve() : req.socket.once('close', () => resolve())));

describe('fetch relay: calls', () => {
  it('carries method, macaroon header and body there, and the JSON answer back', async () => {
    const seen: Array<{ method?: string; url?: string; mac?: string | string[]; body: string }> = [];
    const base = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, mac: req.headers['grpc-metadata-macaroon'], body });
        res.setHeader('content-type', 'application/json');
        res.end('{"n":7}');
      });
    });
    const { fetch: relayed, ports } = relayTo(base);
    expect(await restCall(cfg(relayed), 'POST', '/v2/router/route', { amt: '5' }, anyResult)).toEqual({ n: 7 });
    expect(seen).toEqual([{ method: 'POST', url: '/v2/router/route', mac: MAC, body: '{"amt":"5"}' }]);
    await waitFor(async () => ports[0]!.closed);
  });

  it('keeps the status and the node’s error body', async () => {
    const base = await serve((_req, res) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ code: 2, message: 'invoice expired' }));
    });
    const err = await rejectedWith(restCall(cfg(relayTo(base).fetch), 'GET', '/v1/x', undefined, anyResult));
    expect(err.code).toBe('NODE_RPC');
    expect(err.message).toContain('invoice expired');
  });

  it('relays bytes exactly, in chunks of at most CHUNK_BYTES, multi-byte characters split across them', async () => {
    const text = '€'.repeat(100_000); // 300,000 bytes: each € is 3 bytes, so chunk edges fall inside characters
    const base = await serve((_req, res) => res.end(text));
    const { fetch: relayed, documents } = relayTo(base);
    const res = await relayed(`${NODE}/big`);
    expect(await res.text()).toBe(text);
    const chunks = documents[0]!.sent.flatMap((m) => ((m as { type: string }).type === 'chunk' ? [Buffer.from((m as { data: string }).data, 'base64')] : []));
    expect(chunks.length).toBeGreaterThan(1);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(Buffer.concat(chunks).toString()).toBe(text);
  });

  it('a 204 has no body, as fetch’s own', async () => {
    const base = await serve((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const res = await relayTo(base).fetch(`${NODE}/v1/x`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  it('a request the relay cannot carry fails as fetch would, before any port is opened', async () => {
    const { fetch: relayed, ports } = relayTo('http://127.0.0.1:9');
    await expect(relayed('http://node.test:8080/v1/state')).rejects.toThrow(TypeError);
    await expect(relayed(`${NODE}/v1/x`, { method: 'PUT', body: 'x' })).rejects.toThrow(TypeError);
    expect(ports).toEqual([]);
  });

  it('the document’s network error reaches the node client as one (NODE_UNREACHABLE)', async () => {
    const refused: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const err = await rejectedWith(restCall(cfg(relayTo('http://127.0.0.1:9', refused).fetch), 'GET', '/v1/state', undefined, anyResult));
    expect(err.code).toBe('NODE_UNREACHABLE');
    expect(err.details?.maybeTls).toBe(true);
  });
});

describe('fetch relay: aborts and deadlines cross the port', () => {
  it('a deadline closes the port, and the document’s request to the node with it', async () => {
    let gone: Promise<void> | undefined;
    const base = await serve((req, res) => void (gone = closedBy(req, res)));
    const { fetch: relayed, ports } = relayTo(base);
    expect(await codeOf(restCall(cfg(relayed, 200), 'GET', '/v1/slow', undefined, anyResult))).toBe('NODE_TIMEOUT');
    expect(ports[0]!.closed).toBe(true);
    await waitFor(async () => gone !== undefined);
    await gone;
  });

  it('an abort before the answer rejects with the signal’s reason', async () => {
    const base = await serve(() => undefined);
    const ctl = new AbortController();
    const p = relayTo(base).fetch(`${NODE}/v1/slow`, { signal: ctl.signal });
    setTimeout(() => ctl.abort(new DOMException('enough', 'AbortError')), 50);
    await expect(p).rejects.toMatchObject({ name: 'AbortError', message: 'enough' });
  });

  it('an abort after the head fails the body', async () => {
    const base = await serve((_req, res) => {
      res.write('{"n":');
    });
    const ctl = new AbortController();
    const res = await relayTo(base).fetch(`${NODE}/v1/half`, { signal: ctl.signal });
    const reading = res.text();
    ctl.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an already aborted signal opens no port', async () => {
    const { fetch: relayed, ports } = relayTo('http://127.0.0.1:9');
    await expect(relayed(`${NODE}/v1/x`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(ports).toEqual([]);
  });
});

describe('fetch relay: LND’s newline-delimited JSON streams', () => {
  it('streams lines as the node sends them (split mid-line), and leaving early closes the node’s stream', async () => {
    let gone: Promise<void> | undefined;
    const base = await serve((req, res) => {
      gone = closedBy(req, res);
      res.write('{"result":{"n":1}}\n{"res');
      setTimeout(() => res.write('ult":{"n":2}}\n'), 30);
      setTimeout(() => res.write('{"result":{"n":3}}\n'), 60);
      // …and never ends: a stream like /v2/router/payments
    });
    const { fetch: relayed, ports } = relayTo(base);
    const got: number[] = [];
    for await (const r of restStream(cfg(relayed), 'GET', '/v2/router/payments', undefined, anyResult)) {
      got.push(r.n);
      if (r.n === 3) break;
    }
    expect(got).toEqual([1, 2, 3]);
    expect(ports[0]!.closed).toBe(true);
    await waitFor(async () => gone !== undefined);
    await gone;
  });

  it('a stream silent past its per-line deadline ends with NODE_TIMEOUT and closes the node’s stream', async () => {
    let gone: Promise<void> | undefined;
    const base = await serve((req, res) => {
      gone = closedBy(req, res);
      res.write('{"result":{"n":1}}\n');
    });
    const got: number[] = [];
    const stream = restStream(cfg(relayTo(base).fetch, 200), 'POST', '/v2/router/send', {}, anyResult);
    const run = async () => {
      for await (const r of stream) got.push(r.n);
    };
    expect(await codeOf(run())).toBe('NODE_TIMEOUT');
    expect(got).toEqual([1]);
    await waitFor(async () => gone !== undefined);
    await gone;
  });

  it('the document going away mid-stream fails it like a dropped connection', async () => {
    const base = await serve((_req, res) => res.write('{"result":{"n":1}}\n'));
    const { fetch: relayed, documents } = relayTo(base);
    const got: number[] = [];
    const run = async () => {
      for await (const r of restStream(cfg(relayed, 5000), 'GET', '/v2/router/track/aa', undefined, anyResult)) {
        got.push(r.n);
        documents[0]!.disconnect();
      }
    };
    expect(await codeOf(run())).toBe('NODE_UNREACHABLE');
    expect(got).toEqual([1]);
  });
});

describe('fetch relay: redirects stay unfollowed', () => {
  it('a 3xx the document saw comes back as such, and the node client refuses it', async () => {
    const base = await serve((_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://elsewhere.test/');
      res.end();
    });
    const err = await rejectedWith(restCall(cfg(relayTo(base).fetch), 'GET', '/v1/getinfo', undefined, anyResult));
    expect(err.details).toMatchObject({ redirect: true, httpStatus: 302 });
  });

  it('a browser’s opaque redirect comes back opaque (type opaqueredirect, status 0)', async () => {
    const opaque: typeof fetch = async (_input, init) => {
      expect(init?.redirect).toBe('manual');
      return Object.defineProperty(new Response(null), 'type', { value: 'opaqueredirect' });
    };
    const res = await relayTo('http://127.0.0.1:9', opaque).fetch(`${NODE}/v1/getinfo`, { redirect: 'manual' });
    expect([res.type, res.status, res.ok]).toEqual(['opaqueredirect', 0, false]);
    const err = await rejectedWith(restCall(cfg(relayTo('http://127.0.0.1:9', opaque).fetch), 'GET', '/v1/getinfo', undefined, anyResult));
    expect(err.details).toMatchObject({ redirect: true, httpStatus: 0 });
  });
});

describe('fetch relay: each side refuses what breaks the protocol', () => {
  it('the worker’s side fails the call on an invalid or out-of-order message, and closes the port', async () => {
    for (const bad of [{ type: 'chunk', data: 'AAAA' }, { type: 'head', status: 0, statusText: '', headers: [] }, { type: 'end', extra: 1 }, 'hello']) {
      const [worker, document] = portPair();
      document.onMessage.addListener(() => document.postMessage(bad));
      const relayed = relayFetch(async () => worker);
      await expect(relayed(`${NODE}/v1/x`)).rejects.toThrow(TypeError);
      expect(worker.closed).toBe(true);
    }
  });

  it('the document’s side answers one valid request per port; anything else closes it unanswered', async () => {
    let fetched = 0;
    const counting: typeof fetch = async () => {
      fetched++;
      return new Response('{}');
    };
    for (const bad of [
      { type: 'fetch', url: 'http://node.test/', method: 'GET', headers: [], redirect: 'manual' },
      { type: 'fetch', url: `${NODE}/`, method: 'GET', headers: [['x', 'a\r\nb']], redirect: 'manual' },
      { type: 'fetch', url: `${NODE}/`, method: 'GET', headers: [], redirect: 'manual', credentials: 'include' },
      { type: 'other' },
    ]) {
      const [worker, document] = portPair();
      serveRelayedFetch(document, counting);
      worker.postMessage(bad);
      await waitFor(async () => document.closed);
      expect(document.sent).toEqual([]);
    }
    expect(fetched).toBe(0);

    // A second request on an answered port is not made either.
    const [worker, document] = portPair();
    serveRelayedFetch(document, async () => {
      fetched++;
      return new Promise<Response>(() => undefined);
    });
    const ok = { type: 'fetch', url: `${NODE}/`, method: 'GET', headers: [], redirect: 'manual' };
    worker.postMessage(ok);
    worker.postMessage(ok);
    await waitFor(async () => document.closed);
    expect(fetched).toBe(1);
  });
});

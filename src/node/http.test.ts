import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from '../base/zod.ts';
import { isSatnavError } from '../errors.ts';
import { codeOf, rejectedWith } from '../testing/expect-code.ts';
import { restCall, restStream, type RestConfig } from './http.ts';

const MAC = '0201036c6e64';

function cfg(fetch: typeof globalThis.fetch, timeoutMs = 1000): RestConfig {
  return { baseUrl: 'https://node.test:8080/', macaroonHex: MAC, fetch, timeoutMs };
}
const reply = (status: number, body: string) => async () => new Response(body, { status });
const jsonReply = (status: number, body: unknown) => reply(status, JSON.stringify(body));
/** A fetch that never answers but, like a real one, rejects when its signal aborts. */
const hanging: typeof globalThis.fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });
/** Rejects like undici does when the connection fails: a TypeError with the system error as cause. */
const failing = (code: string): typeof globalThis.fetch => async () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
};

const anyObject = z.object({ alias: z.string() });

describe('restCall', () => {
  it('sends the macaroon, JSON body and method to baseUrl + path', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      seen.push({ url: String(input), init });
      return new Response('{"alias":"alice"}');
    };
    expect(await restCall(cfg(fetch), 'POST', '/v1/x', { a: '1' }, anyObject)).toEqual({ alias: 'alice' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('https://node.test:8080/v1/x');
    expect(seen[0]?.init?.method).toBe('POST');
    expect(seen[0]?.init?.body).toBe('{"a":"1"}');
    expect(seen[0]?.init?.headers).toEqual({ 'Grpc-Metadata-macaroon': MAC, 'Content-Type': 'application/json' });
  });

  const cases: [string, typeof globalThis.fetch, string][] = [
    ['connection refused', failing('ECONNREFUSED'), 'NODE_UNREACHABLE'],
    ['DNS failure', failing('ENOTFOUND'), 'NODE_UNREACHABLE'],
    ['browser "Failed to fetch"', async () => Promise.reject(new TypeError('Failed to fetch')), 'NODE_UNREACHABLE'],
    ['self-signed certificate', failing('DEPTH_ZERO_SELF_SIGNED_CERT'), 'NODE_TLS_UNTRUSTED'],
    ['certificate for another host', failing('ERR_TLS_CERT_ALTNAME_INVALID'), 'NODE_TLS_UNTRUSTED'],
    ['no answer in time', hanging, 'NODE_TIMEOUT'],
    ['HTTP 401', jsonReply(401, { code: 16, message: 'expected 1 macaroon, got 0', details: [] }), 'NODE_AUTH'],
    ['HTTP 403 plain text', reply(403, 'forbidden'), 'NODE_AUTH'],
    ['bad macaroon signature (HTTP 500)', jsonReply(500, { code: 2, message: 'verification failed: signature mismatch after caveat verification', details: [] }), 'NODE_AUTH'],
    ['permission denied', jsonReply(500, { code: 2, message: 'permission denied', details: [] }), 'NODE_AUTH'],
    ['wallet locked', jsonReply(500, { code: 2, message: 'wallet locked, unlock it to enable full RPC access', details: [] }), 'NODE_LOCKED'],
    ['server starting', jsonReply(503, { code: 14, message: 'the RPC server is in the process of starting up, but not yet ready to accept calls', details: [] }), 'NODE_LOCKED'],
    ['other rpc error', jsonReply(500, { code: 2, message: 'invoice expired', details: [] }), 'NODE_RPC'],
    ['proxy error page', reply(502, '<html>Bad Gateway</html>'), 'NODE_BAD_RESPONSE'],
    ['malformed JSON', reply(200, '{"alias": "ali'), 'NODE_BAD_RESPONSE'],
    ['wrong shape', jsonReply(200, { alias: 7 }), 'NODE_BAD_RESPONSE'],
  ];
  for (const [name, fetch, code] of cases) {
    it(`maps ${name} to ${code}`, async () => {
      expect(await codeOf(restCall(cfg(fetch, 50), 'GET', '/v1/getinfo', undefined, anyObject))).toBe(code);
    });
  }

  it('keeps the node message and gRPC code of an rpc error', async () => {
    const fetch = jsonReply(500, { code: 2, message: 'invoice expired', details: [] });
    const err = await restCall(cfg(fetch), 'GET', '/v1/x', undefined, anyObject).catch((e: unknown) => e);
    expect(isSatnavError(err) && err.message).toBe('node: rpc error=invoice expired');
    expect(isSatnavError(err) && err.details).toEqual({ httpStatus: 500, grpcCode: 2 });
  });

  it('flags https failures as possibly an untrusted certificate (browsers cannot tell)', async () => {
    const err = await restCall(cfg(async () => Promise.reject(new TypeError('Failed to fetch'))), 'GET', '/v1/x', undefined, anyObject).catch(
      (e: unknown) => e,
    );
    expect(isSatnavError(err) && err.details?.maybeTls).toBe(true);
  });

  it('a browser’s reason, when the extension adds it, decides: a certificate error, or certainly not one', async () => {
    const browserFailure = (code: string) => async () => Promise.reject(new TypeError('Failed to fetch', { cause: { code } }));
    const untrusted = await rejectedWith(restCall(cfg(browserFailure('net::ERR_CERT_AUTHORITY_INVALID')), 'GET', '/v1/x', undefined, anyObject));
    expect([untrusted.code, untrusted.details?.cause]).toEqual(['NODE_TLS_UNTRUSTED', 'net::ERR_CERT_AUTHORITY_INVALID']);
    const refused = await rejectedWith(restCall(cfg(browserFailure('net::ERR_CONNECTION_REFUSED')), 'GET', '/v1/x', undefined, anyObject));
    expect([refused.code, refused.details?.cause, refused.details?.maybeTls]).toEqual(['NODE_UNREACHABLE', 'net::ERR_CONNECTION_REFUSED', false]);
  });

  it('times out even if the injected fetch ignores the abort signal', async () => {
    const deaf: typeof globalThis.fetch = () => new Promise(() => undefined);
    expect(await codeOf(restCall(cfg(deaf, 30), 'GET', '/v1/x', undefined, anyObject))).toBe('NODE_TIMEOUT');
  });
});

/** A response whose body yields `chunks`, then stays open when `hang` is set. */
function streamReply(chunks: string[], hang = false): typeof globalThis.fetch {
  return async (_input, init) => {
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (const c of chunks) ctl.enqueue(enc.encode(c));
        if (!hang) ctl.close();
        init?.signal?.addEventListener('abort', () => ctl.error(new DOMException('aborted', 'AbortError')));
      },
    });
    return new Response(body, { status: 200 });
  };
}
const counter = z.object({ n: z.number() });
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('restStream', () => {
  it('splits NDJSON lines across chunk boundaries', async () => {
    const fetch = streamReply(['{"result":{"n":1}}\n{"res', 'ult":{"n":2}}\n\n', '{"result":{"n":3}}']);
    expect(await collect(restStream(cfg(fetch), 'GET', '/s', undefined, counter))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });
  it('throws the error line as a node error', async () => {
    const fetch = streamReply(['{"result":{"n":1}}\n', '{"error":{"code":2,"message":"payment is in transition","details":[]}}\n']);
    const got: unknown[] = [];
    const err = await (async () => {
      for await (const x of restStream(cfg(fetch), 'GET', '/s', undefined, counter)) got.push(x);
    })().catch((e: unknown) => e);
    expect(got).toEqual([{ n: 1 }]);
    expect(isSatnavError(err) && [err.code, err.message]).toEqual(['NODE_RPC', 'node: rpc error=payment is in transition']);
  });
  it('maps a locked wallet in a stream line', async () => {
    const fetch = streamReply(['{"error":{"code":2,"message":"wallet locked, unlock it to enable full RPC access"}}\n']);
    expect(await codeOf(collect(restStream(cfg(fetch), 'GET', '/s', undefined, counter)))).toBe('NODE_LOCKED');
  });
  it('rejects malformed lines and results of the wrong shape', async () => {
    expect(await codeOf(collect(restStream(cfg(streamReply(['{"result":\n'])), 'GET', '/s', undefined, counter)))).toBe('NODE_BAD_RESPONSE');
    expect(await codeOf(collect(restStream(cfg(streamReply(['{"result":{"n":"1"}}\n'])), 'GET', '/s', undefined, counter)))).toBe(
      'NODE_BAD_RESPONSE',
    );
    expect(await codeOf(collect(restStream(cfg(streamReply(['{"result":{"n":1}}\n{"resu'])), 'GET', '/s', undefined, counter)))).toBe(
      'NODE_BAD_RESPONSE',
    );
  });
  it('times out a silent stream after the lines it did get', async () => {
    const got: unknown[] = [];
    const err = await (async () => {
      for await (const x of restStream(cfg(streamReply(['{"result":{"n":1}}\n'], true), 40), 'GET', '/s', undefined, counter)) got.push(x);
    })().catch((e: unknown) => e);
    expect(got).toEqual([{ n: 1 }]);
    expect(isSatnavError(err) && err.code).toBe('NODE_TIMEOUT');
  });
  it('closes the connection when the consumer stops early', async () => {
    let aborted = false;
    const inner = streamReply(['{"result":{"n":1}}\n'], true);
    const fetch: typeof globalThis.fetch = (input, init) => {
      init?.signal?.addEventListener('abort', () => (aborted = true));
      return inner(input, init);
    };
    for await (const x of restStream(cfg(fetch), 'GET', '/s', undefined, counter)) {
      expect(x).toEqual({ n: 1 });
      break;
    }
    expect(aborted).toBe(true);
  });
  it('reports a non-200 stream answer like a call', async () => {
    const fetch = jsonReply(401, { code: 16, message: 'bad macaroon', details: [] });
    expect(await codeOf(collect(restStream(cfg(fetch), 'GET', '/s', undefined, counter)))).toBe('NODE_AUTH');
  });
});

/** An HTTP server on 127.0.0.1 at an ephemeral port, recording the headers of every request it gets. */
async function server(handler: RequestListener) {
  const seen: IncomingHttpHeaders[] = [];
  const srv = createServer((req, res) => {
    seen.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => srv.close(() => resolve()));
  return { origin, seen, close };
}

describe('redirects: the macaroon goes only to the address given', () => {
  const open: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  /** A node address that redirects every request to a second server, which would answer anything. */
  async function redirecting(status: number) {
    const elsewhere = await server((_req, res) => res.end('{"alias":"elsewhere","result":{"n":1}}'));
    const node = await server((req, res) => {
      res.writeHead(status, { Location: `${elsewhere.origin}${req.url ?? '/'}` });
      res.end();
    });
    open.push(elsewhere, node);
    return { node, elsewhere, cfg: { baseUrl: node.origin, macaroonHex: MAC, timeoutMs: 2000 } satisfies RestConfig };
  }

  for (const status of [301, 302, 303, 307, 308]) {
    it(`a call answered ${status} to another port is refused, and that port never sees the request`, async () => {
      const { node, elsewhere, cfg } = await redirecting(status);
      const err = await rejectedWith(restCall(cfg, 'POST', '/v1/getinfo', { a: 1 }, anyObject));
      expect([err.code, err.details?.redirect, err.details?.httpStatus]).toEqual(['NODE_BAD_RESPONSE', true, status]);
      expect(node.seen.map((h) => h['grpc-metadata-macaroon'])).toEqual([MAC]);
      expect(elsewhere.seen).toEqual([]);
    });
  }

  it('a stream answered 307 is refused the same way', async () => {
    const { elsewhere, cfg } = await redirecting(307);
    const err = await rejectedWith(collect(restStream(cfg, 'GET', '/v2/router/track', undefined, counter)));
    expect([err.code, err.details?.redirect]).toEqual(['NODE_BAD_RESPONSE', true]);
    expect(elsewhere.seen).toEqual([]);
  });

  it('asks fetch not to follow, and refuses the opaque redirect a browser hands back', async () => {
    const modes: (RequestRedirect | undefined)[] = [];
    // What Chromium returns for redirect: 'manual' (status 0, no Location); Response cannot build one.
    const browserLike: typeof globalThis.fetch = async (_input, init) => {
      modes.push(init?.redirect);
      return { type: 'opaqueredirect', status: 0, ok: false, body: null } as Response;
    };
    const err = await rejectedWith(restCall(cfg(browserLike), 'GET', '/v1/getinfo', undefined, anyObject));
    expect(modes).toEqual(['manual']);
    expect([err.code, err.details?.redirect, err.message]).toEqual(['NODE_BAD_RESPONSE', true, 'node: redirect refused=GET /v1/getinfo answered a redirect']);
  });
});

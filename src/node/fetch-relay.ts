/**
 * A `fetch` carried over a message port (src/messages/fetch-relay.ts has the protocol): the
 * worker's side, `relayFetch`, looks like fetch to the node client (src/node/http.ts), streams
 * included; the document's side, `serveRelayedFetch`, makes the call and streams the answer
 * back. An abort or a deadline on the worker's side closes the port, which aborts the
 * document's fetch; the document going away fails the worker's call as a network error would.
 */
import { base64 } from '@scure/base';
import { CHUNK_BYTES, relayReply, relayRequest, type RelayReply, type RelayRequest } from '../messages/fetch-relay.ts';

/** The part of a `runtime.Port` used here (a fake one in tests). */
export interface RelayPort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/** A fetch whose calls each go over a fresh port from `open`. */
export function relayFetch(open: () => Promise<RelayPort>): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const signal = req.signal;
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.text();
    const parsed = relayRequest.safeParse({
      type: 'fetch',
      url: req.url,
      method: req.method,
      headers: [...req.headers],
      ...(body !== undefined && { body }),
      redirect: req.redirect,
    });
    // What fetch itself throws for a request it cannot make.
    if (!parsed.success) throw new TypeError(`relay: cannot send ${parsed.error.issues[0]?.path.join('.') ?? 'request'}`);
    signal.throwIfAborted();
    return call(await open(), parsed.data, signal);
  };
}

function call(port: RelayPort, request: RelayRequest, signal: AbortSignal): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    let body: ReadableStreamDefaultController<Uint8Array> | undefined;
    let done = false;
    /** Ends the call once: closes the port, and fails the response or its body with `failure`. */
    const finish = (failure?: unknown) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      port.disconnect();
      if (failure === undefined) return;
      if (body) body.error(failure);
      else reject(failure);
    };
    const onAbort = () => finish(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    port.onDisconnect.addListener(() => finish(new TypeError('relay: the document closed the call')));
    port.onMessage.addListener((raw) => {
      if (done) return;
      const parsed = relayReply.safeParse(raw);
      if (!parsed.success) return finish(new TypeError('relay: unexpected message'));
      const m = parsed.data;
      if (m.type === 'fail') return finish(m.name === 'AbortError' ? new DOMException(m.message, 'AbortError') : new TypeError(m.message));
      if (!body && (m.type === 'head' || m.type === 'opaque-redirect')) {
        const stream = new ReadableStream<Uint8Array>({
          start: (controller) => {
            body = controller;
          },
          // The reader gave up (left a stream early, refused a redirect): the document stops too.
          cancel: () => finish(),
        });
        return resolve(responseOf(m, stream));
      }
      if (body && m.type === 'chunk') return body.enqueue(base64.decode(m.data));
      if (body && m.type === 'end') {
        body.close();
        return finish();
      }
      finish(new TypeError(`relay: ${m.type} out of order`));
    });
    // Aborted while the port was being opened.
    if (signal.aborted) return onAbort();
    port.postMessage(request);
  });
}

// Statuses a Response must have no body for.
const NULL_BODY = new Set([204, 205, 304]);

function responseOf(head: Extract<RelayReply, { type: 'head' | 'opaque-redirect' }>, stream: ReadableStream<Uint8Array>): Response {
  if (head.type === 'opaque-redirect') return new OpaqueRedirect(stream);
  return new Response(NULL_BODY.has(head.status) ? null : stream, { status: head.status, statusText: head.statusText, headers: head.headers });
}

/**
 * What fetch hands back for a redirect it did not follow: type "opaqueredirect", status 0,
 * which no Response constructor makes. Its body is the (empty) relayed one, so cancelling it
 * closes the port.
 */
class OpaqueRedirect extends Response {
  override get type(): ResponseType {
    return 'opaqueredirect';
  }
  override get status(): number {
    return 0;
  }
  override get ok(): boolean {
    return false;
  }
}

/**
 * The document's side of one port: one request, answered with `fetchImpl`, then the port is
 * closed. A second message, or one that is not a request, ends the port unanswered.
 */
export function serveRelayedFetch(port: RelayPort, fetchImpl: typeof fetch): void {
  const ctl = new AbortController();
  let asked = false;
  port.onDisconnect.addListener(() => ctl.abort());
  port.onMessage.addListener((raw) => {
    const parsed = relayRequest.safeParse(raw);
    if (asked || !parsed.success) {
      ctl.abort();
      port.disconnect();
      return;
    }
    asked = true;
    void answer(port, parsed.data, fetchImpl, ctl);
  });
}

async function answer(port: RelayPort, req: RelayRequest, fetchImpl: typeof fetch, ctl: AbortController): Promise<void> {
  const post = (reply: RelayReply) => {
    if (ctl.signal.aborted) return;
    try {
      port.postMessage(reply);
    } catch {
      // The worker closed the port between its message and ours: nobody is left to tell.
      ctl.abort();
    }
  };
  try {
    const res = await fetchImpl(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined && { body: req.body }),
      redirect: req.redirect,
      signal: ctl.signal,
    });
    post(res.type === 'opaqueredirect' ? { type: 'opaque-redirect' } : { type: 'head', status: res.status, statusText: res.statusText, headers: [...res.headers] });
    if (res.body) {
      const reader = res.body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        for (let at = 0; at < r.value.length; at += CHUNK_BYTES) post({ type: 'chunk', data: base64.encode(r.value.subarray(at, at + CHUNK_BYTES)) });
      }
    }
    post({ type: 'end' });
  } catch (e) {
    const name = e instanceof Error && e.name === 'AbortError' ? 'AbortError' : 'TypeError';
    post({ type: 'fail', name, message: (e instanceof Error ? e.message : String(e)).slice(0, 1024) });
  } finally {
    port.disconnect();
  }
}

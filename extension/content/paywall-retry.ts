/**
 * `fetch` and `XMLHttpRequest` in the page's world, with one transparent retry
 * after a 402 the wallet opened. Bundled into the page provider (MAIN world),
 * so kept small, and trusting nothing: `ask(url)` only tells the worker which
 * URL answered 402 in this frame; the worker pays from its own observation of
 * that response (webRequest), never from what the page says, and installs the
 * header rule itself. The credential never enters the page.
 *
 * fetch: the request is copied before the first attempt (a body is a stream,
 * read once), the 402 is held back while the wallet decides, and the page gets
 * either the retried response (status, headers, body stream: a normal
 * Response) or, when the wallet declines or fails, the original 402 untouched.
 * The caller's AbortSignal rejects at once while waiting, as fetch would.
 * At most one retry.
 *
 * XMLHttpRequest (asynchronous only) — what differs from a plain XHR while the
 * wallet decides, all of it invisible unless the page looks for it:
 * - the 402's readystatechange (2, 3, 4), progress, load and loadend events are
 *   held back; after a retry the page sees the retry's events from
 *   HEADERS_RECEIVED on (its `open`'s readyState 1 and second `loadstart` are
 *   swallowed); after a refusal it sees one readystatechange at DONE, then the
 *   held progress/load/loadend events again (copies: `isTrusted` is false);
 * - polling `readyState`/`status` during the wait shows the 402 in progress,
 *   and after a retry `readyState` goes back to OPENED before it rises again;
 * - `xhr.upload` listeners see a second upload (listening to it ourselves would
 *   change CORS preflight behaviour, so it is left alone);
 * - `timeout` starts again for the retry; `abort()` during the wait after the
 *   402 completed gets synthesized `abort` and `loadend` events, not a
 *   readystatechange;
 * - synchronous XHR is not retried (nothing can wait inside it): it gets the 402.
 */
export type AskWallet = (url: string) => Promise<boolean>;

export function retryingFetch(native: typeof fetch, ask: AskWallet): typeof fetch {
  const wrapped = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let request: Request;
    let spare: Request;
    try {
      request = new Request(input, init);
      // Taken now: the first attempt reads the body.
      spare = request.clone();
    } catch (e) {
      return Promise.reject(e);
    }
    return native(request).then(async (res) => {
      if (res.status !== 402) return res;
      const retry = await untilAborted(ask(res.url || request.url).catch(() => false), request.signal);
      if (!retry) return res;
      res.body?.cancel().catch(() => undefined);
      return native(spare);
    });
  };
  Object.defineProperty(wrapped, 'length', { value: 1 });
  return wrapped;
}

/** `p`, or the signal's reason as soon as it aborts (fetch rejects on abort until the response is handed over). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

const PASS = 0;
const HOLD = 1;
const QUIET = 2;
const DONE = 3;
const EVENTS = ['readystatechange', 'loadstart', 'progress', 'load', 'loadend', 'error', 'abort', 'timeout'];

interface XhrState {
  mode: number;
  args: unknown[];
  async: boolean;
  headers: Array<[string, string]>;
  mime: string | undefined;
  body: Document | XMLHttpRequestBodyInit | null;
  held: Event[];
  /** The wallet said no: the held 402 events are replayed once the 402 is complete. */
  refused: boolean;
  /** Bumped by open/abort: a late answer for an earlier request is ignored. */
  gen: number;
}

export function retryingXhr(Native: typeof XMLHttpRequest, ask: AskWallet): typeof XMLHttpRequest {
  // Per instance, outside the object: nothing for the page to read, call or forge.
  const states = new WeakMap<XMLHttpRequest, XhrState>();
  const native = Native.prototype;
  const open = native.open as (this: XMLHttpRequest, ...a: unknown[]) => void;
  const send = native.send as (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) => void;
  // Taken now, before any page script can replace it.
  const listen = EventTarget.prototype.addEventListener;

  function gate(xhr: XMLHttpRequest, s: XhrState, e: Event): void {
    if (s.mode === PASS) {
      if (e.type !== 'readystatechange' || xhr.readyState !== Native.HEADERS_RECEIVED || xhr.status !== 402 || !s.async) return;
      s.mode = HOLD;
      const gen = s.gen;
      const decide = (retry: boolean) => {
        if (gen === s.gen && s.mode === HOLD) (retry ? again : refuse)(xhr, s);
      };
      ask(xhr.responseURL).then(decide, () => decide(false));
    }
    if (s.mode === DONE) return;
    e.stopImmediatePropagation();
    if (s.mode !== HOLD) return;
    s.held.push(e);
    if (s.refused && e.type === 'loadend') replay(xhr, s);
  }

  function again(xhr: XMLHttpRequest, s: XhrState): void {
    // open/send fire readystatechange(1) and loadstart synchronously: swallowed (QUIET), the page saw them already.
    s.mode = QUIET;
    try {
      open.apply(xhr, s.args);
      for (const [name, value] of s.headers) native.setRequestHeader.call(xhr, name, value);
      if (s.mime !== undefined) native.overrideMimeType.call(xhr, s.mime);
      send.call(xhr, s.body);
      s.mode = DONE;
    } catch {
      s.mode = DONE;
      for (const type of ['error', 'loadend']) xhr.dispatchEvent(new ProgressEvent(type));
    }
  }

  function refuse(xhr: XMLHttpRequest, s: XhrState): void {
    s.refused = true;
    if (s.held.some((e) => e.type === 'loadend')) replay(xhr, s);
  }

  /** The refused 402, shown to the page as it finished: one readystatechange at DONE, then its other events. */
  function replay(xhr: XMLHttpRequest, s: XhrState): void {
    s.mode = DONE;
    const held = s.held.filter((e) => e.type !== 'readystatechange');
    xhr.dispatchEvent(new Event('readystatechange'));
    for (const e of held) xhr.dispatchEvent(e instanceof ProgressEvent ? new ProgressEvent(e.type, e) : new Event(e.type));
  }

  return class XMLHttpRequest extends Native {
    constructor() {
      super();
      const s: XhrState = { mode: PASS, args: [], async: true, headers: [], mime: undefined, body: null, held: [], refused: false, gen: 0 };
      states.set(this, s);
      // Registered before any page listener (on… handlers included), so it runs first and can hold events back.
      for (const type of EVENTS) listen.call(this, type, (e) => gate(this, s, e));
    }

    override open(...args: unknown[]): void {
      open.apply(this, args);
      const s = states.get(this);
      if (!s) return;
      Object.assign(s, { mode: PASS, args, async: args.length < 3 || Boolean(args[2]), headers: [], mime: undefined, held: [], refused: false });
      s.gen++;
    }

    override setRequestHeader(name: string, value: string): void {
      native.setRequestHeader.call(this, name, value);
      states.get(this)?.headers.push([name, value]);
    }

    override overrideMimeType(mime: string): void {
      native.overrideMimeType.call(this, mime);
      const s = states.get(this);
      if (s) s.mime = mime;
    }

    override send(body?: Document | XMLHttpRequestBodyInit | null): void {
      const s = states.get(this);
      if (s) s.body = body ?? null;
      send.call(this, body);
    }

    override abort(): void {
      const s = states.get(this);
      if (!s || s.mode !== HOLD) return native.abort.call(this);
      s.mode = DONE;
      s.gen++;
      const complete = this.readyState === Native.DONE;
      native.abort.call(this);
      // The 402 had finished unseen: abort() on a finished request fires nothing, but the page never saw it finish.
      if (complete) for (const type of ['abort', 'loadend']) this.dispatchEvent(new ProgressEvent(type));
    }
  };
}

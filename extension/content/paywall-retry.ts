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
 * The retry makes the page's open() and setRequestHeader() calls again and
 * sends the same body; what belongs to the object itself (overrideMimeType,
 * responseType, timeout, withCredentials) outlives open() and stays.
 */
export type AskWallet = (url: string) => Promise<boolean>;

export function retryingFetch(native: typeof fetch, ask: AskWallet): typeof fetch {
  // `...init`: one declared parameter, as fetch has (length 1). Async: bad input rejects, never throws.
  return async function fetch(input: RequestInfo | URL, ...init: [RequestInit?]): Promise<Response> {
    const request = new Request(input, ...init);
    const { signal } = request;
    // Taken now: the first attempt reads the body.
    const spare = request.clone();
    const res = await native(request);
    if (res.status !== 402) return res;
    // The caller's abort rejects at once, as fetch does until it hands the response over; an abort already
    // made (while the 402 came in) before the wallet is even asked.
    if (signal.aborted) throw signal.reason;
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    if (!(await Promise.race([ask(res.url || request.url).catch(() => false), aborted]))) return res;
    res.body?.cancel().catch(() => undefined);
    return native(spare);
  };
}

/** Where an XHR is in its 402 detour: no 402 yet; the wallet decides, or the retry starts (events held); through. */
const PASS = 0;
const HOLD = 1;
const DONE = 2;
const EVENTS = 'readystatechange loadstart progress load loadend error abort timeout'.split(' ');

type Body = Document | XMLHttpRequestBodyInit | null;
type Call = [(this: XMLHttpRequest, ...a: never[]) => void, unknown[]];

export function retryingXhr(Native: typeof XMLHttpRequest, ask: AskWallet): typeof XMLHttpRequest {
  const { open, abort, setRequestHeader } = Native.prototype;
  const send = Native.prototype.send as (this: XMLHttpRequest, body?: Body) => void;
  // Taken now, before any page script can replace it.
  const listen = EventTarget.prototype.addEventListener;

  // Per instance and private: nothing for the page to read, call or forge.
  return class XMLHttpRequest extends Native {
    // Set by open(): before it, no event fires and setRequestHeader() throws.
    #mode!: number;
    #async!: boolean;
    /** open() and setRequestHeader() since the last open(), made again for the retry. A new list per open(). */
    #calls!: Call[];
    #body?: Body;
    /** The 402's progress events (readystatechange aside), held while the wallet decides. */
    #held!: ProgressEvent[];
    /** The wallet said no: the held events are shown once the 402 is complete. */
    #refused!: boolean;

    constructor() {
      super();
      // Registered before any page listener (on… handlers included), so it runs first and can hold events back.
      for (const type of EVENTS) listen.call(this, type, (e) => this.#gate(e as ProgressEvent));
    }

    #gate(e: ProgressEvent): void {
      if (this.#mode === PASS) {
        if (e.type !== 'readystatechange' || this.readyState !== Native.HEADERS_RECEIVED || this.status !== 402 || !this.#async) return;
        this.#mode = HOLD;
        const calls = this.#calls;
        const decide = (retry: boolean) => {
          // Not after a newer open() or an abort().
          if (this.#calls !== calls || this.#mode !== HOLD) return;
          if (retry) return this.#again();
          this.#refused = true;
          this.#release();
        };
        ask(this.responseURL).then(decide, () => decide(false));
      }
      if (this.#mode === DONE) return;
      e.stopImmediatePropagation();
      if (e.type === 'readystatechange') return;
      this.#held.push(e);
      this.#release();
    }

    /** The retry: its open() and send() fire readystatechange (1) and loadstart at once, still held (the page saw them). */
    #again(): void {
      try {
        for (const [fn, args] of this.#calls) fn.apply(this, args as never[]);
        send.call(this, this.#body);
        this.#mode = DONE;
      } catch {
        this.#mode = DONE;
        this.#fire('error', 'loadend');
      }
    }

    /** Refused and complete: the 402 shown to the page as it finished, one readystatechange at DONE, then its other events. */
    #release(): void {
      if (!this.#refused || this.#held.at(-1)?.type !== 'loadend') return;
      this.#mode = DONE;
      this.dispatchEvent(new Event('readystatechange'));
      for (const e of this.#held) this.dispatchEvent(new ProgressEvent(e.type, e));
    }

    #fire(...types: string[]): void {
      for (const type of types) this.dispatchEvent(new ProgressEvent(type));
    }

    // Reset before the native call: its readystatechange (1) belongs to the new request.
    override open(...args: unknown[]): void {
      this.#mode = PASS;
      this.#async = args.length < 3 || Boolean(args[2]);
      this.#calls = [[open, args]];
      this.#held = [];
      this.#refused = false;
      (open as (...a: unknown[]) => void).apply(this, args);
    }

    override setRequestHeader(...args: [string, string]): void {
      setRequestHeader.apply(this, args);
      this.#calls.push([setRequestHeader, args]);
    }

    override send(body?: Body): void {
      send.call(this, body);
      // After: a send() the browser refused leaves the body of the one it took.
      this.#body = body;
    }

    override abort(): void {
      if (this.#mode !== HOLD) return abort.call(this);
      this.#mode = DONE;
      const complete = this.readyState === Native.DONE;
      abort.call(this);
      // The 402 had finished unseen: abort() on a finished request fires nothing, but the page never saw it finish.
      if (complete) this.#fire('abort', 'loadend');
    }
  };
}

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
/** Truthy: the wallet opened the wall, retry. A rejection is a no. */
export type AskWallet = (url: string) => Promise<unknown>;

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
    signal.throwIfAborted();
    // The request's signal is its own (it follows the caller's): nothing else sets its onabort.
    const aborted = new Promise<never>((_, reject) => (signal.onabort = () => reject(signal.reason)));
    if (!(await Promise.race([ask(res.url || request.url).catch(() => false), aborted]))) return res;
    res.body?.cancel().catch(() => {});
    return native(spare);
  };
}

/**
 * Where an XHR is in its 402 detour: no 402 yet; through (retried, refused and shown, or aborted); the
 * wallet decides, or the retry starts; refused, the 402 still coming in. Events are held in the last two.
 */
const PASS = 0;
const DONE = 1;
const ASKING = 2;
const REFUSED = 3;
const EVENTS = 'readystatechange loadstart progress load loadend error abort timeout'.split(' ');

type Call = [(this: XMLHttpRequest, ...a: never[]) => void, unknown[]];

export function retryingXhr(Native: typeof XMLHttpRequest, ask: AskWallet): typeof XMLHttpRequest {
  const { open, abort, setRequestHeader, send } = Native.prototype;
  // Taken now, before any page script can replace it.
  const listen = EventTarget.prototype.addEventListener;

  // Per instance and private: nothing for the page to read, call or forge.
  return class XMLHttpRequest extends Native {
    // Set by open(): before it, no event fires and setRequestHeader() and send() throw.
    #mode!: number;
    /** open(), setRequestHeader() and send() since the last open(), made again for the retry. A new list per open(). */
    #calls!: Call[];
    /** The 402's progress events (readystatechange aside), held while the wallet decides. */
    #held!: ProgressEvent[];

    constructor() {
      super();
      // Registered before any page listener (on… handlers included), so it runs first and can hold events back.
      for (const type of EVENTS) listen.call(this, type, (e) => this.#gate(e as ProgressEvent));
    }

    #gate(e: ProgressEvent): void {
      // HEADERS_RECEIVED (2): a synchronous XHR fires no readystatechange for it (XHR standard, Chrome, Firefox), so it gets its 402.
      if (this.#mode === PASS && e.type === 'readystatechange' && this.readyState === 2 && this.status === 402) {
        this.#mode = ASKING;
        const calls = this.#calls;
        const decide = (retry: unknown) => this.#decide(calls, retry);
        ask(this.responseURL).then(decide, () => decide(false));
      }
      // Held while ASKING or REFUSED. `>`: before open() (mode undefined) events a page dispatches itself pass.
      if (!(this.#mode > DONE)) return;
      e.stopImmediatePropagation();
      if (e.type === 'readystatechange') return;
      this.#held.push(e);
      this.#release();
    }

    #decide(calls: Call[], retry: unknown): void {
      // Not after a newer open() or an abort().
      if (this.#calls !== calls || this.#mode !== ASKING) return;
      if (!retry) {
        this.#mode = REFUSED;
        return this.#release();
      }
      // The retry's open() and send() fire readystatechange (1) and loadstart at once, still held (the page saw them).
      try {
        for (const [fn, args] of calls) fn.apply(this, args as never[]);
        this.#mode = DONE;
      } catch {
        this.#mode = DONE;
        this.#fire('error');
      }
    }

    /** Refused and complete: the 402 shown to the page as it finished, one readystatechange at DONE, then its other events. */
    #release(): void {
      if (this.#mode !== REFUSED || this.#held.at(-1)?.type !== 'loadend') return;
      this.#mode = DONE;
      this.dispatchEvent(new Event('readystatechange'));
      for (const e of this.#held) this.dispatchEvent(new ProgressEvent(e.type, e));
    }

    /** `type`, then loadend. */
    #fire(type: string): void {
      this.dispatchEvent(new ProgressEvent(type));
      this.dispatchEvent(new ProgressEvent('loadend'));
    }

    /**
     * The native call, then kept for the retry (one the browser refused is not), in the order made: the page's
     * listeners may call during it (setRequestHeader() from readystatechange at OPENED comes after its open()).
     */
    #keep(fn: Call[0], args: unknown[]): void {
      const calls = this.#calls;
      const at = calls.length;
      fn.apply(this, args as never[]);
      calls.splice(at, 0, [fn, args]);
    }

    // Reset before the native call: its readystatechange (1) belongs to the new request.
    override open(...args: unknown[]): void {
      this.#mode = PASS;
      this.#calls = [];
      this.#held = [];
      this.#keep(open, args);
    }

    override setRequestHeader(...args: [string, string]): void {
      this.#keep(setRequestHeader, args);
    }

    override send(...body: unknown[]): void {
      this.#keep(send, body);
    }

    override abort(): void {
      // The 402 had finished unseen: abort() on a finished request fires nothing, but the page never saw it finish.
      const unseen = this.#mode > DONE && this.readyState === 4;
      // Held: whatever the wallet says next comes too late. (Otherwise unchanged: an unsent request stays OPENED.)
      this.#mode &&= DONE;
      abort.call(this);
      if (unseen) this.#fire('abort');
    }
  };
}

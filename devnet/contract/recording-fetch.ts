/**
 * A `fetch` wrapper that checks every exchange against the upstream REST definitions: the
 * request a client sends, and the response (or each NDJSON line of a stream) it gets back.
 * Give it to a connector (or put it in front of the devnet) and assert `violations()` is empty.
 */
import { findOperation, validateRequest, validateResponse, type Api } from './openapi.ts';

export interface Exchange {
  api: Api;
  method: string;
  path: string; // pathname + query
  requestBody: unknown;
  status?: number;
  /** Parsed JSON body, or every parsed line of a stream. */
  responseBody?: unknown;
  streamLines?: unknown[];
  errors: string[];
}

export interface RecordingFetch {
  fetch: typeof globalThis.fetch;
  exchanges: Exchange[];
  /** Every contract violation seen so far, one line each. */
  violations(): string[];
}

function requestParts(input: RequestInfo | URL, init?: RequestInit): { method: string; url: URL; body: unknown } {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  const raw = init?.body;
  let body: unknown;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
  } else if (raw != null) {
    body = '[non-string body]';
  }
  return { method, url, body };
}

/**
 * `apiFor(url)` says which daemon a URL belongs to (lnd or tapd); responses that fail to parse
 * as JSON are violations too, since both daemons only speak JSON.
 */
export function recordingFetch(apiFor: Api | ((url: URL) => Api), inner: typeof globalThis.fetch = globalThis.fetch): RecordingFetch {
  const exchanges: Exchange[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const { method, url, body } = requestParts(input, init);
    const api = typeof apiFor === 'function' ? apiFor(url) : apiFor;
    const path = `${url.pathname}${url.search}`;
    const ex: Exchange = { api, method, path, requestBody: body, errors: [] };
    exchanges.push(ex);
    ex.errors.push(...validateRequest(api, method, path, body).map((e) => `request: ${e}`));
    const res = await inner(input, init);
    ex.status = res.status;
    const streaming = res.status === 200 && findOperation(api, method, path)?.streaming === true;
    if (!streaming || !res.body) {
      const text = await res.clone().text();
      try {
        ex.responseBody = JSON.parse(text);
        ex.errors.push(...validateResponse(api, method, path, res.status, ex.responseBody));
      } catch {
        ex.errors.push(`response ${res.status}: not JSON: ${text.slice(0, 80)}`);
      }
      return res;
    }
    // Streams: check each line as it passes, without holding the stream back.
    ex.streamLines = [];
    let buffered = '';
    const decoder = new TextDecoder();
    const check = (line: string) => {
      if (line.trim() === '') return;
      try {
        const parsed: unknown = JSON.parse(line);
        ex.streamLines?.push(parsed);
        ex.errors.push(...validateResponse(api, method, path, 200, parsed).map((e) => `line ${ex.streamLines?.length}: ${e}`));
      } catch {
        ex.errors.push(`stream line not JSON: ${line.slice(0, 80)}`);
      }
    };
    const tee = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        buffered += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          check(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
        ctl.enqueue(chunk);
      },
      flush() {
        check(buffered);
      },
    });
    return new Response(res.body.pipeThrough(tee), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return {
    fetch,
    exchanges,
    violations: () => exchanges.flatMap((e) => e.errors.map((err) => `${e.api} ${e.method} ${e.path.split('?')[0]}: ${err}`)),
  };
}

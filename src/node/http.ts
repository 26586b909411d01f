/**
 * One small REST client for lnd and tapd (both grpc-gateway): macaroon header, a deadline on
 * every call, JSON and NDJSON-stream parsing, and one mapping from failures to the error codes
 * the UI shows.
 *
 * | code               | when                                                                  |
 * | ------------------ | --------------------------------------------------------------------- |
 * | NODE_UNREACHABLE   | fetch failed: refused, DNS, reset (in a browser also: untrusted cert) |
 * | NODE_TLS_UNTRUSTED | fetch failed with a certificate error (`cause.code` says so)          |
 * | NODE_TIMEOUT       | no answer (or no stream line) within the deadline                     |
 * | NODE_AUTH          | 401/403, or gRPC Unauthenticated/PermissionDenied, or macaroon errors |
 * | NODE_LOCKED        | the node's wallet is locked or its RPC server is still starting       |
 * | NODE_BAD_RESPONSE  | not JSON, or JSON without the fields we read; a redirect (`redirect`) |
 * | NODE_RPC           | any other error the node reports (its message is kept)                |
 *
 * A browser's fetch reports a self-signed certificate exactly like an unreachable host ("Failed
 * to fetch"); the extension adds the browser's own reason (webRequest, e.g.
 * `net::ERR_CERT_AUTHORITY_INVALID`) as `cause.code` where it has it, as Node's fetch does. A
 * bare failure of an https URL is NODE_UNREACHABLE with `details.maybeTls = true`, and the UI
 * offers the node's address so the person can look at its certificate.
 *
 * Redirects are never followed: fetch would resend the macaroon header to wherever the answer
 * points, another host or plain http included. `redirect: 'manual'` rather than `'error'`
 * because a browser reports `'error'` as a bare "Failed to fetch", indistinguishable from an
 * unreachable node, while `'manual'` hands back the redirect (opaque in a browser) unfollowed.
 */
import { z } from '../base/zod.ts';
import { moduleErrors, SatnavError } from '../errors.ts';

const error = moduleErrors('node');

export const DEFAULT_TIMEOUT_MS = 15_000;

export interface RestConfig {
  /** e.g. `https://127.0.0.1:8080` (no trailing slash needed). */
  baseUrl: string;
  macaroonHex: string;
  /** Injected for tests and for the browser worker; defaults to globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
  /** Deadline for each call in ms (default 15 s). */
  timeoutMs?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface CallOptions {
  timeoutMs?: number;
}

// grpc-gateway error body (google.rpc.Status).
const rpcStatus = z.object({ code: z.optional(z.number()), message: z.optional(z.string()) });

// Messages lnd and tapd send, matched loosely: they are prose, not codes.
const LOCKED = /wallet locked|unlock it|not yet ready to accept calls|waiting to start|wallet not created/i;
const AUTH = /macaroon|verification failed|permission denied|unauthenticated|expected 1 macaroon/i;
// Node's fetch (undici) puts the system error in `cause.code`.
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|SSL/i;

const GRPC_UNAUTHENTICATED = 16;
const GRPC_PERMISSION_DENIED = 7;

/** Maps an error status/body reported by the node to a SatnavError. */
function nodeError(status: number, message: string, grpcCode?: number): SatnavError {
  const details = { httpStatus: status, ...(grpcCode !== undefined && { grpcCode }) };
  if (LOCKED.test(message)) return error('NODE_LOCKED', 'wallet locked', message, details);
  if (status === 401 || status === 403 || grpcCode === GRPC_UNAUTHENTICATED || grpcCode === GRPC_PERMISSION_DENIED || AUTH.test(message)) {
    return error('NODE_AUTH', 'macaroon rejected', message, details);
  }
  return error('NODE_RPC', 'rpc error', message || `HTTP ${status}`, details);
}

function transportError(e: unknown, cfg: RestConfig, where: string, timedOut: boolean): SatnavError {
  if (e instanceof SatnavError) return e;
  if (timedOut) return error('NODE_TIMEOUT', 'no answer in time', where);
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const text = `${code} ${typeof cause?.message === 'string' ? cause.message : ''}`;
  if (TLS_CODES.test(text)) return error('NODE_TLS_UNTRUSTED', 'certificate not trusted', where, { cause: code });
  return error('NODE_UNREACHABLE', 'cannot reach node', where, {
    ...(code && { cause: code }),
    // Only a bare failure leaves the certificate open: a cause (Node's, or the browser's webRequest report) rules it in or out.
    maybeTls: cfg.baseUrl.startsWith('https:') && !code,
  });
}

/** An abort controller with a re-armable timer; `timedOut` tells a deadline from other aborts. */
function deadline(ms: number) {
  const ctl = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, ms);
  };
  arm();
  return {
    signal: ctl.signal,
    get timedOut() {
      return timedOut;
    },
    /** Streams get `ms` per line, not for the whole stream. */
    arm,
    close() {
      clearTimeout(timer);
      ctl.abort();
    },
  };
}
type Deadline = ReturnType<typeof deadline>;

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw error('NODE_BAD_RESPONSE', 'not JSON', `${where}: ${text.slice(0, 60)}`);
  }
}

function checkShape<T>(schema: z.ZodMiniType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw error('NODE_BAD_RESPONSE', 'unexpected response shape', `${where}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`);
}

/** The node's answer within the deadline; an answer other than 2xx throws the node's error. */
async function send(cfg: RestConfig, method: HttpMethod, path: string, body: unknown, d: Deadline, where: string): Promise<Response> {
  const f = cfg.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { 'Grpc-Metadata-macaroon': cfg.macaroonHex };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await untilAbort(
    f(`${cfg.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: d.signal,
      redirect: 'manual',
    }),
    d.signal,
  );
  if (isRedirect(res)) {
    await res.body?.cancel().catch(() => undefined);
    throw error('NODE_BAD_RESPONSE', 'redirect refused', `${where} answered ${res.status === 0 ? 'a redirect' : `HTTP ${res.status}`}`, {
      httpStatus: res.status,
      redirect: true,
    });
  }
  if (!res.ok) throw errorFromBody(res.status, await untilAbort(res.text(), d.signal), where);
  return res;
}

/** A browser hides a manual redirect behind an opaque response (status 0); Node's fetch shows the 3xx. */
function isRedirect(res: Response): boolean {
  return res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400);
}

function errorFromBody(status: number, text: string, where: string): SatnavError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: a proxy page, or a plain-text error from the node itself.
    if (status === 401 || status === 403 || AUTH.test(text) || LOCKED.test(text)) return nodeError(status, text.trim());
    return error('NODE_BAD_RESPONSE', `HTTP ${status} without a JSON body`, where, { httpStatus: status });
  }
  // A stream that fails before its first message answers `{"error": status}` (grpc-gateway).
  const wrapped = z.object({ error: rpcStatus }).safeParse(parsed);
  const s = wrapped.success ? { success: true as const, data: wrapped.data.error } : rpcStatus.safeParse(parsed);
  return s.success ? nodeError(status, s.data.message ?? '', s.data.code) : nodeError(status, text.slice(0, 200));
}

/** One request, one JSON answer checked against `schema`. */
export async function restCall<T>(
  cfg: RestConfig,
  method: HttpMethod,
  path: string,
  body: unknown,
  schema: z.ZodMiniType<T>,
  opts: CallOptions = {},
): Promise<T> {
  const where = `${method} ${path.split('?')[0]}`;
  const d = deadline(opts.timeoutMs ?? cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const res = await send(cfg, method, path, body, d, where);
    const text = await untilAbort(res.text(), d.signal);
    return checkShape(schema, parseJson(text, where), where);
  } catch (e) {
    throw transportError(e, cfg, where, d.timedOut);
  } finally {
    d.close();
  }
}

const streamLine = z.object({ result: z.optional(z.unknown()), error: z.nullish(rpcStatus) });

/**
 * A server stream: newline-delimited `{"result":…}` / `{"error":…}` objects. Yields each result
 * checked against `schema`; an error line throws. The deadline applies to each line, so a stream
 * that stays silent longer than `timeoutMs` throws NODE_TIMEOUT. Leaving the loop early closes
 * the connection.
 */
export async function* restStream<T>(
  cfg: RestConfig,
  method: HttpMethod,
  path: string,
  body: unknown,
  schema: z.ZodMiniType<T>,
  opts: CallOptions = {},
): AsyncGenerator<T, void, undefined> {
  const where = `${method} ${path.split('?')[0]}`;
  const d = deadline(opts.timeoutMs ?? cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    let res: Response;
    try {
      res = await send(cfg, method, path, body, d, where);
      if (!res.body) throw error('NODE_BAD_RESPONSE', 'stream without a body', where);
      reader = res.body.getReader();
    } catch (e) {
      throw transportError(e, cfg, where, d.timedOut);
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await untilAbort(reader.read(), d.signal);
      } catch (e) {
        throw transportError(e, cfg, where, d.timedOut);
      }
      // At the end, whatever is left is the last line (its newline is optional).
      buffered += chunk.done ? '\n' : decoder.decode(chunk.value, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line === '') continue;
        const msg = checkShape(streamLine, parseJson(line, where), where);
        if (msg.error) throw nodeError(res.status, msg.error.message ?? '', msg.error.code);
        d.arm();
        yield checkShape(schema, msg.result, where);
      }
      if (chunk.done) break;
    }
  } finally {
    d.close();
    reader?.cancel().catch(() => undefined);
  }
}

/** `p`, or an AbortError once `signal` aborts: an injected fetch or body may ignore the signal. */
function untilAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DOMException('aborted', 'AbortError'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

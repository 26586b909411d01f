/**
 * Test helpers: talk to devnet nodes over real HTTP as a wallet would.
 */
import { startDevnet, type Devnet, type DevnetNodeInfo, type DevnetOptions } from './index.ts';

// Test code reads deeply into JSON replies; a loose object type keeps those reads short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface Reply {
  readonly status: number;
  readonly body: Json;
}

export interface CallOptions {
  readonly macaroon?: string;
  readonly body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  readonly rawBody?: string;
  readonly signal?: AbortSignal;
}

function request(method: string, opts: CallOptions): RequestInit {
  const headers: Record<string, string> = {};
  if (opts.macaroon !== undefined) headers['Grpc-Metadata-macaroon'] = opts.macaroon;
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  return { method, headers, body: payload, signal: opts.signal };
}

export async function call(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const res = await fetch(`${baseUrl}${path}`, request(method, opts));
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Json };
}

/** A response stream read one JSON line at a time. */
export class LineReader {
  private buf = '';
  private readonly decoder = new TextDecoder();
  constructor(
    readonly status: number,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
  ) {}

  /** The next line, or undefined at the end of the stream. */
  async next(): Promise<Json | undefined> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        if (line.trim() !== '') return JSON.parse(line) as Json;
        continue;
      }
      const { done, value } = await this.reader.read();
      if (done) {
        const rest = this.buf.trim();
        this.buf = '';
        return rest === '' ? undefined : (JSON.parse(rest) as Json);
      }
      this.buf += this.decoder.decode(value, { stream: true });
    }
  }

  /** Reads lines until one satisfies `pred`; returns it (fails at the end of the stream). */
  async until(pred: (line: Json) => boolean): Promise<Json> {
    for (;;) {
      const line = await this.next();
      if (line === undefined) throw new Error('stream ended before the expected line');
      if (pred(line)) return line;
    }
  }

  /** All remaining lines. */
  async rest(): Promise<Json[]> {
    const out: Json[] = [];
    for (let l = await this.next(); l !== undefined; l = await this.next()) out.push(l);
    return out;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel();
  }
}

export async function openStream(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<LineReader> {
  const res = await fetch(`${baseUrl}${path}`, request(method, opts));
  if (!res.body) throw new Error('response has no body');
  return new LineReader(res.status, res.body.getReader());
}

/** A wallet's view of one node: lnd and tapd calls with its admin macaroons. */
export function nodeClient(info: DevnetNodeInfo) {
  return {
    info,
    lnd: (method: string, path: string, body?: unknown) => call(info.lndRestUrl, method, path, { macaroon: info.adminMacaroonHex, body }),
    tapd: (method: string, path: string, body?: unknown) => call(info.tapdRestUrl, method, path, { macaroon: info.tapdMacaroonHex, body }),
    lndStream: (method: string, path: string, body?: unknown) =>
      openStream(info.lndRestUrl, method, path, { macaroon: info.adminMacaroonHex, body }),
    tapdStream: (method: string, path: string, body?: unknown) =>
      openStream(info.tapdRestUrl, method, path, { macaroon: info.tapdMacaroonHex, body }),
  };
}

/** Starts a devnet checked against the contracts, with short payment timeouts. */
export function testDevnet(opts: DevnetOptions = {}): Promise<Devnet> {
  return startDevnet({ validate: true, secondMs: 20, ...opts });
}

export const b64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');
/** Padded, as grpc-gateway requires in paths and queries. */
export const b64url = (hex: string): string => Buffer.from(hex, 'hex').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
export const hexOfB64 = (s: string): string => Buffer.from(s, 'base64').toString('hex');

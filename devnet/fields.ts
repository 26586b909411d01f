/**
 * Typed reads of request fields as protojson parses them: 64-bit integers as JSON strings or
 * numbers, `bytes` as base64 (lnd) or hex (tapd), absent fields as their zero value. Bad values
 * fail with InvalidArgument, as grpc-gateway does before the call reaches the daemon.
 */
import { fromB64, fromB64Padded, fromHex, isHex } from './codec.ts';
import { Code, RpcError } from './http.ts';

export type BytesEncoding = 'base64' | 'hex';

const bad = (field: string, value: unknown, what: string): never => {
  throw new RpcError(Code.InvalidArgument, `proto: invalid value for ${what} field ${field}: ${JSON.stringify(value)}`);
};

export class Fields {
  constructor(
    private readonly body: Readonly<Record<string, unknown>>,
    private readonly bytesEncoding: BytesEncoding,
    private readonly prefix = '',
  ) {}

  has(key: string): boolean {
    const v = this.body[key];
    return v !== undefined && v !== null;
  }

  str(key: string): string {
    const v = this.body[key];
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v : bad(this.name(key), v, 'string');
  }

  bool(key: string): boolean {
    const v = this.body[key];
    if (v === undefined || v === null) return false;
    return typeof v === 'boolean' ? v : bad(this.name(key), v, 'bool');
  }

  /** int32/int64/uint64 that fits a JS number (amounts in msat stay far below 2^53). */
  int(key: string): number {
    const v = this.body[key];
    if (v === undefined || v === null) return 0;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
    return Number.isSafeInteger(n) ? n : bad(this.name(key), v, 'integer');
  }

  /** uint64 lists such as channel ids. */
  uint64List(key: string): bigint[] {
    const v = this.body[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return bad(this.name(key), v, 'repeated uint64');
    return v.map((x) => (typeof x === 'string' && /^\d+$/.test(x)) || (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) ? BigInt(x) : bad(this.name(key), x, 'uint64'));
  }

  bytes(key: string): Uint8Array {
    const v = this.body[key];
    if (v === undefined || v === null) return new Uint8Array(0);
    return typeof v === 'string' ? this.decode(this.name(key), v) : bad(this.name(key), v, 'bytes');
  }

  /** map<uint64, bytes> such as custom records. */
  bytesMap(key: string): Record<string, Uint8Array> {
    const v = this.body[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return bad(this.name(key), v, 'map');
    const out: Record<string, Uint8Array> = {};
    for (const [k, x] of Object.entries(v)) {
      if (!/^\d+$/.test(k)) bad(`${this.name(key)} key`, k, 'uint64');
      out[k] = typeof x === 'string' ? this.decode(`${this.name(key)}[${k}]`, x) : bad(this.name(key), x, 'bytes');
    }
    return out;
  }

  obj(key: string): Fields | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return bad(this.name(key), v, 'message');
    return new Fields(v as Record<string, unknown>, this.bytesEncoding, `${this.name(key)}.`);
  }

  private name(key: string): string {
    return `${this.prefix}${key}`;
  }

  private decode(field: string, s: string): Uint8Array {
    if (this.bytesEncoding === 'hex') return isHex(s) ? fromHex(s) : bad(field, s, 'bytes (hex)');
    try {
      return fromB64(s);
    } catch {
      return bad(field, s, 'bytes (base64)');
    }
  }
}

export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === '') return false;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return bad(name, v, 'bool');
}

export function queryInt(q: URLSearchParams, name: string): number {
  const v = q.get(name);
  if (v === null || v === '') return 0;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : bad(name, v, 'integer');
}

/** Query and path `bytes`, for both daemons: padded base64, standard or URL-safe (grpc-gateway's runtime.Bytes). */
export function queryBytes(value: string | null, name: string): Uint8Array {
  if (value === null || value === '') return new Uint8Array(0);
  try {
    return fromB64Padded(value);
  } catch (e) {
    throw new RpcError(Code.InvalidArgument, `type mismatch, parameter: ${name}, error: ${(e as Error).message}`);
  }
}

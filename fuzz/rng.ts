/**
 * A seeded generator and the mutations every target shares. Each input gets
 * its own generator, seeded from (run seed, target, index), so any input can
 * be made again alone: `FUZZ_SEED=<seed> FUZZ_REPLAY=<target>:<index>`.
 */

/** sfc32: small, fast, and the same numbers on every machine. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seeds: number[]) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = 1;
    for (const s of seeds) {
      this.a ^= s | 0;
      this.b ^= Math.imul(s | 0, 0x85ebca6b);
      for (let i = 0; i < 4; i++) this.u32();
    }
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** 0 ≤ n < max. */
  int(max: number): number {
    return max <= 1 ? 0 : Math.floor((this.u32() / 0x1_0000_0000) * max);
  }

  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Small numbers mostly, now and then a large one: how many mutations, how long a piece. */
  small(max: number): number {
    let n = 1;
    while (n < max && this.chance(0.45)) n++;
    return n;
  }
}

/** FNV-1a of a target's name, to seed its inputs apart from the other targets'. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** Pieces parsers trip on: quoting, separators, escapes, odd unicode, numbers at the edges. */
export const TOKENS = [
  '"', '\\', ',', ';', '=', ':', '@', '/', '?', '#', '&', '%', '%00', '%2F', '%zz', '+', '-', '_', '.', '..', ' ', '\t', '\n', '\r\n',
  '\u0000', '\u007f', '\u00a0', '\u200b', '\u200e', '\u202e', '\ufeff', '\ufffd', '\uffff', '\ud800', '\udfff', '😀', 'é', 'ß', 'İ', 'ﬀ', 'Ａ',
  '0', '-0', '1', '-1', '00', '01', '1e308', '-1e308', '1e-7', 'NaN', 'Infinity', '9007199254740993', '18446744073709551616',
  '99999999999999999999999999', '2100000000000001', '4294967296', '0x10', '1_000', 'null', 'true', '[]', '{}', '__proto__', 'constructor',
  'lightning:', 'lnurl1', 'LNURL1', 'lnbcrt', 'lnbc', 'lntb', 'L402', 'LSAT', 'Payment', 'Deposit', 'Basic', 'token68==', 'macaroon=', 'invoice=',
  'https://', 'http://', 'lndconnect://', '[::1]', '127.0.0.1', 'localhost', '.onion', 'a@b', '====', 'AAAA',
];

/** A random string: printable ASCII, bech32 text, tokens, or any UTF-16 code units. */
export function randomString(rng: Rng, maxLength = 200): string {
  const len = rng.chance(0.1) ? rng.int(maxLength * 20) : rng.int(maxLength);
  const style = rng.int(4);
  let out = '';
  while (out.length < len) {
    if (style === 0) out += ASCII[rng.int(ASCII.length)];
    else if (style === 1) out += BECH32[rng.int(BECH32.length)];
    else if (style === 2) out += rng.pick(TOKENS);
    else out += String.fromCharCode(rng.int(0x10000));
  }
  return out;
}

/** Flips, replacements, insertions, deletions, truncation, repetition, case changes and splices with `other`. */
export function mutateString(rng: Rng, s: string, others: readonly string[] = [], alphabet = BECH32): string {
  let out = s;
  const n = rng.small(8);
  for (let k = 0; k < n; k++) {
    const at = rng.int(out.length + 1);
    switch (rng.int(12)) {
      case 0: {
        const c = out.charCodeAt(at);
        if (!Number.isNaN(c)) out = out.slice(0, at) + String.fromCharCode(c ^ (1 << rng.int(16))) + out.slice(at + 1);
        break;
      }
      case 1:
        out = out.slice(0, at) + alphabet[rng.int(alphabet.length)] + out.slice(at + 1);
        break;
      case 2:
        out = out.slice(0, at) + rng.pick(TOKENS) + out.slice(at);
        break;
      case 3:
        out = out.slice(0, at) + out.slice(at + rng.small(40));
        break;
      case 4:
        out = out.slice(0, at);
        break;
      case 5: {
        const len = rng.small(30);
        const piece = out.slice(at, at + len);
        out = out.slice(0, at) + piece.repeat(rng.chance(0.2) ? rng.range(100, 3_000) : rng.small(5)) + out.slice(at);
        break;
      }
      case 6:
        out = rng.chance(0.5) ? out.toUpperCase() : out.toLowerCase();
        break;
      case 7: {
        const c = out[at];
        if (c !== undefined) out = out.slice(0, at) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + out.slice(at + 1);
        break;
      }
      case 8: {
        const o = others.length > 0 ? rng.pick(others) : out;
        out = rng.chance(0.5) ? out.slice(0, at) + o.slice(rng.int(o.length + 1)) : o.slice(0, rng.int(o.length + 1)) + out.slice(at);
        break;
      }
      case 9:
        out = out.slice(0, at) + String.fromCharCode(rng.int(0x10000)) + out.slice(at);
        break;
      case 10:
        out = rng.chance(0.5) ? ` ${out} ` : rng.pick(['\n', '\t', '\u00a0', '\ufeff']) + out;
        break;
      default: {
        // A digit run made huge, negative or fractional: amounts, lengths and ports.
        const m = /[0-9]+/.exec(out.slice(at));
        if (m) {
          const i = at + m.index;
          out = out.slice(0, i) + rng.pick(['0', '-1', '1.5', '9'.repeat(rng.range(10, 40)), '4294967296', '65536', '00']) + out.slice(i + m[0].length);
        }
      }
    }
  }
  return out;
}

/** Bytes with flips, cuts, insertions and varint-looking blow-ups. */
export function mutateBytes(rng: Rng, b: Uint8Array): Uint8Array {
  const out = [...b];
  const n = rng.small(6);
  for (let k = 0; k < n; k++) {
    const at = rng.int(out.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (at < out.length) out[at] = (out[at] as number) ^ (1 << rng.int(8));
        break;
      case 1:
        if (at < out.length) out[at] = rng.pick([0, 1, 0x7f, 0x80, 0xff, rng.int(256)]);
        break;
      case 2:
        out.splice(at, 0, ...Array.from({ length: rng.small(10) }, () => rng.pick([0x80, 0xff, 0, rng.int(256)])));
        break;
      case 3:
        out.splice(at, rng.small(20));
        break;
      case 4:
        out.length = at;
        break;
      default:
        out.splice(at, 0, ...out.slice(at, at + rng.small(30)));
    }
  }
  return Uint8Array.from(out);
}

/** Odd JSON-ish values to put where a field was. */
export function oddValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 9 : 12)) {
    case 0:
      return rng.pick([0, -1, 1, 0.5, -0, 1e21, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 2_100_000_000_000_001, 4_294_967_296, 1e308]);
    case 1:
      return rng.pick([Number.NaN, Infinity, -Infinity]);
    case 2:
      return rng.pick(['', ' ', '0', '-1', '1e3', 'NaN', '9'.repeat(30), 'ERROR', 'OK', 'payRequest', 'withdrawRequest', 'login', 'channelRequest']);
    case 3:
      return randomString(rng, 60);
    case 4:
      return null;
    case 5:
      return rng.chance(0.5);
    case 6:
      return undefined;
    case 7:
      return 'x'.repeat(rng.pick([70_000, 140_000, 4_097, 145]));
    case 8:
      return BigInt(rng.int(1000)).toString();
    case 9:
      return Array.from({ length: rng.small(4) }, () => oddValue(rng, depth + 1));
    case 10:
      return Object.fromEntries(Array.from({ length: rng.small(4) }, () => [rng.pick(['__proto__', 'constructor', 'tag', 'status', 'a', randomString(rng, 8)]), oddValue(rng, depth + 1)]));
    default:
      return deepNest(rng.range(50, 1_000));
  }
}

/** JSON text nested deeper than any walker of values can follow by recursion. */
export function deepJsonText(rng: Rng): string {
  const depth = rng.pick([1_000, 10_000, 100_000]);
  const [open, close] = rng.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
  return `${open.repeat(depth)}0${close.repeat(depth)}`;
}

function deepNest(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** A copy of `value` with some fields replaced, removed, added or mutated as text. */
export function mutateJson(rng: Rng, value: unknown, others: readonly string[] = []): unknown {
  const n = rng.small(4);
  let out = structuredClone(value);
  for (let k = 0; k < n; k++) out = mutateOnce(rng, out, others);
  return out;
}

function mutateOnce(rng: Rng, v: unknown, others: readonly string[]): unknown {
  if (typeof v === 'string') return rng.chance(0.7) ? mutateString(rng, v, others, v) : oddValue(rng);
  if (typeof v === 'number') return rng.chance(0.5) ? oddValue(rng) : v + rng.pick([-1, 1, 1000, -1000, 0.5]);
  if (Array.isArray(v)) {
    if (v.length === 0 || rng.chance(0.15)) return rng.chance(0.5) ? [...v, oddValue(rng)] : oddValue(rng);
    const i = rng.int(v.length);
    const copy = [...v];
    if (rng.chance(0.2)) copy.splice(i, 1);
    else copy[i] = mutateOnce(rng, copy[i], others);
    return copy;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    if (keys.length === 0 || rng.chance(0.15)) {
      const key = rng.pick(['__proto__', 'constructor', 'toString', 'extra', 'tag', ...keys, randomString(rng, 10)]);
      Object.defineProperty(copy, key, { value: oddValue(rng), enumerable: true, configurable: true, writable: true });
      return copy;
    }
    const key = rng.pick(keys);
    if (rng.chance(0.2)) delete copy[key];
    else copy[key] = mutateOnce(rng, copy[key], others);
    return copy;
  }
  return oddValue(rng);
}

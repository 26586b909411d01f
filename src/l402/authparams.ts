/**
 * RFC 9110 HTTP authentication challenges: one `WWW-Authenticate` field value → its challenges.
 *
 * Grammar (RFC 9110 §11.6.1, §11.2, §5.6.1–§5.6.4):
 *
 * | rule             | definition                                                         |
 * | ---------------- | ------------------------------------------------------------------ |
 * | WWW-Authenticate | `#challenge` — a comma list; empty elements are allowed            |
 * | challenge        | `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`                   |
 * | auth-scheme      | `token`, case-insensitive                                          |
 * | auth-param       | `token BWS "=" BWS ( token / quoted-string )`, name case-insensitive |
 * | token68          | `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`     |
 * | token            | `1*tchar`; tchar = ALPHA / DIGIT / one of ``!#$%&'*+-.^_`|~``      |
 * | quoted-string    | `DQUOTE *( qdtext / quoted-pair ) DQUOTE`                          |
 * | qdtext           | HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (%x80-FF)          |
 * | quoted-pair      | `"\" ( HTAB / SP / VCHAR / obs-text )` — stands for the octet after it |
 *
 * Why it is written out instead of split on commas: `fetch` joins repeated header lines with
 * ", " (Aperture sends an `LSAT` and an `L402` line, maybe `Payment` lines too), so the same comma
 * separates two challenges and two parameters of one challenge, and a quoted value may itself hold
 * commas, `=` and even a scheme name. What tells a parameter from a new challenge is what follows
 * the token: `=` makes it a parameter name, anything else a new scheme.
 *
 * A syntax error anywhere refuses the whole value: after an unbalanced quote nobody can say where
 * the next challenge starts, and guessing could pair one offer's macaroon with another's invoice.
 * A repeated parameter keeps its first value (an on-path element can append, not override) and is
 * listed in `duplicates`, so each scheme decides whether that is fatal.
 *
 * The input is the value as `Headers.get` gives it: a ByteString, one character per octet, so
 * characters above U+00FF cannot occur and are refused.
 */
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('l402');
const fail = (problem: string, value?: unknown) => err('L402_CHALLENGE_INVALID', problem, value);

/** A 402 carries a few challenges of a few hundred bytes; anything near this is not one. */
export const MAX_CHALLENGE_LENGTH = 64 * 1024;

export interface AuthChallenge {
  /** As sent; compare case-insensitively. */
  readonly scheme: string;
  readonly token68?: string;
  /** Lowercased names; the first value of a repeated name. No prototype, so any name is safe. */
  readonly params: Readonly<Record<string, string>>;
  /** Lowercased names that appeared more than once. */
  readonly duplicates: readonly string[];
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;
const isTchar = (c: string | undefined) => c !== undefined && TCHAR.test(c);
const isOws = (c: string | undefined) => c === ' ' || c === '\t';
/** qdtext and the octet of a quoted-pair differ only in `"` and `\`, which the reader handles first. */
const isQuotable = (c: string) => {
  const x = c.charCodeAt(0);
  return x === 0x09 || (x >= 0x20 && x <= 0x7e) || (x >= 0x80 && x <= 0xff);
};

/** Every challenge in a `WWW-Authenticate` value, in order; throws L402_CHALLENGE_INVALID on bad syntax. */
export function parseAuthChallenges(value: string): AuthChallenge[] {
  if (typeof value !== 'string') throw fail('WWW-Authenticate is not a string', typeof value);
  if (value.length > MAX_CHALLENGE_LENGTH) throw fail('WWW-Authenticate too long', value.length);
  const s = value;
  const n = s.length;
  const out: AuthChallenge[] = [];
  let params: Record<string, string> | undefined; // of the open challenge, if it takes auth-params
  let duplicates: string[] = [];
  let i = 0;

  const skipOws = (at: number) => {
    while (isOws(s[at])) at++;
    return at;
  };
  const tokenEnd = (at: number) => {
    while (isTchar(s[at])) at++;
    return at;
  };
  /** After an element: optional whitespace, then a comma or the end. */
  const elementEnd = (at: number, what: string) => {
    const k = skipOws(at);
    if (k < n && s[k] !== ',') throw fail(`unexpected character after ${what} at offset ${k}`, s[k]);
    return k;
  };
  /** A token or quoted-string value starting at `at`: [value, end]. */
  const readValue = (at: number): [string, number] => {
    if (s[at] !== '"') {
      const end = tokenEnd(at);
      if (end === at) throw fail(`missing parameter value at offset ${at}`, s[at] ?? 'end');
      return [s.slice(at, end), end];
    }
    let v = '';
    for (let k = at + 1; k < n; k++) {
      const c = s[k] as string;
      if (c === '"') return [v, k + 1];
      if (c === '\\') {
        const next = s[k + 1];
        if (next === undefined) break; // a lone backslash at the end: unterminated
        if (!isQuotable(next)) throw fail(`character not allowed in quoted-pair at offset ${k + 1}`, next.charCodeAt(0));
        v += next;
        k++;
        continue;
      }
      if (!isQuotable(c)) throw fail(`character not allowed in quoted-string at offset ${k}`, c.charCodeAt(0));
      v += c;
    }
    throw fail('unterminated quoted-string starting at offset', at);
  };
  /** An auth-param starts at `at` when a token is followed by "=" and then by a value. */
  const paramAt = (at: number): { name: string; valueAt: number } | undefined => {
    const end = tokenEnd(at);
    if (end === at) return undefined;
    const eq = skipOws(end);
    if (s[eq] !== '=') return undefined;
    const valueAt = skipOws(eq + 1);
    const c = s[valueAt];
    return c === '"' || isTchar(c) ? { name: s.slice(at, end), valueAt } : undefined;
  };

  for (;;) {
    while (i < n && (s[i] === ',' || isOws(s[i]))) i++; // empty list elements and separators
    if (i >= n) break;
    const p = paramAt(i);
    if (p) {
      if (params === undefined) throw fail('auth-param outside a challenge that takes parameters', p.name);
      const [v, end] = readValue(p.valueAt);
      const key = p.name.toLowerCase();
      if (!Object.hasOwn(params, key)) params[key] = v;
      else if (!duplicates.includes(key)) duplicates.push(key);
      i = elementEnd(end, `parameter ${p.name}`);
      continue;
    }
    // Not a parameter: a new challenge's scheme.
    const schemeEnd = tokenEnd(i);
    if (schemeEnd === i) throw fail(`expected an auth-scheme at offset ${i}`, s[i]);
    const scheme = s.slice(i, schemeEnd);
    params = Object.create(null) as Record<string, string>;
    duplicates = [];
    i = schemeEnd;
    if (i < n && s[i] !== ',' && !isOws(s[i])) throw fail(`expected a space after auth-scheme ${scheme} at offset ${i}`, s[i]);
    i = skipOws(i);
    if (i >= n || s[i] === ',' || paramAt(i)) {
      // A bare scheme, or one whose parameters the loop reads next.
      out.push({ scheme, params, duplicates });
      continue;
    }
    let end = i;
    while (end < n && TOKEN68_CHAR.test(s[end] as string)) end++;
    if (end === i) throw fail(`expected token68 or auth-param after ${scheme} at offset ${i}`, s[i]);
    while (s[end] === '=') end++;
    out.push({ scheme, token68: s.slice(i, end), params, duplicates });
    params = undefined; // token68 and auth-params exclude each other
    i = elementEnd(end, `token68 of ${scheme}`);
  }
  return out;
}

/**
 * RFC 9110 §5.6.4 quoted-string of `v`: `\` and `"` become quoted-pairs, everything else the
 * grammar allows is written as is. A character it cannot carry (controls other than HTAB, DEL,
 * above U+00FF) is refused, never dropped: a value that would not come back byte for byte breaks
 * any echo of it (the Payment scheme's HMAC is computed over echoed values).
 */
export function quoteAuthParam(v: string): string {
  let q = '"';
  for (const c of v) {
    if (c === '"' || c === '\\') q += `\\${c}`;
    else if (c.length === 1 && isQuotable(c)) q += c;
    else throw fail('value cannot be written as a quoted-string', v);
  }
  return `${q}"`;
}

/** `Scheme name="value", …` — the writer for servers (the demo) and round-trip tests. */
export function formatAuthChallenge(scheme: string, params: readonly (readonly [name: string, value: string])[]): string {
  if (scheme === '' || ![...scheme].every(isTchar)) throw fail('auth-scheme is not a token', scheme);
  for (const [name] of params) if (name === '' || ![...name].every(isTchar)) throw fail('parameter name is not a token', name);
  const list = params.map(([name, v]) => `${name}=${quoteAuthParam(v)}`).join(', ');
  return list === '' ? scheme : `${scheme} ${list}`;
}

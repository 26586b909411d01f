/**
 * RFC 9110 auth-params: formatting one challenge, and splitting a `WWW-Authenticate` value into
 * its challenges (a browser's fetch joins repeated header lines with ", ", so one value may hold
 * `LSAT …, L402 …` or several `Payment …` offers). The server only formats; the parser is for the
 * tests and for reading what the server sent, the way a client must.
 */

export interface Challenge {
  /** As sent (case kept); compare case-insensitively. */
  scheme: string;
  /** Parameter names lower-cased; the first occurrence of a repeated name wins. */
  params: Record<string, string>;
}

/** RFC 9110 §5.6.4 quoted-string: `\` and `"` become quoted-pairs; octets it cannot carry are dropped. */
export function quote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (c === 0x09 || (c >= 0x20 && c !== 0x7f)) out += ch;
  }
  return `${out}"`;
}

export const formatChallenge = (scheme: string, params: ReadonlyArray<readonly [string, string]>): string =>
  `${scheme} ${params.map(([k, v]) => `${k}=${quote(v)}`).join(', ')}`;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/** Every challenge in a `WWW-Authenticate` value, in order. Throws on a syntax error. */
export function parseChallenges(value: string): Challenge[] {
  const out: Challenge[] = [];
  let s = value;
  const skipWs = () => {
    s = s.replace(/^[ \t]+/, '');
  };
  const skipCommas = () => {
    for (;;) {
      skipWs();
      if (!s.startsWith(',')) return;
      s = s.slice(1);
    }
  };
  const readQuoted = (): string => {
    let v = '';
    let i = 1;
    for (; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === '\\') v += s[++i] ?? '';
      else if (ch === '"') break;
      else v += ch;
    }
    if (i >= s.length) throw new Error('auth-header: unterminated quoted-string');
    s = s.slice(i + 1);
    return v;
  };
  skipCommas();
  while (s.length > 0) {
    const scheme = TOKEN.exec(s)?.[0];
    if (!scheme) throw new Error(`auth-header: expected a scheme at "${s.slice(0, 20)}"`);
    s = s.slice(scheme.length);
    const challenge: Challenge = { scheme, params: {} };
    out.push(challenge);
    skipWs();
    // token68 form (no '=' param list), e.g. `Negotiate abc==`
    const t68 = TOKEN68.exec(s)?.[0];
    if (t68 && /^[ \t]*(,|$)/.test(s.slice(t68.length))) {
      challenge.params[''] = t68;
      s = s.slice(t68.length);
      skipCommas();
      continue;
    }
    // auth-params until the next token that is not followed by '=' (the next challenge's scheme)
    for (;;) {
      skipCommas();
      const name = TOKEN.exec(s)?.[0];
      if (!name) break;
      const rest = s.slice(name.length).replace(/^[ \t]+/, '');
      if (!rest.startsWith('=')) break; // a new scheme
      s = rest.slice(1).replace(/^[ \t]+/, '');
      let v: string;
      if (s.startsWith('"')) v = readQuoted();
      else {
        v = TOKEN.exec(s)?.[0] ?? '';
        s = s.slice(v.length);
      }
      const key = name.toLowerCase();
      if (!(key in challenge.params)) challenge.params[key] = v;
    }
    skipCommas();
  }
  return out;
}

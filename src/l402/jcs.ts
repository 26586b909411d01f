/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), as the Payment scheme encodes its `request` and
 * `opaque` parameters (their base64url text is what the challenge HMAC covers).
 *
 * | element | canonical form (RFC 8785 §3.2)                                                   |
 * | ------- | -------------------------------------------------------------------------------- |
 * | object  | members sorted by name as UTF-16 code units (§3.2.3), no whitespace              |
 * | array   | order kept                                                                       |
 * | string  | ECMAScript JSON.stringify: only `"`, `\` and U+0000–U+001F escaped (\b \f \n \r \t shorthands, else lowercase \u00xx) |
 * | number  | ECMAScript Number-to-string of the IEEE 754 double (§3.2.2.3): shortest round-trip, 1e+21 / 1e-7 forms, -0 → 0 |
 * | literal | true, false, null                                                                |
 *
 * JavaScript is the reference here: the spec defers to ECMAScript for strings and numbers, and the
 * default string sort compares UTF-16 code units. A client only echoes `request` verbatim; this is
 * for servers that mint challenges (the demo) and for the cross-implementation vectors.
 */
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('l402');

function write(v: unknown): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw err('L402_CHALLENGE_INVALID', 'JCS cannot carry a non-finite number', String(v));
    return JSON.stringify(v); // ECMAScript Number::toString, and -0 → "0"
  }
  if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const names = Object.keys(o).sort(); // code-unit order, as §3.2.3 asks
    return `{${names.map((k) => `${JSON.stringify(k)}:${write(o[k])}`).join(',')}}`;
  }
  throw err('L402_CHALLENGE_INVALID', 'JCS cannot carry a value of type', typeof v);
}

/** The canonical form of a parsed JSON value (objects, arrays, strings, finite numbers, literals). */
export function canonicalize(value: unknown): string {
  return write(value);
}

/** JSON text → its canonical text; throws L402_CHALLENGE_INVALID when the text is not JSON. */
export function canonicalizeJson(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw err('L402_CHALLENGE_INVALID', 'not JSON', text);
  }
  return write(parsed);
}

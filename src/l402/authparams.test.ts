/**
 * RFC 9110 §11 challenge lists: what a browser hands the wallet after joining header lines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSatnavError } from '../errors.ts';
import { thrownCode } from '../testing/expect-code.ts';
import { formatAuthChallenge, MAX_CHALLENGE_LENGTH, parseAuthChallenges, quoteAuthParam } from './authparams.ts';

const plain = (v: string) => parseAuthChallenges(v).map((c) => ({ ...c, params: { ...c.params } }));

describe('parseAuthChallenges', () => {
  it('reads the L402 spec form', () => {
    expect(plain('L402 version="0", token="AgE=", invoice="lnbc1"')).toEqual([
      { scheme: 'L402', params: { version: '0', token: 'AgE=', invoice: 'lnbc1' }, duplicates: [] },
    ]);
  });
  it("splits Aperture's LSAT and L402 lines as fetch joins them", () => {
    const v = 'LSAT macaroon="AgE=", invoice="lnbc1", L402 macaroon="AgE=", invoice="lnbc1"';
    expect(plain(v).map((c) => [c.scheme, c.params])).toEqual([
      ['LSAT', { macaroon: 'AgE=', invoice: 'lnbc1' }],
      ['L402', { macaroon: 'AgE=', invoice: 'lnbc1' }],
    ]);
  });
  it('keeps a Payment challenge beside them apart', () => {
    const v = 'L402 token="AgE=", invoice="lnbc1", Payment id="x", realm="r, L402 token=evil", method=lightning';
    expect(plain(v).map((c) => c.scheme)).toEqual(['L402', 'Payment']);
    expect(plain(v)[1]?.params.realm).toBe('r, L402 token=evil');
  });
  it('unescapes quoted-pairs: \\" and \\\\ and any other escaped octet', () => {
    expect(plain('X a="say \\"hi\\"", b="c:\\\\d", c="\\x"')[0]?.params).toEqual({ a: 'say "hi"', b: 'c:\\d', c: 'x' });
  });
  it('keeps commas and equals signs inside quotes', () => {
    expect(plain('X a="1,2=3", b=4')[0]?.params).toEqual({ a: '1,2=3', b: '4' });
  });
  it('lowercases parameter names and keeps the scheme as sent', () => {
    expect(plain('lSaT MACAROON="m", Invoice="i"')).toEqual([{ scheme: 'lSaT', params: { macaroon: 'm', invoice: 'i' }, duplicates: [] }]);
  });
  it('keeps the first of a repeated parameter and reports it', () => {
    expect(plain('L402 invoice="a", INVOICE="b", invoice="c"')).toEqual([{ scheme: 'L402', params: { invoice: 'a' }, duplicates: ['invoice'] }]);
  });
  it('reads token68 (Basic, Bearer) and ends the challenge there', () => {
    expect(plain('Bearer abc.def-_~+/==, Basic YWxhZGRpbjpvcGVuc2VzYW1l')).toEqual([
      { scheme: 'Bearer', token68: 'abc.def-_~+/==', params: {}, duplicates: [] },
      { scheme: 'Basic', token68: 'YWxhZGRpbjpvcGVuc2VzYW1l', params: {}, duplicates: [] },
    ]);
  });
  it('tells token68 "abc=" from a parameter "abc=value"', () => {
    expect(plain('A abc=, B abc=d')).toEqual([
      { scheme: 'A', token68: 'abc=', params: {}, duplicates: [] },
      { scheme: 'B', params: { abc: 'd' }, duplicates: [] },
    ]);
  });
  it('accepts bare schemes, empty list elements, tabs and space around "="', () => {
    expect(plain(' ,Negotiate, ,\tX a = "1" ,\tb\t=\t2 ,')).toEqual([
      { scheme: 'Negotiate', params: {}, duplicates: [] },
      { scheme: 'X', params: { a: '1', b: '2' }, duplicates: [] },
    ]);
  });
  it('accepts obs-text (octets 0x80–0xFF, as fetch gives UTF-8 bytes) and tabs inside quotes', () => {
    expect(plain('X a="caf\u00c3\u00a9\tok"')[0]?.params.a).toBe('caf\u00c3\u00a9\tok');
  });
  it('keeps a parameter named __proto__ as an ordinary value', () => {
    const [c] = parseAuthChallenges('X __proto__="p", constructor=c');
    expect(c?.params.__proto__).toBe('p');
    expect(Object.getPrototypeOf(c?.params)).toBeNull();
  });
  it('reads an empty value as nothing at all', () => expect(parseAuthChallenges('')).toEqual([]));

  const malformed: [string, string][] = [
    ['an unterminated quoted-string', 'L402 token="abc, invoice="x"'],
    ['a lone backslash at the end', 'L402 token="abc\\'],
    ['a parameter before any scheme', 'token="abc", L402 invoice="x"'],
    ['a parameter after token68', 'Bearer abc, realm="x"'],
    ['a parameter without a value', 'L402 token=, invoice="x"'],
    ['text after a quoted value', 'L402 token="a"b, invoice="x"'],
    ['text after token68', 'Bearer abc def'],
    ['a CR inside quotes', 'L402 token="a\rb"'],
    ['a LF inside quotes', 'L402 token="a\nb"'],
    ['a NUL inside quotes', 'L402 token="a\u0000b"'],
    ['DEL inside quotes', 'L402 token="a\u007fb"'],
    ['an escaped LF', 'L402 token="a\\\nb"'],
    ['a character above U+00FF', 'L402 token="\u20ac"'],
    ['a separator where a scheme should be', 'L402 token="a", ;x'],
    ['a quote where a scheme should be', '"L402" token=a'],
    ['a scheme glued to a quote', 'L402"x"'],
    ['a value that is neither token nor quoted', 'L402 token=@x'],
  ];
  for (const [name, v] of malformed) it(`refuses ${name}`, () => expect(thrownCode(() => parseAuthChallenges(v))).toBe('L402_CHALLENGE_INVALID'));
  it('refuses a value longer than any real challenge list', () =>
    expect(thrownCode(() => parseAuthChallenges(`X a="${'a'.repeat(MAX_CHALLENGE_LENGTH)}"`))).toBe('L402_CHALLENGE_INVALID'));
  it('refuses a non-string', () => expect(thrownCode(() => parseAuthChallenges(42 as unknown as string))).toBe('L402_CHALLENGE_INVALID'));
});

describe('quoteAuthParam / formatAuthChallenge', () => {
  it('escapes only the quote and the backslash', () => expect(quoteAuthParam('a"b\\c\td\u00e9')).toBe('"a\\"b\\\\c\td\u00e9"'));
  it('writes a scheme with its parameters', () => expect(formatAuthChallenge('L402', [['macaroon', 'm'], ['invoice', 'i']])).toBe('L402 macaroon="m", invoice="i"'));
  it('writes a bare scheme', () => expect(formatAuthChallenge('Negotiate', [])).toBe('Negotiate'));
  for (const bad of ['a\r\nb', '\u0000', '\u007f', '\u20ac'])
    it(`refuses to write ${JSON.stringify(bad)}`, () => expect(thrownCode(() => quoteAuthParam(bad))).toBe('L402_CHALLENGE_INVALID'));
  it('refuses a scheme or a name that is not a token', () => {
    expect(thrownCode(() => formatAuthChallenge('L 402', []))).toBe('L402_CHALLENGE_INVALID');
    expect(thrownCode(() => formatAuthChallenge('L402', [['a b', 'c']]))).toBe('L402_CHALLENGE_INVALID');
  });
});

// ---- properties ---------------------------------------------------------------------------------

const tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
const token = fc.array(fc.constantFrom(...tchars), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const quotable = fc.oneof(
  fc.constantFrom('"', '\\', ',', '=', ' ', '\t', 'L402 ', 'Payment id=', '\u00e9', '\u00ff'),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
);
const value = fc.array(quotable, { maxLength: 12 }).map((a) => a.join(''));
const challenge = fc.record({ scheme: token, params: fc.uniqueArray(fc.tuple(token, value), { maxLength: 5, selector: ([n]) => n.toLowerCase() }) });

describe('properties', () => {
  it('writing then parsing gives back every scheme and every value, however they are escaped', () => {
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 4 }), (list) => {
        const joined = list.map((c) => formatAuthChallenge(c.scheme, c.params)).join(', ');
        const parsed = parseAuthChallenges(joined);
        expect(parsed.map((c) => c.scheme)).toEqual(list.map((c) => c.scheme));
        parsed.forEach((c, i) => expect({ ...c.params }).toEqual(Object.fromEntries(list[i]!.params.map(([n, v]) => [n.toLowerCase(), v]))));
      }),
    );
  });
  it('any string either parses or throws L402_CHALLENGE_INVALID, never anything else', () => {
    const alphabet = fc.constantFrom(...'L402 Payment token="=,\\\t\r\n\u00ff\u0100abc'.split(''), 'L402 ', 'invoice="', '", ');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 40 }).map((a) => a.join(''))), (s) => {
        try {
          parseAuthChallenges(s);
        } catch (e) {
          expect(isSatnavError(e) && e.code).toBe('L402_CHALLENGE_INVALID');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

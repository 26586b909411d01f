import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import luds from '../../test-vectors/luds.json' with { type: 'json' };
import { linkingKeyFor, linkingPathSuffix, verifyK1 } from '../keys/lnurl-auth.ts';
import { rootFromSeed } from '../keys/root.ts';
import { codeOf, thrownCode } from '../testing/expect-code.ts';
import { parseLoginUrl, signedAuthUrl, submitAuth, type LoginParams } from './auth.ts';
import { encodeLnurl } from './decode.ts';
import { fetchLnurlParams } from './params.ts';
import { fakeService, type Answer } from './testing.ts';

// LUD-04 "Signature check examples" and LUD-05 "Test Vector" (test-vectors/luds.json).
const LUD04 = luds.lud04.signatureCheck;
const LUD05 = luds.lud05.testVector;

const root = rootFromSeed(hexToBytes('000102030405060708090a0b0c0d0e0f'));
const LOGIN_URL = `https://${LUD05.domain}/lnurl-login?tag=login&k1=${LUD04.k1}&action=login`;

async function loginParams(lnurl: string): Promise<LoginParams> {
  const svc = fakeService({});
  const params = await fetchLnurlParams(lnurl, { fetch: svc.fetch });
  expect(svc.calls).toHaveLength(0); // LUD-04: tag=login means no GET yet
  if (params.tag !== 'login') throw new Error(`expected login, got ${params.tag}`);
  return params;
}

describe('LUD-04/05 vectors', () => {
  it(`a login LNURL at ${LUD05.domain} gives the LUD-05 domain → pathSuffix ${LUD05.pathSuffix.join(', ')}`, async () => {
    const params = await loginParams(encodeLnurl(LOGIN_URL).toUpperCase());
    expect(params).toEqual({ tag: 'login', url: LOGIN_URL, domain: LUD05.domain, k1: LUD04.k1, action: 'login' });
    expect(linkingPathSuffix(hexToBytes(LUD05.hashingPrivKey), params.domain)).toEqual(LUD05.pathSuffix);
  });

  it('the LUD-04 example signature passes the service check (verifyK1)', () => {
    expect(verifyK1(LUD04.k1, LUD04.sig, LUD04.key)).toBe(true);
  });

  it('signing the LUD-04 k1 yields a DER signature the same check accepts', async () => {
    const params = await loginParams(encodeLnurl(LOGIN_URL));
    const linkingKey = linkingKeyFor(root, params.domain);
    const signed = new URL(signedAuthUrl(params, linkingKey));
    const sig = signed.searchParams.get('sig')!;
    const key = signed.searchParams.get('key')!;
    expect(sig).toMatch(/^30[0-9a-f]+$/); // DER SEQUENCE
    expect(key).toBe(bytesToHex(linkingKey.publicKey!));
    expect(verifyK1(LUD04.k1, sig, key)).toBe(true);
    expect(verifyK1(LUD04.k1, sig, LUD04.key)).toBe(false);
  });
});

describe('login parameters', () => {
  const k1 = 'ab'.repeat(32);

  it('action is optional', async () => {
    expect(await loginParams(encodeLnurl(`https://site.com/a?tag=login&k1=${k1}`))).toEqual({
      tag: 'login',
      url: `https://site.com/a?tag=login&k1=${k1}`,
      domain: 'site.com',
      k1,
    });
  });

  for (const action of ['register', 'login', 'link', 'auth']) {
    it(`action=${action}`, () => expect(parseLoginUrl(`https://site.com/a?tag=login&k1=${k1}&action=${action}`).action).toBe(action));
  }

  it('keyauth:// (LUD-17) works the same', async () => {
    expect((await loginParams(`keyauth://auth.site.com/a?tag=login&k1=${k1}`)).domain).toBe('auth.site.com');
  });

  it('the domain drops the FQDN final dot (LUD-05)', () => {
    expect(parseLoginUrl(`https://x.y.z.com./a?tag=login&k1=${k1}`).domain).toBe('x.y.z.com');
  });

  const bad: Array<[why: string, url: string, message: RegExp]> = [
    ['no k1', 'https://site.com/a?tag=login', /k1 must be 32 bytes hex=$/],
    ['a short k1', `https://site.com/a?tag=login&k1=${'ab'.repeat(31)}`, /k1 must be 32 bytes hex/],
    ['a long k1', `https://site.com/a?tag=login&k1=${'ab'.repeat(33)}`, /k1 must be 32 bytes hex/],
    ['a k1 that is not hex', `https://site.com/a?tag=login&k1=${'zz'.repeat(32)}`, /k1 must be 32 bytes hex/],
    ['an unknown action', `https://site.com/a?tag=login&k1=${k1}&action=delete`, /action must be one of register, login, link, auth=delete/],
    ['http', `http://site.com/a?tag=login&k1=${k1}`, /must be https/],
    ['no tag=login', `https://site.com/a?k1=${k1}`, /needs tag=login/],
  ];
  for (const [why, url, message] of bad) {
    it(`LNURL_INVALID for ${why}`, () => {
      expect(thrownCode(() => parseLoginUrl(url))).toBe('LNURL_INVALID');
      expect(() => parseLoginUrl(url)).toThrow(message);
    });
  }

  it('a bad k1 in an LNURL fails before any request', async () => {
    const svc = fakeService({});
    expect(await codeOf(fetchLnurlParams(encodeLnurl('https://site.com/a?tag=login&k1=00'), { fetch: svc.fetch }))).toBe('LNURL_INVALID');
    expect(svc.calls).toHaveLength(0);
  });
});

describe('signing and sending the login', () => {
  const k1 = 'cd'.repeat(32);
  const url = `https://site.com/auth?tag=login&k1=${k1}&action=register&extra=a%2Fb`;
  const params = parseLoginUrl(url);
  const linkingKey = linkingKeyFor(root, params.domain);

  it('appends sig and key, keeping the query as it was', () => {
    const signed = signedAuthUrl(params, linkingKey);
    expect(signed.startsWith(`${url}&sig=`)).toBe(true);
    expect(signed).toMatch(/&sig=30[0-9a-f]+&key=0[23][0-9a-f]{64}$/);
  });

  it('the signature depends on the linking key: another domain, another key', () => {
    const other = linkingKeyFor(root, 'other.com');
    const key = (u: string) => new URL(u).searchParams.get('key');
    expect(key(signedAuthUrl(params, other))).not.toBe(key(signedAuthUrl(params, linkingKey)));
  });

  it('a changed url in params is re-checked', () => {
    expect(thrownCode(() => signedAuthUrl({ ...params, url: `http://site.com/auth?tag=login&k1=${k1}` }, linkingKey))).toBe('LNURL_INVALID');
  });

  function service(answer: Answer) {
    return fakeService({ 'https://site.com/auth': answer });
  }

  it('submitAuth GETs the signed URL and resolves on status OK', async () => {
    const svc = service({ json: { status: 'OK' } });
    await submitAuth(params, linkingKey, { fetch: svc.fetch });
    expect(svc.calls.map((c) => c.url.href)).toEqual([signedAuthUrl(params, linkingKey)]);
    expect(svc.calls[0]!.init).toMatchObject({ credentials: 'omit' });
  });

  const badAnswers: Array<[why: string, answer: Answer, code: string]> = [
    ['status ERROR', { json: { status: 'ERROR', reason: 'k1 expired' } }, 'LNURL_SERVICE_ERROR'],
    ['no status', { json: { ok: true } }, 'LNURL_BAD_RESPONSE'],
    ['not JSON', { text: 'logged in' }, 'LNURL_BAD_RESPONSE'],
    ['a refused connection', { unreachable: true }, 'LNURL_UNREACHABLE'],
  ];
  for (const [why, answer, code] of badAnswers) {
    it(`${code} for ${why}`, async () => expect(await codeOf(submitAuth(params, linkingKey, { fetch: service(answer).fetch }))).toBe(code));
  }

  it('the service reason reaches the caller', async () => {
    await expect(submitAuth(params, linkingKey, { fetch: service({ json: { status: 'ERROR', reason: 'k1 expired' } }).fetch })).rejects.toMatchObject({
      details: { reason: 'k1 expired' },
    });
  });
});

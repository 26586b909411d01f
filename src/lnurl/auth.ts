/**
 * LUD-04 LNURL-auth, wallet side. The login link carries everything (no first GET):
 *
 * | query  | value                                                 |
 * | ------ | ----------------------------------------------------- |
 * | tag    | login                                                 |
 * | k1     | 32 bytes hex: the challenge                           |
 * | action | optional: register, login, link or auth               |
 *
 * The wallet signs k1 with the domain's LUD-05 linking key and GETs the same URL with
 * `&sig=<DER hex>&key=<compressed pubkey hex>` appended; the service answers status OK.
 */
import type { HDKey } from '@scure/bip32';
import { moduleErrors } from '../errors.ts';
import { lnurlAuthDomain, signK1 } from '../keys/lnurl-auth.ts';
import { expectOk, getJson, type LnurlFetchOptions } from './http.ts';
import { checkServiceUrl, withQuery, type LnurlOptions } from './service-url.ts';

const err = moduleErrors('lnurl');

export const AUTH_ACTIONS = ['register', 'login', 'link', 'auth'] as const;
export type AuthAction = (typeof AUTH_ACTIONS)[number];

export interface LoginParams {
  tag: 'login';
  /** The login URL as decoded; signed and called as is. */
  url: string;
  /** LUD-05 domain: derive the linking key with `linkingKeyFor(root, domain)`, and show it. */
  domain: string;
  k1: string;
  action?: AuthAction;
}

const K1_HEX = /^[0-9a-f]{64}$/i;

/** Reads a tag=login URL; LNURL_INVALID when k1 or action is missing or wrong. */
export function parseLoginUrl(raw: string, opts: LnurlOptions = {}): LoginParams {
  const url = checkServiceUrl(raw, 'login URL', opts);
  const q = url.searchParams;
  if (q.get('tag') !== 'login') throw err('LNURL_INVALID', 'login URL needs tag=login', raw);
  const k1 = q.get('k1') ?? '';
  if (!K1_HEX.test(k1)) throw err('LNURL_INVALID', 'login challenge k1 must be 32 bytes hex', k1);
  const action = q.get('action');
  if (action !== null && !isAction(action)) throw err('LNURL_INVALID', `login action must be one of ${AUTH_ACTIONS.join(', ')}`, action);
  return { tag: 'login', url: url.href, domain: lnurlAuthDomain(url.hostname), k1, ...(action !== null && { action }) };
}

/** The URL to GET: the login URL with `sig` and `key` appended (its own query kept as is). */
export function signedAuthUrl(params: LoginParams, linkingKey: HDKey, opts: LnurlOptions = {}): string {
  // Re-read: params may have crossed a message boundary since they were parsed.
  const login = parseLoginUrl(params.url, opts);
  const { sig, key } = signK1(linkingKey, login.k1);
  return withQuery(new URL(login.url), { sig, key });
}

/** Signs and sends the login; resolves when the service answers status OK. */
export async function submitAuth(params: LoginParams, linkingKey: HDKey, opts: LnurlFetchOptions = {}): Promise<void> {
  expectOk(await getJson(signedAuthUrl(params, linkingKey, opts), opts), 'login');
}

const isAction = (s: string): s is AuthAction => (AUTH_ACTIONS as readonly string[]).includes(s);

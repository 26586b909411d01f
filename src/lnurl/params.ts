/**
 * The first step of every LNURL: decode, then GET the service for its parameters (LUD-01), or,
 * for tag=login, read them from the link itself (LUD-04).
 *
 * | tag             | fields (amounts in msat, whole numbers)                                  | LUD    |
 * | --------------- | ------------------------------------------------------------------------ | ------ |
 * | payRequest      | callback, minSendable ≥ 1, maxSendable ≥ min, metadata, commentAllowed?  | 06, 12 |
 * | withdrawRequest | callback, k1, defaultDescription, minWithdrawable ≥ 0, maxWithdrawable ≥ min | 03 |
 * | login           | from the link's query: k1, action?                                       | 04     |
 *
 * Callbacks follow the same https rule as the LNURL itself, and must be on the host that answered
 * (redirects are never followed, so that is the LNURL's own host): the domain the person is shown
 * is then the one that hands out the invoice or pays one. channelRequest (LUD-02) and unknown tags
 * are LNURL_UNSUPPORTED; a tag other than the one a LUD-17 scheme or address promised is
 * LNURL_BAD_RESPONSE.
 */
import { moduleErrors } from '../errors.ts';
import { parseLoginUrl, type LoginParams } from './auth.ts';
import { decodeLnurl, type Lnurl } from './decode.ts';
import { getJson, type JsonObject, type LnurlFetchOptions } from './http.ts';
import { parsePayMetadata, type PayMetadata } from './metadata.ts';
import { checkCallback, checkServiceUrl, type LnurlOptions } from './service-url.ts';

const err = moduleErrors('lnurl');
const bad = (problem: string, value?: unknown) => err('LNURL_BAD_RESPONSE', problem, value);

export interface PayParams {
  tag: 'payRequest';
  /** Host that answered, and that the callback is on: the payment dialog must show it (LUD-06). */
  domain: string;
  /** Set when the LNURL was a lightning address (LUD-16). */
  address?: string;
  callback: string;
  minSendable: number;
  maxSendable: number;
  /** The metadata string exactly as sent: an invoice's description hash commits to these bytes. */
  metadata: string;
  /** The same, read. */
  meta: PayMetadata;
  /** Longest comment the service takes, in characters; 0: none (LUD-12). */
  commentAllowed: number;
}

export interface WithdrawParams {
  tag: 'withdrawRequest';
  domain: string;
  callback: string;
  k1: string;
  defaultDescription: string;
  /** 0 and 0: nothing to withdraw right now (LUD-03). */
  minWithdrawable: number;
  maxWithdrawable: number;
}

export type LnurlParams = PayParams | WithdrawParams | LoginParams;

/** Decodes `lnurl` if needed, then reads its parameters. */
export async function fetchLnurlParams(lnurl: string | Lnurl, opts: LnurlFetchOptions = {}): Promise<LnurlParams> {
  const given = typeof lnurl === 'string' ? decodeLnurl(lnurl, opts) : lnurl;
  // A decoded Lnurl may have crossed a message boundary: its URL is checked again, its domain re-read.
  const url = checkServiceUrl(given.url, 'LNURL', opts);
  const link: Lnurl = { ...given, url: url.href, domain: url.hostname };
  if (url.searchParams.get('tag') === 'login') {
    if (link.expectedTag !== undefined && link.expectedTag !== 'login') throw err('LNURL_INVALID', `${link.expectedTag} link holds a login`, link.url);
    return parseLoginUrl(link.url, opts);
  }
  if (link.expectedTag === 'login') throw err('LNURL_INVALID', 'login link needs tag=login', link.url);
  const body = await getJson(url.href, opts);
  const tag = body.tag;
  if (typeof tag !== 'string') throw bad('service answer has no tag', url.host);
  if (link.expectedTag !== undefined && tag !== link.expectedTag) throw bad(`${link.expectedTag} link answered with tag`, tag);
  switch (tag) {
    case 'payRequest':
      return payParams(body, link, opts);
    case 'withdrawRequest':
      return withdrawParams(body, link, opts);
    default:
      throw err('LNURL_UNSUPPORTED', 'this kind of LNURL is not supported', tag);
  }
}

function payParams(body: JsonObject, link: Lnurl, opts: LnurlOptions): PayParams {
  const minSendable = wholeNumber(body, 'minSendable');
  const maxSendable = wholeNumber(body, 'maxSendable');
  if (minSendable < 1) throw bad('minSendable must be at least 1 msat', minSendable);
  if (minSendable > maxSendable) throw bad('minSendable is above maxSendable', `${minSendable} > ${maxSendable}`);
  const metadata = text(body, 'metadata');
  const commentAllowed = body.commentAllowed === undefined ? 0 : wholeNumber(body, 'commentAllowed');
  return {
    tag: 'payRequest',
    domain: link.domain,
    ...(link.address !== undefined && { address: link.address }),
    callback: checkCallback(text(body, 'callback'), link.domain, opts, 'LNURL_BAD_RESPONSE').href,
    minSendable,
    maxSendable,
    metadata,
    meta: parsePayMetadata(metadata),
    commentAllowed,
  };
}

function withdrawParams(body: JsonObject, link: Lnurl, opts: LnurlOptions): WithdrawParams {
  const minWithdrawable = wholeNumber(body, 'minWithdrawable');
  const maxWithdrawable = wholeNumber(body, 'maxWithdrawable');
  if (minWithdrawable > maxWithdrawable) throw bad('minWithdrawable is above maxWithdrawable', `${minWithdrawable} > ${maxWithdrawable}`);
  const k1 = text(body, 'k1');
  if (k1 === '') throw bad('k1 is empty');
  return {
    tag: 'withdrawRequest',
    domain: link.domain,
    callback: checkCallback(text(body, 'callback'), link.domain, opts, 'LNURL_BAD_RESPONSE').href,
    k1,
    // Required by LUD-03, yet some services leave it out; an empty default only changes the memo.
    defaultDescription: body.defaultDescription === undefined ? '' : text(body, 'defaultDescription'),
    minWithdrawable,
    maxWithdrawable,
  };
}

function text(body: JsonObject, field: string): string {
  const v = body[field];
  if (typeof v !== 'string') throw bad(`${field} must be text`, v ?? '(missing)');
  return v;
}

/** A whole, non-negative number that JS holds exactly. */
function wholeNumber(body: JsonObject, field: string): number {
  const v = body[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`${field} must be a whole number ≥ 0`, v ?? '(missing)');
  return v;
}

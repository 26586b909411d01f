import type { ServerResponse } from 'node:http';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { DevnetControl } from '../devnet/index.ts';
import { decodeInvoice } from '../src/bolt11/index.ts';
import { verifyK1 } from '../src/keys/lnurl-auth.ts';
import { encodeLnurl } from '../src/lnurl/index.ts';

/**
 * The Lightning Times' LNURL service for the demo: a reward to claim (LNURL-withdraw, paid from
 * dave), a tip jar and lightning address (LNURL-pay, invoiced by carol), and a login (LNURL-auth).
 * Mounted under /lnurl/ and /.well-known/lnurlp/; errors answer `{status:"ERROR", reason}`.
 *
 * | route                                        | does                                               |
 * | -------------------------------------------- | -------------------------------------------------- |
 * | GET /lnurl/codes                             | { withdraw, pay, login, address }: what to show    |
 * | GET /lnurl/withdraw                          | withdrawRequest, 21–500 sat, a fresh single-use k1 |
 * | GET /lnurl/withdraw/cb?k1=&pr=               | dave pays pr, once per k1                          |
 * | GET /lnurl/pay, /.well-known/lnurlp/tips     | payRequest, 1–100,000 sat, comments ≤ 140          |
 * | GET /lnurl/pay/cb?amount=<msat>&comment=     | carol's invoice, successAction "Thanks!"           |
 * | GET /lnurl/pay/cb?for=address&amount=…       | the same, the lightning address's callback         |
 * | GET /lnurl/login                             | { lnurl, k1 }: a fresh login challenge             |
 * | GET /lnurl/login/cb?tag=login&k1=&sig=&key=  | checks the signature, records the key              |
 * | GET /lnurl/login/status?k1=                  | { loggedIn, key? }                                 |
 *
 * `baseUrl()` is read per request: the port is known only once the server listens.
 *
 * carol's invoices commit to the payRequest's metadata (LUD-06): their `h` tag is sha256 of the
 * exact metadata string the wallet was served, and the comment goes only into her invoice's memo.
 * The lightning address (LUD-16) adds its `text/identifier` to the metadata, so its callback
 * carries `for=address` to know which metadata to hash.
 */
const REWARD_MSAT = { min: 21_000, max: 500_000 };
const TIP_MSAT = { min: 1_000, max: 100_000_000 };
const TIP_TEXT = 'Tip the Lightning Times';
const COMMENT_ALLOWED = 140;
const ADDRESS_USER = 'tips';
/** The payRequest routes, each with its own metadata; the callback's `for` names the route. */
type PayRoute = 'lnurl' | 'address';
/** Open challenges kept per kind; the oldest go first, so a busy demo cannot grow memory. */
const MAX_CHALLENGES = 1000;

type Reward = 'open' | 'claimed';
/** null until a wallet logs in, then its linking key. */
type Login = string | null;

class LnurlRefusal extends Error {}

export function lnurlApi(control: DevnetControl, baseUrl: () => string) {
  const rewards = new Map<string, Reward>();
  const logins = new Map<string, Login>();

  const loginLnurl = () => {
    const k1 = newChallenge(logins, null);
    return { lnurl: encodeLnurl(`${baseUrl()}/lnurl/login/cb?tag=login&k1=${k1}&action=login`), k1 };
  };

  /** The metadata string as served: the invoice's `h` tag is the hash of exactly these bytes. */
  const payMetadata = (via: PayRoute): string =>
    JSON.stringify([['text/plain', TIP_TEXT], ...(via === 'address' ? [['text/identifier', addressOf(baseUrl())]] : [])]);

  const payRequest = (via: PayRoute) => ({
    tag: 'payRequest',
    callback: via === 'address' ? `${baseUrl()}/lnurl/pay/cb?for=address` : `${baseUrl()}/lnurl/pay/cb`,
    minSendable: TIP_MSAT.min,
    maxSendable: TIP_MSAT.max,
    metadata: payMetadata(via),
    commentAllowed: COMMENT_ALLOWED,
  });

  async function claimReward(k1: string, pr: string) {
    const state = rewards.get(k1);
    if (state === undefined) throw new LnurlRefusal('unknown reward (k1)');
    if (state === 'claimed') throw new LnurlRefusal('this reward was already claimed');
    const amount = invoiceAmountMsat(pr);
    if (amount === null || amount < REWARD_MSAT.min || amount > REWARD_MSAT.max) {
      throw new LnurlRefusal(`the reward is ${REWARD_MSAT.min / 1000}–${REWARD_MSAT.max / 1000} sat`);
    }
    rewards.set(k1, 'claimed'); // before paying: a second request with this k1 must fail now
    // Paid before answering (LUD-03 also lets a service pay afterwards): a failure then reaches
    // the wallet instead of being lost, and the k1 opens again for another try.
    const outcome = await control.payInvoice('dave', pr).catch((e: unknown) => ({ status: 'FAILED', failureReason: (e as Error).message }));
    if (outcome.status === 'FAILED') {
      rewards.set(k1, 'open');
      throw new LnurlRefusal(`payment failed: ${outcome.failureReason}`);
    }
    return { status: 'OK' };
  }

  async function tipInvoice(q: URLSearchParams) {
    const via = q.get('for') ?? 'lnurl';
    if (via !== 'lnurl' && via !== 'address') throw new LnurlRefusal('unknown pay route (for)');
    const amount = Number(q.get('amount'));
    if (!Number.isSafeInteger(amount) || amount < TIP_MSAT.min || amount > TIP_MSAT.max) {
      throw new LnurlRefusal(`amount must be ${TIP_MSAT.min}–${TIP_MSAT.max} msat`);
    }
    // carol's invoices are in whole sats; any other amount would not match the invoice.
    if (amount % 1000 !== 0) throw new LnurlRefusal('amount must be whole sats');
    const comment = q.get('comment') ?? '';
    if ([...comment].length > COMMENT_ALLOWED) throw new LnurlRefusal(`comment longer than ${COMMENT_ALLOWED} characters`);
    const memo = comment === '' ? TIP_TEXT : `${TIP_TEXT}: ${comment}`;
    const descriptionHash = bytesToHex(sha256(utf8ToBytes(payMetadata(via))));
    const { paymentRequest } = await control.createInvoice('carol', { amountSat: amount / 1000, memo, descriptionHash });
    return { pr: paymentRequest, routes: [], successAction: { tag: 'message', message: 'Thanks!' } };
  }

  function login(q: URLSearchParams) {
    const k1 = q.get('k1') ?? '';
    const state = logins.get(k1);
    if (state === undefined) throw new LnurlRefusal('unknown login challenge (k1)');
    if (state !== null) throw new LnurlRefusal('this login challenge was already used');
    const key = q.get('key') ?? '';
    if (!verifyK1(k1, q.get('sig') ?? '', key)) throw new LnurlRefusal('signature does not verify');
    logins.set(k1, key.toLowerCase());
    return { status: 'OK' };
  }

  async function route(url: URL): Promise<unknown> {
    const q = url.searchParams;
    switch (url.pathname) {
      case '/lnurl/codes':
        return {
          withdraw: encodeLnurl(`${baseUrl()}/lnurl/withdraw`),
          pay: encodeLnurl(`${baseUrl()}/lnurl/pay`),
          // A fresh challenge each time; a page that follows the login uses /lnurl/login.
          login: loginLnurl().lnurl,
          address: addressOf(baseUrl()),
        };
      case '/lnurl/withdraw':
        return {
          tag: 'withdrawRequest',
          callback: `${baseUrl()}/lnurl/withdraw/cb`,
          k1: newChallenge(rewards, 'open'),
          defaultDescription: 'Lightning Times reward',
          minWithdrawable: REWARD_MSAT.min,
          maxWithdrawable: REWARD_MSAT.max,
        };
      case '/lnurl/withdraw/cb':
        return claimReward(q.get('k1') ?? '', q.get('pr') ?? '');
      case '/lnurl/pay':
        return payRequest('lnurl');
      case `/.well-known/lnurlp/${ADDRESS_USER}`:
        return payRequest('address');
      case '/lnurl/pay/cb':
        return tipInvoice(q);
      case '/lnurl/login':
        return loginLnurl();
      case '/lnurl/login/cb':
        return login(q);
      case '/lnurl/login/status': {
        const key = logins.get(q.get('k1') ?? '');
        return typeof key === 'string' ? { loggedIn: true, key } : { loggedIn: false };
      }
      default:
        throw new LnurlRefusal('no such route');
    }
  }

  return async (url: URL, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown) => {
      // newer LUD-01: browser-based wallets need CORS on every LNURL endpoint.
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': '*' })
        .end(JSON.stringify(body));
    };
    try {
      send(200, await route(url));
    } catch (e) {
      send(e instanceof LnurlRefusal ? 400 : 500, { status: 'ERROR', reason: (e as Error).message });
    }
  };
}

function newChallenge<V>(open: Map<string, V>, initial: V): string {
  const k1 = bytesToHex(randomBytes(32));
  open.set(k1, initial);
  const oldest = open.keys().next().value;
  if (open.size > MAX_CHALLENGES && oldest !== undefined) open.delete(oldest);
  return k1;
}

function invoiceAmountMsat(pr: string): number | null {
  try {
    const { amountMsat } = decodeInvoice(pr);
    return amountMsat === null ? null : Number(amountMsat);
  } catch {
    throw new LnurlRefusal('pr is not a Lightning invoice');
  }
}

const addressOf = (base: string) => `${ADDRESS_USER}@${new URL(base).host}`;

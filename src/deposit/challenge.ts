/**
 * The `Deposit` scheme of a `WWW-Authenticate` value (docs/deposit-wall.md). Reuses the RFC 9110
 * parser of src/l402; any other scheme in the same value is ignored here.
 */
import { decodeInvoice, type Invoice } from '../bolt11/bolt11.ts';
import { isSatnavError, moduleErrors } from '../errors.ts';
import { parseAuthChallenges } from '../l402/authparams.ts';

const err = moduleErrors('deposit');
const fail = (problem: string, value?: unknown) => err('DEPOSIT_CHALLENGE_INVALID', problem, value);

export interface DepositChallenge {
  readonly realm: string;
  readonly invoice: Invoice;
  readonly amountSat: number;
  readonly maxHoldSeconds: number;
  readonly maxCltv: number;
  readonly idleSeconds: number;
  readonly release: string;
  readonly status: string;
  readonly forfeit: string;
  readonly nonce: string;
}

const NONCE = /^[0-9a-f]{64}$/;
const UINT = /^(0|[1-9][0-9]{0,9})$/;

function uint(params: Readonly<Record<string, string>>, name: string): number {
  const v = params[name];
  if (v === undefined) throw fail(`missing ${name}`);
  if (!UINT.test(v)) throw fail(`${name} is not a decimal integer`, v);
  const n = Number(v);
  if (n > 0xffffffff) throw fail(`${name} too large`, v);
  return n;
}

/** What the wallet keeps of a challenge has bounds (src/deposit/book.ts): longer is refused here, clearly. */
const MAX_URL = 2048;
const MAX_TERMS = 2048;
const MAX_INVOICE = 4096;

function sameOriginUrl(params: Readonly<Record<string, string>>, name: string, origin: string): string {
  const v = params[name];
  if (v === undefined) throw fail(`missing ${name}`);
  if (v.length > MAX_URL) throw fail(`${name} longer than ${MAX_URL}`, v.length);
  let u: URL;
  try {
    u = new URL(v, origin);
  } catch {
    throw fail(`${name} is not a URL`, v);
  }
  if (u.origin !== origin) throw fail(`${name} is not on the challenging origin`, v);
  if (u.href.length > MAX_URL) throw fail(`${name} longer than ${MAX_URL}`, u.href.length);
  return u.href;
}

/** True when some `WWW-Authenticate` line offers the Deposit scheme (cheap: the 402 glue routes on it). */
export function offersDeposit(wwwAuthenticate: readonly string[]): boolean {
  return wwwAuthenticate.some((h) => /(^|[\s,])deposit\s/i.test(h));
}

/**
 * The one `Deposit` challenge in `header`, or null when there is none (an L402-only offer).
 * `origin` is the origin of the 402 response: release and status must be on it.
 */
export function parseDepositChallenge(header: string, origin: string): DepositChallenge | null {
  let all;
  try {
    all = parseAuthChallenges(header);
  } catch (e) {
    if (isSatnavError(e)) throw fail('WWW-Authenticate syntax', e.message);
    throw e;
  }
  const found = all.filter((c) => c.scheme.toLowerCase() === 'deposit');
  if (found.length === 0) return null;
  if (found.length > 1) throw fail('more than one Deposit challenge', found.length);
  const c = found[0]!;
  if (c.token68 !== undefined) throw fail('Deposit takes auth-params, not token68');
  if (c.duplicates.length > 0) throw fail('repeated parameter', c.duplicates.join(','));
  const p = c.params;
  const realm = p['realm'];
  if (realm === undefined || realm.length === 0 || realm.length > 256) throw fail('realm missing or too long');
  const nonce = p['nonce'];
  if (nonce === undefined || !NONCE.test(nonce)) throw fail('nonce must be 32 bytes lowercase hex', nonce);
  const pr = p['invoice'];
  if (pr === undefined) throw fail('missing invoice');
  if (pr.length > MAX_INVOICE) throw fail(`invoice longer than ${MAX_INVOICE}`, pr.length);
  let invoice: Invoice;
  try {
    invoice = decodeInvoice(pr);
  } catch (e) {
    if (isSatnavError(e)) throw fail('invoice', e.message);
    throw e;
  }
  const amountSat = uint(p, 'amount');
  if (amountSat === 0) throw fail('amount must be positive');
  if (invoice.amountMsat === null || invoice.amountMsat !== BigInt(amountSat) * 1000n) throw fail('amount differs from the invoice', amountSat);
  const maxHoldSeconds = uint(p, 'max_hold');
  const maxCltv = uint(p, 'max_cltv');
  const idleSeconds = uint(p, 'idle');
  if (maxHoldSeconds === 0 || idleSeconds === 0 || maxCltv === 0) throw fail('max_hold, max_cltv and idle must be positive');
  if (idleSeconds > maxHoldSeconds) throw fail('idle longer than max_hold', idleSeconds);
  const release = sameOriginUrl(p, 'release', origin);
  const status = sameOriginUrl(p, 'status', origin);
  const forfeit = p['forfeit'];
  if (forfeit === undefined || forfeit.length === 0) throw fail('missing forfeit terms');
  if (forfeit.length > MAX_TERMS) throw fail(`forfeit terms longer than ${MAX_TERMS}`, forfeit.length);
  return { realm, invoice, amountSat, maxHoldSeconds, maxCltv, idleSeconds, release, status, forfeit, nonce };
}

/** The settings of a deposit wall, checked once so that every challenge it sends parses. */
import { moduleErrors } from '../src/errors.ts';
import { quoteAuthParam } from '../src/l402/authparams.ts';

const err = moduleErrors('sitekit');
const bad = (problem: string, value?: unknown) => err('INVALID_REQUEST', problem, value);

/** LND refuses a final CLTV delta below this (routing.MinCLTVDelta). */
export const MIN_CLTV = 18;
/** Protocol numbers are uint32 (docs/deposit-wall.md §1). */
const MAX_UINT32 = 0xffffffff;

export interface WallTerms {
  /** This site's origin exactly as browsers write it: `https://example.com` (no path, no slash). */
  readonly origin: string;
  readonly realm: string;
  readonly amountSat: number;
  readonly maxHoldSeconds: number;
  /** Bound on the hold invoice's final CLTV delta; the invoice is made with exactly this. */
  readonly maxCltv: number;
  readonly idleSeconds: number;
  /** Same-origin paths, e.g. `/deposit/release`. */
  readonly paths: { readonly release: string; readonly status: string };
  /** URL or text of what makes a deposit forfeit; shown to the person. */
  readonly forfeitTerms: string;
}

function count(name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_UINT32) throw bad(`${name} must be an integer from ${min} to ${MAX_UINT32}`, v);
  return v;
}

function path(name: string, v: unknown): string {
  if (typeof v !== 'string' || !v.startsWith('/') || v.startsWith('//') || /[\s?#]/.test(v)) throw bad(`paths.${name} must be an absolute path`, v);
  return v;
}

function quotable(name: string, v: string): string {
  try {
    quoteAuthParam(v);
  } catch {
    throw bad(`${name} cannot travel in a header`, v);
  }
  return v;
}

export function checkTerms(t: WallTerms): WallTerms {
  let origin: string;
  try {
    origin = new URL(t.origin).origin;
  } catch {
    throw bad('origin is not a URL', t.origin);
  }
  if (origin !== t.origin || origin === 'null') throw bad('origin must be scheme://host[:port] as browsers write it', t.origin);
  if (typeof t.realm !== 'string' || t.realm.length === 0 || t.realm.length > 256 || /[\r\n]/.test(t.realm)) throw bad('realm must be 1-256 characters on one line', t.realm);
  if (typeof t.forfeitTerms !== 'string' || t.forfeitTerms.trim() === '') throw bad('forfeitTerms must say what makes a deposit forfeit');
  const maxHoldSeconds = count('maxHoldSeconds', t.maxHoldSeconds);
  const idleSeconds = count('idleSeconds', t.idleSeconds);
  const maxCltv = count('maxCltv', t.maxCltv, MIN_CLTV);
  if (idleSeconds > maxHoldSeconds) throw bad('idleSeconds longer than maxHoldSeconds', idleSeconds);
  // What wallets check (src/deposit/admit.ts): the lock must outlast the hold, at ~600 s a block.
  if (maxHoldSeconds > maxCltv * 600) throw bad('maxHoldSeconds above maxCltv x 600 s: wallets refuse it', maxHoldSeconds);
  const release = path('release', t.paths?.release);
  const status = path('status', t.paths?.status);
  if (release === status) throw bad('release and status need their own paths', release);
  return {
    origin,
    realm: quotable('realm', t.realm),
    amountSat: count('amountSat', t.amountSat),
    maxHoldSeconds,
    maxCltv,
    idleSeconds,
    paths: { release, status },
    forfeitTerms: quotable('forfeitTerms', t.forfeitTerms),
  };
}

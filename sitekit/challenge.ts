/**
 * The 402 a deposit wall answers: `WWW-Authenticate: Deposit …` (docs/deposit-wall.md §1) and a
 * page a person can read, saying what the deposit is, when it comes back and when it does not.
 * Deposit only: an L402-only client sees an unknown scheme and pays nothing (it must never be
 * handed a hold invoice it would wait on forever).
 */
import { formatAuthChallenge } from '../src/l402/authparams.ts';

export interface ChallengeFacts {
  readonly realm: string;
  readonly paymentRequest: string;
  readonly amountSat: number;
  readonly maxHoldSeconds: number;
  readonly maxCltv: number;
  readonly idleSeconds: number;
  readonly release: string;
  readonly status: string;
  readonly forfeitTerms: string;
  readonly nonce: string;
}

export interface ChallengePage {
  readonly contentType: string;
  readonly body: string;
}

export function depositChallengeHeader(c: ChallengeFacts): string {
  return formatAuthChallenge('Deposit', [
    ['realm', c.realm], ['invoice', c.paymentRequest], ['amount', String(c.amountSat)],
    ['max_hold', String(c.maxHoldSeconds)], ['max_cltv', String(c.maxCltv)], ['idle', String(c.idleSeconds)],
    ['release', c.release], ['status', c.status], ['forfeit', c.forfeitTerms], ['nonce', c.nonce],
  ]);
}

const sats = (n: number) => `${n.toLocaleString('en-US')} sats`;

/** "1 hour", "10 minutes", "45 seconds": the largest unit that divides evenly. */
export function duration(s: number): string {
  const [n, unit] = s % 3600 === 0 ? [s / 3600, 'hour'] : s % 60 === 0 ? [s / 60, 'minute'] : [s, 'second'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** Rounded for an estimate (block times vary): whole hours from 90 minutes on, else whole minutes. */
const roughly = (s: number) => (s >= 5400 ? duration(Math.round(s / 3600) * 3600) : duration(Math.max(60, Math.round(s / 60) * 60)));

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const isUrl = (s: string) => /^https?:\/\//.test(s) || s.startsWith('/');

function lines(c: ChallengeFacts): { title: string; lead: string; points: string[]; terms: string; foot: string } {
  return {
    title: 'A refundable deposit opens this page',
    lead: `This page asks a refundable deposit of ${sats(c.amountSat)}. Your Lightning wallet locks it; it is not a payment.`,
    points: [
      'The sats stay in your own payment, held by a hold invoice: the site can give them back or, on abuse, take them, nothing else.',
      `You get them back when you leave (your wallet releases the deposit), after ${duration(c.idleSeconds)} without activity, and at the latest after ${duration(c.maxHoldSeconds)}.`,
      `Should the site never answer, your own node gets them back when the lock expires (at most ${c.maxCltv} blocks, about ${roughly(c.maxCltv * 600)}).`,
    ],
    terms: c.forfeitTerms,
    foot: 'A wallet that knows deposit walls (the "Deposit" HTTP scheme) handles this by itself. Other wallets pay nothing here.',
  };
}

export function defaultChallengePage(c: ChallengeFacts, acceptsHtml: boolean): ChallengePage {
  const l = lines(c);
  if (!acceptsHtml) {
    const text = [l.title, '', l.lead, '', ...l.points.map((p) => `- ${p}`), `- Forfeited only on breach of the terms: ${l.terms}`, '', l.foot, ''];
    return { contentType: 'text/plain; charset=utf-8', body: text.join('\n') };
  }
  const terms = isUrl(l.terms) ? `<a href="${escapeHtml(l.terms)}">${escapeHtml(l.terms)}</a>` : escapeHtml(l.terms);
  const body = `<!doctype html>
<html lang="en" data-deposit="402">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(l.title)}</title></head>
<body>
<h1>${escapeHtml(l.title)}</h1>
<p>${escapeHtml(l.lead)}</p>
<ul>
${l.points.map((p) => `<li>${escapeHtml(p)}</li>`).join('\n')}
<li>Forfeited only on breach of the terms: ${terms}</li>
</ul>
<p><small>${escapeHtml(l.foot)}</small></p>
</body>
</html>
`;
  return { contentType: 'text/html; charset=utf-8', body };
}

/**
 * The payment prompt for the two reasons the security review added: a frame
 * inside another site's page (the prompt names that page), and today's cap
 * (the prompt explains and cannot be approved: only Limits can raise the cap).
 * Every reason the policy can give has words; a deposit asks as a deposit.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { PolicyReason } from '../../src/policy/index.ts';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { formatDateTime } from '../ui/format.ts';
import type { MessageKey } from '../ui/i18n.ts';
import { englishText, staticAnswer, tagOf } from '../ui/render-testing.ts';
import { PaymentRequest } from './PaymentRequest.tsx';

vi.mock('webextension-polyfill', async () => (await import('../ui/render-testing.ts')).polyfillStub);
vi.mock('../ui/i18n.ts', async (original) => (await import('../ui/render-testing.ts')).englishI18n(await original()));

type Payment = Extract<ApprovalRequest, { kind: 'payment' }>;
const base: Payment = {
  kind: 'payment',
  origin: 'https://shop.example',
  label: 'sendPayment',
  amountSat: 50,
  maxFeeSat: 10,
  paymentHash: 'ab'.repeat(32),
  destination: `02${'cd'.repeat(32)}`,
  reason: 'embedded_frame',
  approvable: true,
  budget: { allowance: { sat: 1_000 }, period: 'day', remainingSite: { sat: 1_000 }, remainingDaily: { sat: 10_000 } },
};
const render = (over: Partial<Payment>) => renderToStaticMarkup(createElement(PaymentRequest, { request: { ...base, ...over }, answer: staticAnswer }));

describe('payment prompt reasons', () => {
  it('a frame inside another page: the warning names that page’s host, and the reason says why Satnav asks', () => {
    const html = render({ embeddedIn: 'https://news.example:8443' });
    expect(tagOf(html, 'prompt-embedded')).not.toBe('');
    expect(html).toContain(englishText('prompt_embeddedIn', { host: 'news.example:8443' }));
    expect(html).toContain(englishText('prompt_reasonEmbedded'));
    expect(tagOf(html, 'prompt-approve')).not.toContain('disabled');
  });
  it('a frame whose page the browser did not name: a warning all the same', () => {
    expect(render({ embeddedIn: null })).toContain(englishText('prompt_embeddedUnknown'));
  });
  it('a top-level page: no frame warning', () => {
    expect(tagOf(render({ reason: 'above_auto_approve' }), 'prompt-embedded')).toBe('');
  });
  it("over today's cap: the real reason, and no way to approve it here", () => {
    const html = render({ reason: 'daily_cap_exceeded', approvable: false });
    expect(html).toContain(englishText('prompt_reasonDailyCap'));
    expect(tagOf(html, 'prompt-approve')).toContain('disabled');
  });
});

/** Every reason, and its words in the prompt: one that only refuses (no window) gets the plain fallback. */
const REASON_TEXT: Record<PolicyReason, MessageKey> = {
  site_not_enabled: 'prompt_reasonOther',
  site_paused: 'prompt_reasonOther',
  method_not_granted: 'prompt_reasonOther',
  valuation_missing: 'prompt_reasonOther',
  deposits_not_allowed: 'prompt_reasonOther',
  above_site_allowance: 'prompt_reasonAboveAllowance',
  daily_cap_exceeded: 'prompt_reasonDailyCap',
  embedded_frame: 'prompt_reasonEmbedded',
  above_auto_approve: 'prompt_reasonAboveAutoApprove',
  above_fee_limit: 'prompt_reasonAboveFeeLimit',
  l402_auto_pay_off: 'prompt_reasonL402Off',
  above_deposit_limit: 'prompt_reasonAboveDepositLimit',
  above_locked_limit: 'prompt_reasonAboveLockedLimit',
  deposit_auto_hold_off: 'prompt_reasonDepositAutoHoldOff',
  site_kept_a_deposit: 'prompt_reasonSiteKeptDeposit',
  above_forfeit_limit: 'prompt_reasonAboveForfeitLimit',
  within_budget: 'prompt_reasonOther',
};

describe('every policy reason', () => {
  for (const [reason, key] of Object.entries(REASON_TEXT)) {
    it(`${reason}: ${key}`, () => expect(render({ reason: reason as PolicyReason })).toContain(englishText(key)));
  }
});

describe('deposit prompt', () => {
  const LOCKED_UNTIL = Date.UTC(2026, 0, 17, 12, 0, 0);
  const deposit = { maxHoldSeconds: 86_400, lockedUntil: LOCKED_UNTIL, forfeit: 'https://news.example/terms#forfeit' };
  const asDeposit = (over: Partial<Payment> = {}) => render({ label: 'deposit', reason: 'deposit_auto_hold_off', amountSat: 1_000, deposit, ...over });

  it('asks to lock a refundable deposit, not to pay', () => {
    const html = asDeposit();
    expect(html).toContain(englishText('prompt_titleDeposit'));
    expect(html).toContain(englishText('prompt_lockDeposit', { amount: '1,000 sat' }));
    expect(html).not.toContain(englishText('prompt_pay', { amount: '1,000 sat' }));
    expect(html).toContain(englishText('prompt_depositText'));
    expect(tagOf(html, 'prompt-method')).toContain('data-method="deposit"');
    expect(html).toContain(englishText('prompt_methodDeposit'));
  });
  it('the longest hold the site promises, the worst case, and its terms as text (no link in the prompt)', () => {
    const html = asDeposit();
    expect(html).toMatch(/data-testid="prompt-deposit-hold"[^>]*>1 day</);
    expect(html).toContain(`>${formatDateTime(LOCKED_UNTIL, 'en')}<`);
    expect(tagOf(html, 'prompt-deposit-forfeit')).toContain('title="https://news.example/terms#forfeit"');
    expect(html).toMatch(/data-testid="prompt-deposit-forfeit"[^>]*>news\.example\/terms</);
    expect(html).not.toContain('href="https://news.example');
  });
  it('terms in a sentence are shown as written', () => {
    expect(asDeposit({ deposit: { ...deposit, forfeit: 'Scraping forfeits the deposit.' } })).toMatch(/data-testid="prompt-deposit-forfeit"[^>]*>Scraping forfeits the deposit\.</);
  });
  it('locked is not spent: no spending budget under the reason', () => {
    expect(tagOf(asDeposit(), 'prompt-budget')).toBe('');
    expect(tagOf(render({ reason: 'above_auto_approve' }), 'prompt-budget')).not.toBe('');
  });
  it('an ordinary payment shows no deposit terms', () => expect(tagOf(render({ reason: 'above_auto_approve' }), 'prompt-deposit')).toBe(''));
});

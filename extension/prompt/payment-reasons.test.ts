/**
 * The payment prompt for the two reasons the security review added: a frame
 * inside another site's page (the prompt names that page), and today's cap
 * (the prompt explains and cannot be approved: only Limits can raise the cap).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
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
  budget: { allowanceSat: 1_000, period: 'day', remainingSiteSat: 1_000, remainingDailySat: 10_000 },
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

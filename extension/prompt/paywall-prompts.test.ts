/**
 * The prompts a 402 wall brings up: the enable question says the site's
 * content is behind a payment wall Satnav will pay within the allowance (and
 * is otherwise the usual one); a payment above the limits names the wall as its
 * method. Rendered to static markup, as the person first sees them.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { EnableRequest } from './EnableRequest.tsx';
import { englishText, staticAnswer } from '../ui/render-testing.ts';
import { PaymentRequest } from './PaymentRequest.tsx';

vi.mock('webextension-polyfill', async () => (await import('../ui/render-testing.ts')).polyfillStub);
vi.mock('../ui/i18n.ts', async (original) => (await import('../ui/render-testing.ts')).englishI18n(await original()));
const answer = staticAnswer;
const msg = (key: string, site?: string) => englishText(key, { site: site ?? '' });

describe('enable prompt for a 402 wall', () => {
  const render = (via?: 'paywall') => renderToStaticMarkup(createElement(EnableRequest, { request: { kind: 'enable', origin: 'https://news.example', ...(via && { via }) }, answer }));

  it('title and text: the content is behind a payment wall, paid within the allowance set below', () => {
    const html = render('paywall');
    expect(html).toContain(msg('prompt_titleEnablePaywall'));
    expect(html).toContain(msg('prompt_enablePaywallText', 'news.example'));
    expect(html).not.toContain(msg('prompt_titleEnable'));
    expect(html).not.toContain(msg('prompt_enableText', 'news.example'));
  });

  it('the rest is the usual question: what the site may do, the allowance, the same checkboxes', () => {
    const paywall = render('paywall');
    for (const id of ['prompt-can-info', 'prompt-allowance', 'prompt-period', 'prompt-allow-balance', 'prompt-share-pubkey', 'prompt-remember', 'prompt-approve']) {
      expect(paywall, id).toContain(`data-testid="${id}"`);
    }
    expect(paywall).toContain(msg('prompt_canAutoPay'));
  });

  it('without via, the plain WebLN question', () => {
    const html = render();
    expect(html).toContain(msg('prompt_titleEnable'));
    expect(html).not.toContain('data-testid="prompt-paywall-text"');
  });
});

describe('payment prompt method', () => {
  const payment = (label: Extract<ApprovalRequest, { kind: 'payment' }>['label']) =>
    renderToStaticMarkup(
      createElement(PaymentRequest, {
        request: {
          kind: 'payment',
          origin: 'https://news.example',
          label,
          amountSat: 2_000,
          maxFeeSat: 20,
          paymentHash: 'ab'.repeat(32),
          destination: '02' + 'cd'.repeat(32),
          reason: 'above_site_allowance',
          approvable: true,
          budget: { allowance: { sat: 1_000 }, period: 'day', remainingSite: { sat: 1_000 }, remainingDaily: { sat: 10_000 } },
        },
        answer,
      }),
    );
  const method = (html: string) => /data-testid="prompt-method"[^>]*>(.*?)<\/dd>/.exec(html)?.[1];

  it('a 402 wall is named as such', () => expect(method(payment('l402'))).toBe(msg('prompt_methodPaywall')));
  it('other invoices stay a Lightning invoice; keysend keeps its warning', () => {
    expect(method(payment('sendPayment'))).toBe(msg('prompt_methodInvoice'));
    expect(method(payment('lnurlPay'))).toBe(msg('prompt_methodInvoice'));
    expect(method(payment('keysend'))).toContain(msg('prompt_methodKeysend'));
  });
});

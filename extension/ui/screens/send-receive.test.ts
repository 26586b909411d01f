/**
 * The send and receive screens as the person sees them (static render): what a pasted code is,
 * the amount field and LUD-12 comment only where the code allows them, the result of a payment;
 * the receive screen's QR code and invoice text. And the amount rules the forms apply.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { ReceivedInvoice, SendPreview, SendResult } from '../../../src/messages/ui-api.ts';
import { englishText } from '../render-testing.ts';
import { Invoice, receiveAmount } from './Receive.tsx';
import { chosenSat, Confirm, Result } from './Send.tsx';

vi.mock('webextension-polyfill', async () => (await import('../render-testing.ts')).polyfillStub);
vi.mock('../i18n.ts', async (original) => (await import('../render-testing.ts')).englishI18n(await original()));

const confirm = (preview: SendPreview) => renderToStaticMarkup(createElement(Confirm, { text: 'x', preview, onPaid: () => undefined }));
const result = (r: SendResult) => renderToStaticMarkup(createElement(Result, { result: r }));
/** Whether the pay button is disabled. */
const payDisabled = (html: string) => /disabled=""/.test(/<button[^>]*data-testid="send-pay"[^>]*>/.exec(html)![0]);
const testIds = (html: string) => [...html.matchAll(/data-testid="([^"]+)"/g)].map((m) => m[1]);

describe('Send screen', () => {
  it('an invoice: its amount, description and payee; no amount field (the invoice says it), no comment', () => {
    const html = confirm({ kind: 'invoice', paymentRequest: 'lnbcrt1…', amountSat: 1_234, payee: '02' + 'ab'.repeat(32), description: 'Tea', expiresAt: 1_800_000_000 });
    expect(html).toContain(englishText('send_kindInvoice'));
    expect(html).toContain('1,234 sat');
    expect(html).toContain('Tea');
    expect(testIds(html)).not.toContain('send-amount-input');
    expect(testIds(html)).not.toContain('send-comment');
    expect(payDisabled(html)).toBe(false);
  });

  it('a lightning address: the address, the range, an amount to choose (pay waits for it), the comment field when the service takes one', () => {
    const html = confirm({ kind: 'lnurlPay', domain: 'pay.example', address: 'bob@pay.example', description: 'Coffee', minSat: 1, maxSat: 100_000, commentAllowed: 140 });
    expect(html).toContain(englishText('send_kindAddress'));
    expect(html).toContain('bob@pay.example');
    expect(html).toContain(englishText('send_range', { min: '1 sat', max: '100,000 sat' }));
    expect(testIds(html)).toEqual(expect.arrayContaining(['send-amount-input', 'send-comment']));
    expect(payDisabled(html)).toBe(true);
    const noComment = confirm({ kind: 'lnurlPay', domain: 'pay.example', description: 'Coffee', minSat: 1, maxSat: 10, commentAllowed: 0 });
    expect(noComment).toContain(englishText('send_kindLnurl'));
    expect(testIds(noComment)).not.toContain('send-comment');
  });

  it('a fixed LNURL amount is filled in, and pay is ready', () => {
    const html = confirm({ kind: 'lnurlPay', domain: 'pay.example', description: 'Ticket', minSat: 500, maxSat: 500, commentAllowed: 0 });
    expect(html).toMatch(/data-testid="send-amount-input"[^>]*value="500"|value="500"[^>]*data-testid="send-amount-input"/);
    expect(payDisabled(html)).toBe(false);
  });

  it('the result: paid with its fee and the service’s message; failed with the node’s reason; in flight says not to pay again', () => {
    const paid = result({ status: 'SUCCEEDED', paymentHash: 'aa', amountSat: 210, feeSat: 2, successAction: { tag: 'message', message: 'Thanks!' } });
    expect(paid).toContain(englishText('send_paid'));
    expect(paid).toContain(englishText('send_fee', { fee: '2 sat' }));
    expect(paid).toContain('Thanks!');
    const failed = result({ status: 'FAILED', paymentHash: 'aa', amountSat: 210, feeSat: 0, failureReason: 'NO_ROUTE' });
    expect(failed).toContain(englishText('send_failedReason', { reason: 'NO_ROUTE' }));
    expect(failed).not.toContain(englishText('send_fee', { fee: '0 sat' }));
    expect(result({ status: 'IN_FLIGHT', paymentHash: 'aa', amountSat: 210, feeSat: 0 })).toContain(englishText('send_inFlightHint'));
  });

  it('chosenSat: whole sat inside the range only', () => {
    expect(chosenSat(' 21 ', 1, 100)).toBe(21);
    for (const typed of ['', '0', '101', '1.5', '-1', '1e2', 'abc', '99999999999999999']) expect(chosenSat(typed, 1, 100)).toBeUndefined();
  });
});

describe('Receive screen', () => {
  const invoice: ReceivedInvoice = { paymentRequest: 'lnbcrt21u1pxyz', paymentHash: 'ab'.repeat(32), expiresAt: 1_800_000_000, amountSat: 2_100 };
  it('the invoice: amount, a QR code (SVG from the qr library) of LIGHTNING:<INVOICE>, the text and the copy button, waiting for payment', () => {
    const html = renderToStaticMarkup(createElement(Invoice, { invoice }));
    expect(html).toContain('2,100 sat');
    const src = /data-testid="receive-qr"|src="([^"]+)"/.exec(html.slice(html.indexOf('<img')))![1]!;
    expect(src.startsWith('data:image/svg+xml;utf8,')).toBe(true);
    expect(decodeURIComponent(src.slice('data:image/svg+xml;utf8,'.length))).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(html).toContain('lnbcrt21u1pxyz');
    expect(testIds(html)).toEqual(expect.arrayContaining(['receive-copy', 'receive-waiting']));
    expect(testIds(html)).not.toContain('receive-paid');
  });

  it('in dollars: the dollar amount first, the sats under it', () => {
    const html = renderToStaticMarkup(createElement(Invoice, { invoice: { ...invoice, amountSat: 1_500, asset: { amount: '1500000', decimalDisplay: 6, ticker: 'USDT' } } }));
    expect(html).toContain('$1.50');
    expect(html).toContain('1,500 sat');
  });

  it('receiveAmount: sat whole and above 0; dollars with a point or a comma, up to 6 decimals', () => {
    expect(receiveAmount('sat', '2100')).toEqual({ sat: 2_100 });
    expect(receiveAmount('usd', '12,50')).toEqual({ usd: '12.50' });
    expect(receiveAmount('usd', '0.000001')).toEqual({ usd: '0.000001' });
    for (const typed of ['', '0', '1.5', '-3', 'ten']) expect(receiveAmount('sat', typed)).toBeUndefined();
    for (const typed of ['', '0', '0.00', '1.0000001', '1,000.50', '$5']) expect(receiveAmount('usd', typed)).toBeUndefined();
  });
});

/**
 * The Paid access list as the person first sees it (static render): the empty
 * state, and per paying site the credentials with server, cost, when bought,
 * when they end, scheme, and the revoke buttons.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { PaidAccessItem } from '../../../src/messages/ui-api.ts';
import { englishText } from '../render-testing.ts';
import { PaidAccessList } from './PaidAccess.tsx';

vi.mock('webextension-polyfill', async () => (await import('../render-testing.ts')).polyfillStub);
vi.mock('../i18n.ts', async (original) => (await import('../render-testing.ts')).englishI18n(await original()));
const text = (key: string) => englishText(key);

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const item = (n: number, over: Partial<PaidAccessItem> = {}): PaidAccessItem => ({
  id: `c${n}`,
  server: 'https://api.news.example',
  paths: ['/premium/data.json'],
  services: ['quotes'],
  scheme: 'l402',
  amountSat: 100,
  paidBy: 'https://news.example',
  createdAt: NOW - 5 * 60_000,
  expiresAt: Math.floor(NOW / 1000) + 2 * 3600,
  reusable: true,
  ...over,
});
const render = (items: PaidAccessItem[]) => renderToStaticMarkup(createElement(PaidAccessList, { items, now: NOW, busy: false, onRevoke: () => undefined }));
/** The text of every element carrying `data-testid`, in order. */
const texts = (html: string, testId: string) => [...html.matchAll(new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`, 'g'))].map((m) => m[1]);

describe('Paid access list', () => {
  it('empty: says what will show here', () => {
    const html = render([]);
    expect(html).toContain('data-testid="paid-empty"');
    expect(html).toContain(text('paid_empty'));
    expect(html).toContain(text('paid_emptyText'));
  });

  it('per paying site: server host, scheme, cost, when bought, when it ends', () => {
    const html = render([
      item(1),
      item(2, { scheme: 'payment', reusable: false, services: [], expiresAt: null, server: 'https://pay.example', createdAt: NOW - 3 * 3600_000 }),
      item(3, { scheme: 'x402', paidBy: 'https://shop.example', amountSat: 21, services: [] }),
    ]);
    expect(html).toContain('data-testid="paid-site-https://news.example"');
    expect(html).toContain('data-testid="paid-site-https://shop.example"');
    expect(texts(html, 'paid-server')).toEqual(['api.news.example', 'pay.example', 'api.news.example']);
    expect(texts(html, 'paid-scheme')).toEqual(['L402', 'Payment', 'x402']);
    expect(texts(html, 'paid-cost')).toEqual(['100 sat', '100 sat', '21 sat']);
    expect(texts(html, 'paid-bought')).toEqual(['5 minutes ago', '3 hours ago', '5 minutes ago']);
    expect(texts(html, 'paid-expiry')).toEqual(['in 2 hours', 'Until the site ends it', 'in 2 hours']);
    expect(html).toContain(text('paid_oneUse'));
    expect(html).toContain('/premium/data.json');
    expect(html).toContain('quotes');
  });

  it('a revoke button per credential and one for the whole site', () => {
    const html = render([item(1), item(2, { services: ['media'] })]);
    expect(html).toContain('data-testid="paid-revoke-c1"');
    expect(html).toContain('data-testid="paid-revoke-c2"');
    expect(html).toContain('data-testid="paid-revoke-all-https://news.example"');
    expect(html).toContain(text('paid_revokeAll'));
  });
});

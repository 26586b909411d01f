/**
 * The Deposits screen as the person first sees it (static render): nothing
 * yet; what is locked now against the limit, each with its site, amount, how
 * long held, the latest it comes back, its terms and the release button; one
 * being released says so instead; the history, a forfeited one standing out.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { DepositItem, Deposits } from '../../../src/messages/ui-api.ts';
import { formatDateTime } from '../format.ts';
import { englishText, tagOf } from '../render-testing.ts';
import { DepositList } from './Deposits.tsx';

vi.mock('webextension-polyfill', async () => (await import('../render-testing.ts')).polyfillStub);
vi.mock('../i18n.ts', async (original) => (await import('../render-testing.ts')).englishI18n(await original()));

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;
const hash = (n: number) => String(n).padStart(64, '0');
const item = (n: number, over: Partial<DepositItem> = {}): DepositItem => ({
  paymentHash: hash(n),
  site: 'https://news.example',
  paidBy: 'https://news.example',
  realm: 'articles',
  amountSat: 1_000,
  state: 'held',
  createdAt: NOW - 5 * 60_000,
  heldAt: NOW - 5 * 60_000,
  maxHoldSeconds: 86_400,
  lockedUntil: NOW + 48 * HOUR,
  forfeit: 'https://news.example/terms#forfeit',
  ...over,
});
const render = (items: DepositItem[], releasing?: string) => {
  const deposits: Deposits = { items, lockedSat: 1_010, lockLimitSat: 1_000_000 };
  return renderToStaticMarkup(createElement(DepositList, { deposits, now: NOW, releasing, onRelease: () => undefined }));
};
/** The text of every element carrying `data-testid`, in order. */
const texts = (html: string, testId: string) => [...html.matchAll(new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`, 'g'))].map((m) => m[1]);

describe('Deposits list', () => {
  it('empty: says what will show here', () => {
    const html = render([]);
    expect(html).toContain('data-testid="deposits-empty"');
    expect(html).toContain(englishText('deposits_emptyText'));
  });

  it('locked now: the total against the limit, and per deposit site, amount, held since, back by, terms, release', () => {
    const html = render([item(1), item(2, { site: 'https://shop.example', paidBy: 'https://shop.example', amountSat: 250, heldAt: NOW - 3 * HOUR, lockedUntil: NOW + 2 * HOUR })]);
    expect(html).toContain(englishText('deposits_lockedOf', { used: '1,010 sat', total: '1,000,000 sat' }));
    expect(texts(html, 'deposit-site')).toEqual(['news.example', 'shop.example']);
    expect(texts(html, 'deposit-state')).toEqual(['Held', 'Held']);
    expect(texts(html, 'deposit-amount')).toEqual(['1,000 sat', '250 sat']);
    expect(texts(html, 'deposit-held-since')).toEqual(['5 minutes ago', '3 hours ago']);
    // The site's 24 hours from when it was held; for the second the time-lock comes first.
    expect(texts(html, 'deposit-back-by')).toEqual(['in 23 hours', 'in 2 hours']);
    expect(tagOf(html, 'deposit-terms')).toContain('href="https://news.example/terms#forfeit"');
    expect(tagOf(html, 'deposit-terms')).toContain('rel="noopener noreferrer"');
    expect(texts(html, 'deposit-terms')).toEqual(['news.example/terms', 'news.example/terms']);
    expect(tagOf(html, `deposit-release-${hash(1)}`)).not.toContain('disabled');
    expect(html).not.toContain('data-testid="deposits-history"');
  });

  it('a release on its way: that button busy, the others wait', () => {
    const html = render([item(1), item(2)], hash(1));
    expect(tagOf(html, `deposit-release-${hash(1)}`)).toContain('aria-busy="true"');
    expect(tagOf(html, `deposit-release-${hash(2)}`)).toContain('disabled');
  });

  it('releasing: no button, but what Satnav did and the latest the money is back', () => {
    const html = render([item(1, { state: 'releasing', releaseAskedAt: NOW - 60_000 })]);
    expect(texts(html, 'deposit-state')).toEqual(['Releasing…']);
    expect(html).not.toContain(`deposit-release-${hash(1)}`);
    expect(html).toContain('data-testid="deposit-releasing"');
    expect(html).toContain('Satnav asked news.example to release it.');
  });

  it('a terms sentence is shown as written, never as a link', () => {
    const html = render([item(1, { forfeit: 'Kept if you scrape more than 100 pages an hour.' })]);
    expect(texts(html, 'deposit-terms')).toEqual(['Kept if you scrape more than 100 pages an hour.']);
    expect(tagOf(html, 'deposit-terms')).not.toContain('href');
  });

  it('history: ended ones with their dates; a forfeited one names the site and its terms', () => {
    const html = render([
      item(1, { state: 'refunded', endedAt: NOW - HOUR }),
      item(2, { state: 'forfeited', site: 'https://shop.example', endedAt: NOW - 2 * HOUR, forfeit: 'https://shop.example/rules' }),
      item(3, { state: 'failed', endedAt: NOW - 3 * HOUR, note: 'NO_ROUTE', heldAt: undefined }),
      item(4, { state: 'expired', endedAt: NOW - 4 * HOUR }),
    ]);
    expect(html).toContain('data-testid="deposits-nothing-locked"');
    expect(texts(html, 'deposit-state')).toEqual(['Refunded', 'Kept by the site', 'Not paid', 'Refunded: time ran out']);
    expect(texts(html, 'deposit-ended')).toEqual([1, 2, 3, 4].map((h) => formatDateTime(NOW - h * HOUR, 'en')));
    expect(tagOf(html, 'deposit-forfeit')).not.toBe('');
    expect(html).toContain(englishText('deposits_forfeitedNote', { site: 'shop.example' }));
    expect(texts(html, 'deposit-terms')).toEqual(['shop.example/rules']);
    expect(html).toContain('Reason: no route to the recipient');
    expect(html).not.toContain('deposit-release-');
  });
});

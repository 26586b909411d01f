import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { PaidAccessItem } from '../../src/messages/ui-api.ts';
import { catalogSchema, makeTranslator } from './i18n.ts';
import { schemeLabel } from './labels.ts';
import { bySite, expiryState, expiryText, expiryTitle, pathsText } from './paid-access.ts';

// i18n.ts imports the polyfill, which refuses to load outside an extension.
vi.mock('webextension-polyfill', () => ({ default: {} }));

const en = catalogSchema.parse(JSON.parse(readFileSync(new URL('../../public/_locales/en/messages.json', import.meta.url), 'utf8')));
const de = catalogSchema.parse(JSON.parse(readFileSync(new URL('../../public/_locales/de/messages.json', import.meta.url), 'utf8')));
const t = makeTranslator(en, en);
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const SEC = Math.floor(NOW / 1000);

const item = (n: number, over: Partial<PaidAccessItem> = {}): PaidAccessItem => ({
  id: `c${n}`,
  server: 'https://api.example',
  paths: ['/data'],
  services: [],
  scheme: 'l402',
  amountSat: 10 * n,
  paidBy: 'https://news.example',
  createdAt: NOW - n * 60_000,
  expiresAt: null,
  reusable: true,
  ...over,
});

describe('bySite', () => {
  it('groups by the paying site, the site that bought last first, items newest first', () => {
    const groups = bySite([item(3), item(1, { paidBy: 'https://shop.example' }), item(2), item(5, { paidBy: 'https://shop.example' })]);
    expect(groups.map((g) => g.site)).toEqual(['https://shop.example', 'https://news.example']);
    expect(groups.map((g) => g.items.map((i) => i.id))).toEqual([
      ['c1', 'c5'],
      ['c2', 'c3'],
    ]);
  });
  it('nothing held: no groups', () => expect(bySite([])).toEqual([]));
  it('the same moment keeps a stable order', () => {
    const same = [item(1, { id: 'b', createdAt: NOW }), item(1, { id: 'a', createdAt: NOW })];
    expect(bySite(same)[0]!.items.map((i) => i.id)).toEqual(['a', 'b']);
  });
});

describe('expiry', () => {
  it('no end date: until the site ends it', () => {
    expect(expiryState(null, NOW)).toBe('open');
    expect(expiryText(null, NOW, 'en', t)).toBe('Until the site ends it');
    expect(expiryTitle(null, 'en')).toBeUndefined();
  });
  it('within a day: relative, with the exact time as a tooltip', () => {
    expect(expiryState(SEC + 2 * 3600, NOW)).toBe('expires');
    expect(expiryText(SEC + 2 * 3600, NOW, 'en', t)).toBe('in 2 hours');
    expect(expiryText(SEC + 5 * 60, NOW, 'de', makeTranslator(de, en))).toBe('in 5 Minuten');
    expect(expiryTitle(SEC + 2 * 3600, 'en')).toMatch(/2026/);
  });
  it('beyond a day: the date', () => expect(expiryText(SEC + 3 * 86_400, NOW, 'en', t)).toMatch(/Jan 18, 2026/));
  it('passed (between refreshes): expired, the moment itself included', () => {
    expect(expiryState(SEC, NOW)).toBe('expired');
    expect(expiryText(SEC - 1, NOW, 'en', t)).toBe('Expired');
  });
});

describe('pathsText', () => {
  it('one line: the first two, then how many more', () => {
    expect(pathsText(['/a'])).toBe('/a');
    expect(pathsText(['/a', '/b'])).toBe('/a, /b');
    expect(pathsText(['/a', '/b', '/c', '/d'])).toBe('/a, /b +2');
    expect(pathsText([])).toBe('');
  });
});

describe('schemeLabel', () => {
  it('names each scheme', () => {
    expect(['l402', 'payment', 'x402'].map((s) => schemeLabel(s as PaidAccessItem['scheme'], t))).toEqual(['L402', 'Payment', 'x402']);
  });
});

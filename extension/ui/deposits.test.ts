import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { DEPOSIT_STATES } from '../../src/deposit/book.ts';
import type { LedgerStatus } from '../../src/ledger/index.ts';
import type { DepositItem } from '../../src/messages/ui-api.ts';
import { endedAt, forfeitTerms, releasedBy, splitDeposits } from './deposits.ts';
import { catalogSchema, makeTranslator } from './i18n.ts';
import { depositStateLabel, entryLabel, statusLabel, statusTone } from './labels.ts';

// i18n.ts imports the polyfill, which refuses to load outside an extension.
vi.mock('webextension-polyfill', () => ({ default: {} }));

const en = catalogSchema.parse(JSON.parse(readFileSync(new URL('../../public/_locales/en/messages.json', import.meta.url), 'utf8')));
const t = makeTranslator(en, en);
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;

const item = (n: number, over: Partial<DepositItem> = {}): DepositItem => ({
  paymentHash: String(n).padStart(64, '0'),
  site: 'https://news.example',
  paidBy: 'https://news.example',
  realm: 'articles',
  amountSat: 1_000 * n,
  state: 'held',
  createdAt: NOW - n * HOUR,
  heldAt: NOW - n * HOUR + 1_000,
  maxHoldSeconds: 86_400,
  lockedUntil: NOW + 48 * HOUR,
  forfeit: 'https://news.example/terms#forfeit',
  ...over,
});

describe('splitDeposits', () => {
  it('locked now (paying, held, releasing) newest first; the history last ended first', () => {
    const { locked, history } = splitDeposits([
      item(1, { state: 'refunded', endedAt: NOW - 5 * HOUR }),
      item(2),
      item(3, { state: 'releasing' }),
      item(4, { state: 'forfeited', endedAt: NOW - HOUR }),
      item(5, { state: 'paying' }),
      item(6, { state: 'expired', endedAt: NOW - 3 * HOUR }),
      item(7, { state: 'failed' }),
    ]);
    expect(locked.map((i) => i.amountSat)).toEqual([2_000, 3_000, 5_000]);
    expect(history.map((i) => i.amountSat)).toEqual([4_000, 6_000, 1_000, 7_000]);
  });
  it('nothing at all: both empty', () => expect(splitDeposits([])).toEqual({ locked: [], history: [] }));
  it('an end not noted: the moment it was made', () => {
    expect(endedAt(item(7, { state: 'failed' }))).toBe(NOW - 7 * HOUR);
    expect(endedAt(item(7, { state: 'failed', endedAt: NOW }))).toBe(NOW);
  });
});

describe('releasedBy', () => {
  it('the site’s longest hold from when it was held, when that comes first', () => expect(releasedBy(item(1), NOW)).toBe(NOW - HOUR + 1_000 + 24 * HOUR));
  it('the time-lock, when that comes first', () => expect(releasedBy(item(1, { lockedUntil: NOW + HOUR }), NOW)).toBe(NOW + HOUR));
  it('not held yet: the longest hold from now', () => expect(releasedBy(item(1, { heldAt: undefined, state: 'paying' }), NOW)).toBe(NOW + 24 * HOUR));
});

describe('forfeitTerms', () => {
  it('a web address: host and path, the full address to open', () => {
    expect(forfeitTerms('https://news.example/terms#forfeit')).toEqual({ text: 'news.example/terms', url: 'https://news.example/terms#forfeit' });
    expect(forfeitTerms('http://127.0.0.1:8900/')).toEqual({ text: '127.0.0.1:8900', url: 'http://127.0.0.1:8900/' });
  });
  it('a sentence stays a sentence', () => expect(forfeitTerms('Kept if you scrape more than 100 pages an hour.')).toEqual({ text: 'Kept if you scrape more than 100 pages an hour.' }));
  it('only http(s) is an address', () => {
    expect(forfeitTerms('javascript:alert(1)')).toEqual({ text: 'javascript:alert(1)' });
    expect(forfeitTerms('data:text/html,hi')).toEqual({ text: 'data:text/html,hi' });
  });
});

describe('depositStateLabel', () => {
  it('every state has its words', () => {
    const labels = DEPOSIT_STATES.map((s) => depositStateLabel(s, t));
    expect(labels).toEqual(['Paying…', 'Held', 'Releasing…', 'Refunded', 'Refunded: time ran out', 'Kept by the site', 'Not paid']);
  });
});

describe('deposit rows in Activity', () => {
  const row = (status: LedgerStatus) => ({ kind: 'deposit' as const, source: 'deposit' as const, status });
  it('named a deposit; held while locked, refunded when it came back, kept by the site when forfeited', () => {
    expect(entryLabel(row('in_flight'), t)).toBe('Deposit');
    expect((['pending', 'in_flight', 'refunded', 'succeeded', 'failed'] as const).map((s) => statusLabel(row(s), t))).toEqual(['Held', 'Held', 'Refunded', 'Kept by the site', 'Failed']);
  });
  it('drawn the other way round from a payment: kept is the loss, refunded the good end', () => {
    expect((['in_flight', 'refunded', 'succeeded', 'failed'] as const).map((s) => statusTone(row(s)))).toEqual(['in-flight', 'refunded', 'forfeited', 'failed']);
    expect(statusTone({ kind: 'payment', status: 'succeeded' })).toBe('succeeded');
  });
});

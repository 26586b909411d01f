/**
 * The limits screen's budgets as the person sees them (static render): a
 * site's allowance in dollars — its use in dollars, the number with its unit
 * chosen, the site's pay-in choice — and the global limits with a cap in
 * dollars, the ceiling in sats and the slippage as a percentage.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { Limits } from '../../../src/messages/ui-api.ts';
import { DEFAULT_GLOBAL, DEFAULT_SITE, type SiteView } from '../../../src/policy/index.ts';
import { englishText, tagOf } from '../render-testing.ts';
import { GlobalLimits, SiteCard, type Editor } from './Limits.tsx';

vi.mock('webextension-polyfill', async () => (await import('../render-testing.ts')).polyfillStub);
vi.mock('../i18n.ts', async (original) => (await import('../render-testing.ts')).englishI18n(await original()));

const ORIGIN = 'https://shop.example';
const editor: Editor = { change: async () => true, reject: () => undefined, errorAt: () => undefined, busyAt: () => false, savedAt: () => false };
const site = (over: Partial<SiteView> = {}): SiteView => ({
  ...DEFAULT_SITE,
  enabled: true,
  createdAt: 1,
  origin: ORIGIN,
  periodStart: '2026-01-15',
  allowance: { microUsd: 100_000 },
  spentSat: 40,
  heldSat: 12,
  remainingSat: 48,
  spent: { microUsd: 40_000 },
  held: { microUsd: 12_000 },
  remaining: { microUsd: 48_000 },
  lockedSat: 0,
  ...over,
});
/** The `<option>` a select shows as chosen. */
const chosen = (html: string, testId: string) => /<option value="([^"]+)" selected="">/.exec(html.slice(html.indexOf(`data-testid="${testId}"`)))?.[1];

describe('a site card with a dollar allowance', () => {
  const html = renderToStaticMarkup(createElement(SiteCard, { site: site(), editor }));
  it('shows its use in dollars, the hold apart', () => {
    expect(tagOf(html, `site-budget-${ORIGIN}`)).toContain('data-unit="usd"');
    expect(tagOf(html, `site-budget-${ORIGIN}`)).toContain('data-total-sat="100000"');
    expect(html).toContain(englishText('limits_usedDay', { used: '$0.052', total: '$0.10' }));
    expect(html).toContain(englishText('limits_held', { amount: '$0.012' }));
  });
  it('the allowance field holds dollars with their cents, the unit chooser on $', () => {
    expect(tagOf(html, `site-allowance-${ORIGIN}`)).toContain('value="0.10"');
    expect(chosen(html, `site-allowance-${ORIGIN}-unit`)).toBe('usd');
  });
  it('pays in the global choice until the site has its own', () => {
    expect(chosen(html, `site-pay-in-${ORIGIN}`)).toBe('global');
    const own = renderToStaticMarkup(createElement(SiteCard, { site: site({ payIn: 'usd' }), editor }));
    expect(chosen(own, `site-pay-in-${ORIGIN}`)).toBe('usd');
  });
  it('a sat allowance stays in sats', () => {
    const sats = renderToStaticMarkup(createElement(SiteCard, { site: site({ allowance: { sat: 1_000 }, spent: { sat: 40 }, held: { sat: 12 }, remaining: { sat: 948 } }), editor }));
    expect(tagOf(sats, `site-budget-${ORIGIN}`)).toContain('data-unit="sat"');
    expect(sats).toContain(englishText('limits_usedDay', { used: '52 sat', total: '1,000 sat' }));
    expect(chosen(sats, `site-allowance-${ORIGIN}-unit`)).toBe('sat');
  });
});

describe('the global limits with a cap in dollars', () => {
  const limits: Limits = {
    global: { ...DEFAULT_GLOBAL, dailyCap: { microUsd: 20_000_000 }, maxSlippagePpm: 15_000 },
    sites: [],
    today: {
      day: '2026-01-15',
      cap: { microUsd: 20_000_000 },
      spentSat: 2_500,
      heldSat: 0,
      remainingSat: 17_500,
      spent: { microUsd: 2_500_000 },
      held: { microUsd: 0 },
      remaining: { microUsd: 17_500_000 },
      lockedSat: 0,
      lockLimitSat: 1_000_000,
    },
  };
  const html = renderToStaticMarkup(createElement(GlobalLimits, { limits, editor }));
  it('today against the cap in dollars', () => {
    expect(html).toContain(englishText('limits_usedDay', { used: '$2.50', total: '$20.00' }));
  });
  it('each amount with its own unit; the slippage as a percentage', () => {
    expect(tagOf(html, 'limit-daily-cap')).toContain('value="20.00"');
    expect(chosen(html, 'limit-daily-cap-unit')).toBe('usd');
    expect(tagOf(html, 'limit-auto-approve')).toContain('value="1000"');
    expect(chosen(html, 'limit-auto-approve-unit')).toBe('sat');
    expect(tagOf(html, 'limit-slippage')).toContain('value="1.5"');
    expect(html).toContain(englishText('limits_slippageHint'));
  });
});

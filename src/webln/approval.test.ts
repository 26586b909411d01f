/**
 * The questions any page can raise by calling (connect, unlock): every caller builds them here, so
 * each names the page a frame sits inside, from the browser's context, never from page data.
 */
import { describe, expect, it } from 'vitest';
import type { PageContext } from '../base/origin.ts';
import { enableRequest, unlockRequest } from './approval.ts';

const SHOP = 'https://shop.example';
const NEWS = 'https://news.example';

describe('enableRequest and unlockRequest', () => {
  const contexts: Array<[where: string, ctx: PageContext, embeddedIn: { embeddedIn?: string | null }]> = [
    ['a top-level page', { origin: SHOP, tabId: 1 }, {}],
    ['a frame of the same origin', { origin: SHOP, topOrigin: SHOP, tabId: 1 }, {}],
    ['a frame inside another site’s page', { origin: SHOP, topOrigin: NEWS, tabId: 1 }, { embeddedIn: NEWS }],
    ['a frame whose page the browser didn’t name', { origin: SHOP, topOrigin: null, tabId: 1 }, { embeddedIn: null }],
  ];
  for (const [where, ctx, embeddedIn] of contexts) {
    it(`${where}: the asking origin${'embeddedIn' in embeddedIn ? ' and the page it sits in' : ', nothing more'}`, () => {
      expect(unlockRequest(ctx)).toStrictEqual({ kind: 'unlock', origin: SHOP, ...embeddedIn });
      expect(enableRequest(ctx)).toStrictEqual({ kind: 'enable', origin: SHOP, ...embeddedIn });
      expect(enableRequest(ctx, 'paywall')).toStrictEqual({ kind: 'enable', origin: SHOP, ...embeddedIn, via: 'paywall' });
    });
  }
});

import { describe, expect, it } from 'vitest';
import { budgetContext } from './context.ts';
import type { Seen402 } from './observations.ts';

const base: Seen402 = {
  url: 'https://paywall.example/a/image.svg',
  method: 'GET',
  tabId: 3,
  frameId: 0,
  parentFrameId: -1,
  type: 'image',
  initiator: 'https://shop.example',
  headers: { wwwAuthenticate: ['L402 x'], paymentRequired: null },
  sentAt: 1,
  seenAt: 2,
};

describe('budgetContext: whose allowance pays for a wall the worker opens on its own', () => {
  it('a navigation: the site navigated to, as the top', () => {
    expect(budgetContext({ ...base, type: 'main_frame', initiator: 'https://elsewhere.example' }, undefined)).toEqual({ origin: 'https://paywall.example', tabId: 3 });
  });

  it('an element of the top document: that document (the initiator)', () => {
    expect(budgetContext(base, 'https://shop.example/page')).toEqual({ origin: 'https://shop.example', tabId: 3 });
  });

  it('an iframe in the top document: the document holding it', () => {
    expect(budgetContext({ ...base, type: 'sub_frame', frameId: 9, parentFrameId: 0 }, undefined)).toEqual({ origin: 'https://shop.example', tabId: 3 });
  });

  it('inside a frame: that frame’s origin, embedded in the tab’s origin', () => {
    expect(budgetContext({ ...base, frameId: 9, parentFrameId: 0, initiator: 'https://widget.example' }, 'https://shop.example/page')).toEqual({
      origin: 'https://widget.example',
      tabId: 3,
      topOrigin: 'https://shop.example',
    });
    expect(budgetContext({ ...base, type: 'sub_frame', frameId: 12, parentFrameId: 9, initiator: 'https://widget.example' }, 'https://shop.example/')).toMatchObject({
      topOrigin: 'https://shop.example',
    });
  });

  it('fails closed: an unknown or non-web top counts as foreign (null)', () => {
    for (const top of [undefined, 'chrome://newtab/', 'file:///x.html', 'garbage']) {
      expect(budgetContext({ ...base, frameId: 9, initiator: 'https://widget.example' }, top)).toEqual({ origin: 'https://widget.example', tabId: 3, topOrigin: null });
    }
  });

  it('nobody pays without a web initiator, or outside a tab', () => {
    for (const initiator of [undefined, 'null', 'chrome-extension://abc', 'https://x.example/path']) {
      const seen: Seen402 = { ...base };
      if (initiator === undefined) delete seen.initiator;
      else seen.initiator = initiator;
      expect(budgetContext(seen, 'https://shop.example/')).toBeUndefined();
    }
    expect(budgetContext({ ...base, tabId: -1 }, undefined)).toBeUndefined();
    expect(budgetContext({ ...base, type: 'main_frame', url: 'data:text/html,x' }, undefined)).toBeUndefined();
  });
});

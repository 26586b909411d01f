/**
 * The enable prompt and the node's public key: every enabled site used to get it through
 * webln.getInfo(), one lasting id across sites that points at the node on the public graph. The
 * prompt now says so and asks, off by default; the choice travels as `sharePubkey` in the answer.
 * Rendered to static markup: the first render is what the person sees before touching anything.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { EnableRequest } from './EnableRequest.tsx';
import { englishText, staticAnswer, tagOf } from '../ui/render-testing.ts';

vi.mock('webextension-polyfill', async () => (await import('../ui/render-testing.ts')).polyfillStub);
vi.mock('../ui/i18n.ts', async (original) => (await import('../ui/render-testing.ts')).englishI18n(await original()));


describe('enable prompt: the node public key', () => {
  const html = () => renderToStaticMarkup(createElement(EnableRequest, { request: { kind: 'enable', origin: 'https://shop.example' }, answer: staticAnswer }));
  const text = (key: string) => englishText(key);

  it('offers to share it, unchecked by default', () => {
    const box = tagOf(html(), 'prompt-share-pubkey');
    expect(box).toContain('type="checkbox"');
    expect(box).not.toMatch(/\bchecked\b/);
    expect(html()).toContain(text('prompt_sharePubkey'));
  });

  it('says why: the same key on every site links visits', () => {
    expect(html()).toContain(text('prompt_sharePubkeyHint'));
  });

  it('the list of what the site gets names no public key until the box is ticked', () => {
    const item = /<li data-testid="prompt-can-info">([^<]*)<\/li>/.exec(html())?.[1];
    expect(item).toBe(text('prompt_canInfoName'));
  });
});

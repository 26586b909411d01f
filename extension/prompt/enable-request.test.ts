/**
 * The enable prompt and the node's public key: every enabled site used to get it through
 * webln.getInfo(), one lasting id across sites that points at the node on the public graph. The
 * prompt now says so and asks, off by default; the choice travels as `sharePubkey` in the answer.
 * Rendered to static markup: the first render is what the person sees before touching anything.
 */
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { catalogSchema } from '../ui/i18n.ts';
import { EnableRequest } from './EnableRequest.tsx';
import type { Answer } from './frame.tsx';

const en = vi.hoisted(() => ({ catalog: {} as Record<string, { message: string }> }));
vi.mock('webextension-polyfill', () => ({ default: { i18n: { getUILanguage: () => 'en' }, runtime: { sendMessage: async () => undefined } } }));
// A server render reads a store's initial state, so the English catalog comes in through useT itself.
vi.mock('../ui/i18n.ts', async (original) => {
  const i18n = await original<typeof import('../ui/i18n.ts')>();
  return { ...i18n, useT: () => i18n.makeTranslator(en.catalog, en.catalog) };
});
en.catalog = catalogSchema.parse(JSON.parse(readFileSync(new URL('../../public/_locales/en/messages.json', import.meta.url), 'utf8')));
const answer: Answer = { submit: () => undefined, reject: () => undefined, busy: false, error: undefined, armed: true };

/** The element carrying `data-testid`, with its attributes. */
function tagOf(html: string, testId: string): string {
  return new RegExp(`<[^>]*data-testid="${testId}"[^>]*>`).exec(html)?.[0] ?? '';
}

describe('enable prompt: the node public key', () => {
  const html = () => renderToStaticMarkup(createElement(EnableRequest, { origin: 'https://shop.example', answer }));
  const text = (key: string) => en.catalog[key]!.message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

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

/**
 * Test-only: what a static render of a Satnav screen needs, shared by the
 * render tests. A server render reads a store's initial state, so the English
 * catalog comes in through `useT` itself:
 *
 *   vi.mock('webextension-polyfill', async () => (await import('../ui/render-testing.ts')).polyfillStub);
 *   vi.mock('../ui/i18n.ts', async (original) => (await import('../ui/render-testing.ts')).englishI18n(await original()));
 */
import { readFileSync } from 'node:fs';
import type { Answer } from '../prompt/frame.tsx';
import type * as I18n from './i18n.ts';

export const polyfillStub = {
  default: { i18n: { getUILanguage: () => 'en' }, runtime: { sendMessage: async () => undefined, getManifest: () => ({ permissions: ['favicon'] }) } },
};

const raw: unknown = JSON.parse(readFileSync(new URL('../../public/_locales/en/messages.json', import.meta.url), 'utf8'));

/** The i18n module with `useT` answering in English. */
export function englishI18n(i18n: typeof I18n): typeof I18n {
  const catalog = i18n.catalogSchema.parse(raw);
  return { ...i18n, useT: () => i18n.makeTranslator(catalog, catalog) };
}

/** An English message as markup shows it (escaped as React escapes text), placeholders filled by name. */
export function englishText(key: string, values: Record<string, string> = {}): string {
  const entry = (raw as Record<string, { message: string }>)[key];
  if (!entry) throw new Error(`no message ${key}`);
  return Object.entries(values)
    .reduce((m, [name, v]) => m.replaceAll(`$${name.toUpperCase()}$`, v), entry.message)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

/** A prompt's answer callbacks, armed, doing nothing. */
export const staticAnswer: Answer = { submit: () => undefined, reject: () => undefined, busy: false, error: undefined, armed: true };

/** The element carrying `data-testid`, with its attributes. */
export function tagOf(html: string, testId: string): string {
  return new RegExp(`<[^>]*data-testid="${testId}"[^>]*>`).exec(html)?.[0] ?? '';
}

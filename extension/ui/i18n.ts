/**
 * Translations for Satnav's pages. The language is a wallet setting, not only the
 * browser's, so `browser.i18n.getMessage` (fixed to the browser's language) is not
 * enough: the chosen `_locales/<lang>/messages.json` is fetched and read the way
 * Chrome reads it, with English filling any gap.
 */
import browser from 'webextension-polyfill';
import { z } from '../../src/base/zod.ts';
import { create } from 'zustand';
import type { Language } from '../../src/messages/ui-api.ts';

export type Lang = Exclude<Language, 'auto'>;
export const LANGS = ['en', 'fr', 'de', 'zh_TW'] as const satisfies readonly Lang[];
/** Each language in its own words: the same in every locale, so not translated. */
export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', fr: 'Français', de: 'Deutsch', zh_TW: '繁體中文' };

/** Keys of the English catalog, which every other catalog mirrors (checked by i18n.test.ts). */
export type MessageKey = keyof typeof import('../../public/_locales/en/messages.json');

const messageEntry = z.object({
  message: z.string(),
  description: z.optional(z.string()),
  placeholders: z.optional(z.record(z.string(), z.object({ content: z.string(), example: z.optional(z.string()) }))),
});
export type MessageEntry = z.infer<typeof messageEntry>;
export const catalogSchema = z.record(z.string(), messageEntry);
export type Catalog = z.infer<typeof catalogSchema>;

/** Positional ($1…$9) like `getMessage`, or by placeholder name. */
export type Substitutions = readonly (string | number)[] | Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, substitutions?: Substitutions) => string;

/** The available language closest to a browser language tag ("fr-CA" → fr, "zh-HK" → zh_TW). */
export function resolveLanguage(setting: Language, uiLanguage: string): Lang {
  if (setting !== 'auto') return setting;
  const primary = uiLanguage.toLowerCase().split(/[-_]/)[0];
  if (primary === 'zh') return 'zh_TW';
  if (primary === 'fr' || primary === 'de') return primary;
  return 'en';
}

/** BCP 47 tag for Intl and `<html lang>`: zh_TW → zh-TW. */
function bcp47(lang: Lang): string {
  return lang.replace('_', '-');
}

const TOKEN = /\$([A-Za-z0-9_@]+)\$|\$([1-9])|\$\$/g;
const POSITIONAL = /\$([1-9])/g;

/**
 * Chrome's substitution rules: `$name$` takes its placeholder's content, `$1`…`$9`
 * the positional substitutions, `$$` is a literal dollar. A named substitution
 * replaces the placeholder's content. One pass, so a substituted value containing
 * `$` is never read again.
 */
export function formatMessage(entry: MessageEntry, substitutions: Substitutions = []): string {
  const positional = isPositional(substitutions) ? substitutions.map(String) : [];
  const named = new Map(isPositional(substitutions) ? [] : Object.entries(substitutions).map(([n, v]) => [n.toLowerCase(), String(v)]));
  const placeholders = new Map(Object.entries(entry.placeholders ?? {}).map(([n, p]) => [n.toLowerCase(), p.content]));
  const nth = (index: string) => positional[Number(index) - 1] ?? '';
  return entry.message.replace(TOKEN, (token, name: string | undefined, index: string | undefined) => {
    if (index !== undefined) return nth(index);
    if (name === undefined) return '$';
    const key = name.toLowerCase();
    const content = placeholders.get(key);
    if (content === undefined) return token;
    return named.get(key) ?? content.replace(POSITIONAL, (_, i: string) => nth(i));
  });
}

function isPositional(s: Substitutions): s is readonly (string | number)[] {
  return Array.isArray(s);
}

/** A missing key falls back to English, then shows the key itself so the gap is visible. */
export function makeTranslator(catalog: Catalog, fallback: Catalog): Translate {
  return (key, substitutions) => {
    const entry = catalog[key] ?? fallback[key];
    return entry ? formatMessage(entry, substitutions) : key;
  };
}

const loaded = new Map<Lang, Promise<Catalog>>();

function loadCatalog(lang: Lang): Promise<Catalog> {
  let catalog = loaded.get(lang);
  if (!catalog) {
    catalog = fetch(`/_locales/${lang}/messages.json`)
      .then((res) => {
        if (!res.ok) throw new Error(`i18n: catalog not found=${lang}`);
        return res.json();
      })
      .then((json: unknown) => catalogSchema.parse(json));
    catalog.catch(() => loaded.delete(lang));
    loaded.set(lang, catalog);
  }
  return catalog;
}

interface I18nState {
  lang: Lang;
  /** BCP 47 locale for Intl formatting. */
  locale: string;
  t: Translate;
}

export const useI18n = create<I18nState>(() => ({ lang: 'en', locale: 'en', t: makeTranslator({}, {}) }));

/** Switch every mounted screen to the language a setting names. */
export async function applyLanguage(setting: Language): Promise<void> {
  const lang = resolveLanguage(setting, browser.i18n.getUILanguage());
  const [fallback, catalog] = await Promise.all([loadCatalog('en'), loadCatalog(lang)]);
  const locale = bcp47(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  useI18n.setState({ lang, locale, t: makeTranslator(catalog, fallback) });
}

export function useT(): Translate {
  return useI18n((s) => s.t);
}

export function useLocale(): string {
  return useI18n((s) => s.locale);
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES } from '../../src/error-codes.ts';
import { errorText, FORM_ERROR_CODES, WORKER_ERROR_CODES } from './error-text.ts';
import { applyLanguage, catalogSchema, formatMessage, LANGS, makeTranslator, resolveLanguage, useI18n, type Catalog, type Lang } from './i18n.ts';

const ui = vi.hoisted(() => ({ language: 'en-US' }));
vi.mock('webextension-polyfill', () => ({ default: { i18n: { getUILanguage: () => ui.language } } }));

const root = new URL('../../', import.meta.url).pathname;
const catalogs = Object.fromEntries(
  LANGS.map((lang) => [lang, catalogSchema.parse(JSON.parse(readFileSync(join(root, `public/_locales/${lang}/messages.json`), 'utf8')))]),
) as Record<Lang, Catalog>;
const en = catalogs.en;

/** Placeholder names a message uses, and what each placeholder is defined as. */
function placeholderShape(catalog: Catalog, key: string) {
  const entry = catalog[key]!;
  const used = [...entry.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase()).sort();
  const defined = Object.entries(entry.placeholders ?? {})
    .map(([name, p]) => `${name.toLowerCase()}=${p.content}`)
    .sort();
  return { used: [...new Set(used)], defined };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}
// The pages' code, and the worker's notifications; content scripts show no text.
const notifications = ['deposits.ts', 'links.ts'].map((name) => join(root, 'extension', 'background', name));
const sources = [...['ui', 'popup', 'options', 'prompt'].flatMap((dir) => sourceFiles(join(root, 'extension', dir))), ...notifications].map((path) =>
  readFileSync(path, 'utf8'),
);
const usedKeys = new Set(sources.flatMap((src) => [...src.matchAll(/\bt\(\s*'([A-Za-z0-9_@]+)'/g)].map((m) => m[1]!)));

describe('catalogs', () => {
  it('the manifest’s keys exist', () => {
    expect(en.appName?.message).toBe('Satnav');
    expect(en.appDescription?.message.length).toBeGreaterThan(0);
  });
  for (const lang of LANGS) {
    describe(lang, () => {
      const catalog = catalogs[lang];
      it('has exactly the English keys', () => expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort()));
      it('has the English placeholders for every key', () => {
        for (const key of Object.keys(en)) expect(placeholderShape(catalog, key), key).toEqual(placeholderShape(en, key));
      });
      it('defines every placeholder it uses', () => {
        for (const key of Object.keys(catalog)) {
          const { used, defined } = placeholderShape(catalog, key);
          expect(defined.map((d) => d.split('=')[0]), key).toEqual(used);
        }
      });
      it('has no empty message', () => {
        for (const [key, entry] of Object.entries(catalog)) expect(entry.message.trim(), key).not.toBe('');
      });
      it('fits the manifest description limit (132)', () => expect(catalog.appDescription!.message.length).toBeLessThanOrEqual(132));
    });
  }
});

describe('keys used in the source', () => {
  it('finds the calls (guards the scan itself)', () => expect(usedKeys.size).toBeGreaterThan(50));
  it('every t(key) exists in English', () => {
    expect([...usedKeys].filter((key) => !(key in en))).toEqual([]);
  });
  it('every error code has a message', () => {
    expect([...WORKER_ERROR_CODES, ...FORM_ERROR_CODES].filter((code) => !(`error_${code}` in en))).toEqual([]);
  });
  it('every code of the error table has its message in every language', () => {
    expect(WORKER_ERROR_CODES).toEqual(Object.keys(ERROR_CODES));
    for (const lang of LANGS) {
      expect(
        WORKER_ERROR_CODES.filter((code) => !catalogs[lang][`error_${code}`]?.message.trim()),
        lang,
      ).toEqual([]);
    }
  });
  it('every English key is used (no dead messages)', () => {
    const dynamic = new Set([...WORKER_ERROR_CODES, ...FORM_ERROR_CODES].map((code) => `error_${code}`));
    const manifestOnly = new Set(['appDescription']);
    expect(Object.keys(en).filter((key) => !usedKeys.has(key) && !dynamic.has(key) && !manifestOnly.has(key))).toEqual([]);
  });
});

describe('resolveLanguage', () => {
  const cases: [string, Lang][] = [
    ['en-US', 'en'],
    ['en', 'en'],
    ['fr', 'fr'],
    ['fr-CA', 'fr'],
    ['de-AT', 'de'],
    ['de', 'de'],
    ['zh-TW', 'zh_TW'],
    ['zh-HK', 'zh_TW'],
    ['zh-CN', 'zh_TW'],
    ['zh', 'zh_TW'],
    ['zh_TW', 'zh_TW'],
    ['ja', 'en'],
    ['es-ES', 'en'],
    ['', 'en'],
  ];
  for (const [tag, want] of cases) it(`auto + ${JSON.stringify(tag)} → ${want}`, () => expect(resolveLanguage('auto', tag)).toBe(want));
  it('an explicit setting wins over the browser', () => {
    expect(resolveLanguage('de', 'fr-FR')).toBe('de');
    expect(resolveLanguage('en', 'zh-TW')).toBe('en');
  });
});

describe('formatMessage (Chrome rules)', () => {
  const entry = (message: string, placeholders?: Record<string, string>) => ({
    message,
    ...(placeholders ? { placeholders: Object.fromEntries(Object.entries(placeholders).map(([n, content]) => [n, { content }])) } : {}),
  });
  it('positional $1..$9', () => expect(formatMessage(entry('$2 then $1'), ['a', 'b'])).toBe('b then a'));
  it('named placeholder with positional content', () => expect(formatMessage(entry('Hi $NAME$!', { name: '$1' }), ['Ada'])).toBe('Hi Ada!'));
  it('named substitutions by placeholder name, case-insensitive', () => {
    expect(formatMessage(entry('$Word$ at $POSITION$', { word: '$1', position: '$2' }), { position: 3, WORD: 'abandom' })).toBe('abandom at 3');
  });
  it('literal placeholder content', () => expect(formatMessage(entry('Visit $SITE$', { site: 'satnav.example' }))).toBe('Visit satnav.example'));
  it('$$ is a dollar sign', () => expect(formatMessage(entry('Costs $$5'))).toBe('Costs $5'));
  it('missing substitutions become empty', () => expect(formatMessage(entry('[$1][$X$]', { x: '$2' }))).toBe('[][]'));
  it('unknown $name$ is left alone', () => expect(formatMessage(entry('a $NOPE$ b'))).toBe('a $NOPE$ b'));
  it('substituted values are not substituted again', () => {
    expect(formatMessage(entry('$A$ $1', { a: '$1' }), { a: '$1 $$' })).toBe('$1 $$ ');
    expect(formatMessage(entry('$1'), ['$2$$'])).toBe('$2$$');
  });
});

describe('makeTranslator', () => {
  const t = makeTranslator(catalogs.fr, en);
  it('translates', () => expect(t('common_back')).toBe('Retour'));
  it('fills placeholders', () => expect(t('confirm_wordLabel', { position: 7 })).toBe('Mot n°\u00a07'));
  it('falls back to English, then to the key', () => {
    const partial = makeTranslator({ common_back: { message: 'Zurück' } }, en);
    expect(partial('common_back')).toBe('Zurück');
    expect(partial('common_cancel')).toBe('Cancel');
    expect(makeTranslator({}, {})('common_cancel')).toBe('common_cancel');
  });
});

describe('errorText', () => {
  const t = makeTranslator(en, en);
  it('known code', () => expect(errorText({ code: 'WRONG_PASSWORD', message: 'vault: wrong password' }, t)).toBe(en.error_WRONG_PASSWORD!.message));
  it('throttle in whole seconds, rounded up', () => {
    expect(errorText({ code: 'UNLOCK_THROTTLED', message: 'x', details: { retryAfterMs: 4100 } }, t)).toBe('Too many wrong passwords. Try again in 5 s.');
  });
  it('word count', () => {
    expect(errorText({ code: 'MNEMONIC_WORD_COUNT', message: 'x', details: { count: 11 } }, t)).toContain('this one has 11.');
  });
  it('unknown word, with and without a suggestion', () => {
    const e = { code: 'MNEMONIC_UNKNOWN_WORD', message: 'x', details: { word: 'abandom', position: 3 } };
    expect(errorText(e, t)).toBe('Unknown word “abandom” at position 3.');
    expect(errorText({ ...e, details: { ...e.details, suggestion: 'abandon' } }, t)).toBe('Unknown word “abandom” at position 3. Did you mean “abandon”?');
  });
  it('in German', () => {
    const de = makeTranslator(catalogs.de, en);
    expect(errorText({ code: 'MNEMONIC_UNKNOWN_WORD', message: 'x', details: { word: 'zzz', position: 2, suggestion: 'zoo' } }, de)).toBe(
      'Unbekanntes Wort „zzz“ an Position 2. Meinten Sie „zoo“?',
    );
  });
  it('an LNURL service’s refusal names the service and gives its reason', () => {
    const e = { code: 'LNURL_SERVICE_ERROR', message: 'x', details: { reason: 'reward already claimed', domain: 'tips.example' } };
    expect(errorText(e, t)).toBe('tips.example refused: reward already claimed');
    expect(errorText(e, makeTranslator(catalogs.fr, en))).toBe('tips.example a refusé\u00a0: reward already claimed');
  });
  it('unknown codes and non-errors keep the raw message', () => {
    expect(errorText({ code: 'SOMETHING_NEW', message: 'node: odd=1' }, t)).toBe('Something went wrong: node: odd=1');
    expect(errorText(new TypeError('Failed to fetch'), t)).toBe('Something went wrong: Failed to fetch');
  });
});

describe('applyLanguage', () => {
  beforeEach(() => {
    vi.stubGlobal('fetch', async (url: string) => {
      const lang = /\/_locales\/([^/]+)\/messages\.json$/.exec(url)?.[1] as Lang | undefined;
      const catalog = lang && catalogs[lang];
      return catalog ? new Response(JSON.stringify(catalog)) : new Response('', { status: 404 });
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('auto follows the browser language', async () => {
    ui.language = 'zh-HK';
    await applyLanguage('auto');
    expect(useI18n.getState().lang).toBe('zh_TW');
    expect(useI18n.getState().locale).toBe('zh-TW');
    expect(useI18n.getState().t('common_back')).toBe('返回');
  });
  it('a chosen language replaces the translator', async () => {
    ui.language = 'zh-HK';
    await applyLanguage('de');
    expect(useI18n.getState().t('common_back')).toBe('Zurück');
    await applyLanguage('en');
    expect(useI18n.getState().t('common_back')).toBe('Back');
  });
});

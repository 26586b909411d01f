import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUST_PARAM, isBusted, refetch } from './refetch.ts';

/** Just enough of a document for refetch: elements found by `tag[attr]`, one style sheet. */
class FakeElement {
  parentElement: { load?: () => void; loads: number } | null = null;
  replacedBy?: FakeElement;
  constructor(
    readonly localName: string,
    readonly attrs: Record<string, string>,
  ) {}
  get attributes() {
    return Object.entries(this.attrs).map(([name, value]) => ({ name, value }));
  }
  getAttribute(name: string) {
    return this.attrs[name] ?? null;
  }
  setAttribute(name: string, value: string) {
    this.attrs[name] = value;
  }
  replaceWith(el: FakeElement) {
    this.replacedBy = el;
  }
}
class FakeFontFaceRule {
  constructor(readonly props: Record<string, string>) {}
  get style() {
    return { getPropertyValue: (name: string) => this.props[name] ?? '' };
  }
}
class FakeFontFace {
  loaded = false;
  constructor(
    readonly family: string,
    readonly source: string,
    readonly descriptors: Record<string, string>,
  ) {}
  async load() {
    this.loaded = true;
  }
}

function fakeDocument(elements: FakeElement[], rules: FakeFontFaceRule[] = []) {
  const fonts: FakeFontFace[] = [];
  return {
    fonts,
    doc: {
      baseURI: 'https://a.example/page/',
      querySelectorAll: (sel: string) => {
        const [, tag, attr] = /^(\w+)\[(\w+)\]$/.exec(sel)!;
        return elements.filter((e) => e.localName === tag && e.attrs[attr!] !== undefined);
      },
      createElement: (tag: string) => new FakeElement(tag, {}),
      styleSheets: [{ href: 'https://a.example/css/site.css', cssRules: rules }],
      fonts: { add: (f: FakeFontFace) => fonts.push(f) },
    },
  };
}

/** refetch as the worker injects it: rebuilt from its text, so any name it took from its module is missing. */
function injected(): typeof refetch {
  return new Function(`return ${refetch.toString()}`)() as typeof refetch;
}

afterEach(() => vi.unstubAllGlobals());

describe('refetch: the elements that loaded a paid URL ask again, once, with one cache-busting parameter', () => {
  it('runs from its own text in the page: re-points matching elements only, keeping query and fragment', () => {
    const img = new FakeElement('img', { src: 'img.svg?r=1#x' });
    const other = new FakeElement('img', { src: 'img.svg?r=2' });
    const retried = new FakeElement('img', { src: `https://a.example/page/img.svg?r=1&${BUST_PARAM}=1` });
    const sheet = new FakeElement('link', { href: '/page/img.svg?r=1', rel: 'icon' });
    const media = { loads: 0, load() {} };
    media.load = () => void media.loads++;
    const source = new FakeElement('source', { src: '/page/img.svg?r=1' });
    source.parentElement = media;
    const { doc } = fakeDocument([img, other, retried, sheet, source]);
    vi.stubGlobal('document', doc);
    vi.stubGlobal('CSSFontFaceRule', FakeFontFaceRule);

    expect(injected()('https://a.example/page/img.svg?r=1', BUST_PARAM, '7')).toBe(3);
    expect(img.attrs.src).toBe(`https://a.example/page/img.svg?r=1&${BUST_PARAM}=7#x`);
    // An earlier token is replaced, not piled up.
    expect(retried.attrs.src).toBe(`https://a.example/page/img.svg?r=1&${BUST_PARAM}=7`);
    expect(other.attrs.src).toBe('img.svg?r=2');
    expect(sheet.attrs.href).toBe('/page/img.svg?r=1');
    expect(media.loads).toBe(1);
  });

  it('a script is replaced by a fresh copy with its attributes; a font face whose src names the URL loads again', () => {
    const script = new FakeElement('script', { src: '/js/app.js', onload: 'ready()' });
    const rule = new FakeFontFaceRule({ src: 'url("../fonts/f.woff2") format("woff2")', 'font-family': '"Paid Sans"', 'font-weight': '700' });
    const { doc, fonts } = fakeDocument([script], [rule]);
    vi.stubGlobal('document', doc);
    vi.stubGlobal('CSSFontFaceRule', FakeFontFaceRule);
    vi.stubGlobal('FontFace', FakeFontFace);

    expect(injected()('https://a.example/js/app.js', BUST_PARAM, '3')).toBe(1);
    expect(script.replacedBy?.attrs).toEqual({ src: `https://a.example/js/app.js?${BUST_PARAM}=3`, onload: 'ready()' });

    expect(injected()('https://a.example/fonts/f.woff2', BUST_PARAM, '4')).toBe(1);
    expect(fonts.map((f) => [f.family, f.source, f.descriptors, f.loaded])).toEqual([
      ['Paid Sans', `url("https://a.example/fonts/f.woff2?${BUST_PARAM}=4")`, { weight: '700' }, true],
    ]);
  });

  it('tells Satnav’s retries from the page’s own requests', () => {
    expect(isBusted(`https://a.example/i.svg?r=1&${BUST_PARAM}=1`)).toBe(true);
    expect(isBusted('https://a.example/i.svg?r=1')).toBe(false);
    expect(isBusted('not a url')).toBe(false);
  });
});

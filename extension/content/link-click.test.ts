import { describe, expect, it } from 'vitest';
import { clickedLinkTarget, type ClickLike } from './link-click.ts';

const BASE = 'https://news.example/';
const el = (localName: string, attrs: Record<string, string> = {}) => ({ localName, getAttribute: (n: string) => attrs[n] ?? null }) as unknown as EventTarget;
const link = el('a', { href: 'lnurlw://news.example/w' });
const span = el('span');
/** A shadow root and the document on the path, as composedPath() lists them. */
const other = { nodeType: 11 } as unknown as EventTarget;

const click = (o: Partial<ClickLike> & { path?: EventTarget[] } = {}): ClickLike => ({
  isTrusted: true,
  button: 0,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  defaultPrevented: false,
  composedPath: () => o.path ?? [span, link, other],
  ...o,
});

describe('clickedLinkTarget: only the person’s own plain click on a payment link', () => {
  it('a trusted primary click inside a link sends its target', () => expect(clickedLinkTarget(click(), BASE)).toBe('lnurlw://news.example/w'));
  it('a link inside an open shadow root is found on the composed path', () => {
    const inner = el('a', { href: 'lightning:tips@news.example' });
    expect(clickedLinkTarget(click({ path: [span, inner, other, el('my-widget'), other] }), BASE)).toBe('lightning:tips@news.example');
  });
  it('the innermost link wins', () => {
    const outer = el('a', { href: 'https://news.example/' });
    expect(clickedLinkTarget(click({ path: [link, outer] }), BASE)).toBe('lnurlw://news.example/w');
    expect(clickedLinkTarget(click({ path: [outer, link] }), BASE)).toBeUndefined();
  });
  it('an image-map area counts; an anchor without href does not', () => {
    expect(clickedLinkTarget(click({ path: [el('area', { href: 'keyauth://news.example/l' })] }), BASE)).toBe('keyauth://news.example/l');
    expect(clickedLinkTarget(click({ path: [el('a', { name: 'top' })] }), BASE)).toBeUndefined();
  });

  const ignored: Array<[why: string, o: Partial<ClickLike> & { path?: EventTarget[] }]> = [
    ['a scripted click (el.click(), dispatchEvent)', { isTrusted: false }],
    ['the middle button', { button: 1 }],
    ['the right button', { button: 2 }],
    ['ctrl (new tab)', { ctrlKey: true }],
    ['meta (new tab on macOS)', { metaKey: true }],
    ['shift (new window)', { shiftKey: true }],
    ['alt (download)', { altKey: true }],
    ['a click already cancelled', { defaultPrevented: true }],
    ['no link on the path', { path: [span, other] }],
    ['an ordinary link', { path: [el('a', { href: '/next' })] }],
  ];
  for (const [why, o] of ignored) it(`ignores ${why}`, () => expect(clickedLinkTarget(click(o), BASE)).toBeUndefined());
});

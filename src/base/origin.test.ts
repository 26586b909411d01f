import { describe, expect, it } from 'vitest';
import { assertOrigin, embeddedIn, isOrigin } from './origin.ts';

describe('isOrigin', () => {
  for (const o of ['https://shop.example', 'http://localhost:8080', 'https://[::1]:3000', 'https://xn--bcher-kva.example'])
    it(`accepts ${o}`, () => expect(isOrigin(o)).toBe(true));
  for (const o of ['', 'https://shop.example/', 'https://shop.example/path', 'shop.example', 'https://a@shop.example', 'https://SHOP.example', 42, null, 'x'.repeat(3000)])
    it(`refuses ${String(o).slice(0, 40)}`, () => expect(isOrigin(o)).toBe(false));
  it('assertOrigin names the field', () => expect(() => assertOrigin('nope', 'topOrigin')).toThrow('origin: invalid topOrigin=nope'));
});

describe('embeddedIn', () => {
  it('a top-level frame is not embedded', () => expect(embeddedIn({ origin: 'https://a.example' })).toBeUndefined());
  it('a same-origin subframe is not embedded', () => expect(embeddedIn({ origin: 'https://a.example', topOrigin: 'https://a.example' })).toBeUndefined());
  it('a frame inside another origin is', () => expect(embeddedIn({ origin: 'https://a.example', topOrigin: 'https://b.example' })).toBe('https://b.example'));
  it('an unknown top-level origin counts as foreign', () => expect(embeddedIn({ origin: 'https://a.example', topOrigin: null })).toBeNull());
});

import { describe, expect, it } from 'vitest';
import { BUST_PARAM, busted, isBusted, sameResource, unbusted } from './refetch.ts';

describe('refetch URLs: one cache-busting parameter, recognisable, removable', () => {
  it('adds the parameter, keeping the query and the fragment', () => {
    expect(busted('https://a.example/p/img.svg?r=1#x', '7')).toBe(`https://a.example/p/img.svg?r=1&${BUST_PARAM}=7#x`);
    expect(busted('https://a.example/img.svg', '7')).toBe(`https://a.example/img.svg?${BUST_PARAM}=7`);
  });

  it('replaces an earlier token instead of piling them up', () => {
    expect(busted(busted('https://a.example/i.svg', '1'), '2')).toBe(`https://a.example/i.svg?${BUST_PARAM}=2`);
  });

  it('tells Satnav’s retries from the page’s own requests', () => {
    expect(isBusted(busted('https://a.example/i.svg?r=1', '1'))).toBe(true);
    expect(isBusted('https://a.example/i.svg?r=1')).toBe(false);
    expect(isBusted('not a url')).toBe(false);
  });

  it('compares resources without the parameter or a fragment', () => {
    expect(unbusted(busted('https://a.example/i.svg?r=1#f', '9'))).toBe('https://a.example/i.svg?r=1');
    expect(sameResource('https://a.example/i.svg?r=1', busted('https://a.example/i.svg?r=1', '3'))).toBe(true);
    expect(sameResource('https://a.example/i.svg?r=1', 'https://a.example/i.svg?r=2')).toBe(false);
    expect(sameResource('https://a.example/i.svg', 'https://b.example/i.svg')).toBe(false);
    expect(sameResource('https://a.example/i.svg', 'nonsense')).toBe(false);
  });
});

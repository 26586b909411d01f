import { createElement, Suspense } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { lazyScreen } from './lazy-screen.ts';

const Greeting = ({ name }: { name: string }) => createElement('p', null, `hello ${name}`);
const inSuspense = (node: ReturnType<typeof createElement>) => renderToString(createElement(Suspense, { fallback: createElement('i', null, 'loading') }, node));

describe('lazyScreen', () => {
  it('shows the fallback until the code is here, and loads it once', async () => {
    const load = vi.fn(async () => Greeting);
    const Screen = lazyScreen(load);
    expect(inSuspense(createElement(Screen, { name: 'Ada' }))).toContain('loading');
    await Screen.preload();
    expect(load).toHaveBeenCalledTimes(1);
  });
  it('once preloaded, renders at once: no fallback on its first render', async () => {
    const Screen = lazyScreen(async () => Greeting);
    await Screen.preload();
    const html = inSuspense(createElement(Screen, { name: 'Ada' }));
    expect(html).toContain('hello Ada');
    expect(html).not.toContain('loading');
  });
  it('a failed load: preload settles, the screen throws the reason', async () => {
    const Screen = lazyScreen<{ name: string }>(() => Promise.reject(new Error('chunk missing')));
    await expect(Screen.preload()).resolves.toBeUndefined();
    expect(() => Screen({ name: 'Ada' })).toThrow('chunk missing');
  });
  it('a failed load with a failure screen: that screen, with the reason, instead of a blank page', async () => {
    const Failed = ({ error }: { error: unknown }) => createElement('p', null, `could not load: ${(error as Error).message}`);
    const Screen = lazyScreen<{ name: string }>(() => Promise.reject(new Error('chunk missing')), Failed);
    await Screen.preload();
    expect(inSuspense(createElement(Screen, { name: 'Ada' }))).toContain('could not load: chunk missing');
  });
});

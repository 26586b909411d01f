/**
 * A screen whose code loads when it is first shown or preloaded, so a page's first load carries only the
 * screens it opens on (issue 13: the popup's first load ≤ 100 KB gzip).
 * Not React.lazy: that suspends on its first render even when the code is already here, so every first
 * visit would flash the Suspense fallback; a preloaded screen from here renders at once.
 */
import { createElement, type ComponentType, type ReactNode } from 'react';

export interface LazyScreen<P> {
  (props: P): ReactNode;
  /** Start loading the code; settles once it is here or failed (never rejects). */
  preload(): Promise<void>;
}

/**
 * `failed`: shown when the code could not be loaded (an extension updated under an open page: its
 * chunks are gone), instead of the whole page going blank.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>, failed?: ComponentType<{ error: unknown }>): LazyScreen<P> {
  let component: ComponentType<P> | undefined;
  let failure: { error: unknown } | undefined;
  let loading: Promise<void> | undefined;
  const preload = () =>
    (loading ??= load().then(
      (c) => void (component = c),
      (error: unknown) => {
        // The browser's reason names a file: for the console; `failed` tells the person in words.
        console.warn('satnav: a screen did not load', error);
        failure = { error };
      },
    ));
  function Screen(props: P): ReactNode {
    if (failure) {
      if (failed) return createElement(failed, { error: failure.error });
      throw failure.error;
    }
    // Suspense shows its fallback until the code is here, then renders this again.
    if (!component) throw preload();
    return createElement(component, props);
  }
  return Object.assign(Screen, { preload });
}

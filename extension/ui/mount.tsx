/** Start one of Satnav's pages: its language first (no flash of untranslated keys), then React. */
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadLanguage } from './actions.ts';
import './styles.css';

/** The toolbar popup (fixed 360×600), a full tab (options), or the small approval window. */
export type PageKind = 'popup' | 'page' | 'prompt';

export async function mount(kind: PageKind, root: ReactNode): Promise<void> {
  document.body.classList.add(`kind-${kind}`);
  await loadLanguage();
  const element = document.getElementById('root');
  if (!element) throw new Error('ui: missing element=#root');
  createRoot(element).render(<StrictMode>{root}</StrictMode>);
}

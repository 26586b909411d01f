/**
 * Which screen is showing, and the one piece of state onboarding carries between
 * screens (the mnemonic on its way to `vault.create`). No worker calls here: those
 * live in actions.ts.
 */
import { create } from 'zustand';

export type Screen =
  | 'loading'
  | 'failed'
  | 'welcome'
  | 'create'
  | 'confirm'
  | 'import'
  | 'password'
  | 'unlock'
  | 'home'
  | 'connect'
  | 'settings'
  | 'limits'
  | 'activity'
  | 'paidAccess'
  | 'deposits'
  | 'send'
  | 'receive';

/** Where an unlocked wallet opens: the popup shows balances, the options page its settings. */
export type Landing = 'home' | 'settings';

export interface Draft {
  mnemonic: string;
  /** Which flow produced it, so the password step's back button returns there. */
  origin: 'create' | 'import';
  /** Restoring over an existing vault (forgotten password): `vault.create` with replace. */
  replace: boolean;
}

interface RouteState {
  screen: Screen;
  landing: Landing;
  draft: Draft | undefined;
  /** Import was opened from the unlock screen to replace the wallet. */
  restoring: boolean;
  /** Why the first `vault.status` failed, for the `failed` screen. */
  failure: unknown;
  /**
   * Where screens opened with `visit` go back to, the latest last: limits and
   * activity open from home and from settings, paid access from limits,
   * deposits from home and from limits.
   */
  trail: Screen[];
}

export const useRoute = create<RouteState>(() => ({
  screen: 'loading',
  landing: 'home',
  draft: undefined,
  restoring: false,
  failure: undefined,
  trail: [],
}));

/** Show `screen`; the way back from visited screens starts over. */
export function go(screen: Screen): void {
  useRoute.setState({ screen, trail: [] });
}

/** Open a screen whose back button returns to the current one. */
export function visit(screen: Screen): void {
  useRoute.setState((s) => ({ screen, trail: [...s.trail, s.screen] }));
}

/** Back to the screen that visited this one (the page's landing when none did). */
export function goBack(): void {
  useRoute.setState((s) => ({ screen: s.trail.at(-1) ?? s.landing, trail: s.trail.slice(0, -1) }));
}

/** Leave onboarding: the mnemonic must not outlive the flow that needed it. */
export function endOnboarding(screen: Screen): void {
  useRoute.setState({ screen, draft: undefined, restoring: false, trail: [] });
}

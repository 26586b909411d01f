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
  | 'activity';

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
  /** Where a screen opened with `visit` goes back to: limits and activity open from home and from settings. */
  returnTo: Screen;
}

export const useRoute = create<RouteState>(() => ({
  screen: 'loading',
  landing: 'home',
  draft: undefined,
  restoring: false,
  failure: undefined,
  returnTo: 'home',
}));

export function go(screen: Screen): void {
  useRoute.setState({ screen });
}

/** Open a screen whose back button returns to the current one. */
export function visit(screen: Screen): void {
  useRoute.setState((s) => ({ screen, returnTo: s.screen }));
}

export function goBack(): void {
  go(useRoute.getState().returnTo);
}

/** Leave onboarding: the mnemonic must not outlive the flow that needed it. */
export function endOnboarding(screen: Screen): void {
  useRoute.setState({ screen, draft: undefined, restoring: false });
}

/**
 * What the screens ask the worker to do and where each answer leads. Stores stay
 * free of messaging; these functions call the worker, then move the route.
 */
import browser from 'webextension-polyfill';
import type { NodeConnectRequest, Settings, UiRequestOf, VaultStatus } from '../../src/messages/ui-api.ts';
import { call } from './client.ts';
import { errorCode } from './error-text.ts';
import { applyLanguage } from './i18n.ts';
import { endOnboarding, go, useRoute, type Draft, type Landing } from './route.ts';

/** First screen for the vault's state: none yet → welcome, locked → unlock, else the page's landing. */
function land(status: VaultStatus): void {
  endOnboarding(!status.initialized ? 'welcome' : !status.unlocked ? 'unlock' : useRoute.getState().landing);
}

export async function boot(landing: Landing): Promise<void> {
  useRoute.setState({ landing, screen: 'loading', failure: undefined });
  try {
    land(await call({ type: 'vault.status' }));
  } catch (e) {
    useRoute.setState({ screen: 'failed', failure: e });
  }
}

/** The saved language, or the browser's when the worker cannot say (first start, worker waking up). */
export async function loadLanguage(): Promise<void> {
  const settings = await call({ type: 'settings.get' }).catch(() => undefined);
  await applyLanguage(settings?.language ?? 'auto');
}

/** A call failed because the vault locked itself meanwhile: show the unlock screen instead of an error. */
export function handleLocked(e: unknown): boolean {
  if (errorCode(e) !== 'VAULT_LOCKED') return false;
  go('unlock');
  return true;
}

export async function createVault(draft: Draft, password: string): Promise<void> {
  const request = { type: 'vault.create', mnemonic: draft.mnemonic, password } as const;
  land(await call(draft.replace ? { ...request, replace: true } : request));
}

export async function unlock(password: string): Promise<void> {
  land(await call({ type: 'vault.unlock', password }));
}

export async function lock(): Promise<void> {
  try {
    land(await call({ type: 'vault.lock' }));
  } catch {
    // Never leave the wallet looking open after a failed lock: show whatever state the worker is in.
    await boot(useRoute.getState().landing);
  }
}

export async function revealMnemonic(password: string): Promise<string[]> {
  const { mnemonic } = await call({ type: 'vault.reveal', password });
  return mnemonic.split(' ');
}

export async function updateSettings(patch: UiRequestOf<'settings.update'>['patch']): Promise<Settings> {
  const settings = await call({ type: 'settings.update', patch });
  if (patch.language !== undefined) await applyLanguage(settings.language);
  return settings;
}

export async function connectNode(connection: NodeConnectRequest): Promise<void> {
  await call({ type: 'node.connect', connection });
  go('home');
}

/** Once the person accepted the node's certificate in the tab the worker opens: this connection, or the saved one. */
export async function trustNode(connection?: NodeConnectRequest): Promise<void> {
  await call(connection ? { type: 'node.trust', connection } : { type: 'node.trust' });
  go('home');
}

/** The embedded devnet's node; the worker marks it simulated. */
export async function connectDevnet(): Promise<void> {
  await call({ type: 'devnet.connect' });
  go('home');
}

export function openOptionsPage(): void {
  void browser.runtime.openOptionsPage();
}

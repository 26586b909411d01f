import type { BrowserContext, Worker } from '@playwright/test';
import type { Devnet } from '../devnet/index.ts';
import { launchWithExtension, serviceWorkerOf } from '../e2e/fixtures.ts';
import { generateMnemonic } from '../src/vault/mnemonic.ts';

export type UiCall = (request: Record<string, unknown>) => Promise<unknown>;

/** A browser with the built extension (`dist`: another build), a new wallet connected to the devnet's alice, and its UI API. */
export async function walletContext(dir: string, devnet: Devnet, o: { args?: string[]; dist?: string } = {}): Promise<{ ctx: BrowserContext; sw: Worker; call: UiCall }> {
  const ctx = await launchWithExtension(dir, o.args, o.dist);
  const sw = await serviceWorkerOf(ctx);
  const ui = await ctx.newPage();
  await ui.goto(`chrome-extension://${new URL(sw.url()).host}/extension/popup/index.html`);
  const call: UiCall = (request) =>
    ui.evaluate(async (r) => {
      const reply = await chrome.runtime.sendMessage({ channel: 'satnav/ui', request: r });
      if (!reply?.ok) throw new Error(JSON.stringify(reply));
      return reply.result;
    }, request);
  await call({ type: 'vault.create', mnemonic: generateMnemonic(12), password: 'bench password 1' });
  const a = devnet.nodes.alice;
  await call({ type: 'node.connect', connection: { restUrl: a.lndRestUrl, macaroon: a.adminMacaroonHex, expectedNetwork: 'regtest' } });
  return { ctx, sw, call };
}

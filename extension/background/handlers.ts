import { nodeHandlers } from './node-handlers.ts';
import { depositHandlers } from './deposit-handlers.ts';
import { paywallHandlers } from './paywall-handlers.ts';
import { sendHandlers } from './send-handlers.ts';
import { vaultHandlers, type UiHandlers } from './ui-handlers.ts';
import { walletHandlers } from './wallet-handlers.ts';

/** Every UI request type mapped to its handler; `satisfies` makes a missing one a type error. */
export const uiHandlers = { ...vaultHandlers, ...nodeHandlers, ...walletHandlers, ...paywallHandlers, ...depositHandlers, ...sendHandlers } satisfies UiHandlers;

import type { UiHandlers } from './ui-handlers.ts';
import { vaultHandlers } from './ui-handlers.ts';
import { nodeHandlers } from './node-handlers.ts';

/** Every UI request type mapped to its handler; `satisfies` makes a missing one a type error. */
export const uiHandlers = { ...vaultHandlers, ...nodeHandlers } satisfies UiHandlers;

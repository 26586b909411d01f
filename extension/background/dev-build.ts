/**
 * Whether this is the demo/e2e build (`npm run build:devnet`): the one build
 * flag, `__SATNAV_DEVNET__` (src/env.d.ts). Release builds get `false`, and every
 * devnet-only allowance (LNURL over plain http and into private networks, from
 * a page on this machine) stays off. Under Vitest nothing defines it: release.
 */
export const DEV_BUILD: boolean = typeof __SATNAV_DEVNET__ === 'boolean' && __SATNAV_DEVNET__;

/**
 * Whether this is the demo/test build: vite.config.ts defines __SATNAV_DEV__ as true only when
 * built with SATNAV_DEV=1. Release builds leave it undefined, and every devnet-only allowance
 * (LNURL over plain http and into private networks, from a page on this machine) stays off.
 */
declare const __SATNAV_DEV__: boolean | undefined;

export const DEV_BUILD: boolean = typeof __SATNAV_DEV__ === 'boolean' && __SATNAV_DEV__;

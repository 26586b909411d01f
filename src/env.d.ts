/**
 * Build-time constants, replaced by Vite's `define` (vite.config.ts).
 *
 * `__SATNAV_DEVNET__`: true only in the demo/e2e build (`npm run build:devnet`, Vite mode
 * `devnet`), false in the release build (`npm run build`). Code behind `if (__SATNAV_DEVNET__)`
 * is dropped from release bundles, so simulated-network helpers (the local devnet probe,
 * loopback exceptions) never ship. Not defined under Vitest unless its config defines it.
 */
declare const __SATNAV_DEVNET__: boolean;

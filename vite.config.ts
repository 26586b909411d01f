import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { crx } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };
import { firefoxManifest } from './scripts/firefox-manifest.ts';

/**
 * Modes: `production` (npm run build → dist/), `devnet` (npm run build:devnet), and the same two for
 * Firefox, `firefox` and `firefox-devnet` (npm run build:firefox[:devnet] → dist-firefox/): the same
 * sources, Firefox's manifest (scripts/firefox-manifest.ts). SATNAV_DIST names another output folder
 * (e2e/fixtures.ts reads the same variable), so two builds can be tested side by side.
 */
export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox' || mode === 'firefox-devnet';
  return {
    plugins: [react(), firefox ? crx({ manifest: firefoxManifest(manifest), browser: 'firefox' }) : crx({ manifest })],
    // src/env.d.ts. Only the devnet modes (npm run build:devnet, for the demo and the e2e tests) keep
    // the simulated-network code; the release builds drop it.
    define: { __SATNAV_DEVNET__: JSON.stringify(mode === 'devnet' || mode === 'firefox-devnet') },
    build: {
      outDir: process.env.SATNAV_DIST || (firefox ? 'dist-firefox' : 'dist'),
      emptyOutDir: true,
      target: firefox ? 'firefox128' : 'chrome111',
      // Readable stack traces from users' bug reports; sourcemaps stay out of dist.
      minify: true,
      // Every browser the extension supports (target above) has <link rel=modulepreload>: vite's
      // polyfill would only add a chunk to each page's first load.
      modulePreload: { polyfill: false },
      rollupOptions: {
        // src/ is the core's plain modules: importing one runs nothing. Said so, a page that reaches a module
        // only through a barrel (src/policy/index.ts → the engine → the Public Suffix List) no longer loads it:
        // the popup took the worker's shared chunks (tldts, the engine, the ledger) for the three exports it uses.
        // One exception: src/base/zod.ts gives zod/mini its English messages when imported.
        treeshake: { moduleSideEffects: (id: string) => !/\/src\//.test(id) || id.endsWith('/src/base/zod.ts') },
        // Cross-module constant inlining copied tldts' 50 KB label string into each function using it (3 copies).
        optimization: { inlineConst: false },
        input: {
          prompt: 'extension/prompt/index.html',
        // Opened by the worker (extension/background/offscreen.ts), so no manifest entry names it.
        offscreen: 'extension/offscreen/index.html',
        },
      },
    },
    server: { port: 5173, strictPort: true, hmr: { port: 5173 } },
  };
});

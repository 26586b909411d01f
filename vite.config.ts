import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { crx } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };

export default defineConfig(({ mode }) => ({
  plugins: [react(), crx({ manifest })],
  // src/env.d.ts. Only `vite build --mode devnet` (npm run build:devnet, for the demo and the e2e
  // tests) keeps the simulated-network code; the release build drops it.
  define: { __SATNAV_DEVNET__: JSON.stringify(mode === 'devnet') },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome111',
    // Readable stack traces from users' bug reports; sourcemaps stay out of dist.
    minify: true,
    rollupOptions: {
      input: {
        prompt: 'extension/prompt/index.html',
      },
    },
  },
  server: { port: 5173, strictPort: true, hmr: { port: 5173 } },
}));

/**
 * Release builds carry no simulated-network code: the popup used to make the worker probe
 * http://127.0.0.1:18080/control/wallet-offer on every visit to the connect screen. The code sits
 * behind the build-time constant __SATNAV_DEVNET__ (src/env.d.ts), true only in Vite's `devnet`
 * mode (npm run build:devnet, used by npm test and npm run demo).
 *
 * A whole extension build is too slow for a unit test, so this checks the three links instead:
 * the config sets the flag from the mode, the one module holding the devnet probe compiles it away
 * when the flag is false, and no other module of the extension mentions the devnet's address.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { build, type ConfigEnv, type Rollup, type UserConfig } from 'vite';
import { describe, expect, it } from 'vitest';
import viteConfig from '../../vite.config.ts';

const root = path.resolve(import.meta.dirname, '../..');
const HANDLERS = path.join(root, 'extension/background/node-handlers.ts');
/** What gives the probe away: the control port and path, and the storage key that redirects it. */
const DEVNET_MARKERS = ['18080', 'wallet-offer', 'devnet.controlUrl'];

function configFor(mode: string): UserConfig {
  const env: ConfigEnv = { command: 'build', mode, isSsrBuild: false, isPreview: false };
  return typeof viteConfig === 'function' ? (viteConfig(env) as UserConfig) : viteConfig;
}

/** node-handlers.ts alone (its imports left as imports), minified as in the extension build. */
async function bundleHandlers(define: UserConfig['define']): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    define,
    build: {
      write: false,
      minify: true,
      target: 'chrome111',
      lib: { entry: HANDLERS, formats: ['es'], fileName: 'node-handlers' },
      rollupOptions: { external: (id) => path.resolve(id) !== HANDLERS },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as Rollup.RollupOutput[];
  return outputs.flatMap((o) => o.output.map((chunk) => (chunk.type === 'chunk' ? chunk.code : ''))).join('\n');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

describe('the devnet stays out of release builds', () => {
  it('the flag is on only in the devnet modes (Chrome and Firefox)', () => {
    expect(configFor('production').define).toEqual({ __SATNAV_DEVNET__: 'false' });
    expect(configFor('devnet').define).toEqual({ __SATNAV_DEVNET__: 'true' });
    expect(configFor('firefox').define).toEqual({ __SATNAV_DEVNET__: 'false' });
    expect(configFor('firefox-devnet').define).toEqual({ __SATNAV_DEVNET__: 'true' });
  });

  it('a release build of the node handlers has no devnet probe; a devnet build has it', async () => {
    const release = await bundleHandlers(configFor('production').define);
    const devnet = await bundleHandlers(configFor('devnet').define);
    expect(DEVNET_MARKERS.filter((m) => release.includes(m))).toEqual([]);
    expect(release).toContain('devnet.offer'); // the handler stays, answering "not available"
    expect(DEVNET_MARKERS.filter((m) => devnet.includes(m))).toEqual(DEVNET_MARKERS);
  });

  it('no other module of the extension knows the devnet address', () => {
    const files = ['src', 'extension'].flatMap((dir) => sourceFiles(path.join(root, dir)));
    const mentioning = files.filter((file) => DEVNET_MARKERS.some((m) => readFileSync(file, 'utf8').includes(m)));
    expect(mentioning.map((file) => path.relative(root, file))).toEqual(['extension/background/node-handlers.ts']);
  });
});

/**
 * The 402-wall part of `npm run bench` alone (bench/paywall.ts), against the release build in
 * dist/ or SATNAV_DIST: `SATNAV_DIST=dist-x npx vite build && SATNAV_DIST=dist-x npx tsx bench/paywall-only.ts`.
 * PROFILE=1: a CPU profile of the worker across the first paid requests (bench/worker-profile.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoSites } from '../demo-sites/server.ts';
import { startDevnet } from '../devnet/index.ts';
import { benchPaywall } from './paywall.ts';
import { walletContext } from './wallet.ts';
import { profileWorker } from './worker-profile.ts';

const devnet = await startDevnet({ basePort: 0 });
const sites = await startDemoSites({ port: 0, devnet: devnet.control });
const dir = mkdtempSync(path.join(tmpdir(), 'satnav-bench-'));
try {
  const PORT = 9339;
  const profiling = process.env.PROFILE === '1';
  const { ctx, sw, call } = await walletContext(dir, devnet, profiling ? { args: [`--remote-debugging-port=${PORT}`] } : {});
  await call({ type: 'limits.updateGlobal', patch: { dailyCap: { sat: 1_000_000 } } });
  const profile = profiling ? () => profileWorker(PORT) : undefined;
  if (!(await benchPaywall({ ctx, sw, call, devnet, sites, ...(profile && { profile }) })).ok) process.exitCode = 1;
  await ctx.close();
} finally {
  await sites.stop();
  await devnet.stop();
  rmSync(dir, { recursive: true, force: true });
}

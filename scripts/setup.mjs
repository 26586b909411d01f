// Runs before `npm test` and `npm run demo` (plain JS: node_modules may not exist yet).
// Installs the npm dependencies when missing and checks for Debian's Chromium, so the
// two README commands work on a fresh machine. Nothing here downloads a browser build.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });

const stale = !existsSync('node_modules/.package-lock.json') || statSync('package-lock.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs;
if (stale) {
  console.log('setup: installing npm dependencies (npm ci)');
  run('npm ci --no-audit --no-fund');
}

const chromium = process.env.SATNAV_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.log("setup: installing Debian's chromium (apt-get)");
    run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium');
  } else {
    console.error(`setup: Chromium not found at ${chromium}. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set SATNAV_CHROMIUM to its path.`);
    process.exit(1);
  }
}

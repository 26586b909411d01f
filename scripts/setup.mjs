// Runs before `npm test` and `npm run demo` (plain JS: node_modules may not exist yet).
// Installs the npm dependencies when missing and checks for Debian's Chromium (and, for the
// Firefox suite, Firefox ESR), so the two README commands work on a fresh machine. Nothing here
// downloads a browser build.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });

const stale = !existsSync('node_modules/.package-lock.json') || statSync('package-lock.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs;
if (stale) {
  console.log('setup: installing npm dependencies (npm ci)');
  run('npm ci --no-audit --no-fund');
}

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = root && existsSync('/usr/bin/apt-get');

const chromium = process.env.SATNAV_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  if (apt) {
    console.log("setup: installing Debian's chromium (apt-get)");
    run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium');
  } else {
    console.error(`setup: Chromium not found at ${chromium}. Install it (Debian/Ubuntu: sudo apt-get install chromium) or set SATNAV_CHROMIUM to its path.`);
    process.exit(1);
  }
}

// Optional: without it `npm test` skips the Firefox suite and says so (package.json test:firefox:if-installed).
const firefox = process.env.SATNAV_FIREFOX ?? '/usr/bin/firefox-esr';
if (!existsSync(firefox) && apt && process.env.npm_lifecycle_event === 'pretest') {
  console.log("setup: installing Debian's firefox-esr (apt-get)");
  run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr');
}

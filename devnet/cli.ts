/**
 * `npm run devnet`: starts the devnet on fixed ports and prints what a wallet needs to connect.
 * Runs until Ctrl-C. Ports from DEVNET_BASE_PORT (default 18080), node i = 0 (alice), 1 (bob), …:
 *
 *   control      18080
 *   lnd  http    18081 + i   (alice 18081, bob 18082, carol 18083, dave 18084)
 *   tapd http    18091 + i
 *   lnd  https   18101 + i   (what the lndconnect URIs point at)
 *   tapd https   18111 + i
 */
import { startDevnet } from './index.ts';
import { loadDevnetTls } from './tls.ts';

const basePort = Number(process.env.DEVNET_BASE_PORT ?? 18080);
if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_000) {
  console.error(`devnet: DEVNET_BASE_PORT must be a port number=${process.env.DEVNET_BASE_PORT}`);
  process.exit(1);
}

const devnet = await startDevnet({ basePort, validate: process.env.DEVNET_VALIDATE === '1' });
console.log(`Satnav devnet running (regtest). Control API: ${devnet.controlUrl}/control/…\n`);
for (const n of Object.values(devnet.nodes)) {
  console.log(`${n.name} — ${n.alias}
  pubkey           ${n.pubkey}
  lnd REST         ${n.lndRestTlsUrl}  (plain: ${n.lndRestUrl})
  tapd REST        ${n.tapdRestTlsUrl}  (plain: ${n.tapdRestUrl})
  admin macaroon   ${n.adminMacaroonHex}
  read-only        ${n.readonlyMacaroonHex}
  tapd macaroon    ${n.tapdMacaroonHex}
  lndconnect       ${n.lndconnectUri}
  in a browser     open ${n.lndRestTlsUrl}/v1/state first and accept the certificate
`);
}
console.log(`The https ports use a self-signed, test-only certificate (devnet/tls/README.md). To use an
lndconnect URI in a browser, first open https://127.0.0.1:<its port>/v1/state as shown above and accept
the certificate. Or use Satnav's "Use the simulated network" button, which uses plain http on localhost.
Chromium does not apply an accepted certificate to an extension's service worker; to trust this one key
everywhere, start it with --ignore-certificate-errors-spki-list=${(await loadDevnetTls()).spkiSha256}

Press Ctrl-C to stop.`);

const shutdown = () => {
  void devnet.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

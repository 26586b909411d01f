/**
 * `npm run devnet`: starts the devnet on fixed ports (DEVNET_BASE_PORT, default 18080: control
 * 18080, alice lnd 18081 / tapd 18091, bob 18082 / 18092, carol 18083 / 18093, dave 18084 / 18094)
 * and prints what a wallet needs to connect. Runs until Ctrl-C.
 */
import { startDevnet } from './index.ts';

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
  lnd REST         ${n.lndRestUrl}
  tapd REST        ${n.tapdRestUrl}
  admin macaroon   ${n.adminMacaroonHex}
  read-only        ${n.readonlyMacaroonHex}
  tapd macaroon    ${n.tapdMacaroonHex}
  lndconnect       ${n.lndconnectUri}
`);
}
console.log('Press Ctrl-C to stop.');

const shutdown = () => {
  void devnet.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

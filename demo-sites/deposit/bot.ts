/**
 * `npm run demo:bot`: what abuse costs behind a deposit wall. Starts a devnet (or attaches to the
 * one at DEVNET_CONTROL_URL) and the deposit site, then an honest visitor reads and leaves, and a
 * bot sends BOT_REQUESTS (10) requests that each pay a deposit and abuse the page, which the site
 * answers by forfeiting. Both pay from alice; the cost is alice's balance before and after.
 */
import { randomBytes } from 'node:crypto';
import { startDevnet, type DevnetControl, type DevnetNodeInfo } from '../../devnet/index.ts';
import { rootFromSeed } from '../../src/keys/root.ts';
import { createVisitor } from '../../sitekit/visitor.ts';
import { startDepositSite } from './sites.ts';

const REQUESTS = Number(process.env.BOT_REQUESTS ?? 10);
const AMOUNT = Number(process.env.BOT_AMOUNT_SAT ?? 100_000);
const sats = (n: number) => `${n.toLocaleString('en-US')} sats`;

async function attach(url: string): Promise<{ control: Pick<DevnetControl, 'nodeInfo'>; stop(): Promise<void> }> {
  const nodes = (await (await fetch(`${url}/control/nodes`)).json()) as Record<string, DevnetNodeInfo>;
  return { control: { nodeInfo: (n) => nodes[n]! }, stop: async () => undefined };
}

const devnet = process.env.DEVNET_CONTROL_URL ? await attach(process.env.DEVNET_CONTROL_URL) : await startDevnet({ basePort: 0 }).then((d) => ({ control: d.control, stop: d.stop }));
const alice = devnet.control.nodeInfo('alice');
const site = await startDepositSite({ devnet: devnet.control, amountSat: AMOUNT, sweepSeconds: 0 });
const article = `${site.url}/deposit/article.html`;

async function localSat(): Promise<number> {
  const r = await fetch(`${alice.lndRestUrl}/v1/balance/channels`, { headers: { 'Grpc-Metadata-macaroon': alice.adminMacaroonHex } });
  return Number(((await r.json()) as { local_balance: { sat: string } }).local_balance.sat);
}
const visitorWith = () => createVisitor({ root: rootFromSeed(randomBytes(64)), lndUrl: alice.lndRestUrl, macaroon: alice.adminMacaroonHex });
/** Waits until alice's node has the payment's final outcome. */
async function final(v: ReturnType<typeof visitorWith>, hash: string) {
  for (let i = 0; i < 250; i++) {
    const o = await v.outcome(hash);
    if (o !== 'IN_FLIGHT') return o;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`bot: payment still in flight=${hash}`);
}

try {
  console.log(`Deposit wall: ${sats(AMOUNT)} at ${article}\n`);

  const honest = visitorWith();
  let before = await localSat();
  let t = performance.now();
  const visit = await honest.visit(article);
  if (visit.response.status !== 200 || !visit.deposit) throw new Error(`bot: honest visit answered=${visit.response.status}`);
  await honest.release(visit.deposit);
  const honestOutcome = await final(honest, visit.deposit.paymentHash);
  const honestCost = before - (await localSat());
  console.log(`honest visitor: deposit held, page read, released (${honestOutcome}) in ${(performance.now() - t).toFixed(0)} ms → costs ${sats(honestCost)}`);

  const bot = visitorWith();
  before = await localSat();
  t = performance.now();
  let forfeited = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const v = await bot.visit(article);
    if (!v.deposit) throw new Error(`bot: request ${i} got no deposit, status=${v.response.status}`);
    const abuse = await bot.fetch(`${site.url}/deposit/abuse`, v.deposit, { method: 'POST' });
    if (abuse.status === 200 && (await final(bot, v.deposit.paymentHash)) === 'SUCCEEDED') forfeited++;
  }
  const botCost = before - (await localSat());
  const stats = await site.site.stats();
  console.log(`bot: ${REQUESTS} abusive requests, ${forfeited} deposits forfeited in ${(performance.now() - t).toFixed(0)} ms → costs ${sats(botCost)}`);
  console.log(`\nAn attack of ${REQUESTS} requests cost the attacker ${sats(botCost)} (${sats(Math.round(botCost / REQUESTS))} a request); an honest visit cost ${sats(honestCost)}.`);
  console.log(`Site's node: ${stats.issued} deposit invoices, ${stats.released} released, ${stats.forfeited} forfeited, ${stats.held} held, ${stats.pending} unpaid.`);
} finally {
  await site.stop();
  await devnet.stop();
}

/**
 * Site kit throughput (sitekit/), over HTTP against one in-process devnet LND (carol), as ratios
 * to a baseline measured in the same run: the same node:http server answering a plain 200.
 *
 * 1. challenges/s: requests without a credential; each makes a hold invoice (AddHoldInvoice) and
 *    answers 402.
 * 2. credential checks/s: requests with a held deposit's credential; each verifies the signature
 *    and the nonce, asks the node (LookupInvoiceV2) and answers 200.
 *
 * The three are measured in interleaved rounds (median of each), so load from elsewhere on a shared
 * machine hits them alike. The devnet runs in the same process, so its invoice signing counts in
 * the figures: a real LND elsewhere would leave the kit more of the CPU.
 * Run alone: `npx tsx bench/deposit-sitekit.ts`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDevnet } from '../devnet/index.ts';
import { rootFromSeed } from '../src/keys/root.ts';
import { createDepositWall, type DepositWall } from '../sitekit/deposit-wall.ts';
import { sendResponse, toRequest } from '../sitekit/express.ts';
import { createVisitor } from '../sitekit/visitor.ts';
import { median } from './stats.ts';

export interface DepositSitekitFigures {
  /** Per kind and round. */
  requests: number;
  rounds: number;
  concurrency: number;
  /** Plain 200s per second through the same server and client. */
  baselinePerSec: number;
  challengesPerSec: number;
  checksPerSec: number;
  /** challengesPerSec / baselinePerSec, checksPerSec / baselinePerSec. */
  challengeRatio: number;
  checkRatio: number;
}

type Handler = (req: Request) => Promise<Response>;

async function serve(origin: () => string, handler: () => Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void handler()(toRequest(req, origin())).then((r) => sendResponse(res, r));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** `requests` GETs, `concurrency` at a time; per second, after a short warm-up. */
async function rate(url: string, headers: Record<string, string>, requests: number, concurrency: number, expect: number): Promise<number> {
  const one = async () => {
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    if (r.status !== expect) throw new Error(`bench: expected ${expect}, got=${r.status}`);
  };
  for (let i = 0; i < concurrency; i++) await one();
  let left = requests;
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await one();
  }));
  return (requests / (performance.now() - t)) * 1000;
}

export async function runDepositSitekitBench(o: { requests?: number; rounds?: number; concurrency?: number } = {}): Promise<DepositSitekitFigures> {
  const requests = o.requests ?? 200;
  const rounds = o.rounds ?? 3;
  const concurrency = o.concurrency ?? 8;
  const devnet = await startDevnet({ basePort: 0 });
  let wall: DepositWall | undefined;
  let mode: 'baseline' | 'wall' = 'baseline';
  const article: Handler = async (req) => {
    const g = await wall!.guard(req);
    return g.ok ? new Response('the article', { headers: g.headers }) : g.response;
  };
  const { url, server } = await serve(() => url, () => (mode === 'baseline' ? async () => new Response('the article') : article));
  try {
    const carol = devnet.nodes.carol;
    wall = createDepositWall({
      lndUrl: carol.lndRestUrl, macaroon: carol.adminMacaroonHex, secret: '42'.repeat(32), origin: url, realm: 'bench',
      amountSat: 1_000, maxHoldSeconds: 3600, maxCltv: 40, idleSeconds: 600,
      paths: { release: '/deposit/release', status: '/deposit/status' }, forfeitTerms: 'none: a bench',
    });
    const alice = devnet.nodes.alice;
    const visitor = createVisitor({
      root: rootFromSeed(new Uint8Array(64).fill(3)), lndUrl: alice.lndRestUrl, macaroon: alice.adminMacaroonHex,
      site: async (r) => (await wall!.handle(r)) ?? article(r),
    });
    const { deposit } = await visitor.visit(`${url}/article`);
    // One credential for the whole run, as a browser header rule sends it (good for ≥ 5 minutes).
    const held = { authorization: visitor.credential(deposit!, 'hold') };
    const runs = { baseline: [] as number[], challenges: [] as number[], checks: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      mode = 'baseline';
      runs.baseline.push(await rate(`${url}/article`, {}, requests, concurrency, 200));
      mode = 'wall';
      runs.challenges.push(await rate(`${url}/article`, {}, requests, concurrency, 402));
      runs.checks.push(await rate(`${url}/article`, held, requests, concurrency, 200));
    }
    await visitor.release(deposit!);
    const [baselinePerSec, challengesPerSec, checksPerSec] = [median(runs.baseline), median(runs.challenges), median(runs.checks)];
    return {
      requests, rounds, concurrency, baselinePerSec, challengesPerSec, checksPerSec,
      challengeRatio: challengesPerSec / baselinePerSec, checkRatio: checksPerSec / baselinePerSec,
    };
  } finally {
    server.closeAllConnections();
    server.close();
    await devnet.stop();
  }
}

export function printDepositSitekitFigures(f: DepositSitekitFigures): void {
  const line = (name: string, perSec: number, ratio: number) => console.log(`${name.padEnd(44)} ${perSec.toFixed(0).padStart(6)}/s = ${ratio.toFixed(3)}× baseline`);
  console.log(`deposit site kit: medians of ${f.rounds} interleaved rounds of ${f.requests} requests, ${f.concurrency} at a time, devnet LND in-process`);
  console.log(`${'baseline: plain 200 handler'.padEnd(44)} ${f.baselinePerSec.toFixed(0).padStart(6)}/s`);
  line('challenges (AddHoldInvoice + 402)', f.challengesPerSec, f.challengeRatio);
  line('credential checks (verify + LookupInvoice)', f.checksPerSec, f.checkRatio);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printDepositSitekitFigures(await runDepositSitekitBench());

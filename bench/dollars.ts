/**
 * Dollar payments vs BTC payments on the devnet (`npm run bench`, figure 7): the same WebLN
 * sendPayment of a 10 sat invoice, paid from the USD asset channel through tapd at an RFQ quote
 * vs from BTC channels, interleaved in one run. The difference is the dollar rail's own work:
 * finding the USD channel (lnd balances + tapd meta), the sell quote, tapd's send-payment.
 */
import type { BrowserContext } from '@playwright/test';
import type { Devnet } from '../devnet/index.ts';
import { median, ms } from './stats.ts';

const RUNS = 21;
const GOAL = 1.5;

export async function benchDollars(o: {
  ctx: BrowserContext;
  call: (request: Record<string, unknown>) => Promise<unknown>;
  devnet: Devnet;
  url: string;
}): Promise<{ ok: boolean }> {
  const a = o.devnet.nodes.alice;
  await o.call({ type: 'node.addTapd', tapdUrl: a.tapdRestUrl, tapdMacaroon: a.tapdMacaroonHex });
  const page = await o.ctx.newPage();
  await page.goto(o.url);
  const pay = async (payIn: 'btc' | 'usd'): Promise<number> => {
    await o.call({ type: 'limits.updateGlobal', patch: { payIn } });
    const { paymentRequest } = await o.devnet.control.createInvoice('carol', { amountSat: 10 });
    return page.evaluate(async (pr) => {
      const t = performance.now();
      await window.webln!.sendPayment(pr);
      return performance.now() - t;
    }, paymentRequest);
  };
  const btc: number[] = [];
  const usd: number[] = [];
  // Interleaved so the shared machine's load hits both alike; the first two of each warm up.
  for (let i = 0; i < RUNS + 2; i++) {
    const b = await pay('btc');
    const u = await pay('usd');
    if (i >= 2) {
      btc.push(b);
      usd.push(u);
    }
  }
  await o.call({ type: 'limits.updateGlobal', patch: { payIn: 'btc' } });
  await page.close();
  const [u, b] = [median(usd), median(btc)];
  const ok = u / b <= GOAL;
  console.log(`dollar payment vs BTC payment (WebLN sendPayment, median of ${RUNS} each, interleaved)  dollars ${ms(u)} vs BTC ${ms(b)}  = ${(u / b).toFixed(2)}×  (goal ≤ ${GOAL}${ok ? '' : ', MISSED'})`);
  return { ok };
}

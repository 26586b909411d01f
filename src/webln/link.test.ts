/**
 * WeblnService.openLink: a payment link the person clicked, against the devnet (alice is the
 * wallet's node, carol the merchant). No site enable is needed; the person confirms every invoice
 * in the payment prompt, and the budgets still hold. A bad link fails before any prompt or node call.
 */
import { describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/index.ts';
import { encodeLnurl } from '../lnurl/index.ts';
import { LndRest } from '../node/lnd-rest.ts';
import type { LightningNode } from '../node/types.ts';
import { PaymentPipeline } from '../payments/index.ts';
import { PolicyEngine } from '../policy/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { checkedDevnet } from '../testing/contract-checked.ts';
import { codeOf } from '../testing/expect-code.ts';
import type { ApprovalDecision, ApprovalRequest } from './approval.ts';
import { PageInvoices } from './page-invoices.ts';
import { WeblnService } from './service.ts';

const NEWS = 'https://news.example';
const session = checkedDevnet();

function harness() {
  const { devnet } = session;
  const store = new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  const asked: ApprovalRequest[] = [];
  const answers: ApprovalDecision[] = [];
  const nodeCalls: string[] = [];
  const lnd = new LndRest({ baseUrl: devnet.nodes.alice.lndRestUrl, macaroonHex: devnet.nodes.alice.adminMacaroonHex, timeoutMs: 5000 });
  // Every node call is counted: "never a payment" is "never a node call" for a refused link.
  const node = new Proxy(lnd, {
    get: (target, prop, receiver) => {
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (...args: unknown[]) => (nodeCalls.push(String(prop)), (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
    },
  }) as LightningNode;
  const ask = async (request: ApprovalRequest) => {
    asked.push(request);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected prompt: ${request.kind}`);
    return answer;
  };
  const isUnlocked = async () => true;
  const payments = new PaymentPipeline({ policy, ledger, ask, node: async () => node, isUnlocked });
  const svc = new WeblnService({
    policy,
    ledger,
    payments,
    node: async () => node,
    nodeProfile: async () => ({ alias: 'alice', pubkey: devnet.nodes.alice.pubkey, network: 'regtest' }),
    isUnlocked,
    ask,
    invoices: new PageInvoices({ store }),
    version: 'Satnav test',
  });
  const carolInvoice = async (amountSat: number) => (await devnet.control.createInvoice('carol', { amountSat, memo: 'coffee' })).paymentRequest;
  const carolState = async (pr: string) => {
    const hash = (await lnd.decodePayReq(pr)).paymentHash;
    return (await devnet.control.lookupInvoice('carol', hash)).state;
  };
  return { svc, policy, ledger, asked, answers, nodeCalls, carolInvoice, carolState };
}

describe('openLink: an invoice link', () => {
  it('at a site never enabled: the payment prompt (as a link), then paid within the budgets', async () => {
    const h = harness();
    const pr = await h.carolInvoice(120);
    h.answers.push({ approved: true });
    expect(await h.svc.openLink({ origin: NEWS, tabId: 3 }, `lightning:${pr}`)).toMatchObject({ status: 'OK', preimage: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(h.asked).toMatchObject([{ kind: 'payment', label: 'link', origin: NEWS, amountSat: 120, approvable: true, paymentRequest: pr }]);
    expect(await h.carolState(pr)).toBe('SETTLED');
    expect(await h.ledger.list()).toMatchObject([{ origin: NEWS, source: 'link', kind: 'payment', status: 'succeeded', amountSat: 120 }]);
    expect((await h.policy.dailyUsage()).spentSat).toBeGreaterThanOrEqual(120);
  });

  it('is asked about even within the site’s allowance: the click asked for the prompt, not for the payment', async () => {
    const h = harness();
    await h.policy.upsertSite(NEWS, { enabled: true });
    const pr = await h.carolInvoice(5);
    h.answers.push({ approved: false });
    expect(await codeOf(h.svc.openLink({ origin: NEWS }, `lightning:${pr}`))).toBe('REJECTED');
    expect(h.asked.map((r) => r.kind)).toEqual(['payment']);
    expect(h.nodeCalls).not.toContain('payInvoice');
    expect(await h.carolState(pr)).toBe('OPEN');
  });

  it('over the daily cap: the prompt can only inform, and nothing is paid', async () => {
    const h = harness();
    const pr = await h.carolInvoice(20_000);
    h.answers.push({ approved: true });
    expect(await codeOf(h.svc.openLink({ origin: NEWS }, `lightning:${pr}`))).toBe('DAILY_CAP_EXCEEDED');
    expect(h.asked).toMatchObject([{ kind: 'payment', reason: 'daily_cap_exceeded', approvable: false }]);
    expect(h.nodeCalls).not.toContain('payInvoice');
  });

  it('a paused site’s links are refused without a prompt', async () => {
    const h = harness();
    await h.policy.upsertSite(NEWS, { paused: true });
    expect(await codeOf(h.svc.openLink({ origin: NEWS }, `lightning:${await h.carolInvoice(10)}`))).toBe('SITE_PAUSED');
    expect(h.asked).toEqual([]);
  });

  it('a frame inside another site’s page says so in the prompt', async () => {
    const h = harness();
    h.answers.push({ approved: false });
    await codeOf(h.svc.openLink({ origin: 'https://ads.example', topOrigin: NEWS }, `lightning:${await h.carolInvoice(10)}`));
    expect(h.asked).toMatchObject([{ kind: 'payment', origin: 'https://ads.example', embeddedIn: NEWS }]);
  });
});

describe('openLink: bad links fail with a clear code, before any prompt or node call', () => {
  const bad: Array<[what: string, href: string, code: string]> = [
    ['a channel request', 'lnurlc://news.example/c', 'LNURL_UNSUPPORTED'],
    ['a damaged invoice', 'lightning:lnbcrt10u1damaged', 'INVOICE_INVALID'],
    ['junk after lightning:', 'lightning:hello', 'PAYMENT_CODE_UNKNOWN'],
    ['an LNURL to plain http', `lightning:${encodeLnurl('http://news.example/w')}`, 'LNURL_INVALID'],
    ['a web link without lightning=', 'https://news.example/', 'LNURL_INVALID'],
  ];
  for (const [what, href, code] of bad)
    it(`${what} → ${code}`, async () => {
      const h = harness();
      expect(await codeOf(h.svc.openLink({ origin: NEWS }, href))).toBe(code);
      expect(h.asked).toEqual([]);
      expect(h.nodeCalls).toEqual([]);
    });
});

/**
 * A scripted visitor that meets deposit walls the way the Satnav wallet does: pays the hold invoice
 * from its own LND with its site key in TLV 1402001, polls status until the site holds it, then
 * signs its requests and keeps the nonce fresh from `Deposit-Nonce`. For the kit's tests, the demo
 * bot and the bench, and for a site owner trying a wall from a script. It checks no limits: a
 * wallet must (src/deposit/admit.ts).
 */
import { base64, base64url } from '@scure/base';
import type { HDKey } from '@scure/bip32';
import { parseDepositChallenge } from '../src/deposit/challenge.ts';
import { DEPOSIT_KEY_RECORD, depositKeyFor, formatDepositCredential, signDeposit, type DepositAction } from '../src/deposit/credential.ts';
import { moduleErrors } from '../src/errors.ts';

const err = moduleErrors('sitekit-visitor');

export interface VisitorOptions {
  /** BIP32 root of the visitor's seed: its site keys derive from it. */
  readonly root: HDKey;
  /** The visitor's own LND (REST URL, admin macaroon hex). */
  readonly lndUrl: string;
  readonly macaroon: string;
  /** How requests reach sites; default the global fetch (tests call a wall directly). */
  readonly site?: (request: Request) => Promise<Response>;
  readonly feeLimitSat?: number;
  /** Clock in ms, for the credential's `ts`. */
  readonly now?: () => number;
}

export interface HeldDeposit {
  readonly origin: string;
  readonly realm: string;
  readonly paymentHash: string;
  readonly amountSat: number;
  readonly release: string;
  readonly status: string;
  /** The latest nonce the site gave. */
  nonce: string;
}

export interface StatusAnswer {
  readonly status: number;
  readonly body: { state?: string; amount?: number; idleLeft?: number; holdUntil?: number; error?: string };
}

export type PaymentOutcome = 'SUCCEEDED' | 'FAILED' | 'IN_FLIGHT';

export interface Visitor {
  keyHex(origin: string): string;
  /** `Authorization` value for `action` on the deposit, signed now with its latest nonce. */
  credential(d: HeldDeposit, action: DepositAction): string;
  /** Pays the `Deposit` challenge of a 402; resolves once the payment is IN_FLIGHT (or fails). */
  pay(response: Response, url: string): Promise<HeldDeposit>;
  /** `GET` status; a refusal for a stale nonce is retried once with the site's fresh one. */
  status(d: HeldDeposit): Promise<StatusAnswer>;
  /** Polls status until the site holds the deposit. */
  waitHeld(d: HeldDeposit, timeoutMs?: number): Promise<StatusAnswer>;
  release(d: HeldDeposit): Promise<StatusAnswer>;
  /** A request with the hold credential. */
  fetch(url: string, d: HeldDeposit, init?: RequestInit): Promise<Response>;
  /** GET `url`; on a deposit wall pay, wait until held, and ask again with the credential. */
  visit(url: string, init?: RequestInit): Promise<{ response: Response; deposit?: HeldDeposit }>;
  /** The payment as the visitor's node sees it now. */
  outcome(paymentHash: string): Promise<PaymentOutcome>;
}

/** The first JSON line of an lnd stream that satisfies `done`, then the stream is dropped. */
async function streamUntil(res: Response, done: (result: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  if (!res.body) throw err('NODE_BAD_RESPONSE', 'stream without body');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        const { done: end, value } = await reader.read();
        if (end) throw err('NODE_BAD_RESPONSE', 'stream ended early', buf);
        buf += decoder.decode(value, { stream: true });
        continue;
      }
      const line = JSON.parse(buf.slice(0, nl)) as { result?: Record<string, unknown>; error?: { message?: string } };
      buf = buf.slice(nl + 1);
      if (line.error) throw err('NODE_RPC', 'payment', line.error.message);
      if (line.result && done(line.result)) return line.result;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

export function createVisitor(o: VisitorOptions): Visitor {
  const keys = new Map<string, HDKey>();
  const site = o.site ?? ((r: Request) => fetch(r));
  const nowSeconds = () => Math.floor((o.now ?? Date.now)() / 1000);
  const lndHeaders = { 'Grpc-Metadata-macaroon': o.macaroon, 'Content-Type': 'application/json' };

  function keyFor(origin: string): HDKey {
    let k = keys.get(origin);
    if (!k) keys.set(origin, (k = depositKeyFor(o.root, origin)));
    return k;
  }

  function credential(d: HeldDeposit, action: DepositAction): string {
    const proof = { action, origin: d.origin, realm: d.realm, paymentHash: d.paymentHash, nonce: d.nonce, timestamp: nowSeconds() };
    return formatDepositCredential(signDeposit(keyFor(d.origin), proof));
  }

  function send(d: HeldDeposit, url: string, action: DepositAction, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', credential(d, action));
    return site(new Request(url, { ...init, headers })).then((res) => {
      const fresh = res.headers.get('deposit-nonce');
      if (fresh) d.nonce = fresh;
      return res;
    });
  }

  async function answer(res: Response): Promise<StatusAnswer> {
    return { status: res.status, body: (await res.json()) as StatusAnswer['body'] };
  }

  async function signed(d: HeldDeposit, url: string, action: 'status' | 'release'): Promise<StatusAnswer> {
    const init = { method: action === 'status' ? 'GET' : 'POST' };
    const first = await answer(await send(d, url, action, init));
    return first.body.error === 'stale-nonce' ? answer(await send(d, url, action, init)) : first;
  }

  const visitor: Visitor = {
    keyHex: (origin) => Buffer.from(keyFor(origin).publicKey!).toString('hex'),
    credential,
    async pay(response, url) {
      const origin = new URL(url).origin;
      const c = parseDepositChallenge(response.headers.get('www-authenticate') ?? '', origin);
      if (!c) throw err('DEPOSIT_CHALLENGE_INVALID', 'no Deposit challenge', url);
      const res = await fetch(`${o.lndUrl}/v2/router/send`, {
        method: 'POST',
        headers: lndHeaders,
        body: JSON.stringify({
          payment_request: c.invoice.paymentRequest,
          fee_limit_sat: String(o.feeLimitSat ?? 1000),
          timeout_seconds: 60,
          dest_custom_records: { [DEPOSIT_KEY_RECORD]: base64.encode(keyFor(origin).publicKey!) },
        }),
      });
      const r = await streamUntil(res, (x) => (x['status'] === 'IN_FLIGHT' && Array.isArray(x['htlcs']) && x['htlcs'].length > 0) || x['status'] === 'FAILED' || x['status'] === 'SUCCEEDED');
      if (r['status'] !== 'IN_FLIGHT') throw err('PAYMENT_FAILED', 'deposit payment', r['failure_reason'] ?? r['status']);
      return { origin, realm: c.realm, paymentHash: c.invoice.paymentHash, amountSat: c.amountSat, release: c.release, status: c.status, nonce: c.nonce };
    },
    status: (d) => signed(d, d.status, 'status'),
    async waitHeld(d, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const s = await visitor.status(d);
        if (s.body.state === 'held') return s;
        if (s.body.state !== 'pending' || Date.now() > until) throw err('DEPOSIT_REFUSED', 'deposit not held', JSON.stringify(s));
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    release: (d) => signed(d, d.release, 'release'),
    fetch: (url, d, init) => send(d, url, 'hold', init),
    async visit(url, init) {
      const first = await site(new Request(url, init));
      if (first.status !== 402 || !/deposit/i.test(first.headers.get('www-authenticate') ?? '')) return { response: first };
      await first.body?.cancel();
      const deposit = await visitor.pay(first, url);
      await visitor.waitHeld(deposit);
      return { response: await visitor.fetch(url, deposit, init), deposit };
    },
    async outcome(paymentHash) {
      const hash = base64url.encode(Buffer.from(paymentHash, 'hex'));
      const res = await fetch(`${o.lndUrl}/v2/router/track/${hash}`, { headers: lndHeaders });
      return (await streamUntil(res, () => true))['status'] as PaymentOutcome;
    },
  };
  return visitor;
}

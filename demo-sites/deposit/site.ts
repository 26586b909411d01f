/**
 * The deposit-wall demo site: a "sensitive" article behind a refundable deposit, made with the
 * site kit (sitekit/) against a merchant node's LND REST API (the devnet's carol in the demo).
 *
 * | route                       | does                                                              |
 * | --------------------------- | ----------------------------------------------------------------- |
 * | GET /deposit/article.html   | 402 + Deposit challenge and an explaining page, or the article     |
 * | POST /deposit/abuse         | with the hold credential: the site forfeits (settles) the deposit  |
 * | GET /deposit/status         | the kit's status endpoint (`action="status"`)                      |
 * | POST /deposit/release       | the kit's release endpoint (`action="release"`)                    |
 * | GET /deposit/terms.html     | the forfeit terms the challenge links                              |
 * | GET /deposit/stats          | this wall's invoices on the node: issued, pending, held, released, forfeited |
 * | GET/POST /deposit/config    | amountSat, idleSeconds, maxHoldSeconds, maxCltv (400 on a bad value) |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { isSatnavError } from '../../src/errors.ts';
import { memoryActivity } from '../../sitekit/activity.ts';
import { createDepositWall, type DepositState, type DepositWall } from '../../sitekit/deposit-wall.ts';
import { sendResponse, toRequest } from '../../sitekit/express.ts';
import { articlePage, forfeitedPage, termsPage } from './pages.ts';

export interface DepositSiteConfig {
  amountSat: number;
  idleSeconds: number;
  maxHoldSeconds: number;
  maxCltv: number;
}

export interface DepositSiteOptions extends Partial<DepositSiteConfig> {
  /** The merchant node's LND REST (plain HTTP on the devnet) and its admin macaroon, hex. */
  lnd: { lndRestUrl: string; adminMacaroonHex: string };
  /** This site's origin; asked when the first request comes (the port is known by then). */
  origin: () => string;
  realm?: string;
  /** Seconds between idle/max-hold sweeps; 0 = none (tests sweep by hand). Default 15. */
  sweepSeconds?: number;
  /** Clock in ms (tests move it). */
  now?: () => number;
}

export interface DepositStats extends Record<DepositState, number> {
  /** Hold invoices this site made (= challenges sent), as the node lists them. */
  issued: number;
  config: DepositSiteConfig;
}

export interface DepositSite {
  matches(pathname: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The wall as configured now (created at the first request). */
  wall(): DepositWall;
  configure(c: Partial<DepositSiteConfig>): DepositSiteConfig;
  stats(): Promise<DepositStats>;
  stop(): void;
}

const DEFAULTS: DepositSiteConfig = { amountSat: 100_000, idleSeconds: 600, maxHoldSeconds: 3600, maxCltv: 40 };
const CONFIG_KEYS = Object.keys(DEFAULTS) as (keyof DepositSiteConfig)[];

const send = (res: ServerResponse, status: number, type: string, body: string) =>
  void res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json', JSON.stringify(body));
const html = 'text/html; charset=utf-8';

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text.trim() === '' ? {} : JSON.parse(text);
}

export function depositSite(o: DepositSiteOptions): DepositSite {
  const picked = Object.fromEntries(CONFIG_KEYS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  let config: DepositSiteConfig = { ...DEFAULTS, ...picked };
  // One secret and one activity store across reconfigurations: deposits outlive a price change.
  const secret = randomBytes(32);
  const activity = memoryActivity();
  const sweepSeconds = o.sweepSeconds ?? 15;
  let current: DepositWall | undefined;

  function build(c: DepositSiteConfig): DepositWall {
    const origin = o.origin();
    const wall = createDepositWall({
      lndUrl: o.lnd.lndRestUrl, macaroon: o.lnd.adminMacaroonHex, secret, activity, origin, realm: o.realm ?? 'articles',
      ...c, paths: { release: '/deposit/release', status: '/deposit/status' }, forfeitTerms: `${origin}/deposit/terms.html`, now: o.now,
    });
    if (sweepSeconds > 0) wall.start(sweepSeconds);
    return wall;
  }
  const wall = () => (current ??= build(config));

  function configure(c: Partial<DepositSiteConfig>): DepositSiteConfig {
    const unknown = Object.keys(c).filter((k) => !CONFIG_KEYS.includes(k as keyof DepositSiteConfig));
    if (unknown.length > 0) throw new Error(`deposit demo: unknown setting=${unknown.join(',')}`);
    const next = { ...config, ...c };
    const built = build(next); // throws on a value the kit refuses, before anything changes
    current?.stop();
    current = built;
    config = next;
    return config;
  }

  async function stats(): Promise<DepositStats> {
    const counts: Record<DepositState, number> = { pending: 0, held: 0, released: 0, forfeited: 0 };
    const all = await wall().list();
    for (const d of all) counts[d.state]++;
    return { issued: all.length, ...counts, config };
  }

  async function guarded(req: IncomingMessage, res: ServerResponse, serve: (paymentHash: string, headers: Headers) => Promise<string>) {
    const g = await wall().guard(toRequest(req, o.origin()));
    if (!g.ok) return sendResponse(res, g.response);
    const body = await serve(g.paymentHash, g.headers);
    g.headers.forEach((v, k) => res.setHeader(k, v));
    send(res, 200, html, body);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://x');
    switch (`${req.method} ${pathname}`) {
      case 'GET /deposit/article.html':
        return guarded(req, res, async (hash) => articlePage(hash, config.amountSat));
      case 'POST /deposit/abuse':
        return guarded(req, res, async (hash) => {
          await wall().forfeit(hash);
          return forfeitedPage(hash, config.amountSat);
        });
      case 'GET /deposit/terms.html':
        return send(res, 200, html, termsPage(config.idleSeconds, config.maxHoldSeconds));
      case 'GET /deposit/stats':
        return json(res, 200, await stats());
      case 'GET /deposit/config':
        return json(res, 200, config);
      case 'POST /deposit/config':
        try {
          return json(res, 200, configure((await readJson(req)) as Partial<DepositSiteConfig>));
        } catch (e) {
          return json(res, 400, { error: (e as Error).message });
        }
    }
    const answer = await wall().handle(toRequest(req, o.origin()));
    if (answer) return sendResponse(res, answer);
    send(res, 404, 'text/plain', 'not found');
  }

  return {
    matches: (pathname) => pathname.startsWith('/deposit/'),
    async handle(req, res) {
      try {
        await route(req, res);
      } catch (e) {
        // The node answers later than a page should wait, or not at all: say so, never serve.
        json(res, isSatnavError(e) && e.code.startsWith('NODE_') ? 503 : 500, { error: (e as Error).message });
      }
    },
    wall,
    configure,
    stats,
    stop: () => current?.stop(),
  };
}

import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { DevnetControl } from '../devnet/index.ts';
import { merchantApi } from './merchant-api.ts';
import { lnurlApi } from './lnurl-api.ts';
import { paywallApi, type Paywall, type PaywallConfig } from './paywall/paywall.ts';
import { depositSite, type DepositSite, type DepositSiteConfig } from './deposit/site.ts';

/**
 * Static demo sites on localhost: the pages a person (and the e2e tests)
 * browse with Satnav. Each file under public/ is one page.
 */
const ROOT = path.resolve(import.meta.dirname, 'public');
/** Third-party scripts the demo pages load, served from node_modules (no CDN). */
const VENDOR: Record<string, string> = {
  '/vendor/webln.min.js': path.resolve(import.meta.dirname, '..', 'node_modules', 'webln', 'dist', 'webln.min.js'),
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface DemoSites {
  url: string;
  port: number;
  /** The HTTP 402 paywall (`/paywall.html`, `/paywall/…`, see paywall/README.md), when a devnet is given. */
  paywall?: Paywall;
  /** The deposit wall (`/deposit/article.html`, `/deposit/…`, see deposit/site.ts), when a devnet is given. */
  deposit?: DepositSite;
  stop(): Promise<void>;
}

export async function startDemoSites(
  opts: { port?: number; host?: string; devnet?: DevnetControl; paywall?: Partial<PaywallConfig>; deposit?: Partial<DepositSiteConfig> } = {},
): Promise<DemoSites> {
  const host = opts.host ?? '127.0.0.1';
  let origin = '';
  const api = opts.devnet ? merchantApi(opts.devnet) : undefined;
  const lnurl = opts.devnet ? lnurlApi(opts.devnet, () => origin) : undefined;
  const paywall = opts.devnet ? paywallApi({ control: opts.devnet, ...opts.paywall }) : undefined;
  const deposit = opts.devnet ? depositSite({ lnd: opts.devnet.nodeInfo('carol'), origin: () => origin, ...opts.deposit }) : undefined;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (paywall?.matches(url.pathname)) return paywall.handle(req, res);
    if (deposit?.matches(url.pathname)) return deposit.handle(req, res);
    const isLnurl = url.pathname.startsWith('/lnurl/') || url.pathname.startsWith('/.well-known/lnurlp/');
    if (url.pathname.startsWith('/api/') || isLnurl) {
      const handler = isLnurl ? lnurl : api;
      if (!handler) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"no devnet"}');
      return handler(url, res);
    }
    const vendor = VENDOR[url.pathname];
    const rel = path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
    const file = vendor ?? path.join(ROOT, rel.endsWith('/') ? `${rel}index.html` : rel);
    if (!vendor && !file.startsWith(ROOT)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  return {
    url: origin,
    port,
    paywall,
    deposit,
    stop: () => new Promise((resolve) => (deposit?.stop(), server.close(() => resolve()))),
  };
}

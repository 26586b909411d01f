/**
 * The same deposit wall on `count` origins (127.0.0.1, one port each), all against one merchant
 * node: what a wallet meets visiting a hundred sites a day. Each site has its own secret, so no
 * site honours another's deposits.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevnetControl } from '../../devnet/index.ts';
import { depositSite, type DepositSite, type DepositSiteConfig } from './site.ts';

export interface DepositSitesOptions extends Partial<DepositSiteConfig> {
  count: number;
  /** The devnet (its control API); the sites' node is `node` (default carol). */
  devnet: Pick<DevnetControl, 'nodeInfo'>;
  node?: string;
  host?: string;
  sweepSeconds?: number;
  now?: () => number;
}

export interface DepositSites {
  /** Origins, e.g. `http://127.0.0.1:40123`; the article is at `${url}/deposit/article.html`. */
  urls: string[];
  sites: DepositSite[];
  stop(): Promise<void>;
}

/** One site on its own port: the wall's routes and nothing else. */
export async function startDepositSite(o: Omit<DepositSitesOptions, 'count'>): Promise<{ url: string; site: DepositSite; stop(): Promise<void> }> {
  const host = o.host ?? '127.0.0.1';
  let url = '';
  const site = depositSite({ ...o, lnd: o.devnet.nodeInfo(o.node ?? 'carol'), origin: () => url });
  const server: Server = createServer((req, res) => {
    if (site.matches(new URL(req.url ?? '/', 'http://x').pathname)) return void site.handle(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    site,
    stop: () =>
      new Promise((resolve) => {
        site.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startDepositSites(o: DepositSitesOptions): Promise<DepositSites> {
  if (!Number.isInteger(o.count) || o.count < 1) throw new Error(`deposit demo: count must be a positive integer=${o.count}`);
  const started = await Promise.all(Array.from({ length: o.count }, () => startDepositSite(o)));
  return {
    urls: started.map((s) => s.url),
    sites: started.map((s) => s.site),
    stop: async () => void (await Promise.all(started.map((s) => s.stop()))),
  };
}

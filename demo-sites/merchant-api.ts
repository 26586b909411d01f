import type { ServerResponse } from 'node:http';
import type { DevnetControl } from '../devnet/index.ts';

/**
 * The demo merchant's backend: it asks its own devnet node (carol) for
 * invoices, and pays the visitor's invoices from dave (rewards, refunds).
 *
 * | route                          | does                                        |
 * | ------------------------------ | ------------------------------------------- |
 * | GET /api/invoice?amount=&memo= | carol invoices `amount` sat                 |
 * | GET /api/pay?pr=               | dave pays the visitor's invoice `pr`        |
 * | GET /api/merchant              | carol's pubkey (for keysend)                |
 * | GET /api/invoice-state?hash=   | carol's invoice state                       |
 * | GET /api/hold-invoice?amount=  | carol makes a hold invoice (held until told) |
 * | GET /api/settle?hash=          | carol settles a held payment                |
 */
export function merchantApi(control: DevnetControl) {
  return async (url: URL, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    try {
      switch (url.pathname) {
        case '/api/invoice': {
          const amountSat = Number(url.searchParams.get('amount') ?? '100');
          if (!Number.isSafeInteger(amountSat) || amountSat <= 0) return send(400, { error: 'amount must be a positive whole number of sats' });
          const memo = (url.searchParams.get('memo') ?? 'Satnav demo purchase').slice(0, 200);
          return send(200, await control.createInvoice('carol', { amountSat, memo }));
        }
        case '/api/pay': {
          const pr = url.searchParams.get('pr');
          if (!pr) return send(400, { error: 'pr missing' });
          return send(200, await control.payInvoice('dave', pr));
        }
        case '/api/hold-invoice': {
          const amountSat = Number(url.searchParams.get('amount') ?? '100');
          if (!Number.isSafeInteger(amountSat) || amountSat <= 0) return send(400, { error: 'amount must be a positive whole number of sats' });
          return send(200, await control.createInvoice('carol', { amountSat, memo: 'Held purchase', hold: true }));
        }
        case '/api/settle':
          await control.settleInvoice('carol', url.searchParams.get('hash') ?? '');
          return send(200, {});
        case '/api/merchant':
          return send(200, { pubkey: control.nodeInfo('carol').pubkey, alias: control.nodeInfo('carol').alias });
        case '/api/invoice-state': {
          const hash = url.searchParams.get('hash') ?? '';
          return send(200, await control.lookupInvoice('carol', hash));
        }
        default:
          return send(404, { error: 'no such route' });
      }
    } catch (e) {
      send(400, { error: (e as Error).message });
    }
  };
}

/**
 * The deposit wall in Express, Connect or bare node:http: `endpoints` answers the release and
 * status paths and passes every other request on; `guard` lets a request with a held deposit
 * through to the next handler (`req.deposit.paymentHash` set, `Deposit-Nonce` on the response), or
 * answers the 402 itself. No express dependency: the few fields it uses are typed here.
 */
import type { DepositWall } from './deposit-wall.ts';

export interface NodeRequestLike {
  method?: string;
  url?: string;
  /** Express keeps the full path here when a router is mounted under a prefix. */
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  deposit?: { paymentHash: string };
}

export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  end(body?: Uint8Array | string): unknown;
}

export type Next = (err?: unknown) => void;
export type Middleware = (req: NodeRequestLike, res: NodeResponseLike, next: Next) => void;

/** The request as the wall reads it: method, URL on the wall's origin, headers; never the body. */
export function toRequest(req: NodeRequestLike, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return new Request(new URL(req.originalUrl ?? req.url ?? '/', origin), { method: req.method ?? 'GET', headers });
}

export async function sendResponse(res: NodeResponseLike, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(new Uint8Array(await response.arrayBuffer()));
}

export function expressDepositWall(wall: DepositWall): { endpoints: Middleware; guard: Middleware } {
  const origin = wall.terms.origin;
  return {
    endpoints(req, res, next) {
      wall
        .handle(toRequest(req, origin))
        .then((answer) => (answer ? sendResponse(res, answer) : next()))
        .catch(next);
    },
    guard(req, res, next) {
      wall
        .guard(toRequest(req, origin))
        .then((g) => {
          if (!g.ok) return sendResponse(res, g.response);
          g.headers.forEach((value, name) => res.setHeader(name, value));
          req.deposit = { paymentHash: g.paymentHash };
          next();
        })
        .catch(next);
    },
  };
}

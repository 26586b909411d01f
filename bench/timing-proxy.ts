import { createServer, request, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through in front of a devnet node's REST port that notes when each
 * call arrived and when its answer was finished (a payment's stream ends when
 * the payment is final): the node's side of a payment, timed on this process's
 * clock, without touching the devnet.
 */
export interface NodeCall {
  method: string;
  path: string;
  status: number;
  /** performance.now() of this process. */
  start: number;
  end: number;
}

export async function startTimingProxy(target: string) {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const calls: NodeCall[] = [];
  const server = createServer((req, res) => {
    const start = performance.now();
    const call: NodeCall = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, status: 0, start, end: start };
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        call.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('finish', () => {
      call.end = performance.now();
      calls.push(call);
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Calls that arrived at or after `since` (performance.now() of this process). */
    callsSince: (since: number) => calls.filter((c) => c.start >= since),
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

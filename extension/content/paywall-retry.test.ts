import { describe, expect, it } from 'vitest';
import { retryingFetch } from './paywall-retry.ts';

/**
 * The page's fetch with one retry after a 402, over a scripted network: what
 * the page gets back, what was sent, and how often the wallet was asked.
 */
function network(statuses: number[], finalUrl?: string) {
  const sent: Request[] = [];
  const bodies: string[] = [];
  const native = (async (input: RequestInfo | URL) => {
    const req = input as Request;
    sent.push(req);
    bodies.push(req.body ? await req.text() : '');
    const status = statuses.shift() ?? 200;
    const res = new Response(status === 402 ? 'pay me' : `ok ${sent.length}`, { status, headers: { 'x-attempt': String(sent.length) } });
    if (finalUrl) Object.defineProperty(res, 'url', { value: finalUrl });
    return res;
  }) as typeof fetch;
  return { native, sent, bodies };
}

function wallet(answer: boolean | Error | Promise<boolean>) {
  const asked: string[] = [];
  const ask = async (url: string) => {
    asked.push(url);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { ask, asked };
}

describe('retryingFetch', () => {
  it('hands any other status straight through, untouched, without asking', async () => {
    const net = network([200]);
    const w = wallet(true);
    const res = await retryingFetch(net.native, w.ask)('https://a.example/x');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok 1');
    expect(w.asked).toEqual([]);
  });

  it('asks once with the URL that answered 402, then gives the page the retried response (status, headers, body)', async () => {
    const net = network([402, 200], 'https://a.example/final');
    const w = wallet(true);
    const res = await retryingFetch(net.native, w.ask)('https://a.example/start');
    expect(w.asked).toEqual(['https://a.example/final']);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-attempt')).toBe('2');
    expect(await res.text()).toBe('ok 2');
  });

  it('sends the same body again: the copy is taken before the first attempt reads it', async () => {
    const net = network([402, 200]);
    const w = wallet(true);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('streamed body'));
        c.close();
      },
    });
    await retryingFetch(net.native, w.ask)('https://a.example/post', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(net.bodies).toEqual(['streamed body', 'streamed body']);
    expect(net.sent.map((r) => r.method)).toEqual(['POST', 'POST']);
    const req = new Request('https://a.example/r', { method: 'PUT', body: 'from a Request', headers: { 'x-h': '1' } });
    const net2 = network([402, 200]);
    await retryingFetch(net2.native, w.ask)(req);
    expect(net2.bodies).toEqual(['from a Request', 'from a Request']);
    expect(net2.sent[1]!.headers.get('x-h')).toBe('1');
  });

  it('returns the original 402, body unread, when the wallet declines or fails', async () => {
    for (const answer of [false, new Error('worker gone')]) {
      const net = network([402]);
      const res = await retryingFetch(net.native, wallet(answer).ask)('https://a.example/x');
      expect(res.status).toBe(402);
      expect(await res.text()).toBe('pay me');
      expect(net.sent).toHaveLength(1);
    }
  });

  it('retries at most once: a second 402 is the page’s', async () => {
    const net = network([402, 402, 200]);
    const w = wallet(true);
    const res = await retryingFetch(net.native, w.ask)('https://a.example/x');
    expect(res.status).toBe(402);
    expect(w.asked).toHaveLength(1);
    expect(net.sent).toHaveLength(2);
  });

  it('rejects with the signal’s reason as soon as the page aborts while the wallet decides', async () => {
    const net = network([402, 200]);
    const controller = new AbortController();
    let decide: (v: boolean) => void = () => {};
    const w = wallet(new Promise<boolean>((r) => (decide = r)));
    const pending = retryingFetch(net.native, w.ask)('https://a.example/x', { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 0));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    decide(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(net.sent).toHaveLength(1);
  });

  it('aborted while the 402 came in: rejected without asking the wallet', async () => {
    const controller = new AbortController();
    const net = network([402, 200]);
    const native = (async (input: RequestInfo | URL) => {
      const res = await net.native(input);
      controller.abort();
      return res;
    }) as typeof fetch;
    const w = wallet(true);
    await expect(retryingFetch(native, w.ask)('https://a.example/x', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(w.asked).toEqual([]);
    expect(net.sent).toHaveLength(1);
  });

  it('fails like fetch for bad input: a rejected promise, never a synchronous throw', async () => {
    const net = network([]);
    let result: Promise<Response> | undefined;
    expect(() => (result = retryingFetch(net.native, wallet(true).ask)('http://[bad'))).not.toThrow();
    await expect(result).rejects.toBeInstanceOf(TypeError);
    expect(retryingFetch(net.native, wallet(true).ask).length).toBe(1);
  });
});

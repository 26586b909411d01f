import { describe, expect, it } from 'vitest';
import { retryingXhr } from './paywall-retry.ts';

// Node has no ProgressEvent; the shim makes its copies with it.
globalThis.ProgressEvent ??= class extends Event {} as unknown as typeof ProgressEvent;

/**
 * An XMLHttpRequest over a scripted network, as the XHR standard has it: each
 * send() answers with the next status a task later (readyState 2, 3, progress,
 * 4, load, loadend at once); a synchronous one answers inside send(), with
 * readystatechange only at OPENED and DONE.
 */
class FakeXhr extends EventTarget {
  static readonly OPENED = 1;
  static readonly HEADERS_RECEIVED = 2;
  static readonly DONE = 4;
  static statuses: number[] = [];
  static sent: Array<{ open: unknown[]; headers: string[][]; body?: unknown }> = [];
  readyState = 0;
  status = 0;
  responseURL = '';
  #request?: { open: unknown[]; headers: string[][]; body?: unknown };
  #sync = false;
  #sending = false;
  #generation = 0;

  #state(state: number): void {
    this.readyState = state;
    if (!this.#sync || state === 1 || state === 4) this.dispatchEvent(new Event('readystatechange'));
  }

  open(...args: unknown[]): void {
    this.#generation++;
    this.#request = { open: args, headers: [] };
    this.#sync = args[2] === false;
    this.#sending = false;
    this.status = 0;
    this.#state(1);
  }

  setRequestHeader(name: string, value: string): void {
    if (this.readyState !== 1 || this.#sending) throw new Error('InvalidStateError');
    this.#request!.headers.push([name, value]);
  }

  send(body?: unknown): void {
    if (this.readyState !== 1 || this.#sending) throw new Error('InvalidStateError');
    this.#sending = true;
    const request = { ...this.#request!, body };
    FakeXhr.sent.push(request);
    const status = FakeXhr.statuses.shift() ?? 200;
    const respond = () => {
      this.status = status;
      this.responseURL = String(request.open[1]);
      this.#state(2);
      this.#state(3);
      if (!this.#sync) this.dispatchEvent(new Event('progress'));
      this.#state(4);
      this.#sending = false;
      for (const type of ['load', 'loadend']) this.dispatchEvent(new Event(type));
    };
    if (this.#sync) return respond();
    this.dispatchEvent(new Event('loadstart'));
    const generation = this.#generation;
    setTimeout(() => generation === this.#generation && respond());
  }

  abort(): void {
    this.#generation++;
    if (this.#sending) {
      this.#sending = false;
      this.#state(4);
      for (const type of ['abort', 'loadend']) this.dispatchEvent(new Event(type));
    }
    if (this.readyState === 4) this.readyState = 0;
  }
}

const TYPES = ['readystatechange', 'loadstart', 'progress', 'load', 'loadend', 'error', 'abort', 'timeout'];
const tick = () => new Promise((r) => setTimeout(r, 0));

/** What the page sees: each event, a readystatechange as `readyState/status`. */
function setup(statuses: number[], answer: () => Promise<unknown>) {
  FakeXhr.statuses = statuses;
  FakeXhr.sent = [];
  const asked: string[] = [];
  const Xhr = retryingXhr(FakeXhr as unknown as typeof XMLHttpRequest, (url) => (asked.push(url), answer()));
  const xhr = new Xhr();
  const seen: string[] = [];
  for (const type of TYPES) xhr.addEventListener(type, () => seen.push(type === 'readystatechange' ? `${xhr.readyState}/${xhr.status}` : type));
  return { xhr, seen, asked };
}

describe('retryingXhr', () => {
  it('retried: the page sees only the retry from HEADERS_RECEIVED on; open(), headers and body are made again', async () => {
    const { xhr, seen, asked } = setup([402, 200], async () => true);
    xhr.open('POST', 'https://a.example/x');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.send('body');
    await tick();
    await tick();
    expect(asked).toEqual(['https://a.example/x']);
    expect(seen).toEqual(['1/0', 'loadstart', '2/200', '3/200', 'progress', '4/200', 'load', 'loadend']);
    expect(FakeXhr.sent).toEqual([
      { open: ['POST', 'https://a.example/x'], headers: [['Accept', 'application/json']], body: 'body' },
      { open: ['POST', 'https://a.example/x'], headers: [['Accept', 'application/json']], body: 'body' },
    ]);
  });

  it('retried with the headers a page sets from its readystatechange at OPENED, made again after the open()', async () => {
    const { xhr, seen } = setup([402, 200], async () => true);
    xhr.addEventListener('readystatechange', () => xhr.readyState === 1 && xhr.setRequestHeader('X-Token', 't'));
    xhr.open('GET', 'https://a.example/x');
    xhr.send();
    await tick();
    await tick();
    expect(seen).not.toContain('error');
    expect(seen.slice(-3)).toEqual(['4/200', 'load', 'loadend']);
    expect(FakeXhr.sent.map((r) => r.headers)).toEqual([[['X-Token', 't']], [['X-Token', 't']]]);
  });

  it('refused or failed: one readystatechange at DONE, then the 402’s own events; nothing sent again', async () => {
    for (const answer of [async () => false, async () => Promise.reject(new Error('gone'))]) {
      const { xhr, seen } = setup([402], answer);
      xhr.open('GET', 'https://a.example/x');
      xhr.send();
      await tick();
      await tick();
      expect(seen).toEqual(['1/0', 'loadstart', '4/402', 'progress', 'load', 'loadend']);
      expect(FakeXhr.sent).toHaveLength(1);
    }
  });

  it('retries once: a second 402 is the page’s', async () => {
    const { xhr, seen, asked } = setup([402, 402], async () => true);
    xhr.open('GET', 'https://a.example/x');
    xhr.send();
    await tick();
    await tick();
    expect(asked).toHaveLength(1);
    expect(seen.slice(-3)).toEqual(['4/402', 'load', 'loadend']);
    expect(FakeXhr.sent).toHaveLength(2);
  });

  it('abort() while the wallet decides: abort and loadend, no readystatechange; the answer comes too late', async () => {
    let decide: (v: boolean) => void = () => {};
    const { xhr, seen } = setup([402, 200], () => new Promise((r) => (decide = r)));
    xhr.open('GET', 'https://a.example/x');
    xhr.send();
    await tick();
    xhr.abort();
    expect(seen).toEqual(['1/0', 'loadstart', 'abort', 'loadend']);
    decide(true);
    await tick();
    expect(FakeXhr.sent).toHaveLength(1);
    expect(seen).toHaveLength(4);
  });

  it('a newer open() while the wallet decides: the answer is for the old request and changes nothing', async () => {
    let decide: (v: boolean) => void = () => {};
    const { xhr, seen } = setup([402, 200], () => new Promise((r) => (decide = r)));
    xhr.open('GET', 'https://a.example/old');
    xhr.send();
    await tick();
    xhr.open('GET', 'https://a.example/new');
    decide(true);
    await tick();
    expect(FakeXhr.sent).toHaveLength(1);
    expect(seen).toEqual(['1/0', 'loadstart', '1/0']);
  });

  it('abort() of a request not yet sent leaves it to be sent, and its 402 still opened', async () => {
    const { xhr, seen, asked } = setup([402, 200], async () => true);
    xhr.open('GET', 'https://a.example/x');
    xhr.abort();
    xhr.send();
    await tick();
    await tick();
    expect(asked).toHaveLength(1);
    expect(seen.at(-1)).toBe('loadend');
    expect(xhr.status).toBe(200);
  });

  it('synchronous: not held, never asked; the page gets its 402', () => {
    const { xhr, seen, asked } = setup([402], async () => true);
    xhr.open('GET', 'https://a.example/x', false);
    xhr.send();
    expect(seen).toEqual(['1/0', '4/402', 'load', 'loadend']);
    expect(asked).toEqual([]);
  });

  it('events a page dispatches itself before open() reach its listeners', () => {
    const { xhr, seen } = setup([], async () => true);
    xhr.dispatchEvent(new Event('load'));
    expect(seen).toEqual(['load']);
  });
});

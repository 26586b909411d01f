/**
 * The offscreen document (extension/offscreen) that makes node calls where Chrome applies a
 * certificate the person accepted in a tab: documents get that exception, the service worker
 * does not (e2e/tls.spec.ts). Created for the first call that needs it, closed once no call has
 * been running for `idleMs`. A worker that dies leaves it open, with no call (the ports die with
 * the worker): the next worker's idle timer, armed at start, closes it.
 *
 * Create and close run one at a time, so a close decided while idle cannot overtake a call that
 * has just asked for the document. Every call holds the document open for as long as its port is
 * open, streams included.
 */
import type { RelayPort } from '../../src/node/fetch-relay.ts';

export const OFFSCREEN_PATH = 'extension/offscreen/index.html';
export const IDLE_MS = 15_000;

/**
 * Chrome has no reason for "a document's network rules"; DOM_SCRAPING ("embed … and extract
 * information") is the nearest: the document reads what the node's address serves, as a page of
 * that address would. The justification says exactly what it does.
 */
export const OFFSCREEN_REASON = 'DOM_SCRAPING';
export const OFFSCREEN_JUSTIFICATION =
  "Calls the person's own Lightning node from a document, where the browser applies the exception the person accepted for the node's self-signed certificate (service workers don't get it).";

/** The parts of `chrome.offscreen` used here. */
export interface OffscreenApi {
  createDocument(params: { url: string; reasons: string[]; justification: string }): Promise<void>;
  closeDocument(): Promise<void>;
}

export interface OffscreenDeps {
  api: OffscreenApi;
  /** Whether the document is open (it outlives a worker; the worker cannot remember it). */
  exists(): Promise<boolean>;
  /** A new port to the document. */
  connect(): RelayPort;
  idleMs?: number;
}

export class OffscreenDocument {
  private running = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private lifecycle: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: OffscreenDeps,
    private readonly url: string,
  ) {
    this.armIdle();
  }

  /** A port to the document, opened first if need be; the document stays while the port is open. */
  async open(): Promise<RelayPort> {
    this.running++;
    clearTimeout(this.idle);
    try {
      await this.serially(async () => {
        if (!(await this.deps.exists())) await this.deps.api.createDocument({ url: this.url, reasons: [OFFSCREEN_REASON], justification: OFFSCREEN_JUSTIFICATION });
      });
    } catch (e) {
      this.release();
      // What a fetch that could not start throws.
      throw new TypeError('offscreen document unavailable', { cause: e });
    }
    const port = this.deps.connect();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release();
    };
    port.onDisconnect.addListener(release);
    return {
      postMessage: (m) => port.postMessage(m),
      onMessage: port.onMessage,
      onDisconnect: port.onDisconnect,
      disconnect: () => {
        release();
        port.disconnect();
      },
    };
  }

  private release(): void {
    this.running--;
    if (this.running === 0) this.armIdle();
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      void this.serially(async () => {
        if (this.running === 0 && (await this.deps.exists())) await this.deps.api.closeDocument();
      }).catch((e: unknown) => console.warn('satnav offscreen:', e));
    }, this.deps.idleMs ?? IDLE_MS);
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(step);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }
}

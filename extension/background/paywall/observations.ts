/**
 * What the worker itself saw of 402 responses (webRequest), the only source
 * of a challenge it ever pays: a page can say which URL failed, never what
 * the server asked for.
 *
 * | piece      | holds                                              | bound                     |
 * | ---------- | -------------------------------------------------- | ------------------------- |
 * | SentTimes  | requestId → when its headers left (onSendHeaders)  | MAX_REQUESTS, oldest out  |
 * | PageWalls  | 402s of fetch/XHR, until the page's provider asks  | MAX_WALLS, WALL_TTL_MS    |
 *
 * `sentAt` tells the payer whether a request could have carried a credential
 * (sent after its header rule was in place) or not; unknown reads as 0, "sent
 * before anything applied": at worst one useless retry, never a second
 * purchase.
 */
export const MAX_REQUESTS = 4096;
export const MAX_WALLS = 64;
/** The provider asks within milliseconds of the response; a minute covers a worker restart in between. */
export const WALL_TTL_MS = 60_000;

/** The fields of Chrome's webRequest details used here (the polyfill's types are Firefox's). */
export interface RequestDetails {
  requestId: string;
  url: string;
  method: string;
  tabId: number;
  frameId: number;
  parentFrameId: number;
  type: string;
  timeStamp: number;
  initiator?: string;
  documentId?: string;
  documentLifecycle?: string;
  frameType?: string;
}

export interface HeadersReceivedDetails extends RequestDetails {
  statusCode: number;
  responseHeaders?: Array<{ name: string; value?: string }>;
}

/**
 * One 402 as the worker saw it: the request's own fields (`url` without
 * fragment, `type` the webRequest resource type, `initiator` absent for a
 * typed navigation) and what the worker adds.
 */
export interface Seen402 extends Pick<RequestDetails, 'url' | 'method' | 'tabId' | 'frameId' | 'parentFrameId' | 'type' | 'initiator' | 'documentId'> {
  headers: { wwwAuthenticate: string[]; paymentRequired: string | null };
  /** When the request's headers left (ms), 0 when unknown. */
  sentAt: number;
  seenAt: number;
  /** Kept by a worker life that died: its purchase may still be in flight, so it is never paid again. */
  restored?: true;
}

export class SentTimes {
  private readonly at = new Map<string, number>();
  constructor(private readonly max = MAX_REQUESTS) {}

  /** A redirect sends again under the same id: the last hop counts. */
  sent(requestId: string, timeStamp: number): void {
    this.at.delete(requestId);
    this.at.set(requestId, timeStamp);
    if (this.at.size > this.max) this.at.delete(this.at.keys().next().value!);
  }

  take(requestId: string): number | undefined {
    const t = this.at.get(requestId);
    this.at.delete(requestId);
    return t;
  }
}

/** A 402 with a challenge in a tab, or nothing. Header lines come one by one from Chrome: kept as such. */
export function seen402(d: HeadersReceivedDetails, sentAt: number | undefined): Seen402 | undefined {
  if (d.statusCode !== 402 || d.tabId < 0 || !/^https?:\/\//i.test(d.url)) return undefined;
  // Prerendered and fenced documents have no page the person looks at yet.
  if (d.documentLifecycle === 'prerender' || d.frameType === 'fenced_frame') return undefined;
  const wwwAuthenticate: string[] = [];
  let paymentRequired: string | null = null;
  for (const h of d.responseHeaders ?? []) {
    if (h.value === undefined) continue;
    const name = h.name.toLowerCase();
    if (name === 'www-authenticate') wwwAuthenticate.push(h.value);
    else if (name === 'payment-required' && paymentRequired === null) paymentRequired = h.value;
  }
  if (wwwAuthenticate.length === 0 && paymentRequired === null) return undefined;
  return {
    url: withoutHash(d.url),
    method: d.method,
    tabId: d.tabId,
    frameId: d.frameId,
    parentFrameId: d.parentFrameId,
    type: d.type,
    ...(d.initiator !== undefined && { initiator: d.initiator }),
    ...(d.documentId !== undefined && { documentId: d.documentId }),
    headers: { wwwAuthenticate, paymentRequired },
    sentAt: sentAt ?? 0,
    seenAt: d.timeStamp,
  };
}

/**
 * 402s of the page's own fetch/XHR, waiting for its provider to ask. Each is
 * handed out once (20 concurrent fetches: 20 sightings, 20 questions).
 */
export class PageWalls {
  private walls: Array<{ seen: Seen402; used: boolean }> = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly o: { now?: () => number; max?: number; ttlMs?: number; onChange?: (walls: Seen402[]) => void } = {},
  ) {}

  add(seen: Seen402): void {
    this.prune();
    this.walls.push({ seen, used: false });
    const max = this.o.max ?? MAX_WALLS;
    if (this.walls.length > max) this.walls = this.walls.slice(-max);
    this.o.onChange?.(this.walls.map((w) => w.seen));
    for (const wake of this.waiters) wake();
  }

  /** Sightings kept by an earlier worker life: all of them may be asked for again (marked: nothing is bought for them). */
  restore(list: readonly Seen402[]): void {
    this.walls = [...list.map((seen) => ({ seen: { ...seen, restored: true as const }, used: false })), ...this.walls];
    this.prune();
  }

  /** The oldest unclaimed 402 of `url` in this tab made by `origin`; waits up to `waitMs` for the browser's report. */
  async take(tabId: number, origin: string, url: string, waitMs: number): Promise<Seen402 | undefined> {
    const target = withoutHash(url);
    let timedOut = waitMs <= 0;
    let wake = () => {};
    const timer = timedOut
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          wake();
        }, waitMs);
    try {
      for (;;) {
        this.prune();
        const hit = this.walls.find((w) => !w.used && w.seen.tabId === tabId && w.seen.initiator === origin && w.seen.url === target);
        if (hit) {
          hit.used = true;
          return hit.seen;
        }
        if (timedOut) return undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          this.waiters.add(resolve);
        });
        this.waiters.delete(wake);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private prune(): void {
    const oldest = (this.o.now ?? Date.now)() - (this.o.ttlMs ?? WALL_TTL_MS);
    this.walls = this.walls.filter((w) => w.seen.seenAt >= oldest);
  }
}

export function withoutHash(url: string): string {
  const i = url.indexOf('#');
  return i < 0 ? url : url.slice(0, i);
}

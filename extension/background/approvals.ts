import browser from 'webextension-polyfill';
import { assertOrigin } from '../../src/base/origin.ts';
import { registrableDomain } from '../../src/base/site.ts';
import { moduleErrors } from '../../src/errors.ts';
import type { KeyValueStore } from '../../src/storage/kv.ts';
import type { ApprovalDecision, ApprovalRequest } from '../../src/webln/approval.ts';

const error = moduleErrors('approval');

/** Where a question comes from besides its origin; the page router knows it from `sender`. */
export interface AskContext {
  /** The asking frame's tab (`sender.tab.id`); absent for questions not tied to a tab. */
  tabId?: number;
}

/** An unanswered prompt gives up after this long (the page gets a RejectionError). */
const TIMEOUT_MS = 3 * 60_000;
const KEY_PREFIX = 'approval:';
/**
 * A site or a tab whose questions got this many "no"s in a row (declined,
 * closed or timed out) is refused without a window for QUIET_MS: a page
 * looping on enable() must not be able to pop a focused window again and again.
 */
const MAX_REFUSALS = 3;
const QUIET_MS = 60_000;
/**
 * Enable windows one tab may open per minute, whatever the answers: the one
 * question any site can raise before the person trusts it, so the one a tab
 * full of frames from freshly bought domains would repeat.
 */
const ENABLE_WINDOWS_PER_TAB = 3;
const ENABLE_WINDOW_MS = 60_000;
/** Questions from other sites waiting for the window: a few, not long. */
const QUEUE_MAX = 4;
const QUEUE_WAIT_MS = 60_000;

/** Who limits apply to: the registrable domain (a1.evil.com is evil.com) and the tab. */
interface Asker {
  site: string;
  tabId: number | undefined;
}

interface Open extends Asker {
  id: string;
  windowId?: number;
  resolve: (d: ApprovalDecision) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiting extends Asker {
  show: () => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Questions for the person, each in its own prompt window. The question is
 * kept in storage.session so the window can read it; the waiting promise lives
 * in memory only: if the worker dies, the page's request died with it, and the
 * stale question is dropped at the next start.
 *
 * One window at a time: stacked focused windows are worse than waiting. So
 * that one flooding site cannot starve the rest, a site or tab has at most one
 * question in here, open or waiting; its next one is refused at once
 * (APPROVAL_PENDING), while another site's question waits in a short queue
 * for the window. A site or tab told "no" MAX_REFUSALS times in a row is
 * refused before it reaches the queue, so it never holds a place for long.
 */
export class Approvals {
  private open: Open | undefined;
  private readonly queue: Waiting[] = [];
  /** Per `site:` / `tab:` key: "no"s in a row and when the last came (in memory: best effort, like the flood it stops). */
  private readonly refusals = new Map<string, { count: number; at: number }>();
  /** Per tab: when its recent enable windows opened. */
  private readonly enableWindows = new Map<number, number[]>();

  constructor(private readonly session: KeyValueStore) {
    browser.windows.onRemoved.addListener((windowId) => {
      if (this.open && this.open.windowId === windowId) this.finish(this.open.id, { approved: false });
    });
  }

  /** Drop questions left by a previous worker life: nobody waits for their answers. */
  async dropStale(): Promise<void> {
    const all = await browser.storage.session.get(null);
    const stale = Object.keys(all).filter((k) => k.startsWith(KEY_PREFIX));
    if (stale.length) await this.session.remove(stale);
  }

  async ask(request: ApprovalRequest, context: AskContext = {}): Promise<ApprovalDecision> {
    // The prompt names the page a frame sits inside: only ever an origin, as the browser reported it.
    if (request.embeddedIn != null) assertOrigin(request.embeddedIn, 'embeddedIn');
    const asker: Asker = { site: registrableDomain(request.origin), tabId: context.tabId };
    this.admit(asker, request);
    // Everything up to here runs in the caller's tick: two calls can't both find the window free.
    if (!this.open) return this.show(request, asker);
    // Which site holds the window is not said: a page must not learn what the person is being asked elsewhere.
    if (this.queue.length >= QUEUE_MAX) throw error('APPROVAL_PENDING', 'another question is open');
    return new Promise<ApprovalDecision>((resolve, reject) => {
      const waiting: Waiting = {
        ...asker,
        show: () => resolve(this.show(request, asker)),
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiting), 1);
          reject(error('APPROVAL_PENDING', 'another question is open'));
        }, QUEUE_WAIT_MS),
      };
      this.queue.push(waiting);
    });
  }

  async get(id: string): Promise<{ id: string; request: ApprovalRequest; createdAt: number }> {
    const stored = await this.session.get<{ id: string; request: ApprovalRequest; createdAt: number }>(KEY_PREFIX + id);
    if (!stored || this.open?.id !== id) throw error('APPROVAL_UNKNOWN', 'no pending question', id);
    return stored;
  }

  decide(id: string, decision: ApprovalDecision): void {
    if (this.open?.id !== id) throw error('APPROVAL_UNKNOWN', 'no pending question', id);
    this.finish(id, decision);
  }

  /** Refuses, without a window, a question its site or tab may not ask now. */
  private admit(asker: Asker, request: ApprovalRequest): void {
    const now = Date.now();
    for (const key of keysOf(asker)) {
      const r = this.refusals.get(key);
      if (r && r.count >= MAX_REFUSALS && now - r.at < QUIET_MS) throw error('REJECTED', 'too many questions declined, from', request.origin);
    }
    if (request.kind === 'enable' && asker.tabId !== undefined) {
      const recent = (this.enableWindows.get(asker.tabId) ?? []).filter((at) => now - at < ENABLE_WINDOW_MS);
      this.enableWindows.set(asker.tabId, recent);
      if (recent.length >= ENABLE_WINDOWS_PER_TAB) throw error('RATE_LIMITED', 'too many permission questions from one tab, from', request.origin);
    }
    const holds = (q: Asker) => q.site === asker.site || (asker.tabId !== undefined && q.tabId === asker.tabId);
    if ((this.open && holds(this.open)) || this.queue.some(holds)) throw error('APPROVAL_PENDING', 'another question is open');
  }

  /** Takes the window, synchronously, and opens it; resolves with the answer. */
  private show(request: ApprovalRequest, asker: Asker): Promise<ApprovalDecision> {
    const id = crypto.randomUUID();
    let resolve!: (d: ApprovalDecision) => void;
    const answer = new Promise<ApprovalDecision>((r) => (resolve = r));
    const timer = setTimeout(() => this.finish(id, { approved: false }), TIMEOUT_MS);
    this.open = { ...asker, id, resolve, timer };
    if (request.kind === 'enable' && asker.tabId !== undefined) this.enableWindows.get(asker.tabId)?.push(Date.now());
    void this.openWindow(id, request);
    return answer;
  }

  private async openWindow(id: string, request: ApprovalRequest): Promise<void> {
    try {
      await this.session.set({ [KEY_PREFIX + id]: { id, request, createdAt: Date.now() } });
      const win = await browser.windows.create({
        url: browser.runtime.getURL(`extension/prompt/index.html?id=${id}`),
        type: 'popup',
        width: 400,
        height: 640,
        focused: true,
      });
      // Timed out while the window was opening: nobody will read it.
      if (this.open?.id !== id) void this.closeWindow(win.id);
      else if (win.id !== undefined) this.open.windowId = win.id;
    } catch {
      this.finish(id, { approved: false });
    }
  }

  private finish(id: string, decision: ApprovalDecision): void {
    const q = this.open;
    if (q?.id !== id) return;
    this.open = undefined;
    clearTimeout(q.timer);
    for (const key of keysOf(q)) {
      if (decision.approved) this.refusals.delete(key);
      else this.refusals.set(key, { count: (this.refusals.get(key)?.count ?? 0) + 1, at: Date.now() });
    }
    void this.session.remove([KEY_PREFIX + id]);
    // Answered, timed out or closed: the window has nothing left to ask (removing a closed one is a no-op).
    void this.closeWindow(q.windowId);
    q.resolve(decision);
    // The longest waiting question takes the window now, before any newcomer. It
    // was admitted when it asked and needs no second look: its site and tab had
    // no other question in here since, so their refusals and enable windows
    // can only have aged.
    const next = this.queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.show();
    }
  }

  private async closeWindow(windowId: number | undefined): Promise<void> {
    if (windowId !== undefined) await browser.windows.remove(windowId).catch(() => undefined);
  }
}

function keysOf(asker: Asker): string[] {
  return asker.tabId === undefined ? [`site:${asker.site}`] : [`site:${asker.site}`, `tab:${asker.tabId}`];
}

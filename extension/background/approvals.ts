import browser from 'webextension-polyfill';
import { moduleErrors } from '../../src/errors.ts';
import type { KeyValueStore } from '../../src/storage/kv.ts';
import type { ApprovalDecision, ApprovalRequest } from '../../src/webln/approval.ts';

const error = moduleErrors('approval');

/** An unanswered prompt gives up after this long (the page gets a RejectionError). */
const TIMEOUT_MS = 3 * 60_000;
const KEY_PREFIX = 'approval:';
/**
 * A site whose questions got this many "no"s in a row (declined, closed or
 * timed out) is refused without a window for QUIET_MS: a page looping on
 * enable() must not be able to pop a focused window again and again.
 */
const MAX_REFUSALS = 3;
const QUIET_MS = 60_000;

interface Waiting {
  origin: string;
  windowId?: number;
  resolve: (d: ApprovalDecision) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Questions for the person, each in its own prompt window. The question is
 * kept in storage.session so the window can read it; the waiting promise lives
 * in memory only: if the worker dies, the page's request died with it, and the
 * stale question is dropped at the next start. One open question at a time.
 */
export class Approvals {
  private readonly waiting = new Map<string, Waiting>();
  /** Per origin: "no"s in a row, and when the last one came (in memory: best effort, like the flood it stops). */
  private readonly refusals = new Map<string, { count: number; at: number }>();

  constructor(private readonly session: KeyValueStore) {
    browser.windows.onRemoved.addListener((windowId) => {
      for (const [id, w] of this.waiting) if (w.windowId === windowId) this.finish(id, { approved: false });
    });
  }

  /** Drop questions left by a previous worker life: nobody waits for their answers. */
  async dropStale(): Promise<void> {
    const all = await browser.storage.session.get(null);
    const stale = Object.keys(all).filter((k) => k.startsWith(KEY_PREFIX));
    if (stale.length) await this.session.remove(stale);
  }

  async ask(request: ApprovalRequest): Promise<ApprovalDecision> {
    // One open question at a time, whoever asks: frames of many origins on one page
    // must not be able to stack windows on the person. Which site asks is not said:
    // a page must not learn what the person is being asked elsewhere.
    if (this.waiting.size > 0) throw error('APPROVAL_PENDING', 'another question is open');
    const refused = this.refusals.get(request.origin);
    if (refused && refused.count >= MAX_REFUSALS && Date.now() - refused.at < QUIET_MS) {
      throw error('REJECTED', 'too many questions declined, from', request.origin);
    }
    const id = crypto.randomUUID();
    // The slot is taken before the first await: two calls in one tick can't both pass the check above.
    let resolve!: (d: ApprovalDecision) => void;
    const answer = new Promise<ApprovalDecision>((r) => (resolve = r));
    const timer = setTimeout(() => this.finish(id, { approved: false }), TIMEOUT_MS);
    this.waiting.set(id, { origin: request.origin, resolve, timer });
    try {
      await this.session.set({ [KEY_PREFIX + id]: { id, request, createdAt: Date.now() } });
      const win = await browser.windows.create({
        url: browser.runtime.getURL(`extension/prompt/index.html?id=${id}`),
        type: 'popup',
        width: 400,
        height: 640,
        focused: true,
      });
      const w = this.waiting.get(id);
      // Timed out while the window was opening: nobody will read it.
      if (!w) void this.closeWindow(win.id);
      else if (win.id !== undefined) w.windowId = win.id;
    } catch {
      this.finish(id, { approved: false });
    }
    return answer;
  }

  async get(id: string): Promise<{ id: string; request: ApprovalRequest; createdAt: number }> {
    const stored = await this.session.get<{ id: string; request: ApprovalRequest; createdAt: number }>(KEY_PREFIX + id);
    if (!stored || !this.waiting.has(id)) throw error('APPROVAL_UNKNOWN', 'no pending question', id);
    return stored;
  }

  decide(id: string, decision: ApprovalDecision): void {
    if (!this.waiting.has(id)) throw error('APPROVAL_UNKNOWN', 'no pending question', id);
    this.finish(id, decision);
  }

  private finish(id: string, decision: ApprovalDecision): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    if (decision.approved) this.refusals.delete(w.origin);
    else this.refusals.set(w.origin, { count: (this.refusals.get(w.origin)?.count ?? 0) + 1, at: Date.now() });
    void this.session.remove([KEY_PREFIX + id]);
    // Answered, timed out or closed: the window has nothing left to ask (removing a closed one is a no-op).
    void this.closeWindow(w.windowId);
    w.resolve(decision);
  }

  private async closeWindow(windowId: number | undefined): Promise<void> {
    if (windowId !== undefined) await browser.windows.remove(windowId).catch(() => undefined);
  }
}

import browser from 'webextension-polyfill';
import { moduleErrors } from '../../src/errors.ts';
import type { KeyValueStore } from '../../src/storage/kv.ts';
import type { ApprovalDecision, ApprovalRequest } from '../../src/webln/approval.ts';

const error = moduleErrors('approval');

/** An unanswered prompt gives up after this long (the page gets a RejectionError). */
const TIMEOUT_MS = 3 * 60_000;
const KEY_PREFIX = 'approval:';

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
    // must not be able to stack windows on the person.
    const open = [...this.waiting.values()][0];
    if (open) throw error('APPROVAL_PENDING', 'another question is open, from', open.origin);
    const id = crypto.randomUUID();
    await this.session.set({ [KEY_PREFIX + id]: { id, request, createdAt: Date.now() } });
    const answer = new Promise<ApprovalDecision>((resolve) => {
      const timer = setTimeout(() => this.finish(id, { approved: false }), TIMEOUT_MS);
      this.waiting.set(id, { origin: request.origin, resolve, timer });
    });
    try {
      const win = await browser.windows.create({
        url: browser.runtime.getURL(`extension/prompt/index.html?id=${id}`),
        type: 'popup',
        width: 400,
        height: 640,
        focused: true,
      });
      const w = this.waiting.get(id);
      if (w && win.id !== undefined) w.windowId = win.id;
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
    void this.session.remove([KEY_PREFIX + id]);
    // Answered, timed out or closed: the window has nothing left to ask (removing a closed one is a no-op).
    if (w.windowId !== undefined) void browser.windows.remove(w.windowId).catch(() => undefined);
    w.resolve(decision);
  }
}

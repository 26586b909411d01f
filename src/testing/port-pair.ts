/**
 * Test helper: two ends of a message port that behave like `runtime.Port` in Chrome: messages
 * arrive later (never within the sender's call), in order, as JSON (what survives runtime
 * messaging); `disconnect()` fires `onDisconnect` at the other end only, after what that end was
 * already sent; an end that disconnected receives nothing more; posting on a closed port throws.
 */
import type { RelayPort } from '../node/fetch-relay.ts';

export interface FakePort extends RelayPort {
  /** Every message this end sent, as the other end received it. */
  readonly sent: unknown[];
  readonly closed: boolean;
}

class End implements FakePort {
  readonly sent: unknown[] = [];
  peer!: End;
  private readonly messageListeners: Array<(m: unknown) => void> = [];
  private readonly disconnectListeners: Array<() => void> = [];
  constructor(private readonly link: { closedBy?: End }) {}

  get closed(): boolean {
    return this.link.closedBy !== undefined;
  }
  postMessage(message: unknown): void {
    if (this.closed) throw new Error('Attempting to use a disconnected port object');
    const copy: unknown = JSON.parse(JSON.stringify(message));
    this.sent.push(copy);
    setTimeout(() => {
      if (this.link.closedBy !== this.peer) for (const l of this.peer.messageListeners) l(copy);
    });
  }
  disconnect(): void {
    if (this.closed) return;
    this.link.closedBy = this;
    setTimeout(() => {
      for (const l of this.peer.disconnectListeners) l();
    });
  }
  onMessage = { addListener: (l: (m: unknown) => void) => void this.messageListeners.push(l) };
  onDisconnect = { addListener: (l: () => void) => void this.disconnectListeners.push(l) };
}

export function portPair(): [FakePort, FakePort] {
  const link: { closedBy?: End } = {};
  const a = new End(link);
  const b = new End(link);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

import type { SessionPayer, SessionWall } from '../../src/deposit/session.ts';
import { GRACE_MS } from '../../src/deposit/keeper.ts';
import type { DepositRules } from './deposits.ts';

/**
 * Custodial deposits (Payment `intent="session"`, src/deposit/session.ts) in the browser: the
 * session's bearer header goes on the site's requests by the same header rules as a deposit's, and
 * the session is closed (the site refunds what is left) when the last tab of the page that opened
 * it is gone, after the same grace.
 */
export class SessionGlue {
  private closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly d: {
      sessions: SessionPayer;
      rules: Pick<DepositRules, 'put' | 'drop'>;
      openOrigins(): Promise<ReadonlySet<string>>;
      log?: (...args: unknown[]) => void;
    },
  ) {}

  async open(wall: SessionWall): Promise<void> {
    const s = await this.d.sessions.open(wall);
    await this.d.rules.put({ key: ruleKey(s.sessionId), origin: s.origin }, s.header);
  }

  tabsChanged(): void {
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => void this.closeUnvisited().catch((e) => this.d.log?.('satnav session: close', e)), GRACE_MS);
  }

  /** A new worker life and the periodic tick: what a dead life left is finished, refunds watched, unvisited sessions closed. */
  async tick(): Promise<void> {
    if ((await this.d.sessions.list()).length === 0) return;
    await this.d.sessions.recover();
    await this.closeUnvisited();
  }

  private async closeUnvisited(): Promise<void> {
    const open = await this.d.openOrigins();
    for (const s of await this.d.sessions.active()) {
      if (s.state !== 'open' || open.has(s.paidBy)) continue;
      await this.d.rules.drop({ key: ruleKey(s.id) });
      await this.d.sessions.close(s.origin).catch((e: unknown) => this.d.log?.('satnav session: close', e));
    }
  }
}

const ruleKey = (sessionId: string) => `session:${sessionId}`;

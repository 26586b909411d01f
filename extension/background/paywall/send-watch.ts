/**
 * When a request left (webRequest.onSendHeaders) matters only where one of
 * Satnav's session header rules may have put a credential on it: there it
 * tells "sent before the rule was in place" from "sent with it and refused",
 * and spends one-shot credentials. Listening to every request of every page
 * cost a local page 3–7 % of its load time (bench: an extension doing nothing
 * but listening, against one listening to responses only), so the listener
 * hears only the origins the header rules name, and is re-aimed whenever they
 * change. A request that left unheard (another origin, or while the worker
 * slept) reads as sent at 0 (observations.ts): at worst one useless retry,
 * never a second purchase.
 *
 * | rule of           | condition                                 | origin read from       |
 * | ----------------- | ----------------------------------------- | ---------------------- |
 * | a 402 credential  | `regexFilter` `^<escaped origin+path>…`   | rules.ts regexFor      |
 * | a deposit/session | `urlFilter` `\|<origin>/`                 | deposits.ts depositRules |
 */
/** Every web request (webRequest filters). */
export const WEB_URLS = ['http://*/*', 'https://*/*'];

export interface RuleCondition {
  regexFilter?: string;
  urlFilter?: string;
}

/** The part of chrome.declarativeNetRequest the header rules use. */
export interface HeaderRulesApi<R extends { id: number; condition: RuleCondition }> {
  updateSessionRules(o: { removeRuleIds?: number[]; addRules?: R[] }): Promise<void>;
  getSessionRules(): Promise<R[]>;
  isRegexSupported(o: { regex: string; isCaseSensitive?: boolean }): Promise<{ isSupported: boolean; reason?: string }>;
}

/** The part of webRequest.onSendHeaders used here. */
export interface SendHeadersEvent<D> {
  addListener(callback: (details: D) => void, filter: { urls: string[] }): void;
  removeListener(callback: (details: D) => void): void;
}

/** The web origin a header rule puts its header on, or undefined for a condition no Satnav rule has. */
export function ruleOrigin(condition: RuleCondition): string | undefined {
  const literal = condition.urlFilter?.startsWith('|')
    ? condition.urlFilter.slice(1)
    : condition.regexFilter?.startsWith('^')
      ? condition.regexFilter.slice(1).replace(/\\(.)/g, '$1')
      : undefined;
  if (literal === undefined) return undefined;
  try {
    const { origin, protocol } = new URL(literal);
    return protocol === 'http:' || protocol === 'https:' ? origin : undefined;
  } catch {
    return undefined;
  }
}

/** Every port of `origin`'s host: Firefox's match patterns name no port, and Chrome's match any when none is named. */
export function sendPattern(origin: string): string {
  const u = new URL(origin);
  return `${u.protocol}//${u.hostname}/*`;
}

export class SendWatch<D> {
  /** Rule id → the origin it serves. */
  private readonly origins = new Map<number, string>();
  private listener: ((d: D) => void) | undefined;
  private aimedAt = '';

  constructor(
    private readonly event: SendHeadersEvent<D>,
    private readonly onSent: (d: D) => void,
  ) {}

  /**
   * `dnr` with every rule change followed by the listener re-aimed, before the
   * change is reported done: the request it was made for (the page's retry)
   * leaves after that, and is heard.
   */
  wrap<R extends { id: number; condition: RuleCondition }>(dnr: HeaderRulesApi<R>): HeaderRulesApi<R> {
    return {
      updateSessionRules: async (o) => {
        await dnr.updateSessionRules(o);
        for (const id of o.removeRuleIds ?? []) this.origins.delete(id);
        this.note(o.addRules ?? []);
        this.aim();
      },
      getSessionRules: () => dnr.getSessionRules(),
      isRegexSupported: (o) => dnr.isRegexSupported(o),
    };
  }

  /** A new worker life: the rules the browser kept (session rules outlive the worker). */
  async start(dnr: Pick<HeaderRulesApi<{ id: number; condition: RuleCondition }>, 'getSessionRules'>): Promise<void> {
    this.note(await dnr.getSessionRules());
    this.aim();
  }

  private note(rules: ReadonlyArray<{ id: number; condition: RuleCondition }>): void {
    for (const r of rules) {
      const origin = ruleOrigin(r.condition);
      if (origin !== undefined) this.origins.set(r.id, origin);
    }
  }

  private aim(): void {
    const patterns = [...new Set([...this.origins.values()].map(sendPattern))].sort();
    const key = patterns.join(' ');
    if (key === this.aimedAt) return;
    this.aimedAt = key;
    const old = this.listener;
    this.listener = undefined;
    if (patterns.length > 0) {
      // A fresh function each time (a browser keeps one filter per function): the new one is in place before the old goes.
      const listener = (d: D) => this.onSent(d);
      try {
        this.event.addListener(listener, { urls: patterns });
      } catch {
        // A pattern this browser won't take (an IPv6 host in an old one): every request then, as before.
        this.event.addListener(listener, { urls: WEB_URLS });
      }
      this.listener = listener;
    }
    if (old) this.event.removeListener(old);
  }
}

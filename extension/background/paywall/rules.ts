import { Mutex } from '../../../src/storage/mutex.ts';
import type { KeyValueStore } from '../../../src/storage/kv.ts';
import type { Credential } from '../../../src/paywall/credentials.ts';
import type { HeaderRulesApi } from './send-watch.ts';

/**
 * The browser adds a bought 402 credential to requests, never the page: one
 * declarativeNetRequest **session** rule per (credential, path), matching
 * exactly `origin + path` with any query (a cache-busting retry still
 * matches), every resource type, setting the credential's header. Session
 * rules live in the browser's memory: they outlive a worker restart and die
 * with the browser, like the unlocked key.
 *
 * | state (storage.session `paywall.rules`) | why                                                          |
 * | --------------------------------------- | ------------------------------------------------------------ |
 * | entry per rule: id, credential, path    | a restarted worker updates and removes the rules it made     |
 * | installedAt                             | a request sent before it carried no credential: not a refusal |
 * | spent: one-shot credentials used        | told to the payer when it can write (unlocked)               |
 *
 * A one-shot credential (Payment charge, x402) is spent when the server has
 * answered the first request sent after its rule was in place.
 *
 * Rule ids come from one range of their own (RULE_ID_MIN…RULE_ID_MAX), so
 * another part of Satnav may keep session rules of its own. Chrome allows
 * 1000 regex rules per extension in the session set: beyond MAX_RULES the
 * oldest go, and a path that meets its wall again gets its rule back without
 * paying (the glue checks the credentials first).
 */
export const RULE_ID_MIN = 1_000_000;
export const RULE_ID_MAX = 1_999_999;
export const MAX_RULES = 900;
const STATE_KEY = 'paywall.rules';

/** Every resource type: a rule naming none would skip top-level navigations. */
export const RESOURCE_TYPES = [
  'main_frame',
  'sub_frame',
  'stylesheet',
  'script',
  'image',
  'font',
  'object',
  'xmlhttprequest',
  'ping',
  'csp_report',
  'media',
  'websocket',
  'other',
] as const;

export interface SessionRule {
  id: number;
  priority?: number;
  condition: { regexFilter?: string; isUrlFilterCaseSensitive?: boolean; resourceTypes?: readonly string[] };
  action: { type: string; requestHeaders?: Array<{ header: string; operation: string; value?: string }> };
}

/** The part of chrome.declarativeNetRequest used here. */
export type SessionRulesApi = HeaderRulesApi<SessionRule>;

export interface RuleEntry {
  id: number;
  credentialId: string;
  origin: string;
  path: string;
  oneShot: boolean;
  installedAt: number;
}

interface RuleState {
  entries: RuleEntry[];
  /** One-shot credentials already sent, not yet told to the payer. */
  spent: string[];
}

/** RE2 (Chrome's regex engine): every metacharacter escaped, so the URL matches literally. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** Exactly `origin + path`, with or without a query. */
export function regexFor(origin: string, path: string): string {
  return `^${escapeRegex(origin + path)}(\\?.*)?$`;
}

export function ruleFor(id: number, c: Pick<Credential, 'origin' | 'header'>, path: string): SessionRule {
  return {
    id,
    priority: 1,
    condition: { regexFilter: regexFor(c.origin, path), isUrlFilterCaseSensitive: true, resourceTypes: RESOURCE_TYPES },
    action: { type: 'modifyHeaders', requestHeaders: [{ header: c.header.name, operation: 'set', value: c.header.value }] },
  };
}

/** A free id in the range: after the highest in use, wrapping round to the lowest free one. */
export function nextRuleId(used: ReadonlySet<number>): number {
  let max = RULE_ID_MIN - 1;
  for (const id of used) if (id > max) max = id;
  if (max < RULE_ID_MAX) return max + 1;
  for (let id = RULE_ID_MIN; id <= RULE_ID_MAX; id++) if (!used.has(id)) return id;
  throw new Error('paywall rules: no free id');
}

const ours = (id: number) => id >= RULE_ID_MIN && id <= RULE_ID_MAX;

export class RuleBook {
  private readonly mutex = new Mutex();
  private state: RuleState | undefined;

  constructor(
    private readonly dnr: SessionRulesApi,
    private readonly store: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The rule that carries credential `credentialId` on `path`, if installed. */
  async entry(credentialId: string, path: string): Promise<RuleEntry | undefined> {
    const s = await this.load();
    return s.entries.find((e) => e.credentialId === credentialId && e.path === path);
  }

  /** Installs (or keeps) the rule for `c` on `path`; another credential's rule on that path goes (one path, one header). */
  install(c: Credential, path: string): Promise<RuleEntry> {
    return this.mutex.run(async () => {
      const s = await this.load();
      const have = s.entries.find((e) => e.credentialId === c.id && e.path === path);
      if (have) return have;
      const replaced = s.entries.filter((e) => e.origin === c.origin && e.path === path);
      const kept = s.entries.filter((e) => !replaced.includes(e));
      const evicted = kept.length >= MAX_RULES ? kept.toSorted((a, b) => a.installedAt - b.installedAt).slice(0, kept.length - MAX_RULES + 1) : [];
      const remaining = kept.filter((e) => !evicted.includes(e));
      const id = nextRuleId(new Set(remaining.map((e) => e.id)));
      // No isRegexSupported first (a trip to the browser on the way to the page's retry): the browser refuses the
      // whole update, other rules untouched, when the path's regex is beyond it.
      await this.dnr.updateSessionRules({ removeRuleIds: [...replaced, ...evicted].map((e) => e.id), addRules: [ruleFor(id, c, path)] }).catch((e: unknown) => {
        throw new Error(`paywall rules: rule refused for path ${path.slice(0, 64)} (${e instanceof Error ? e.message : String(e)})`);
      });
      // Stamped once the browser has the rule: requests from now on carry the header.
      const entry: RuleEntry = { id, credentialId: c.id, origin: c.origin, path, oneShot: !c.reusable, installedAt: this.now() };
      // In memory at once; the write for the next worker life is not waited for: if it is lost, that life's sync
      // finds the rule unknown and puts it back from the credentials.
      this.save({ ...s, entries: [...remaining, entry] }).catch(() => undefined);
      return entry;
    });
  }

  /**
   * Makes the browser's rules exactly the credentials held: what is missing is
   * added, what is stale (expired, revoked, replaced, another worker life's
   * leftovers in our id range) removed. `held` is read inside the lock, so an
   * install can't slip between reading and applying.
   */
  sync(held: () => Promise<Credential[]>): Promise<void> {
    return this.mutex.run(async () => {
      const s = await this.load();
      const credentials = (await held()).filter((c) => !s.spent.includes(c.id));
      const present = new Set((await this.dnr.getSessionRules()).map((r) => r.id).filter(ours));
      const wanted = new Map<string, { c: Credential; path: string }>();
      for (const c of credentials) for (const path of c.paths) wanted.set(`${c.origin}${path}`, { c, path });
      const keep = s.entries.filter((e) => present.has(e.id) && wanted.get(`${e.origin}${e.path}`)?.c.id === e.credentialId);
      const keptKeys = new Set(keep.map((e) => `${e.origin}${e.path}`));
      const remove = [...present].filter((id) => !keep.some((e) => e.id === id));
      const used = new Set(keep.map((e) => e.id));
      const add: Array<{ rule: SessionRule; entry: RuleEntry }> = [];
      for (const [key, { c, path }] of wanted) {
        if (keptKeys.has(key) || keep.length + add.length >= MAX_RULES) continue;
        const regex = regexFor(c.origin, path);
        if (!(await this.dnr.isRegexSupported({ regex, isCaseSensitive: true })).isSupported) continue;
        const id = nextRuleId(used);
        used.add(id);
        add.push({ rule: ruleFor(id, c, path), entry: { id, credentialId: c.id, origin: c.origin, path, oneShot: !c.reusable, installedAt: 0 } });
      }
      if (remove.length > 0 || add.length > 0) await this.dnr.updateSessionRules({ removeRuleIds: remove, addRules: add.map((a) => a.rule) });
      const at = this.now();
      await this.save({ ...s, entries: [...keep, ...add.map((a) => ({ ...a.entry, installedAt: at }))] });
    });
  }

  /**
   * The server answered a request to `url` that left at `sentAt`: a one-shot
   * credential whose rule was in place then has been spent on it. Its rule
   * goes at once (a later request must not present it again); the ids are
   * returned for the payer.
   */
  spend(url: string, sentAt: number): Promise<string[]> {
    return this.mutex.run(async () => {
      const s = await this.load();
      if (!s.entries.some((e) => e.oneShot)) return [];
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return [];
      }
      const hit = s.entries.filter((e) => e.oneShot && e.origin === u.origin && e.path === u.pathname && e.installedAt <= sentAt);
      if (hit.length === 0) return [];
      await this.dnr.updateSessionRules({ removeRuleIds: hit.map((e) => e.id) });
      const ids = hit.map((e) => e.credentialId);
      await this.save({ entries: s.entries.filter((e) => !hit.includes(e)), spent: [...new Set([...s.spent, ...ids])].slice(-256) });
      return ids;
    });
  }

  /** The person revoked these credentials: their rules go now, before any other request leaves. */
  drop(credentialIds: readonly string[]): Promise<void> {
    return this.mutex.run(async () => {
      const s = await this.load();
      const gone = s.entries.filter((e) => credentialIds.includes(e.credentialId));
      if (gone.length === 0) return;
      await this.dnr.updateSessionRules({ removeRuleIds: gone.map((e) => e.id) });
      await this.save({ ...s, entries: s.entries.filter((e) => !gone.includes(e)) });
    });
  }

  /** Spent one-shot credentials the payer has been told about. */
  forgetSpent(ids: readonly string[]): Promise<void> {
    return this.mutex.run(async () => {
      const s = await this.load();
      await this.save({ ...s, spent: s.spent.filter((id) => !ids.includes(id)) });
    });
  }

  /** In the lock: a `spend` queued before is seen. */
  spent(): Promise<string[]> {
    return this.mutex.run(async () => [...(await this.load()).spent]);
  }

  /** Whether any one-shot rule is installed (cheap check before `spend` for every request). */
  hasOneShot(): boolean {
    return this.state?.entries.some((e) => e.oneShot) ?? true;
  }

  private async load(): Promise<RuleState> {
    if (this.state) return this.state;
    const raw = await this.store.get<RuleState>(STATE_KEY);
    this.state = {
      entries: Array.isArray(raw?.entries) ? raw.entries.filter(isEntry) : [],
      spent: Array.isArray(raw?.spent) ? raw.spent.filter((x): x is string => typeof x === 'string') : [],
    };
    return this.state;
  }

  private async save(s: RuleState): Promise<void> {
    this.state = s;
    await this.store.set({ [STATE_KEY]: s });
  }
}

function isEntry(e: unknown): e is RuleEntry {
  const r = e as Partial<RuleEntry> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.id) &&
    ours(r.id!) &&
    typeof r.credentialId === 'string' &&
    typeof r.origin === 'string' &&
    typeof r.path === 'string' &&
    typeof r.oneShot === 'boolean' &&
    typeof r.installedAt === 'number'
  );
}

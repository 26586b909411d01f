import { describe, expect, it } from 'vitest';
import type { Credential } from '../../../src/paywall/credentials.ts';
import { MemoryStore } from '../../../src/storage/kv.ts';
import { MAX_RULES, RESOURCE_TYPES, RULE_ID_MAX, RULE_ID_MIN, RuleBook, escapeRegex, nextRuleId, regexFor, ruleFor, type SessionRule, type SessionRulesApi } from './rules.ts';

const ORIGIN = 'http://127.0.0.1:8900';

function credential(over: Partial<Credential> = {}): Credential {
  return {
    id: 'c1',
    origin: ORIGIN,
    paths: ['/paywall/l402/data.json'],
    services: ['data'],
    scheme: 'l402',
    header: { name: 'Authorization', value: 'L402 mac:00' },
    paymentHash: '0'.repeat(64),
    amountSat: 10,
    paidBy: ORIGIN,
    createdAt: 1,
    expiresAt: null,
    reusable: true,
    ...over,
  };
}

/** The browser's session rule set, as Chrome keeps it. */
function fakeDnr(seed: SessionRule[] = []) {
  const rules = new Map(seed.map((r) => [r.id, r]));
  const calls: Array<{ removeRuleIds?: number[]; addRules?: SessionRule[] }> = [];
  const api: SessionRulesApi = {
    async updateSessionRules(o) {
      calls.push(o);
      // As Chrome: a regex beyond its memory limit refuses the whole update.
      const big = o.addRules?.find((r) => (r.condition.regexFilter?.length ?? 0) > 1500);
      if (big) throw new Error(`Rule with id ${big.id} specified a more complex regex than allowed as part of the "regexFilter" key.`);
      for (const id of o.removeRuleIds ?? []) rules.delete(id);
      for (const r of o.addRules ?? []) {
        if (rules.has(r.id)) throw new Error(`duplicate id ${r.id}`);
        rules.set(r.id, r);
      }
    },
    getSessionRules: async () => [...rules.values()],
    isRegexSupported: async ({ regex }) => (regex.length > 1500 ? { isSupported: false, reason: 'memoryLimitExceeded' } : { isSupported: true }),
  };
  return { api, rules, calls };
}

describe('the rule: exactly origin + path, any query, every resource type, the credential’s header', () => {
  const re = (origin: string, path: string) => new RegExp(regexFor(origin, path));

  it('matches the path with or without a query, and nothing else', () => {
    const r = re(ORIGIN, '/paywall/l402/data.json');
    for (const ok of ['', '?r=1', '?r=1&_satnav402=9', '?']) expect(r.test(`${ORIGIN}/paywall/l402/data.json${ok}`)).toBe(true);
    for (const no of [
      `${ORIGIN}/paywall/l402/data.json/more`,
      `${ORIGIN}/paywall/l402/data.jsonx`,
      `${ORIGIN}/paywall/l402/dataXjson`,
      `${ORIGIN}/paywall/l402/data`,
      `${ORIGIN}/x/paywall/l402/data.json`,
      'http://localhost:8900/paywall/l402/data.json',
      'http://127.0.0.1:8901/paywall/l402/data.json',
      'https://127.0.0.1:8900/paywall/l402/data.json',
      'http://127.0.0.1:8900.evil.example/paywall/l402/data.json',
      `http://evil.example/?${ORIGIN}/paywall/l402/data.json`,
    ])
      expect(r.test(no)).toBe(false);
  });

  it('escapes every regex metacharacter a path or host can hold', () => {
    const path = '/a.b/(c)[d]{e}+f*g?h|i^j$k\\l';
    expect(new RegExp(`^${escapeRegex(path)}$`).test(path)).toBe(true);
    expect(re('https://x.example', '/a+b').test('https://x.example/aab')).toBe(false);
    expect(re('https://x.example', '/a+b').test('https://x.example/a+b')).toBe(true);
  });

  it('sets the header on every resource type, navigations included, case-sensitively', () => {
    const rule = ruleFor(RULE_ID_MIN, credential(), '/p');
    expect(rule.action).toEqual({ type: 'modifyHeaders', requestHeaders: [{ header: 'Authorization', operation: 'set', value: 'L402 mac:00' }] });
    expect(rule.condition.isUrlFilterCaseSensitive).toBe(true);
    expect(rule.condition.resourceTypes).toEqual(RESOURCE_TYPES);
    expect(RESOURCE_TYPES).toContain('main_frame');
  });

  it('ids come from our own range, wrapping round to a free one', () => {
    expect(nextRuleId(new Set())).toBe(RULE_ID_MIN);
    expect(nextRuleId(new Set([RULE_ID_MIN, RULE_ID_MIN + 5]))).toBe(RULE_ID_MIN + 6);
    expect(nextRuleId(new Set([RULE_ID_MAX]))).toBe(RULE_ID_MIN);
    expect(nextRuleId(new Set([RULE_ID_MAX, RULE_ID_MIN]))).toBe(RULE_ID_MIN + 1);
  });
});

describe('RuleBook', () => {
  it('installs one rule per (credential, path), once, stamped when the browser has it', async () => {
    const dnr = fakeDnr();
    const book = new RuleBook(dnr.api, new MemoryStore(), () => 50);
    const e = await book.install(credential(), '/paywall/l402/data.json');
    expect(e).toMatchObject({ id: RULE_ID_MIN, credentialId: 'c1', oneShot: false, installedAt: 50 });
    expect(await book.install(credential(), '/paywall/l402/data.json')).toEqual(e);
    expect(dnr.calls).toHaveLength(1);
    expect(await book.entry('c1', '/paywall/l402/data.json')).toEqual(e);
  });

  it('one path, one header: a newer credential’s rule replaces the old one on that path', async () => {
    const dnr = fakeDnr();
    const book = new RuleBook(dnr.api, new MemoryStore());
    await book.install(credential(), '/p');
    await book.install(credential({ id: 'c2', header: { name: 'Authorization', value: 'L402 new:11' } }), '/p');
    expect([...dnr.rules.values()].map((r) => r.action.requestHeaders![0]!.value)).toEqual(['L402 new:11']);
  });

  it('refuses a path the browser cannot express, without touching the other rules', async () => {
    const dnr = fakeDnr();
    const book = new RuleBook(dnr.api, new MemoryStore());
    await book.install(credential({ id: 'c0' }), '/p');
    const before = [...dnr.rules.values()];
    await expect(book.install(credential(), `/${'x'.repeat(2000)}`)).rejects.toThrow(/rule refused for path .*complex regex/);
    expect([...dnr.rules.values()]).toEqual(before);
    expect(await book.entry('c1', `/${'x'.repeat(2000)}`)).toBeUndefined();
  });

  it(`keeps at most ${MAX_RULES} rules: the oldest go`, async () => {
    const dnr = fakeDnr();
    let t = 0;
    const book = new RuleBook(dnr.api, new MemoryStore(), () => ++t);
    for (let i = 0; i <= MAX_RULES; i++) await book.install(credential({ id: `c${i}` }), `/p${i}`);
    expect(dnr.rules.size).toBe(MAX_RULES);
    expect(await book.entry('c0', '/p0')).toBeUndefined();
    expect(await book.entry(`c${MAX_RULES}`, `/p${MAX_RULES}`)).toBeDefined();
  });

  it('sync: the rules become exactly the credentials held; rules outside our id range stay', async () => {
    const foreign: SessionRule = { id: 7, condition: {}, action: { type: 'block' } };
    const dnr = fakeDnr([foreign]);
    const store = new MemoryStore();
    const book = new RuleBook(dnr.api, store);
    await book.install(credential({ id: 'old' }), '/gone');
    await book.install(credential({ id: 'c1' }), '/a');
    await book.sync(async () => [credential({ id: 'c1', paths: ['/a', '/b'] }), credential({ id: 'c2', origin: 'https://x.example', paths: ['/z'] })]);
    const regexes = [...dnr.rules.values()].filter((r) => r.id !== 7).map((r) => r.condition.regexFilter);
    expect(regexes.sort()).toEqual([regexFor(ORIGIN, '/a'), regexFor(ORIGIN, '/b'), regexFor('https://x.example', '/z')].sort());
    expect(dnr.rules.get(7)).toEqual(foreign);
    // The browser lost them (it restarted): a new worker with the same storage puts them back.
    dnr.rules.clear();
    await new RuleBook(dnr.api, store).sync(async () => [credential({ id: 'c1', paths: ['/a'] })]);
    expect([...dnr.rules.values()].map((r) => r.condition.regexFilter)).toEqual([regexFor(ORIGIN, '/a')]);
  });

  it('a one-shot credential is spent by the first request sent after its rule: the rule goes at once', async () => {
    const dnr = fakeDnr();
    const book = new RuleBook(dnr.api, new MemoryStore(), () => 100);
    await book.install(credential({ id: 'x', scheme: 'x402', reusable: false }), '/poster.svg');
    await book.install(credential({ id: 'l', reusable: true }), '/data.json');
    expect(await book.spend(`${ORIGIN}/poster.svg?r=1`, 99)).toEqual([]); // left before the rule
    expect(await book.spend(`${ORIGIN}/data.json`, 200)).toEqual([]); // reusable
    expect(await book.spend(`${ORIGIN}/poster.svg?r=1&_satnav402=3`, 101)).toEqual(['x']);
    expect(await book.entry('x', '/poster.svg')).toBeUndefined();
    expect(dnr.rules.size).toBe(1);
    expect(await book.spent()).toEqual(['x']);
    // Spent and not yet told to the payer: a sync leaves it out.
    await book.sync(async () => [credential({ id: 'x', scheme: 'x402', reusable: false, paths: ['/poster.svg'] })]);
    expect(dnr.rules.size).toBe(0);
    await book.forgetSpent(['x']);
    expect(await book.spent()).toEqual([]);
  });

  it('revoked credentials lose their rules at once', async () => {
    const dnr = fakeDnr();
    const book = new RuleBook(dnr.api, new MemoryStore());
    await book.install(credential({ id: 'a' }), '/a');
    await book.install(credential({ id: 'b' }), '/b');
    await book.drop(['a']);
    expect([...dnr.rules.values()].map((r) => r.condition.regexFilter)).toEqual([regexFor(ORIGIN, '/b')]);
  });

  it('ignores damaged stored state', async () => {
    const store = new MemoryStore();
    await store.set({ 'paywall.rules': { entries: [{ id: 'x' }, { id: 5, credentialId: 'c', origin: ORIGIN, path: '/a', oneShot: false, installedAt: 1 }], spent: [1, 'ok'] } });
    const book = new RuleBook(fakeDnr().api, store);
    expect(await book.entry('c', '/a')).toBeUndefined(); // id 5 is outside our range
    expect(await book.spent()).toEqual(['ok']);
  });
});

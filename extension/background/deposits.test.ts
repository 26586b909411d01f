import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../src/storage/kv.ts';

vi.mock('webextension-polyfill', () => ({ default: {} }));
const { DEPOSIT_RULE_ID_MIN, DepositRules, NAVIGATION_RULE_OFFSET, depositRules } = await import('./deposits.ts');

const record = (origin: string, key: string) => ({ origin, key });

describe('deposit header rules', () => {
  it('every path of the origin, but only the site’s own requests and top-level GET visits; tab requests only; no regex', () => {
    const [own, visit] = depositRules(DEPOSIT_RULE_ID_MIN, 'https://news.example:8443', 'Deposit action="hold"');
    expect(own.condition).toEqual({
      urlFilter: '|https://news.example:8443/',
      isUrlFilterCaseSensitive: false,
      resourceTypes: expect.arrayContaining(['main_frame', 'sub_frame', 'xmlhttprequest', 'image']),
      excludedTabIds: [-1],
      initiatorDomains: ['news.example'],
    });
    // Another site's page (an <img>, a form POST to the site's abuse endpoint) matches neither rule.
    expect(visit).toMatchObject({ id: DEPOSIT_RULE_ID_MIN + NAVIGATION_RULE_OFFSET, condition: { resourceTypes: ['main_frame'], requestMethods: ['get'], excludedTabIds: [-1] } });
    expect(visit.condition).not.toHaveProperty('initiatorDomains');
    for (const rule of [own, visit]) {
      expect(rule.condition).not.toHaveProperty('regexFilter');
      expect(rule.action).toEqual({ type: 'modifyHeaders', requestHeaders: [{ header: 'Authorization', operation: 'set', value: 'Deposit action="hold"' }] });
      // A longer host that starts alike is another site: the slash ends the origin.
      expect(rule.condition.urlFilter.endsWith('/')).toBe(true);
    }
  });

  it('one rule per deposit: re-signing replaces it in place, a release removes it, a restarted worker finds the ids', async () => {
    const calls: Array<{ removeRuleIds?: number[]; addRules?: Array<{ id: number }> }> = [];
    const dnr = { updateSessionRules: async (u: (typeof calls)[number]) => void calls.push(u) };
    const session = new MemoryStore();
    const rules = new DepositRules(dnr as never, session);
    await rules.put(record('https://a.example', 'aa'.repeat(32)), 'h1');
    await rules.put(record('https://b.example', 'bb'.repeat(32)), 'h2');
    await rules.put(record('https://a.example', 'aa'.repeat(32)), 'h3');
    const pair = (id: number) => [id, id + NAVIGATION_RULE_OFFSET];
    expect(calls.map((c) => [c.removeRuleIds, c.addRules?.map((r) => r.id)])).toEqual([
      [pair(DEPOSIT_RULE_ID_MIN), pair(DEPOSIT_RULE_ID_MIN)],
      [pair(DEPOSIT_RULE_ID_MIN + 1), pair(DEPOSIT_RULE_ID_MIN + 1)],
      [pair(DEPOSIT_RULE_ID_MIN), pair(DEPOSIT_RULE_ID_MIN)],
    ]);
    const restarted = new DepositRules(dnr as never, session);
    await restarted.drop(record('https://b.example', 'bb'.repeat(32)));
    await restarted.drop(record('https://b.example', 'bb'.repeat(32)));
    expect(calls.at(-1)).toEqual({ removeRuleIds: pair(DEPOSIT_RULE_ID_MIN + 1) });
    expect(calls).toHaveLength(4);
  });
});

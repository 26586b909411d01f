import { describe, expect, it, vi } from 'vitest';

vi.mock('webextension-polyfill', () => ({ default: {} }));
const { depositRules } = await import('../deposits.ts');
import { ruleFor } from './rules.ts';
import { ruleOrigin, sendPattern, SendWatch, WEB_URLS, type HeaderRulesApi, type RuleCondition } from './send-watch.ts';

type Rule = { id: number; condition: RuleCondition };

/** webRequest.onSendHeaders as the browser keeps it: listeners with their filters; a send reaches those matching. */
function fakeEvent(o: { refuse?: (urls: string[]) => boolean } = {}) {
  const listeners = new Map<(d: { url: string }) => void, string[]>();
  return {
    listeners,
    addListener(cb: (d: { url: string }) => void, filter: { urls: string[] }) {
      if (o.refuse?.(filter.urls)) throw new Error('Invalid url pattern');
      listeners.set(cb, filter.urls);
    },
    removeListener(cb: (d: { url: string }) => void) {
      listeners.delete(cb);
    },
    send(url: string) {
      for (const [cb, urls] of listeners) {
        const u = new URL(url);
        const hit = urls.some((p) => {
          const m = /^(https?):\/\/([^/]+)\/\*$/.exec(p)!;
          return (m[2] === '*' || m[2] === u.hostname) && `${m[1]}:` === u.protocol;
        });
        if (hit) cb({ url });
      }
    },
    patterns: () => [...listeners.values()].flat().sort(),
  };
}

function fakeDnr(kept: Rule[] = []) {
  const rules = new Map(kept.map((r) => [r.id, r]));
  const api: HeaderRulesApi<Rule> = {
    async updateSessionRules(o) {
      for (const id of o.removeRuleIds ?? []) rules.delete(id);
      for (const r of o.addRules ?? []) rules.set(r.id, r);
    },
    getSessionRules: async () => [...rules.values()],
    isRegexSupported: async () => ({ isSupported: true }),
  };
  return api;
}

const credential = (origin: string) => ({ origin, header: { name: 'Authorization', value: 'L402 m:p' } });

describe('ruleOrigin', () => {
  it('reads the origin of a 402 credential rule (escaped regex)', () => {
    expect(ruleOrigin(ruleFor(1, credential('https://shop.example.com:8443'), '/a.b/c').condition)).toBe('https://shop.example.com:8443');
    expect(ruleOrigin(ruleFor(1, credential('http://127.0.0.1:4000'), '/x(1)?').condition)).toBe('http://127.0.0.1:4000');
  });

  it('reads the origin of a deposit rule and its navigation twin (left-anchored urlFilter)', () => {
    const [own, nav] = depositRules(7, 'https://news.example', 'Deposit x');
    expect(ruleOrigin(own.condition)).toBe('https://news.example');
    expect(ruleOrigin(nav.condition)).toBe('https://news.example');
  });

  it('refuses conditions no Satnav rule has', () => {
    for (const c of [{}, { urlFilter: 'example.com' }, { regexFilter: 'https://a.com/' }, { urlFilter: '|ftp://a.com/' }, { regexFilter: '^not a url' }, { urlFilter: '|' }])
      expect(ruleOrigin(c)).toBeUndefined();
  });
});

describe('sendPattern', () => {
  it('covers every port of the host', () => {
    expect(sendPattern('http://127.0.0.1:4000')).toBe('http://127.0.0.1/*');
    expect(sendPattern('https://a.example')).toBe('https://a.example/*');
  });
});

describe('SendWatch', () => {
  it('hears nothing while there is no header rule', async () => {
    const event = fakeEvent();
    const heard: string[] = [];
    const watch = new SendWatch(event, (d: { url: string }) => heard.push(d.url));
    await watch.start(fakeDnr());
    event.send('https://a.example/page');
    expect(event.listeners.size).toBe(0);
    expect(heard).toEqual([]);
  });

  it('hears the origins of the rules a previous worker life left, and only those', async () => {
    const event = fakeEvent();
    const heard: string[] = [];
    const watch = new SendWatch(event, (d: { url: string }) => heard.push(d.url));
    await watch.start(fakeDnr([ruleFor(1, credential('https://paid.example'), '/article'), ...depositRules(2, 'https://deposit.example', 'D')]));
    expect(event.patterns()).toEqual(['https://deposit.example/*', 'https://paid.example/*']);
    event.send('https://paid.example/article');
    event.send('https://other.example/');
    event.send('https://deposit.example/x');
    expect(heard).toEqual(['https://paid.example/article', 'https://deposit.example/x']);
  });

  it('is aimed at a new rule before its change is reported done, and let go when the last rule of an origin goes', async () => {
    const event = fakeEvent();
    const heard: string[] = [];
    const watch = new SendWatch(event, (d: { url: string }) => heard.push(d.url));
    const dnr = watch.wrap(fakeDnr());
    await dnr.updateSessionRules({ addRules: [ruleFor(5, credential('https://a.example'), '/one'), ruleFor(6, credential('https://a.example'), '/two')] });
    event.send('https://a.example/one');
    expect(heard).toEqual(['https://a.example/one']);
    await dnr.updateSessionRules({ removeRuleIds: [5] });
    expect(event.patterns()).toEqual(['https://a.example/*']);
    await dnr.updateSessionRules({ removeRuleIds: [6] });
    expect(event.listeners.size).toBe(0);
    event.send('https://a.example/one');
    expect(heard).toHaveLength(1);
  });

  it('keeps one listener, re-registered only when the origins change', async () => {
    const event = fakeEvent();
    const watch = new SendWatch(event, () => undefined);
    const dnr = watch.wrap(fakeDnr());
    await dnr.updateSessionRules({ addRules: [ruleFor(1, credential('https://a.example'), '/1')] });
    const first = [...event.listeners.keys()][0];
    await dnr.updateSessionRules({ addRules: [ruleFor(2, credential('https://a.example'), '/2')] });
    expect([...event.listeners.keys()]).toEqual([first]);
    await dnr.updateSessionRules({ addRules: [ruleFor(3, credential('https://b.example'), '/1')] });
    expect(event.listeners.size).toBe(1);
    expect([...event.listeners.keys()][0]).not.toBe(first);
    expect(event.patterns()).toEqual(['https://a.example/*', 'https://b.example/*']);
  });

  it('hears every request when the browser refuses the patterns', async () => {
    const event = fakeEvent({ refuse: (urls) => urls !== WEB_URLS });
    const watch = new SendWatch(event, () => undefined);
    await watch.wrap(fakeDnr()).updateSessionRules({ addRules: [ruleFor(1, credential('http://[::1]:3000'), '/')] });
    expect(event.patterns()).toEqual([...WEB_URLS].sort());
  });

  it('changes nothing when the browser refuses the rules', async () => {
    const event = fakeEvent();
    const watch = new SendWatch(event, () => undefined);
    const dnr = fakeDnr();
    const wrapped = watch.wrap({ ...dnr, updateSessionRules: async () => Promise.reject(new Error('regex too large')) });
    await expect(wrapped.updateSessionRules({ addRules: [ruleFor(1, credential('https://a.example'), '/')] })).rejects.toThrow('regex too large');
    expect(event.listeners.size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { PageContext } from '../../../src/base/origin.ts';
import { SatnavError } from '../../../src/errors.ts';
import type { Credential } from '../../../src/paywall/credentials.ts';
import type { WallObservation } from '../../../src/paywall/payer.ts';
import { MemoryStore } from '../../../src/storage/kv.ts';
import { BUST_PARAM } from '../../content/refetch.ts';
import { PageWalls, type Seen402 } from './observations.ts';
import { WallOpener, type OpenerDeps, type PendingAction } from './opener.ts';
import { RuleBook, type SessionRule, type SessionRulesApi } from './rules.ts';

const SITE = 'https://shop.example';
const API = 'https://api.example';

function credential(over: Partial<Credential> = {}): Credential {
  return {
    id: 'c1',
    origin: API,
    paths: ['/data.json'],
    services: ['data'],
    scheme: 'l402',
    header: { name: 'Authorization', value: 'L402 m:00' },
    paymentHash: '0'.repeat(64),
    amountSat: 10,
    paidBy: SITE,
    createdAt: 1,
    expiresAt: null,
    reusable: true,
    ...over,
  };
}

function seen(over: Partial<Seen402> = {}): Seen402 {
  return {
    url: `${API}/data.json`,
    method: 'GET',
    tabId: 4,
    frameId: 0,
    parentFrameId: -1,
    type: 'xmlhttprequest',
    initiator: SITE,
    headers: { wwwAuthenticate: ['L402 macaroon="m", invoice="lnbcrt1"'], paymentRequired: null },
    sentAt: 10,
    seenAt: 11,
    ...over,
  };
}

/** The glue over a scripted payer, a fake browser (tabs, frames, session rules) and a scripted person. */
function world(
  o: { held?: Credential[]; enabled?: boolean; unlocked?: boolean; unlockAnswer?: boolean; buy?: (obs: WallObservation) => Promise<Credential>; deposit?: () => Promise<unknown> } = {},
) {
  const clock = { ms: 1_000 };
  const held = [...(o.held ?? [])];
  const bought: WallObservation[] = [];
  const events: string[] = [];
  const rulesSet = new Map<number, SessionRule>();
  const dnr: SessionRulesApi = {
    async updateSessionRules(u) {
      for (const id of u.removeRuleIds ?? []) rulesSet.delete(id);
      for (const r of u.addRules ?? []) rulesSet.set(r.id, r);
    },
    getSessionRules: async () => [...rulesSet.values()],
    isRegexSupported: async () => ({ isSupported: true }),
  };
  const rules = new RuleBook(dnr, new MemoryStore(), () => clock.ms);
  const state = {
    enabled: o.enabled ?? true,
    unlocked: o.unlocked ?? true,
    actions: [] as PendingAction[],
    unresolved: [] as number[],
    /** What the next recover turns into a credential (a dead life's purchase that settled). */
    recoverable: undefined as Credential | undefined,
  };
  const tabs = new Map<number, string>([[4, `${SITE}/page`]]);
  const walls = new PageWalls({ now: () => clock.ms });
  const deps: OpenerDeps = {
    payer: {
      access: async (obs) => {
        bought.push(obs);
        events.push(`access ${obs.url}`);
        const c = o.buy ? await o.buy(obs) : credential({ id: `c${bought.length}`, paths: [new URL(obs.url).pathname] });
        state.enabled = true;
        held.push(c);
        return { credential: c, paid: true, stored: Promise.resolve() };
      },
      list: async () => held,
      consumed: async (id) => {
        events.push(`consumed ${id}`);
        const i = held.findIndex((c) => c.id === id);
        if (i >= 0) held.splice(i, 1);
      },
      recover: async () => {
        events.push('recover');
        if (!state.recoverable) return { recovered: 0, dropped: 0, waiting: state.unresolved.length };
        held.push(state.recoverable);
        state.recoverable = undefined;
        state.unresolved = [];
        return { recovered: 1, dropped: 0, waiting: 0 };
      },
    },
    rules,
    walls,
    isUnlocked: async () => state.unlocked,
    unlock: async () => {
      events.push('unlock?');
      await new Promise((r) => setTimeout(r, 5));
      if (o.unlockAnswer === false) throw new SatnavError('REJECTED', 'no');
      state.unlocked = true;
    },
    siteEnabled: async () => state.enabled,
    reconcile: async () => void events.push('reconcile'),
    unresolvedPurchases: async () => state.unresolved,
    tabUrl: async (id) => tabs.get(id),
    waitForTabUrl: async (id, url) => tabs.get(id) === url,
    reloadTab: async (id) => void events.push(`reload ${id}`),
    refetch: async (tab, frame, url, doc) => void events.push(`refetch ${tab}/${frame}${doc ? `/${doc}` : ''} ${url}`),
    actions: { get: async () => structuredClone(state.actions), set: async (l) => void (state.actions = structuredClone(l)) },
    now: () => clock.ms,
    pageWaitMs: 20,
    deposits: {
      open: async (wall) => {
        events.push(`deposit ${wall.url}`);
        return o.deposit ? o.deposit() : undefined;
      },
    },
  };
  return { opener: new WallOpener(deps), deps, clock, held, bought, events, rulesSet, rules, state, tabs, walls };
}

const ctx: PageContext = { origin: SITE, tabId: 4 };

describe('the page’s fetch/XHR: opened from the worker’s own sighting', () => {
  it('pays with the browser’s headers and send time, installs the rule, tells the page to retry', async () => {
    const w = world();
    w.walls.add(seen({ seenAt: w.clock.ms }));
    expect(await w.opener.fromPage(ctx, `${API}/data.json`)).toEqual({ retry: true });
    expect(w.bought).toEqual([{ url: `${API}/data.json`, headers: seen().headers, ctx, sentAt: 10 }]);
    expect([...w.rulesSet.values()].map((r) => r.action.requestHeaders![0]!.value)).toEqual(['L402 m:00']);
  });

  it('no sighting of that 402 in that tab by that origin: nothing is paid, no retry', async () => {
    const w = world();
    w.walls.add(seen({ initiator: 'https://evil.example', seenAt: w.clock.ms }));
    expect(await w.opener.fromPage(ctx, `${API}/data.json`)).toEqual({ retry: false });
    expect(await w.opener.fromPage({ origin: SITE }, `${API}/data.json`)).toEqual({ retry: false });
    expect(w.bought).toEqual([]);
  });

  it('asked again after the worker died mid-purchase: only a recovered credential opens it, nothing is bought', async () => {
    const w = world();
    w.walls.restore([seen({ seenAt: w.clock.ms })]);
    expect(await w.opener.fromPage(ctx, `${API}/data.json`)).toEqual({ retry: false });
    w.walls.restore([seen({ seenAt: w.clock.ms })]);
    w.held.push(credential());
    expect(await w.opener.fromPage(ctx, `${API}/data.json`)).toEqual({ retry: true });
    expect(w.bought).toEqual([]);
    expect(w.rulesSet.size).toBe(1);
  });

  it('a refusal (the person, the limits) reaches the page as an error: it keeps its 402', async () => {
    const w = world({ buy: async () => Promise.reject(new SatnavError('BUDGET_EXCEEDED', 'no')) });
    w.walls.add(seen({ seenAt: w.clock.ms }));
    await expect(w.opener.fromPage(ctx, `${API}/data.json`)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
  });
});

describe('deposit walls', () => {
  const DEPOSIT = 'Deposit realm="r", invoice="lnbcrt1", amount="1"';
  const L402 = 'L402 macaroon="m", invoice="lnbcrt1"';
  const wall = (wwwAuthenticate: string[]) => ({ url: `${SITE}/article`, headers: { wwwAuthenticate, paymentRequired: null }, ctx, sentAt: 1 });

  it('a 402 offering a Deposit goes to the deposit keeper, not the 402 payer', async () => {
    const w = world();
    expect(await w.opener.open(wall([DEPOSIT, L402]))).toBeUndefined();
    expect(w.events).toEqual([`deposit ${SITE}/article`]);
    expect(w.bought).toEqual([]);
  });

  it('a deposit Satnav won’t hold, beside an L402 offer: the L402 invoice is paid instead', async () => {
    const w = world({ deposit: async () => Promise.reject(new SatnavError('DEPOSIT_REFUSED', 'hold time above limit')) });
    await w.opener.open(wall([`${DEPOSIT}, ${L402}`]));
    expect(w.events).toEqual([`deposit ${SITE}/article`, `access ${SITE}/article`]);
  });

  it('a deposit refused with nothing else offered, or declined by the person: no fallback', async () => {
    const refused = world({ deposit: async () => Promise.reject(new SatnavError('DEPOSIT_REFUSED', 'no')) });
    await expect(refused.opener.open(wall([DEPOSIT]))).rejects.toMatchObject({ code: 'DEPOSIT_REFUSED' });
    const declined = world({ deposit: async () => Promise.reject(new SatnavError('REJECTED', 'no')) });
    await expect(declined.opener.open(wall([DEPOSIT, L402]))).rejects.toMatchObject({ code: 'REJECTED' });
    expect([...refused.bought, ...declined.bought]).toEqual([]);
  });

  it('a navigation to a deposit wall a dead worker was opening: finished through the keeper, then reloaded', async () => {
    const w = world();
    const navigation = seen({ url: `${SITE}/article`, type: 'main_frame', tabId: 4, initiator: undefined, headers: { wwwAuthenticate: [DEPOSIT], paymentRequired: null } });
    w.tabs.set(4, `${SITE}/article`);
    w.state.actions = [{ seen: navigation, ctx: { origin: SITE, tabId: 4 }, at: w.clock.ms, life: 'dead' }];
    await w.opener.refresh();
    expect(w.events.filter((e) => e.startsWith('deposit') || e.startsWith('reload'))).toEqual([`deposit ${SITE}/article`, 'reload 4']);
  });
});

describe('open: never a purchase of its own', () => {
  it('a credential held for the path whose rule is missing goes (back) in place without paying', async () => {
    const w = world({ held: [credential()] });
    const got = await w.opener.open({ url: `${API}/data.json?x=1`, headers: seen().headers, ctx, sentAt: 10 });
    expect(got?.id).toBe('c1');
    expect(w.bought).toEqual([]);
    expect(w.rulesSet.size).toBe(1);
  });

  it('a request that left before the rule was in place carried nothing: retried, not paid', async () => {
    const w = world({ held: [credential()] });
    w.clock.ms = 500;
    await w.rules.install(credential(), '/data.json');
    await w.opener.open({ url: `${API}/data.json`, headers: seen().headers, ctx, sentAt: 400 });
    expect(w.bought).toEqual([]);
  });

  it('a request that carried the credential and was refused goes to the payer (revoked, expired)', async () => {
    const w = world({ held: [credential()] });
    w.clock.ms = 500;
    await w.rules.install(credential(), '/data.json');
    await w.opener.open({ url: `${API}/data.json`, headers: seen().headers, ctx, sentAt: 600 });
    expect(w.bought).toHaveLength(1);
  });

  it('a site not enabled yet is asked about once: its other walls wait for the answer', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const w = world({
      enabled: false,
      buy: async (obs) => {
        if (++calls === 1) await gate;
        return credential({ id: `c${calls}`, paths: [new URL(obs.url).pathname] });
      },
    });
    const one = w.opener.open({ url: `${API}/a`, headers: seen().headers, ctx, sentAt: 1 });
    const two = w.opener.open({ url: `${API}/b`, headers: seen().headers, ctx, sentAt: 1 });
    await new Promise((r) => setTimeout(r, 10));
    expect(w.events).toEqual([`access ${API}/a`]);
    release();
    await Promise.all([one, two]);
    expect(w.events).toEqual([`access ${API}/a`, `access ${API}/b`]);
  });

  it('…and when the answer was no, the waiting walls fail with it, without another window', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const w = world({
      enabled: false,
      buy: async () => {
        await gate;
        throw new SatnavError('REJECTED', 'the person declined');
      },
    });
    const one = w.opener.open({ url: `${API}/a`, headers: seen().headers, ctx, sentAt: 1 });
    const two = w.opener.open({ url: `${API}/b`, headers: seen().headers, ctx, sentAt: 1 });
    release();
    await expect(one).rejects.toMatchObject({ code: 'REJECTED' });
    await expect(two).rejects.toMatchObject({ code: 'REJECTED' });
    expect(w.bought).toHaveLength(1);
  });

  it('locked: one unlock question for all walls, then the rules are rebuilt before anything is bought', async () => {
    const w = world({ unlocked: false, held: [credential({ paths: ['/a'] })] });
    await Promise.all([
      w.opener.open({ url: `${API}/a`, headers: seen().headers, ctx, sentAt: 1 }),
      w.opener.open({ url: `${API}/b`, headers: seen().headers, ctx, sentAt: 1 }),
    ]);
    expect(w.events.filter((e) => e === 'unlock?')).toHaveLength(1);
    expect(w.events.indexOf('recover')).toBeLessThan(w.events.indexOf(`access ${API}/b`));
    expect(w.bought.map((b) => b.url)).toEqual([`${API}/b`]);
  });

  it('a purchase a dead worker left in flight for the site: nothing is bought until it resolves; then its credential opens the wall', async () => {
    const w = world();
    w.state.unresolved = [w.clock.ms - 5_000];
    w.clock.ms += 1;
    await expect(w.opener.open({ url: `${API}/data.json`, headers: seen().headers, ctx, sentAt: 1 })).rejects.toMatchObject({ code: 'PAYMENT_PENDING' });
    expect(w.bought).toEqual([]);
    // It settled: the refresh recovers it, and it opens the wall; nothing new is bought.
    w.state.recoverable = credential({ id: 'recovered' });
    expect((await w.opener.open({ url: `${API}/data.json`, headers: seen().headers, ctx, sentAt: 1 }))?.id).toBe('recovered');
    expect(w.bought).toEqual([]);
    expect(w.rulesSet.size).toBe(1);
  });

  it('this life’s own purchases in flight never block another wall', async () => {
    const w = world();
    w.state.unresolved = [w.clock.ms + 10];
    await w.opener.open({ url: `${API}/b`, headers: seen().headers, ctx, sentAt: 1 });
    expect(w.bought).toHaveLength(1);
  });

  it('locked and the person says no: nothing bought', async () => {
    const w = world({ unlocked: false, unlockAnswer: false });
    await expect(w.opener.open({ url: `${API}/a`, headers: seen().headers, ctx, sentAt: 1 })).rejects.toMatchObject({ code: 'REJECTED' });
    expect(w.bought).toEqual([]);
  });
});

describe('walls the worker opens on its own', () => {
  it('fetch/XHR 402s wait for the provider', async () => {
    const w = world();
    expect(await w.opener.seen(seen({ seenAt: w.clock.ms }))).toBe('page');
    expect(w.bought).toEqual([]);
    expect(await w.walls.take(4, SITE, `${API}/data.json`, 0)).toBeDefined();
  });

  it('an image: paid from the top document’s budget, then its frame asks the element again', async () => {
    const w = world();
    expect(await w.opener.seen(seen({ type: 'image', url: `${API}/img.svg?r=1`, frameId: 0, documentId: 'D1' }))).toBe('opened');
    expect(w.bought[0]!.ctx).toEqual({ origin: SITE, tabId: 4 });
    expect(w.events.at(-1)).toBe(`refetch 4/0/D1 ${API}/img.svg?r=1`);
    expect(w.state.actions).toEqual([]);
  });

  it('an element inside a frame is paid by that frame, embedded in the tab’s origin', async () => {
    const w = world();
    await w.opener.seen(seen({ type: 'image', frameId: 6, parentFrameId: 0, initiator: 'https://widget.example' }));
    expect(w.bought[0]!.ctx).toEqual({ origin: 'https://widget.example', tabId: 4, topOrigin: SITE });
  });

  it('an iframe is asked again by the document that holds it', async () => {
    const w = world();
    await w.opener.seen(seen({ type: 'sub_frame', url: `${API}/frame.html`, frameId: 6, parentFrameId: 0 }));
    expect(w.events.at(-1)).toBe(`refetch 4/0 ${API}/frame.html`);
  });

  it('a navigation: paid by the site navigated to, the tab reloaded once it shows the 402; a refusal after our reload is not paid again', async () => {
    const w = world();
    const url = `${API}/article.html`;
    w.tabs.set(4, url);
    expect(await w.opener.seen(seen({ type: 'main_frame', url, initiator: SITE }))).toBe('opened');
    expect(w.bought[0]!.ctx).toEqual({ origin: API, tabId: 4 });
    expect(w.events.at(-1)).toBe('reload 4');
    expect(await w.opener.seen(seen({ type: 'main_frame', url, sentAt: 5_000 }))).toBe('reload-refused');
    expect(w.bought).toHaveLength(1);
  });

  it('once our reload loaded, a later 402 on that page (the person reloads after a revoke or a release) is opened again', async () => {
    const w = world();
    const url = `${API}/article.html`;
    w.tabs.set(4, url);
    await w.opener.seen(seen({ type: 'main_frame', url }));
    w.opener.loaded(4, url);
    w.held.length = 0;
    expect(await w.opener.seen(seen({ type: 'main_frame', url, sentAt: 5_000 }))).toBe('opened');
    expect(w.bought).toHaveLength(2);
  });

  it('a navigation the tab left, or a POST, is not reloaded', async () => {
    const w = world();
    w.tabs.set(4, `${SITE}/elsewhere`);
    await w.opener.seen(seen({ type: 'main_frame', url: `${API}/a.html` }));
    await w.opener.seen(seen({ type: 'main_frame', url: `${API}/form`, method: 'POST' }));
    expect(w.events.filter((e) => e.startsWith('reload'))).toEqual([]);
  });

  it('our own retry refused again is never paid again', async () => {
    const w = world();
    expect(await w.opener.seen(seen({ type: 'image', url: `${API}/img.svg?${BUST_PARAM}=1` }))).toBe('retry-refused');
    expect(w.bought).toEqual([]);
  });

  it('the same wall reported twice while it is being opened is opened once', async () => {
    const w = world();
    const [a, b] = await Promise.all([w.opener.seen(seen({ type: 'image' })), w.opener.seen(seen({ type: 'image' }))]);
    expect([a, b].sort()).toEqual(['duplicate', 'opened']);
    expect(w.bought).toHaveLength(1);
  });

  it('a wall with no web initiator is nobody’s to pay', async () => {
    const w = world();
    const s = seen({ type: 'image' });
    delete s.initiator;
    expect(await w.opener.seen(s)).toBe('not-ours');
  });
});

describe('refresh and resume: a new worker life', () => {
  it('settles, recovers, syncs the rules, then finishes the walls a dead worker left with what it recovered, paying nothing', async () => {
    const url = `${API}/article.html`;
    const w = world({ held: [credential({ paths: ['/article.html'] })] });
    w.tabs.set(4, url);
    w.state.actions = [
      { seen: seen({ type: 'main_frame', url }), ctx: { origin: API, tabId: 4 }, at: w.clock.ms, life: 'dead' },
      { seen: seen({ type: 'image', url: `${API}/unpaid.svg` }), ctx, at: w.clock.ms, life: 'dead' },
      { seen: seen({ type: 'image', url: `${API}/old.svg` }), ctx, at: w.clock.ms - 10 * 60_000, life: 'dead' },
    ];
    await w.opener.refresh();
    expect(w.events).toEqual(['reconcile', 'recover', 'reload 4']);
    expect(w.bought).toEqual([]);
    expect(w.state.actions).toEqual([]);
    expect(w.rulesSet.size).toBe(1);
  });

  it('leaves alone the walls this worker life is opening (a refresh after an unlock or a vault change)', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const w = world({
      buy: async (obs) => {
        await gate;
        return credential({ paths: [new URL(obs.url).pathname] });
      },
    });
    const opening = w.opener.seen(seen({ type: 'image', url: `${API}/img.svg` }));
    await new Promise((r) => setTimeout(r, 5));
    w.held.push(credential({ id: 'early', paths: ['/img.svg'] }));
    await w.opener.refresh();
    expect(w.events.filter((e) => e.startsWith('refetch'))).toEqual([]);
    expect(w.state.actions).toHaveLength(1);
    release();
    await opening;
    expect(w.events.filter((e) => e.startsWith('refetch'))).toHaveLength(1);
    expect(w.state.actions).toEqual([]);
  });

  it('asked again while it runs (the vault changed meanwhile): one more round, never two at once', async () => {
    const w = world();
    const first = w.opener.refresh();
    const second = w.opener.refresh();
    const third = w.opener.refresh();
    await Promise.all([first, second, third]);
    expect(w.events.filter((e) => e === 'recover')).toHaveLength(2);
  });

  it('does nothing while locked', async () => {
    const w = world({ unlocked: false });
    await w.opener.refresh();
    expect(w.events).toEqual([]);
  });
});

describe('one-shot credentials', () => {
  it('the first request answered after its rule was in place spends it: rule gone, payer told', async () => {
    const x = credential({ id: 'x', scheme: 'x402', reusable: false, paths: ['/poster.svg'] });
    const w = world({ held: [x] });
    await w.opener.open({ url: `${API}/poster.svg`, headers: seen().headers, ctx, sentAt: 0 });
    expect(w.rulesSet.size).toBe(1);
    await w.opener.answered(`${API}/poster.svg?_satnav402=1`, w.clock.ms + 1);
    expect(w.rulesSet.size).toBe(0);
    expect(w.events).toContain('consumed x');
    expect(w.held).toEqual([]);
  });
});

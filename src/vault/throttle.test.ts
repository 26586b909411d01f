import { describe, expect, it } from 'vitest';
import { SatnavError } from '../errors.ts';
import { MemoryStore } from '../storage/kv.ts';
import { UnlockThrottle, delayAfter } from './throttle.ts';

function clock(start = 1_700_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function retryAfter(t: UnlockThrottle): Promise<number | undefined> {
  try {
    await t.check();
    return undefined;
  } catch (e) {
    if (!(e instanceof SatnavError) || e.code !== 'UNLOCK_THROTTLED') throw e;
    return e.details?.['retryAfterMs'] as number;
  }
}

async function fail(t: UnlockThrottle, times: number) {
  for (let i = 0; i < times; i++) await t.recordFailure();
}

describe('delayAfter', () => {
  const table: [failures: number, ms: number][] = [
    [0, 0],
    [2, 0],
    [3, 1_000],
    [4, 2_000],
    [5, 4_000],
    [11, 256_000],
    [12, 300_000],
    [2_000, 300_000],
  ];
  for (const [failures, ms] of table) it(`${failures} failures → ${ms} ms`, () => expect(delayAfter(failures)).toBe(ms));
});

describe('UnlockThrottle', () => {
  it('three free attempts, then waits of 1 s, 2 s, … measured from the last failure', async () => {
    const c = clock();
    const t = new UnlockThrottle(new MemoryStore(), c.now);
    await fail(t, 3 - 1);
    expect(await retryAfter(t)).toBeUndefined();
    await fail(t, 1);
    expect(await retryAfter(t)).toBe(1_000);
    c.t += 999;
    expect(await retryAfter(t)).toBe(1);
    c.t += 1;
    expect(await retryAfter(t)).toBeUndefined();
    await fail(t, 1);
    expect(await retryAfter(t)).toBe(2_000);
  });

  it('the error reads "<module>: <problem>=<value>" and carries retryAfterMs', async () => {
    const t = new UnlockThrottle(new MemoryStore(), clock().now);
    await fail(t, 4);
    await expect(t.check()).rejects.toMatchObject({
      code: 'UNLOCK_THROTTLED',
      message: 'vault: too many attempts, retry after ms=2000',
      details: { retryAfterMs: 2_000 },
    });
  });

  it('caps the wait at 5 minutes', async () => {
    const t = new UnlockThrottle(new MemoryStore(), clock().now);
    await fail(t, 40);
    expect(await retryAfter(t)).toBe(5 * 60_000);
  });

  it('success resets the count', async () => {
    const t = new UnlockThrottle(new MemoryStore(), clock().now);
    await fail(t, 5);
    await t.recordSuccess();
    expect(await retryAfter(t)).toBeUndefined();
    await fail(t, 3);
    expect(await retryAfter(t)).toBe(1_000);
  });

  it('survives a restart: a new instance on the same store is still throttled', async () => {
    const store = new MemoryStore();
    const c = clock();
    await fail(new UnlockThrottle(store, c.now), 4);
    c.t += 500;
    expect(await retryAfter(new UnlockThrottle(store, c.now))).toBe(1_500);
  });

  it('a clock set backwards cannot stretch the wait beyond the delay', async () => {
    const c = clock();
    const t = new UnlockThrottle(new MemoryStore(), c.now);
    await fail(t, 3);
    c.t -= 3_600_000;
    expect(await retryAfter(t)).toBe(1_000);
  });

  it('ignores unreadable stored state rather than crashing', async () => {
    const store = new MemoryStore();
    await store.set({ 'vault.unlockThrottle': { failures: 'many' } });
    expect(await retryAfter(new UnlockThrottle(store, clock().now))).toBeUndefined();
  });
});

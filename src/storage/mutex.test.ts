import { describe, expect, it } from 'vitest';
import { MemoryStore } from './kv.ts';
import { Mutex, lockFor } from './mutex.ts';

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('Mutex', () => {
  it('never interleaves sections (read-modify-write stays exact)', async () => {
    const lock = new Mutex();
    let counter = 0;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        lock.run(async () => {
          const read = counter;
          await tick();
          counter = read + 1;
        }),
      ),
    );
    expect(counter).toBe(50);
  });
  it('runs sections in call order', async () => {
    const lock = new Mutex();
    const order: number[] = [];
    await Promise.all([3, 1, 2].map((n) => lock.run(async () => { await tick(); order.push(n); })));
    expect(order).toEqual([3, 1, 2]);
  });
  it('keeps going after a section throws, and passes the error to its caller', async () => {
    const lock = new Mutex();
    const failed = lock.run(async () => { throw new Error('boom'); });
    const next = lock.run(() => 7);
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe(7);
  });
  it('without the lock the same workload loses updates (the test can fail)', async () => {
    let counter = 0;
    await Promise.all(Array.from({ length: 10 }, async () => { const r = counter; await tick(); counter = r + 1; }));
    expect(counter).toBeLessThan(10);
  });
});

describe('lockFor', () => {
  it('shares one mutex per store and name', () => {
    const a = new MemoryStore();
    const b = new MemoryStore();
    expect(lockFor(a, 'policy')).toBe(lockFor(a, 'policy'));
    expect(lockFor(a, 'policy')).not.toBe(lockFor(a, 'ledger'));
    expect(lockFor(a, 'policy')).not.toBe(lockFor(b, 'policy'));
  });
});

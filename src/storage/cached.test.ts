import { describe, expect, it, vi } from 'vitest';
import { CachedStore } from './cached.ts';
import { MemoryStore } from './kv.ts';

/** A MemoryStore that counts its calls and can be told to refuse writes, like storage.local. */
class Area extends MemoryStore {
  calls = { get: 0, set: 0, remove: 0, all: 0 };
  keys = new Set<string>();
  refuse = false;
  override async get<T>(key: string) {
    this.calls.get++;
    return super.get<T>(key);
  }
  override async getMany(keys: string[]) {
    this.calls.get++;
    return super.getMany(keys);
  }
  override async set(entries: Record<string, unknown>) {
    this.calls.set++;
    if (this.refuse) throw new Error('QUOTA_BYTES quota exceeded');
    for (const k of Object.keys(entries)) this.keys.add(k);
    return super.set(entries);
  }
  override async remove(keys: string[]) {
    this.calls.remove++;
    for (const k of keys) this.keys.delete(k);
    return super.remove(keys);
  }
  async all() {
    this.calls.all++;
    return super.getMany([...this.keys]);
  }
}

function setup() {
  const area = new Area();
  const store = new CachedStore(area, () => area.all());
  return { area, store };
}

describe('CachedStore', () => {
  it('reads the area once, then answers from memory (absent keys too)', async () => {
    const { area, store } = setup();
    await area.set({ a: { n: 1 } });
    expect(await store.get('a')).toEqual({ n: 1 });
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.getMany(['a', 'missing'])).toEqual({ a: { n: 1 } });
    expect(area.calls.all).toBe(1);
    expect(area.calls.get).toBe(0);
  });

  it('writes through: the area has the write when set resolves, later reads see it', async () => {
    const { area, store } = setup();
    await store.set({ a: 1, b: [1, 2] });
    expect(await area.getMany(['a', 'b'])).toEqual({ a: 1, b: [1, 2] });
    await store.remove(['a']);
    expect(await area.get('a')).toBeUndefined();
    expect(await store.getMany(['a', 'b'])).toEqual({ b: [1, 2] });
  });

  it('hands out copies: changing what a read returned changes nothing stored', async () => {
    const { store } = setup();
    const v = { list: [1] };
    await store.set({ a: v });
    v.list.push(2);
    const read = await store.get<{ list: number[] }>('a');
    read!.list.push(3);
    expect(await store.get('a')).toEqual({ list: [1] });
  });

  it('keeps what a read of the area would give (JSON: undefined fields dropped)', async () => {
    const { store } = setup();
    await store.set({ a: { x: 1, y: undefined } });
    expect(Object.keys((await store.get<object>('a'))!)).toEqual(['x']);
  });

  it("takes another context's change whose old value it holds, keys in any order", async () => {
    const { store } = setup();
    await store.set({ a: { x: 1, y: 2 } });
    store.changed({ a: { oldValue: { y: 2, x: 1 }, newValue: { x: 5, y: 2 } } });
    expect(await store.get('a')).toEqual({ x: 5, y: 2 });
    store.changed({ b: { newValue: 7 } });
    expect(await store.get('b')).toBe(7);
    store.changed({ b: { oldValue: 7 } });
    expect(await store.get('b')).toBeUndefined();
  });

  it('ignores the late echoes of its own writes already superseded (never goes back to an older value)', async () => {
    const { store } = setup();
    await store.get('a');
    await store.set({ a: 1 });
    await store.set({ a: 2 });
    store.changed({ a: { newValue: 1 } });
    expect(await store.get('a')).toBe(2);
    store.changed({ a: { oldValue: 1, newValue: 2 } });
    expect(await store.get('a')).toBe(2);
    // A page's write between our two: ours landed last, so ours stands.
    await store.set({ a: 3 });
    store.changed({ a: { oldValue: 2, newValue: 'page' } });
    store.changed({ a: { oldValue: 'page', newValue: 3 } });
    expect(await store.get('a')).toBe(3);
  });

  it('a write made while the area is being read is not undone by the read', async () => {
    const area = new Area();
    await area.set({ a: 'old', b: 'kept' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const store = new CachedStore(area, async () => {
      const all = await area.all();
      await gate;
      return all;
    });
    const first = store.get('a');
    await store.set({ a: 'new' });
    store.changed({ c: { newValue: 'page' } });
    release();
    expect(await first).toBe('new');
    expect(await store.getMany(['a', 'b', 'c'])).toEqual({ a: 'new', b: 'kept', c: 'page' });
  });

  it("revision: unknown until the area is read; moves with our writes, another context's change and a refused write, only for those keys", async () => {
    const { area, store } = setup();
    await area.set({ a: 1, b: 2 });
    expect(store.revision(['a'])).toBeUndefined();
    await store.get('a');
    const first = store.revision(['a', 'b']);
    expect(first).toBeDefined();
    await store.set({ c: 3 });
    expect(store.revision(['a', 'b'])).toBe(first);
    await store.set({ a: 10 });
    const afterOwn = store.revision(['a', 'b']);
    expect(afterOwn).not.toBe(first);
    store.changed({ b: { oldValue: 2, newValue: 20 } });
    const afterOther = store.revision(['a', 'b']);
    expect(afterOther).not.toBe(afterOwn);
    // A superseded echo changes nothing, so the revision stays.
    store.changed({ a: { oldValue: 1, newValue: 10 } });
    expect(store.revision(['a', 'b'])).toBe(afterOther);
    area.refuse = true;
    await expect(store.set({ a: 11 })).rejects.toThrow();
    expect(store.revision(['a', 'b'])).toBeUndefined();
    area.refuse = false;
    await store.get('a');
    expect(store.revision(['a', 'b'])).not.toBe(afterOther);
  });

  it('a refused write throws and drops memory: the next read is the area again', async () => {
    const { area, store } = setup();
    await store.set({ a: 1 });
    expect(await store.get('a')).toBe(1);
    area.refuse = true;
    await expect(store.set({ a: 2 })).rejects.toThrow(/quota/);
    area.refuse = false;
    expect(await store.get('a')).toBe(1);
    expect(area.calls.all).toBe(2);
  });

  describe('batch', () => {
    it("makes a section's writes one area write, durable when batch resolves", async () => {
      const { area, store } = setup();
      await store.get('x');
      const sets = area.calls.set;
      const result = await store.batch(async () => {
        await store.set({ hold: 1 });
        // Read back from memory inside the section, before anything is durable.
        expect(await store.get('hold')).toBe(1);
        expect(await area.get('hold')).toBeUndefined();
        await store.set({ entry: 'e', hold: 2 });
        await store.remove(['gone']);
        return 'done';
      });
      expect(result).toBe('done');
      expect(area.calls.set - sets).toBe(1);
      expect(await area.getMany(['hold', 'entry'])).toEqual({ hold: 2, entry: 'e' });
    });

    it('overlapping batches: each resolves only once its writes are in the area', async () => {
      const { area, store } = setup();
      let releaseB!: () => void;
      const gateB = new Promise<void>((r) => (releaseB = r));
      let aDone = false;
      const a = store.batch(async () => store.set({ a: 1 })).then(() => {
        aDone = true;
      });
      const b = store.batch(async () => {
        await store.set({ b: 1 });
        await gateB;
      });
      await new Promise((r) => setTimeout(r, 5));
      expect(aDone).toBe(false);
      expect(await area.get('a')).toBeUndefined();
      releaseB();
      await Promise.all([a, b]);
      expect(await area.getMany(['a', 'b'])).toEqual({ a: 1, b: 1 });
    });

    it('a section that throws still writes what it wrote, then throws', async () => {
      const { area, store } = setup();
      await expect(
        store.batch(async () => {
          await store.set({ released: true });
          throw new Error('begin failed');
        }),
      ).rejects.toThrow('begin failed');
      expect(await area.get('released')).toBe(true);
    });

    it('a refused batch write throws, and memory forgets the writes the area never took', async () => {
      const { area, store } = setup();
      await store.set({ a: 1 });
      area.refuse = true;
      await expect(store.batch(() => store.set({ a: 2, b: 2 }))).rejects.toThrow(/quota/);
      area.refuse = false;
      expect(await store.getMany(['a', 'b'])).toEqual({ a: 1 });
    });

    it("until 'applied': resolves with the writes in memory, the area's write still under way; a refused one is reported", async () => {
      const area = new Area();
      let land!: () => void;
      const gate = new Promise<void>((r) => (land = r));
      const late: unknown[] = [];
      const store = new CachedStore(
        {
          get: (k) => area.get(k),
          getMany: (k) => area.getMany(k),
          remove: (k) => area.remove(k),
          set: async (e) => {
            await gate;
            return area.set(e);
          },
        },
        () => area.all(),
        (e) => late.push(e),
      );
      await store.batch(() => store.set({ outcome: 'succeeded' }), 'applied');
      expect(await store.get('outcome')).toBe('succeeded');
      expect(await area.get('outcome')).toBeUndefined();
      land();
      await store.batch(async () => undefined);
      await new Promise((r) => setTimeout(r, 0));
      expect(await area.get('outcome')).toBe('succeeded');
      area.refuse = true;
      await store.batch(() => store.set({ outcome: 'other' }), 'applied');
      await new Promise((r) => setTimeout(r, 0));
      expect(late).toHaveLength(1);
      area.refuse = false;
      expect(await store.get('outcome')).toBe('succeeded');
    });

    it("until 'applied': the area's write is issued a task later, after the caller went on", async () => {
      const { area, store } = setup();
      await store.get('x');
      await store.batch(() => store.set({ outcome: 'succeeded' }), 'applied');
      expect(area.calls.set).toBe(0);
      await new Promise((r) => setTimeout(r, 0));
      expect(area.calls.set).toBe(1);
      expect(await area.get('outcome')).toBe('succeeded');
    });

    it("a durable batch begun before an 'applied' write is issued takes it along, in one write", async () => {
      const { area, store } = setup();
      await store.get('x');
      await store.batch(() => store.set({ outcome: 'succeeded' }), 'applied');
      await store.batch(() => store.set({ reservation: 'r' }));
      expect(area.calls.set).toBe(1);
      expect(await area.getMany(['outcome', 'reservation'])).toEqual({ outcome: 'succeeded', reservation: 'r' });
      await new Promise((r) => setTimeout(r, 0));
      expect(area.calls.set).toBe(1);
    });

    it("an 'applied' batch overlapping a durable one is written the moment the group ends, no task later", async () => {
      const { area, store } = setup();
      await store.get('x');
      // No timer ever fires here: a write left for a later task would never land.
      vi.useFakeTimers({ toFake: ['setTimeout'] });
      try {
        let end!: () => void;
        const ended = new Promise<void>((r) => (end = r));
        const durable = store.batch(async () => {
          await store.set({ reservation: 'r' });
          await ended;
        });
        const applied = store.batch(() => store.set({ outcome: 'o' }), 'applied');
        await applied;
        end();
        await durable;
        expect(await area.getMany(['outcome', 'reservation'])).toEqual({ outcome: 'o', reservation: 'r' });
      } finally {
        vi.useRealTimers();
      }
    });

    it("what an 'applied' batch wrote is the value it had then, whatever its caller does to the object later", async () => {
      const { area, store } = setup();
      await store.get('x');
      const list = [1];
      await store.batch(() => store.set({ list }), 'applied');
      list.push(2);
      await new Promise((r) => setTimeout(r, 0));
      expect(await area.get('list')).toEqual([1]);
      expect(await store.get('list')).toEqual([1]);
    });

    it("a plain write before an 'applied' one is issued lands after it: the area never goes back to an older value", async () => {
      const { area, store } = setup();
      await store.get('x');
      await store.batch(() => store.set({ k: 1, gone: 1 }), 'applied');
      await store.set({ k: 2 });
      await store.remove(['gone']);
      await new Promise((r) => setTimeout(r, 0));
      expect(await area.getMany(['k', 'gone'])).toEqual({ k: 2 });
      expect(await store.getMany(['k', 'gone'])).toEqual({ k: 2 });
    });

    it('a worker killed before the batch ends leaves nothing of it; after, all of it', async () => {
      const { area, store } = setup();
      let kill!: () => void;
      const killed = new Promise<void>((r) => (kill = r));
      void store.batch(async () => {
        await store.set({ reservation: 'r', entry: 'e' });
        await killed;
      });
      await new Promise((r) => setTimeout(r, 1));
      const nextLife = new CachedStore(area, () => area.all());
      expect(await nextLife.getMany(['reservation', 'entry'])).toEqual({});
      kill();
      await store.batch(async () => undefined);
      const laterLife = new CachedStore(area, () => area.all());
      expect(await laterLife.getMany(['reservation', 'entry'])).toEqual({ reservation: 'r', entry: 'e' });
    });
  });
});

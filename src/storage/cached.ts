import type { KeyValueStore } from './kv.ts';

/**
 * A store kept in memory in front of a slower one (the worker's
 * `storage.local`, where every call is a trip to the browser process and a
 * structured clone). Reads are answered from memory once the whole area has
 * been read, in one call, on first use; writes go through to the area.
 *
 * Correct invalidation, in three parts:
 * - our own writes update memory at once (write-through);
 * - writes by another context (a page of ours, the previous worker life's
 *   late write) come in through `changed` (the browser's `onChanged`): a
 *   change whose old value is what memory holds is applied; any other one
 *   is the echo of a write of ours already superseded by a later one of ours,
 *   or a write ours overwrote (the browser reports changes in write order);
 * - a write the area refuses drops the memory, read again on next use.
 *
 * `batch(fn)` makes every write made while `fn` runs one `set` (and one
 * `remove`), issued when `fn` settles and durable when `batch` resolves, so
 * the payment pipeline's reservation and ledger entry land together, before
 * the node is asked. Writes inside the batch resolve at once (their section
 * goes on reading them from memory); so do writes other code makes while a
 * batch runs, durable a moment later with it: every batch is short (memory
 * only) and nothing irreversible may follow a write without a batch or a
 * plain `set` resolving first.
 *
 * All writers in this realm must share one instance (they share its mutexes
 * too, see `lockFor`).
 */
export class CachedStore implements KeyValueStore {
  /** key → JSON text; a key missing here is absent from the area, once `loaded`. */
  private readonly memory = new Map<string, string>();
  /** Keys changed before the area's contents came in: the load must not overwrite them. */
  private readonly touched = new Set<string>();
  private loaded: Promise<void> | undefined;
  private complete = false;
  private epoch = 0;
  private batchDepth = 0;
  /** key → the JSON text to write (undefined: remove), for the batch's one write. */
  private readonly queued = new Map<string, string | undefined>();
  private durable: Deferred | undefined;
  /** Some batch of the running group awaits durability: its write is issued the moment the group ends. */
  private durableGroup = false;
  /** key → how often its value in memory changed (`revision`). */
  private readonly changes = new Map<string, number>();

  /** `loadAll` reads every key of the area (`storage.local.get(null)`). */
  constructor(
    private readonly area: KeyValueStore,
    private readonly loadAll: () => Promise<Record<string, unknown>>,
    private readonly onLateFailure: (e: unknown) => void = () => undefined,
  ) {}

  async get<T = unknown>(key: string): Promise<T | undefined> {
    await this.load();
    const text = this.memory.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async getMany(keys: string[]): Promise<Record<string, unknown>> {
    await this.load();
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const text = this.memory.get(k);
      if (text !== undefined) out[k] = JSON.parse(text);
    }
    return out;
  }

  set(entries: Record<string, unknown>): Promise<void> {
    // The area keeps JSON: memory keeps exactly what a read of the area would give.
    for (const [k, v] of Object.entries(entries)) this.remember(k, v === undefined ? undefined : JSON.stringify(v));
    return this.write(entries, []);
  }

  remove(keys: string[]): Promise<void> {
    for (const k of keys) this.remember(k, undefined);
    return this.write({}, keys);
  }

  /**
   * Runs `fn`; its writes (and any made meanwhile) reach the area as one
   * write, durable when this resolves. `until: 'applied'` resolves once `fn`
   * is done and its writes are in memory (every reader here sees them), the
   * write landing a moment later: for records a dead worker's successor
   * rebuilds anyway (a payment's outcome, which reconcile asks the node for).
   * A write the area refuses then is logged by `onLateFailure`. Such a write
   * is issued a task later, so whoever awaits the batch (the page waiting for
   * its payment's result) goes on before the browser's `set` takes its share of
   * this thread; a batch that needs durability meanwhile takes it along.
   */
  async batch<T>(fn: () => Promise<T>, until: 'durable' | 'applied' = 'durable'): Promise<T> {
    if (this.batchDepth++ === 0) this.durable = deferred();
    if (until === 'durable') this.durableGroup = true;
    // Batches that overlap share one write: each resolves once it has landed.
    const durable = this.durable!;
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn() };
    } catch (error) {
      // Its writes still land (a hold released after a failure).
      outcome = { ok: false, error };
    }
    if (--this.batchDepth === 0) {
      this.durable = undefined;
      if (this.durableGroup) this.flush().then(durable.resolve, durable.reject);
      else setTimeout(() => this.flushLate(durable), 0);
      this.durableGroup = false;
    }
    if (until === 'durable') await durable.promise;
    else durable.promise.catch((e: unknown) => this.onLateFailure(e));
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Changes with every change of a key's value in memory (ours, another context's, a reload after a refused write). */
  revision(keys: string[]): string | undefined {
    if (!this.complete) return undefined;
    return `${this.epoch}:${keys.map((k) => this.changes.get(k) ?? 0).join(',')}`;
  }

  /** The browser's `onChanged` for this area (every context's writes, ours included). */
  changed(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>): void {
    for (const [k, { oldValue, newValue }] of Object.entries(changes)) {
      const text = newValue === undefined ? undefined : JSON.stringify(newValue);
      // Before the load, a key nothing touched yet takes the change as it is (the load will not overwrite it).
      if (!this.complete && !this.touched.has(k)) this.remember(k, text);
      else if (sameJson(this.memory.get(k), oldValue)) this.remember(k, text);
    }
  }

  private remember(key: string, text: string | undefined): void {
    if (text === undefined) this.memory.delete(key);
    else this.memory.set(key, text);
    this.changes.set(key, (this.changes.get(key) ?? 0) + 1);
    if (!this.complete) this.touched.add(key);
  }

  private load(): Promise<void> {
    if (this.loaded) return this.loaded;
    const epoch = this.epoch;
    const loaded = this.loadAll().then(
      (all) => {
        if (epoch !== this.epoch) return this.load();
        for (const [k, v] of Object.entries(all)) {
          if (!this.touched.has(k) && v !== undefined) this.memory.set(k, JSON.stringify(v));
        }
        this.complete = true;
        this.touched.clear();
      },
      (e: unknown) => {
        if (this.loaded === loaded) this.loaded = undefined;
        throw e;
      },
    );
    this.loaded = loaded;
    return loaded;
  }

  private async write(entries: Record<string, unknown>, removed: string[]): Promise<void> {
    if (this.batchDepth > 0) {
      // As the text memory took just now (set): a caller changing its object after the batch, before
      // the write goes out, changes nothing here.
      for (const k of Object.keys(entries)) this.queued.set(k, this.memory.get(k));
      for (const k of removed) this.queued.set(k, undefined);
      return;
    }
    // An 'applied' group's writes not issued yet go first, in this same write: the area never
    // takes them after a newer value of the same key.
    if (this.queued.size > 0) {
      const late = this.takeQueued();
      entries = { ...late.entries, ...entries };
      removed = [...late.removed.filter((k) => !(k in entries)), ...removed];
    }
    try {
      if (Object.keys(entries).length > 0) await this.area.set(entries);
      if (removed.length > 0) await this.area.remove(removed);
    } catch (e) {
      this.forget();
      throw e;
    }
  }

  /** An 'applied' group's writes, a task later: a batch begun meanwhile took them into its own write. */
  private flushLate(durable: Deferred): void {
    if (this.batchDepth > 0) this.durable!.promise.then(durable.resolve, durable.reject);
    else this.flush().then(durable.resolve, durable.reject);
  }

  private async flush(): Promise<void> {
    if (this.queued.size === 0) return;
    const { entries, removed } = this.takeQueued();
    await this.write(entries, removed);
  }

  private takeQueued(): { entries: Record<string, unknown>; removed: string[] } {
    const entries: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [k, text] of this.queued) {
      if (text === undefined) removed.push(k);
      else entries[k] = JSON.parse(text);
    }
    this.queued.clear();
    return { entries, removed };
  }

  /** Memory may differ from the area (a refused write): read it all again on next use. */
  private forget(): void {
    this.epoch++;
    this.memory.clear();
    this.loaded = undefined;
    this.complete = false;
    this.touched.clear();
  }
}

/** Same JSON value, key order aside (the browser reports objects with their keys sorted). */
function sameJson(text: string | undefined, value: unknown): boolean {
  if (text === undefined || value === undefined) return text === undefined && value === undefined;
  return equalJson(JSON.parse(text), value);
}

function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && equalJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

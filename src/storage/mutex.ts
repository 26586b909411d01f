/**
 * Serialises async critical sections in one JS realm. Every read-modify-write
 * of the store runs inside one: otherwise two `reserve` calls read the same
 * spent counter, both pass the budget check and both pay.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` after every section queued before it; queue order is call order. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    // The queue must survive a failed section, so the tail never rejects.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const locks = new WeakMap<object, Map<string, Mutex>>();

/**
 * The mutex for (`store`, `name`). Every engine built on the same store object
 * shares it, so two instances in one worker still cannot interleave writes.
 * It cannot reach other realms: all writers of a store must live in one worker.
 */
export function lockFor(store: object, name: string): Mutex {
  let byName = locks.get(store);
  if (!byName) locks.set(store, (byName = new Map()));
  let lock = byName.get(name);
  if (!lock) byName.set(name, (lock = new Mutex()));
  return lock;
}

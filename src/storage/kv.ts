/**
 * The only persistence surface the core sees. The extension backs it with
 * `storage.local` / `storage.session`; tests use MemoryStore. Writes of several
 * keys in one `set` call land together (chrome.storage.set is atomic per call).
 */
export interface KeyValueStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  getMany(keys: string[]): Promise<Record<string, unknown>>;
  set(entries: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
  /**
   * A token that changes whenever any of `keys` may have changed, here or in another context;
   * `undefined` when the store can't tell. What a reader derives from those keys (parsed,
   * migrated) may be kept for as long as the token stays the same. A `set` changes it as it is
   * called (the value is readable at once), and a refused `set` changes it again: a writer may keep
   * what it wrote under the token taken right after calling `set` (the policy engine does).
   */
  revision?(keys: string[]): string | undefined;
}

export class MemoryStore implements KeyValueStore {
  private readonly data = new Map<string, string>();
  // `#`: subclasses in tests keep their own counters under plain names.
  readonly #changes = new Map<string, number>();
  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }
  async getMany(keys: string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const raw = this.data.get(k);
      if (raw !== undefined) out[k] = JSON.parse(raw);
    }
    return out;
  }
  async set(entries: Record<string, unknown>): Promise<void> {
    // JSON round-trip mirrors chrome.storage: only structured JSON survives.
    for (const [k, v] of Object.entries(entries)) {
      this.data.set(k, JSON.stringify(v));
      this.#changed(k);
    }
  }
  async remove(keys: string[]): Promise<void> {
    for (const k of keys) {
      this.data.delete(k);
      this.#changed(k);
    }
  }
  revision(keys: string[]): string {
    return keys.map((k) => this.#changes.get(k) ?? 0).join(',');
  }
  #changed(key: string): void {
    this.#changes.set(key, (this.#changes.get(key) ?? 0) + 1);
  }
}

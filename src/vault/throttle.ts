/**
 * Slows down password guessing at the unlock prompt. State lives in a KeyValueStore (the
 * extension passes `storage.local`), so neither a worker restart nor a browser restart resets it.
 *
 * | failures so far | wait before the next try |
 * | --------------- | ------------------------ |
 * | 0..2            | none (3 free tries)      |
 * | 3               | 1 s                      |
 * | 4               | 2 s                      |
 * | n ≥ 3           | min(2^(n-3) s, 5 min)    |
 */
import { moduleErrors } from '../errors.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import { isPlainObject } from './json-shape.ts';

const err = moduleErrors('vault');

export const THROTTLE_FREE_ATTEMPTS = 3;
export const THROTTLE_BASE_DELAY_MS = 1_000;
export const THROTTLE_MAX_DELAY_MS = 5 * 60_000;
const STORE_KEY = 'vault.unlockThrottle';

type ThrottleState = { failures: number; lastFailureAt: number };

export class UnlockThrottle {
  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Throws UNLOCK_THROTTLED (details.retryAfterMs) while the wait since the last failure runs. */
  async check(): Promise<void> {
    const { failures, lastFailureAt } = await this.load();
    const delay = delayAfter(failures);
    // Capped by `delay` so a clock set backwards cannot stretch the wait.
    const retryAfterMs = Math.min(delay, lastFailureAt + delay - this.now());
    if (retryAfterMs > 0) throw err('UNLOCK_THROTTLED', 'too many attempts, retry after ms', retryAfterMs, { retryAfterMs });
  }

  async recordFailure(): Promise<void> {
    const { failures } = await this.load();
    const next: ThrottleState = { failures: failures + 1, lastFailureAt: this.now() };
    await this.store.set({ [STORE_KEY]: next });
  }

  async recordSuccess(): Promise<void> {
    await this.store.remove([STORE_KEY]);
  }

  private async load(): Promise<ThrottleState> {
    const raw = await this.store.get(STORE_KEY);
    if (isPlainObject(raw) && Number.isSafeInteger(raw['failures']) && Number.isFinite(raw['lastFailureAt'])) {
      return { failures: raw['failures'] as number, lastFailureAt: raw['lastFailureAt'] as number };
    }
    return { failures: 0, lastFailureAt: 0 };
  }
}

/** Wait required after `failures` consecutive wrong passwords. */
export function delayAfter(failures: number): number {
  if (failures < THROTTLE_FREE_ATTEMPTS) return 0;
  return Math.min(THROTTLE_BASE_DELAY_MS * 2 ** (failures - THROTTLE_FREE_ATTEMPTS), THROTTLE_MAX_DELAY_MS);
}

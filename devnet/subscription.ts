/**
 * Turns listener-style updates into an async iterable for a response stream. `start` registers the
 * listener at once (so no update between the call and the first read is lost; it may push and end
 * synchronously) and returns its unsubscribe; the iterable ends when `end` is called or the client
 * goes away.
 */
export function subscription<T>(
  signal: AbortSignal,
  start: (push: (v: T) => void, end: () => void) => () => void,
): AsyncGenerator<T> {
  const queue: T[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const stop = start(
    (v) => {
      queue.push(v);
      poke();
    },
    () => {
      ended = true;
      poke();
    },
  );
  signal.addEventListener('abort', poke);
  async function* drain(): AsyncGenerator<T> {
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as T;
        if (ended || signal.aborted) return;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      stop();
      signal.removeEventListener('abort', poke);
    }
  }
  return drain();
}

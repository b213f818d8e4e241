/**
 * Runs `fn` over an async source with at most `limit` calls in flight. The source is pulled
 * one item at a time and only when a slot is free, so a streaming archive is never read
 * further ahead than the work allows.
 */
export async function forEachConcurrent<T>(
  source: AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  const running = new Set<Promise<void>>();
  const state: { failure?: { error: unknown } } = {};
  const rethrow = () => {
    if (state.failure) throw state.failure.error;
  };
  try {
    for (;;) {
      while (running.size >= Math.max(1, limit)) await Promise.race(running);
      rethrow();
      const next = await it.next();
      if (next.done) break;
      const task: Promise<void> = fn(next.value)
        .catch((error) => {
          state.failure ??= { error };
        })
        .finally(() => running.delete(task));
      running.add(task);
    }
    await Promise.all(running);
    rethrow();
  } finally {
    await Promise.allSettled(running);
    await it.return?.();
  }
}

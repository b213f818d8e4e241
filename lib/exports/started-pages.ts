/**
 * Pages (an async generator) set going now rather than when first iterated: its first value is asked for
 * at once, so an export's item cursor (connect, begin, plan, first page: tens of milliseconds of
 * the database's time) opens while the run's other start-up queries are still answering.
 * `values` iterates it once; `close` ends it whether or not it was iterated (a run refused after
 * its selection counts closes the cursor it opened) and is safe to call again.
 */
export function startedPages<T>(pages: AsyncIterable<T>): { values: AsyncIterable<T>; close: () => Promise<void> } {
  const source = pages[Symbol.asyncIterator]();
  const end = async () => void (await source.return?.(undefined));
  const first = source.next();
  first.catch(() => undefined); // raised where it is awaited
  let taken = false;
  return {
    values: {
      async *[Symbol.asyncIterator]() {
        if (taken) throw new Error("these pages were already read");
        taken = true;
        try {
          for (let r = await first; !r.done; r = await source.next()) yield r.value;
        } finally {
          await end();
        }
      },
    },
    close: async () => {
      await first.catch(() => undefined);
      await end();
    },
  };
}

/**
 * Maps an async source with up to `concurrency` calls in flight, yielding results in source
 * order: fetching and decoding run ahead while the archive is written strictly in order, and
 * memory holds at most `concurrency` results.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T>,
  concurrency: number,
  fn: (t: T) => Promise<R>,
): AsyncIterable<R> {
  const it = source[Symbol.asyncIterator]();
  const inFlight: Promise<R>[] = [];
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && inFlight.length < concurrency) {
      const next = await it.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const p = fn(next.value);
      p.catch(() => undefined); // awaited in order below; this only stops an early rejection going unhandled
      inFlight.push(p);
    }
  };
  await fill();
  while (inFlight.length) {
    const result = await inFlight.shift()!;
    yield result;
    await fill();
  }
}

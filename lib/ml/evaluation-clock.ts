/** The wall time of a folder evaluation: the whole run, and the part spent in the network. */
export class EvaluationClock {
  private readonly started = performance.now();
  private inferenceMs = 0;

  /** Runs a network call, counting its time as inference. */
  async inference<T>(run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      this.inferenceMs += performance.now() - t0;
    }
  }

  /** Milliseconds per image so far, in all and in inference. */
  perImage(images: number): { msPerImage: number; inferenceMsPerImage: number } {
    return { msPerImage: (performance.now() - this.started) / images, inferenceMsPerImage: this.inferenceMs / images };
  }
}

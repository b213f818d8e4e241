// How many jobs the single-machine worker (`npm start`) runs at once, and how many threads each
// trainer gets. Two at a time keep both cores of a small machine busy while the demo's Stage-I
// networks train (one trainer alone leaves much of the second core idle on these small networks),
// and each trainer gets its share of the cores: more OpenMP threads than cores stall every step.

export function localWorkerEnv(env: Record<string, string | undefined>, cpus: number): Record<string, string> {
  const concurrency = Number(env.WORKER_CONCURRENCY ?? Math.max(1, Math.min(2, cpus)));
  const threads = env.TANDEM_TRAIN_THREADS ?? String(Math.max(1, Math.floor(cpus / concurrency)));
  return { WORKER_CONCURRENCY: String(concurrency), TANDEM_TRAIN_THREADS: threads };
}

// Training runs as the dashboard shows them: the worker's progress JSON and the trainer's
// metrics JSON read defensively (older or failed runs may lack fields).
import type { RunMetrics, RunProgress, RunRow, StageName } from "./types";

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** ModelRun.progress: {type:'progress', epoch, epochs, step, steps, loss, eta_s}, an epoch event, or {error}. */
export function parseProgress(raw: unknown, status: string): RunProgress | null {
  if (!raw || typeof raw !== "object") return null;
  const p = raw as Record<string, unknown>;
  const epoch = num(p.epoch),
    epochs = num(p.epochs),
    step = num(p.step),
    steps = num(p.steps);
  let fraction: number | null = null;
  if (status === "SUCCEEDED") fraction = 1;
  else if (epoch !== null && epochs) {
    const within = p.type === "epoch" ? 1 : step !== null && steps ? step / steps : 0;
    fraction = Math.min(1, Math.max(0, (epoch - 1 + within) / epochs));
  }
  return {
    epoch,
    epochs,
    step,
    steps,
    loss: num(p.loss) ?? num(p.train_loss),
    etaSeconds: status === "RUNNING" ? num(p.eta_s) : null,
    fraction,
    error: typeof p.error === "string" ? p.error : null,
  };
}

export type RunSqlRow = {
  id: string;
  number: number | null;
  stage: StageName | null;
  arch: string;
  encoder: string;
  fold: number | null;
  status: string;
  progress: unknown;
  startedAt: Date | null;
  finishedAt: Date | null;
  valLoss: unknown;
  selectedEpoch: unknown;
  pixel: unknown;
  image: unknown;
  curve: unknown;
};

const obj = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as RunMetrics["pixel"]) : null);

export function toRunRow(r: RunSqlRow): RunRow {
  const curve = Array.isArray(r.curve)
    ? (r.curve as Record<string, unknown>[]).map((c) => ({
        epoch: num(c.epoch) ?? 0,
        train: num(c.train),
        val: num(c.val),
      }))
    : [];
  const pixel = obj(r.pixel),
    image = obj(r.image);
  const hasMetrics = pixel !== null || image !== null || curve.length > 0;
  return {
    id: r.id,
    round: r.number,
    stage: r.stage,
    arch: r.arch,
    encoder: r.encoder,
    fold: r.fold,
    status: r.status,
    progress: parseProgress(r.progress, r.status),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    metrics: hasMetrics ? { valLoss: num(r.valLoss), selectedEpoch: num(r.selectedEpoch), pixel, image, curve } : null,
  };
}

/** The metric value of a {value, ci} entry (or a plain number such as roc_auc). */
export function scoreOf(m: RunMetrics["pixel"], name: string): { value: number | null; ci: number | null } {
  const v = m?.[name];
  if (typeof v === "number") return { value: v, ci: null };
  if (v && typeof v === "object") return { value: num(v.value), ci: num(v.ci) };
  return { value: null, ci: null };
}

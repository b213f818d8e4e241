/** What a trained run does: "classify" when its trainer metrics say so (task "classify"), else "segment". */
export type RunTask = "segment" | "classify";

export function runTaskFromMetrics(metrics: unknown): RunTask {
  return metrics && typeof metrics === "object" && (metrics as { task?: unknown }).task === "classify"
    ? "classify"
    : "segment";
}

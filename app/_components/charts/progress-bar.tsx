/** A thin bar for a fraction in [0, 1]; null draws an indeterminate (empty) track. */
export function ProgressBar({
  value,
  label,
  tone = "accent",
}: {
  value: number | null;
  label: string;
  tone?: "accent" | "ok" | "bad";
}) {
  const pct = value === null ? null : Math.round(Math.min(1, Math.max(0, value)) * 1000) / 10;
  const fill = { accent: "bg-accent", ok: "bg-ok", bad: "bg-bad" }[tone];
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      aria-valuetext={pct === null ? "unknown" : `${pct}%`}
      className="h-2 w-full overflow-hidden rounded bg-panel-2"
    >
      {pct !== null ? <div className={`h-full ${fill}`} style={{ width: `${pct}%` }} /> : null}
    </div>
  );
}

/** A labelled progress bar; `value` of `max`, or an indeterminate one while the total is unknown. */
export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((100 * value) / max)) : 0;
  return (
    <div className="flex items-center gap-2">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        className="h-2 w-40 overflow-hidden rounded bg-panel-2"
      >
        <div className="h-full bg-accent transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      <span className="text-xs text-muted tabular-nums">{max > 0 ? `${pct}% · ${value}/${max}` : "starting…"}</span>
    </div>
  );
}

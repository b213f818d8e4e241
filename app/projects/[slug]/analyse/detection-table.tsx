import { Badge } from "@/app/_components/ui";

export type AnalysedMap = { score: number; threshold: number; positive: boolean; infectedFraction: number; map: string };

function Row({ label, m }: { label: string; m: AnalysedMap }) {
  return (
    <tr className="border-t border-line">
      <td className="py-1 pr-3">{label}</td>
      <td className="pr-3" data-testid="detection">
        <Badge tone={m.positive ? "bad" : "ok"}>{m.positive ? "COVID-19 positive" : "negative"}</Badge>
      </td>
      <td className="pr-3 tabular-nums">{m.score.toFixed(3)}</td>
      <td className="tabular-nums">{(100 * m.infectedFraction).toFixed(1)}%</td>
    </tr>
  );
}

/** Detection per model and for the ensemble: positive when any pixel reaches the threshold. */
export function DetectionTable({ models, ensemble, threshold }: { models: (AnalysedMap & { id: string; label: string })[]; ensemble: AnalysedMap | null; threshold: number }) {
  return (
    <table className="text-left text-sm" data-testid="detection-table">
      <caption className="pb-1 text-left text-xs text-muted">Positive when any pixel&apos;s probability is ≥ {threshold}</caption>
      <thead className="text-muted">
        <tr><th className="pr-3 font-medium">Model</th><th className="pr-3 font-medium">Detection</th><th className="pr-3 font-medium">Max probability</th><th className="font-medium">Pixels ≥ threshold</th></tr>
      </thead>
      <tbody>
        {models.map((m) => <Row key={m.id} label={m.label} m={m} />)}
        {ensemble ? <Row label="Ensemble (mean of maps)" m={ensemble} /> : null}
      </tbody>
    </table>
  );
}

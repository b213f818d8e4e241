import { Badge } from "@/app/_components/ui";

import type { CalibratedDetection } from "@/lib/ml/detection";

export type AnalysedMap = {
  score: number;
  threshold: number;
  positive: boolean;
  infectedFraction: number;
  calibrated?: CalibratedDetection | null;
  map: string;
};

const pct = (v: number | null) => (v === null ? "—" : `${(100 * v).toFixed(0)}%`);

function Calibrated({ c }: { c: CalibratedDetection | null | undefined }) {
  if (!c) return <span className="text-muted">not calibrated</span>;
  const chosen = `chosen on out-of-fold predictions for sensitivity ≥ ${pct(c.targetSensitivity)} (reached ${pct(c.sensitivity)}, specificity ${pct(c.specificity)})`;
  const presence = c.kind === "presence";
  return (
    <span
      title={
        presence
          ? `Positive when the model's image-level presence probability is ≥ ${c.threshold.toFixed(3)}; ${chosen}`
          : `Positive when a connected region of at least ${(100 * c.minArea).toFixed(2)}% of the image has probability ≥ ${c.threshold}; ${chosen}`
      }
    >
      <Badge tone={c.positive ? "bad" : "ok"}>{c.positive ? "COVID-19 positive" : "negative"}</Badge>{" "}
      <span className="text-xs text-muted">
        {presence
          ? `presence ${c.presence!.toFixed(3)} / ≥ ${c.threshold.toFixed(3)}`
          : `region ${(100 * c.largestComponent).toFixed(2)}% / ≥ ${(100 * c.minArea).toFixed(2)}% at p ≥ ${c.threshold}`}
      </span>
    </span>
  );
}

function Row({ label, m }: { label: string; m: AnalysedMap }) {
  return (
    <tr className="border-t border-line">
      <td className="py-1 pr-3">{label}</td>
      <td className="pr-3" data-testid="detection">
        <Badge tone={m.positive ? "bad" : "ok"}>{m.positive ? "COVID-19 positive" : "negative"}</Badge>
      </td>
      <td className="pr-3" data-testid="detection-calibrated">
        <Calibrated c={m.calibrated} />
      </td>
      <td className="pr-3 tabular-nums">{m.score.toFixed(3)}</td>
      <td className="tabular-nums">{(100 * m.infectedFraction).toFixed(1)}%</td>
    </tr>
  );
}

/** Detection per model and for the ensemble: the paper's rule (any pixel reaches the threshold) and
 * the model's calibrated rule (its presence probability, or for older models a large enough
 * region, chosen on out-of-fold predictions). */
export function DetectionTable({
  models,
  ensemble,
  threshold,
}: {
  models: (AnalysedMap & { id: string; label: string })[];
  ensemble: AnalysedMap | null;
  threshold: number;
}) {
  return (
    <table className="text-left text-sm" data-testid="detection-table">
      <caption className="pb-1 text-left text-xs text-muted">
        Paper&apos;s rule: positive when any pixel&apos;s probability is ≥ {threshold}. Calibrated rule: the
        model&apos;s own, chosen on out-of-fold predictions for a target sensitivity.
      </caption>
      <thead className="text-muted">
        <tr>
          <th className="pr-3 font-medium">Model</th>
          <th className="pr-3 font-medium">Paper&apos;s rule</th>
          <th className="pr-3 font-medium">Calibrated rule</th>
          <th className="pr-3 font-medium">Max probability</th>
          <th className="font-medium">Pixels ≥ threshold</th>
        </tr>
      </thead>
      <tbody>
        {models.map((m) => (
          <Row key={m.id} label={m.label} m={m} />
        ))}
        {ensemble ? <Row label="Ensemble (mean of maps)" m={ensemble} /> : null}
      </tbody>
    </table>
  );
}

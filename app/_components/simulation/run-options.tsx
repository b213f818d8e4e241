import type { SimulationRunOptions } from "@/lib/simulate/types";

const names: Record<string, string> = {
  images: "Images",
  covidImages: "COVID-19 images",
  s1Size: "Stage-I subset",
  folds: "Folds",
  stage1Archs: "Stage-I networks",
  stage2Networks: "Stage-II networks",
  train: "Training",
  maxStage2Rounds: "Stage-II rounds at most",
  seed: "Seed",
  readers: "Readers",
  models: "Candidate models",
  selectionMode: "Stage-I selection",
  bootstrapReps: "Bootstrap resamples",
  readerErrorFactors: "Reader error factors",
  modelLevels: "Model levels",
};

/** The settings a run used. */
export function RunOptions({ options }: { options: SimulationRunOptions }) {
  return (
    <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4" data-testid="run-options">
      {Object.entries(options).map(([k, v]) => (
        <div key={k}>
          <dt className="text-muted">{names[k] ?? k}</dt>
          <dd>{Array.isArray(v) ? v.join(", ") : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

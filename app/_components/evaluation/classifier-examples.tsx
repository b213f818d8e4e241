import { Badge, Card } from "@/app/_components/ui";
import { JetLegend, type LegendStop } from "@/app/_components/viewer/jet-legend";
import { foldLabel } from "@/lib/ml/fold";
import type { ClassifierTrainingReport } from "@/lib/ml/reports";

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(100 * v).toFixed(1)}%`);

type Agreement = ClassifierTrainingReport["examples"][number]["cam"];
const agreementText = (a: Agreement) =>
  a
    ? `${pct(a.energyInside)} of the map inside the mask, peak ${a.pointing ? "inside" : "outside"}`
    : "no accepted mask";

/** The CAM's agreement with the accepted masks over the out-of-fold COVID-19 images. */
export function CamAgreement({ summary }: { summary: ClassifierTrainingReport["camAgreement"] }) {
  return (
    <p className="text-sm" data-testid="cam-agreement">
      {summary
        ? `Map agreement over ${summary.n} COVID-19 images with an accepted mask: ${pct(summary.energyInside)} of the CAM's energy lies inside the mask (the mask covers ${pct(summary.maskFraction)} of the image), pointing game ${pct(summary.pointing)}.`
        : "Map agreement: no held-out COVID-19 image has an accepted mask yet."}
    </p>
  );
}

/** A map over its CXR (the map is transparent where it is 0), at the infection maps' default opacity. */
function Overlaid({ base, overlay, alt }: { base: string; overlay: string; alt: string }) {
  return (
    <div className="relative">
      <img src={base} alt="" className="block w-full rounded-sm" />
      <img src={overlay} alt={alt} className="absolute inset-0 h-full w-full rounded-sm opacity-70" />
    </div>
  );
}

/** A grid of example maps: each image's CAM and occlusion map from the fold model that held it out. */
export function ClassifierExamples({
  examples,
  legend,
}: {
  examples: ClassifierTrainingReport["examples"];
  legend: LegendStop[];
}) {
  return (
    <Card title="Example maps (out-of-fold)">
      {examples.length ? (
        <div className="space-y-3" data-testid="classifier-examples">
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
            {examples.map((e) => (
              <figure key={`${e.kind}:${e.id}`} className="space-y-1 text-xs" data-testid="classifier-example">
                <div className="flex flex-wrap items-center gap-2">
                  <Badge tone={e.kind === "true positive" ? "ok" : "bad"}>{e.kind}</Badge>
                  <span className="tabular-nums">P(COVID-19) = {e.prob.toFixed(3)}</span>
                  <span className="text-muted">{foldLabel(e.fold)}</span>
                </div>
                <div className="grid grid-cols-2 gap-1">
                  <Overlaid base={e.cxrSrc} overlay={e.camSrc} alt={`Class activation map, ${e.kind}`} />
                  <Overlaid base={e.cxrSrc} overlay={e.occlusionSrc} alt={`Occlusion map, ${e.kind}`} />
                </div>
                <figcaption className="text-muted">
                  CAM: {agreementText(e.cam)}. Occlusion: {agreementText(e.occlusion)}.
                </figcaption>
              </figure>
            ))}
          </div>
          <p className="text-xs text-muted">
            Left: class activation map (scaled to its maximum). Right: occlusion map (drop in P(COVID-19) when a patch
            hides the region). Same colour scale as the infection maps.
          </p>
          <JetLegend stops={legend} />
        </div>
      ) : (
        <p className="text-sm text-muted">Example maps appear once every fold has finished.</p>
      )}
    </Card>
  );
}

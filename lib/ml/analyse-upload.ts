import { recordAudit } from "../audit/mutations";
import type { Actor } from "../auth/types";
import { AppError } from "../errors/app-error";
import { decodeImage } from "../images/decode-image";
import { store } from "../storage/store";
import { analyseClassifiers, type ClassifierResult } from "./analyse-classifiers";
import { analyseCxr, type AnalyseResult } from "./analyse-cxr";
import { cachedClassifier } from "./classifier-cache";
import { cachedThreadedModel } from "./model-cache";
import { modelLabel } from "./model-label";
import { analysableRuns } from "./queries";

const MAX_PIXELS = Number(process.env.ANALYSE_MAX_PIXELS ?? 50_000_000);

/**
 * The live demo: one uploaded CXR (PNG, JPEG or DICOM) through the chosen trained models.
 * The upload is read only after the role and the models are checked, and nothing of it is
 * stored: the audit line names the models and the threshold, not the image.
 */
export async function analyseUpload(
  actor: Actor,
  projectId: string,
  query: { runIds: string[]; threshold: number },
  readUpload: () => Promise<Buffer>,
): Promise<AnalyseResult & { classifiers: ClassifierResult[] }> {
  const runs = await analysableRuns(actor, projectId);
  const chosen = query.runIds.map((id) => {
    const run = runs.find((r) => r.id === id);
    if (!run) throw new AppError("NOT_FOUND", "No trained model with that id in this project");
    return run;
  });
  const bytes = await readUpload();
  if (!bytes.length) throw new AppError("BAD_REQUEST", "Upload a PNG, JPEG or DICOM file");
  const image = await decodeImage(bytes, { pseudonymKey: process.env.PSEUDONYM_KEY!, maxPixels: MAX_PIXELS });
  const segmenters = chosen.filter((r) => r.task === "segment");
  const classifiers = await Promise.all(
    chosen
      .filter((r) => r.task === "classify")
      .map(async (r) => ({
        id: r.id,
        label: `${modelLabel(r)} (classifier)`,
        model: await cachedClassifier(r.weightsSha256 ?? r.id, r.size, `model ${modelLabel(r)}`, () =>
          store().get(r.artifactKey),
        ),
      })),
  );
  const models = await Promise.all(
    segmenters.map(async (r) => ({
      id: r.id,
      label: modelLabel(r),
      rule: r.rule,
      model: await cachedThreadedModel(r.weightsSha256 ?? r.id, r.size, () => store().get(r.artifactKey)),
    })),
  );
  const cxr = { pixels: image.pixels8, width: image.width, height: image.height };
  const result = await analyseCxr(cxr, models, { threshold: query.threshold });
  const classified = await analyseClassifiers(cxr, classifiers, { threshold: query.threshold });
  await recordAudit({
    action: "cxr.analyse",
    objectType: "Project",
    objectId: projectId,
    projectId,
    actorId: actor.userId,
    after: { runIds: query.runIds, threshold: query.threshold, format: image.format },
  });
  return { ...result, classifiers: classified };
}

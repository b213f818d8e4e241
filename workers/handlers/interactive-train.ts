import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { JobHandler } from "../../lib/jobs/types";
import { PermanentJobError } from "../../lib/jobs/types";
import { interactiveTrainingInputs } from "../../lib/assist/queries";
import { registerInteractiveModel } from "../../lib/assist/mutations";
import { readTrainedModel, storedMeta } from "../../lib/assist/trained-model";
import { interactiveTrainSettings } from "../../lib/assist/train-settings";
import { store } from "../../lib/storage/store";
import { runTrainer } from "../trainer-process";

/** (Re)trains the project's click model on its accepted masks → the next InteractiveModel version. */
export const interactiveTrainHandler: JobHandler<{ projectId: string; acceptedMasks: number }> = async ({
  payload,
  signal,
  progress,
}) => {
  const { items, latestTrainedOn } = await interactiveTrainingInputs(payload.projectId);
  // A retried job whose model was already registered does nothing twice.
  if (latestTrainedOn !== null && latestTrainedOn >= payload.acceptedMasks) return { skipped: true };
  if (!items.length) throw new PermanentJobError("The project has no accepted masks to learn from");
  const dir = await mkdtemp(path.join(os.tmpdir(), "tandem-interactive-"));
  try {
    await mkdir(path.join(dir, "data"));
    const train = [];
    for (const it of items) {
      const image = path.join(dir, "data", `${it.imageId}.png`);
      const mask = path.join(dir, "data", `${it.imageId}.mask.png`);
      await writeFile(image, await store().get(it.imageKey));
      await writeFile(mask, await store().get(it.maskKey));
      train.push({ id: it.imageId, image, mask, label: "covid" });
    }
    const spec = { ...interactiveTrainSettings(), version: `project-${payload.projectId}-${items.length}`, train };
    await writeFile(path.join(dir, "spec.json"), JSON.stringify(spec));
    const out = path.join(dir, "out");
    await runTrainer(["train", "--spec", path.join(dir, "spec.json"), "--out", out], {
      module: "tandem_trainer.interactive",
      signal,
      onEvent: (e) => {
        if (e.type === "epoch") void progress({ epoch: e.epoch, epochs: e.epochs, loss: e.train_loss });
      },
    });
    const trained = await readTrainedModel(out);
    const row = await registerInteractiveModel(payload.projectId, {
      bytes: trained.bytes,
      meta: storedMeta(trained.meta),
      trainedOnMasks: items.length,
    });
    return { version: row.version, trainedOnMasks: items.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

import { createHash, randomUUID } from "node:crypto";
import { claimJob, completeJob } from "../../lib/jobs/mutations";
import { jobCounts } from "../../lib/jobs/queries";
import { existingPredictions, getRun, imagesForPrediction, predictionImageIds } from "../../lib/protocol/queries";
import { completeTrainingRun, markRunStarted, maybeOpenVoting, registerPrediction } from "../../lib/protocol/mutations";
import { PREDICT_CHUNK } from "../../lib/protocol/types";
import { encodeMaskPng } from "../../lib/masks/png-codec";
import { store } from "../../lib/storage/store";
import { key } from "../../lib/storage/keys";
import { stubPrediction } from "./model-stub";
import type { SimImage } from "./sources";

/**
 * Runs the project's train and predict jobs with stub models of a set quality instead of the
 * trainer: "training" records a stub artifact (with its checksum), "prediction" registers the
 * stub's masks through the same protocol functions as the real predict handler.
 */
export async function drainStubJobs(projectId: string, images: Map<string, SimImage>, quality: number) {
  const workerId = `sim-stub:${process.pid}:${randomUUID().slice(0, 8)}`;
  for (;;) {
    const job = await claimJob(workerId, ["train", "predict"], 600_000, projectId);
    if (!job) {
      const c = await jobCounts(projectId);
      if (!c.QUEUED && !c.RUNNING) return;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const payload = job.payload as { runId: string; chunk?: number };
    const run = await getRun(payload.runId);
    if (!run) throw new Error(`stub models: run ${payload.runId} not found`);
    if (job.name === "train") {
      await markRunStarted(run.id);
      const artifact = Buffer.from(
        JSON.stringify({ stub: true, quality, arch: run.arch, encoder: run.encoder, fold: run.fold, runId: run.id }),
      );
      const artifactKey = key("projects", projectId, "runs", run.id, "stub-model.json");
      await store().put(artifactKey, artifact, { contentType: "application/json" });
      const result = await completeTrainingRun(run.id, {
        artifactKey,
        weightsSha256: createHash("sha256").update(artifact).digest("hex"),
        metrics: { stub: true, quality },
      });
      await completeJob(job.id, workerId, result);
    } else {
      const ids = (await predictionImageIds(run.id)).slice(
        (payload.chunk ?? 0) * PREDICT_CHUNK,
        ((payload.chunk ?? 0) + 1) * PREDICT_CHUNK,
      );
      const done = await existingPredictions(run.id, ids);
      for (const img of await imagesForPrediction(ids.filter((id) => !done.has(id)))) {
        const sim = images.get(img.id);
        if (!sim) throw new Error(`stub models: image ${img.id} is not part of the simulation`);
        const mask = stubPrediction(
          sim.truth,
          quality,
          `${run.arch}:${run.encoder}:${run.fold ?? "all"}:${run.roundId}`,
          sim.name,
        );
        const probKey = key("projects", projectId, "runs", run.id, "prob", `${img.id}.png`);
        await store().put(probKey, encodeMaskPng(mask, img.width, img.height), { contentType: "image/png" });
        await registerPrediction(run, img, mask, probKey);
      }
      if (run.roundId) await maybeOpenVoting(run.roundId, job.id);
      await completeJob(job.id, workerId, { predicted: ids.length - done.size });
    }
  }
}

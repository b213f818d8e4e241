import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { encodeMaskPng } from "../../lib/masks/png-codec";
import { claimNextTask, submitTask } from "../../lib/drawing/mutations";
import { acceptGroundTruth } from "../../lib/protocol/mutations";
import { proposeForTask, smartToolSummary } from "../../lib/assist/queries";
import { requestInteractiveTraining, setInteractiveRetrain } from "../../lib/assist/mutations";
import { parseProvenanceHeader } from "../../lib/assist/provenance";
import { interactiveTrainHandler } from "../../workers/handlers/interactive-train";
import { makeDrawingProject } from "../setup/drawing";
import { blobMask } from "../setup/seed-accepted";

const W = 96;
const H = 96;

function ctx(payload: { projectId: string; acceptedMasks: number }) {
  return { jobId: "test", attempt: 1, payload, signal: new AbortController().signal, progress: async () => undefined };
}

describe("assist: the click model retrains after every N accepted masks", () => {
  it("queues one job per N accepts, trains the next version, and drawings record the version used", async () => {
    process.env.INTERACTIVE_TRAIN_EPOCHS = "2";
    process.env.INTERACTIVE_TRAIN_SIZE = "64";
    const fx = await makeDrawingProject({ images: 6, width: W, height: H });
    await setInteractiveRetrain(fx.lead.actor, fx.project.id, { every: 2 });
    await expect(setInteractiveRetrain(fx.md.actor, fx.project.id, { every: 3 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const jobs = () =>
      db().job.findMany({
        where: { projectId: fx.project.id, name: "interactive_train" },
        orderBy: { createdAt: "asc" },
      });

    const accepted: string[] = [];
    const drawAndAccept = async (i: number) => {
      const task = (await claimNextTask(fx.md.actor, fx.project.id))!;
      const r = await submitTask(fx.md.actor, task.id, encodeMaskPng(blobMask(W, H, i), W, H), {
        elapsedMs: 1000,
        idempotencyKey: `retrain-${i}-xx`,
      });
      await db().$transaction((tx) =>
        acceptGroundTruth(tx, {
          projectId: fx.project.id,
          imageId: task.image.id,
          maskId: r.maskId,
          roundId: fx.roundId,
          stage: "STAGE_I",
          decision: "CONSENSUS",
          sourceKind: "MANUAL",
        }),
      );
      accepted.push(r.maskId);
    };

    await drawAndAccept(0);
    expect(await jobs()).toHaveLength(0);
    await drawAndAccept(1);
    const [first] = await jobs();
    expect(first.payload).toEqual({ projectId: fx.project.id, acceptedMasks: 2 });

    const result = (await interactiveTrainHandler(ctx(first.payload as never))) as {
      version: number;
      trainedOnMasks: number;
    };
    expect(result).toEqual({ version: 1, trainedOnMasks: 2 });
    const model = await db().interactiveModel.findFirstOrThrow({ where: { projectId: fx.project.id } });
    expect(model).toMatchObject({ version: 1, trainedOnMasks: 2 });
    expect((model.meta as { size: number }).size).toBe(64);
    // A retried job does not train twice.
    expect(await interactiveTrainHandler(ctx(first.payload as never))).toEqual({ skipped: true });

    await drawAndAccept(2);
    expect(await jobs()).toHaveLength(1);
    await drawAndAccept(3);
    const all = await jobs();
    expect(all).toHaveLength(2);
    expect(all[1].payload).toEqual({ projectId: fx.project.id, acceptedMasks: 4 });

    // The fifth image is drawn with the Smart tool on the trained model; its mask records version 1.
    const task = (await claimNextTask(fx.md.actor, fx.project.id))!;
    const p = await proposeForTask(fx.md.actor, task.id, { clicks: [{ x: 30, y: 40, positive: true }] });
    expect(p.modelVersion).toBe(1);
    const provenance = parseProvenanceHeader(
      JSON.stringify({
        toolMs: { smart: 3000 },
        smartClicks: 1,
        smartAccepts: 1,
        interactiveModelVersion: p.modelVersion,
      }),
    );
    const r = await submitTask(fx.md.actor, task.id, Buffer.from(p.mask, "base64"), {
      elapsedMs: 3000,
      idempotencyKey: "retrain-smart-1",
      provenance,
    });
    const mask = await db().mask.findUniqueOrThrow({ where: { id: r.maskId } });
    expect((mask.provenance as { interactiveModelVersion: number }).interactiveModelVersion).toBe(1);

    const second = (await interactiveTrainHandler(ctx(all[1].payload as never))) as {
      version: number;
      trainedOnMasks: number;
    };
    expect(second).toEqual({ version: 2, trainedOnMasks: 4 });

    // The next drawing gets the new version, and its mask's provenance records it.
    const next = (await claimNextTask(fx.md.actor, fx.project.id))!;
    const p1 = await proposeForTask(fx.md.actor, next.id, { clicks: [{ x: 50, y: 50, positive: true }] });
    expect(p1.modelVersion).toBe(2);
    const p2 = await proposeForTask(fx.md.actor, next.id, {
      clicks: [
        { x: 50, y: 50, positive: true },
        { x: 10, y: 10, positive: false },
      ],
      current: p1.mask,
    });
    const r2 = await submitTask(fx.md.actor, next.id, Buffer.from(p2.mask, "base64"), {
      elapsedMs: 2000,
      idempotencyKey: "retrain-smart-2",
      provenance: parseProvenanceHeader(
        JSON.stringify({
          toolMs: { smart: 2000 },
          smartClicks: 2,
          smartAccepts: 1,
          interactiveModelVersion: p2.modelVersion,
        }),
      ),
    });
    const mask2 = await db().mask.findUniqueOrThrow({ where: { id: r2.maskId } });
    expect((mask2.provenance as { interactiveModelVersion: number }).interactiveModelVersion).toBe(2);

    // The dashboard's panel: both versions, and which drawn masks used which.
    const summary = await smartToolSummary(fx.lead.actor, fx.project.id);
    expect(summary).toMatchObject({ retrainEvery: 2, acceptedMasks: 4, drawnMasks: 6 });
    expect(summary.models.map((m) => [m.version, m.trainedOnMasks])).toEqual([
      [2, 4],
      [1, 2],
    ]);
    expect(summary.smartMasks).toEqual([
      { version: 1, masks: 1, clicks: 1 },
      { version: 2, masks: 1, clicks: 2 },
    ]);
    await expect(smartToolSummary(fx.md.actor, fx.project.id)).rejects.toMatchObject({ code: "FORBIDDEN" });

    // The lead's button queues a training on every accepted mask, once per mask count.
    const asked = await requestInteractiveTraining(fx.lead.actor, fx.project.id);
    expect(asked).toMatchObject({ acceptedMasks: 4, queued: true });
    expect((await requestInteractiveTraining(fx.lead.actor, fx.project.id)).queued).toBe(false);
    await expect(requestInteractiveTraining(fx.md.actor, fx.project.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await smartToolSummary(fx.lead.actor, fx.project.id)).pendingJob).toMatchObject({
      id: asked.jobId,
      status: "QUEUED",
      acceptedMasks: 4,
    });
  }, 600_000);
});

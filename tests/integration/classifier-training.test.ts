import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { isAppError } from "../../lib/errors/app-error";
import {
  selectStage1Subset,
  startClassifierTraining,
  startStage1,
  startStage1Training,
} from "../../lib/protocol/mutations";
import { predictHandler } from "../../workers/handlers/predict";
import { drawAllManual } from "../setup/protocol";
import { completeRunsWithTinyModel, tinyModel, TINY_SIZE } from "../setup/tiny-model";
import { classifierTrainingReport, combinedProjectReport } from "../../lib/ml/reports";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests } from "../../lib/storage/store";
import { trainHandler } from "../../workers/handlers/train";
import { makeProject } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";

// A classifier trained from the app: refused without both classes or with too few images per
// fold; otherwise one train job per fold through the real trainer, stored as classifier runs
// outside every round (no masks, no candidates, no predict jobs), reported out-of-fold.

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isAppError(e) && e.code === "BAD_REQUEST").toBe(true);
  return (e as Error).message;
}

const job = (runId: string) => ({
  jobId: `cls-${runId}`,
  attempt: 1,
  payload: { runId },
  signal: new AbortController().signal,
  progress: async () => {},
});

beforeAll(() => {
  setStoreForTests(new LocalStore(mkdtempSync(path.join(os.tmpdir(), "tandem-cls-train-"))));
});

describe("refusals before training", () => {
  it("names the missing class", async () => {
    const fx = await makeProject({ folds: 2 });
    await addTestImages(fx.project.id, 6, () => ({ label: "COVID" }));
    const message = await refusal(
      startClassifierTraining(fx.lead.actor, fx.project.id, { arch: "squeezenet1_1", preset: "cls-cpu-small" }),
    );
    expect(message).toContain("6 image(s) labelled COVID-19 and 0 labelled control");
    expect(message).toContain("no control images");
    expect(await db().modelRun.count({ where: { projectId: fx.project.id } })).toBe(0);
  });

  it("names the fold with too few images of a class", async () => {
    const fx = await makeProject({ folds: 3 });
    await addTestImages(fx.project.id, 6, (i) => ({ label: i < 4 ? "COVID" : "CONTROL" }));
    const message = await refusal(
      startClassifierTraining(fx.lead.actor, fx.project.id, { arch: "resnet18", preset: "cls-cpu-small" }),
    );
    expect(message).toMatch(/^Too few images per fold: with 3 folds, fold \d holds \d COVID-19 and \d control images/);
    expect(message).toContain("4 COVID-19 and 2 control images are labelled");
    expect(await db().modelRun.count({ where: { projectId: fx.project.id } })).toBe(0);
  });

  it("refuses a name that is not a classifier, and an MD", async () => {
    const fx = await makeProject({ folds: 2 });
    await expect(
      startClassifierTraining(fx.lead.actor, fx.project.id, { arch: "unet", preset: "cls-cpu-small" }),
    ).rejects.toThrow(/arch/);
    await expect(
      startClassifierTraining(fx.md.actor, fx.project.id, { arch: "resnet18", preset: "cls-cpu-small" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("a classifier trained by the train job", () => {
  it("trains every fold with the real trainer and reports out-of-fold, never as a candidate", async () => {
    const fx = await makeProject({ folds: 2 });
    const p = fx.project.id;
    await addTestImages(p, 12, (i) => ({ label: i % 2 ? "CONTROL" : "COVID", patientPseudonym: `P${i}` }));
    const { runIds, group } = await startClassifierTraining(fx.lead.actor, p, {
      arch: "squeezenet1_1",
      preset: "cls-cpu-small",
      epochs: 1,
      size: 32,
    });
    expect(runIds).toHaveLength(2);
    const jobs = await db().job.findMany({ where: { projectId: p, name: "train" } });
    expect(jobs).toHaveLength(2);
    for (const runId of runIds) await trainHandler(job(runId));
    const runs = await db().modelRun.findMany({ where: { id: { in: runIds } }, orderBy: { fold: "asc" } });
    for (const r of runs) {
      expect(r.status).toBe("SUCCEEDED");
      expect(r.roundId).toBeNull();
      expect((r.metrics as { task: string }).task).toBe("classify");
      expect((r.metrics as { spec: { size: number; epochs: number } }).spec).toMatchObject({ size: 32, epochs: 1 });
      expect((r.config as { group: string }).group).toBe(group);
      // Every held-out image scored, none it trained on.
      const held = (r.metrics as { val_per_image: { id: string }[] }).val_per_image.map((v) => v.id).sort();
      const heldOut = (await db().modelRunImage.findMany({ where: { runId: r.id, trained: false } }))
        .map((x) => x.imageId)
        .sort();
      expect(held).toEqual(heldOut);
    }
    expect(await db().job.count({ where: { projectId: p, name: "predict" } })).toBe(0);
    expect(await db().mask.count({ where: { projectId: p } })).toBe(0);
    const imageIds = (await db().image.findMany({ where: { projectId: p }, select: { id: true } })).map((i) => i.id);
    expect(await db().candidate.count({ where: { imageId: { in: imageIds } } })).toBe(0);

    const report = await classifierTrainingReport(fx.lead.actor, runIds[0]);
    expect(report?.complete).toBe(true);
    expect(report?.evaluation?.n).toBe(12);
    expect(report?.evaluation?.table.map((t) => t.threshold)).toContain(0.5);
    expect(report?.examples.length).toBeGreaterThan(0);
    for (const e of report!.examples) {
      expect(e.camSrc).toMatch(/^data:image\/png;base64,/);
      expect(e.occlusionSrc).toMatch(/^data:image\/png;base64,/);
      expect(e.cam).toBeNull(); // no accepted masks in this project
    }

    const combined = await combinedProjectReport(fx.lead.actor, p);
    expect(combined.comparison?.images).toBe(12);
    expect(combined.comparison?.rows.map((r) => r.kind)).toEqual(["classifier"]);
    expect(combined.comparison?.rows[0].rocAuc?.value).toBeGreaterThanOrEqual(0);
  }, 600_000);
});

describe("the combined report", () => {
  it("compares only on images every method scored, and says why when those lack a class", async () => {
    const model = await tinyModel();
    const fx = await makeProject({
      folds: 2,
      stage1Archs: [{ arch: "unet", encoder: "tiny" }],
      trainConfig: { size: TINY_SIZE },
    });
    const p = fx.project.id;
    await addTestImages(p, 8, (i) => ({ label: i % 2 ? "CONTROL" : "COVID", patientPseudonym: `S${i}` }), 80);
    await selectStage1Subset(fx.lead.actor, p, { size: 8 });
    await startStage1(fx.lead.actor, p);
    await drawAllManual(p, fx.md.id);
    const seg = await startStage1Training(fx.lead.actor, p);
    await completeRunsWithTinyModel(p, seg.runIds, model);
    for (const runId of seg.runIds) await predictHandler({ ...job(runId), payload: { runId, chunk: 0, chunks: 1 } });
    const { runIds } = await startClassifierTraining(fx.lead.actor, p, {
      arch: "squeezenet1_1",
      preset: "cls-cpu-small",
      epochs: 1,
      size: 32,
    });
    for (const runId of runIds) await trainHandler(job(runId));

    // Stage I holds only COVID-19 images: on the images both scored there is no control, and
    // the page says so instead of a one-class table.
    const report = await combinedProjectReport(fx.lead.actor, p);
    expect(report.comparison).toBeNull();
    const heldOut = await db().mask.count({ where: { projectId: p, kind: "MACHINE" } });
    expect(heldOut).toBe(4);
    expect(report.reason).toBe(`evaluation needs COVID-19 and control images; got ${heldOut} COVID-19 and 0 control`);
    expect(report.agreement.map((a) => a.name)).toEqual([expect.stringMatching(/^squeezenet1_1 classifier/)]);
  }, 600_000);
});

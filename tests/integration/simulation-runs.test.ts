import { describe, expect, it } from "vitest";
import { syntheticImages } from "../../cli/simulation/sources";
import { runSimulation } from "../../cli/simulation/run-simulation";
import { saveSimulationRun, saveSweepRun } from "../../lib/simulate/mutations";
import { getSimulationRun, listSimulationRuns, projectSimulationRun } from "../../lib/simulate/queries";
import type { SimulationReport } from "../../lib/simulate/types";
import { DEFAULT_PANEL } from "../../lib/simulate/reader-profile";
import { makeProject, makeUser } from "../setup/fixtures";
import { iv, stubSweepCell } from "../setup/simulation-reports";
import { smallSimulation } from "../setup/simulation-options";

function report(projectId: string, diceDiff: number): SimulationReport {
  return {
    projectId,
    models: "stub models, quality 0.9",
    images: 12,
    covidImages: 10,
    readers: 4,
    rounds: 2,
    complete: true,
    interReaderDice: 0.71,
    dice: { protocol: 0.8, manual: 0.8 - diceDiff, diff: iv(diceDiff) },
    pixelF1: { protocol: 0.81, manual: 0.8, diff: iv(0.01) },
    mdSecondsPerMask: { protocol: 90, manual: 120, diff: iv(-30, 5), ratio: iv(0.75, 0.05) },
    riskyMachineShare: { ...iv(0.1), machineAccepted: 6, risky: 1 },
    stage1MachinePreferred: { ...iv(0.6), votes: 5 },
    stage2Rejection: { estimate: Number.NaN, lo: Number.NaN, hi: Number.NaN, votes: 0 },
    acceptedBySource: { MACHINE: 6, MANUAL: 4 },
    mdSeconds: { draw: 600, edit: 120, vote: 200, confirm: 0, manualArm: 1200 },
    redraws: { fromScratch: 1, fromCandidate: 2 },
    votesOnOwnDrawing: 0,
    elapsedS: 12,
  };
}

describe("stored simulation runs", () => {
  it("a run's report is stored and read back by the project's lead and admins only", async () => {
    const { project, admin, lead, md } = await makeProject();
    const stranger = await makeUser();
    const id = await saveSimulationRun({
      options: { images: 12, models: "stub models, quality 0.9", readers: ["MD 1", "MD 2"] },
      report: report(project.id, 0.02),
    });

    const seen = await getSimulationRun(lead.actor, id);
    expect(seen.kind).toBe("SINGLE");
    expect(seen.project?.slug).toBe(project.slug);
    expect(seen.report?.dice.diff.estimate).toBeCloseTo(0.02, 10);
    expect(seen.report?.mdSecondsPerMask.ratio).toEqual(iv(0.75, 0.05));
    // "No data" (NaN) survives the JSON column.
    expect(Number.isNaN(seen.report!.stage2Rejection.estimate)).toBe(true);
    expect(seen.options.readers).toEqual(["MD 1", "MD 2"]);
    expect((await getSimulationRun(admin.actor, id)).id).toBe(id);
    expect(await projectSimulationRun(lead.actor, project.id)).toEqual({ id, sweepId: null });

    await expect(getSimulationRun(md.actor, id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(getSimulationRun(stranger.actor, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getSimulationRun(lead.actor, "not-a-uuid")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(projectSimulationRun(md.actor, project.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await listSimulationRuns(lead.actor)).map((r) => r.id)).toContain(id);
    expect((await listSimulationRuns(md.actor)).map((r) => r.id)).not.toContain(id);
    expect((await listSimulationRuns(stranger.actor)).map((r) => r.id)).not.toContain(id);
  }, 300_000);

  it("a sweep links its cells' runs and opens only for a lead of every cell's project", async () => {
    const a = await makeProject();
    const b = await makeProject();
    const ids = [
      await saveSimulationRun({ options: {}, report: report(a.project.id, -0.03) }),
      await saveSimulationRun({ options: {}, report: report(b.project.id, 0.01) }),
    ];
    const cells = [stubSweepCell(a.project.id, 1, 0.3, 1.1, -0.03), stubSweepCell(b.project.id, 1, 0.9, 0.7, 0.01)];
    const sweepId = await saveSweepRun({
      options: { readerErrorFactors: [1], modelLevels: ["stub q=0.3", "stub q=0.9"] },
      cells,
    });

    // Only a's lead so far: a's cell opens, the sweep does not.
    await expect(getSimulationRun(a.lead.actor, sweepId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getSimulationRun(b.md.actor, sweepId)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listSimulationRuns(a.lead.actor)).map((r) => r.id)).not.toContain(sweepId);
    const { addMember } = await import("../../lib/projects/mutations");
    await addMember(b.admin.actor, b.project.id, { email: a.lead.email, roles: ["LEAD"] });

    const sweep = await getSimulationRun(a.lead.actor, sweepId);
    expect(sweep.kind).toBe("SWEEP");
    expect(sweep.cells?.map((c) => [c.model, c.timeRatio.estimate, c.projectId])).toEqual([
      ["stub q=0.3", 1.1, a.project.id],
      ["stub q=0.9", 0.7, b.project.id],
    ]);
    expect(new Set(sweep.cellRuns.map((c) => c.id))).toEqual(new Set(ids));
    expect((await getSimulationRun(a.lead.actor, ids[1])).sweepId).toBe(sweepId);
    expect((await listSimulationRuns(a.lead.actor)).find((r) => r.id === sweepId)).toMatchObject({
      kind: "SWEEP",
      cells: 2,
    });
    expect((await getSimulationRun(a.admin.actor, sweepId)).id).toBe(sweepId);
    // An MD of one cell's project, though lead of the other, is refused.
    await addMember(a.admin.actor, a.project.id, { email: b.lead.email, roles: ["MD"] });
    await expect(getSimulationRun(b.lead.actor, sweepId)).rejects.toMatchObject({ code: "FORBIDDEN" });
  }, 300_000);

  it("runSimulation stores its report at the end, readable by a lead it was asked to add", async () => {
    const watcher = await makeUser();
    const images = await syntheticImages({ count: 8, covidFraction: 0.75, width: 64, seed: 5 });
    const r = await runSimulation(
      smallSimulation(images, {
        train: { size: 32, epochs: 1, batchSize: 4, lr: 3e-3, width: 8 },
        bootstrapReps: 100,
        leadEmails: [watcher.email],
      }),
    );
    const stored = await getSimulationRun(watcher.actor, r.runId);
    expect(stored.project?.id).toBe(r.projectId);
    expect(stored.report?.dice.protocol).toBe(r.dice.protocol);
    expect(stored.report?.mdSecondsPerMask.ratio.estimate).toBe(r.mdSecondsPerMask.ratio.estimate);
    expect(stored.options).toMatchObject({
      images: 8,
      s1Size: 4,
      models: "stub models, quality 1",
      readers: DEFAULT_PANEL.map((p) => p.name),
    });
  }, 600_000);
});

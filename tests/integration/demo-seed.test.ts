import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { seedDemoProject } from "../../lib/demo/seed-project";
import { makeProject } from "../setup/fixtures";

describe("a demo project's seeding", () => {
  it("draws exactly the Stage-I subset it is given through the drawing workflow", async () => {
    const { project, lead, md } = await makeProject({ folds: 2 });
    await seedDemoProject({
      projectId: project.id,
      lead: lead.actor,
      mds: [md.actor],
      seed: 7,
      images: 7,
      controls: 2,
      stage1Size: 6,
      leaveUndrawn: 0,
      startTraining: false,
      width: 64,
    });
    const images = await db().image.findMany({ where: { projectId: project.id }, select: { id: true, inS1: true } });
    expect(images).toHaveLength(9);
    const subset = images.filter((i) => i.inS1).map((i) => i.id);
    expect(subset).toHaveLength(6);
    const drawn = await db().mask.findMany({
      where: { imageId: { in: images.map((i) => i.id) }, kind: "MANUAL" },
      select: { imageId: true },
    });
    expect(drawn.map((m) => m.imageId).sort()).toEqual(subset.sort());
    const settings = await db().project.findUniqueOrThrow({ where: { id: project.id }, select: { s1Size: true } });
    expect(settings.s1Size).toBe(6);
  });
});

import { db } from "../../lib/db/client";
import { addMember } from "../../lib/projects/mutations";
import { selectStage1Subset, startStage1 } from "../../lib/protocol/mutations";
import { makeProject, makeUser } from "./fixtures";
import { makeImage } from "./images";

/**
 * A project in Stage I with `images` COVID images, each with an open MANUAL drawing task,
 * and `mds` MDs (the fixture's MD first).
 */
export async function makeDrawingProject(
  opts: { images?: number; mds?: number; width?: number; height?: number; settings?: Record<string, unknown> } = {},
) {
  const fx = await makeProject(opts.settings ?? {});
  const mds = [fx.md];
  for (let i = 1; i < (opts.mds ?? 1); i++) {
    const u = await makeUser();
    await addMember(fx.admin.actor, fx.project.id, { email: u.email, roles: ["MD"] });
    mds.push(u);
  }
  const images = [];
  for (let i = 0; i < (opts.images ?? 1); i++)
    images.push(await makeImage(fx.project.id, { width: opts.width, height: opts.height }));
  await selectStage1Subset(fx.lead.actor, fx.project.id, { size: images.length, seed: 1 });
  const { roundId } = await startStage1(fx.lead.actor, fx.project.id);
  const tasks = await db().task.findMany({ where: { projectId: fx.project.id }, orderBy: { createdAt: "asc" } });
  return { ...fx, mds, images, roundId, tasks };
}

import { decodeImage } from "../images/decode-image";
import { storeImage } from "../images/mutations";
import { encodePng } from "../simulate/png";
import { generateCxr } from "../simulate/synthetic-cxr";
import { simulateDrawing } from "../simulate/simulated-md";
import { encodeMaskPng } from "../masks/png-codec";
import { selectStage1Subset, startStage1, startStage1Training } from "../protocol/mutations";
import { claimNextTask, submitTask } from "../drawing/mutations";
import type { Actor } from "../auth/types";
import { countOpen } from "./queries";
import { releaseClaims } from "./mutations";

const sources = ["hospital-a", "hospital-b", "public-c"];

/**
 * Fills a project with synthetic CXRs through the real ingest path, starts Stage I, and has
 * simulated MDs draw the subset's manual masks through the real drawing workflow.
 */
export async function seedDemoProject(o: {
  projectId: string;
  lead: Actor;
  mds: Actor[];
  seed: number;
  images: number;
  controls: number;
  /** The Stage-I subset: the images MDs draw by hand, and on which Stage I's folds train. */
  stage1Size: number;
  leaveUndrawn: number;
  startTraining: boolean;
  width?: number;
  log?: (m: string) => void;
}) {
  const width = o.width ?? 256;
  const key = process.env.PSEUDONYM_KEY!;
  const truths = new Map<string, Uint8Array>();
  const total = o.images + o.controls;
  for (let i = 0; i < total; i++) {
    const label = i < o.images ? "covid" : "control";
    const patient = `demo-${o.seed}-${Math.floor(i / 2)}`;
    const cxr = generateCxr({ seed: o.seed * 100_000 + i, width, label, patientId: patient });
    const png = await encodePng(cxr.pixels, cxr.width, cxr.height);
    const decoded = await decodeImage(png, { pseudonymKey: key, fileName: `synthetic-${i}.png` });
    const stored = await storeImage(o.projectId, decoded, {
      originalName: `synthetic-${String(i).padStart(4, "0")}.png`,
      label: label === "covid" ? "COVID" : "CONTROL",
      patientPseudonym: patient,
      sourceDataset: sources[i % sources.length],
      view: "PA",
    });
    truths.set(stored.id, cxr.mask);
  }
  o.log?.(`imported ${total} synthetic images`);
  await selectStage1Subset(o.lead, o.projectId, { size: o.stage1Size, seed: o.seed });
  await startStage1(o.lead, o.projectId);
  let drawn = 0;
  for (;;) {
    const md = o.mds[drawn % o.mds.length];
    const task = await claimNextTask(md, o.projectId, { kinds: ["MANUAL"] });
    if (!task) break;
    const remaining = await countOpen(o.projectId);
    if (remaining <= o.leaveUndrawn) break;
    const truth = truths.get(task.image.id)!;
    const mask = simulateDrawing(
      truth,
      task.image.width,
      task.image.height,
      { seed: drawn + 1, bias: 0.2, jitter: 0.6, missRate: 0.15 },
      { imageKey: task.image.id },
    );
    await submitTask(md, task.id, encodeMaskPng(mask, task.image.width, task.image.height), {
      elapsedMs: 45_000 + ((drawn * 7919) % 60_000),
      idempotencyKey: `seed-${task.id}`,
    });
    drawn++;
  }
  await releaseClaims(o.projectId);
  o.log?.(`simulated MDs drew ${drawn} manual masks`);
  if (o.startTraining) await startStage1Training(o.lead, o.projectId);
}

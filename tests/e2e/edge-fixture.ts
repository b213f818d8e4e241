import { readdirSync, readFileSync, statSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launch } from "./helpers";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { db } from "../../lib/db/client";
import { selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { nextBallot } from "../../lib/voting/mutations";
import { claimNextTask } from "../../lib/drawing/mutations";
import { createImportBatch } from "../../lib/imports/mutations";
import { makeProject } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { drawAllManual, fakeTrainAndPredict } from "../setup/protocol";

// What the edge tests walk: every route, verb, page and server action found under app/, so a
// new one is covered without editing a list.

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const urlOf = (dir: string) =>
  "/" +
  path
    .relative("app", dir)
    .split(path.sep)
    .filter((s) => !s.startsWith("("))
    .join("/");

export const MUTATING = ["POST", "PUT", "PATCH", "DELETE"] as const;

/** [route pattern, verb] for every exported handler of every app/**\/route.ts. */
export function routeHandlers(): { route: string; verb: string }[] {
  const out: { route: string; verb: string }[] = [];
  for (const f of walk("app").filter((f) => path.basename(f) === "route.ts")) {
    const src = readFileSync(f, "utf8");
    const verbs = new Set([...src.matchAll(/export const (GET|HEAD|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]));
    for (const m of src.matchAll(/export \{([^}]*)\}/g))
      for (const v of m[1].matchAll(/\bas (GET|HEAD|POST|PUT|PATCH|DELETE)\b/g)) verbs.add(v[1]);
    for (const verb of verbs) out.push({ route: urlOf(path.dirname(f)), verb });
  }
  return out.sort((a, b) => (a.route + a.verb).localeCompare(b.route + b.verb));
}

/** Every page pattern (app/**\/page.tsx). */
export function pages(): string[] {
  return walk("app")
    .filter((f) => path.basename(f) === "page.tsx")
    .map((f) => urlOf(path.dirname(f)))
    .map((u) => (u === "/." ? "/" : u))
    .sort();
}

/** The page each "use server" module belongs to (its folder), where its actions are posted. */
export function serverActionPages(): string[] {
  return walk("app")
    .filter((f) => /\.(ts|tsx)$/.test(f) && /^\s*["']use server["']/.test(readFileSync(f, "utf8")))
    .map((f) => urlOf(path.dirname(f)))
    .sort();
}

export type EdgeWorld = Awaited<ReturnType<typeof buildEdgeWorld>>;

/**
 * A project in voting: 4 COVID images (patients `<prefix>0`…) drawn by its MD, Stage I trained (stubbed),
 * and a ballot served to the MD. `ids` names its rows for the routes' [params].
 */
export async function projectInVoting(prefix: string, size?: number) {
  const v = await makeProject({ folds: 2, stage1Archs: [{ arch: "unet", encoder: "tiny" }] });
  const projectId = v.project.id;
  const imgs = await addTestImages(projectId, 4, (i) => ({ label: "COVID", patientPseudonym: `${prefix}${i}` }), size);
  await selectStage1Subset(v.lead.actor, projectId, { size: 4 });
  await startStage1(v.lead.actor, projectId);
  const task = await db().task.findFirstOrThrow({ where: { projectId } });
  await drawAllManual(projectId, v.md.id);
  const { roundId } = await startStage1Training(v.lead.actor, projectId);
  await fakeTrainAndPredict(roundId);
  const ballot = await nextBallot(v.md.actor, projectId);
  const ids: Record<string, string> = {
    projectId,
    imageId: imgs[0],
    taskId: task.id,
    ballotId: ballot!.ballotId,
    position: "1",
    variant: "working",
    slug: v.project.slug,
  };
  return { v, roundId, ids };
}

/** A project in voting (a ballot for its MD), a second one in drawing (an open task for its MD). */
export async function buildEdgeWorld() {
  const { v, roundId, ids: votingIds } = await projectInVoting("E", 96);
  const projectId = v.project.id;
  const run = await db().modelRun.findFirstOrThrow({ where: { roundId } });
  // An import in progress (its files are being uploaded): an upload refused for its size
  // then changes nothing, not even the batch's QUEUED → RUNNING mark.
  const batch = await createImportBatch(v.lead.actor, projectId, {});
  await db().importBatch.update({ where: { id: batch.id }, data: { status: "RUNNING" } });

  const d = await makeProject({ folds: 2, stage1Archs: [{ arch: "unet", encoder: "tiny" }] });
  await addTestImages(d.project.id, 2, (i) => ({ label: "COVID", patientPseudonym: `D${i}` }), 96);
  await selectStage1Subset(d.lead.actor, d.project.id, { size: 2 });
  await startStage1(d.lead.actor, d.project.id);
  const open = await claimNextTask(d.md.actor, d.project.id, {});

  const ids: Record<string, string> = {
    ...votingIds,
    runId: run.id,
    batchId: batch.id,
    stage: "stage-1",
    "...nextauth": "callback/credentials",
  };
  const fill = (pattern: string, over: Record<string, string> = {}) =>
    pattern.replace(/\[([^\]]+)\]/g, (_m, name: string) => over[name] ?? ids[name] ?? randomUUID());
  return { voting: v, drawing: d, openTaskId: open?.id, ids, fill };
}

/**
 * For a browser test file: the edge world and a Chromium, made before its tests and the browser
 * closed after them. Read `browser` and `world` inside tests (they are set once the file starts).
 */
export function edgeBrowser(timeoutMs: number): { browser: Browser; world: EdgeWorld } {
  const env = {} as { browser: Browser; world: EdgeWorld };
  beforeAll(async () => {
    env.world = await buildEdgeWorld();
    env.browser = await launch();
  }, timeoutMs);
  afterAll(async () => env.browser?.close());
  return env;
}

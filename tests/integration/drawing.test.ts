import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { encodeMaskPng, decodeMaskPng } from "../../lib/masks/png-codec";
import { addMember } from "../../lib/projects/mutations";
import { reopenRedraw } from "../../lib/protocol/mutations";
import { createMask } from "../../lib/masks/mutations";
import { claimNextTask, confirmTask, saveDraft, skipTask, submitTask } from "../../lib/drawing/mutations";
import { getDraftPng, getStartMaskPng, getTaskForActor } from "../../lib/drawing/queries";
import { makeUser } from "../setup/fixtures";
import { makeDrawingProject } from "../setup/drawing";

/** A mask with a filled rectangle, as the canvas would send it. */
function rectPng(w: number, h: number, r: { x: number; y: number; w: number; h: number }) {
  const m = new Uint8Array(w * h);
  for (let y = r.y; y < r.y + r.h; y++) m.fill(1, y * w + r.x, y * w + r.x + r.w);
  return { png: encodeMaskPng(m, w, h), area: r.w * r.h };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e) => (e instanceof ZodError ? "BAD_REQUEST" : (e.code ?? String(e))),
  );

describe("drawing: task queue", () => {
  it("10 parallel claims by 3 MDs on 5 tasks never give one task to two MDs", async () => {
    const fx = await makeDrawingProject({ images: 5, mds: 3 });
    const calls = Array.from({ length: 10 }, (_, i) => fx.mds[i % 3]);
    const got = await Promise.all(calls.map((md) => claimNextTask(md.actor, fx.project.id)));
    const byTask = new Map<string, Set<string>>();
    got.forEach((t, i) => {
      expect(t).not.toBeNull();
      const s = byTask.get(t!.id) ?? new Set();
      s.add(calls[i].id);
      byTask.set(t!.id, s);
    });
    for (const holders of byTask.values()) expect(holders.size).toBe(1);
    // Each MD holds exactly one task however many times they asked.
    expect(byTask.size).toBe(3);
    const rows = await db().task.findMany({ where: { projectId: fx.project.id } });
    expect(
      rows
        .filter((r) => r.status === "CLAIMED")
        .map((r) => r.assigneeId)
        .sort(),
    ).toEqual(fx.mds.map((m) => m.id).sort());
    expect(rows.filter((r) => r.status === "OPEN")).toHaveLength(2);
  });

  it("gives an MD their own unfinished task back, then a new one after submitting", async () => {
    const fx = await makeDrawingProject({ images: 2 });
    const a = await claimNextTask(fx.md.actor, fx.project.id);
    const again = await claimNextTask(fx.md.actor, fx.project.id);
    expect(again!.id).toBe(a!.id);
    const { png } = rectPng(a!.image.width, a!.image.height, { x: 10, y: 10, w: 20, h: 20 });
    await submitTask(fx.md.actor, a!.id, png, { elapsedMs: 1000, idempotencyKey: "submit-own-1" });
    const next = await claimNextTask(fx.md.actor, fx.project.id);
    expect(next!.id).not.toBe(a!.id);
    await submitTask(fx.md.actor, next!.id, png, { elapsedMs: 1000, idempotencyKey: "submit-own-2" });
    expect(await claimNextTask(fx.md.actor, fx.project.id)).toBeNull();
  });

  it("a stale claim is taken over with its draft; the old holder can no longer save", async () => {
    const fx = await makeDrawingProject({ images: 1, mds: 2 });
    const [md1, md2] = fx.mds;
    const t = (await claimNextTask(md1.actor, fx.project.id))!;
    const { png } = rectPng(t.image.width, t.image.height, { x: 5, y: 5, w: 30, h: 30 });
    await saveDraft(md1.actor, t.id, png, { baseVersion: 0, elapsedMs: 5000 });
    expect(await claimNextTask(md2.actor, fx.project.id)).toBeNull();
    const past = new Date(Date.now() - 3 * 3600_000);
    await db().task.update({ where: { id: t.id }, data: { claimedAt: past } });
    await db().draft.update({ where: { taskId: t.id }, data: { updatedAt: past } });
    const taken = (await claimNextTask(md2.actor, fx.project.id))!;
    expect(taken.id).toBe(t.id);
    expect(taken.draft).toMatchObject({ version: 2, elapsedMs: 5000, hasMask: true });
    expect((await decodeMaskPng((await getDraftPng(md2.actor, t.id)).png)).mask.reduce((a, b) => a + b, 0)).toBe(900);
    await expect(code(saveDraft(md1.actor, t.id, png, { baseVersion: 1, elapsedMs: 6000 }))).resolves.toBe("FORBIDDEN");
  });

  it("skip records the reason; the skipper is not offered the task again, another MD is", async () => {
    const fx = await makeDrawingProject({ images: 1, mds: 2 });
    const [md1, md2] = fx.mds;
    const t = (await claimNextTask(md1.actor, fx.project.id))!;
    await expect(code(skipTask(md1.actor, t.id, { reason: "" }))).resolves.toBe("BAD_REQUEST");
    await expect(code(skipTask(md2.actor, t.id, { reason: "not mine" }))).resolves.toBe("FORBIDDEN");
    await skipTask(md1.actor, t.id, { reason: "Image is rotated and cropped" });
    const row = await db().task.findUniqueOrThrow({ where: { id: t.id } });
    expect(row).toMatchObject({ status: "SKIPPED", skipReason: "Image is rotated and cropped" });
    expect(await claimNextTask(md1.actor, fx.project.id)).toBeNull();
    expect((await claimNextTask(md2.actor, fx.project.id))!.id).toBe(t.id);
    const audit = await db().auditLog.findMany({ where: { objectType: "Task", objectId: t.id, action: "task.skip" } });
    expect(audit).toHaveLength(1);
  });
});

describe("drawing: drafts", () => {
  it("optimistic locking: a stale save gets CONFLICT and the stored draft is untouched", async () => {
    const fx = await makeDrawingProject({ images: 1 });
    const t = (await claimNextTask(fx.md.actor, fx.project.id))!;
    const { width, height } = t.image;
    const first = rectPng(width, height, { x: 0, y: 0, w: 40, h: 40 });
    const second = rectPng(width, height, { x: 100, y: 100, w: 10, h: 10 });
    await expect(
      saveDraft(fx.md.actor, t.id, first.png, { baseVersion: 0, elapsedMs: 100, idempotencyKey: "draft-key-1" }),
    ).resolves.toEqual({ version: 1, replayed: false });
    // The same request again (its response was lost): the version it made, no conflict.
    await expect(
      saveDraft(fx.md.actor, t.id, first.png, { baseVersion: 0, elapsedMs: 100, idempotencyKey: "draft-key-1" }),
    ).resolves.toEqual({ version: 1, replayed: true });
    const stale = await saveDraft(fx.md.actor, t.id, second.png, {
      baseVersion: 0,
      elapsedMs: 200,
      idempotencyKey: "draft-key-2",
    }).catch((e) => e);
    expect(stale.code).toBe("CONFLICT");
    expect(stale.details).toEqual({ version: 1 });
    const kept = await getDraftPng(fx.md.actor, t.id);
    expect(kept.version).toBe(1);
    expect(
      Buffer.from((await decodeMaskPng(kept.png)).mask).equals(Buffer.from((await decodeMaskPng(first.png)).mask)),
    ).toBe(true);
    expect((await db().draft.findUniqueOrThrow({ where: { taskId: t.id } })).elapsedMs).toBe(100);
    await expect(saveDraft(fx.md.actor, t.id, second.png, { baseVersion: 1, elapsedMs: 200 })).resolves.toEqual({
      version: 2,
      replayed: false,
    });
    const objects = [];
    for await (const k of store().list(`projects/${fx.project.id}/drafts/${t.id}/`)) objects.push(k);
    expect(objects).toHaveLength(1);
  });

  it("refuses a mask that is not at the image's native size, or not a PNG", async () => {
    const fx = await makeDrawingProject({ images: 1 });
    const t = (await claimNextTask(fx.md.actor, fx.project.id))!;
    const half = rectPng(t.image.width / 2, t.image.height / 2, { x: 0, y: 0, w: 4, h: 4 });
    await expect(code(saveDraft(fx.md.actor, t.id, half.png, { baseVersion: 0, elapsedMs: 0 }))).resolves.toBe(
      "BAD_REQUEST",
    );
    await expect(
      code(saveDraft(fx.md.actor, t.id, Buffer.from("<svg onload=alert(1)>"), { baseVersion: 0, elapsedMs: 0 })),
    ).resolves.toBe("BAD_REQUEST");
    expect(await db().draft.count({ where: { taskId: t.id } })).toBe(0);
  });
});

describe("drawing: submit", () => {
  it("concurrent double submits and retries make exactly one mask", async () => {
    const fx = await makeDrawingProject({ images: 1 });
    const t = (await claimNextTask(fx.md.actor, fx.project.id))!;
    const { png, area } = rectPng(t.image.width, t.image.height, { x: 20, y: 30, w: 50, h: 40 });
    await saveDraft(fx.md.actor, t.id, png, { baseVersion: 0, elapsedMs: 60_000 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        submitTask(fx.md.actor, t.id, png, { elapsedMs: 61_000, idempotencyKey: "double-click-1" }),
      ),
    );
    const ids = new Set(results.map((r) => r.maskId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    // A retry with a new key after the first response was lost still returns the same mask.
    const retry = await submitTask(fx.md.actor, t.id, png, { elapsedMs: 62_000, idempotencyKey: "after-sign-in-2" });
    expect(retry).toMatchObject({ maskId: [...ids][0], replayed: true });

    const masks = await db().mask.findMany({ where: { imageId: t.image.id } });
    expect(masks).toHaveLength(1);
    expect(masks[0]).toMatchObject({
      kind: "MANUAL",
      authorId: fx.md.id,
      taskId: t.id,
      area,
      width: t.image.width,
      height: t.image.height,
      elapsedMs: 61_000,
    });
    const stored = await decodeMaskPng(await store().get(masks[0].storageKey));
    expect(stored.mask.reduce((a, b) => a + b, 0)).toBe(area);
    const task = await db().task.findUniqueOrThrow({ where: { id: t.id } });
    expect(task).toMatchObject({ status: "DONE", maskId: masks[0].id, elapsedMs: 61_000 });
    expect(await db().draft.count({ where: { taskId: t.id } })).toBe(0);
    expect((await db().image.findUniqueOrThrow({ where: { id: t.image.id } })).state).toBe("AWAITING_CANDIDATES");
    expect(await db().auditLog.count({ where: { objectId: t.id, action: "task.submit" } })).toBe(1);
  });

  it("wrong user or role: NOT_FOUND or FORBIDDEN, and nothing changes", async () => {
    const fx = await makeDrawingProject({ images: 1, mds: 2 });
    const other = fx.mds[1];
    const outsider = await makeUser();
    const t = (await claimNextTask(fx.md.actor, fx.project.id))!;
    const { png } = rectPng(t.image.width, t.image.height, { x: 0, y: 0, w: 8, h: 8 });
    const draftArgs = { baseVersion: 0, elapsedMs: 0 };
    const submitArgs = { elapsedMs: 0, idempotencyKey: "not-yours-123" };
    for (const [who, expected] of [
      [outsider, "NOT_FOUND"],
      [fx.lead, "FORBIDDEN"],
      [fx.exporter, "FORBIDDEN"],
      [other, "FORBIDDEN"],
    ] as const) {
      await expect(code(saveDraft(who.actor, t.id, png, draftArgs))).resolves.toBe(expected);
      await expect(code(submitTask(who.actor, t.id, png, submitArgs))).resolves.toBe(expected);
      await expect(code(skipTask(who.actor, t.id, { reason: "not mine" }))).resolves.toBe(expected);
    }
    await expect(code(getTaskForActor(outsider.actor, t.id))).resolves.toBe("NOT_FOUND");
    await expect(code(getTaskForActor(other.actor, t.id))).resolves.toBe("FORBIDDEN");
    await expect(code(getTaskForActor(fx.lead.actor, t.id))).resolves.toBe("OK");
    await expect(code(claimNextTask(outsider.actor, fx.project.id))).resolves.toBe("NOT_FOUND");
    await expect(code(claimNextTask(fx.lead.actor, fx.project.id))).resolves.toBe("FORBIDDEN");
    await expect(code(getDraftPng(outsider.actor, t.id))).resolves.toBe("NOT_FOUND");
    const row = await db().task.findUniqueOrThrow({ where: { id: t.id } });
    expect(row).toMatchObject({ status: "CLAIMED", assigneeId: fx.md.id, maskId: null });
    expect(await db().draft.count({ where: { taskId: t.id } })).toBe(0);
    expect(await db().mask.count({ where: { imageId: t.image.id } })).toBe(0);
  });

  it("a redraw goes to a second MD to confirm; a rejection sends it back and a new redraw is accepted", async () => {
    const fx = await makeDrawingProject({ images: 1, mds: 2, settings: { redrawNeedsConfirmation: true } });
    const [md1, md2] = fx.mds;
    const imageId = fx.images[0].id;
    // Stand in for a vote where every candidate was rejected.
    const redraw = await db().$transaction((tx) => reopenRedraw(tx, fx.project.id, imageId, fx.roundId));
    // A rejected machine candidate the MD may start from, served by position only.
    const machine = new Uint8Array(fx.images[0].width * fx.images[0].height).fill(1, 0, 500);
    await db().$transaction(async (tx) => {
      const m = await createMask(tx, {
        projectId: fx.project.id,
        imageId,
        kind: "MACHINE",
        mask: machine,
        width: fx.images[0].width,
        height: fx.images[0].height,
        roundId: fx.roundId,
      });
      await tx.candidate.create({ data: { roundId: fx.roundId, imageId, maskId: m.id } });
    });
    const r = (await claimNextTask(md1.actor, fx.project.id, { kinds: ["REDRAW"] }))!;
    expect(r).toMatchObject({ id: redraw.id, kind: "REDRAW", startMasks: 1 });
    expect((await decodeMaskPng(await getStartMaskPng(md1.actor, r.id, 0))).mask.reduce((a, b) => a + b, 0)).toBe(500);
    await expect(code(getStartMaskPng(md2.actor, r.id, 0))).resolves.toBe("FORBIDDEN");
    await expect(code(getStartMaskPng(md1.actor, r.id, 1))).resolves.toBe("NOT_FOUND");
    const drawn = rectPng(r.image.width, r.image.height, { x: 1, y: 1, w: 9, h: 9 });
    const sub = await submitTask(md1.actor, r.id, drawn.png, { elapsedMs: 10, idempotencyKey: "redraw-1-key" });
    expect((await db().mask.findUniqueOrThrow({ where: { id: sub.maskId } })).kind).toBe("REDRAW");
    expect((await db().image.findUniqueOrThrow({ where: { id: imageId } })).state).toBe("AWAITING_CONFIRMATION");

    // The author never confirms their own redraw.
    expect(await claimNextTask(md1.actor, fx.project.id, { kinds: ["CONFIRM"] })).toBeNull();
    const c = (await claimNextTask(md2.actor, fx.project.id, { kinds: ["CONFIRM"] }))!;
    expect(c).toMatchObject({ kind: "CONFIRM", startMasks: 1 });
    expect((await getStartMaskPng(md2.actor, c.id, 0)).equals(drawn.png)).toBe(true);
    await expect(
      code(confirmTask(md1.actor, c.id, { approved: true, elapsedMs: 1, idempotencyKey: "confirm-key-0" })),
    ).resolves.toBe("FORBIDDEN");
    await expect(
      confirmTask(md2.actor, c.id, { approved: false, elapsedMs: 5, idempotencyKey: "confirm-key-1" }),
    ).resolves.toMatchObject({ approved: false, replayed: false });
    await expect(
      confirmTask(md2.actor, c.id, { approved: true, elapsedMs: 5, idempotencyKey: "confirm-key-2" }),
    ).resolves.toMatchObject({ approved: false, replayed: true });
    expect((await db().task.findUniqueOrThrow({ where: { id: redraw.id } })).status).toBe("OPEN");

    // The second attempt reuses the redraw task, and its confirmation reuses the CONFIRM task.
    const again = (await claimNextTask(md2.actor, fx.project.id, { kinds: ["REDRAW"] }))!;
    expect(again.id).toBe(redraw.id);
    const sub2 = await submitTask(md2.actor, again.id, drawn.png, { elapsedMs: 20, idempotencyKey: "redraw-2-key" });
    expect(sub2.maskId).not.toBe(sub.maskId);
    expect(await db().task.count({ where: { imageId, kind: "CONFIRM" } })).toBe(1);
    const c2 = (await claimNextTask(md1.actor, fx.project.id, { kinds: ["CONFIRM"] }))!;
    expect(c2.id).toBe(c.id);
    await expect(
      confirmTask(md1.actor, c2.id, { approved: true, elapsedMs: 5, idempotencyKey: "confirm-key-3" }),
    ).resolves.toMatchObject({ approved: true, replayed: false });
    const gt = await db().groundTruth.findFirstOrThrow({ where: { imageId, isCurrent: true } });
    expect(gt).toMatchObject({ maskId: sub2.maskId, decision: "CONFIRMED", sourceKind: "REDRAW" });
    expect(await db().mask.count({ where: { imageId, kind: "REDRAW" } })).toBe(2);
  });

  it("claims need the MD role in this project", async () => {
    const fx = await makeDrawingProject({ images: 1 });
    const both = await makeUser();
    await addMember(fx.admin.actor, fx.project.id, { email: both.email, roles: ["LEAD", "MD"] });
    await expect(code(claimNextTask(fx.exporter.actor, fx.project.id))).resolves.toBe("FORBIDDEN");
    expect((await claimNextTask(both.actor, fx.project.id))?.kind).toBe("MANUAL");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { db } from "../../lib/db/client";
import { addMember } from "../../lib/projects/mutations";
import { decodeMaskPng } from "../../lib/masks/png-codec";
import { selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { nextBallot } from "../../lib/voting/mutations";
import { auc, styleClassifierAuc, styleFeatures } from "../../lib/voting/style-audit";
import { simulateStyleProject } from "../../lib/simulate/style-project";
import { makeProject, makeUser } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { drawAllManual, fakeTrainAndPredict } from "../setup/protocol";
import { baseUrl, launch, sameOrigin, sessionCookie, signIn } from "./helpers";

// Blind by content over HTTP and in the browser (issue 17): what voters receive cannot tell a
// hand-drawn candidate from a machine one (byte sizes, style), no two positions of a ballot
// are alike, and ballots never strand an image.

let browser: Browser;
afterAll(async () => browser?.close());
beforeAll(async () => {
  browser = await launch();
}, 60_000);

/**
 * Stage I up to an open vote on a simulated project: manual masks drawn by simulated MDs,
 * machine candidates from simulated models (lib/simulate/style-project.ts).
 */
async function simulatedVote(images: number, size: number) {
  const sim = simulateStyleProject(images, size, 3);
  const fx = await makeProject({
    folds: 2,
    stage1Archs: [
      { arch: "unet", encoder: "tiny" },
      { arch: "dla", encoder: "tiny" },
    ],
  });
  const p = fx.project.id;
  const voter = await makeUser();
  await addMember(fx.admin.actor, p, { email: voter.email, roles: ["MD"] });
  await addTestImages(p, images, (i) => ({ label: "COVID", patientPseudonym: `S${i}` }), size);
  await selectStage1Subset(fx.lead.actor, p, { size: images });
  await startStage1(fx.lead.actor, p);
  const tasks = await db().task.findMany({ where: { projectId: p, kind: "MANUAL" }, orderBy: { imageId: "asc" } });
  const simOf = new Map(tasks.map((t, k) => [t.imageId, sim[k]]));
  const human = (imageId: string) => simOf.get(imageId)!.candidates.find((c) => c.human)!.mask;
  await drawAllManual(p, fx.md.id, { mask: human, elapsedMs: 1000 });
  const { roundId } = await startStage1Training(fx.lead.actor, p);
  await fakeTrainAndPredict(
    roundId,
    (run, imageId) => simOf.get(imageId)!.candidates.filter((c) => !c.human)[Math.floor(run / 2)]?.mask ?? null,
  );
  return { ...fx, p, voter, roundId };
}

describe("content blinding over HTTP", () => {
  it("served candidates: one byte size for all, no two positions alike, and the style classifier cannot tell human from machine (AUC ≤ 0.60)", async () => {
    const size = 160;
    const fx = await simulatedVote(48, size);
    const cookie = await sessionCookie(fx.voter.email, fx.voter.password);
    const samples: { features: number[]; human: boolean; group: number }[] = [];
    const bytes = { human: [] as number[], machine: [] as number[] };
    let ballots = 0;
    for (;;) {
      const r = await fetch(`${baseUrl()}/api/projects/${fx.p}/ballots/next`, {
        method: "POST",
        headers: { ...sameOrigin(), cookie, "content-type": "application/json" },
        body: "{}",
      });
      const { ballot } = (await r.json()) as {
        ballot: { ballotId: string; candidates: { position: number; url: string }[] } | null;
      };
      if (!ballot) break;
      const row = await db().ballot.findUniqueOrThrow({ where: { id: ballot.ballotId } });
      const cands = await db().candidate.findMany({ where: { id: { in: row.shownOrder } } });
      const masks = await db().mask.findMany({ where: { id: { in: cands.map((c) => c.maskId) } } });
      const seen = new Set<string>();
      for (const c of ballot.candidates) {
        const png = new Uint8Array(await (await fetch(baseUrl() + c.url, { headers: { cookie } })).arrayBuffer());
        const key = Buffer.from(png).toString("base64");
        expect(seen.has(key), `ballot ${ballots}: two positions byte-identical`).toBe(false);
        seen.add(key);
        const cand = cands.find((x) => x.id === row.shownOrder[c.position - 1])!;
        const human = masks.find((m) => m.id === cand.maskId)!.kind === "MANUAL";
        (human ? bytes.human : bytes.machine).push(png.length);
        const m = await decodeMaskPng(png);
        samples.push({ features: styleFeatures(m.mask, m.width, m.height), human, group: ballots });
      }
      await fetch(`${baseUrl()}${ballot.candidates[0].url.replace(/candidates\/\d+$/, "vote")}`, {
        method: "POST",
        headers: { ...sameOrigin(), cookie, "content-type": "application/json" },
        body: JSON.stringify({ choice: 1, durationMs: 1000, idempotencyKey: `c-${ballot.ballotId}` }),
      });
      ballots++;
    }
    expect(ballots).toBeGreaterThanOrEqual(40);
    expect(bytes.human.length).toBeGreaterThan(30);
    expect(new Set([...bytes.human, ...bytes.machine]).size).toBe(1);
    expect(auc(bytes.human, bytes.machine)).toBe(0.5);
    const style = styleClassifierAuc(samples);
    expect(style.auc, `style AUC ${style.auc.toFixed(3)} ± ${(1.96 * style.se).toFixed(3)}`).toBeLessThanOrEqual(0.6);
  }, 600_000);
});

describe("ballots never strand work (Chromium)", () => {
  it("an MD leaves the vote page: a second MD gets that image within the lease", async () => {
    const fx = await makeProject({ folds: 2, stage1Archs: [{ arch: "unet", encoder: "tiny" }] });
    const p = fx.project.id;
    const [a, b] = [await makeUser(), await makeUser()];
    for (const u of [a, b]) await addMember(fx.admin.actor, p, { email: u.email, roles: ["MD"] });
    await addTestImages(p, 1, () => ({ label: "COVID", patientPseudonym: "L1" }), 96);
    await selectStage1Subset(fx.lead.actor, p, { size: 1 });
    await startStage1(fx.lead.actor, p);
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    await fakeTrainAndPredict(roundId);
    const page = await browser.newPage();
    await signIn(page, a.email, a.password);
    await page.goto(`${baseUrl()}/projects/${fx.project.slug}/vote`);
    const board = page.getByTestId("vote-board");
    await board.waitFor();
    const shown = (await board.getAttribute("data-ballot"))!;
    expect(await nextBallot(b.actor, p)).toBeNull(); // A holds the only image
    const t0 = Date.now();
    await page.goto("about:blank"); // leaves: the page releases its ballot
    let got = null;
    for (let i = 0; i < 40 && !got; i++) {
      got = await nextBallot(b.actor, p);
      if (!got) await new Promise((r) => setTimeout(r, 250));
    }
    expect(got).not.toBeNull();
    expect(Date.now() - t0).toBeLessThan(Number(process.env.BALLOT_LEASE_MS ?? 90_000));
    const imageOf = async (id: string) => (await db().ballot.findUniqueOrThrow({ where: { id } })).imageId;
    expect(await imageOf(got!.ballotId)).toBe(await imageOf(shown));
    await page.close();
  });

  it("a 409 in a second tab moves on to the next ballot", async () => {
    const fx = await makeProject({ folds: 2, stage1Archs: [{ arch: "unet", encoder: "tiny" }] });
    const p = fx.project.id;
    const a = await makeUser();
    await addMember(fx.admin.actor, p, { email: a.email, roles: ["MD"] });
    await addTestImages(p, 3, (i) => ({ label: "COVID", patientPseudonym: `T${i}` }), 96);
    await selectStage1Subset(fx.lead.actor, p, { size: 3 });
    await startStage1(fx.lead.actor, p);
    await drawAllManual(p, fx.md.id);
    const { roundId } = await startStage1Training(fx.lead.actor, p);
    await fakeTrainAndPredict(roundId);
    const context = await browser.newContext();
    const tab1 = await context.newPage();
    await signIn(tab1, a.email, a.password);
    await tab1.goto(`${baseUrl()}/projects/${fx.project.slug}/vote`);
    await tab1.getByTestId("vote-board").waitFor();
    const tab2 = await context.newPage();
    await tab2.goto(`${baseUrl()}/projects/${fx.project.slug}/vote`);
    await tab2.getByTestId("vote-board").waitFor();
    const first = (await tab1.getByTestId("vote-board").getAttribute("data-ballot"))!;
    expect(await tab2.getByTestId("vote-board").getAttribute("data-ballot")).toBe(first);
    await tab1.bringToFront();
    await tab1.keyboard.press("1");
    await tab1.keyboard.press("Enter");
    await tab1.waitForFunction(
      (prev) => document.querySelector("[data-testid=vote-board]")?.getAttribute("data-ballot") !== prev,
      first,
    );
    await tab2.bringToFront();
    const refused: number[] = [];
    tab2.on("response", (r) => {
      if (r.url().endsWith(`/api/ballots/${first}/vote`)) refused.push(r.status());
    });
    expect(await tab2.getByTestId("vote-board").getAttribute("data-ballot")).toBe(first);
    await tab2.keyboard.press("2");
    await tab2.keyboard.press("Enter");
    await tab2.waitForFunction(
      (prev) => {
        const el = document.querySelector("[data-testid=vote-board]");
        return (el && el.getAttribute("data-ballot") !== prev) || document.querySelector("[data-testid=vote-done]");
      },
      first,
      { timeout: 15_000 },
    );
    expect(refused).toEqual([409]);
    const now = await tab2.getByTestId("vote-board").getAttribute("data-ballot");
    expect(now).not.toBe(first);
    expect(await tab2.locator("text=already voted").count()).toBe(0);
    // The second tab's vote was refused: one vote on the first ballot, the one from tab 1.
    const votes = await db().vote.findMany({ where: { ballotId: first } });
    expect(votes.length).toBe(1);
    await context.close();
  });

  it("the vote page says why there is nothing to vote on", async () => {
    const fx = await makeProject({ folds: 2, stage1Archs: [{ arch: "unet", encoder: "tiny" }] });
    const p = fx.project.id;
    await addTestImages(p, 2, (i) => ({ label: "COVID", patientPseudonym: `W${i}` }), 64);
    await selectStage1Subset(fx.lead.actor, p, { size: 2 });
    await startStage1(fx.lead.actor, p);
    await drawAllManual(p, fx.md.id);
    await startStage1Training(fx.lead.actor, p);
    const page = await browser.newPage();
    await signIn(page, fx.md.email, fx.md.password);
    await page.goto(`${baseUrl()}/projects/${fx.project.slug}/vote`);
    const done = page.getByTestId("vote-done");
    await done.waitFor();
    expect(await done.getAttribute("data-reason")).toBe("MODELS_TRAINING");
    expect(await done.textContent()).toMatch(/Models are training/);
    await page.close();
  });
});

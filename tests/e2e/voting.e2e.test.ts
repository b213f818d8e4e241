import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { db } from "../../lib/db/client";
import { selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { nextBallot } from "../../lib/voting/mutations";
import { readPngChunks } from "../../lib/masks/png-chunks";
import { makeProject } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { drawAllManual, fakeTrainAndPredict } from "../setup/protocol";
import { baseUrl, launch, sessionCookie, signIn } from "./helpers";

let browser: Browser;
afterAll(async () => browser?.close());

async function votingProject(images: number) {
  const fx = await makeProject({
    folds: 2,
    stage1Archs: [
      { arch: "unet", encoder: "tiny" },
      { arch: "dla", encoder: "tiny" },
      { arch: "unetpp", encoder: "tiny" },
    ],
  });
  const p = fx.project.id;
  await addTestImages(p, images, (i) => ({ label: "COVID", patientPseudonym: `B${i}` }), 96);
  await selectStage1Subset(fx.lead.actor, p, { size: images });
  await startStage1(fx.lead.actor, p);
  await drawAllManual(p, fx.md.id);
  const { roundId } = await startStage1Training(fx.lead.actor, p);
  await fakeTrainAndPredict(roundId);
  return { ...fx, roundId };
}

/** Two-sample Kolmogorov–Smirnov statistic and its asymptotic p-value. */
function ks(a: number[], b: number[]) {
  const x = [...a].sort((p, q) => p - q),
    y = [...b].sort((p, q) => p - q);
  let i = 0,
    j = 0,
    d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const ne = (x.length * y.length) / (x.length + y.length);
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return { d, p: Math.min(1, Math.max(0, p)) };
}

describe("blinded vote over HTTP", () => {
  let fx: Awaited<ReturnType<typeof votingProject>>;
  let cookie: string;
  beforeAll(async () => {
    browser = await launch();
    fx = await votingProject(4);
    cookie = await sessionCookie(fx.md.email, fx.md.password);
  }, 180_000);

  it("candidate responses look the same whatever their source: headers, PNG chunks, no metadata, no storage keys", async () => {
    const b = (await nextBallot(fx.md.actor, fx.project.id))!;
    const ballot = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
    const cands = await db().candidate.findMany({ where: { id: { in: ballot.shownOrder } } });
    const masks = await db().mask.findMany({ where: { id: { in: cands.map((c) => c.maskId) } } });
    const kinds = ballot.shownOrder.map(
      (cid) => masks.find((m) => m.id === cands.find((c) => c.id === cid)!.maskId)!.kind,
    );
    expect(new Set(kinds)).toEqual(new Set(["MANUAL", "MACHINE"]));
    const headerSets: string[] = [];
    for (const c of b.candidates) {
      const r = await fetch(baseUrl() + c.url, { headers: { cookie } });
      expect(r.status).toBe(200);
      const h = [...r.headers.entries()].filter(([k]) => !["date", "content-length"].includes(k));
      headerSets.push(JSON.stringify(h));
      for (const [k, v] of h) {
        expect(k).not.toMatch(/^(etag|last-modified|x-amz-meta)/);
        expect(v).not.toMatch(/projects\/|masks\/|\.png|MANUAL|MACHINE|unet|dla/i);
      }
      const bytes = new Uint8Array(await r.arrayBuffer());
      const chunks = readPngChunks(bytes).map((ch) => ch.type);
      expect(chunks).toEqual(["IHDR", "IDAT", "IEND"]);
      expect(c.url).toMatch(new RegExp(`^/api/ballots/${b.ballotId}/candidates/\\d$`));
    }
    expect(new Set(headerSets).size).toBe(1);
  });

  it("serving time does not tell manual from machine candidates (KS test)", async () => {
    const b = (await nextBallot(fx.md.actor, fx.project.id))!;
    const ballot = await db().ballot.findUniqueOrThrow({ where: { id: b.ballotId } });
    const cands = await db().candidate.findMany({ where: { id: { in: ballot.shownOrder } } });
    const masks = await db().mask.findMany({ where: { id: { in: cands.map((c) => c.maskId) } } });
    const isManual = ballot.shownOrder.map(
      (cid) => masks.find((m) => m.id === cands.find((c) => c.id === cid)!.maskId)!.kind === "MANUAL",
    );
    const manual: number[] = [],
      machine: number[] = [];
    for (let round = 0; round < 60; round++) {
      for (const [i, c] of b.candidates.entries()) {
        const t0 = performance.now();
        const r = await fetch(baseUrl() + c.url, { headers: { cookie } });
        await r.arrayBuffer();
        (isManual[i] ? manual : machine).push(performance.now() - t0);
      }
    }
    const { p } = ks(manual, machine);
    expect(p).toBeGreaterThan(0.001);
  }, 120_000);

  it("an MD votes through the real UI with the keyboard, and the next image follows", async () => {
    const page = await browser.newPage();
    await signIn(page, fx.md.email, fx.md.password);
    await page.goto(`${baseUrl()}/projects/${fx.project.slug}/vote`);
    const board = page.getByTestId("vote-board");
    await board.waitFor();
    const first = await board.getAttribute("data-ballot");
    await page.keyboard.press("2");
    await expect(page.getByTestId("confirm-vote").textContent()).resolves.toContain("mask 2");
    await page.keyboard.press("Enter");
    await page.waitForFunction((prev) => {
      const el = document.querySelector("[data-testid=vote-board]");
      return (el && el.getAttribute("data-ballot") !== prev) || document.querySelector("[data-testid=vote-done]");
    }, first);
    const vote = await db().vote.findUniqueOrThrow({ where: { ballotId: first! } });
    const ballot = await db().ballot.findUniqueOrThrow({ where: { id: first! } });
    expect(vote.candidateId).toBe(ballot.shownOrder[1]);
    expect(vote.durationMs).toBeGreaterThan(0);
    await page.keyboard.press("0");
    await page.keyboard.press("Enter");
    await page.waitForTimeout(300);
    await page.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import type { Browser } from "playwright-core";
import { baseUrl, launch, signIn } from "./helpers";
import { addMember, createProject } from "../../lib/projects/mutations";
import { saveSimulationRun, saveSweepRun } from "../../lib/simulate/mutations";
import type { SimulationReport, SweepCell } from "../../lib/simulate/types";
import { makeUser, type TestUser, uniq } from "../setup/fixtures";
import { iv, stubSweepCell } from "../setup/simulation-reports";

// A stored sweep (as `tandem simulate --sweep` leaves it) seen by a lead of its cells' projects,
// and refused to an MD of one of them.

function report(projectId: string, ratio: number, dDice: number): SimulationReport {
  return {
    projectId,
    models: "stub",
    images: 20,
    covidImages: 16,
    readers: 5,
    rounds: 2,
    complete: true,
    interReaderDice: 0.7,
    dice: { protocol: 0.8, manual: 0.8 - dDice, diff: iv(dDice, 0.01) },
    pixelF1: { protocol: 0.8, manual: 0.8 - dDice, diff: iv(dDice, 0.01) },
    mdSecondsPerMask: { protocol: 100 * ratio, manual: 100, diff: iv(100 * ratio - 100, 5), ratio: iv(ratio, 0.05) },
    riskyMachineShare: { ...iv(0.1, 0.05), machineAccepted: 8, risky: 1 },
    stage1MachinePreferred: { ...iv(0.5, 0.1), votes: 10 },
    stage2Rejection: { ...iv(0.2, 0.1), votes: 12 },
    acceptedBySource: { MACHINE: 8, MANUAL: 8 },
    mdSeconds: { draw: 900, edit: 240, vote: 300, confirm: 60, manualArm: 1600 },
    redraws: { fromScratch: 1, fromCandidate: 3 },
    votesOnOwnDrawing: 0,
    elapsedS: 30,
  };
}

let browser: Browser;
let lead: TestUser;
let md: TestUser;
let sweepId = "";
let firstSlug = "";

beforeAll(async () => {
  browser = await launch();
  const admin = await makeUser({ isAdmin: true });
  lead = await makeUser();
  md = await makeUser();
  // readers ×1 and ×2 against stub quality 0.3, 0.6, 0.9: time ratio falls and ΔDice rises with quality.
  const grid: [number, number, number, number][] = [
    [1, 0.3, 1.2, -0.04],
    [1, 0.6, 0.97, -0.02],
    [1, 0.9, 0.7, 0.02],
    [2, 0.3, 1.1, 0.0],
    [2, 0.6, 0.92, 0.01],
    [2, 0.9, 0.8, 0.03],
  ];
  const cells: SweepCell[] = [];
  for (const [rf, q, ratio, dDice] of grid) {
    const p = await createProject(admin.actor, {
      name: `Simulation ${uniq("e2e")}`,
      slug: uniq("sim"),
      settings: {} as never,
    });
    await addMember(admin.actor, p.id, { email: lead.email, roles: ["LEAD"] });
    await saveSimulationRun({
      options: { images: 20, models: `stub models, quality ${q}` },
      report: report(p.id, ratio, dDice),
    });
    cells.push(stubSweepCell(p.id, rf, q, ratio, dDice));
    if (!firstSlug) {
      firstSlug = p.slug;
      await addMember(admin.actor, p.id, { email: md.email, roles: ["MD"] });
    }
  }
  sweepId = await saveSweepRun({
    options: { readerErrorFactors: [1, 2], modelLevels: ["stub q=0.3", "stub q=0.6", "stub q=0.9"] },
    cells,
  });
});
afterAll(async () => browser?.close());

describe("a simulation sweep on the lead's page", () => {
  it("the lead finds the run from the project and the index, and sees the verdicts, the plot and the table", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await signIn(page, lead.email, lead.password);
    await page.goto(`${baseUrl()}/projects/${firstSlug}`);
    await page.getByTestId("action-simulation").click();
    await page.getByRole("heading", { level: 1, name: /Simulation report/ }).waitFor();
    await page.getByRole("link", { name: "Its sweep" }).click();
    await page.waitForURL((u) => u.pathname === `/simulations/${sweepId}`);

    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Simulation sweep");
    const verdicts = await page.getByTestId("sweep-verdicts").textContent();
    expect(verdicts).toContain(
      "Readers ×1: saves MD time from stub q=0.9; costs quality (Dice CI below 0) up to stub q=0.6",
    );
    expect(verdicts).toContain("Readers ×2: saves MD time from stub q=0.6; costs quality nowhere in this grid");
    const rows = page.getByTestId("sweep-table").locator("tbody tr");
    await expect(rows.count()).resolves.toBe(6);
    await expect(rows.nth(0).textContent()).resolves.toContain("1.20 [1.15, 1.25]");
    await expect(rows.nth(0).textContent()).resolves.toContain("−0.040 [−0.050, −0.030]");
    const plots = page.getByTestId("sweep-plot").getByRole("img");
    await expect(plots.count()).resolves.toBe(2);
    const timeLabel = await plots.nth(0).getAttribute("aria-label");
    expect(timeLabel).toMatch(/^MD-seconds ratio/);
    expect(timeLabel).toContain("readers ×2: stub q=0.3 1.10 (1.05 to 1.15)");
    await expect(page.getByTestId("sweep-plot").locator("polyline").count()).resolves.toBe(4);
    await expect(page.getByTestId("sweep-plot").locator("svg[role=img] circle").count()).resolves.toBe(12);
    await expect(
      page.getByTestId("sweep-plot").getByRole("list", { name: "Legend" }).first().textContent(),
    ).resolves.toContain("readers ×2");
    await page.screenshot({ path: path.join(process.env.TMPDIR ?? "/tmp", "simulation-sweep.png"), fullPage: true });

    await page.goto(`${baseUrl()}/simulations`);
    await expect(page.getByTestId("simulations-table").textContent()).resolves.toContain("Sweep of 6 runs");
    await page.close();
  });

  it("an MD of a cell's project gets no page, no link and no index entry", async () => {
    const page = await browser.newPage();
    await signIn(page, md.email, md.password);
    expect((await page.goto(`${baseUrl()}/simulations/${sweepId}`))?.status()).toBe(404);
    await expect(page.getByTestId("sweep-table").count()).resolves.toBe(0);
    await page.goto(`${baseUrl()}/projects/${firstSlug}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await expect(page.getByTestId("action-simulation").count()).resolves.toBe(0);
    await page.goto(`${baseUrl()}/simulations`);
    await expect(page.getByTestId("no-simulations").isVisible()).resolves.toBe(true);
    await page.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { db } from "../../lib/db/client";
import { trainHandler } from "../../workers/handlers/train";
import { makeProject } from "../setup/fixtures";
import { addTestImages } from "../setup/synthetic-images";
import { blobImage } from "../setup/tiny-model";
import { baseUrl, launch, signIn } from "./helpers";

// A classifier end to end: the lead starts its training on the runs page, the train jobs run
// the real trainer on a tiny config (in this process, which shares the app's storage), the run
// report shows the threshold table and example maps, the combined report lists it, and the
// analyse page shows its probability, CAM and occlusion map for an uploaded CXR.

let browser: Browser;
let fx: Awaited<ReturnType<typeof makeProject>>;
const shots = process.env.TMPDIR ?? "/tmp";

beforeAll(async () => {
  browser = await launch();
  fx = await makeProject({ folds: 2 });
  await addTestImages(fx.project.id, 8, (i) => ({ label: i % 2 ? "CONTROL" : "COVID", patientPseudonym: `C${i}` }), 64);
}, 300_000);

afterAll(async () => browser?.close());

describe("a classifier trained from the app", () => {
  it("train job → report with threshold table and maps → analyse page with probability, CAM and occlusion", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
    page.setDefaultTimeout(90_000);
    try {
      await signIn(page, fx.lead.email, fx.lead.password);
      await page.goto(`${baseUrl()}/projects/${fx.project.slug}/runs`);
      const form = page.getByRole("form", { name: "Train a classifier" });
      await form.locator('select[name="arch"]').selectOption("squeezenet1_1");
      await form.locator('select[name="preset"]').selectOption("cls-cpu-small");
      await form.getByLabel("Epochs (optional)").fill("1");
      await form.getByLabel("Image size in px (optional, multiple of 32)").fill("32");
      await form.getByRole("button", { name: "Train classifier" }).click();
      await form.getByText("Started 2 fold runs of squeezenet1_1.").waitFor();

      const runs = await db().modelRun.findMany({ where: { projectId: fx.project.id }, orderBy: { fold: "asc" } });
      expect(runs.map((r) => [r.arch, r.roundId, r.fold])).toEqual([
        ["squeezenet1_1", null, 0],
        ["squeezenet1_1", null, 1],
      ]);
      for (const r of runs)
        await trainHandler({
          jobId: `e2e-${r.id}`,
          attempt: 1,
          payload: { runId: r.id },
          signal: new AbortController().signal,
          progress: async () => {},
        });

      await page.reload();
      await page.getByText("Classifier · squeezenet1_1 · cls-cpu-small · 2 folds").waitFor();
      await page.getByRole("link", { name: "Report", exact: true }).first().click();
      await page.getByTestId("classifier-examples").waitFor();
      // This fold's table and the pooled out-of-fold table, nine thresholds each.
      expect(await page.getByTestId("threshold-table").count()).toBe(2);
      expect(await page.locator('[data-testid="threshold-table"] tbody tr').count()).toBe(18);
      await expect(page.getByText(/^Cross-validation: squeezenet1_1, all 2 folds out-of-fold/).count()).resolves.toBe(
        1,
      );
      const example = page.getByTestId("classifier-example").first();
      expect(await example.locator("img").count()).toBe(4); // CXR + CAM, CXR + occlusion
      await expect
        .poll(() =>
          example
            .locator("img")
            .first()
            .evaluate((el) => (el as HTMLImageElement).naturalWidth),
        )
        .toBeGreaterThan(0);
      await page.screenshot({ path: path.join(shots, "classifier-report.png"), fullPage: true });

      await page.getByRole("link", { name: /^Combined report/ }).click();
      await page.getByTestId("combined-table").waitFor();
      const rows = await page.getByTestId("combined-row").allTextContents();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatch(/^squeezenet1_1 classifier \(cls-cpu-small/);

      const { pixels } = blobImage(96, 96, 5, true);
      const png = await sharp(Buffer.from(pixels), { raw: { width: 96, height: 96, channels: 1 } })
        .png()
        .toBuffer();
      await page.goto(`${baseUrl()}/projects/${fx.project.slug}/analyse`);
      await page.locator('input[type="file"]').setInputFiles({ name: "cxr.png", mimeType: "image/png", buffer: png });
      const boxes = page.getByRole("checkbox");
      expect(await boxes.count()).toBe(2); // the two fold classifiers
      await boxes.first().check();
      await page.getByRole("button", { name: "Analyse" }).click();
      await page.getByTestId("classifier-result").waitFor({ timeout: 120_000 });
      expect(await page.getByTestId("classifier-prob").textContent()).toMatch(/^P\(COVID-19\) = [01]\.\d{3}$/);
      for (const id of ["classifier-cam", "classifier-occlusion"]) {
        const img = page.getByTestId(id).locator("img").last();
        expect(await img.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
      }
      await page.screenshot({ path: path.join(shots, "classifier-analyse.png"), fullPage: true });
    } finally {
      await page.close();
    }
    expect(await db().mask.count({ where: { projectId: fx.project.id } })).toBe(0);
  }, 900_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { db } from "../../lib/db/client";
import { predictHandler } from "../../workers/handlers/predict";
import { makeProject } from "../setup/fixtures";
import { blobImage, projectWithTinyRuns, tinyModel } from "../setup/tiny-model";
import { baseUrl, sameOrigin, launch, sessionCookie, signIn } from "./helpers";

let browser: Browser;
let fx: Awaited<ReturnType<typeof makeProject>>;
let runIds: string[];
let leadCookie: string;
let mdCookie: string;

beforeAll(async () => {
  browser = await launch();
  const model = await tinyModel();
  // The test process shares the app's STORAGE_DIR (app-setup.ts), so the job's files are the app's.
  ({ fx, runIds } = await projectWithTinyRuns(model, "A", 80));
  for (const runId of runIds)
    await predictHandler({
      jobId: `e2e-${runId}`,
      attempt: 1,
      payload: { runId, chunk: 0, chunks: 1 },
      signal: new AbortController().signal,
      progress: async () => {},
    });
  leadCookie = await sessionCookie(fx.lead.email, fx.lead.password);
  mdCookie = await sessionCookie(fx.md.email, fx.md.password);
}, 300_000);

afterAll(async () => browser?.close());

describe("analyse a CXR", () => {
  it("uploads a PNG and shows detection per model and ensemble, and the infection map with an opacity slider", async () => {
    const { pixels } = blobImage(160, 128, 11, true);
    const png = await sharp(Buffer.from(pixels), { raw: { width: 160, height: 128, channels: 1 } })
      .png()
      .toBuffer();
    const images = await db().image.count({ where: { projectId: fx.project.id } });
    const page = await browser.newPage();
    try {
      await signIn(page, fx.lead.email, fx.lead.password);
      await page.goto(`${baseUrl()}/projects/${fx.project.slug}/analyse`);
      await page.locator('input[type="file"]').setInputFiles({ name: "cxr.png", mimeType: "image/png", buffer: png });
      const boxes = page.getByRole("checkbox");
      expect(await boxes.count()).toBe(2);
      await boxes.nth(1).check();
      await page.getByRole("button", { name: "Analyse" }).click();
      await page.getByTestId("analyse-result").waitFor({ timeout: 60_000 });
      const detections = await page.getByTestId("detection").allTextContents();
      expect(detections.length).toBe(3); // two models and their ensemble
      for (const d of detections) expect(d).toMatch(/^(COVID-19 positive|negative)$/);
      const map = page.getByTestId("infection-map");
      expect(await map.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
      const slider = page.getByLabel("Infection map opacity");
      await slider.fill("25");
      expect(await map.evaluate((el) => (el as HTMLElement).style.opacity)).toBe("0.25");
      await page.getByLabel("Infection map of").selectOption({ index: 1 });
      expect(await map.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    } finally {
      await page.close();
    }
    expect(await db().image.count({ where: { projectId: fx.project.id } })).toBe(images);
    expect(await db().auditLog.count({ where: { projectId: fx.project.id, action: "cxr.analyse" } })).toBe(1);
  }, 120_000);

  it("refuses MDs, outsiders and anonymous callers before reading the upload", async () => {
    const url = `${baseUrl()}/api/projects/${fx.project.id}/analyse?runIds=${runIds.join(",")}`;
    const post = (cookie: string) =>
      fetch(url, {
        method: "POST",
        headers: { ...sameOrigin(), cookie, "content-type": "application/octet-stream" },
        body: Buffer.from("not an image"),
      });
    expect((await post("")).status).toBe(401);
    expect((await post(mdCookie)).status).toBe(403);
    const outsider = await makeProject();
    expect((await post(await sessionCookie(outsider.lead.email, outsider.lead.password))).status).toBe(404);
    const bad = await post(leadCookie);
    expect(bad.status).toBe(415);
  });
});

describe("evaluation and stored predictions", () => {
  it("a run's report page shows the tables, confusion matrices and SVG curves; CSV downloads", async () => {
    const page = await browser.newPage();
    try {
      await signIn(page, fx.lead.email, fx.lead.password);
      await page.goto(`${baseUrl()}/projects/${fx.project.slug}/runs`);
      await page.getByRole("link", { name: "Report", exact: true }).first().click();
      await page.getByTestId("evaluation-report").waitFor();
      expect(await page.getByTestId("metrics-table").count()).toBe(2); // pixel and image level
      expect(await page.getByTestId("confusion-matrix").count()).toBe(2);
      expect(await page.getByTestId("line-chart").count()).toBe(4); // ROC and PR per level
      expect(await page.locator('[data-testid="line-chart"] polyline').count()).toBeGreaterThanOrEqual(4);
      // Stored predictions: the infection map over the CXR.
      await page.getByTestId("overlay-viewer").waitFor();
      const map = page.getByTestId("infection-map");
      await expect
        .poll(() => map.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 30_000 })
        .toBe(80);

      await page.goto(`${baseUrl()}/projects/${fx.project.slug}/runs/stage/stage-1`);
      await page.getByTestId("evaluation-report").waitFor();
      expect(await page.locator('[data-testid="metrics-table"] tbody tr').count()).toBe(2 * (2 + 1 + 1)); // folds, pooled, mean ± SD
    } finally {
      await page.close();
    }
    const csv = await fetch(`${baseUrl()}/api/runs/${runIds[0]}/report?format=csv`, {
      headers: { cookie: leadCookie },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename="run-[0-9a-f-]+-metrics\.csv"/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toMatch(/^network,level,row,n,tp,fp,tn,fn,sensitivity,sensitivity_ci95,/);
    expect(lines.length).toBe(3);
    const stage = await fetch(
      `${baseUrl()}/api/runs/stage-report?projectId=${fx.project.id}&stage=STAGE_I&format=csv&part=curves`,
      { headers: { cookie: leadCookie } },
    );
    expect((await stage.text()).split("\r\n")[0]).toBe("network,level,row,threshold,tpr,fpr,precision");
    const json = await (
      await fetch(`${baseUrl()}/api/runs/stage-report?projectId=${fx.project.id}&stage=STAGE_I`, {
        headers: { cookie: leadCookie },
      })
    ).json();
    expect(json.networks[0].levels.image.rows.length).toBe(2);
    expect((await fetch(`${baseUrl()}/api/runs/${runIds[0]}/report`, { headers: { cookie: mdCookie } })).status).toBe(
      403,
    );
  }, 120_000);

  it("serves a stored prediction's infection map to leads only", async () => {
    const mask = await db().mask.findFirstOrThrow({ where: { projectId: fx.project.id, kind: "MACHINE" } });
    const r = await fetch(`${baseUrl()}/api/masks/${mask.id}/infection-map`, { headers: { cookie: leadCookie } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("image/png");
    const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([80, 80, 4]);
    expect(
      (await fetch(`${baseUrl()}/api/masks/${mask.id}/infection-map`, { headers: { cookie: mdCookie } })).status,
    ).toBe(403);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { zipSync } from "fflate";
import { db } from "../../lib/db/client";
import { makeProject } from "../setup/fixtures";
import { buildDicom, imageModule, nativePixels } from "../unit/images/helpers/dicom-builder";
import { baseUrl, sameOrigin, launch, sessionCookie, signIn } from "./helpers";

let browser: Browser;
let fx: Awaited<ReturnType<typeof makeProject>>;

/** Blocky random levels: each seed looks unlike the others (no near-duplicates by accident). */
function cells(width: number, height: number, seed: number, max = 255): number[] {
  let s = seed >>> 0 || 1;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const levels = Array.from({ length: 144 }, () => Math.floor(r() * max * 0.9));
  return Array.from({ length: width * height }, (_, i) => {
    const x = i % width,
      y = Math.floor(i / width);
    return Math.min(
      max,
      levels[Math.floor((y * 12) / height) * 12 + Math.floor((x * 12) / width)] + Math.floor(r() * max * 0.05),
    );
  });
}
const png = (seed: number) =>
  sharp(Buffer.from(cells(120, 100, seed)), { raw: { width: 120, height: 100, channels: 1 } })
    .png()
    .toBuffer();

const PHI_NAME = "PHI-PatientName-7731";
const PHI_ID = "PHI-PatientID-7731";
function dicomWithPhi(): Buffer {
  return buildDicom(
    {
      "00100010": { vr: "PN", Value: [{ Alphabetic: PHI_NAME }] },
      "00100020": { vr: "LO", Value: [PHI_ID] },
      "00080080": { vr: "LO", Value: ["PHI-Institution-7731"] },
      "00080060": { vr: "CS", Value: ["DX"] },
      ...imageModule({ rows: 100, columns: 120, bitsAllocated: 16, bitsStored: 12 }),
    },
    { pixelData: nativePixels(cells(120, 100, 77, 4095), 16) },
  );
}

beforeAll(async () => {
  browser = await launch();
  fx = await makeProject();
}, 120_000);
afterAll(async () => browser?.close());

async function openImport(page: Page) {
  await signIn(page, fx.lead.email, fx.lead.password);
  await page.goto(`${baseUrl()}/projects/${fx.project.slug}/import`);
  await page.getByTestId("import-dropzone").waitFor();
}

describe("importing images in the browser", () => {
  it("a lead picks files, a zip and a metadata CSV: progress bar, then a report row per file", async () => {
    const page = await browser.newPage();
    await openImport(page);
    const zip = Buffer.from(zipSync({ "inner/ok.png": await png(3), "../evil.png": await png(4) }));
    await page.getByTestId("import-files-input").setInputFiles([
      { name: "scan-1.png", mimeType: "image/png", buffer: await png(1) },
      { name: "study.dcm", mimeType: "application/dicom", buffer: dicomWithPhi() },
      { name: "broken.png", mimeType: "image/png", buffer: (await png(2)).subarray(0, 200) },
      { name: "bundle.zip", mimeType: "application/zip", buffer: zip },
    ]);
    await page.getByTestId("import-csv-input").setInputFiles({
      name: "meta.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("filename,patient_id,label,Patient Name\nscan-1.png,RAW-ID-991,COVID-19,PHI-CSV-Name\n"),
    });
    await expect(page.getByTestId("import-selection").textContent()).resolves.toMatch(
      /4 selected.*metadata: meta\.csv/,
    );
    await page.getByTestId("import-start").click();
    const bar = page.getByRole("progressbar", { name: "Import progress" });
    await bar.waitFor({ state: "visible" });
    await page.getByTestId("import-summary").waitFor({ timeout: 60_000 });
    expect(await bar.getAttribute("aria-valuenow")).toBe("100");
    const rows = page.getByTestId("import-row");
    expect(await rows.count()).toBe(5);
    const statusOf = async (name: string) =>
      page.locator(`[data-testid=import-row]:has-text("${name}")`).getAttribute("data-status");
    expect(await statusOf("scan-1.png")).toBe("imported");
    expect(await statusOf("study.dcm")).toBe("imported");
    expect(await statusOf("inner/ok.png")).toBe("imported");
    expect(await statusOf("broken.png")).toBe("failed");
    expect(await statusOf("../evil.png")).toBe("failed");
    const text = await page.getByTestId("import-report").textContent();
    expect(text).toMatch(/Corrupt or truncated PNG/);
    expect(text).toMatch(/climbs out of the archive/);
    await expect(page.getByTestId("import-summary").textContent()).resolves.toMatch(
      /3 imported · 0 already in the project · 2 failed/,
    );
    await expect(page.getByTestId("dropped-columns").textContent()).resolves.toContain("Patient Name");
    await page.close();

    const images = await db().image.findMany({ where: { projectId: fx.project.id } });
    expect(images.map((i) => i.originalName).sort()).toEqual(["inner/ok.png", "scan-1.png", "study.dcm"]);
    expect(images.find((i) => i.originalName === "scan-1.png")).toMatchObject({
      label: "COVID",
      patientPseudonym: expect.stringMatching(/^P-[A-Z2-7]{16}$/),
    });
    const rowsText = JSON.stringify(
      await db().$queryRawUnsafe(
        `SELECT row_to_json(i)::text FROM "Image" i WHERE "projectId" = $1::uuid UNION ALL SELECT row_to_json(b)::text FROM "ImportBatch" b WHERE "projectId" = $1::uuid`,
        fx.project.id,
      ),
    );
    for (const phi of [PHI_NAME, PHI_ID, "PHI-Institution", "RAW-ID-991", "PHI-CSV-Name"])
      expect(rowsText).not.toContain(phi);

    // The stored DICOM is served only as a re-encoded image, with inert headers.
    const cookie = await sessionCookie(fx.lead.email, fx.lead.password);
    const dicom = images.find((i) => i.originalName === "study.dcm")!;
    const r = await fetch(`${baseUrl()}/api/images/${dicom.id}/working`, { headers: { cookie } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("image/png");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("content-security-policy")).toMatch(/sandbox/);
    expect(Buffer.from(await r.arrayBuffer()).includes(Buffer.from("PHI"))).toBe(false);
  });

  it("a file dropped on the page again is reported as already in the project", async () => {
    const page = await browser.newPage();
    await openImport(page);
    const bytes = [...(await png(1))];
    const dataTransfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], "scan-1-again.png", { type: "image/png" }));
      return dt;
    }, bytes);
    await page.getByTestId("import-dropzone").dispatchEvent("drop", { dataTransfer });
    await expect(page.getByTestId("import-selection").textContent()).resolves.toMatch(/1 selected/);
    await page.getByTestId("import-start").click();
    await page.getByTestId("import-summary").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("import-row").getAttribute("data-status")).toBe("duplicate");
    await expect(page.getByTestId("import-summary").textContent()).resolves.toMatch(
      /0 imported · 1 already in the project/,
    );
    await page.close();
    expect(await db().image.count({ where: { projectId: fx.project.id } })).toBe(3);
  });

  it("an MD is refused: no import page, no import API", async () => {
    const page = await browser.newPage();
    await signIn(page, fx.md.email, fx.md.password);
    const res = await page.goto(`${baseUrl()}/projects/${fx.project.slug}/import`);
    expect(res?.status()).toBe(404);
    await page.close();
    const cookie = await sessionCookie(fx.md.email, fx.md.password);
    const create = await fetch(`${baseUrl()}/api/projects/${fx.project.id}/imports`, {
      method: "POST",
      headers: { ...sameOrigin(), cookie, "content-type": "application/json" },
      body: "{}",
    });
    expect(create.status).toBe(403);
    const batch = await db().importBatch.findFirstOrThrow({ where: { projectId: fx.project.id } });
    const upload = await fetch(`${baseUrl()}/api/projects/${fx.project.id}/imports/${batch.id}/files`, {
      method: "POST",
      headers: { ...sameOrigin(), cookie, "x-file-name": "sneaky.png", "content-type": "application/octet-stream" },
      body: new Uint8Array(await png(9)),
    });
    expect(upload.status).toBe(403);
    expect(await db().image.count({ where: { projectId: fx.project.id } })).toBe(3);
  });
});

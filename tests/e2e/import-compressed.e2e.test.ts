import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { db } from "../../lib/db/client";
import { decodePngGrey } from "../../lib/simulate/png";
import { decodeImage } from "../../lib/images/decode-image";
import { cxrSource, encodeWith } from "../setup/compressed-dicom";
import { makeProject } from "../setup/fixtures";
import { buildDicom, imageModule, nativePixels } from "../unit/images/helpers/dicom-builder";
import { baseUrl, launch, sessionCookie, signIn } from "./helpers";

// The production build loads the WASM codecs (next.config.js serverExternalPackages): this is
// the check that they work there, not only under Node in the unit tests.
let browser: Browser;
let fx: Awaited<ReturnType<typeof makeProject>>;

beforeAll(async () => {
  browser = await launch();
  fx = await makeProject();
}, 120_000);
afterAll(async () => browser?.close());

describe("compressed DICOM through the web import", () => {
  it("imports JPEG 2000, JPEG-LS and JPEG lossless files and shows the multi-frame warning", async () => {
    const j2kTwin = cxrSource(200, 180, 16, 61).dicom;
    const frames = [cxrSource(64, 48, 12, 62).samples, cxrSource(64, 48, 12, 63).samples];
    const cine = buildDicom(
      {
        ...imageModule({ rows: 48, columns: 64, bitsAllocated: 16, bitsStored: 12, frames: 2 }),
        "00080060": { vr: "CS", Value: ["DX"] },
      },
      {
        pixelData: nativePixels([...frames[0], ...frames[1]], 16),
      },
    );
    const files = [
      { name: "cr-j2k.dcm", buffer: encodeWith("gdcmconv", ["--j2k"], j2kTwin) },
      {
        name: "cr-jpegls.dcm",
        buffer: encodeWith("dcmcjpls", ["--encode-lossless"], cxrSource(200, 180, 12, 64).dicom),
      },
      {
        name: "cr-sv1.dcm",
        buffer: encodeWith("dcmcjpeg", ["--encode-lossless-sv1"], cxrSource(200, 180, 12, 65).dicom),
      },
      { name: "cine.dcm", buffer: encodeWith("dcmcjpeg", ["--encode-lossless-sv1"], cine) },
    ];
    const page = await browser.newPage();
    await signIn(page, fx.lead.email, fx.lead.password);
    await page.goto(`${baseUrl()}/projects/${fx.project.slug}/import`);
    await page.getByTestId("import-dropzone").waitFor();
    await page
      .getByTestId("import-files-input")
      .setInputFiles(files.map((f) => ({ ...f, mimeType: "application/dicom" })));
    await page.getByTestId("import-start").click();
    await page.getByTestId("import-summary").waitFor({ timeout: 90_000 });
    await expect(page.getByTestId("import-summary").textContent()).resolves.toMatch(
      /4 imported · 0 already in the project · 0 failed/,
    );
    await expect(page.getByTestId("import-warning").textContent()).resolves.toBe(
      "Multi-frame DICOM: only the first of 2 frames was imported as the image (the stored original keeps that frame only)",
    );
    await page.close();

    const image = await db().image.findFirstOrThrow({
      where: { projectId: fx.project.id, originalName: "cr-j2k.dcm" },
    });
    const cookie = await sessionCookie(fx.lead.email, fx.lead.password);
    const r = await fetch(`${baseUrl()}/api/images/${image.id}/working`, { headers: { cookie } });
    expect(r.status).toBe(200);
    const served = await decodePngGrey(Buffer.from(await r.arrayBuffer()));
    const twin = await decodeImage(j2kTwin, { pseudonymKey: process.env.PSEUDONYM_KEY! });
    expect(Buffer.from(served.pixels).equals(Buffer.from(twin.pixels8))).toBe(true);
  });
});

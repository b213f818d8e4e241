import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import sharp from "sharp";
import type { Browser } from "playwright-core";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { seedAcceptedProject } from "../setup/seed-accepted";
import { importBurnedInDicom } from "../setup/burned-in";
import { SC_CLASS } from "../unit/images/helpers/dicom-builder";
import { baseUrl, launch, signIn } from "./helpers";

// A lead finds the held-back images from the dashboard, paints burned-in text out of one by
// dragging a rectangle over it, releases the other; the exports page counts what is held back.
let browser: Browser;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;
let first: Awaited<ReturnType<typeof importBurnedInDicom>>;
let second: Awaited<ReturnType<typeof importBurnedInDicom>>;

const SCREENSHOT = path.join(process.env.TMPDIR ?? "/tmp", "burned-in-review.png");

beforeAll(async () => {
  browser = await launch();
  seed = await seedAcceptedProject({ covid: 1, controls: 1, dicom: false });
  const a = await importBurnedInDicom(seed.projectId, 11, { burnedIn: true, rows: 256, columns: 320 });
  const b = await importBurnedInDicom(seed.projectId, 12, { sopClassUid: SC_CLASS, rows: 256, columns: 320 });
  [first, second] = a.id < b.id ? [a, b] : [b, a];
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe("burned-in text review in the browser", () => {
  it("the exports page says how many images are held back", async () => {
    const page = await browser.newPage();
    await signIn(page, seed.fx.exporter.email, seed.fx.exporter.password);
    await page.goto(`${baseUrl()}/projects/${seed.slug}/exports`);
    await expect(page.getByTestId("held-back").textContent()).resolves.toMatch(
      /2 images are held back from exports until a lead reviews/,
    );
    await page.close();
  });

  it("a lead goes from the dashboard to the review page, masks a drawn rectangle on one image and releases the other", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await signIn(page, seed.fx.lead.email, seed.fx.lead.password);
    await page.goto(`${baseUrl()}/projects/${seed.slug}/dashboard`);
    const link = page.getByTestId("burned-in-link").getByRole("link");
    await expect(link.textContent()).resolves.toMatch(/^2 images with possible burned-in text await your review/);
    await link.click();
    await page.waitForURL(`**/projects/${seed.slug}/review/burned-in`);
    await expect(page.getByTestId("burned-in-pending").textContent()).resolves.toMatch(/^2 images held back/);

    const canvas = page.getByTestId("burned-in-canvas");
    const img = canvas.getByRole("img");
    await img.evaluate((el: HTMLImageElement) =>
      el.complete && el.naturalWidth > 0 ? null : new Promise((r) => el.addEventListener("load", r, { once: true })),
    );
    expect(await img.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight])).toEqual([320, 256]);

    // Drag over the top-left text block: image pixels (8, 8) to (160, 40).
    const box = (await img.boundingBox())!;
    const sx = box.width / 320;
    const sy = box.height / 256;
    await page.mouse.move(box.x + 8 * sx + 0.5, box.y + 8 * sy + 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + 90 * sx, box.y + 25 * sy, { steps: 4 });
    await page.mouse.move(box.x + 160 * sx + 0.5, box.y + 40 * sy + 0.5, { steps: 4 });
    await page.mouse.up();
    await expect(page.getByTestId("burned-in-region-text").textContent()).resolves.toMatch(
      /Rectangle: x 8, y 8, 152×32 pixels/,
    );
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByRole("button", { name: "Mask the rectangle, then release" }).click();
    await page.waitForURL(`**/review/burned-in?image=${second.id}`);
    await expect(page.getByTestId("burned-in-pending").textContent()).resolves.toMatch(/^1 image held back/);

    const masked = await db().image.findUniqueOrThrow({ where: { id: first.id } });
    expect(masked).toMatchObject({
      burnedInReview: "MASKED",
      burnedInRegion: { x: 8, y: 8, width: 152, height: 32 },
      burnedInReviewedById: seed.fx.lead.id,
    });
    const working = await sharp(await store().get(masked.storageKey))
      .extractChannel(0)
      .raw()
      .toBuffer();
    for (let y = 8; y < 40; y++) for (let x = 8; x < 160; x++) expect(working[y * 320 + x]).toBe(0);
    expect(working[50 * 320 + 50]).toBeGreaterThan(0);

    await page.getByRole("button", { name: "Release: no identifying text" }).click();
    await page.waitForURL((u) => u.pathname.endsWith("/review/burned-in") && !u.search);
    await expect(page.getByTestId("burned-in-pending").textContent()).resolves.toMatch(
      /No image is waiting for review/,
    );
    expect((await db().image.findUniqueOrThrow({ where: { id: second.id } })).burnedInReview).toBe("RELEASED");
    const audits = await db().auditLog.count({
      where: { action: "image.burned_in_review", projectId: seed.projectId },
    });
    expect(audits).toBe(2);

    await page.goto(`${baseUrl()}/projects/${seed.slug}/dashboard`);
    await expect(page.getByTestId("burned-in-link").textContent()).resolves.toMatch(/No image is held back/);
    await page.close();
  });

  it("an MD cannot open the review page nor decide through the API", async () => {
    const page = await browser.newPage();
    await signIn(page, seed.fx.md.email, seed.fx.md.password);
    const r = await page.goto(`${baseUrl()}/projects/${seed.slug}/review/burned-in`);
    expect(r?.status()).toBe(404);
    const api = await page.evaluate(async (id) => {
      const res = await fetch(`/api/images/${id}/burned-in-review`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ decision: "RELEASE" }),
      });
      return res.status;
    }, second.id);
    expect(api).toBe(403);
    await page.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { db } from "../../lib/db/client";
import { readTar } from "../../lib/exports/tar-reader";
import { startRunner } from "../../workers/runner";
import { seedAcceptedProject } from "../setup/seed-accepted";
import { baseUrl, sameOrigin, launch, sessionCookie, signIn } from "./helpers";

// The app server and this process share the database and STORAGE_DIR (tests/e2e/app-setup.ts):
// the seed writes where the app reads, and the worker below builds what the app serves.
let browser: Browser;
let worker: ReturnType<typeof startRunner>;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  browser = await launch();
  seed = await seedAcceptedProject({ covid: 4, controls: 1, unaccepted: true, dicom: false });
  worker = startRunner({ names: ["export"], pollMs: 100 });
}, 180_000);

afterAll(async () => {
  await worker?.stop(5_000);
  await browser?.close();
});

describe("dataset export in the browser", () => {
  it("an exporter is told why a full export is refused, exports accepted images only, watches it finish and downloads it", async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, seed.fx.exporter.email, seed.fx.exporter.password);
    await page.goto(`${baseUrl()}/projects/${seed.slug}`);
    await page.getByTestId("action-export").click();
    await page.waitForURL(`**/projects/${seed.slug}/exports`);

    await page.getByRole("button", { name: "Export dataset" }).click();
    await expect(page.getByTestId("form-error").textContent()).resolves.toMatch(/1 chosen image has no accepted mask/);

    await page.getByLabel("Accepted only (leave out images without an accepted mask)").check();
    await page.getByRole("button", { name: "Export dataset" }).click();
    const row = page.getByTestId("export-row").first();
    await row.getByRole("button", { name: "Download" }).waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toMatch(/SUCCEEDED.*accepted only/);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("button", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^tandem-${seed.slug}-[0-9a-f]{12}\\.tar$`));
    const bytes = readFileSync((await download.path())!);
    const exp = await db().export.findFirstOrThrow({
      where: { projectId: seed.projectId, status: "SUCCEEDED" },
      orderBy: { createdAt: "desc" },
    });
    expect(sha(bytes)).toBe(exp.sha256);
    expect(readTar(bytes).filter((e) => e.path.includes("/Images/"))).toHaveLength(5);
    const job = await db().job.findUniqueOrThrow({ where: { singletonKey: `export:${exp.id}` } });
    expect(job.progress).toMatchObject({ phase: "done", done: 5, total: 5 });
    await context.close();
  });

  it("a signed link resumes with Range and works without a session; an MD sees no exports page", async () => {
    const exp = await db().export.findFirstOrThrow({
      where: { projectId: seed.projectId, status: "SUCCEEDED" },
      orderBy: { createdAt: "desc" },
    });
    const cookie = await sessionCookie(seed.fx.exporter.email, seed.fx.exporter.password);
    const link = await fetch(`${baseUrl()}/api/exports/${exp.id}/link`, {
      method: "POST",
      headers: { ...sameOrigin(), cookie, "content-type": "application/json" },
      body: JSON.stringify({ ttlSeconds: 120 }),
    });
    expect(link.status).toBe(200);
    const { url } = (await link.json()) as { url: string };
    const whole = await fetch(baseUrl() + url);
    expect(whole.headers.get("x-content-type-options")).toBe("nosniff");
    const full = Buffer.from(await whole.arrayBuffer());
    const tail = await fetch(baseUrl() + url, { headers: { range: "bytes=2048-" } });
    expect(tail.status).toBe(206);
    expect(Buffer.concat([full.subarray(0, 2048), Buffer.from(await tail.arrayBuffer())]).equals(full)).toBe(true);
    expect(sha(full)).toBe(exp.sha256);

    const mdCookie = await sessionCookie(seed.fx.md.email, seed.fx.md.password);
    expect(
      (
        await fetch(`${baseUrl()}/api/exports/${exp.id}/link`, {
          method: "POST",
          headers: { ...sameOrigin(), cookie: mdCookie, "content-type": "application/json" },
          body: "{}",
        })
      ).status,
    ).toBe(403);
    const page = await browser.newPage();
    await signIn(page, seed.fx.md.email, seed.fx.md.password);
    const r = await page.goto(`${baseUrl()}/projects/${seed.slug}/exports`);
    expect(r?.status()).toBe(404);
    await page.close();
  });
});

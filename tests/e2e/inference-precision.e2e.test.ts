import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import type { Browser } from "playwright-core";
import { db } from "../../lib/db/client";
import { makeProject } from "../setup/fixtures";
import { baseUrl, launch, signIn } from "./helpers";

// The lead opts the project into int8 prediction on the runs page; the choice is saved and audited.

let browser: Browser;
let fx: Awaited<ReturnType<typeof makeProject>>;
const shots = process.env.TMPDIR ?? "/tmp";

beforeAll(async () => {
  browser = await launch();
  fx = await makeProject();
}, 120_000);

afterAll(async () => browser?.close());

describe("prediction precision", () => {
  it("the lead switches from float32 to int8 on the runs page", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
    page.setDefaultTimeout(60_000);
    try {
      await signIn(page, fx.lead.email, fx.lead.password);
      await page.goto(`${baseUrl()}/projects/${fx.project.slug}/runs`);
      const select = page.getByTestId("precision-select");
      expect(await select.inputValue()).toBe("FLOAT32");
      const save = page.getByRole("button", { name: "Save" });
      expect(await save.isDisabled()).toBe(true); // nothing to save yet
      await select.selectOption("INT8");
      await save.click();
      // Saved: the page re-reads the project, and INT8 is now the current choice (nothing left to save).
      await expect.poll(() => save.isDisabled(), { timeout: 30_000 }).toBe(true);
      await page.screenshot({ path: path.join(shots, "inference-precision.png"), fullPage: true });
      await page.reload();
      expect(await page.getByTestId("precision-select").inputValue()).toBe("INT8");
      const project = await db().project.findUniqueOrThrow({ where: { id: fx.project.id } });
      expect(project.inferencePrecision).toBe("INT8");
      expect(
        await db().auditLog.count({ where: { projectId: fx.project.id, action: "project.inference_precision" } }),
      ).toBe(1);
    } finally {
      await page.context().close();
    }
  }, 120_000);
});

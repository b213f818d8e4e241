import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { baseUrl, launch, sessionCookie, signIn } from "./helpers";
import { db } from "../../lib/db/client";
import { seedProtocolState, type SeededProject } from "../setup/seed-protocol-state";

let browser: Browser;
let seeded: SeededProject;

beforeAll(async () => {
  browser = await launch();
  seeded = await seedProtocolState({ failedJobName: "dashboard-e2e-noop" });
});
afterAll(async () => browser?.close());

describe("lead dashboard in a real browser", () => {
  it("a lead sees the figures, the Dice streams in, and a failed job can be retried", async () => {
    const page = await browser.newPage();
    await signIn(page, seeded.lead.email, seeded.lead.password);
    const r = await page.goto(`${baseUrl()}/projects/${seeded.slug}/dashboard`);
    expect(r?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("dashboard");
    await expect(page.getByTestId("stage-headline").textContent()).resolves.toBe("Round 2 · Stage II · voting");
    await expect(page.getByTestId("seconds-per-mask").textContent()).resolves.toBe("82.3 s");
    await expect(page.getByTestId("kappa-all").textContent()).resolves.toBe("0.461");
    await expect(page.getByTestId("machine-share").textContent()).resolves.toContain("62.5%");
    await expect(page.getByTestId("dice-panel").textContent()).resolves.toContain("0.842");
    await expect(page.getByRole("button", { name: "Start Stage-II round 3" }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole("img", { name: /^Images by state/ }).getAttribute("aria-label")).resolves.toContain(
      "Accepted 16",
    );

    await page.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("button", { name: "Retry" }).waitFor({ state: "detached" });
    const job = await db().job.findUniqueOrThrow({ where: { id: seeded.failedJobId } });
    expect(job.status).toBe("QUEUED");
    await db().job.update({ where: { id: job.id }, data: { status: "CANCELLED" } });
    await page.close();
  });

  it("an MD is refused, in the page and in the JSON routes; a stranger sees nothing", async () => {
    const page = await browser.newPage();
    await signIn(page, seeded.mds[0].email, seeded.mds[0].password);
    await page.goto(`${baseUrl()}/projects/${seeded.slug}/dashboard`);
    await expect(page.getByTestId("forbidden").textContent()).resolves.toMatch(/Only the project's leads/);
    await expect(page.getByTestId("stage-headline").count()).resolves.toBe(0);
    await page.close();

    const md = await sessionCookie(seeded.mds[0].email, seeded.mds[0].password);
    const stranger = await sessionCookie(seeded.stranger.email, seeded.stranger.password);
    for (const path of ["dashboard", "dashboard/live"]) {
      const url = `${baseUrl()}/api/projects/${seeded.projectId}/${path}`;
      expect((await fetch(url, { headers: { cookie: md } })).status).toBe(403);
      expect((await fetch(url, { headers: { cookie: stranger } })).status).toBe(404);
    }
    const strangerPage = await browser.newPage();
    await signIn(strangerPage, seeded.stranger.email, seeded.stranger.password);
    expect((await strangerPage.goto(`${baseUrl()}/projects/${seeded.slug}/dashboard`))?.status()).toBe(404);
    await strangerPage.close();
  });

  it("the next-step button selects the Stage-I subset, then starts Stage I", async () => {
    const fresh = await seedProtocolState({ phase: "not-started", failedJobName: "dashboard-e2e-noop" });
    const page = await browser.newPage();
    await signIn(page, fresh.lead.email, fresh.lead.password);
    await page.goto(`${baseUrl()}/projects/${fresh.slug}/dashboard`);
    await page.getByRole("button", { name: "Select Stage-I subset" }).click();
    await page.getByText("Not started: Stage-I subset of 6 images chosen").waitFor();
    await page.getByRole("button", { name: "Start Stage I" }).click();
    await page.getByText("Round 1 · Stage I · manual drawing").waitFor();
    await expect(page.getByRole("list", { name: "Blockers" }).textContent()).resolves.toContain(
      "6 Stage-I images still lack a manual mask",
    );
    await expect(page.getByRole("button", { name: "Start Stage-I training" }).isDisabled()).resolves.toBe(true);
    expect(await db().round.count({ where: { projectId: fresh.projectId } })).toBe(1);
    await page.close();
  });

  it("the live route serves the lead the current round's runs, jobs and workers", async () => {
    const lead = await sessionCookie(seeded.lead.email, seeded.lead.password);
    const r = await fetch(`${baseUrl()}/api/projects/${seeded.projectId}/dashboard/live`, {
      headers: { cookie: lead },
    });
    expect(r.status).toBe(200);
    const live = (await r.json()) as { runs: unknown[]; workers: { id: string }[] };
    expect(live.runs).toHaveLength(5);
    expect(live.workers.map((w) => w.id)).toContain(`seed-worker-${seeded.projectId.slice(0, 8)}`);
  });
});

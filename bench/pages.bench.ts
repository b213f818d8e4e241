// `npm run bench pages`: how long each page takes to load in Chromium against the production
// build, on a fresh embedded PostgreSQL with the demo projects (`npm start`'s seed) and a seeded
// protocol history (runs, disputes, a Stage-II vote). Per page: server time (request sent →
// first byte of the HTML), time to interactive (load event: every script fetched, run and the
// page hydrated) and settled (the page's own follow-up requests — images, drafts, ballots —
// answered), each the median of LOADS loads with the spread (min–max). The 1-minute load
// average at start is printed with the table: on a shared machine, read the figures against it.
import os from "node:os";
import { benchEnvironment, serveBuiltApp } from "./app-server";

type Row = { name: string; value: number; unit: string; note?: string };

const LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 7);
const QUIET_MS = 300;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function run(): Promise<Row[]> {
  const load1 = os.loadavg()[0];
  const { dir, env, cleanup } = await benchEnvironment("tandem-bench-pages-");
  let app: Awaited<ReturnType<typeof serveBuiltApp>> | undefined;
  const { launch } = await import("../tests/e2e/helpers");
  let browser: import("playwright-core").Browser | undefined;
  try {
    const { seedDemo } = await import("../lib/demo/seed-demo");
    const { seedProtocolState } = await import("../tests/setup/seed-protocol-state");
    const { closeDb } = await import("../lib/db/client");
    const demo = await seedDemo({ dataDir: dir });
    const seeded = await seedProtocolState({ failedJobName: "bench-pages-noop" });
    await closeDb();
    const pw = (role: string) => demo.credentials.find((c) => c.role === role)!;

    app = await serveBuiltApp(env, 90_000);
    const base = app.base;

    browser = await launch();
    const as = async (email: string, password: string) => {
      const ctx = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(`${base}/login`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 60_000 });
      return page;
    };
    const md = await as(pw("MD").email, pw("MD").password);
    const lead = await as(pw("LEAD").email, pw("LEAD").password);
    const exporter = await as(pw("EXPORTER").email, pw("EXPORTER").password);
    const seededLead = await as(seeded.lead.email, seeded.lead.password);
    const seededMd = await as(seeded.mds[0].email, seeded.mds[0].password);

    // Links only the pages themselves know (a run id, a disputed image).
    await seededLead.goto(`${base}/projects/${seeded.slug}/dashboard`);
    const disputeHref = await seededLead.locator('a[href*="/disputes/"]').first().getAttribute("href");
    await seededLead.goto(`${base}/projects/${seeded.slug}/runs`);
    const runHref = await seededLead.locator('a[href*="/runs/"]:not([href*="/stage/"])').first().getAttribute("href");

    const pages: { name: string; page: import("playwright-core").Page; path: string }[] = [
      { name: "projects (MD)", page: md, path: "/" },
      { name: "draw (MD)", page: md, path: "/projects/demo/draw" },
      { name: "vote, Stage II ballot (MD)", page: seededMd, path: `/projects/${seeded.slug}/vote` },
      { name: "project overview (lead)", page: lead, path: "/projects/demo" },
      { name: "dashboard, demo (lead)", page: lead, path: "/projects/demo/dashboard" },
      { name: "dashboard, history (lead)", page: seededLead, path: `/projects/${seeded.slug}/dashboard` },
      { name: "runs (lead)", page: seededLead, path: `/projects/${seeded.slug}/runs` },
      ...(runHref ? [{ name: "run report (lead)", page: seededLead, path: runHref }] : []),
      { name: "stage report (lead)", page: seededLead, path: `/projects/${seeded.slug}/runs/stage/stage-1` },
      ...(disputeHref ? [{ name: "dispute (lead)", page: seededLead, path: disputeHref }] : []),
      { name: "analyse (lead)", page: seededLead, path: `/projects/${seeded.slug}/analyse` },
      { name: "import (lead)", page: lead, path: "/projects/demo/import" },
      { name: "new project (admin view: lead)", page: lead, path: "/projects/new" },
      { name: "exports (exporter)", page: exporter, path: "/projects/demo/exports" },
    ];

    const rows: Row[] = [];
    for (const p of pages) {
      const server: number[] = [];
      const tti: number[] = [];
      const settled: number[] = [];
      let status = 0;
      for (let i = 0; i <= LOADS; i++) {
        let inFlight = 0;
        let lastEnd = 0;
        const started = (r: import("playwright-core").Request) => {
          if (r.frame() === p.page.mainFrame()) inFlight++;
        };
        const ended = (r: import("playwright-core").Request) => {
          if (r.frame() === p.page.mainFrame()) {
            inFlight--;
            lastEnd = Date.now();
          }
        };
        p.page.on("request", started);
        p.page.on("requestfinished", ended);
        p.page.on("requestfailed", ended);
        const t0 = Date.now();
        const res = await p.page.goto(`${base}${p.path}`, { waitUntil: "load", timeout: 60_000 });
        status = res?.status() ?? 0;
        // Settled: nothing in flight for QUIET_MS (streams such as live-progress polls are capped at 15 s).
        let quietSince = Date.now();
        while (Date.now() - t0 < 15_000) {
          await new Promise((r) => setTimeout(r, 25));
          if (inFlight > 0) quietSince = Date.now();
          else if (Date.now() - quietSince >= QUIET_MS) break;
        }
        p.page.off("request", started);
        p.page.off("requestfinished", ended);
        p.page.off("requestfailed", ended);
        const nav = await p.page.evaluate(() => {
          const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
          return { server: n.responseStart - n.requestStart, load: n.loadEventEnd, origin: performance.timeOrigin };
        });
        if (i === 0) continue; // first load warms the route (compiled server chunks, caches)
        server.push(nav.server);
        tti.push(nav.load);
        settled.push(Math.max(nav.load, lastEnd - nav.origin));
      }
      const spread = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
      rows.push({
        name: p.name,
        value: Math.round(median(tti)),
        unit: "ms",
        note: `interactive ${spread(tti)}; server ${Math.round(median(server))} (${spread(server)}); settled ${Math.round(median(settled))} (${spread(settled)}); HTTP ${status}; ${LOADS} loads; load avg ${load1.toFixed(2)}`,
      });
    }
    return rows;
  } finally {
    await browser?.close().catch(() => undefined);
    await app?.stop();
    await cleanup();
  }
}

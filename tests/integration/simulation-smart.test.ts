import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { syntheticImages } from "../../cli/simulation/sources";
import { runSimulation } from "../../cli/simulation/run-simulation";
import { formatReport } from "../../cli/simulation/report";
import { tinyNetworks } from "../setup/protocol";
import { smallSimulation } from "../setup/simulation-options";

// The simulator with the Smart tool on: the click model (here the echo model, whose proposal is
// the click disks) is registered as the project's, simulated MDs may draw with it, and every mask
// they make with it records the clicks and the model version, as the workspace does.
describe("protocol simulation with the Smart tool", () => {
  it("registers the click model, draws with it where it pays, and reports MD-seconds with and without it", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "tandem-echo-sim-"));
    const r = spawnSync(process.env.PYTHON ?? "/usr/bin/python3", ["-m", "tools.interactive_echo_model", "64", out], {
      cwd: path.resolve("workers/trainer"),
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(r.stderr);
    const bytes = new Uint8Array(readFileSync(path.join(out, "interactive.onnx")));
    const images = await syntheticImages({ count: 16, covidFraction: 0.9, width: 128, seed: 5 });
    const report = await runSimulation(
      smallSimulation(images, {
        s1Size: 8,
        stage1Archs: tinyNetworks("unet"),
        stage2Networks: tinyNetworks("unet"),
        models: { kind: "stub", quality: 0.8 },
        clickModel: {
          bytes,
          meta: { size: 64, clickRadiusFraction: 0.12, minClickRadius: 2, version: "echo" },
          label: "echo",
        },
      }),
    );
    const text = formatReport(report);
    console.log(text);
    expect(await db().interactiveModel.count({ where: { projectId: report.projectId } })).toBe(1);
    const smart = report.smartTool!;
    expect(smart).toBeDefined();
    expect(text).toMatch(/^Smart tool: \d+ drawings with \d+ clicks/m);
    const drawn = await db().mask.findMany({
      where: { projectId: report.projectId, kind: { in: ["MANUAL", "REDRAW"] } },
      select: { provenance: true },
    });
    const withSmart = drawn.filter(
      (m) => (m.provenance as { interactiveModelVersion?: number } | null)?.interactiveModelVersion === 1,
    );
    expect(smart.drawings).toBeGreaterThan(0);
    expect(withSmart.length).toBe(smart.drawings);
    const clicks = withSmart.reduce((a, m) => a + (m.provenance as { smartClicks: number }).smartClicks, 0);
    expect(clicks).toBe(smart.clicks);
    expect(smart.clicks).toBeGreaterThanOrEqual(smart.drawings);
    expect(report.mdSeconds.smart).toBeCloseTo(smart.seconds, 6);
    expect(smart.handSeconds).toBeGreaterThan(0);
  }, 900_000);
});

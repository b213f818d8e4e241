// Every `npx tandem` command is as strict as `evaluate` (issue 15): run as a user runs it, from a
// folder outside the repository, a mistyped option is refused with the nearest valid one before
// anything runs, and paths are the caller's.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../cli/commands";
import { runTandem } from "../setup/tandem-process";

let caller: string;
beforeAll(() => {
  caller = mkdtempSync(path.join(os.tmpdir(), "tandem-caller-"));
});
afterAll(() => rmSync(caller, { recursive: true, force: true }));

// One mistyped option per command (and sub-command), with the option it must suggest.
const typos: Record<string, { argv: string[]; suggests: string }[]> = {
  import: [{ argv: ["--projct", "p", "x"], suggests: "--project" }],
  "click-model": [{ argv: ["import", "out", "--projcet", "p"], suggests: "--project" }],
  export: [{ argv: ["--ot", "x.tar"], suggests: "--out" }],
  project: [
    { argv: ["create", "--nmae", "x"], suggests: "--name" },
    { argv: ["members", "slug", "--rols", "MD"], suggests: "--roles" },
  ],
  user: [{ argv: ["add", "--emial", "a@b.c"], suggests: "--email" }],
  simulate: [
    { argv: ["--epohcs", "3"], suggests: "--epochs" },
    { argv: ["--sweep-model", "0.5"], suggests: "--sweep-models" },
  ],
  evaluate: [{ argv: ["--treshold", "0.3"], suggests: "--threshold" }],
  train: [{ argv: ["--data", "d", "--epoch", "3"], suggests: "--epochs" }],
  weights: [{ argv: ["import", "w.pth", "--sha265", "ab"], suggests: "--sha256" }],
};

describe("npx tandem, from another folder", () => {
  it("every command refuses a mistyped option with the nearest valid one, and exits 1 before doing anything", async () => {
    // A command added to the registry without a row here fails this test.
    expect(Object.keys(typos).sort()).toEqual(Object.keys(commands).sort());
    const cases = Object.entries(typos).flatMap(([name, rows]) => rows.map((r) => ({ name, ...r })));
    const runs = await Promise.all(cases.map((c) => runTandem([c.name, ...c.argv], { cwd: caller })));
    cases.forEach((c, i) => {
      const typo = c.argv.find((a) => a.startsWith("--") && a !== "--data")!;
      expect({ command: c.name, code: runs[i].code, stderr: runs[i].stderr.trim() }).toEqual({
        command: c.name,
        code: 1,
        stderr: expect.stringContaining(`tandem ${c.name}: unknown option ${typo}; did you mean ${c.suggests}?`),
      });
    });
  }, 180_000);

  it("refuses a stray argument, a value option without its value, and a mistyped command", async () => {
    const [stray, missing, command] = await Promise.all([
      runTandem(["export", "--out", "x.tar", "extra"], { cwd: caller }),
      runTandem(["simulate", "--epochs"], { cwd: caller }),
      runTandem(["exprot", "--out", "x.tar"], { cwd: caller }),
    ]);
    expect([stray.code, stray.stderr]).toEqual([1, expect.stringContaining('unexpected argument "extra"')]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining("--epochs needs a value")]);
    expect([command.code, command.stderr]).toEqual([
      2,
      expect.stringContaining("unknown command exprot; did you mean export?"),
    ]);
  }, 120_000);

  it("reads relative paths from the caller's folder, even when an outer npm left a stale INIT_CWD", async () => {
    const env = { INIT_CWD: os.tmpdir() };
    const [sim, evaluate] = await Promise.all([
      runTandem(["simulate", "--data", "cxr"], { cwd: caller, env }),
      runTandem(["evaluate", "--model", "model.onnx", "--data", "cxr"], { cwd: caller, env }),
    ]);
    expect([sim.code, sim.stderr]).toEqual([
      1,
      expect.stringContaining(`${path.join(caller, "cxr")} needs images/ and masks/ folders`),
    ]);
    expect([evaluate.code, evaluate.stderr]).toEqual([
      1,
      expect.stringContaining(`--model model.onnx: no such file (${path.join(caller, "model.onnx")})`),
    ]);
  }, 120_000);
});

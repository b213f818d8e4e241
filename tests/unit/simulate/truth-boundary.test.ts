import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";

// Runtime half: record who opens the truth while readers read, draw and vote.
const openedFrom: string[] = [];
vi.mock("../../../lib/simulate/truth", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../lib/simulate/truth")>();
  return {
    ...real,
    unsealTruth: (t: Parameters<typeof real.unsealTruth>[0]) => {
      openedFrom.push(new Error().stack ?? "");
      return real.unsealTruth(t);
    },
  };
});

const { sealTruth, unsealTruth } = await import("../../../lib/simulate/truth");
const { readImage } = await import("../../../lib/simulate/latent-reading");
const { drawFromReading, editFromCandidate, closestCandidate } = await import("../../../lib/simulate/reader-draw");
const { voteNWay, votePairwise, wouldAccept } = await import("../../../lib/simulate/reader-vote");
const { DEFAULT_PANEL } = await import("../../../lib/simulate/reader-profile");
const { generateCxr } = await import("../../../lib/simulate/synthetic-cxr");

const root = path.resolve(import.meta.dirname, "../../..");
const dirs = ["lib/simulate", "cli/simulation", "cli/commands"];
const files = dirs.flatMap((d) =>
  readdirSync(path.join(root, d))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(d, f)),
);
const src = (f: string) => readFileSync(path.join(root, f), "utf8");

/** Value (not type-only) imports and re-exports of a module, resolved to repository paths. */
function valueImports(file: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s+"([^"]+)"/g;
  for (const m of src(file).matchAll(re)) {
    if (m[2] || !m[4].startsWith(".")) continue;
    out.push(path.join(path.dirname(file), m[4]) + ".ts");
  }
  return out;
}

function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const f of valueImports(file)) closure(f, seen);
  return seen;
}

describe("no simulated reader sees the truth", () => {
  it("only the reading model, model stubs and the report open the sealed truth", () => {
    const openers = files.filter((f) => f !== "lib/simulate/truth.ts" && /\bunsealTruth\b/.test(src(f)));
    expect(openers.sort()).toEqual([
      "cli/simulation/model-stub.ts",
      "cli/simulation/report.ts",
      "lib/simulate/latent-reading.ts",
    ]);
  });

  it("the drawing, voting and timing modules cannot reach the truth module or the reading model", () => {
    for (const f of [
      "lib/simulate/reader-draw.ts",
      "lib/simulate/reader-vote.ts",
      "lib/simulate/reader-smart.ts",
      "lib/simulate/time-model.ts",
      "cli/simulation/manual-arm.ts",
    ]) {
      const reach = closure(f);
      expect(reach.has("lib/simulate/truth.ts"), `${f} reaches truth.ts`).toBe(false);
      expect(reach.has("lib/simulate/latent-reading.ts"), `${f} reaches latent-reading.ts`).toBe(false);
      expect(reach.has("cli/simulation/report.ts"), `${f} reaches the report`).toBe(false);
    }
    // The protocol arm hands readers readings; it never imports the opener of the truth.
    expect(src("cli/simulation/run-simulation.ts")).not.toMatch(/from "\.\.\/\.\.\/lib\/simulate\/truth"/);
  });

  it("every exported function of the drawing and voting modules is covered by the type-level check below", () => {
    for (const f of ["lib/simulate/reader-draw.ts", "lib/simulate/reader-vote.ts", "lib/simulate/reader-smart.ts"]) {
      const exported = [...src(f).matchAll(/export (?:async )?function (\w+)\(([^)]*)\)/g)];
      expect(exported.length).toBeGreaterThan(0);
      for (const [, name, params] of exported)
        expect(params, `${f} ${name}`).not.toMatch(/truth|SealedTruth|SimImage/i);
    }
    // Compiled by `npx tsc --noEmit -p .`: fails to typecheck if any parameter could take the truth.
    const verdict: [DrawClean, VoteClean, SmartClean] = [true, true, true];
    expect(verdict).toEqual([true, true, true]);
  });

  it("at run time, drawing and voting refuse the truth, and only the reading model opens it", () => {
    const img = generateCxr({ seed: 77, width: 128, label: "covid" });
    const truth = sealTruth(img.mask, img.width, img.height);
    const reader = DEFAULT_PANEL[0];
    openedFrom.length = 0;
    const reading = readImage(
      truth,
      { key: "x", width: img.width, height: img.height, pixels: img.pixels, label: "COVID" },
      reader,
    );
    const drawn = drawFromReading(reading, reader);
    const other = drawFromReading(
      readImage(
        truth,
        { key: "x", width: img.width, height: img.height, pixels: img.pixels, label: "COVID" },
        DEFAULT_PANEL[1],
      ),
      DEFAULT_PANEL[1],
    );
    voteNWay(reading, [drawn, other], reader, { key: "k", allowNone: true });
    votePairwise(reading, [drawn, other], reader, { key: "k", allowNone: false });
    editFromCandidate(reading, other, reader);
    expect(openedFrom.length).toBe(2);
    for (const s of openedFrom) expect(s).toMatch(/latent-reading\.ts/);

    const opened = unsealTruth(truth);
    const asReading = { ...reading, mask: opened };
    expect(() => drawFromReading(asReading, reader)).toThrow(/ground truth/);
    expect(() => voteNWay(reading, [drawn, opened], reader, { key: "k", allowNone: true })).toThrow(/ground truth/);
    expect(() => votePairwise(asReading, [drawn], reader, { key: "k", allowNone: true })).toThrow(/ground truth/);
    expect(() => wouldAccept(reading, opened, reader, "k")).toThrow(/ground truth/);
    expect(() => editFromCandidate(reading, opened, reader)).toThrow(/ground truth/);
    expect(() => closestCandidate(reading, [opened])).toThrow(/ground truth/);
  });
});

// Type-level boundary: no parameter of any exported function of reader-draw / reader-vote (nor any
// property of one, a few levels deep) accepts a SealedTruth. `unknown`, `object` or `any` would.
type SealedTruthT = import("../../../lib/simulate/truth").SealedTruth;
type Accepts<T, D extends unknown[] = []> = D["length"] extends 4
  ? false
  : [SealedTruthT] extends [T]
    ? true
    : T extends ArrayBufferView | string | number | boolean | bigint | symbol | null | undefined
      ? false
      : T extends readonly (infer E)[]
        ? Accepts<E, [...D, 1]>
        : T extends object
          ? true extends { [K in keyof T]-?: Accepts<T[K], [...D, 1]> }[keyof T]
            ? true
            : false
          : false;
type ParamsClean<M> = {
  [K in keyof M]: M[K] extends (...args: infer P) => unknown
    ? true extends { [I in keyof P]: Accepts<P[I]> }[number]
      ? K
      : never
    : never;
}[keyof M];
type DrawClean = [ParamsClean<typeof import("../../../lib/simulate/reader-draw")>] extends [never] ? true : false;
type VoteClean = [ParamsClean<typeof import("../../../lib/simulate/reader-vote")>] extends [never] ? true : false;
type SmartClean = [ParamsClean<typeof import("../../../lib/simulate/reader-smart")>] extends [never] ? true : false;

import { beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { db } from "../../lib/db/client";
import { decodeMaskPng, encodeMaskPng } from "../../lib/masks/png-codec";
import { claimNextTask, submitTask } from "../../lib/drawing/mutations";
import { assistStatus, proposeForTask } from "../../lib/assist/queries";
import { registerInteractiveModel, requestInteractiveTraining } from "../../lib/assist/mutations";
import { parseProvenanceHeader } from "../../lib/assist/provenance";
import { makeDrawingProject } from "../setup/drawing";
import { echoClickModel } from "../setup/echo-click-model";

// The echo model returns the click disks themselves, so the test sees exactly where a click lands.
const SIZE = 64;
let echo: Uint8Array;
beforeAll(() => {
  echo = echoClickModel(SIZE).bytes;
}, 120_000);

const meta = { size: SIZE, click_radius_fraction: 0.05, min_click_radius: 2 };
const code = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e) => (e instanceof ZodError ? "BAD_REQUEST" : (e.code ?? String(e))),
  );

async function setup() {
  const fx = await makeDrawingProject({ images: 1, mds: 2, width: 320, height: 256 });
  const task = (await claimNextTask(fx.md.actor, fx.project.id))!;
  return { fx, task };
}

async function decode(b64: string) {
  return await decodeMaskPng(Buffer.from(b64, "base64"), { maxPixels: 1e7 });
}

describe("assist: click proposals on the server", () => {
  it("refuses without a model, then proposes a mask around the click at native size", async () => {
    const { fx, task } = await setup();
    expect(await assistStatus(fx.md.actor, task.id)).toEqual({ modelVersion: null, browser: null });
    expect(await code(proposeForTask(fx.md.actor, task.id, { clicks: [{ x: 100, y: 80, positive: true }] }))).toBe(
      "CONFLICT",
    );
    await registerInteractiveModel(fx.project.id, { bytes: echo, meta, trainedOnMasks: 0 });
    const status = await assistStatus(fx.md.actor, task.id);
    expect(status.modelVersion).toBe(1);
    // The browser runs the same file: its address (role-checked route), hash, settings and runtime.
    expect(status.browser).toMatchObject({
      url: `/api/projects/${fx.project.id}/interactive/models/1`,
      size: SIZE,
      clickRadiusFraction: 0.05,
      minClickRadius: 2,
      runtime: { entry: expect.stringMatching(/^\/api\/ort\/\d+\.\d+\.\d+\/ort\.wasm\.min\.mjs$/) },
    });
    expect(status.browser?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const p = await proposeForTask(fx.md.actor, task.id, { clicks: [{ x: 100, y: 80, positive: true }] });
    expect(p.modelVersion).toBe(1);
    const m = await decode(p.mask);
    expect([m.width, m.height]).toEqual([320, 256]);
    expect(m.mask[80 * 320 + 100]).toBe(1);
    expect(m.mask[80 * 320 + 200]).toBe(0);
    expect(m.mask[200 * 320 + 100]).toBe(0);
    // Radius 3 model pixels = 15 native pixels across x (320/64), 12 across y (256/64).
    let area = 0;
    for (const v of m.mask) area += v;
    expect(area).toBeGreaterThan(400);
    expect(area).toBeLessThan(1600);

    // A negative click on the same spot removes it again.
    const q = await proposeForTask(fx.md.actor, task.id, {
      clicks: [
        { x: 100, y: 80, positive: true },
        { x: 100, y: 80, positive: false },
      ],
    });
    expect((await decode(q.mask)).mask[80 * 320 + 100]).toBe(0);
  });

  it("checks clicks, the current mask and who asks", async () => {
    const { fx, task } = await setup();
    await registerInteractiveModel(fx.project.id, { bytes: echo, meta, trainedOnMasks: 0 });
    expect(await code(proposeForTask(fx.md.actor, task.id, { clicks: [{ x: 320, y: 10, positive: true }] }))).toBe(
      "BAD_REQUEST",
    );
    expect(await code(proposeForTask(fx.md.actor, task.id, { clicks: [] }))).toBe("BAD_REQUEST");
    const wrongSize = Buffer.from(encodeMaskPng(new Uint8Array(10 * 10), 10, 10)).toString("base64");
    expect(
      await code(
        proposeForTask(fx.md.actor, task.id, { clicks: [{ x: 1, y: 1, positive: true }], current: wrongSize }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await code(proposeForTask(fx.mds[1].actor, task.id, { clicks: [{ x: 1, y: 1, positive: true }] }))).toBe(
      "FORBIDDEN",
    );
    expect(await code(proposeForTask(fx.lead.actor, task.id, { clicks: [{ x: 1, y: 1, positive: true }] }))).toBe(
      "FORBIDDEN",
    );
  });

  it("takes the current mask at native size as the model's third input", async () => {
    const { fx, task } = await setup();
    await registerInteractiveModel(fx.project.id, { bytes: echo, meta, trainedOnMasks: 0 });
    const full = Buffer.from(encodeMaskPng(new Uint8Array(320 * 256).fill(1), 320, 256)).toString("base64");
    const p = await proposeForTask(fx.md.actor, task.id, { clicks: [{ x: 10, y: 10, positive: true }], current: full });
    expect((await decode(p.mask)).mask[128 * 320 + 160]).toBe(0);
  });
});

describe("assist: training on request", () => {
  it("only a lead asks, and only once masks are accepted", async () => {
    const { fx } = await setup();
    expect(await code(requestInteractiveTraining(fx.md.actor, fx.project.id))).toBe("FORBIDDEN");
    expect(await code(requestInteractiveTraining(fx.lead.actor, fx.project.id))).toBe("CONFLICT");
  });
});

describe("assist: provenance of a drawn mask", () => {
  it("records tools, clicks and the model version; refuses a version the project lacks", async () => {
    const { fx, task } = await setup();
    await registerInteractiveModel(fx.project.id, { bytes: echo, meta, trainedOnMasks: 3 });
    const png = encodeMaskPng(new Uint8Array(320 * 256).fill(1, 0, 5000), 320, 256);
    const bad = parseProvenanceHeader(JSON.stringify({ interactiveModelVersion: 2, toolMs: { smart: 1000 } }));
    expect(
      await code(
        submitTask(fx.md.actor, task.id, png, { elapsedMs: 1000, idempotencyKey: "assist-prov-0", provenance: bad }),
      ),
    ).toBe("BAD_REQUEST");
    const provenance = parseProvenanceHeader(
      JSON.stringify({
        interactiveModelVersion: 1,
        toolMs: { smart: 4200, brush: 800 },
        smartClicks: 4,
        smartBrowserClicks: 3,
        smartAccepts: 1,
        startedFrom: "empty",
      }),
    );
    const r = await submitTask(fx.md.actor, task.id, png, {
      elapsedMs: 5000,
      idempotencyKey: "assist-prov-1",
      provenance,
    });
    const mask = await db().mask.findUniqueOrThrow({ where: { id: r.maskId } });
    expect(mask.kind).toBe("MANUAL");
    expect(mask.authorId).toBe(fx.md.id);
    expect(mask.provenance).toEqual({
      interactiveModelVersion: 1,
      toolMs: { smart: 4200, brush: 800 },
      smartClicks: 4,
      smartBrowserClicks: 3,
      smartAccepts: 1,
      startedFrom: "empty",
    });
  });

  it("rejects a malformed provenance header with a clear message", () => {
    expect(() => parseProvenanceHeader("{not json")).toThrow(/not valid JSON/);
    expect(() => parseProvenanceHeader(JSON.stringify({ toolMs: { magic: 5 } }))).toThrow(ZodError);
    expect(parseProvenanceHeader(null)).toBeNull();
  });
});

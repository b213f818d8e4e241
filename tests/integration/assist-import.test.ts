// Importing a pre-trained click model (`tandem click-model import`), and who may download a
// project's click model for the browser: the same domain functions the routes call.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { claimNextTask } from "../../lib/drawing/mutations";
import { assistStatus, clickModelFile } from "../../lib/assist/queries";
import { registerInteractiveModel } from "../../lib/assist/mutations";
import { browserRuntimeFile } from "../../lib/assist/browser-runtime";
import { run as clickModel } from "../../cli/commands/click-model";
import { makeDrawingProject } from "../setup/drawing";
import { makeUser } from "../setup/fixtures";
import { captureLog } from "../setup/cli-capture";
import { echoClickModel } from "../setup/echo-click-model";

const SIZE = 64;
let dir: string;
let echo: Uint8Array;
const saved = process.env.TANDEM_DATA_DIR;

/** A trainer out folder: interactive.onnx and the meta.json the trainer writes beside it. */
function outFolder(name: string, bytes: Uint8Array, sha256 = createHash("sha256").update(bytes).digest("hex")) {
  const out = path.join(dir, name);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "interactive.onnx"), bytes);
  writeFileSync(
    path.join(out, "meta.json"),
    JSON.stringify({
      kind: "interactive",
      sha256,
      size: SIZE,
      click_radius_fraction: 0.05,
      min_click_radius: 2,
      settings: { version: "bench-cxr-train" },
    }),
  );
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-click-import-"));
  process.env.TANDEM_DATA_DIR = dir;
  echo = echoClickModel(SIZE).bytes;
}, 120_000);
afterAll(() => {
  process.env.TANDEM_DATA_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

const cli = (argv: string[]) => captureLog(() => clickModel(argv));

describe("importing a pre-trained click model", () => {
  it("a lead imports the trainer's folder; it becomes the next version, recorded as imported, and the Smart tool offers it", async () => {
    const fx = await makeDrawingProject({ images: 1, width: 320, height: 256 });
    const task = (await claimNextTask(fx.md.actor, fx.project.id))!;
    await registerInteractiveModel(fx.project.id, {
      bytes: echo,
      meta: { size: SIZE, click_radius_fraction: 0.05, min_click_radius: 2 },
      trainedOnMasks: 0,
    });
    const folder = outFolder("good", echo);
    const said = await cli([
      "import",
      path.relative(process.cwd(), folder),
      "--project",
      fx.project.slug,
      "--as",
      fx.lead.email,
      "--note",
      "1,000 cxr-train masks",
    ]);
    expect(said).toMatch(/^imported click model version 2 into /);
    const row = await db().interactiveModel.findUniqueOrThrow({
      where: { projectId_version: { projectId: fx.project.id, version: 2 } },
    });
    const sha = createHash("sha256").update(echo).digest("hex");
    expect(row).toMatchObject({ origin: "IMPORTED", sha256: sha, trainedOnMasks: 0 });
    expect(row.originNote).toBe(`trainer version bench-cxr-train, sha256 ${sha.slice(0, 12)}; 1,000 cxr-train masks`);
    expect(row.meta).toMatchObject({ size: SIZE, click_radius_fraction: 0.05, trainer_version: "bench-cxr-train" });
    const audit = await db().auditLog.findFirstOrThrow({
      where: { action: "interactive_model.import", objectId: row.id },
    });
    expect(audit.actorId).toBe(fx.lead.id);
    // The version a retraining makes is TRAINED; the list shows both with their origin.
    expect(
      (await db().interactiveModel.findFirstOrThrow({ where: { projectId: fx.project.id, version: 1 } })).origin,
    ).toBe("TRAINED");
    const listed = await cli(["list", "--project", fx.project.slug, "--as", fx.lead.email]);
    expect(listed).toMatch(/^v2 {2}imported .*trainer version bench-cxr-train.*1,000 cxr-train masks$/m);
    expect(listed).toMatch(/^v1 {2}trained .*trained on 0 accepted masks$/m);
    const status = await assistStatus(fx.md.actor, task.id);
    expect(status.modelVersion).toBe(2);
    expect(status.browser).toMatchObject({ url: `/api/projects/${fx.project.id}/interactive/models/2`, sha256: sha });
  }, 60_000);

  it("refuses a non-lead, a damaged copy, a file that is not a click model, an oversized one, and a folder without the files", async () => {
    const fx = await makeDrawingProject({ images: 1, width: 96, height: 96 });
    const args = (folder: string, as: string) => ["import", folder, "--project", fx.project.slug, "--as", as];
    await expect(cli(args(outFolder("md", echo), fx.md.email))).rejects.toThrow("This needs one of the roles LEAD");
    await expect(cli(args(outFolder("damaged", echo, "0".repeat(64)), fx.lead.email))).rejects.toThrow(
      /has SHA-256 [0-9a-f]{12}…, but its meta\.json says 000000000000…/,
    );
    const junk = new TextEncoder().encode("not an onnx graph at all");
    await expect(cli(args(outFolder("junk", junk), fx.lead.email))).rejects.toThrow(
      "interactive.onnx is not a click model Tandem can run",
    );
    const huge = new Uint8Array(33 * 1024 * 1024);
    await expect(cli(args(outFolder("huge", huge), fx.lead.email))).rejects.toThrow(
      "The click model is 33.0 MiB; the limit is 32 MiB",
    );
    await expect(cli(args(dir + "/nowhere", fx.lead.email))).rejects.toThrow("no interactive.onnx there");
    await expect(cli(["import", outFolder("typo", echo), "--projet", fx.project.slug])).rejects.toThrow(
      "unknown option --projet; did you mean --project?",
    );
    expect(await db().interactiveModel.count({ where: { projectId: fx.project.id } })).toBe(0);
  }, 60_000);
});

describe("the click model file for the browser", () => {
  it("goes to an MD holding a drawing task of the project, to no one else", async () => {
    const fx = await makeDrawingProject({ images: 2, mds: 2, width: 96, height: 96 });
    const other = await makeDrawingProject({ images: 1 });
    const stranger = await makeUser();
    await registerInteractiveModel(fx.project.id, {
      bytes: echo,
      meta: { size: SIZE, click_radius_fraction: 0.05, min_click_radius: 2 },
      trainedOnMasks: 0,
    });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "OK",
        (e) => e.code ?? String(e),
      );
    const [md, md2] = fx.mds;
    // Before claiming a task an MD has no drawing task: refused.
    expect(await code(clickModelFile(md.actor, fx.project.id, 1))).toBe("FORBIDDEN");
    await claimNextTask(md.actor, fx.project.id);
    const file = await clickModelFile(md.actor, fx.project.id, 1);
    expect(Buffer.compare(file.bytes, Buffer.from(echo))).toBe(0);
    expect(file.sha256).toBe(createHash("sha256").update(echo).digest("hex"));
    expect(await code(clickModelFile(md.actor, fx.project.id, 2))).toBe("NOT_FOUND");
    expect(await code(clickModelFile(md2.actor, fx.project.id, 1))).toBe("FORBIDDEN");
    expect(await code(clickModelFile(fx.lead.actor, fx.project.id, 1))).toBe("FORBIDDEN");
    expect(await code(clickModelFile(fx.admin.actor, fx.project.id, 1))).toBe("FORBIDDEN");
    // An MD of another project, even holding a task there, and a stranger: the project is not revealed.
    await claimNextTask(other.md.actor, other.project.id);
    expect(await code(clickModelFile(other.md.actor, fx.project.id, 1))).toBe("NOT_FOUND");
    expect(await code(clickModelFile(stranger.actor, fx.project.id, 1))).toBe("NOT_FOUND");
  });

  it("serves only the runtime files the wasm backend needs, for the installed version", async () => {
    const version = JSON.parse(readFileSync("node_modules/onnxruntime-web/package.json", "utf8")).version as string;
    const wasm = await browserRuntimeFile(version, "ort-wasm-simd-threaded.wasm");
    expect(wasm.type).toBe("application/wasm");
    expect([...wasm.bytes.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
    expect((await browserRuntimeFile(version, "ort.wasm.min.mjs")).type).toMatch(/^text\/javascript/);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "OK",
        (e) => e.code ?? String(e),
      );
    expect(await code(browserRuntimeFile("0.0.1", "ort.wasm.min.mjs"))).toBe("NOT_FOUND");
    expect(await code(browserRuntimeFile(version, "package.json"))).toBe("NOT_FOUND");
    expect(await code(browserRuntimeFile(version, "../package.json"))).toBe("NOT_FOUND");
    expect(await code(browserRuntimeFile(version, "ort.all.min.mjs"))).toBe("NOT_FOUND");
  });
});

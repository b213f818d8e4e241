// `tandem project …` and `tandem user …` against the real database, through the same domain
// functions and role checks as the web: who may create projects, add users, see and set members.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { run as project } from "../../cli/commands/project";
import { run as user } from "../../cli/commands/user";
import { captureLog } from "../setup/cli-capture";
import { makeUser, uniq } from "../setup/fixtures";
import { removeWorker, upsertWorker } from "../../lib/jobs/mutations";
import { newProjectDefaults } from "../../lib/projects/queries";

let dir: string;
const saved = process.env.TANDEM_DATA_DIR;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-cli-project-"));
  process.env.TANDEM_DATA_DIR = dir;
});
afterAll(() => {
  process.env.TANDEM_DATA_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

const cli = (cmd: (argv: string[]) => Promise<void>, argv: string[]) => captureLog(() => cmd(argv));

describe("tandem user and tandem project", () => {
  it("a lead scripts a project from nothing: account, project, members — each step checked as on the web", async () => {
    const admin = await makeUser({ isAdmin: true });
    const leadEmail = `${uniq("lead")}@cli.local`;
    const mdEmail = `${uniq("md")}@cli.local`;

    // Accounts: administrators only.
    const added = await cli(user, ["add", "--as", admin.email, "--email", leadEmail, "--name", "Lee Lead"]);
    expect(added).toMatch(/password \(shown once\): \S{16}/);
    expect(await db().user.findUnique({ where: { email: leadEmail } })).toMatchObject({
      name: "Lee Lead",
      isAdmin: false,
    });
    await cli(user, ["add", "--as", admin.email, "--email", mdEmail, "--name", "Dr Md", "--sso"]);
    expect((await db().user.findUniqueOrThrow({ where: { email: mdEmail } })).passwordHash).toBeNull();
    await expect(cli(user, ["add", "--as", leadEmail, "--email", "x@cli.local", "--name", "X"])).rejects.toThrow(
      "Only administrators can do this",
    );
    await expect(cli(user, ["list", "--as", leadEmail])).rejects.toThrow("Only administrators");
    const listed = await cli(user, ["list", "--as", admin.email]);
    expect(listed).toMatch(new RegExp(`${leadEmail.replace(/\./g, "\\.")}\\s+active\\s+password`));
    expect(listed).toMatch(new RegExp(`${mdEmail.replace(/\./g, "\\.")}\\s+active\\s+none`));

    // Projects: someone who leads nothing may not create one; an administrator may and leads it.
    const first = uniq("cli");
    await expect(cli(project, ["create", "--as", leadEmail, "--name", "First", "--slug", first])).rejects.toThrow(
      "Only administrators and leads can create projects",
    );
    expect(await cli(project, ["create", "--as", admin.email, "--name", "First", "--slug", first])).toContain(
      `created project ${first}`,
    );
    const set = await cli(project, ["members", first, "--as", admin.email, "--add", leadEmail, "--roles", "LEAD"]);
    expect(set).toContain(`${leadEmail} is now LEAD in ${first}`);

    // Now a lead: they create their own project (from a settings file) and staff it.
    const second = uniq("cli");
    const settings = path.join(dir, "settings.json");
    (await import("node:fs")).writeFileSync(settings, JSON.stringify({ folds: 3 }));
    expect(
      await cli(project, ["create", "--as", leadEmail, "--name", "Second", "--slug", second, "--settings", settings]),
    ).toContain("3 folds");
    const staffed = await cli(project, ["members", second, "--as", leadEmail, "--add", mdEmail, "--roles", "md"]);
    expect(staffed).toMatch(new RegExp(`${mdEmail.replace(/\./g, "\\.")}\\s+MD`));
    expect(staffed).toMatch(new RegExp(`${leadEmail.replace(/\./g, "\\.")}\\s+LEAD`));

    // The MD sees their project, may not read or set its members, and may not create projects.
    const mine = await cli(project, ["list", "--as", mdEmail]);
    expect(mine).toContain(second);
    expect(mine).not.toContain(first);
    await expect(cli(project, ["members", second, "--as", mdEmail])).rejects.toThrow(/needs one of the roles LEAD/);
    await expect(cli(project, ["create", "--as", mdEmail, "--name", "Nope", "--slug", uniq("cli")])).rejects.toThrow(
      "Only administrators and leads",
    );
    expect(
      await db().auditLog.count({
        where: {
          action: "project.create",
          actorId: (await db().user.findUniqueOrThrow({ where: { email: leadEmail } })).id,
        },
      }),
    ).toBe(1);
  });

  it("refuses unknown options and sub-commands with the nearest valid one, and bad values naming the field", async () => {
    await expect(cli(project, ["create", "--nmae", "x"])).rejects.toThrow(
      "unknown option --nmae; did you mean --name?",
    );
    await expect(cli(project, ["craete"])).rejects.toThrow("unknown sub-command craete; did you mean create?");
    await expect(cli(user, ["add", "--emial", "a@b.c"])).rejects.toThrow("did you mean --email?");
    await expect(cli(user, ["lsit"])).rejects.toThrow("did you mean list?");
    const admin = await makeUser({ isAdmin: true });
    await expect(cli(user, ["add", "--as", admin.email, "--email", "not-an-email", "--name", "N"])).rejects.toThrow(
      /email/,
    );
    await expect(
      cli(project, [
        "create",
        "--as",
        admin.email,
        "--name",
        "X",
        "--slug",
        uniq("cli"),
        "--settings",
        path.join(dir, "missing.json"),
      ]),
    ).rejects.toThrow(/--settings .*missing\.json/);
  });

  it("a new project's training preset follows the workers' compute: CPU preset unless a live training worker has a GPU", async () => {
    const admin = await makeUser({ isAdmin: true });
    const create = async () => {
      const slug = uniq("cli-preset");
      const out = await cli(project, ["create", "--as", admin.email, "--name", "Preset", "--slug", slug]);
      const p = await db().project.findUniqueOrThrow({ where: { slug } });
      return { out, preset: (p.trainConfig as { preset: string }).preset };
    };
    // Other test files run at the same time on this database and may register a live GPU worker
    // (the dashboard's seed does), so the first project follows whatever the workers are now.
    const now = await newProjectDefaults();
    const first = await create();
    expect(first.preset).toBe(now.preset);
    expect(first.out).toContain(`training preset ${now.preset}: ${now.why}`);
    const id = uniq("gpu-worker");
    await upsertWorker({ id, hostname: "gpu-box", pid: 1, jobNames: ["train", "predict"], gpu: "0" });
    try {
      const gpu = await create();
      expect(gpu.preset).toBe("paper-gpu");
      expect(gpu.out).toContain("training preset paper-gpu: a live training worker reports a GPU");
    } finally {
      await removeWorker(id);
    }
  });
});

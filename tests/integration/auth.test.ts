import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../lib/auth/password";
import { verifyLogin } from "../../lib/auth/verify-login";
import { requireProjectRole } from "../../lib/auth/authorize";
import { createProject } from "../../lib/projects/mutations";
import { parseEnv } from "../../lib/config/env";
import { db } from "../../lib/db/client";
import { makeProject, makeUser, uniq } from "../setup/fixtures";

describe("passwords", () => {
  it("hashes with a salt and verifies only the right password", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).not.toBe(b);
    expect(a.startsWith("scrypt$")).toBe(true);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterx", a)).toBe(false);
  });
});

describe("sign-in", () => {
  it("accepts the right password, rejects a wrong one, slows and then locks after repeated failures", async () => {
    const u = await makeUser();
    const ip = uniq("ip");
    let now = new Date();
    expect(await verifyLogin(u.email, u.password, ip, now)).toMatchObject({ id: u.id });
    for (let i = 0; i < 3; i++) expect(await verifyLogin(u.email, "wrong password!", ip, now)).toBeNull();
    expect(await verifyLogin(u.email, "wrong password!", ip, now)).toBeNull();
    // Past the free failures the next try must wait, even with the right password.
    await expect(verifyLogin(u.email, u.password, ip, now)).rejects.toMatchObject({
      code: "RATE_LIMITED",
      message: expect.stringMatching(/wait \d+ second/),
    });
    for (let i = 0; i < 6; i++) {
      now = new Date(now.getTime() + 61_000);
      expect(await verifyLogin(u.email, "wrong password!", ip, now)).toBeNull();
    }
    now = new Date(now.getTime() + 61_000);
    await expect(verifyLogin(u.email, u.password, ip, now)).rejects.toMatchObject({
      code: "RATE_LIMITED",
      message: expect.stringMatching(/account is locked/),
    });
  });

  it("never stores or logs the password", async () => {
    const u = await makeUser({ password: "unique-password-91827" });
    const row = await db().user.findUniqueOrThrow({ where: { id: u.id } });
    expect(JSON.stringify(row)).not.toContain("unique-password-91827");
    const audit = await db().auditLog.findMany({ where: { objectId: u.id } });
    expect(JSON.stringify(audit, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(
      "unique-password-91827",
    );
  });
});

describe("roles", () => {
  it("members get their roles, others get NOT_FOUND, wrong roles FORBIDDEN", async () => {
    const { project, md, lead } = await makeProject();
    const stranger = await makeUser();
    await expect(requireProjectRole(md.actor, project.id, ["MD"])).resolves.toContain("MD");
    await expect(requireProjectRole(md.actor, project.id, ["LEAD"])).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(requireProjectRole(stranger.actor, project.id, ["MD"])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(requireProjectRole(lead.actor, project.id, ["LEAD"])).resolves.toContain("LEAD");
  });

  it("an MD cannot create a project; a lead can", async () => {
    const { md, lead } = await makeProject();
    await expect(createProject(md.actor, { name: "x project", slug: uniq("p") })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(createProject(lead.actor, { name: "y project", slug: uniq("p") })).resolves.toHaveProperty("id");
  });
});

describe("configuration", () => {
  const good = {
    AUTH_SECRET: "a".repeat(8) + "b1c2d3e4f5g6h7i8j9k0l1m2n3o4p5q6",
    PSEUDONYM_KEY: "0123456789abcdefghijklmnopqrstuvwxyz",
  };
  it("refuses a missing, short or default auth secret with one line naming the variable", () => {
    expect(() => parseEnv({ PSEUDONYM_KEY: good.PSEUDONYM_KEY })).toThrow(/AUTH_SECRET/);
    expect(() => parseEnv({ ...good, AUTH_SECRET: "short" })).toThrow(/AUTH_SECRET must be at least 32/);
    expect(() => parseEnv({ ...good, AUTH_SECRET: "a".repeat(40) })).toThrow(/AUTH_SECRET is a default or low-entropy/);
    expect(() => parseEnv({ ...good, PORT: "99999" })).toThrow(/PORT/);
    expect(() => parseEnv({ ...good, STORAGE_DRIVER: "s3" })).toThrow(/S3_BUCKET/);
    expect(parseEnv(good).PORT).toBe(3000);
  });
});

import { describe, expect, it } from "vitest";
import { requireRoleOnObject } from "../../lib/auth/authorize";
import { AppError } from "../../lib/errors/app-error";
import { errorResponse } from "../../lib/errors/http";
import { makeProject, makeUser } from "../setup/fixtures";

// An object reached by id hides itself from outsiders (404) and refuses members without the role
// (403); a failure of the lookup itself must not read as "not found", which a client takes as a
// final answer (the PostgreSQL-restart fault test once stranded a claimed task that way).
describe("role checks on objects reached by id", () => {
  it("outsider → NOT_FOUND naming the object, member without the role → FORBIDDEN", async () => {
    const fx = await makeProject();
    const stranger = await makeUser();
    await expect(requireRoleOnObject(stranger.actor, fx.project.id, ["MD"], "Task")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "Task not found",
    });
    await expect(requireRoleOnObject(fx.exporter.actor, fx.project.id, ["MD"], "Task")).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(requireRoleOnObject(fx.md.actor, fx.project.id, ["MD"], "Task")).resolves.toContain("MD");
    await expect(
      requireRoleOnObject(stranger.actor, fx.project.id, ["EXPORTER"], "This link is not valid", "FORBIDDEN"),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: "This link is not valid" });
  });

  it("a database error in the lookup passes through: a 5xx the client retries, never a 404", async () => {
    const fx = await makeProject();
    // PostgreSQL itself refuses the query (the id is not a uuid), as it would refuse any query while down.
    const broken = { userId: "not-a-uuid", isAdmin: false };
    const err = await requireRoleOnObject(broken, fx.project.id, ["MD"], "Task").then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeTruthy();
    expect(err).not.toBeInstanceOf(AppError);
    expect(errorResponse(err).status).toBeGreaterThanOrEqual(500);
  });
});

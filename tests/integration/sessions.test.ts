import { describe, expect, it } from "vitest";
import { createSession, revokeSession } from "../../lib/auth/mutations";
import { findActiveSession } from "../../lib/auth/queries";
import { setUserAdmin, setUserDisabled } from "../../lib/users/mutations";
import { makeUser } from "../setup/fixtures";

describe("revocable sessions", () => {
  it("a session works until it is revoked", async () => {
    const u = await makeUser();
    const sid = await createSession(u.id, "password");
    expect(await findActiveSession(sid)).toMatchObject({ id: u.id, email: u.email, isAdmin: false });
    await revokeSession(sid);
    expect(await findActiveSession(sid)).toBeNull();
  });

  it("disabling a user ends every session at once, and re-enabling does not revive them", async () => {
    const admin = await makeUser({ isAdmin: true });
    const u = await makeUser();
    const a = await createSession(u.id, "password");
    const b = await createSession(u.id, "sso", "id-token");
    await setUserDisabled(admin.actor, u.id, true);
    expect(await findActiveSession(a)).toBeNull();
    expect(await findActiveSession(b)).toBeNull();
    await setUserDisabled(admin.actor, u.id, false);
    expect(await findActiveSession(a)).toBeNull();
    await expect(setUserDisabled(u.actor, admin.id, true)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("a role change is seen by the next request of an open session", async () => {
    const admin = await makeUser({ isAdmin: true });
    const u = await makeUser();
    const sid = await createSession(u.id, "password");
    await setUserAdmin(admin.actor, u.id, true);
    expect((await findActiveSession(sid))?.isAdmin).toBe(true);
    await setUserAdmin(admin.actor, u.id, false);
    expect((await findActiveSession(sid))?.isAdmin).toBe(false);
  });

  it("an expired or malformed session id is refused", async () => {
    const u = await makeUser();
    const sid = await createSession(u.id, "password");
    expect(await findActiveSession(sid, new Date(Date.now() + 13 * 3600_000))).toBeNull();
    expect(await findActiveSession("not-a-uuid'; --")).toBeNull();
    expect(await findActiveSession("00000000-0000-7000-8000-000000000000")).toBeNull();
  });
});

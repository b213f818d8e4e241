import { describe, expect, it } from "vitest";
import { verifyLogin } from "../../lib/auth/verify-login";
import { clientAddress } from "../../lib/auth/throttle";
import { db } from "../../lib/db/client";
import { makeUser, uniq } from "../setup/fixtures";

// Throttling per account and per client address, each on its own key: a flood against one
// account or from one address must never keep anybody else out.

async function outcome(p: Promise<unknown>): Promise<"ok" | "wrong" | "limited"> {
  try {
    return (await p) ? "ok" : "wrong";
  } catch (e) {
    if ((e as { code?: string }).code === "RATE_LIMITED") return "limited";
    throw e;
  }
}

const addr = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${uniq("a")}`;

describe("login throttling", () => {
  it("50 wrong passwords for one email lock that account only; other accounts still sign in from another address", async () => {
    const victim = await makeUser();
    const other = await makeUser();
    const attacker = addr();
    const results: string[] = [];
    let now = new Date();
    for (let i = 0; i < 50; i++) {
      results.push(await outcome(verifyLogin(victim.email, `guess-${i}-wrong`, attacker, now)));
      now = new Date(now.getTime() + 2_000);
    }
    expect(results.filter((r) => r === "wrong").length).toBeLessThanOrEqual(10);
    expect(results.at(-1)).toBe("limited");
    // The account itself is locked (even the right password waits) ...
    await expect(verifyLogin(victim.email, victim.password, addr(), now)).rejects.toMatchObject({
      code: "RATE_LIMITED",
    });
    // ... but nobody else is: another account from another address, and without a known address.
    expect(await outcome(verifyLogin(other.email, other.password, addr(), now))).toBe("ok");
    expect(await outcome(verifyLogin(other.email, other.password, null, now))).toBe("ok");
  });

  it("a flood at one instant is slowed after three failures and never reaches the other accounts", async () => {
    const victim = await makeUser();
    const other = await makeUser();
    const now = new Date();
    const results = [];
    for (let i = 0; i < 50; i++) results.push(await outcome(verifyLogin(victim.email, `x-${i}-wrong`, null, now)));
    expect(results.filter((r) => r === "wrong")).toHaveLength(4);
    expect(results.slice(4).every((r) => r === "limited")).toBe(true);
    expect(await outcome(verifyLogin(other.email, other.password, null, now))).toBe("ok");
  });

  it("50 wrong passwords for random emails from one address limit that address; other accounts sign in from another", async () => {
    const user = await makeUser();
    const attacker = addr();
    const results = [];
    for (let i = 0; i < 50; i++)
      results.push(await outcome(verifyLogin(`${uniq("nobody")}@test.local`, "wrong password!", attacker)));
    expect(results.filter((r) => r === "limited").length).toBeGreaterThan(0);
    expect(results.at(-1)).toBe("limited");
    await expect(verifyLogin(user.email, user.password, attacker)).rejects.toMatchObject({
      code: "RATE_LIMITED",
      message: expect.stringMatching(/your network/),
    });
    expect(await outcome(verifyLogin(user.email, user.password, addr()))).toBe("ok");
    // The address limit never locked the account itself.
    const row = await db().loginThrottle.findUnique({ where: { key: `account:${user.email}` } });
    expect(row?.lockedUntil ?? null).toBeNull();
  });

  it("without a trusted proxy, random emails cannot lock anybody out", async () => {
    const user = await makeUser();
    for (let i = 0; i < 50; i++)
      expect(await outcome(verifyLogin(`${uniq("nobody")}@test.local`, "wrong password!", null))).toBe("wrong");
    expect(await outcome(verifyLogin(user.email, user.password, null))).toBe("ok");
  });

  it("a spoofed X-Forwarded-For does not bypass the address limit", async () => {
    const real = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const user = await makeUser();
    // One trusted proxy appends the address it saw; the client writes anything to the left.
    const results = [];
    for (let i = 0; i < 50; i++) {
      const header = `10.${i}.0.1, ${uniq("spoof")}, ${real}`;
      results.push(
        await outcome(verifyLogin(`${uniq("nobody")}@test.local`, "wrong password!", clientAddress(header, 1))),
      );
    }
    expect(results.at(-1)).toBe("limited");
    await expect(
      verifyLogin(user.email, user.password, clientAddress(`${uniq("fresh")}, ${real}`, 1)),
    ).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await db().loginThrottle.deleteMany({ where: { key: `address:${real}` } });
  });

  it("takes the address the configured number of hops from the right and trusts no header by default", () => {
    expect(clientAddress("1.1.1.1", 0)).toBeNull();
    expect(clientAddress("6.6.6.6, 1.1.1.1", 1)).toBe("1.1.1.1");
    expect(clientAddress("6.6.6.6, 1.1.1.1, 10.0.0.2", 2)).toBe("1.1.1.1");
    expect(clientAddress(["6.6.6.6, 1.1.1.1", "10.0.0.2"], 2)).toBe("1.1.1.1");
    expect(clientAddress("1.1.1.1", 3)).toBe("1.1.1.1");
    expect(clientAddress(undefined, 1)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { recordAudit } from "../../lib/audit/mutations";
import { uniq } from "../setup/fixtures";

describe("audit log", () => {
  it("is append-only: UPDATE, DELETE and TRUNCATE are refused and the row stays", async () => {
    const id = uniq("obj");
    await recordAudit({ action: "test.append", objectType: "Test", objectId: id, after: { v: 1 } });
    const row = await db().auditLog.findFirstOrThrow({ where: { objectId: id } });
    await expect(db().auditLog.update({ where: { id: row.id }, data: { action: "tampered" } })).rejects.toThrow(
      /append-only/,
    );
    await expect(db().auditLog.delete({ where: { id: row.id } })).rejects.toThrow(/append-only/);
    await expect(db().$executeRawUnsafe(`TRUNCATE "AuditLog"`)).rejects.toThrow(/append-only/);
    const again = await db().auditLog.findFirstOrThrow({ where: { objectId: id } });
    expect(again.action).toBe("test.append");
  });
});

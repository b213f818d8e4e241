import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { requestExport } from "../../lib/exports/mutations";
import { runExport } from "../../lib/exports/run-export";
import { issueDownloadLink } from "../../lib/exports/download";
import { parseRange } from "../../lib/exports/http-range";
import { signDownload } from "../../lib/exports/signed-link";
import { GET, HEAD } from "../../app/api/exports/[exportId]/download/route";
import { seedAcceptedProject } from "../setup/seed-accepted";

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;
let exportId: string;
let archive: Buffer;

const call = (handler: typeof GET, url: string, headers: Record<string, string> = {}) =>
  handler(new Request(`http://tandem.test${url}`, { headers }), { params: Promise.resolve({ exportId }) });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-export-dl-"));
  setStoreForTests(new LocalStore(dir));
  seed = await seedAcceptedProject({ covid: 3, controls: 1, dicom: false });
  ({ exportId } = await requestExport(seed.fx.exporter.actor, seed.projectId, {}));
  await runExport(exportId);
  const row = await db().export.findUniqueOrThrow({ where: { id: exportId } });
  archive = await store().get(row.storageKey!);
}, 120_000);

afterAll(() => {
  setStoreForTests(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("Range header parsing", () => {
  it("follows RFC 9110 for one range and ignores what it may ignore", () => {
    expect(parseRange(null, 100)).toBeNull();
    expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=95-500", 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-1,5-6", 100)).toBeNull();
    expect(parseRange("items=0-1", 100)).toBeNull();
    expect(parseRange("bytes=9-3", 100)).toBeNull();
    expect(parseRange("bytes=abc", 100)).toBeNull();
  });
});

describe("signed, expiring download links", () => {
  it("are issued to exporters and leads only, and audited", async () => {
    await expect(issueDownloadLink(seed.fx.md.actor, exportId, 600)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const link = await issueDownloadLink(seed.fx.lead.actor, exportId, 600);
    expect(link.url).toMatch(
      new RegExp(`^/api/exports/${exportId}/download\\?u=[0-9a-f-]{36}&e=\\d+&s=[A-Za-z0-9_-]{43}$`),
    );
    expect(
      await db().auditLog.count({ where: { objectId: exportId, action: "export.link", actorId: seed.fx.lead.id } }),
    ).toBe(1);
  });

  it("serve the whole archive as an attachment that browsers will not sniff", async () => {
    const { url } = await issueDownloadLink(seed.fx.exporter.actor, exportId, 600);
    const r = await call(GET, url);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/x-tar");
    expect(r.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="tandem-${seed.slug}-[0-9a-f]{12}\\.tar"$`),
    );
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("accept-ranges")).toBe("bytes");
    expect(Number(r.headers.get("content-length"))).toBe(archive.length);
    expect(Buffer.from(await r.arrayBuffer()).equals(archive)).toBe(true);
    expect(
      await db().auditLog.count({
        where: { objectId: exportId, action: "export.download", actorId: seed.fx.exporter.id },
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("resume with Range (206), answer 416 past the end, and HEAD without a body", async () => {
    const { url } = await issueDownloadLink(seed.fx.exporter.actor, exportId, 600);
    const start = 1000;
    const part = await call(GET, url, { range: `bytes=${start}-` });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes ${start}-${archive.length - 1}/${archive.length}`);
    const rest = Buffer.from(await part.arrayBuffer());
    expect(Buffer.concat([archive.subarray(0, start), rest]).equals(archive)).toBe(true);
    const middle = await call(GET, url, { range: "bytes=512-1023" });
    expect(Buffer.from(await middle.arrayBuffer()).equals(archive.subarray(512, 1024))).toBe(true);
    const beyond = await call(GET, url, { range: `bytes=${archive.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${archive.length}`);
    const etag = (await call(HEAD, url)).headers.get("etag")!;
    expect((await call(GET, url, { range: "bytes=0-9", "if-range": etag })).status).toBe(206);
    const changed = await call(GET, url, { range: "bytes=0-9", "if-range": '"something-else"' });
    expect(changed.status).toBe(200);
    await changed.body?.cancel();
    const head = await call(HEAD, url);
    expect([head.status, head.headers.get("content-length"), await head.text()]).toEqual([
      200,
      String(archive.length),
      "",
    ]);
  });

  it("refuse forged, altered or expired links (401) and holders who lost their role (403)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const { url } = await issueDownloadLink(seed.fx.exporter.actor, exportId, 600);
    const q = new URL(`http://x${url}`).searchParams;
    const forged = `/api/exports/${exportId}/download?u=${q.get("u")}&e=${now + 99999}&s=${q.get("s")}`;
    expect((await call(GET, forged)).status).toBe(401);
    expect((await call(GET, `/api/exports/${exportId}/download`)).status).toBe(401);
    const otherUser = `/api/exports/${exportId}/download?u=${seed.fx.md.id}&e=${q.get("e")}&s=${q.get("s")}`;
    expect((await call(GET, otherUser)).status).toBe(401);
    const expired = `/api/exports/${exportId}/download?${signDownload({ exportId, userId: seed.fx.exporter.id, expires: now - 1 })}`;
    const r = await call(GET, expired);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    // a link signed for an MD (never issued, but well-formed) meets the role check
    const md = `/api/exports/${exportId}/download?${signDownload({ exportId, userId: seed.fx.md.id, expires: now + 600 })}`;
    expect((await call(GET, md)).status).toBe(403);
  });
});

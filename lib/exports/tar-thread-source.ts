import { PNG_END } from "./png-end";

// The code of the archive thread (tar-thread.ts), as plain JavaScript: it runs with no loader
// (eval'd, CommonJS or module alike: getBuiltinModule, not require), so TypeScript helpers a
// loader would inject cannot reach it. It receives batches of operations in archive order and
// turns them into tar bytes in a 256 KiB stage that it hands on when full. A batch is
// {id, ops, bytes}: `ops` one string of NUL-separated fields (no array per operation to clone
// and collect on either side), `bytes` the batch's carried bodies in one buffer, by offset:
//   s name prefix path sha256 width height   a stored file: opened, sized, read with synchronous
//        calls straight into the stage behind its header; checked against sha256 when not
//        empty, and as a whole PNG (ending with IEND) of width×height when width > 0
//   b name prefix offset length   a file whose bytes the batch carries
//   h name prefix size hash       a header; its body follows as parts, and when `hash` is 1 its
//        SHA-256 goes back with the batch's acknowledgement
//   f path                        a part: a local file, read whole (a spooled table)
//   c offset length               a part: bytes the batch carries
//   e                             the body is complete (its size is checked), then padded
//   z                             the end of the archive: two zero blocks, zeros to a whole record
// Stages go to workerData.hashPort when there is one (HASH_THREAD_SOURCE hashes and writes
// them, hands them back on workerData.returned and, after {end: totalBytes}, posts the archive's
// {sha256, bytes} to the main thread), else to the main thread. Replies: {chunk, n} (the stage's
// ArrayBuffer, transferred), {ack: id, shas} per batch, {error} once, {done: totalBytes} after
// {end: true}. Back-pressure: at most workerData.maxChunks stages not yet written (credit[0]
// counts the written ones; credit[1] = stop). The header's fixed fields match tarHeader() in
// tar-writer.ts byte for byte (mode 0644, uid/gid 0, mtime 0, ustar magic);
// tests/integration/export-thread.test.ts compares archives.
export const TAR_THREAD_SOURCE = `
"use strict";
const { parentPort, workerData, receiveMessageOnPort } = process.getBuiltinModule("node:worker_threads");
const fs = process.getBuiltinModule("node:fs");
const { createHash, hash: oneShot } = process.getBuiltinModule("node:crypto");
const BLOCK = 512;
const RECORD = 20 * BLOCK;
const STAGE = workerData.stageBytes;
const MAX_CHUNKS = workerData.maxChunks;
const credit = new Int32Array(workerData.credit);
const returned = workerData.returned;
const hashPort = workerData.hashPort || null;
const STOP = new Error("stopped");

const T = Buffer.alloc(BLOCK);
T.write("0000644", 100, "latin1");
T.write("0000000", 108, "latin1");
T.write("0000000", 116, "latin1");
T.write("00000000000", 136, "latin1");
T.fill(0x20, 148, 156);
T[156] = 0x30;
T.write("ustar\\u000000", 257, 8, "latin1");
T.write("0000000", 329, "latin1");
T.write("0000000", 337, "latin1");
let TSUM = 0;
for (let i = 0; i < BLOCK; i++) TSUM += T[i];

/** A stage that was written and handed back, else a new one. */
function nextStage() {
  const r = returned ? receiveMessageOnPort(returned) : undefined;
  return r ? Buffer.from(r.message) : Buffer.allocUnsafeSlow(STAGE);
}

let stage = nextStage();
let used = 0;
let total = 0;
let sent = 0;
let failed = false;
/** The multi-part entry being written after an h operation. */
let open = null;

function flush() {
  if (used === 0) return;
  for (;;) {
    if (Atomics.load(credit, 1)) throw STOP;
    const seen = Atomics.load(credit, 0);
    if (sent - seen < MAX_CHUNKS) break;
    Atomics.wait(credit, 0, seen, 200);
  }
  const ab = stage.buffer;
  (hashPort || parentPort).postMessage({ chunk: ab, n: used }, [ab]);
  sent++;
  stage = nextStage();
  used = 0;
}

function zeros(n) {
  while (n > 0) {
    if (used === STAGE) flush();
    const k = Math.min(n, STAGE - used);
    stage.fill(0, used, used + k);
    used += k;
    total += k;
    n -= k;
  }
}

const pad = (size) => zeros((BLOCK - (size % BLOCK)) % BLOCK);

function copy(bytes) {
  let at = 0;
  while (at < bytes.length) {
    if (used === STAGE) flush();
    const k = Math.min(bytes.length - at, STAGE - used);
    stage.set(bytes.subarray(at, at + k), used);
    used += k;
    total += k;
    at += k;
  }
}

function header(name, prefix, size) {
  if (used + BLOCK > STAGE) flush();
  const h = stage;
  const o = used;
  h.set(T, o);
  let sum = TSUM;
  h.write(name, o, 100, "latin1");
  for (let i = 0; i < name.length; i++) sum += name.charCodeAt(i);
  if (prefix) {
    h.write(prefix, o + 345, 155, "latin1");
    for (let i = 0; i < prefix.length; i++) sum += prefix.charCodeAt(i);
  }
  if (size < 8 ** 11) {
    const s = size.toString(8).padStart(11, "0");
    h.write(s, o + 124, 11, "latin1");
    h[o + 135] = 0;
    for (let i = 0; i < 11; i++) sum += s.charCodeAt(i);
  } else {
    h[o + 124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[o + i] = Number(v & 0xffn);
      v >>= 8n;
    }
    for (let i = 124; i < 136; i++) sum += h[o + i];
  }
  h.write(sum.toString(8).padStart(6, "0"), o + 148, 6, "latin1");
  h[o + 154] = 0;
  h[o + 155] = 0x20;
  used += BLOCK;
  total += BLOCK;
}

function readInto(fd, buf, at, n, pos) {
  let got = 0;
  while (got < n) {
    const k = fs.readSync(fd, buf, at + got, n - got, pos + got);
    if (k === 0) return false;
    got += k;
  }
  return true;
}

function checkPng(view, width, height) {
  if (view.length < 24 || view.readUInt32BE(12) !== 0x49484452) return { problem: "not-png" };
  const w = view.readUInt32BE(16), h = view.readUInt32BE(20);
  return w === width && h === height ? null : { problem: "size", width: w, height: h };
}

const SHRANK = { problem: "read", code: "the file shrank while it was read" };

/** Opens a file, runs body(fd) and closes it; a read error becomes the returned problem. */
function withFd(path, body) {
  let fd;
  try {
    fd = fs.openSync(path, "r");
  } catch (e) {
    return { problem: "read", code: e.code || String(e.message) };
  }
  try {
    return body(fd);
  } catch (e) {
    if (e === STOP) throw e;
    return { problem: "read", code: e.code || String(e.message) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads fd from pos up to size into the archive through the stage, folding it into hash when there is one. */
function readThrough(fd, size, pos, hash) {
  while (pos < size) {
    if (used === STAGE) flush();
    const k = Math.min(size - pos, STAGE - used);
    if (!readInto(fd, stage, used, k, pos)) return SHRANK;
    if (hash) hash.update(stage.subarray(used, used + k));
    used += k;
    total += k;
    pos += k;
  }
  return null;
}

/** Room a stored file is first read into: a stage with less left is handed on first. */
const FIRST_READ = 64 << 10;

/** PNG_END (png-end.ts): the last bytes of every whole PNG. */
const IEND = Buffer.from([${[...PNG_END].join(", ")}]);
const endsPng = (buf, at, n) => n >= IEND.length && buf.compare(IEND, 0, IEND.length, at + n - IEND.length, at + n) === 0;

/** Whether the file's last bytes (it is longer than a first read) are IEND's. */
function fileEndsPng(fd, size) {
  const tail = Buffer.alloc(IEND.length);
  return size >= IEND.length && readInto(fd, tail, 0, IEND.length, size - IEND.length) && endsPng(tail, 0, IEND.length);
}

/**
 * Returns null, or what is wrong with the file. The file is read straight into the stage behind
 * the room for its header, as much as the stage holds. A shorter read ends a local file, but a
 * network or FUSE file system may return less mid-file: a short read counts as the end only when
 * it ends as every PNG does, so a stored PNG that fits, as nearly every image and mask does,
 * costs one read and no fstat; any other file is measured and read on through the stage. An
 * image (width > 0) must end with IEND: a stored image cut short is refused, not archived.
 */
function storedFile(name, prefix, path, sha256, width, height) {
  return withFd(path, (fd) => {
    if (STAGE - used < BLOCK + FIRST_READ) flush();
    const room = STAGE - used - BLOCK;
    const got = fs.readSync(fd, stage, used + BLOCK, room, 0);
    const png = got < room && endsPng(stage, used + BLOCK, got);
    const size = png ? got : fs.fstatSync(fd).size;
    if (size < got) return SHRANK;
    header(name, prefix, size);
    const first = stage.subarray(used, used + got);
    if (width > 0) {
      const bad = checkPng(first, width, height);
      if (bad) return bad;
      if (!(png || (size === got ? endsPng(first, 0, got) : fileEndsPng(fd, size)))) return { problem: "truncated" };
    }
    if (size === got) {
      if (sha256 !== "" && oneShot("sha256", first) !== sha256) return { problem: "sha256" };
      used += got;
      total += got;
    } else {
      const hash = sha256 !== "" ? createHash("sha256").update(first) : null;
      used += got;
      total += got;
      const bad = readThrough(fd, size, got, hash);
      if (bad) return bad;
      if (hash && hash.digest("hex") !== sha256) return { problem: "sha256" };
    }
    pad(size);
    return null;
  });
}

/** Adds bytes to the open entry's body: copied into the stage, hashed when asked. */
function part(bytes) {
  if (bytes.length > open.left) return false;
  open.left -= bytes.length;
  if (open.hash) open.hash.update(bytes);
  copy(bytes);
  return true;
}

/** A local file as a part of the open entry: read through the stage, in place. */
function filePart(path) {
  return withFd(path, (fd) => {
    const size = fs.fstatSync(fd).size;
    if (size > open.left) return { problem: "overrun" };
    const bad = readThrough(fd, size, 0, open.hash);
    if (bad) return bad;
    open.left -= size;
    return null;
  });
}

/** Runs one batch; returns null, or what went wrong and at which operation (counted from 0). */
function run(f, bytes, shas) {
  let op = -1;
  for (let i = 0; i < f.length; ) {
    op++;
    switch (f[i]) {
      case "s": {
        const bad = storedFile(f[i + 1], f[i + 2], f[i + 3], f[i + 4], +f[i + 5], +f[i + 6]);
        if (bad) return { index: op, ...bad };
        i += 7;
        break;
      }
      case "b": {
        const body = bytes.subarray(+f[i + 3], +f[i + 3] + +f[i + 4]);
        header(f[i + 1], f[i + 2], body.length);
        copy(body);
        pad(body.length);
        i += 5;
        break;
      }
      case "h": {
        const size = +f[i + 3];
        header(f[i + 1], f[i + 2], size);
        open = { size, left: size, hash: f[i + 4] === "1" ? createHash("sha256") : null };
        i += 5;
        break;
      }
      case "f": {
        const bad = filePart(f[i + 1]);
        if (bad) return { index: op, ...bad };
        i += 2;
        break;
      }
      case "c": {
        if (!part(bytes.subarray(+f[i + 1], +f[i + 1] + +f[i + 2]))) return { index: op, problem: "overrun" };
        i += 3;
        break;
      }
      case "e": {
        if (open.left !== 0) return { index: op, problem: "short" };
        if (open.hash) shas.push(open.hash.digest("hex"));
        pad(open.size);
        open = null;
        i += 1;
        break;
      }
      case "z": {
        const end = total + 2 * BLOCK;
        zeros(2 * BLOCK + ((RECORD - (end % RECORD)) % RECORD));
        i += 1;
        break;
      }
      default:
        return { index: op, problem: "operation", code: String(f[i]) };
    }
  }
  return null;
}

parentPort.on("message", (m) => {
  if (failed) return;
  try {
    if (m.ops !== undefined) {
      const shas = [];
      const bad = m.ops ? run(m.ops.split("\\u0000"), m.bytes, shas) : null;
      if (bad) {
        failed = true;
        parentPort.postMessage({ error: { batch: m.id, ...bad } });
        return;
      }
      parentPort.postMessage({ ack: m.id, shas });
    }
    if (m.end) {
      flush();
      if (hashPort) hashPort.postMessage({ end: total });
      parentPort.postMessage({ done: total });
    }
  } catch (e) {
    failed = true;
    if (e !== STOP) parentPort.postMessage({ error: { batch: m.id, index: -1, problem: "read", code: String(e && e.message) } });
  }
});
`;

// The hashing thread, beside the archive thread when the archive goes to a file: it folds each
// stage into the archive's SHA-256, writes it to the file (256 KiB write calls) and hands it
// back for reuse, so the archive thread only reads and packs, and the main thread, which builds
// the items, neither hashes nor writes. workerData: outPath, stages (the port the stages come
// on; {end: totalBytes} closes it), returned (where they go back), credit and progress (shared:
// stages written, and bytes written so far). Answers {sha256, bytes}, or {error} once.
export const HASH_THREAD_SOURCE = `
"use strict";
const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");
const fs = process.getBuiltinModule("node:fs");
const { createHash } = process.getBuiltinModule("node:crypto");
const credit = new Int32Array(workerData.credit);
const progress = new Float64Array(workerData.progress);
const hash = createHash("sha256");
const fd = fs.openSync(workerData.outPath, "w");
let bytes = 0;
let failed = false;
function close() {
  try { fs.closeSync(fd); } catch {}
  workerData.stages.close();
  parentPort.close();
}
workerData.stages.on("message", (m) => {
  if (failed) return;
  try {
    if (m.chunk) {
      const view = new Uint8Array(m.chunk, 0, m.n);
      hash.update(view);
      for (let at = 0; at < m.n; ) at += fs.writeSync(fd, view, at, m.n - at);
      bytes += m.n;
      progress[0] = bytes;
      if (!Atomics.load(credit, 1)) workerData.returned.postMessage(m.chunk, [m.chunk]);
      Atomics.add(credit, 0, 1);
      Atomics.notify(credit, 0);
    } else if ("end" in m) {
      fs.closeSync(fd);
      parentPort.postMessage({ sha256: hash.digest("hex"), bytes });
      workerData.stages.close();
    }
  } catch (e) {
    failed = true;
    Atomics.store(credit, 1, 1);
    Atomics.notify(credit, 0);
    parentPort.postMessage({ error: String((e && e.message) || e) });
    close();
  }
});
// The main thread stops a failed build: the file is closed here (terminating the thread would leave it open).
parentPort.on("message", (m) => {
  if (m && m.abort) close();
});
`;

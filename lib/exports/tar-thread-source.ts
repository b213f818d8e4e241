// The code of the archive thread (tar-thread.ts), as plain JavaScript: it runs with no loader
// (eval'd, CommonJS or module alike: getBuiltinModule, not require), so TypeScript helpers a
// loader would inject cannot reach it. It receives batches of operations in archive order and
// turns them into tar bytes in a 1 MiB stage that it hands to the main thread when full:
//   [0, name, prefix, path, sha256|null, width, height]  a stored file: opened, sized, read with
//        synchronous calls straight into the stage behind its header; checked against sha256
//        when given, and as a PNG of width×height when width > 0
//   [1, name, prefix, bytes]   a file whose bytes the main thread has (header, bytes, padding)
//   [2, name, prefix, size]    a header; the next [3, bytes] operations carry its body, padded when complete
//   [3, bytes]
//   [4]                        the end of the archive: two zero blocks, then zeros to a whole record
// With workerData.outPath the thread writes each stage to that file itself (256 KiB write calls)
// and hands it over only to be hashed: to the hashing thread (HASH_THREAD_SOURCE) on
// workerData.hashPort, which hands it back on workerData.returned and, after {end: totalBytes}
// on the same port, posts the archive's {sha256, bytes} to the main thread.
// Replies: {chunk, n} (the stage's ArrayBuffer, transferred), {ack: id} per batch, {error} once,
// {done: totalBytes} after {end: true}. Back-pressure: at most workerData.maxChunks chunks that
// the main thread has not yet written (credit[0] counts the written ones; credit[1] = stop).
// The header's fixed fields match tarHeader() in tar-writer.ts byte for byte (mode 0644,
// uid/gid 0, mtime 0, ustar magic); tests/integration/export-thread.test.ts compares archives.
export const TAR_THREAD_SOURCE = `
"use strict";
const { parentPort, workerData, receiveMessageOnPort } = process.getBuiltinModule("node:worker_threads");
const fs = process.getBuiltinModule("node:fs");
const { createHash } = process.getBuiltinModule("node:crypto");
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

/** A stage the main thread has written and handed back, else a new one. */
function nextStage() {
  const r = returned ? receiveMessageOnPort(returned) : undefined;
  return r ? Buffer.from(r.message) : Buffer.allocUnsafeSlow(STAGE);
}

const outFd = workerData.outPath ? fs.openSync(workerData.outPath, "w") : -1;
let stage = nextStage();
let used = 0;
let total = 0;
let sent = 0;
let open = 0; // body bytes still expected after a [2] header
let openSize = 0;
let failed = false;

function flush() {
  if (used === 0) return;
  for (;;) {
    if (Atomics.load(credit, 1)) throw STOP;
    const seen = Atomics.load(credit, 0);
    if (sent - seen < MAX_CHUNKS) break;
    Atomics.wait(credit, 0, seen, 200);
  }
  if (outFd >= 0) {
    let at = 0;
    while (at < used) at += fs.writeSync(outFd, stage, at, used - at);
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

/** Returns null, or what is wrong with the file. */
function storedFile(name, prefix, path, sha256, width, height) {
  let fd;
  try {
    fd = fs.openSync(path, "r");
  } catch (e) {
    return { problem: "read", code: e.code || String(e.message) };
  }
  try {
    const size = fs.fstatSync(fd).size;
    header(name, prefix, size);
    if (size > STAGE - used && size <= STAGE) flush();
    if (size <= STAGE - used) {
      if (!readInto(fd, stage, used, size, 0)) return { problem: "read", code: "the file shrank while it was read" };
      const view = stage.subarray(used, used + size);
      if (width > 0) {
        const bad = checkPng(view, width, height);
        if (bad) return bad;
      }
      if (sha256 !== null && createHash("sha256").update(view).digest("hex") !== sha256) return { problem: "sha256" };
      used += size;
      total += size;
    } else {
      const hash = sha256 !== null ? createHash("sha256") : null;
      let pos = 0;
      while (pos < size) {
        if (used === STAGE) flush();
        const k = Math.min(size - pos, STAGE - used);
        if (!readInto(fd, stage, used, k, pos)) return { problem: "read", code: "the file shrank while it was read" };
        const view = stage.subarray(used, used + k);
        if (pos === 0 && width > 0) {
          const bad = checkPng(view, width, height);
          if (bad) return bad;
        }
        if (hash) hash.update(view);
        used += k;
        total += k;
        pos += k;
      }
      if (hash && hash.digest("hex") !== sha256) return { problem: "sha256" };
    }
    pad(size);
    return null;
  } catch (e) {
    if (e === STOP) throw e;
    return { problem: "read", code: e.code || String(e.message) };
  } finally {
    fs.closeSync(fd);
  }
}

function run(ops) {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    switch (op[0]) {
      case 0: {
        const bad = storedFile(op[1], op[2], op[3], op[4], op[5], op[6]);
        if (bad) return { index: i, ...bad };
        break;
      }
      case 1:
        header(op[1], op[2], op[3].length);
        copy(op[3]);
        pad(op[3].length);
        break;
      case 2:
        header(op[1], op[2], op[3]);
        open = openSize = op[3];
        if (open === 0) pad(0);
        break;
      case 3:
        if (op[1].length > open) return { index: i, problem: "overrun" };
        copy(op[1]);
        open -= op[1].length;
        if (open === 0) pad(openSize);
        break;
      case 4: {
        const end = total + 2 * BLOCK;
        zeros(2 * BLOCK + ((RECORD - (end % RECORD)) % RECORD));
        break;
      }
    }
  }
  return null;
}

parentPort.on("message", (m) => {
  if (failed) return;
  try {
    if (m.ops) {
      const bad = run(m.ops);
      if (bad) {
        failed = true;
        parentPort.postMessage({ error: { batch: m.id, ...bad } });
        return;
      }
      parentPort.postMessage({ ack: m.id });
    }
    if (m.end) {
      flush();
      if (outFd >= 0) fs.closeSync(outFd);
      if (hashPort) hashPort.postMessage({ end: total });
      parentPort.postMessage({ done: total });
    }
  } catch (e) {
    failed = true;
    if (e !== STOP) parentPort.postMessage({ error: { batch: m.id, index: -1, problem: "read", code: String(e && e.message) } });
  }
});
`;

// The hashing thread, beside the archive thread when the latter writes the file itself: it
// folds each stage into the archive's SHA-256 and hands it back for reuse, so the main thread,
// which builds the items, neither hashes nor stands between the archive thread and its stages.
// workerData: stages (the port the stages come on; {end: totalBytes} closes it), returned (where
// they go back), credit and progress (shared: stages hashed, and bytes hashed so far).
export const HASH_THREAD_SOURCE = `
"use strict";
const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");
const { createHash } = process.getBuiltinModule("node:crypto");
const credit = new Int32Array(workerData.credit);
const progress = new Float64Array(workerData.progress);
const hash = createHash("sha256");
let bytes = 0;
workerData.stages.on("message", (m) => {
  if (m.chunk) {
    hash.update(new Uint8Array(m.chunk, 0, m.n));
    bytes += m.n;
    progress[0] = bytes;
    if (!Atomics.load(credit, 1)) workerData.returned.postMessage(m.chunk, [m.chunk]);
    Atomics.add(credit, 0, 1);
    Atomics.notify(credit, 0);
  } else if ("end" in m) {
    parentPort.postMessage({ sha256: hash.digest("hex"), bytes });
    workerData.stages.close();
  }
});
`;

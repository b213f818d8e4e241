export interface TarEntry {
  path: string;
  size: number;
  mtime: number;
  mode: number;
  uid: number;
  gid: number;
  data: Buffer;
}

function field(h: Buffer, offset: number, length: number): string {
  const raw = h.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString("ascii");
}

const octal = (h: Buffer, offset: number, length: number) => parseInt(field(h, offset, length).trim() || "0", 8);

function size(h: Buffer): number {
  if (h[124] & 0x80) {
    let v = 0n;
    for (let i = 125; i < 136; i++) v = (v << 8n) | BigInt(h[i]);
    return Number(v);
  }
  return octal(h, 124, 12);
}

/** Reads a ustar archive held in memory (tests and small checks), verifying every header checksum. */
export function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let pos = 0;
  while (pos + 512 <= buf.length) {
    const h = buf.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (sum !== octal(h, 148, 8)) throw new Error(`bad tar header checksum at ${pos}`);
    const prefix = field(h, 345, 155);
    const name = field(h, 0, 100);
    const n = size(h);
    out.push({
      path: prefix ? `${prefix}/${name}` : name,
      size: n,
      mtime: octal(h, 136, 12),
      mode: octal(h, 100, 8),
      uid: octal(h, 108, 8),
      gid: octal(h, 116, 8),
      data: buf.subarray(pos + 512, pos + 512 + n),
    });
    pos += 512 + Math.ceil(n / 512) * 512;
  }
  return out;
}

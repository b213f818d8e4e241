import { crc32, createDeflate, deflateSync } from "node:zlib";

/** Hand-built PNG chunks, so tests can forge headers and inject metadata the encoders never would. */
export function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function ihdr(width: number, height: number, bitDepth = 8, colorType = 0): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = bitDepth;
  data[9] = colorType;
  return chunk("IHDR", data);
}

/** A PNG whose IHDR claims width × height (valid CRC) over a few bytes of image data. */
export function forgedHeaderPng(width: number, height: number): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height),
    chunk("IDAT", deflateSync(Buffer.alloc(64))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** 8-bit grayscale PNG from raw rows, with optional extra chunks placed before IDAT. */
export function grayPng(width: number, height: number, pixels: Uint8Array, extra: Buffer[] = []): Buffer {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height),
    ...extra,
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export function textChunk(keyword: string, text: string): Buffer {
  return chunk("tEXt", Buffer.from(`${keyword}\u0000${text}`, "latin1"));
}

/** A real, fully valid all-black grayscale PNG of width × height, deflated as a stream (tiny file, huge image). */
export async function compressibleHugePng(width: number, height: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on("data", (c: Buffer) => parts.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on("end", resolve);
    deflate.on("error", reject);
  });
  const row = Buffer.alloc(width + 1);
  let y = 0;
  const pump = () => {
    while (y < height) {
      y++;
      if (!deflate.write(row)) return void deflate.once("drain", pump);
    }
    deflate.end();
  };
  pump();
  await done;
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height),
    chunk("IDAT", Buffer.concat(parts)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

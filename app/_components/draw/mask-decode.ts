// PNG → 0/1 mask in the browser, through the decoder the browser already has.
export async function decodeMaskBlob(blob: Blob, width: number, height: number): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  try {
    if (bitmap.width !== width || bitmap.height !== height)
      throw new Error(`mask is ${bitmap.width}×${bitmap.height}, image is ${width}×${height}`);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    const px = ctx.getImageData(0, 0, width, height).data;
    const mask = new Uint8Array(width * height);
    for (let i = 0, p = 0; i < mask.length; i++, p += 4) mask[i] = px[p] >= 128 && px[p + 3] >= 128 ? 1 : 0;
    return mask;
  } finally {
    bitmap.close();
  }
}

/** The grayscale values of an image (its red channel: the working images are gray). */
export async function decodeGrayBlob(blob: Blob): Promise<{ gray: Uint8Array; width: number; height: number }> {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    const px = ctx.getImageData(0, 0, width, height).data;
    const gray = new Uint8Array(width * height);
    for (let i = 0, p = 0; i < gray.length; i++, p += 4) gray[i] = px[p];
    return { gray, width, height };
  } finally {
    bitmap.close();
  }
}

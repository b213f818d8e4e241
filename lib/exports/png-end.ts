/** The last 12 bytes of every whole PNG: its IEND chunk (no data, then its CRC). */
export const PNG_END = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/** Whether bytes end as a whole PNG does: a stored PNG cut short does not. */
export const endsAsPng = (bytes: Uint8Array): boolean =>
  bytes.length >= PNG_END.length && PNG_END.equals(bytes.subarray(bytes.length - PNG_END.length));

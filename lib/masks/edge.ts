/**
 * Whether pixel (x, y) of a mask lies on its edge: on the image border, or beside a background
 * pixel (4-neighbourhood). Asked of foreground pixels; any non-zero value is foreground.
 */
export function onEdge(mask: ArrayLike<number>, width: number, height: number, x: number, y: number): boolean {
  const i = y * width + x;
  return (
    x === 0 ||
    y === 0 ||
    x === width - 1 ||
    y === height - 1 ||
    !mask[i - 1] ||
    !mask[i + 1] ||
    !mask[i - width] ||
    !mask[i + width]
  );
}

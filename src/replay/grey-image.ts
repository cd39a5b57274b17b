import sharp from 'sharp';

/** A greyscale picture, one byte per pixel, row by row: what screen matching works on. */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decodes an encoded image (PNG, JPEG, WebP) to greyscale pixels. */
export async function decodeGrey(encoded: Buffer | string): Promise<GreyImage> {
  const { data, info } = await sharp(encoded).greyscale().raw().toBuffer({ resolveWithObject: true });
  // greyscale() may still leave an alpha channel: keep the first channel of each pixel.
  if (info.channels === 1) return { data, width: info.width, height: info.height };
  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0; i < grey.length; i++) grey[i] = data[i * info.channels] as number;
  return { data: grey, width: info.width, height: info.height };
}

/** The picture made `factor` times smaller on each side, each pixel the mean of its block. */
export function shrink(image: GreyImage, factor: number): GreyImage {
  if (factor === 1) return image;
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data = new Uint8Array(width * height);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * image.width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += image.data[row + dx] as number;
      }
      data[y * width + x] = Math.round(sum / area);
    }
  }
  return { data, width, height };
}

/** A rectangle of pixels: left, top, width, height. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Mean and standard deviation of the pixels in a rectangle. */
export function statsOf(image: GreyImage, rect: Rect): { mean: number; std: number } {
  let sum = 0;
  let squares = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    const row = y * image.width;
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const value = image.data[row + x] as number;
      sum += value;
      squares += value * value;
    }
  }
  const count = rect.width * rect.height;
  const mean = sum / count;
  return { mean, std: Math.sqrt(Math.max(0, squares / count - mean * mean)) };
}

/**
 * Normalized cross-correlation of `rect` in `a` with the same-sized rectangle at (bx, by) in `b`:
 * 1 for the same picture (whatever its brightness and contrast), 0 for unrelated ones. A flat
 * rectangle on either side gives 0. `step` > 1 looks at every step-th pixel of every step-th row only
 * (a quick estimate for a large rectangle).
 */
export function correlation(
  a: GreyImage,
  rect: Rect,
  b: GreyImage,
  bx: number,
  by: number,
  step = 1,
): number {
  let sumA = 0;
  let squaresA = 0;
  let sumB = 0;
  let squaresB = 0;
  let cross = 0;
  let count = 0;
  for (let y = 0; y < rect.height; y += step) {
    const rowA = (rect.y + y) * a.width + rect.x;
    const rowB = (by + y) * b.width + bx;
    for (let x = 0; x < rect.width; x += step) {
      const va = a.data[rowA + x] as number;
      const vb = b.data[rowB + x] as number;
      sumA += va;
      squaresA += va * va;
      sumB += vb;
      squaresB += vb * vb;
      cross += va * vb;
      count++;
    }
  }
  const meanA = sumA / count;
  const meanB = sumB / count;
  const varA = squaresA / count - meanA * meanA;
  const varB = squaresB / count - meanB * meanB;
  if (varA < 1e-6 || varB < 1e-6) return 0;
  return (cross / count - meanA * meanB) / Math.sqrt(varA * varB);
}

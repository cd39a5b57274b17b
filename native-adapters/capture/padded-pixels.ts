import { endianness } from 'node:os';
import { CaptureError } from './capturer.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Copies 3- or 4-byte pixels (rows `rowBytes` apart) into tight RGB. The 4th byte of an X capture is
 * padding, not alpha (xterm writes 0): handed to sharp as 4 channels it is premultiplied to black.
 */
export function paddedToRgb(
  data: Uint8Array,
  width: number,
  height: number,
  rowBytes: number,
  bytesPerPixel: number,
  { bgr }: { bgr: boolean },
): Buffer {
  if (
    bytesPerPixel < 3 ||
    rowBytes < width * bytesPerPixel ||
    data.length < rowBytes * (height - 1) + width * bytesPerPixel
  ) {
    throw new CaptureError(
      `unexpected capture layout: ${width}x${height}, ${bytesPerPixel} bytes per pixel, ` +
        `${rowBytes} bytes per row, ${data.length} bytes`,
    );
  }
  const tightBgrx = bgr && bytesPerPixel === 4 && rowBytes === width * 4 && data.byteOffset % 4 === 0;
  if (tightBgrx && LITTLE_ENDIAN) return tightBgrxToRgb(data, width * height);
  const out = Buffer.allocUnsafe(width * height * 3);
  const red = bgr ? 2 : 0;
  const blue = bgr ? 0 : 2;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const end = y * rowBytes + width * bytesPerPixel;
    for (let i = y * rowBytes; i < end; i += bytesPerPixel) {
      out[o] = data[i + red] as number;
      out[o + 1] = data[i + 1] as number;
      out[o + 2] = data[i + blue] as number;
      o += 3;
    }
  }
  return out;
}

/**
 * The common X case, about twice as fast as byte by byte (2.2 vs 4.2 ms at 1920x1080): reads 4 pixels
 * as 4 words and writes them as 3 words of RGB.
 */
function tightBgrxToRgb(data: Uint8Array, pixels: number): Buffer {
  // Not from the shared pool, so the 32-bit view below is aligned.
  const out = Buffer.allocUnsafeSlow(pixels * 3);
  const src = new Uint32Array(data.buffer, data.byteOffset, pixels);
  const dst = new Uint32Array(out.buffer, out.byteOffset, Math.floor(out.length / 4));
  const whole = pixels - (pixels % 4);
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    // A little-endian word of B,G,R,X bytes is X<<24 | R<<16 | G<<8 | B; as R,G,B bytes: B<<16 | G<<8 | R.
    const a = src[i] as number;
    const b = src[i + 1] as number;
    const c = src[i + 2] as number;
    const d = src[i + 3] as number;
    const rgbA = ((a >>> 16) & 0xff) | (a & 0xff00) | ((a & 0xff) << 16);
    const rgbB = ((b >>> 16) & 0xff) | (b & 0xff00) | ((b & 0xff) << 16);
    const rgbC = ((c >>> 16) & 0xff) | (c & 0xff00) | ((c & 0xff) << 16);
    const rgbD = ((d >>> 16) & 0xff) | (d & 0xff00) | ((d & 0xff) << 16);
    dst[o] = rgbA | (rgbB << 24);
    dst[o + 1] = (rgbB >>> 8) | (rgbC << 16);
    dst[o + 2] = (rgbC >>> 16) | (rgbD << 8);
    o += 3;
  }
  for (let i = whole; i < pixels; i++) {
    out[i * 3] = data[i * 4 + 2] as number;
    out[i * 3 + 1] = data[i * 4 + 1] as number;
    out[i * 3 + 2] = data[i * 4] as number;
  }
  return out;
}

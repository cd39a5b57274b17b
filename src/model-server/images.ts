/** Reads the pixel size of a screenshot sent as a data URL (PNG, JPEG, WebP headers), so tests can
 * check that the image a client sends matches the display size it declared. */

export interface ImageSize {
  mime: string;
  bytes: number;
  width?: number;
  height?: number;
}

export function dataUrlImage(url: string): ImageSize | undefined {
  const match = /^data:([^;,]+)(;base64)?,/.exec(url);
  if (!match) return undefined;
  const payload = url.slice(match[0].length);
  const bytes = match[2]
    ? Buffer.from(payload, 'base64')
    : Buffer.from(decodeURIComponent(payload), 'latin1');
  return { mime: match[1]!, bytes: bytes.length, ...imageSize(bytes) };
}

export function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  return pngSize(bytes) ?? jpegSize(bytes) ?? webpSize(bytes);
}

function pngSize(b: Buffer): { width: number; height: number } | undefined {
  const signature = '89504e470d0a1a0a';
  if (b.length < 24 || b.toString('hex', 0, 8) !== signature || b.toString('latin1', 12, 16) !== 'IHDR')
    return;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return;
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = b.readUInt16BE(at + 2);
    const startOfFrame =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (startOfFrame) return { height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7) };
    at += 2 + length;
  }
  return;
}

function webpSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length < 30 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP')
    return;
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return;
}

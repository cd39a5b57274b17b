import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  type Capturer,
  createCapturer,
  dataUrl,
  listDisplays,
  type Screenshot,
} from '../../native-adapters/capture/index.js';
import { bgrxToRgbInPlace, paddedToRgb } from '../../native-adapters/capture/padded-pixels.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';

const WIDTH = 1280;
const HEIGHT = 800;
// Every channel different, so a swapped or shifted channel shows.
const ROOT = { hex: '#e0401a', rgb: [0xe0, 0x40, 0x1a] } as const;
const TERMINAL = { hex: '#3366cc', rgb: [0x33, 0x66, 0xcc] } as const;
// xterm -geometry 40x10+100+100 with the 6x13 "fixed" font: about 244x134 px from (100, 100); no window
// manager, so no decorations. The padding byte of its pixels is 0: read as alpha it turns them black.
const TERMINAL_POINT = { x: 220, y: 165 };
const ROOT_POINT = { x: 1000, y: 600 };

let display: VirtualDisplay;
const windows: ChildProcess[] = [];
let nut: Capturer;
let fallback: Capturer;
let shm: Capturer;

async function pixelAt(shot: Screenshot, screenX: number, screenY: number): Promise<number[]> {
  const { data, info } = await sharp(shot.data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const x = Math.floor((screenX * info.width) / shot.screenWidth);
  const y = Math.floor((screenY * info.height) / shot.screenHeight);
  const offset = (y * info.width + x) * info.channels;
  return [...data.subarray(offset, offset + 3)];
}

function expectColour(actual: number[], expected: readonly number[], tolerance: number): void {
  const distance = Math.max(...actual.map((value, i) => Math.abs(value - (expected[i] ?? 0))));
  expect(
    distance,
    `pixel ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
  ).toBeLessThanOrEqual(tolerance);
}

beforeAll(async () => {
  display = await startXvfb({ width: WIDTH, height: HEIGHT });
  // Before any capture: nut-js binds to the display it first opens.
  process.env.DISPLAY = display.name;
  execFileSync('xsetroot', ['-display', display.name, '-solid', ROOT.hex]);
  const xterm = spawn(
    'xterm',
    [
      '-display',
      display.name,
      '-geometry',
      '40x10+100+100',
      '-bg',
      TERMINAL.hex,
      '-fg',
      'white',
      '-e',
      'sleep',
      '600',
    ],
    { stdio: 'ignore' },
  );
  windows.push(xterm);
  nut = await createCapturer('nut');
  fallback = await createCapturer('screenshot-desktop');
  shm = await createCapturer('x11-shm');
  // Wait for the xterm to map and paint.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const shot = await nut.capture();
    const [r, g, b] = await pixelAt(shot, TERMINAL_POINT.x, TERMINAL_POINT.y);
    if (r === TERMINAL.rgb[0] && g === TERMINAL.rgb[1] && b === TERMINAL.rgb[2]) break;
    if (Date.now() > deadline) throw new Error(`xterm did not appear on ${display.name} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

afterAll(async () => {
  for (const window of windows) window.kill('SIGKILL');
  await display?.stop();
});

describe.each([
  ['x11-shm', () => shm],
  ['nut', () => nut],
  ['screenshot-desktop', () => fallback],
])('%s capturer', (name, capturer) => {
  it('reads back the drawn colours at full size, the terminal included', async () => {
    const shot = await capturer().capture();
    expect(shot).toMatchObject({
      format: 'png',
      mimeType: 'image/png',
      width: WIDTH,
      height: HEIGHT,
      screenWidth: WIDTH,
      screenHeight: HEIGHT,
    });
    expect(shot.durationMs).toBeGreaterThan(0);
    if (name === 'nut') expect(shot.pixelDensity).toEqual({ scaleX: 1, scaleY: 1 });
    const metadata = await sharp(shot.data).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['png', WIDTH, HEIGHT]);
    expectColour(await pixelAt(shot, ROOT_POINT.x, ROOT_POINT.y), ROOT.rgb, 0);
    expectColour(await pixelAt(shot, TERMINAL_POINT.x, TERMINAL_POINT.y), TERMINAL.rgb, 0);
  });

  it('scales to maxEdge keeping the aspect ratio, and never upscales', async () => {
    const small = await capturer().capture({ maxEdge: 640 });
    expect([small.width, small.height, small.screenWidth, small.screenHeight]).toEqual([
      640,
      400,
      WIDTH,
      HEIGHT,
    ]);
    expect(await sharp(small.data).metadata()).toMatchObject({ width: 640, height: 400 });
    expectColour(await pixelAt(small, TERMINAL_POINT.x, TERMINAL_POINT.y), TERMINAL.rgb, 2);
    expectColour(await pixelAt(small, ROOT_POINT.x, ROOT_POINT.y), ROOT.rgb, 2);
    const big = await capturer().capture({ maxEdge: 4000 });
    expect([big.width, big.height]).toEqual([WIDTH, HEIGHT]);
  });

  it('produces an exact width and height when asked, over maxEdge', async () => {
    const shot = await capturer().capture({ width: 500, height: 300, maxEdge: 100 });
    expect([shot.width, shot.height]).toEqual([500, 300]);
    expect(await sharp(shot.data).metadata()).toMatchObject({ width: 500, height: 300 });
    expectColour(await pixelAt(shot, TERMINAL_POINT.x, TERMINAL_POINT.y), TERMINAL.rgb, 2);
  });

  it.each(['jpeg', 'webp'] as const)('encodes %s that decodes to the drawn colours', async (format) => {
    const shot = await capturer().capture({ format, maxEdge: 960, quality: 90 });
    expect(shot.mimeType).toBe(`image/${format}`);
    expect(dataUrl(shot).startsWith(`data:image/${format};base64,`)).toBe(true);
    expect(await sharp(shot.data).metadata()).toMatchObject({ format, width: 960, height: 600 });
    expectColour(await pixelAt(shot, TERMINAL_POINT.x, TERMINAL_POINT.y), TERMINAL.rgb, 12);
    expectColour(await pixelAt(shot, ROOT_POINT.x, ROOT_POINT.y), ROOT.rgb, 12);
  });

  it('rejects bad options with a CaptureError naming the option', async () => {
    await expect(capturer().capture({ maxEdge: 0 })).rejects.toThrow(/maxEdge must be a positive integer/);
    await expect(capturer().capture({ quality: 101, format: 'jpeg' })).rejects.toBeInstanceOf(CaptureError);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a caller outside TypeScript
    await expect(capturer().capture({ format: 'gif' as any })).rejects.toThrow(/unknown image format "gif"/);
  });
});

describe('createCapturer', () => {
  it("'auto' is MIT-SHM on a local X server, nut-js where MIT-SHM cannot attach", async () => {
    expect((await createCapturer('auto')).name).toBe('x11-shm');
    const real = process.env.DISPLAY;
    let reason: Error | undefined;
    try {
      // Over TCP (which this Xvfb refuses) shared memory cannot work: 'auto' goes on to nut-js.
      process.env.DISPLAY = `127.0.0.1${real}`;
      const chosen = await createCapturer('auto', { onFallback: (error) => (reason = error) });
      expect(chosen.name).toBe('nut');
    } finally {
      process.env.DISPLAY = real;
    }
    expect(reason?.message).toMatch(/MIT-SHM/);
    expect((await createCapturer('screenshot-desktop')).name).toBe('screenshot-desktop');
  });

  it('refuses to follow a DISPLAY change, instead of letting libnut exit the process', async () => {
    await nut.capture({ maxEdge: 64 });
    process.env.DISPLAY = ':4321';
    try {
      await expect(nut.capture()).rejects.toThrow(
        /bound to X display .* one process can capture only one display/,
      );
    } finally {
      process.env.DISPLAY = display.name;
    }
  });
});

describe('listDisplays', () => {
  it("lists Xvfb's single output with its geometry", async () => {
    expect(await listDisplays()).toEqual([
      { id: 'screen', name: 'screen', x: 0, y: 0, width: WIDTH, height: HEIGHT, primary: false },
    ]);
  });
});

describe('paddedToRgb', () => {
  it('drops the padding byte whatever its value and skips row padding', () => {
    // 2x2 BGRX, rows of 12 bytes (4 bytes of row padding); padding bytes 0 and 255.
    const bgrx = Uint8Array.from(
      [
        [1, 2, 3, 0, 4, 5, 6, 255, 9, 9, 9, 9],
        [7, 8, 9, 255, 10, 11, 12, 0, 9, 9, 9, 9],
      ].flat(),
    );
    expect([...paddedToRgb(bgrx, 2, 2, 12, 4, { bgr: true })]).toEqual([
      3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10,
    ]);
    expect([...paddedToRgb(bgrx, 2, 2, 12, 4, { bgr: false })]).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
  });

  it('gives the same bytes on the word-at-a-time path (tight rows) as byte by byte', () => {
    // 3x3 tight BGRX: two groups of four pixels and one left over; then the same bytes unaligned.
    const pixels = Array.from({ length: 9 }, (_, i) => [10 * i + 1, 10 * i + 2, 10 * i + 3, i % 2 ? 255 : 0]);
    const expected = pixels.flatMap(([b, g, r]) => [r, g, b]);
    expect([...paddedToRgb(Uint8Array.from(pixels.flat()), 3, 3, 12, 4, { bgr: true })]).toEqual(expected);
    const unaligned = new Uint8Array(new ArrayBuffer(37), 1);
    unaligned.set(pixels.flat());
    expect([...paddedToRgb(unaligned, 3, 3, 12, 4, { bgr: true })]).toEqual(expected);
  });

  it('converts in place to the same bytes, whatever the count of pixels left over from groups of four', () => {
    for (const count of [1, 2, 3, 4, 5, 7, 9, 1000]) {
      const bgrx = Buffer.from(Array.from({ length: count * 4 }, (_, i) => (i * 37 + 11) % 256));
      const expected = [...paddedToRgb(bgrx, count, 1, count * 4, 4, { bgr: true })];
      expect([...bgrxToRgbInPlace(Buffer.from(bgrx), count)], `${count} pixels`).toEqual(expected);
    }
  });

  it('rejects a buffer too short for the stated layout', () => {
    expect(() => paddedToRgb(new Uint8Array(10), 2, 2, 8, 4, { bgr: true })).toThrow(CaptureError);
  });
});

import screenshot from 'screenshot-desktop';
import sharp from 'sharp';
import { CaptureError, type CaptureOptions, type Capturer, type Screenshot } from './capturer.js';
import { checkCaptureOptions, encode, outputSize } from './encode.js';

/** One monitor as screenshot-desktop reports it; geometry where the platform gives it (xrandr on Linux). */
export interface DisplayInfo {
  id: string | number;
  name: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  primary?: boolean;
}

export interface ScreenshotDesktopOptions {
  /** Display id from listDisplays(); default: the primary display (on Xvfb, which has none: the first). */
  screen?: string | number;
}

/**
 * The portable fallback: screenshot-desktop (on Linux it runs `xrandr` and ImageMagick `import` for every
 * call), re-encoded with sharp. For PNG output it asks for PNG, so the pixels arrive unchanged; for
 * lossy output it asks for JPEG, which import writes ~4x faster on a photo-like screen (116 vs 500 ms).
 */
export class ScreenshotDesktopCapturer implements Capturer {
  readonly name = 'screenshot-desktop' as const;

  constructor(private readonly options: ScreenshotDesktopOptions = {}) {}

  async capture(options: CaptureOptions = {}): Promise<Screenshot> {
    const { format } = checkCaptureOptions(options);
    const started = performance.now();
    checkDisplay();
    const source = format === 'png' ? 'png' : 'jpg';
    let captured: Buffer;
    try {
      captured = await screenshot({
        format: source,
        ...(this.options.screen === undefined ? {} : { screen: this.options.screen }),
      });
    } catch (error) {
      throw toolError('screenshot-desktop could not capture the screen', error);
    }
    const image = sharp(captured);
    const { width: screenWidth, height: screenHeight } = await image.metadata();
    const size = outputSize(screenWidth, screenHeight, options);
    // import's PNG is already what was asked for: skip a decode and an encode (~20 ms).
    const unchanged = source === 'png' && size.width === screenWidth && size.height === screenHeight;
    const encoded = unchanged
      ? {
          data: captured,
          format: 'png' as const,
          mimeType: 'image/png' as const,
          width: screenWidth,
          height: screenHeight,
        }
      : await encode(image, screenWidth, screenHeight, options);
    return { ...encoded, screenWidth, screenHeight, durationMs: performance.now() - started };
  }
}

/** The monitors screenshot-desktop can see, for multi-monitor listing (xrandr on Linux). */
export async function listDisplays(): Promise<DisplayInfo[]> {
  checkDisplay();
  let displays: Array<Record<string, unknown>>;
  try {
    displays = (await screenshot.listDisplays()) as unknown as Array<Record<string, unknown>>;
  } catch (error) {
    throw toolError('screenshot-desktop could not list the displays', error);
  }
  return displays.map((display) => {
    const id = display.id as string | number;
    const info: DisplayInfo = { id, name: typeof display.name === 'string' ? display.name : String(id) };
    // Linux gives offsetX/offsetY, Windows left/top; both give width and height.
    const x = numberField(display, 'offsetX') ?? numberField(display, 'left');
    const y = numberField(display, 'offsetY') ?? numberField(display, 'top');
    const width = numberField(display, 'width');
    const height = numberField(display, 'height');
    if (x !== undefined) info.x = x;
    if (y !== undefined) info.y = y;
    if (width !== undefined) info.width = width;
    if (height !== undefined) info.height = height;
    if (typeof display.primary === 'boolean') info.primary = display.primary;
    return info;
  });
}

function numberField(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function checkDisplay(): void {
  if (process.platform === 'linux' && !process.env.DISPLAY) {
    throw new CaptureError(
      'DISPLAY is not set: no X display to capture. Pass --display :N, or --xvfb to start a private one.',
    );
  }
}

function toolError(what: string, error: unknown): CaptureError {
  const message = error instanceof Error ? error.message : String(error);
  const missing = /(xrandr|import)\b.*not found|ENOENT/.test(message);
  return new CaptureError(
    missing
      ? `${what}: xrandr or ImageMagick's import is not installed. Run ./scripts/setup (apt packages x11-xserver-utils, imagemagick). ${message.trim()}`
      : `${what}: ${message.trim()}`,
    { cause: error },
  );
}

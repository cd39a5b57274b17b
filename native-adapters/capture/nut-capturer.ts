import type { Image, ScreenClass } from '@nut-tree-fork/nut-js';
import { resolveDisplay } from '../display.js';
import { nativeLoadError } from '../native-library.js';
import { XConnection } from '../x11/x11-connection.js';
import {
  CaptureError,
  type CaptureOptions,
  type Capturer,
  type RawFrame,
  type Screenshot,
} from './capturer.js';
import { checkCaptureOptions, encodeFrame } from './encode.js';
import { paddedToRgb } from './padded-pixels.js';

/**
 * The X display nut-js is bound to. libnut keeps the connection it opened on first use, and a capture
 * of another `$DISPLAY` against it ends in BadMatch, which exits the process: one process, one display.
 */
let boundDisplay: string | undefined;

/** Screen capture through nut-js `screen.grab()` (libnut, XGetImage on X11), encoded with sharp. */
export class NutCapturer implements Capturer {
  readonly name = 'nut' as const;

  private constructor(
    private readonly screen: ScreenClass,
    private readonly bgrColorMode: number,
  ) {}

  /** Loads nut-js and its native library; a missing system library becomes a NativeLibraryError. */
  static async load(): Promise<NutCapturer> {
    try {
      const nut = await import('@nut-tree-fork/nut-js');
      return new NutCapturer(nut.screen, nut.ColorMode.BGR);
    } catch (error) {
      throw nativeLoadError('nut-js screen capture', error);
    }
  }

  async capture(options: CaptureOptions = {}): Promise<Screenshot> {
    checkCaptureOptions(options);
    return this.encode(await this.grab(), options);
  }

  /** The screen's pixels as tight RGB (the X padding byte dropped). */
  async grab(): Promise<RawFrame> {
    const startedAt = performance.now();
    await bindDisplay();
    let image: Image;
    try {
      image = await this.screen.grab();
    } catch (error) {
      throw new CaptureError(`nut-js could not capture the screen: ${String(error)}`, { cause: error });
    }
    const rgb = paddedToRgb(image.data, image.width, image.height, image.byteWidth, image.channels, {
      bgr: image.colorMode === this.bgrColorMode,
    });
    return {
      rgb,
      width: image.width,
      height: image.height,
      pixelDensity: { scaleX: image.pixelDensity.scaleX, scaleY: image.pixelDensity.scaleY },
      startedAt,
    };
  }

  encode(frame: RawFrame, options: CaptureOptions = {}): Promise<Screenshot> {
    return encodeFrame(frame, options);
  }
}

/** On X11, checks `$DISPLAY` before libnut opens it: libnut segfaults on a display it cannot open. */
async function bindDisplay(): Promise<void> {
  if (process.platform !== 'linux') return;
  // The CLI chose the display before capturing; with none, say why (unset, Wayland) the usual way.
  const display = process.env.DISPLAY || (resolveDisplay(undefined) as string);
  if (boundDisplay === display) return;
  if (boundDisplay !== undefined) {
    throw new CaptureError(
      `nut-js is bound to X display ${boundDisplay} but DISPLAY is now ${display}: one process can capture ` +
        'only one display. Start another process for the other display.',
    );
  }
  (await XConnection.open(display)).close();
  boundDisplay = display;
}

import { NativeLibraryError } from '../native-library.js';
import { CaptureError, type Capturer } from './capturer.js';
import { ScreenshotDesktopCapturer } from './screenshot-desktop-capturer.js';
export { X11ShmCapturer } from './x11-shm-capturer.js';
import { X11ShmCapturer } from './x11-shm-capturer.js';

export {
  CaptureError,
  type CaptureOptions,
  type Capturer,
  dataUrl,
  IMAGE_FORMATS,
  type ImageFormat,
  type Screenshot,
} from './capturer.js';
export {
  type DisplayInfo,
  listDisplays,
  ScreenshotDesktopCapturer,
  type ScreenshotDesktopOptions,
} from './screenshot-desktop-capturer.js';

export const CAPTURER_KINDS = ['auto', 'x11-shm', 'nut', 'screenshot-desktop'] as const;
export type CapturerKind = (typeof CAPTURER_KINDS)[number];

/** A capturer that says which implementation it is, for logs and the run record. */
export type NamedCapturer = Capturer & { readonly name: 'x11-shm' | 'nut' | 'screenshot-desktop' };

export interface CreateCapturerOptions {
  /** Told why 'auto' passed over a faster capturer (MIT-SHM not usable, nut-js did not load). */
  onFallback?: (reason: Error) => void;
}

/**
 * The screen capturer for this process. 'auto' is, on a local X server, MIT-SHM (2-3 ms a grab at
 * 1920x1080), else nut-js (8-10 ms), else screenshot-desktop (~100-200 ms) when nut-js cannot load its
 * native library. Set `process.env.DISPLAY` before the first capture: nut-js stays on the display it
 * first opened.
 */
export async function createCapturer(
  kind: CapturerKind = 'auto',
  options: CreateCapturerOptions = {},
): Promise<NamedCapturer> {
  if (!CAPTURER_KINDS.includes(kind)) {
    throw new CaptureError(`unknown capturer "${kind}": expected one of ${CAPTURER_KINDS.join(', ')}`);
  }
  if (kind === 'screenshot-desktop') return new ScreenshotDesktopCapturer();
  if (kind === 'x11-shm' || (kind === 'auto' && process.platform === 'linux' && process.env.DISPLAY)) {
    try {
      return await X11ShmCapturer.open(process.env.DISPLAY ?? '');
    } catch (error) {
      if (kind === 'x11-shm') throw error;
      options.onFallback?.(error as Error);
    }
  }
  // Loaded lazily so that a missing native library is an error here, not a crash at import.
  const { NutCapturer } = await import('./nut-capturer.js');
  try {
    return await NutCapturer.load();
  } catch (error) {
    if (kind === 'auto' && error instanceof NativeLibraryError) {
      options.onFallback?.(error);
      return new ScreenshotDesktopCapturer();
    }
    throw error;
  }
}

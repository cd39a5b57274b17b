import { NativeLibraryError } from '../native-library.js';
import { CaptureError, type Capturer } from './capturer.js';
import { ScreenshotDesktopCapturer } from './screenshot-desktop-capturer.js';

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

export const CAPTURER_KINDS = ['auto', 'nut', 'screenshot-desktop'] as const;
export type CapturerKind = (typeof CAPTURER_KINDS)[number];

/** A capturer that says which implementation it is, for logs and the run record. */
export type NamedCapturer = Capturer & { readonly name: 'nut' | 'screenshot-desktop' };

export interface CreateCapturerOptions {
  /** Told why 'auto' fell back to screenshot-desktop (nut-js did not load). */
  onFallback?: (reason: NativeLibraryError) => void;
}

/**
 * The screen capturer for this process. 'auto' is nut-js (10-20 ms a grab), or screenshot-desktop
 * (~100-200 ms) when nut-js cannot load its native library. Set `process.env.DISPLAY` before the first
 * capture: nut-js stays on the display it first opened.
 */
export async function createCapturer(
  kind: CapturerKind = 'auto',
  options: CreateCapturerOptions = {},
): Promise<NamedCapturer> {
  if (!CAPTURER_KINDS.includes(kind)) {
    throw new CaptureError(`unknown capturer "${kind}": expected one of ${CAPTURER_KINDS.join(', ')}`);
  }
  if (kind === 'screenshot-desktop') return new ScreenshotDesktopCapturer();
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

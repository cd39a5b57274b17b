export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const IMAGE_FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'webp'];

/**
 * What the model is sent by default: JPEG at quality 80. On a realistic 1920x1080 page at 1280x720 it
 * is ~3x fewer bytes per turn than PNG and no slower to encode; WebP is smaller still but 3-4x slower
 * to encode than the whole rest of the capture (figures in docs/benchmarks.md).
 */
export const DEFAULT_IMAGE: { format: ImageFormat; quality: number } = { format: 'jpeg', quality: 80 };

export interface CaptureOptions {
  /** Longest edge of the output in pixels; keeps the aspect ratio and never upscales. */
  maxEdge?: number;
  /**
   * Exact output size; wins over maxEdge and may upscale. Given alone, the other side follows the
   * screen's aspect ratio.
   */
  width?: number;
  height?: number;
  /** Default png. */
  format?: ImageFormat;
  /** jpeg and webp only, 1-100; default 80. */
  quality?: number;
}

/** One encoded screen image and the geometry it was taken from. */
export interface Screenshot {
  data: Buffer;
  format: ImageFormat;
  mimeType: `image/${ImageFormat}`;
  /** Size of the encoded image (screenshot space). */
  width: number;
  height: number;
  /** Physical pixels captured. */
  screenWidth: number;
  screenHeight: number;
  /** Physical pixels per logical pixel, when the platform reports it (1 on X11; 2 on a Retina display). */
  pixelDensity?: { scaleX: number; scaleY: number };
  /** Capture, conversion and encoding, in milliseconds. */
  durationMs: number;
  /**
   * From a capturer that watches the screen for changes: `changes.count` when the pixels were read, so
   * a later count tells that the screen has changed since.
   */
  changeCount?: number;
}

/**
 * Screen-change notifications (the X DAMAGE extension): settle waits on these instead of comparing
 * captures. Changes reach us on the capture's own connection, so every change the server made before a
 * capture read the pixels is counted before that capture returns.
 */
export interface ScreenChanges {
  /** Changes seen so far. */
  readonly count: number;
  /** When the latest change arrived (performance.now()); -Infinity before the first. */
  readonly lastAt: number;
  /** Resolves at the next change, or after `ms`, whichever comes first; rejects when `signal` aborts. */
  next(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The whole screen as tight RGB pixels, before any resize or encoding. */
export interface RawFrame {
  rgb: Buffer;
  width: number;
  height: number;
  pixelDensity?: { scaleX: number; scaleY: number };
  /** When the grab started (performance.now()), for durationMs of the encoded result. */
  startedAt: number;
}

/** Takes pictures of the screen. The X display is the process's `$DISPLAY` (one process = one display). */
export interface Capturer {
  capture(options?: CaptureOptions): Promise<Screenshot>;
  /**
   * Optional split of capture() for callers that look at many frames and send few (settle detection):
   * grab the pixels, then encode only the frame that is kept.
   */
  grab?(): Promise<RawFrame>;
  encode?(frame: RawFrame, options?: CaptureOptions): Promise<Screenshot>;
  /** Present when the capturer is told of screen changes (X DAMAGE); settle then waits on events. */
  readonly changes?: ScreenChanges;
  close?(): void;
}

export class CaptureError extends Error {
  override name = 'CaptureError';
}

export function dataUrl(shot: Screenshot): string {
  return `data:${shot.mimeType};base64,${shot.data.toString('base64')}`;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const IMAGE_FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'webp'];

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
  close?(): void;
}

export class CaptureError extends Error {
  override name = 'CaptureError';
}

export function dataUrl(shot: Screenshot): string {
  return `data:${shot.mimeType};base64,${shot.data.toString('base64')}`;
}

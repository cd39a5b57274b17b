import sharp, { type Sharp } from 'sharp';
import type { CaptureOptions, Capturer, Screenshot, ScreenChanges } from './capturer.js';

/**
 * Screen settling: the screenshot after an action shows the screen once it has stopped changing,
 * bounded by `maxWaitMs`. This replaces the fixed 0.75-2 s sleep other runtimes take after every action.
 *
 * With a capturer told of screen changes (X DAMAGE, see settleByEvents) the screen is captured at once
 * and that capture is kept when nothing changes for `graceMs` after the action: a still screen costs
 * no wait beyond the capture itself. A screen that changes is waited for until it has been still for
 * `quietMs`, and the capture kept was taken after its last change, so it is never mid-redraw.
 *
 * Otherwise the screen is captured again and again until two captures in a row look alike.
 * "Alike" means at most `tolerance` of the screen differs: a blinking text cursor does not count as
 * change, a menu opening, a page loading or an animation does. Raw frames (nut-js) are compared pixel
 * for pixel; encoded ones by a small greyscale thumbnail (FINGERPRINT_SIZE), which also absorbs
 * compression noise.
 */
export interface SettleOptions extends CaptureOptions {
  /**
   * With change events: how long after the action a change still counts as its effect. An app that
   * answers later than this is not waited for. Default 20 ms.
   */
  graceMs?: number;
  /**
   * With change events: how long the screen must be still after a change. Longer than the gap between
   * two frames of an animation, or a redraw in steps would pass for settled. Default 60 ms; 2.5 times
   * that (150 ms) once the screen has changed 3 times since the action (it is animating).
   */
  quietMs?: number;
  /** Without change events: time between captures. Default 30 ms (about two frames of a 60 Hz app). */
  intervalMs?: number;
  /** Give up waiting after this long and return the latest capture. Default 2000 ms. */
  maxWaitMs?: number;
  /** Fraction of the screen that may differ between alike captures. Default 0.002 (0.2 %). */
  tolerance?: number;
  signal?: AbortSignal;
}

export interface SettledScreenshot extends Screenshot {
  /**
   * Time spent waiting for the screen beyond the capture returned. Without change events: from the
   * first capture to the one returned (0 when the first pair was alike at once).
   */
  settleMs: number;
  /** Captures taken. */
  captures: number;
  /** False when maxWaitMs ran out before two captures were alike. */
  settled: boolean;
}

/** Changes after the action from which the screen counts as animating, and its longer quiet window. */
const ANIMATION_CHANGES = 3;
const ANIMATION_QUIET_FACTOR = 2.5;
const FINGERPRINT_SIZE = { width: 160, height: 100 };
/** A thumbnail pixel counts as changed when its grey level moves by more than this (of 255). */
const PIXEL_THRESHOLD = 24;

/** Captures the screen once it has stopped changing (or maxWaitMs has passed). */
export async function captureWhenSettled(
  capturer: Capturer,
  options: SettleOptions = {},
): Promise<SettledScreenshot> {
  const {
    graceMs,
    quietMs,
    intervalMs = 30,
    maxWaitMs = 2000,
    tolerance = 0.002,
    signal,
    ...capture
  } = options;
  if (capturer.changes) {
    const timing = { graceMs: graceMs ?? 20, quietMs: quietMs ?? 60, maxWaitMs };
    return settleByEvents(capturer, capturer.changes, capture, timing, signal);
  }
  const frames = framesOf(capturer, capture);
  const started = performance.now();
  let captures = 1;
  let previous = await frames.next();
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= maxWaitMs) {
      return { ...(await previous.shot()), settleMs: elapsed, captures, settled: false };
    }
    await sleep(Math.min(intervalMs, maxWaitMs - elapsed), signal);
    const next = await frames.next();
    captures++;
    if (frames.difference(previous.key, next.key) <= tolerance) {
      // The still screen was already there at the previous capture: the wait before it was settling.
      const settleMs = captures === 2 ? 0 : performance.now() - started;
      return { ...(await next.shot()), settleMs, captures, settled: true };
    }
    previous = next;
  }
}

/**
 * Settling on change events. A capture is taken at once, then kept if it is still current (no change
 * since it read the pixels) once the action's grace has passed and the screen has been still for
 * quietMs since its last change. A change after the capture discards it; the next is taken once the
 * screen has been still for half of quietMs, so an animation does not cost an encode per frame.
 */
async function settleByEvents(
  capturer: Capturer,
  changes: ScreenChanges,
  capture: CaptureOptions,
  { graceMs, quietMs, maxWaitMs }: { graceMs: number; quietMs: number; maxWaitMs: number },
  signal: AbortSignal | undefined,
): Promise<SettledScreenshot> {
  const started = performance.now();
  const deadline = started + maxWaitMs;
  const countAtStart = changes.count;
  let shot: Screenshot | undefined;
  let captures = 0;
  const take = () => {
    captures++;
    return capturer.capture(capture);
  };
  const result = (taken: Screenshot, settled: boolean): SettledScreenshot => {
    const settleMs = Math.max(0, performance.now() - started - taken.durationMs);
    return { ...taken, settleMs, captures, settled };
  };
  for (;;) {
    signal?.throwIfAborted();
    const now = performance.now();
    const current = shot !== undefined && shot.changeCount === changes.count;
    // An animation (several changes since the action) is given a longer quiet window: a stall between
    // two of its frames on a loaded machine must not pass for its end. A single redraw keeps quietMs.
    const quiet =
      changes.count - countAtStart >= ANIMATION_CHANGES ? quietMs * ANIMATION_QUIET_FACTOR : quietMs;
    const stillAt = Math.max(started + graceMs, changes.lastAt + quiet);
    if (shot && current && now >= stillAt) return result(shot, true);
    if (now >= deadline) {
      // Still changing at the limit: the newest picture there is.
      return result(shot && current ? shot : await take(), false);
    }
    if (!shot) shot = await take();
    else if (!current) {
      const retakeAt = changes.lastAt + quiet / 2;
      if (now >= retakeAt) shot = await take();
      else await changes.next(Math.min(retakeAt, deadline) - now, signal);
    } else await changes.next(Math.min(stillAt, deadline) - now, signal);
  }
}

interface Frame {
  /** What frames are compared by: the raw pixels, or a thumbnail. */
  key: Buffer;
  shot(): Promise<Screenshot>;
}

interface FrameSource {
  next(): Promise<Frame>;
  /** The fraction of the screen that differs between two frames' keys. */
  difference(a: Buffer, b: Buffer): number;
}

/**
 * Frames to compare. With a capturer that can grab without encoding (nut-js), frames are compared pixel
 * for pixel (2-3 ms at 1920x1080) and only the frame kept is encoded; otherwise every capture is
 * encoded, and compared by thumbnail.
 */
function framesOf(capturer: Capturer, options: CaptureOptions): FrameSource {
  const { grab, encode } = capturer;
  if (grab && encode) {
    return {
      async next() {
        const frame = await grab.call(capturer);
        return { key: frame.rgb, shot: () => encode.call(capturer, frame, options) };
      },
      difference: changedPixels,
    };
  }
  return {
    async next() {
      const shot = await capturer.capture(options);
      return { key: await fingerprint(sharp(shot.data)), shot: async () => shot };
    },
    difference: changedFraction,
  };
}

/** The fraction of 4-byte words that differ between two frames of the same size (1 if sizes differ). */
export function changedPixels(a: Buffer, b: Buffer): number {
  if (a.length !== b.length || a.length < 4) return 1;
  const words = Math.floor(a.length / 4);
  const left = new Int32Array(a.buffer, a.byteOffset, a.byteOffset % 4 === 0 ? words : 0);
  const right = new Int32Array(b.buffer, b.byteOffset, b.byteOffset % 4 === 0 ? words : 0);
  if (left.length !== words || right.length !== words) return changedFraction(a, b);
  let changed = 0;
  for (let i = 0; i < words; i++) if (left[i] !== right[i]) changed++;
  return changed / words;
}

/** A small greyscale thumbnail of an image, for comparing screens. */
export async function fingerprint(image: Sharp): Promise<Buffer> {
  return image
    .resize(FINGERPRINT_SIZE.width, FINGERPRINT_SIZE.height, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
}

/** The fraction of pixels that differ by more than PIXEL_THRESHOLD between two fingerprints. */
export function changedFraction(a: Buffer, b: Buffer): number {
  if (a.length !== b.length || a.length === 0) return 1;
  let changed = 0;
  for (let i = 0; i < a.length; i++) {
    if (Math.abs((a[i] as number) - (b[i] as number)) > PIXEL_THRESHOLD) changed++;
  }
  return changed / a.length;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

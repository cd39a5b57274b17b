import sharp from 'sharp';
import type { CaptureOptions, Capturer, Screenshot } from './capturer.js';

/**
 * Screen settling: after an action the screen is captured again and again until two captures in a
 * row look alike, bounded by `maxWaitMs`. This replaces the fixed 0.75-2 s sleep other runtimes take
 * after every action: a screen that is already still costs one interval and two captures.
 *
 * "Alike" is judged on a small greyscale thumbnail (FINGERPRINT_SIZE), so a blinking text cursor or
 * anti-aliasing noise does not count as change, while a menu opening, a page loading or typed text does.
 */
export interface SettleOptions extends CaptureOptions {
  /** Time between captures. Default 40 ms. */
  intervalMs?: number;
  /** Give up waiting after this long and return the latest capture. Default 2000 ms. */
  maxWaitMs?: number;
  /** Fraction of thumbnail pixels that may differ between alike captures. Default 0.002 (32 of 16,000). */
  tolerance?: number;
  signal?: AbortSignal;
}

export interface SettledScreenshot extends Screenshot {
  /** From the first capture to the one returned (0 when the first pair was alike at once). */
  settleMs: number;
  /** Captures taken. */
  captures: number;
  /** False when maxWaitMs ran out before two captures were alike. */
  settled: boolean;
}

const FINGERPRINT_SIZE = { width: 160, height: 100 };
/** A thumbnail pixel counts as changed when its grey level moves by more than this (of 255). */
const PIXEL_THRESHOLD = 24;

/** Captures the screen once it has stopped changing (or maxWaitMs has passed). */
export async function captureWhenSettled(
  capturer: Capturer,
  options: SettleOptions = {},
): Promise<SettledScreenshot> {
  const { intervalMs = 40, maxWaitMs = 2000, tolerance = 0.002, signal, ...capture } = options;
  const started = performance.now();
  let captures = 1;
  let previous = await capturer.capture(capture);
  let previousPrint = await fingerprint(previous.data);
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= maxWaitMs) {
      return { ...previous, settleMs: elapsed, captures, settled: false };
    }
    await sleep(Math.min(intervalMs, maxWaitMs - elapsed), signal);
    const next = await capturer.capture(capture);
    captures++;
    const nextPrint = await fingerprint(next.data);
    if (changedFraction(previousPrint, nextPrint) <= tolerance) {
      // The still screen was already there at the previous capture: the wait before it was settling.
      return { ...next, settleMs: captures === 2 ? 0 : performance.now() - started, captures, settled: true };
    }
    previous = next;
    previousPrint = nextPrint;
  }
}

/** A small greyscale thumbnail of an encoded image, for comparing screens. */
export async function fingerprint(image: Buffer): Promise<Buffer> {
  return sharp(image)
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

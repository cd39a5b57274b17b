/**
 * The live self-test's pure half: which model points to try, and the verdict on what the OS reported.
 * The other half (moving the pointer, reading it back, capturing) lives in src/cli/calibrate.ts.
 */
import { modelRange } from './coordinates.js';
import type { DisplayProfile, Point, Size } from './spaces.js';

/** How far (per axis, in logical pixels) the pointer may sit from where toScreen said it would. */
export const POINT_TOLERANCE_PX = 1;

/** A capture may differ from input size x scale factor by rounding (1366 x 1.25 = 1707.5). */
export const CAPTURE_TOLERANCE_PX = 1;

export interface TestPoint {
  name: string;
  /** In model space: the 0-999 grid or viewport pixels, per the profile's mode. */
  model: Point;
}

/** Where the test points sit, as fractions of the model range; 1 means the last grid value / pixel. */
const LAYOUT: readonly (readonly [string, number, number])[] = [
  ['top-left', 0, 0],
  ['top-right', 1, 0],
  ['bottom-left', 0, 1],
  ['bottom-right', 1, 1],
  ['centre', 0.5, 0.5],
  ['inner top-left', 0.25, 0.25],
  ['inner top-right', 0.75, 0.25],
  ['inner bottom-left', 0.25, 0.75],
  ['inner bottom-right', 0.75, 0.75],
  // Off the quarter grid, so a map that is right only at round fractions shows up.
  ['off-grid', 0.123, 0.877],
];

/**
 * The model points the self-test moves to: the four corners (0 and 999 on the grid, 0 and the last
 * viewport pixel in pixel mode), the centre, four interior points and one off the quarter grid.
 */
export function calibrationPoints(profile: DisplayProfile): TestPoint[] {
  const { max } = modelRange(profile);
  // The grid spans 1000 values (0..999); a viewport spans its width in pixels (0..width-1).
  const span = { x: max.x + 1, y: max.y + 1 };
  return LAYOUT.map(([name, fx, fy]) => ({
    name,
    model: { x: Math.min(Math.round(fx * span.x), max.x), y: Math.min(Math.round(fy * span.y), max.y) },
  }));
}

export interface PointResult extends TestPoint {
  /** The logical screen pixel toScreen gave (where the pointer was sent). */
  expected: Point;
  /** Where the OS says the pointer is. */
  actual: Point;
  /** actual - expected, per axis. */
  dx: number;
  dy: number;
  ok: boolean;
}

export function judgePoint(
  point: TestPoint,
  expected: Point,
  actual: Point,
  tolerancePx: number = POINT_TOLERANCE_PX,
): PointResult {
  const dx = actual.x - expected.x;
  const dy = actual.y - expected.y;
  return {
    ...point,
    expected: { x: expected.x, y: expected.y },
    actual: { x: actual.x, y: actual.y },
    dx,
    dy,
    ok: Math.abs(dx) <= tolerancePx && Math.abs(dy) <= tolerancePx,
  };
}

export interface CaptureSizeResult {
  /** The screen size the input API reports (logical pixels). */
  input: Size;
  scaleFactor: number;
  /** input x scaleFactor, rounded: what the capture should measure. */
  expected: Size;
  /** What the capture measured (physical pixels). */
  capture: Size;
  ok: boolean;
}

/** Input and capture must agree on the screen: capture size = input size x scale factor. */
export function judgeCaptureSize(
  input: Size,
  capture: Size,
  scaleFactor: number,
  tolerancePx: number = CAPTURE_TOLERANCE_PX,
): CaptureSizeResult {
  const expected = {
    width: Math.round(input.width * scaleFactor),
    height: Math.round(input.height * scaleFactor),
  };
  return {
    input: { width: input.width, height: input.height },
    scaleFactor,
    expected,
    capture: { width: capture.width, height: capture.height },
    ok:
      Math.abs(capture.width - expected.width) <= tolerancePx &&
      Math.abs(capture.height - expected.height) <= tolerancePx,
  };
}

export interface CalibrationVerdict {
  ok: boolean;
  passed: number;
  failed: number;
  /** One line a person can act on. */
  summary: string;
}

export function judgeCalibration(
  capture: CaptureSizeResult,
  points: readonly PointResult[],
  tolerancePx: number = POINT_TOLERANCE_PX,
): CalibrationVerdict {
  const failed = points.filter((point) => !point.ok).length;
  const passed = points.length - failed;
  const ok = capture.ok && failed === 0 && points.length > 0;
  const problems: string[] = [];
  if (!capture.ok) {
    const { input, scaleFactor, expected, capture: got } = capture;
    problems.push(
      `the capture is ${got.width}x${got.height} but input says ${input.width}x${input.height} x scale ` +
        `${scaleFactor} = ${expected.width}x${expected.height} (wrong scale factor? pass --scale-factor)`,
    );
  }
  if (failed > 0) {
    const worst = points.reduce((a, b) =>
      Math.max(Math.abs(b.dx), Math.abs(b.dy)) > Math.max(Math.abs(a.dx), Math.abs(a.dy)) ? b : a,
    );
    problems.push(
      `${failed} of ${points.length} points off by more than ${tolerancePx} px ` +
        `(worst: ${worst.name} sent to (${worst.expected.x}, ${worst.expected.y}), pointer at (${worst.actual.x}, ${worst.actual.y}))`,
    );
  }
  if (points.length === 0) problems.push('no points were tested');
  const summary = ok
    ? `calibration passed: ${passed} of ${points.length} points within ${tolerancePx} px, capture agrees with input`
    : `calibration FAILED: ${problems.join('; ')}`;
  return { ok, passed, failed, summary };
}

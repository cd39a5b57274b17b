/**
 * Model coordinates in, screen pixels out: parsing what the wire sends, checking it against the
 * model's range, and the one composed map that rounds and clamps.
 */
import {
  type DisplayProfile,
  logicalToScreenshot,
  modelToScreenshot,
  type Point,
  screenshotToLogical,
  screenshotToModel,
} from './spaces.js';

/** A coordinate that is not a usable number. `field` names where it came from (e.g. "x", "end_y"). */
export class CoordinateError extends Error {
  override name = 'CoordinateError';
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`coordinate "${field}" must be a number, got ${describe(value)}`);
  }
}

// Plain decimal only: Number() alone would also take "0x10", "" and "Infinity".
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Numbers and numeric strings ("10", " 12.5 ") become numbers; anything else is a CoordinateError. */
export function parseCoordinate(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const text = value.trim();
    const parsed = Number(text);
    if (NUMERIC.test(text) && Number.isFinite(parsed)) return parsed;
  }
  throw new CoordinateError(field, value);
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || value === undefined) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function requireFinite(point: Point): void {
  if (!Number.isFinite(point.x)) throw new CoordinateError('x', point.x);
  if (!Number.isFinite(point.y)) throw new CoordinateError('y', point.y);
}

export interface ModelRange {
  min: Point;
  max: Point;
}

/** The model points that land on the screenshot: 0..999 on the grid, 0..viewport-1 in pixel mode. */
export function modelRange(profile: DisplayProfile): ModelRange {
  if (profile.coordMode === 'normalized') return { min: { x: 0, y: 0 }, max: { x: 999, y: 999 } };
  const { width, height } = profile.viewport;
  return { min: { x: 0, y: 0 }, max: { x: width - 1, y: height - 1 } };
}

export interface ModelPointCheck {
  /** The point, clamped into the model range (unchanged when it was inside). */
  point: Point;
  clamped: boolean;
  /** Says what was out of range and where it went; only when clamped. */
  note?: string;
}

/** Reports a model point outside the model range and clamps it; never wraps. */
export function checkModelPoint(point: Point, profile: DisplayProfile): ModelPointCheck {
  requireFinite(point);
  const { min, max } = modelRange(profile);
  const inside = { x: clamp(point.x, min.x, max.x), y: clamp(point.y, min.y, max.y) };
  if (inside.x === point.x && inside.y === point.y) return { point: inside, clamped: false };
  const range =
    profile.coordMode === 'normalized'
      ? `the normalized range ${min.x}..${max.x} x ${min.y}..${max.y}`
      : `the pixel range ${min.x}..${max.x} x ${min.y}..${max.y} of the ${profile.viewport.width}x${profile.viewport.height} screenshot`;
  return {
    point: inside,
    clamped: true,
    note: `model point (${point.x}, ${point.y}) is outside ${range}; clamped to (${inside.x}, ${inside.y})`,
  };
}

export interface ScreenPoint {
  /** Global logical screen pixel, inside the display. */
  x: number;
  y: number;
  /** True when the requested position fell outside the display and was pulled to its edge. */
  clamped: boolean;
}

/**
 * Model point -> the global logical screen pixel to send to the input API: rounded to the nearest
 * pixel, then clamped into the display, so the result is always on it.
 */
export function toScreen(point: Point, profile: DisplayProfile): ScreenPoint {
  requireFinite(point);
  const { display } = profile;
  const exact = screenshotToLogical(modelToScreenshot(point, profile), profile);
  const right = display.originX + display.width;
  const bottom = display.originY + display.height;
  // A position inside the last pixel may round onto the next one; that is rounding, not clamping.
  const clamped =
    exact.x < display.originX || exact.x >= right || exact.y < display.originY || exact.y >= bottom;
  return {
    // `+ 0` turns Math.round's -0 into 0.
    x: clamp(Math.round(exact.x), display.originX, right - 1) + 0,
    y: clamp(Math.round(exact.y), display.originY, bottom - 1) + 0,
    clamped,
  };
}

/** Global logical screen position -> model point (fractional; no rounding, no clamping). */
export function fromScreen(screenPoint: Point, profile: DisplayProfile): Point {
  requireFinite(screenPoint);
  return screenshotToModel(logicalToScreenshot(screenPoint, profile), profile);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

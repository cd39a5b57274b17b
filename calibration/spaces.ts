/**
 * The coordinate spaces between the model and the OS, and one named map per step with its inverse.
 *
 * model space (normalized 0-999 grid, or pixels of the viewport)
 * -> screenshot space (the image the model saw, `viewport.width x viewport.height`)
 * -> logical screen space (global: what the OS input API takes; on X11 equal to physical pixels)
 * -> physical pixels (local to the display: what capture returns; logical x scaleFactor).
 *
 * Every map is linear and returns fractional values; rounding and clamping happen once, in `toScreen`.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** How the model answers: on a 0-999 grid over the image, or in pixels of the image. */
export type CoordMode = 'normalized' | 'pixels';
export type CoordSetting = CoordMode | 'auto';

export interface DisplayInfo {
  /** Logical size, in the units the input API takes. */
  width: number;
  height: number;
  /** Top-left of this display in global logical coordinates (negative left of / above the primary). */
  originX: number;
  originY: number;
  /** Physical pixels per logical pixel (1 on X11, 2 on a Retina Mac). */
  scaleFactor: number;
  /** Size of what capture returns for this display. */
  physicalWidth: number;
  physicalHeight: number;
}

export interface DisplayProfile {
  display: DisplayInfo;
  /** The size of the screenshot the model sees. */
  viewport: Size;
  coordMode: CoordMode;
  /** The longest viewport edge allowed when the viewport was chosen. */
  maxEdge: number;
}

/** The official Lightcone formula: px = v / 1000 * size. */
const NORMALIZED_GRID = 1000;

export function modelToScreenshot(point: Point, profile: DisplayProfile): Point {
  if (profile.coordMode === 'pixels') return { x: point.x, y: point.y };
  const { width, height } = profile.viewport;
  return { x: (point.x / NORMALIZED_GRID) * width, y: (point.y / NORMALIZED_GRID) * height };
}

export function screenshotToModel(point: Point, profile: DisplayProfile): Point {
  if (profile.coordMode === 'pixels') return { x: point.x, y: point.y };
  const { width, height } = profile.viewport;
  return { x: (point.x / width) * NORMALIZED_GRID, y: (point.y / height) * NORMALIZED_GRID };
}

/** Screenshot pixel -> global logical screen position (the display's origin added). */
export function screenshotToLogical(point: Point, profile: DisplayProfile): Point {
  const { display, viewport } = profile;
  return {
    x: display.originX + (point.x * display.width) / viewport.width,
    y: display.originY + (point.y * display.height) / viewport.height,
  };
}

export function logicalToScreenshot(point: Point, profile: DisplayProfile): Point {
  const { display, viewport } = profile;
  return {
    x: ((point.x - display.originX) * viewport.width) / display.width,
    y: ((point.y - display.originY) * viewport.height) / display.height,
  };
}

/** Global logical position -> physical pixel in this display's capture (relative to its origin). */
export function logicalToPhysical(point: Point, profile: DisplayProfile): Point {
  const { display } = profile;
  return {
    x: (point.x - display.originX) * display.scaleFactor,
    y: (point.y - display.originY) * display.scaleFactor,
  };
}

export function physicalToLogical(point: Point, profile: DisplayProfile): Point {
  const { display } = profile;
  return {
    x: display.originX + point.x / display.scaleFactor,
    y: display.originY + point.y / display.scaleFactor,
  };
}

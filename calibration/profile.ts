/** The display profile: one display, the viewport the model sees, and how the model gives coordinates. */
import type { CoordMode, CoordSetting, DisplayInfo, DisplayProfile, Size } from './spaces.js';

/** A bad display, viewport or setting handed to calibration. */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

export const DEFAULT_MAX_EDGE = 1280;

/**
 * The screenshot size to show the model: the display's logical aspect ratio, longest edge capped at
 * `maxEdge`, never upscaled (bigger images cost tokens and accuracy).
 */
export function chooseViewport(display: Size, maxEdge: number = DEFAULT_MAX_EDGE): Size {
  requirePositive(display.width, 'display width', 'logical pixels');
  requirePositive(display.height, 'display height', 'logical pixels');
  requirePositiveInteger(maxEdge, 'maxEdge');
  const longest = Math.max(display.width, display.height);
  if (longest <= maxEdge) {
    return { width: Math.max(1, Math.round(display.width)), height: Math.max(1, Math.round(display.height)) };
  }
  // Dividing by `longest` last keeps the long edge exactly maxEdge.
  return {
    width: Math.max(1, Math.round((display.width * maxEdge) / longest)),
    height: Math.max(1, Math.round((display.height * maxEdge) / longest)),
  };
}

/** Scale factors operating systems actually use; a measured ratio within 2% of one snaps to it. */
const COMMON_SCALE_FACTORS = [1, 1.25, 1.5, 1.75, 2, 2.5, 3];

/** Physical pixels per logical pixel, from the capture width over the logical width. */
export function detectScaleFactor(logical: Size, physical: Size): number {
  requirePositive(logical.width, 'logical width', 'pixels');
  requirePositive(logical.height, 'logical height', 'pixels');
  requirePositive(physical.width, 'physical width', 'pixels');
  requirePositive(physical.height, 'physical height', 'pixels');
  const ratio = physical.width / logical.width;
  const common = COMMON_SCALE_FACTORS.find((factor) => Math.abs(ratio - factor) <= factor * 0.02);
  return common ?? ratio;
}

/** `auto` picks what each provider's models speak: Lightcone the 0-999 grid, OpenAI pixels. */
export function resolveCoordMode(setting: CoordSetting, provider: 'lightcone' | 'openai'): CoordMode {
  if (setting === 'normalized' || setting === 'pixels') return setting;
  if (setting !== 'auto') {
    throw new ProfileError(
      `coordinate mode must be auto, normalized or pixels, got ${JSON.stringify(setting)}`,
    );
  }
  if (provider === 'lightcone') return 'normalized';
  if (provider === 'openai') return 'pixels';
  throw new ProfileError(`provider must be lightcone or openai, got ${JSON.stringify(provider)}`);
}

/** A display as the caller knows it; leave out `scaleFactor` to detect it from the two sizes. */
export type DisplayInput = Omit<DisplayInfo, 'scaleFactor'> & { scaleFactor?: number };

export interface ProfileInput {
  display: DisplayInput;
  coordMode: CoordMode;
  /** Defaults to 1280, or to the longest edge of `viewport` when one is given. */
  maxEdge?: number;
  /** Defaults to `chooseViewport(display, maxEdge)`. */
  viewport?: Size;
}

/** Checks every input and builds the profile; a given `display.scaleFactor` overrides detection. */
export function createProfile(input: ProfileInput): DisplayProfile {
  const { display: given, coordMode } = input;
  requirePositiveInteger(given.width, 'display.width', 'logical pixels');
  requirePositiveInteger(given.height, 'display.height', 'logical pixels');
  requireInteger(given.originX, 'display.originX');
  requireInteger(given.originY, 'display.originY');
  requirePositiveInteger(given.physicalWidth, 'display.physicalWidth', 'pixels');
  requirePositiveInteger(given.physicalHeight, 'display.physicalHeight', 'pixels');
  if (given.scaleFactor !== undefined) requirePositive(given.scaleFactor, 'display.scaleFactor');
  if (coordMode !== 'normalized' && coordMode !== 'pixels') {
    throw new ProfileError(`coordMode must be normalized or pixels, got ${JSON.stringify(coordMode)}`);
  }

  const display: DisplayInfo = {
    width: given.width,
    height: given.height,
    originX: given.originX,
    originY: given.originY,
    scaleFactor:
      given.scaleFactor ??
      detectScaleFactor(
        { width: given.width, height: given.height },
        { width: given.physicalWidth, height: given.physicalHeight },
      ),
    physicalWidth: given.physicalWidth,
    physicalHeight: given.physicalHeight,
  };

  if (input.viewport === undefined) {
    const maxEdge = input.maxEdge ?? DEFAULT_MAX_EDGE;
    return { display, viewport: chooseViewport(display, maxEdge), coordMode, maxEdge };
  }

  const viewport = { width: input.viewport.width, height: input.viewport.height };
  requirePositiveInteger(viewport.width, 'viewport.width', 'pixels');
  requirePositiveInteger(viewport.height, 'viewport.height', 'pixels');
  const longest = Math.max(viewport.width, viewport.height);
  const maxEdge = input.maxEdge ?? longest;
  requirePositiveInteger(maxEdge, 'maxEdge');
  if (longest > maxEdge) {
    throw new ProfileError(
      `viewport ${viewport.width}x${viewport.height} is larger than maxEdge ${maxEdge}; ` +
        'pass a smaller viewport, a larger maxEdge, or leave the viewport out to have one chosen',
    );
  }
  return { display, viewport, coordMode, maxEdge };
}

function requirePositive(value: number, name: string, unit?: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ProfileError(
      `${name} must be a positive number${unit ? ` of ${unit}` : ''}, got ${String(value)}`,
    );
  }
}

function requirePositiveInteger(value: number, name: string, unit?: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ProfileError(
      `${name} must be a positive integer${unit ? ` of ${unit}` : ''}, got ${String(value)}`,
    );
  }
}

function requireInteger(value: number, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ProfileError(
      `${name} must be an integer (logical pixels, may be negative), got ${String(value)}`,
    );
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CoordinateError,
  checkModelPoint,
  chooseViewport,
  createProfile,
  type DisplayProfile,
  detectScaleFactor,
  fromScreen,
  logicalToPhysical,
  logicalToScreenshot,
  modelRange,
  modelToScreenshot,
  type Point,
  physicalToLogical,
  screenshotToLogical,
  screenshotToModel,
  toScreen,
} from '../../calibration/index.js';

const SCALE_FACTORS = [1, 1.25, 1.5, 2];

/** Any display (320..7680 logical, HiDPI or not, anywhere in the layout) in either mode. */
const profiles: fc.Arbitrary<DisplayProfile> = fc
  .record({
    width: fc.integer({ min: 320, max: 7680 }),
    height: fc.integer({ min: 320, max: 7680 }),
    scaleFactor: fc.constantFrom(...SCALE_FACTORS),
    originX: fc.integer({ min: -8000, max: 8000 }),
    originY: fc.integer({ min: -8000, max: 8000 }),
    maxEdge: fc.constantFrom(640, 1024, 1280, 1920, 8000),
    coordMode: fc.constantFrom('normalized' as const, 'pixels' as const),
  })
  .map(({ width, height, scaleFactor, originX, originY, maxEdge, coordMode }) =>
    createProfile({
      display: {
        width,
        height,
        originX,
        originY,
        physicalWidth: Math.round(width * scaleFactor),
        physicalHeight: Math.round(height * scaleFactor),
      },
      coordMode,
      maxEdge,
    }),
  );

/** A fraction of a span, from well before its start to well past its end. */
const fractions = fc.double({ min: -2, max: 3, noNaN: true });

function pointIn(
  box: { x: number; y: number; width: number; height: number },
  fx: number,
  fy: number,
): Point {
  return { x: box.x + fx * box.width, y: box.y + fy * box.height };
}

function modelBox(profile: DisplayProfile) {
  const { max } = modelRange(profile);
  return { x: 0, y: 0, width: max.x + 1, height: max.y + 1 };
}

function expectClose(actual: Point, expected: Point, tolerance = 1e-6): void {
  expect(Math.abs(actual.x - expected.x)).toBeLessThanOrEqual(tolerance);
  expect(Math.abs(actual.y - expected.y)).toBeLessThanOrEqual(tolerance);
}

describe('step maps and their inverses', () => {
  it('the profile uses the detected scale factor and a viewport within maxEdge', () => {
    fc.assert(
      fc.property(profiles, (profile) => {
        const { display, viewport, maxEdge } = profile;
        expect(SCALE_FACTORS).toContain(display.scaleFactor);
        expect(
          detectScaleFactor(display, { width: display.physicalWidth, height: display.physicalHeight }),
        ).toBe(display.scaleFactor);
        expect(viewport).toEqual(chooseViewport(display, maxEdge));
        expect(Math.max(viewport.width, viewport.height)).toBeLessThanOrEqual(maxEdge);
        expect(viewport.width).toBeLessThanOrEqual(display.width);
        expect(viewport.height).toBeLessThanOrEqual(display.height);
      }),
    );
  });

  it('model <-> screenshot', () => {
    fc.assert(
      fc.property(profiles, fractions, fractions, (profile, fx, fy) => {
        const model = pointIn(modelBox(profile), fx, fy);
        expectClose(screenshotToModel(modelToScreenshot(model, profile), profile), model);
        const shot = pointIn({ x: 0, y: 0, ...profile.viewport }, fx, fy);
        expectClose(modelToScreenshot(screenshotToModel(shot, profile), profile), shot);
      }),
    );
  });

  it('screenshot <-> logical', () => {
    fc.assert(
      fc.property(profiles, fractions, fractions, (profile, fx, fy) => {
        const shot = pointIn({ x: 0, y: 0, ...profile.viewport }, fx, fy);
        expectClose(logicalToScreenshot(screenshotToLogical(shot, profile), profile), shot);
        const { display } = profile;
        const logical = pointIn({ x: display.originX, y: display.originY, ...display }, fx, fy);
        expectClose(screenshotToLogical(logicalToScreenshot(logical, profile), profile), logical);
      }),
    );
  });

  it('logical <-> physical', () => {
    fc.assert(
      fc.property(profiles, fractions, fractions, (profile, fx, fy) => {
        const { display } = profile;
        const logical = pointIn({ x: display.originX, y: display.originY, ...display }, fx, fy);
        expectClose(physicalToLogical(logicalToPhysical(logical, profile), profile), logical);
        const physical = pointIn(
          { x: 0, y: 0, width: display.physicalWidth, height: display.physicalHeight },
          fx,
          fy,
        );
        expectClose(logicalToPhysical(physicalToLogical(physical, profile), profile), physical);
      }),
    );
  });
});

describe('toScreen and fromScreen', () => {
  /**
   * One screen pixel in model units: 1000 / display width on the grid, viewport / display in pixel
   * mode (per axis). Rounding moves a point at most half a pixel; a position in the display's last
   * half pixel rounds past the edge and is pulled back, so at most one pixel there.
   */
  function modelUnitsPerPixel(profile: DisplayProfile): Point {
    const { display, viewport } = profile;
    const span = profile.coordMode === 'normalized' ? { width: 1000, height: 1000 } : viewport;
    return { x: span.width / display.width, y: span.height / display.height };
  }

  it('fromScreen(toScreen(p)) is within half a screen pixel of p, one pixel at the far edge', () => {
    fc.assert(
      fc.property(
        profiles,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (profile, fx, fy) => {
          const { display, viewport } = profile;
          // Any model point over the whole image, i.e. whose screen position lies on the display.
          const span = profile.coordMode === 'normalized' ? { width: 1000, height: 1000 } : viewport;
          const model = pointIn({ x: 0, y: 0, ...span }, fx, fy);
          const exact = screenshotToLogical(modelToScreenshot(model, profile), profile);
          const right = display.originX + display.width;
          const bottom = display.originY + display.height;
          const screen = toScreen(model, profile);
          // Only floating-point error can put a position on the edge itself.
          expect(screen.clamped).toBe(exact.x >= right || exact.y >= bottom);
          const back = fromScreen(screen, profile);
          const unit = modelUnitsPerPixel(profile);
          const boundX = exact.x >= right - 0.5 ? 1 : 0.5;
          const boundY = exact.y >= bottom - 0.5 ? 1 : 0.5;
          expect(Math.abs(back.x - model.x)).toBeLessThanOrEqual(boundX * unit.x + 1e-9);
          expect(Math.abs(back.y - model.y)).toBeLessThanOrEqual(boundY * unit.y + 1e-9);
        },
      ),
    );
  });

  it('every model point in the model range lands on the display without clamping', () => {
    fc.assert(
      fc.property(
        profiles,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (profile, fx, fy) => {
          const { max } = modelRange(profile);
          const model = { x: fx * max.x, y: fy * max.y };
          expect(checkModelPoint(model, profile).clamped).toBe(false);
          expect(toScreen(model, profile).clamped).toBe(false);
        },
      ),
    );
  });

  it('output is always an integer pixel inside the display, for any finite input', () => {
    const anyNumber = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -100_000, max: 100_000 }),
      fc.double({ min: -5000, max: 5000, noNaN: true }),
    );
    fc.assert(
      fc.property(profiles, anyNumber, anyNumber, (profile, x, y) => {
        const { display } = profile;
        const screen = toScreen({ x, y }, profile);
        expect(Number.isInteger(screen.x)).toBe(true);
        expect(Number.isInteger(screen.y)).toBe(true);
        expect(screen.x).toBeGreaterThanOrEqual(display.originX);
        expect(screen.x).toBeLessThanOrEqual(display.originX + display.width - 1);
        expect(screen.y).toBeGreaterThanOrEqual(display.originY);
        expect(screen.y).toBeLessThanOrEqual(display.originY + display.height - 1);

        const check = checkModelPoint({ x, y }, profile);
        const { min, max } = modelRange(profile);
        expect(check.point.x).toBeGreaterThanOrEqual(min.x);
        expect(check.point.x).toBeLessThanOrEqual(max.x);
        expect(check.point.y).toBeGreaterThanOrEqual(min.y);
        expect(check.point.y).toBeLessThanOrEqual(max.y);
        // Outside the display means outside the model range: clamping is always reported there.
        if (screen.clamped) {
          expect(check.clamped).toBe(true);
          expect(check.note).toMatch(/outside/);
        }
      }),
    );
  });

  it('non-finite points are a CoordinateError, not a pixel', () => {
    fc.assert(
      fc.property(profiles, fc.constantFrom(Number.NaN, Infinity, -Infinity), (profile, bad) => {
        expect(() => toScreen({ x: bad, y: 0 }, profile)).toThrow(CoordinateError);
        expect(() => toScreen({ x: 0, y: bad }, profile)).toThrow(CoordinateError);
        expect(() => fromScreen({ x: bad, y: 0 }, profile)).toThrow(CoordinateError);
        expect(() => checkModelPoint({ x: 0, y: bad }, profile)).toThrow(CoordinateError);
      }),
    );
  });
});

describe('detectScaleFactor', () => {
  it('recovers the scale factor from a rounded capture size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 320, max: 7680 }),
        fc.integer({ min: 320, max: 7680 }),
        fc.constantFrom(1, 1.25, 1.5, 1.75, 2, 2.5, 3),
        (width, height, scale) => {
          const physical = { width: Math.round(width * scale), height: Math.round(height * scale) };
          expect(detectScaleFactor({ width, height }, physical)).toBe(scale);
        },
      ),
    );
  });
});

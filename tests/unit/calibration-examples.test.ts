import { describe, expect, it } from 'vitest';
import {
  CoordinateError,
  type CoordMode,
  checkModelPoint,
  chooseViewport,
  createProfile,
  detectScaleFactor,
  fromScreen,
  logicalToPhysical,
  modelRange,
  modelToScreenshot,
  ProfileError,
  parseCoordinate,
  resolveCoordMode,
  screenshotToLogical,
  toScreen,
} from '../../calibration/index.js';
import { plainProfile } from '../support/profiles.js';

describe('normalized 0-999 grid', () => {
  it('on 1280x720', () => {
    const profile = plainProfile(1280, 720, 'normalized');
    expect(profile.viewport).toEqual({ width: 1280, height: 720 });
    expect(toScreen({ x: 500, y: 500 }, profile)).toEqual({ x: 640, y: 360, clamped: false });
    expect(toScreen({ x: 0, y: 0 }, profile)).toEqual({ x: 0, y: 0, clamped: false });
    expect(toScreen({ x: 999, y: 999 }, profile)).toEqual({ x: 1279, y: 719, clamped: false });
    expect(fromScreen({ x: 640, y: 360 }, profile)).toEqual({ x: 500, y: 500 });
  });

  it('on 1024x768', () => {
    const profile = plainProfile(1024, 768, 'normalized');
    expect(profile.viewport).toEqual({ width: 1024, height: 768 });
    expect(toScreen({ x: 500, y: 500 }, profile)).toEqual({ x: 512, y: 384, clamped: false });
    expect(toScreen({ x: 0, y: 0 }, profile)).toEqual({ x: 0, y: 0, clamped: false });
    // 999 / 1000 x 1024 = 1022.98, 999 / 1000 x 768 = 767.23
    expect(toScreen({ x: 999, y: 999 }, profile)).toEqual({ x: 1023, y: 767, clamped: false });
    expect(toScreen({ x: 250, y: 750 }, profile)).toEqual({ x: 256, y: 576, clamped: false });
    expect(fromScreen({ x: 512, y: 384 }, profile)).toEqual({ x: 500, y: 500 });
  });

  it.each([
    // [grid x, grid y, 1280x720 pixel, 1024x768 pixel]
    [0, 0, [0, 0], [0, 0]],
    [100, 100, [128, 72], [102, 77]],
    [250, 250, [320, 180], [256, 192]],
    [333, 667, [426, 480], [341, 512]],
    [500, 500, [640, 360], [512, 384]],
    [750, 750, [960, 540], [768, 576]],
    [999, 999, [1279, 719], [1023, 767]],
  ])('grid (%i, %i) is %o on 1280x720 and %o on 1024x768', (x, y, on1280, on1024) => {
    const wide = toScreen({ x, y }, plainProfile(1280, 720, 'normalized'));
    const square = toScreen({ x, y }, plainProfile(1024, 768, 'normalized'));
    expect([wide.x, wide.y]).toEqual(on1280);
    expect([square.x, square.y]).toEqual(on1024);
  });

  it('on a 1920x1080 screen seen at 1280x720: the grid is over the image, so it scales straight to the screen', () => {
    const profile = plainProfile(1920, 1080, 'normalized');
    expect(profile.viewport).toEqual({ width: 1280, height: 720 });
    expect(modelToScreenshot({ x: 500, y: 500 }, profile)).toEqual({ x: 640, y: 360 });
    expect(toScreen({ x: 500, y: 500 }, profile)).toEqual({ x: 960, y: 540, clamped: false });
  });
});

describe('pixel mode', () => {
  it('viewport 1280x720 on a 1920x1080 screen', () => {
    const profile = plainProfile(1920, 1080, 'pixels');
    expect(profile.viewport).toEqual({ width: 1280, height: 720 });
    expect(toScreen({ x: 640, y: 360 }, profile)).toEqual({ x: 960, y: 540, clamped: false });
    const corner = toScreen({ x: 1279, y: 719 }, profile);
    expect(Math.abs(corner.x - 1919)).toBeLessThanOrEqual(1);
    expect(Math.abs(corner.y - 1079)).toBeLessThanOrEqual(1);
    expect(corner.clamped).toBe(false);
  });

  it('a 2560x1600 physical screen at scale 2, shown at 1280x800', () => {
    const profile = createProfile({
      display: {
        width: 1280,
        height: 800,
        originX: 0,
        originY: 0,
        physicalWidth: 2560,
        physicalHeight: 1600,
      },
      coordMode: 'pixels',
    });
    expect(profile.display.scaleFactor).toBe(2);
    expect(profile.viewport).toEqual({ width: 1280, height: 800 });
    const logical = screenshotToLogical(modelToScreenshot({ x: 640, y: 400 }, profile), profile);
    expect(logical).toEqual({ x: 640, y: 400 });
    expect(logicalToPhysical(logical, profile)).toEqual({ x: 1280, y: 800 });
    expect(toScreen({ x: 640, y: 400 }, profile)).toEqual({ x: 640, y: 400, clamped: false });
    expect(toScreen({ x: 1279, y: 799 }, profile)).toEqual({ x: 1279, y: 799, clamped: false });
    expect(logicalToPhysical({ x: 1279, y: 799 }, profile)).toEqual({ x: 2558, y: 1598 });
  });

  it('pixel mode on 1024x768: the viewport is the screen, pixels pass through', () => {
    const profile = plainProfile(1024, 768, 'pixels');
    expect(profile.viewport).toEqual({ width: 1024, height: 768 });
    expect(toScreen({ x: 1023, y: 767 }, profile)).toEqual({ x: 1023, y: 767, clamped: false });
    expect(toScreen({ x: 1024, y: 10 }, profile)).toEqual({ x: 1023, y: 10, clamped: true });
  });

  it('the same 2560x1600 scale-2 screen on the 0-999 grid', () => {
    const profile = createProfile({
      display: {
        width: 1280,
        height: 800,
        originX: 0,
        originY: 0,
        physicalWidth: 2560,
        physicalHeight: 1600,
      },
      coordMode: 'normalized',
    });
    expect(profile.display.scaleFactor).toBe(2);
    expect(profile.viewport).toEqual({ width: 1280, height: 800 });
    const centre = toScreen({ x: 500, y: 500 }, profile);
    expect(centre).toEqual({ x: 640, y: 400, clamped: false });
    expect(logicalToPhysical(centre, profile)).toEqual({ x: 1280, y: 800 });
    expect(toScreen({ x: 999, y: 999 }, profile)).toEqual({ x: 1279, y: 799, clamped: false });
    expect(toScreen({ x: 250, y: 750 }, profile)).toEqual({ x: 320, y: 600, clamped: false });
  });

  it('a 2560x1600 screen at scale 1 shown at 1280x800: model pixels double on the screen', () => {
    const profile = plainProfile(2560, 1600, 'pixels');
    expect(profile.viewport).toEqual({ width: 1280, height: 800 });
    expect(toScreen({ x: 640, y: 400 }, profile)).toEqual({ x: 1280, y: 800, clamped: false });
    expect(toScreen({ x: 100, y: 50 }, profile)).toEqual({ x: 200, y: 100, clamped: false });
    expect(fromScreen({ x: 1280, y: 800 }, profile)).toEqual({ x: 640, y: 400 });
  });
});

describe('multi-monitor', () => {
  it('a second monitor at origin 1920,0 of size 1280x1024', () => {
    const profile = plainProfile(1280, 1024, 'normalized', 1920, 0);
    expect(toScreen({ x: 500, y: 500 }, profile)).toEqual({ x: 2560, y: 512, clamped: false });
    expect(fromScreen({ x: 2560, y: 512 }, profile)).toEqual({ x: 500, y: 500 });
    // Physical pixels are relative to the display's own capture.
    expect(logicalToPhysical({ x: 2560, y: 512 }, profile)).toEqual({ x: 640, y: 512 });
  });

  it('a monitor left of the primary (negative origin) clamps to its own edges', () => {
    const profile = plainProfile(1920, 1080, 'normalized', -1920, 0);
    expect(toScreen({ x: 0, y: 0 }, profile)).toEqual({ x: -1920, y: 0, clamped: false });
    expect(toScreen({ x: 1500, y: -20 }, profile)).toEqual({ x: -1, y: 0, clamped: true });
  });
});

describe('out of range: clamped and reported, never wrapped', () => {
  it('toScreen pulls far points to the display edge', () => {
    const profile = plainProfile(1280, 720, 'normalized');
    expect(toScreen({ x: 1000, y: 500 }, profile)).toEqual({ x: 1279, y: 360, clamped: true });
    expect(toScreen({ x: -5, y: 2000 }, profile)).toEqual({ x: 0, y: 719, clamped: true });
    expect(toScreen({ x: 1e300, y: -1e300 }, profile)).toEqual({ x: 1279, y: 0, clamped: true });
  });

  it('modelRange per mode', () => {
    expect(modelRange(plainProfile(1920, 1080, 'normalized'))).toEqual({
      min: { x: 0, y: 0 },
      max: { x: 999, y: 999 },
    });
    expect(modelRange(plainProfile(1920, 1080, 'pixels'))).toEqual({
      min: { x: 0, y: 0 },
      max: { x: 1279, y: 719 },
    });
  });

  it('checkModelPoint clamps and says why', () => {
    const grid = plainProfile(1280, 720, 'normalized');
    expect(checkModelPoint({ x: 500, y: 999 }, grid)).toEqual({ point: { x: 500, y: 999 }, clamped: false });
    expect(checkModelPoint({ x: 1200, y: 50 }, grid)).toEqual({
      point: { x: 999, y: 50 },
      clamped: true,
      note: 'model point (1200, 50) is outside the normalized range 0..999 x 0..999; clamped to (999, 50)',
    });
    const pixels = plainProfile(1920, 1080, 'pixels');
    expect(checkModelPoint({ x: -3, y: 720 }, pixels)).toEqual({
      point: { x: 0, y: 719 },
      clamped: true,
      note:
        'model point (-3, 720) is outside the pixel range 0..1279 x 0..719 of the 1280x720 screenshot; ' +
        'clamped to (0, 719)',
    });
  });
});

describe('chooseViewport', () => {
  it.each([
    [{ width: 1024, height: 768 }, 1280, { width: 1024, height: 768 }],
    [{ width: 1920, height: 1080 }, 1280, { width: 1280, height: 720 }],
    [{ width: 1280, height: 800 }, 1280, { width: 1280, height: 800 }],
    [{ width: 2560, height: 1440 }, 1280, { width: 1280, height: 720 }],
    [{ width: 1366, height: 768 }, 1280, { width: 1280, height: 720 }],
    [{ width: 1080, height: 1920 }, 1280, { width: 720, height: 1280 }],
    [{ width: 3840, height: 2160 }, 1920, { width: 1920, height: 1080 }],
    [{ width: 7680, height: 4 }, 1280, { width: 1280, height: 1 }],
  ])('%o with maxEdge %i -> %o', (display, maxEdge, expected) => {
    expect(chooseViewport(display, maxEdge)).toEqual(expected);
  });

  it('defaults to maxEdge 1280', () => {
    expect(chooseViewport({ width: 1920, height: 1200 })).toEqual({ width: 1280, height: 800 });
  });

  it('rejects impossible sizes', () => {
    expect(() => chooseViewport({ width: 0, height: 768 })).toThrow(ProfileError);
    expect(() => chooseViewport({ width: 1024, height: 768 }, 0)).toThrow(
      /maxEdge must be a positive integer/,
    );
  });
});

describe('detectScaleFactor', () => {
  it.each([
    [1920, 1920, 1],
    [1280, 2560, 2],
    [1536, 1920, 1.25],
    [1280, 1920, 1.5],
    [1000, 1010, 1],
    [1000, 1100, 1.1],
  ])('logical width %i, capture width %i -> %d', (logical, physical, expected) => {
    expect(detectScaleFactor({ width: logical, height: 1000 }, { width: physical, height: 1000 })).toBe(
      expected,
    );
  });
});

describe('createProfile', () => {
  const display = {
    width: 1280,
    height: 800,
    originX: 0,
    originY: 0,
    physicalWidth: 2560,
    physicalHeight: 1600,
  };

  it('takes a manual scale factor over the detected one', () => {
    const profile = createProfile({ display: { ...display, scaleFactor: 1.75 }, coordMode: 'pixels' });
    expect(profile.display.scaleFactor).toBe(1.75);
  });

  it('takes a given viewport; maxEdge then defaults to its longest edge', () => {
    const profile = createProfile({ display, coordMode: 'pixels', viewport: { width: 1920, height: 1200 } });
    expect(profile).toMatchObject({ viewport: { width: 1920, height: 1200 }, maxEdge: 1920 });
  });

  it('names the bad field', () => {
    expect(() => createProfile({ display: { ...display, width: 0 }, coordMode: 'pixels' })).toThrow(
      'display.width must be a positive integer of logical pixels, got 0',
    );
    expect(() => createProfile({ display: { ...display, originX: 0.5 }, coordMode: 'pixels' })).toThrow(
      /display.originX must be an integer/,
    );
    expect(() => createProfile({ display: { ...display, scaleFactor: -1 }, coordMode: 'pixels' })).toThrow(
      /display.scaleFactor must be a positive number/,
    );
    expect(() =>
      createProfile({ display, coordMode: 'pixels', viewport: { width: 1920, height: 1200 }, maxEdge: 1280 }),
    ).toThrow(/viewport 1920x1200 is larger than maxEdge 1280/);
    expect(() => createProfile({ display, coordMode: 'grid' as CoordMode })).toThrow(ProfileError);
  });
});

describe('parseCoordinate', () => {
  it.each([
    [10, 10],
    [-3.5, -3.5],
    ['10', 10],
    [' 12.5 ', 12.5],
    ['-7', -7],
    ['1e3', 1000],
    ['.5', 0.5],
  ])('%o -> %d', (value, expected) => {
    expect(parseCoordinate(value, 'x')).toBe(expected);
  });

  it.each([
    [Number.NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['', '""'],
    ['   ', '"   "'],
    ['abc', '"abc"'],
    ['12px', '"12px"'],
    ['0x10', '"0x10"'],
    ['Infinity', '"Infinity"'],
    [null, 'null'],
    [undefined, 'undefined'],
    [true, 'true'],
    [{ x: 1 }, '{"x":1}'],
    [[5], '[5]'],
  ])('%o is a CoordinateError', (value, shown) => {
    expect(() => parseCoordinate(value, 'end_y')).toThrow(CoordinateError);
    expect(() => parseCoordinate(value, 'end_y')).toThrow(
      `coordinate "end_y" must be a number, got ${shown}`,
    );
  });

  it('the error carries the field and the value', () => {
    const error = (() => {
      try {
        parseCoordinate('abc', 'x');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CoordinateError);
    expect(error).toMatchObject({
      field: 'x',
      value: 'abc',
      message: 'coordinate "x" must be a number, got "abc"',
    });
  });
});

describe('resolveCoordMode', () => {
  it('auto follows the provider; explicit settings win', () => {
    expect(resolveCoordMode('auto', 'lightcone')).toBe('normalized');
    expect(resolveCoordMode('auto', 'openai')).toBe('pixels');
    expect(resolveCoordMode('pixels', 'lightcone')).toBe('pixels');
    expect(resolveCoordMode('normalized', 'openai')).toBe('normalized');
  });
});

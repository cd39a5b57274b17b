import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CAPTURE_TOLERANCE_PX,
  type DisplayProfile,
  calibrationOverlaySvg,
  calibrationPoints,
  createProfile,
  judgeCalibration,
  judgeCaptureSize,
  judgePoint,
  modelRange,
  POINT_TOLERANCE_PX,
  type PointResult,
  toScreen,
} from '../../calibration/index.js';
import { plainProfile } from '../support/profiles.js';
import { describeMonitor, findMonitor, type Monitor } from '../../native-adapters/display-geometry.js';

describe('calibrationPoints', () => {
  it('the 0-999 grid: corners at 0 and 999, centre 500, quarters, one off-grid point', () => {
    const points = calibrationPoints(plainProfile(1280, 800, 'normalized'));
    expect(points.map((p) => [p.name, p.model.x, p.model.y])).toEqual([
      ['top-left', 0, 0],
      ['top-right', 999, 0],
      ['bottom-left', 0, 999],
      ['bottom-right', 999, 999],
      ['centre', 500, 500],
      ['inner top-left', 250, 250],
      ['inner top-right', 750, 250],
      ['inner bottom-left', 250, 750],
      ['inner bottom-right', 750, 750],
      ['off-grid', 123, 877],
    ]);
  });

  it('pixel mode: corners at 0 and the last viewport pixel', () => {
    const profile = plainProfile(1920, 1080, 'pixels');
    expect(profile.viewport).toEqual({ width: 1280, height: 720 });
    const byName = Object.fromEntries(calibrationPoints(profile).map((p) => [p.name, p.model]));
    expect(byName['top-left']).toEqual({ x: 0, y: 0 });
    expect(byName['bottom-right']).toEqual({ x: 1279, y: 719 });
    expect(byName.centre).toEqual({ x: 640, y: 360 });
    expect(byName['inner bottom-left']).toEqual({ x: 320, y: 540 });
  });

  it('every point is in the model range and maps onto the display without clamping', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7680 }),
        fc.integer({ min: 1, max: 7680 }),
        fc.integer({ min: -4000, max: 4000 }),
        fc.integer({ min: -4000, max: 4000 }),
        fc.constantFrom('normalized' as const, 'pixels' as const),
        (width, height, originX, originY, mode) => {
          const profile = plainProfile(width, height, mode, originX, originY);
          const { min, max } = modelRange(profile);
          for (const { model } of calibrationPoints(profile)) {
            expect(model.x).toBeGreaterThanOrEqual(min.x);
            expect(model.x).toBeLessThanOrEqual(max.x);
            expect(model.y).toBeGreaterThanOrEqual(min.y);
            expect(model.y).toBeLessThanOrEqual(max.y);
            expect(toScreen(model, profile).clamped).toBe(false);
          }
        },
      ),
    );
  });

  it('on a monitor at an offset, the corners land on the monitor corners', () => {
    const profile = plainProfile(960, 540, 'normalized', 960, 540);
    const screen = calibrationPoints(profile).map((p) => toScreen(p.model, profile));
    expect(screen.slice(0, 4).map(({ x, y }) => [x, y])).toEqual([
      [960, 540],
      [1919, 540],
      [960, 1079],
      [1919, 1079],
    ]);
  });
});

describe('judgePoint', () => {
  const point = { name: 'centre', model: { x: 500, y: 500 } };

  it('passes within the tolerance on both axes and records the offset', () => {
    expect(judgePoint(point, { x: 640, y: 400 }, { x: 640, y: 400 })).toMatchObject({
      dx: 0,
      dy: 0,
      ok: true,
    });
    expect(judgePoint(point, { x: 640, y: 400 }, { x: 641, y: 399 }).ok).toBe(POINT_TOLERANCE_PX >= 1);
    expect(judgePoint(point, { x: 640, y: 400 }, { x: 1280, y: 800 })).toMatchObject({
      dx: 640,
      dy: 400,
      ok: false,
    });
    expect(judgePoint(point, { x: 640, y: 400 }, { x: 640, y: 403 }, 2).ok).toBe(false);
  });
});

describe('judgeCaptureSize', () => {
  it.each([
    // [input, capture, scale, ok]
    [{ width: 1280, height: 800 }, { width: 1280, height: 800 }, 1, true],
    [{ width: 1280, height: 800 }, { width: 2560, height: 1600 }, 2, true],
    // 1366 x 1.25 = 1707.5: either rounding of the capture is fine.
    [{ width: 1366, height: 768 }, { width: 1707, height: 960 }, 1.25, true],
    [{ width: 1366, height: 768 }, { width: 1708, height: 960 }, 1.25, true],
    // A Retina capture read as scale 1: the classic half-screen click.
    [{ width: 1280, height: 800 }, { width: 2560, height: 1600 }, 1, false],
    [{ width: 1920, height: 1080 }, { width: 1920, height: 1080 }, 2, false],
  ])('input %o, capture %o at scale %d -> ok %s', (input, capture, scale, ok) => {
    const result = judgeCaptureSize(input, capture, scale);
    expect(result.ok).toBe(ok);
    expect(result.expected).toEqual({
      width: Math.round(input.width * scale),
      height: Math.round(input.height * scale),
    });
  });

  it('the tolerance is a pixel of rounding', () => {
    expect(CAPTURE_TOLERANCE_PX).toBe(1);
    expect(judgeCaptureSize({ width: 100, height: 100 }, { width: 102, height: 100 }, 1).ok).toBe(false);
  });
});

describe('judgeCalibration', () => {
  const capture = judgeCaptureSize({ width: 1280, height: 800 }, { width: 1280, height: 800 }, 1);
  const good = judgePoint(
    { name: 'centre', model: { x: 500, y: 500 } },
    { x: 640, y: 400 },
    { x: 640, y: 400 },
  );
  const bad = judgePoint(
    { name: 'bottom-right', model: { x: 999, y: 999 } },
    { x: 1279, y: 799 },
    { x: 639, y: 399 },
  );

  it('passes when every point and the capture agree', () => {
    expect(judgeCalibration(capture, [good, good])).toEqual({
      ok: true,
      passed: 2,
      failed: 0,
      summary: `calibration passed: 2 of 2 points within ${POINT_TOLERANCE_PX} px, capture agrees with input`,
    });
  });

  it('fails on one point off, naming the worst', () => {
    const verdict = judgeCalibration(capture, [good, bad]);
    expect(verdict).toMatchObject({ ok: false, passed: 1, failed: 1 });
    expect(verdict.summary).toContain('1 of 2 points off');
    expect(verdict.summary).toContain('worst: bottom-right sent to (1279, 799), pointer at (639, 399)');
  });

  it('fails on a capture that disagrees with input, and suggests --scale-factor', () => {
    const wrong = judgeCaptureSize({ width: 1280, height: 800 }, { width: 2560, height: 1600 }, 1);
    const verdict = judgeCalibration(wrong, [good]);
    expect(verdict.ok).toBe(false);
    expect(verdict.summary).toContain(
      'the capture is 2560x1600 but input says 1280x800 x scale 1 = 1280x800',
    );
    expect(verdict.summary).toContain('--scale-factor');
  });

  it('no points is not a pass', () => {
    expect(judgeCalibration(capture, []).ok).toBe(false);
  });
});

describe('calibrationOverlaySvg', () => {
  function results(profile: DisplayProfile, off = 0): PointResult[] {
    return calibrationPoints(profile).map((p) => {
      const target = toScreen(p.model, profile);
      return judgePoint(p, target, { x: target.x + off, y: target.y });
    });
  }

  it('one circle and crosshair per point at the pixel centre, sized to the image', () => {
    const profile = plainProfile(1280, 800, 'normalized');
    const svg = calibrationOverlaySvg({
      image: { width: 1280, height: 800 },
      scaleFactor: 1,
      profile,
      points: results(profile),
      title: 'a <title> & more',
    });
    expect(svg).toMatch(/^<svg [^>]*width="1280" height="800"/);
    expect(svg.match(/<circle [^>]*fill="none"/g)).toHaveLength(10);
    expect(svg.match(/<line /g)).toHaveLength(20);
    // The centre (500, 500) is pixel (640, 400): its centre is at 640.5, 400.5.
    expect(svg).toContain('cx="640.5" cy="400.5"');
    expect(svg).toContain('a &#60;title&#62; &#38; more');
    expect(svg).not.toContain('<rect');
    expect(svg).not.toContain('#ff2020');
  });

  it('physical pixels at scale 2, a failed point in red with what was expected', () => {
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
    const svg = calibrationOverlaySvg({
      image: { width: 2560, height: 1600 },
      scaleFactor: 2,
      profile,
      points: results(profile, 5),
      title: 'x',
    });
    expect(svg).toContain('cx="1281" cy="801"');
    expect(svg).toContain('#ff2020');
    expect(svg).toContain('centre (500, 500) -&#62; 645,400 expected 640,400');
  });

  it('outlines the display when it is a monitor inside the captured screen', () => {
    const profile = plainProfile(960, 540, 'normalized', 960, 540);
    const svg = calibrationOverlaySvg({
      image: { width: 1920, height: 1080 },
      scaleFactor: 1,
      profile,
      points: results(profile),
      title: 'x',
    });
    expect(svg).toContain('<rect x="961" y="541" width="958" height="538"');
    expect(svg).toContain('cx="1440.5" cy="810.5"');
  });
});

describe('monitors (display-geometry)', () => {
  const monitors: Monitor[] = [
    { index: 0, name: 'LEFT', primary: true, x: 0, y: 0, width: 960, height: 1080 },
    { index: 1, name: 'RIGHT', primary: false, x: 960, y: 540, width: 960, height: 540 },
    { index: 2, name: 'screen', primary: false, x: -1920, y: 0, width: 1920, height: 1080 },
  ];

  it('finds by name, by name in any case, and by index', () => {
    expect(findMonitor(monitors, 'RIGHT').index).toBe(1);
    expect(findMonitor(monitors, 'right').index).toBe(1);
    expect(findMonitor(monitors, '2').name).toBe('screen');
  });

  it('an unknown monitor lists the ones there are', () => {
    expect(() => findMonitor(monitors, 'MIDDLE', ':5')).toThrow(
      'monitor "MIDDLE" not found on :5; it has 0 LEFT 960x1080+0+0 primary, 1 RIGHT 960x540+960+540, ' +
        '2 screen 1920x1080-1920+0.',
    );
    expect(() => findMonitor(monitors, '3')).toThrow(/not found/);
    expect(() => findMonitor([], '0', ':5')).toThrow(/reports no RandR monitors/);
  });

  it('describes a monitor the way xrandr places it', () => {
    expect(describeMonitor(monitors[1]!)).toBe('1 RIGHT 960x540+960+540');
  });
});

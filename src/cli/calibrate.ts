import { writeFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import {
  type CaptureSizeResult,
  type CoordMode,
  type CalibrationVerdict,
  calibrationOverlaySvg,
  calibrationPoints,
  createProfile,
  type DisplayProfile,
  judgeCalibration,
  judgeCaptureSize,
  judgePoint,
  type Point,
  POINT_TOLERANCE_PX,
  type PointResult,
  toScreen,
} from '../../calibration/index.js';
import type { Screenshot } from '../../native-adapters/capture/index.js';
import { resolveDisplay, useDisplay } from '../../native-adapters/display.js';
import { lockDisplay } from '../../native-adapters/display-lock.js';
import { type DisplayGeometry, describeMonitor } from '../../native-adapters/display-geometry.js';
import { releaseHeldInputOnExit, SIGNAL_EXIT_CODES } from '../../native-adapters/input/exit-guard.js';
import type { InputDriver } from '../../native-adapters/input/input-driver.js';
import { UsageError } from './exit-codes.js';
import { stdout } from './output.js';
import { waitForDisplayMs, waitForDisplayOption } from './run.js';

interface CalibrateArgs {
  display?: string;
  coords: CoordMode;
  maxEdge?: number;
  scaleFactor?: number;
  monitor?: string;
  out?: string;
  json: boolean;
  waitForDisplay?: number;
}

/** Everything the self-test found; `--json` prints it as one object. */
export interface CalibrationReport extends CalibrationVerdict {
  display: string | null;
  profile: DisplayProfile;
  screen: DisplayGeometry['screen'];
  monitor: DisplayGeometry['monitor'] | null;
  monitors: DisplayGeometry['monitors'];
  scaleSource: DisplayGeometry['scaleSource'];
  capture: CaptureSizeResult;
  tolerancePx: number;
  points: PointResult[];
  pointer: { start: Point; restored: Point };
  out?: string;
  ms: number;
}

function checkArgs(args: CalibrateArgs): void {
  if (args.maxEdge !== undefined && !(Number.isInteger(args.maxEdge) && args.maxEdge > 0)) {
    throw new UsageError(`--max-edge must be a positive whole number of pixels, got ${args.maxEdge}`);
  }
  if (args.scaleFactor !== undefined && !(Number.isFinite(args.scaleFactor) && args.scaleFactor > 0)) {
    throw new UsageError(
      `--scale-factor must be a positive number (physical pixels per logical pixel, e.g. 1, 1.25, 2), got ${args.scaleFactor}`,
    );
  }
  if (args.monitor !== undefined && args.monitor.trim() === '') {
    throw new UsageError('--monitor needs a monitor name or index (xrandr --listmonitors shows them)');
  }
  if (args.out !== undefined && !/\.png$/i.test(args.out)) {
    throw new UsageError(`--out writes a PNG picture: give a file name ending in .png, got ${args.out}`);
  }
}

// The native libraries (x11, sharp, capture, input) are loaded where they are used, not at the top:
// every command's definition is loaded to parse any command line.

async function captureScreen(withPicture: boolean): Promise<Screenshot> {
  const { createCapturer } = await import('../../native-adapters/capture/index.js');
  const capturer = await createCapturer('auto');
  try {
    // The image itself is only kept for --out; JPEG is the cheapest encode otherwise.
    return await capturer.capture({ format: withPicture ? 'png' : 'jpeg' });
  } finally {
    capturer.close?.();
  }
}

/** Where the pointer is, read independently of the driver that moved it where the OS lets us. */
async function openPointerReader(display: string | undefined, driver: InputDriver) {
  if (!display) return { read: () => driver.pointer(), close: () => {} };
  const { XConnection } = await import('../../native-adapters/x11/x11-connection.js');
  const connection = await XConnection.open(display);
  return {
    read: async () => {
      const { x, y } = await connection.queryPointer();
      return { x, y };
    },
    close: () => connection.close(),
  };
}

/**
 * The live self-test: profile -> toScreen for each test point -> move the pointer there through the
 * Actuator (the agent's path) -> read back where the pointer is; plus capture size vs input size.
 * The pointer goes back to where it was, whatever happens.
 */
export async function runCalibration(args: CalibrateArgs): Promise<CalibrationReport> {
  const started = performance.now();
  const display = resolveDisplay(args.display);
  useDisplay(display);
  const shot = await captureScreen(args.out !== undefined);
  const [{ openInput }, { readDisplayGeometry }, { Actuator }] = await Promise.all([
    import('../../native-adapters/input/open-input.js'),
    import('../../native-adapters/display-geometry.js'),
    import('../../native-adapters/input/actuator.js'),
  ]);
  const driver = await openInput(display, 'auto');
  let geometry: DisplayGeometry;
  let profile: DisplayProfile;
  try {
    geometry = await readDisplayGeometry(display, {
      capture: shot,
      scaleFactor: args.scaleFactor,
      monitor: args.monitor,
      logicalSize: driver.screenSize(),
    });
    profile = createProfile({ display: geometry, coordMode: args.coords, maxEdge: args.maxEdge });
  } catch (error) {
    await driver.close();
    throw error;
  }

  const actuator = new Actuator(driver);
  const start = await driver.pointer();
  const restore = async () => {
    await driver.moveTo(start.x, start.y);
    await driver.flush();
  };
  const removeGuard = releaseHeldInputOnExit(actuator, {
    onSignal: (signal) => void restore().finally(() => process.exit(SIGNAL_EXIT_CODES[signal])),
  });
  const reader = await openPointerReader(display, driver).catch(async (error: unknown) => {
    removeGuard();
    await actuator.close();
    throw error;
  });

  const capture = judgeCaptureSize(
    driver.screenSize(),
    { width: shot.screenWidth, height: shot.screenHeight },
    profile.display.scaleFactor,
  );
  const points: PointResult[] = [];
  let restored: Point;
  try {
    for (const testPoint of calibrationPoints(profile)) {
      const target = toScreen(testPoint.model, profile);
      await actuator.run({ type: 'move', x: target.x, y: target.y });
      points.push(judgePoint(testPoint, target, await reader.read()));
    }
  } finally {
    await restore();
    restored = await reader.read();
    reader.close();
    await actuator.close();
    removeGuard();
  }

  const verdict = judgeCalibration(capture, points);
  const report: CalibrationReport = {
    ...verdict,
    display: display ?? null,
    profile,
    screen: geometry.screen,
    monitor: geometry.monitor ?? null,
    monitors: geometry.monitors,
    scaleSource: geometry.scaleSource,
    capture,
    tolerancePx: POINT_TOLERANCE_PX,
    points,
    pointer: { start: { x: start.x, y: start.y }, restored },
    ms: 0,
  };
  if (args.out !== undefined) {
    await writePicture(args.out, shot, report);
    report.out = args.out;
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

/** The screenshot with every tested point drawn on it, for a person to check. */
async function writePicture(path: string, shot: Screenshot, report: CalibrationReport): Promise<void> {
  const image = { width: shot.screenWidth, height: shot.screenHeight };
  const svg = calibrationOverlaySvg({
    image,
    scaleFactor: report.profile.display.scaleFactor,
    profile: report.profile,
    points: report.points,
    title: `deskhand calibrate ${report.display ?? ''}: ${report.ok ? 'passed' : 'FAILED'}, ${report.passed}/${report.points.length} points, ${describeCoords(report.profile)}`,
  });
  const { default: sharp } = await import('sharp');
  const png = await sharp(shot.data)
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
  writeFileSync(path, png);
}

function describeCoords(profile: DisplayProfile): string {
  const { viewport } = profile;
  return profile.coordMode === 'normalized'
    ? `normalized 0-999 over a ${viewport.width}x${viewport.height} screenshot`
    : `pixels of a ${viewport.width}x${viewport.height} screenshot`;
}

/** The profile, the capture check, the pass/fail table and the verdict, for a person. */
export function formatReport(report: CalibrationReport): string {
  const { profile, capture, screen } = report;
  const { display, viewport } = profile;
  const where = report.monitor
    ? `monitor ${describeMonitor(report.monitor)} of the ${screen.width}x${screen.height} screen`
    : 'the whole screen';
  const scale =
    report.scaleSource === 'override'
      ? `scale ${display.scaleFactor} (--scale-factor)`
      : `scale ${display.scaleFactor} (detected: capture ${screen.physicalWidth}x${screen.physicalHeight} / screen ${screen.width}x${screen.height})`;
  const lines = [
    `deskhand calibrate${report.display ? ` on ${report.display}` : ''}`,
    `display   ${display.width}x${display.height} logical at ${display.originX},${display.originY}: ${where}; ${scale}`,
    `viewport  ${viewport.width}x${viewport.height} (longest edge at most ${profile.maxEdge}); coordinates ${describeCoords(profile)}`,
    `capture   ${capture.capture.width}x${capture.capture.height}; input screen ${capture.input.width}x${capture.input.height} x ${capture.scaleFactor} = ` +
      `${capture.expected.width}x${capture.expected.height}  ${capture.ok ? 'ok' : 'MISMATCH'}`,
    '',
  ];
  const rows = [
    ['point', 'model', 'expected screen', 'actual pointer', 'ok'],
    ...report.points.map((p) => [
      p.name,
      `(${p.model.x}, ${p.model.y})`,
      `(${p.expected.x}, ${p.expected.y})`,
      `(${p.actual.x}, ${p.actual.y})`,
      p.ok ? 'ok' : `FAIL (off ${p.dx}, ${p.dy})`,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) {
    lines.push(
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
    );
  }
  const { start, restored } = report.pointer;
  const back =
    restored.x === start.x && restored.y === start.y
      ? `pointer restored to (${start.x}, ${start.y})`
      : `pointer NOT restored: it was at (${start.x}, ${start.y}), it is at (${restored.x}, ${restored.y})`;
  lines.push('', report.summary, `${back}; ${report.ms} ms${report.out ? `; picture: ${report.out}` : ''}`);
  return `${lines.join('\n')}\n`;
}

async function calibrate(args: ArgumentsCamelCase<CalibrateArgs>): Promise<void> {
  checkArgs(args);
  // The test moves the pointer: no other deskhand may be acting on the display meanwhile.
  const lock = await lockDisplay(resolveDisplay(args.display), {
    command: 'calibrate',
    waitMs: waitForDisplayMs(args.waitForDisplay),
  });
  const report = await runCalibration(args).finally(() => lock.release());
  stdout.write(args.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  // Not process.exit: stdout must drain first.
  if (!report.ok) process.exitCode = 1;
}

export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  command: 'calibrate',
  describe:
    'Self-test the coordinate chain on the real display: move the pointer to known model points, ' +
    'read back where it is, check the capture size; exits 1 on a mismatch',
  builder: (yargs: Argv) =>
    yargs
      .option('display', { type: 'string', describe: 'X display to test, e.g. :1 (default: $DISPLAY)' })
      .option('coords', {
        choices: ['normalized', 'pixels'] as const,
        default: 'normalized' as const,
        describe: 'model coordinates: the 0-999 grid, or pixels of the screenshot the model sees',
      })
      .option('max-edge', {
        type: 'number',
        describe: 'longest edge of the screenshot the model sees (default 1280; never upscaled)',
      })
      .option('scale-factor', {
        type: 'number',
        describe: 'physical pixels per logical pixel, instead of detecting it from the capture size',
      })
      .option('monitor', {
        type: 'string',
        describe:
          'test one RandR monitor, by name or index (xrandr --listmonitors); default: the whole screen',
      })
      .option('out', {
        type: 'string',
        describe: 'save the screenshot with the tested points drawn on it to this PNG file',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON object (profile, checks, points) instead of the table',
      })
      .option('wait-for-display', waitForDisplayOption) as unknown as Argv<CalibrateArgs>,
  handler: calibrate,
};

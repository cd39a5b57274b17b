/** Where the chosen display is and how big, measured on the real system, for calibration's profile. */
import { type DisplayInfo, detectScaleFactor, type Size } from '../calibration/index.js';
import { DisplayError } from './display.js';
import { type Monitor, readScreenLayout } from './x11/randr-monitors.js';

export type { Monitor } from './x11/randr-monitors.js';

/** What a capture of the whole screen measured (a Screenshot has these fields). */
export interface CaptureSize {
  screenWidth: number;
  screenHeight: number;
}

export interface GeometryOptions {
  /** A capture of the whole screen: its size is the physical size. */
  capture: CaptureSize;
  /** Physical pixels per logical pixel, overriding detection (capture size / logical size). */
  scaleFactor?: number;
  /** A RandR monitor by name (as `xrandr --listmonitors` prints it) or index; default the whole screen. */
  monitor?: string;
  /** The logical screen size where there is no X display to ask (macOS, Windows): the input API's. */
  logicalSize?: Size;
}

/** A DisplayInfo for createProfile, and what it was measured from. */
export interface DisplayGeometry extends DisplayInfo {
  /** The whole screen (X root window): logical size and the capture's size. */
  screen: Size & { physicalWidth: number; physicalHeight: number };
  /** The chosen monitor; absent when the display is the whole screen. */
  monitor?: Monitor;
  /** Every monitor RandR reports (empty without RandR 1.5 or off X11). */
  monitors: Monitor[];
  scaleSource: 'detected' | 'override';
}

/**
 * Logical size from the X server, physical size from the capture, the scale factor from their ratio
 * (or the override), and with `monitor` that monitor's origin and size. Default: the whole X screen
 * at 0,0. An unknown monitor is a DisplayError that lists the ones there are.
 */
export async function readDisplayGeometry(
  display: string | undefined,
  options: GeometryOptions,
): Promise<DisplayGeometry> {
  let logical: Size;
  let monitors: Monitor[] = [];
  if (display) {
    const layout = await readScreenLayout(display);
    logical = { width: layout.width, height: layout.height };
    monitors = layout.monitors;
  } else if (options.logicalSize) {
    logical = options.logicalSize;
  } else {
    throw new DisplayError('the logical screen size is needed where there is no X display');
  }
  const physical = { width: options.capture.screenWidth, height: options.capture.screenHeight };
  const scaleFactor = options.scaleFactor ?? detectScaleFactor(logical, physical);
  const screen = { ...logical, physicalWidth: physical.width, physicalHeight: physical.height };
  const scaleSource = options.scaleFactor === undefined ? 'detected' : 'override';

  if (options.monitor === undefined) {
    return { ...screen, originX: 0, originY: 0, scaleFactor, screen, monitors, scaleSource };
  }
  if (!display) {
    throw new DisplayError(
      `--monitor ${options.monitor}: monitors are read from X11 RandR; there is no X display here`,
    );
  }
  const monitor = findMonitor(monitors, options.monitor, display);
  return {
    width: monitor.width,
    height: monitor.height,
    originX: monitor.x,
    originY: monitor.y,
    scaleFactor,
    // X11 captures the whole root window; this monitor is its part, at the same scale.
    physicalWidth: Math.round(monitor.width * scaleFactor),
    physicalHeight: Math.round(monitor.height * scaleFactor),
    screen,
    monitor,
    monitors,
    scaleSource,
  };
}

/** By exact name, then by name ignoring case, then by index. */
export function findMonitor(monitors: readonly Monitor[], wanted: string, display = 'the display'): Monitor {
  const found =
    monitors.find((m) => m.name === wanted) ??
    monitors.find((m) => m.name.toLowerCase() === wanted.toLowerCase()) ??
    (/^\d+$/.test(wanted) ? monitors[Number(wanted)] : undefined);
  if (found) return found;
  if (monitors.length === 0) {
    throw new DisplayError(
      `monitor "${wanted}" not found: ${display} reports no RandR monitors (RandR 1.5 is needed); ` +
        'leave out --monitor to use the whole screen',
    );
  }
  throw new DisplayError(
    `monitor "${wanted}" not found on ${display}; it has ${monitors.map(describeMonitor).join(', ')}. ` +
      'Pass --monitor with one of these names or indexes.',
  );
}

/** "1 RIGHT 960x540+960+540" (with "primary" when it is). */
export function describeMonitor(monitor: Monitor): string {
  return (
    `${monitor.index} ${monitor.name || '(unnamed)'} ${monitor.width}x${monitor.height}` +
    `${signed(monitor.x)}${signed(monitor.y)}${monitor.primary ? ' primary' : ''}`
  );
}

function signed(value: number): string {
  return value < 0 ? String(value) : `+${value}`;
}

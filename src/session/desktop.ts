import {
  type CoordSetting,
  createProfile,
  type DisplayProfile,
  resolveCoordMode,
} from '../../calibration/index.js';
import { captureWhenSettled } from '../../native-adapters/capture/settle.js';
import { DEFAULT_IMAGE, type ImageFormat } from '../../native-adapters/capture/capturer.js';
import { createCapturer } from '../../native-adapters/capture/index.js';
import { resolveDisplay, useDisplay } from '../../native-adapters/display.js';
import { lockDisplay } from '../../native-adapters/display-lock.js';
import { type Monitor, readDisplayGeometry } from '../../native-adapters/display-geometry.js';
import { Actuator } from '../../native-adapters/input/actuator.js';
import { type ExitGuardOptions, releaseHeldInputOnExit } from '../../native-adapters/input/exit-guard.js';
import { openInput } from '../../native-adapters/input/open-input.js';
import { watchDisplay } from '../../native-adapters/x11/display-watch.js';
import { InputWatch } from '../../native-adapters/x11/input-watch.js';
import { WindowInspector } from '../../native-adapters/x11/window-info.js';
import { X11Input } from '../../native-adapters/x11/x11-input.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import type { Action } from '../protocol/actions.js';
import type { ActionRunner, ScreenSource, Shot } from './session.js';

export interface DesktopOptions {
  /** An X display to use (`:N`), or undefined for $DISPLAY. */
  display?: string;
  /** Start a private virtual display of this size instead. */
  xvfb?: { width: number; height: number };
  provider: 'lightcone' | 'openai';
  coords: CoordSetting;
  maxEdge?: number;
  /** Screenshot format and quality (jpeg, webp); default DEFAULT_IMAGE. */
  imageFormat?: ImageFormat;
  imageQuality?: number;
  scaleFactor?: number;
  monitor?: string;
  pixelsPerNotch?: number;
  /** Describe actions without performing them. */
  dryRun?: boolean;
  /** The display is taken for this process (display-lock.ts): how long to wait for another owner. */
  waitForDisplayMs?: number;
  /** The command taking the display, shown to a second one that finds it busy. */
  command?: string;
  /** Screen settling (see settle.ts): poll interval without change events, the longest wait. */
  settleIntervalMs?: number;
  settleMaxMs?: number;
}

export { DEFAULT_IMAGE };

/** The machine side of a run: the display, its profile, the hands (actuator) and eyes (screen). */
export interface Desktop {
  displayName: string | undefined;
  profile: DisplayProfile;
  /** Every RandR monitor of the X screen (empty without RandR 1.5), and the one chosen with `monitor`. */
  monitors: Monitor[];
  monitor?: Monitor;
  /** Performs actions; in a dry run it only describes them. */
  runner: ActionRunner;
  screen: ScreenSource;
  xvfb?: VirtualDisplay;
  /**
   * Releases every key and button held on this display on the way out of the process (signals,
   * crashes, exit); see exit-guard.ts. Returns a function that removes the handlers.
   */
  releaseHeldInputOnExit(options?: ExitGuardOptions): () => void;
  /** Calls `listener` once if the display goes away (its X server died). */
  onLost(listener: (message: string) => void): void;
  /** Starts watching for input deskhand did not send (a person, another program); closed with the desktop. */
  watchInput(): Promise<InputWatch>;
  /** Finds application windows (for the policy); closed with the desktop. */
  windows(): Promise<WindowInspector>;
  close(): Promise<void>;
}

/** Opens the display (starting Xvfb when asked), reads its geometry, and readies input and capture. */
export async function openDesktop(options: DesktopOptions): Promise<Desktop> {
  const xvfb = options.xvfb ? await startXvfb({ ...options.xvfb, stopAfterProcessExit: true }) : undefined;
  const displayName = xvfb ? xvfb.name : resolveDisplay(options.display);
  // nut-js binds to $DISPLAY on first use: set it before any capture or input (one process, one display).
  useDisplay(displayName);
  const lock = await lockDisplay(displayName, {
    command: options.command ?? 'run',
    waitMs: options.waitForDisplayMs,
  });
  const capturer = await createCapturer('auto');
  const driver = await openInput(displayName);
  const actuator = new Actuator(driver, { pixelsPerNotch: options.pixelsPerNotch });
  let lost: string | undefined;
  const lostListeners: ((message: string) => void)[] = [];
  const stopWatching = displayName
    ? await watchDisplay(displayName, () => {
        lost = `the display ${displayName} went away (its X server stopped or dropped the connection)`;
        for (const listener of lostListeners) listener(lost);
      })
    : () => {};
  const whole = await capturer.capture({ maxEdge: 64 });
  const geometry = await readDisplayGeometry(displayName, {
    capture: whole,
    scaleFactor: options.scaleFactor,
    monitor: options.monitor,
    logicalSize: driver.screenSize(),
  });
  const profile = createProfile({
    display: geometry,
    coordMode: resolveCoordMode(options.coords, options.provider),
    maxEdge: options.maxEdge,
  });
  const screen: ScreenSource = {
    async capture(signal: AbortSignal): Promise<Shot> {
      const shot = await captureWhenSettled(capturer, {
        width: profile.viewport.width,
        height: profile.viewport.height,
        format: options.imageFormat ?? DEFAULT_IMAGE.format,
        quality: options.imageQuality ?? DEFAULT_IMAGE.quality,
        intervalMs: options.settleIntervalMs,
        maxWaitMs: options.settleMaxMs,
        signal,
      });
      return {
        data: shot.data,
        format: shot.format,
        mimeType: shot.mimeType,
        width: shot.width,
        height: shot.height,
        settleMs: shot.settleMs,
        captureMs: shot.durationMs,
      };
    },
  };
  const runner: ActionRunner = options.dryRun
    ? { run: async (action: Action) => ({ type: action.type, durationMs: 0 }), releaseAll: async () => {} }
    : actuator;
  const extras: { close(): void }[] = [];
  const needDisplay = (what: string) => {
    if (!displayName) throw new Error(`${what} needs an X display`);
    return displayName;
  };
  return {
    displayName,
    profile,
    monitors: geometry.monitors,
    monitor: geometry.monitor,
    runner,
    async watchInput() {
      const own = driver instanceof X11Input ? [driver.clientBase] : [];
      const watch = await InputWatch.open(needDisplay('watching for a person'), own);
      extras.push(watch);
      return watch;
    },
    async windows() {
      const inspector = await WindowInspector.open(needDisplay('the window policy'));
      extras.push(inspector);
      return inspector;
    },
    releaseHeldInputOnExit: (guard) => releaseHeldInputOnExit(actuator, guard),
    screen,
    xvfb,
    onLost(listener) {
      if (lost) listener(lost);
      else lostListeners.push(listener);
    },
    async close() {
      stopWatching();
      for (const extra of extras.splice(0)) extra.close();
      // With the display gone there is nothing to release, and a request would fail or wait forever.
      if (!lost) await actuator.close();
      if (!lost) capturer.close?.();
      lock.release();
      // A private Xvfb is killed when the process exits (xvfb.ts): stopping it while nut-js still holds
      // a connection to it makes Xlib end the process with "XIO: fatal IO error" (exit 1).
    },
  };
}

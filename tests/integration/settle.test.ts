import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDRAW_COLOURS, RedrawApp } from '../../bench/redraw-app.js';
import type { Capturer, Screenshot } from '../../native-adapters/capture/capturer.js';
import { captureWhenSettled } from '../../native-adapters/capture/settle.js';
import { X11ShmCapturer } from '../../native-adapters/capture/x11-shm-capturer.js';
import { FakeEvent, XConnection } from '../../native-adapters/x11/x11-connection.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';

/**
 * Settling on X DAMAGE events with a real application (tests/support/redraw_app.py) that repaints
 * itself in other colours, half a window at a time, for 300 ms after a click, then turns green.
 */
const WIDTH = 640;
const HEIGHT = 400;
/**
 * The app repaints every 15 ms; the default quiet window (60 ms) is tuned in the bench, where every
 * screenshot after such a click is checked too. Here a window no stall of a loaded machine reaches
 * between two repaints, so that what is tested is the mechanism: changes counted on the capture's
 * connection, a capture discarded by a later change.
 */
const QUIET = { quietMs: 250 } as const;

let display: VirtualDisplay;
let app: RedrawApp;
let capturer: X11ShmCapturer;
let input: XConnection;

beforeAll(async () => {
  display = await startXvfb({ width: WIDTH, height: HEIGHT });
  app = await RedrawApp.start(display.name);
  capturer = await X11ShmCapturer.open(display.name);
  input = await XConnection.open(display.name);
});

afterAll(async () => {
  capturer?.close();
  input?.close();
  app?.stop();
  await display?.stop();
});

/** The colours of the top and the bottom half of a screenshot. */
async function halves(shot: Screenshot): Promise<number[][]> {
  const { data, info } = await sharp(shot.data).raw().toBuffer({ resolveWithObject: true });
  return [info.height / 4, (3 * info.height) / 4].map((y) => {
    const offset = (Math.floor(y) * info.width + Math.floor(info.width / 2)) * info.channels;
    return [...data.subarray(offset, offset + 3)];
  });
}

function click(x: number, y: number): void {
  input.fakeInput(FakeEvent.MotionNotify, 0, x, y);
  input.fakeInput(FakeEvent.ButtonPress, 1);
  input.fakeInput(FakeEvent.ButtonRelease, 1);
}

describe('settle on X DAMAGE events', () => {
  it('keeps the first capture of a still screen', async () => {
    expect(capturer.changes).toBeDefined();
    // The first settle may wait for the app's start-up drawing; the screen is still after it.
    await captureWhenSettled(capturer, { format: 'png' });
    const shot = await captureWhenSettled(capturer, { format: 'png' });
    expect(shot).toMatchObject({ settled: true, captures: 1, format: 'png' });
    expect(await halves(shot)).toEqual([REDRAW_COLOURS.initial, REDRAW_COLOURS.initial]);
    // A pointer move is no change (the cursor is not in the frame): still one capture.
    input.fakeInput(FakeEvent.MotionNotify, 0, 100, 100);
    expect(await captureWhenSettled(capturer, { format: 'png' })).toMatchObject({
      settled: true,
      captures: 1,
    });
  });

  it('after a click that redraws for 300 ms, shows the final state, never a frame of the redraw', async () => {
    for (let round = 0; round < 3; round++) {
      click(WIDTH / 2, HEIGHT / 2);
      // The app has the click and is redrawing: a capture now would catch a frame of it.
      await app.next('clicked');
      const shot = await captureWhenSettled(capturer, { format: 'png', ...QUIET });
      expect(shot.settled).toBe(true);
      expect(await halves(shot), `round ${round}`).toEqual([REDRAW_COLOURS.final, REDRAW_COLOURS.final]);
      await app.next('final');
    }
  });

  it('falls back to comparing captures when the capturer has no change events', async () => {
    const polling: Capturer = {
      capture: (options) => capturer.capture(options),
      grab: () => capturer.grab(),
      encode: (frame, options) => capturer.encode(frame, options),
    };
    // The app is still (its last redraw ended): two captures alike, the second kept.
    const shot = await captureWhenSettled(polling, { format: 'png' });
    expect(shot.settled).toBe(true);
    expect(shot.captures).toBeGreaterThanOrEqual(2);
    expect(await halves(shot)).toEqual([REDRAW_COLOURS.final, REDRAW_COLOURS.final]);
  });
});

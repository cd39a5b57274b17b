import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actuator } from '../../native-adapters/input/actuator.js';
import { NutInput } from '../../native-adapters/input/nut-input.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { parseLightconeAction } from '../../src/protocol/lightcone-actions.js';
import { type ObservedEvent, Observer, ShiftMask } from '../support/observer.js';
import { Xev } from '../support/xev.js';

// The nut-js driver is the input path on macOS and Windows; on X11 it must still be right for mouse
// and keys. nut-js binds to $DISPLAY on first use, so this file owns one display (one process).
let display: VirtualDisplay;
let observer: Observer;
let actuator: Actuator;

async function act(...actions: object[]): Promise<ObservedEvent[]> {
  const from = observer.mark();
  for (const action of actions) await actuator.run(parseLightconeAction(action));
  await observer.text();
  return observer.since(from);
}

beforeAll(async () => {
  display = await startXvfb({ width: 1024, height: 768 });
  process.env.DISPLAY = display.name;
  observer = await Observer.start(display.name);
  actuator = new Actuator(await NutInput.open());
});

afterAll(async () => {
  await actuator?.close();
  await observer?.stop();
  await display?.stop();
});

describe('nut-js input driver on a real X display', () => {
  it('reports the screen size and clicks at the exact pixel without its default delays', async () => {
    expect(actuator.driver.screenSize()).toEqual({ width: 1024, height: 768 });
    const started = performance.now();
    const events = await act({ type: 'click', x: 700, y: 500 }, { type: 'right_click', x: 10, y: 20 });
    expect(performance.now() - started).toBeLessThan(500);
    const presses = events.filter((e) => e.type === 'press');
    expect(presses.map((e) => [e.button, e.x, e.y])).toEqual([
      [1, 700, 500],
      [3, 10, 20],
    ]);
  });

  it('holds Shift through a click and types lowercase text', async () => {
    const events = await act(
      { type: 'key_down', keys: ['shift'] },
      { type: 'click', x: 100, y: 100 },
      { type: 'key_up', keys: ['shift'] },
      { type: 'type', text: 'hello world' },
    );
    const press = events.find((e) => e.type === 'press');
    expect((press?.state ?? 0) & ShiftMask).toBe(ShiftMask);
    expect(await observer.text()).toContain('hello world');
  });

  it('refuses text it would type wrongly on X11 instead of typing it wrong', async () => {
    await expect(actuator.run(parseLightconeAction({ type: 'type', text: 'Hi! café' }))).rejects.toThrow(
      /nut-js driver cannot type/,
    );
  });

  it('scrolls right with button 7 and left with button 6 (libnut swaps them; the driver undoes it)', async () => {
    const xev = await Xev.start(display.name, display.width, display.height);
    try {
      await actuator.run(parseLightconeAction({ type: 'hscroll', x: 300, y: 300, scroll_x: 200 }));
      const right = (await xev.buttons(4)).filter((e) => e.type === 'press');
      expect(right.map((e) => e.button)).toEqual([7, 7]);
      xev.reset();
      await actuator.run(
        parseLightconeAction({ type: 'scroll', x: 300, y: 300, scroll_x: -100, scroll_y: 100 }),
      );
      const leftDown = (await xev.buttons(4)).filter((e) => e.type === 'press');
      expect(leftDown.map((e) => e.button).sort()).toEqual([5, 6]);
    } finally {
      await xev.stop();
    }
  });
});

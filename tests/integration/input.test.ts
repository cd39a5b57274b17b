import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Actuator } from '../../native-adapters/input/actuator.js';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { X11Input } from '../../native-adapters/x11/x11-input.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { parseLightconeAction } from '../../src/protocol/lightcone-actions.js';
import { Button1Mask, type ObservedEvent, Observer, ShiftMask } from '../support/observer.js';
import { Xev } from '../support/xev.js';

let display: VirtualDisplay;
let observer: Observer;
let actuator: Actuator;

/** Runs Lightcone-shape actions (screen pixels) and returns what the observer received meanwhile. */
async function act(...actions: object[]): Promise<ObservedEvent[]> {
  const from = observer.mark();
  for (const action of actions) await actuator.run(parseLightconeAction(action));
  // A key press round trip through the app marks the end of what our actions caused.
  await observer.text();
  return observer.since(from);
}

const presses = (events: ObservedEvent[]) => events.filter((e) => e.type === 'press');
const releases = (events: ObservedEvent[]) => events.filter((e) => e.type === 'release');

function expectAt(event: ObservedEvent | undefined, x: number, y: number) {
  expect(event).toBeDefined();
  expect(Math.abs((event?.x ?? Number.NaN) - x)).toBeLessThanOrEqual(1);
  expect(Math.abs((event?.y ?? Number.NaN) - y)).toBeLessThanOrEqual(1);
}

beforeAll(async () => {
  display = await startXvfb({ width: 1280, height: 800 });
  observer = await Observer.start(display.name);
  actuator = new Actuator(await X11Input.open(display.name));
});

afterAll(async () => {
  await actuator?.close();
  await observer?.stop();
  await display?.stop();
});

beforeEach(async () => {
  await observer.clear();
});

describe('mouse on a real X display', () => {
  it('clicks once, with the left button, at the exact pixel', async () => {
    const events = await act({ type: 'click', x: 950, y: 530 });
    expect(presses(events)).toHaveLength(1);
    expect(releases(events)).toHaveLength(1);
    expect(presses(events)[0]?.button).toBe(1);
    expectAt(presses(events)[0], 950, 530);
    expectAt(releases(events)[0], 950, 530);
  });

  it('right-clicks with button 3 and middle-clicks with button 2', async () => {
    const right = await act({ type: 'right_click', x: 100, y: 700 });
    expect(presses(right).map((e) => e.button)).toEqual([3]);
    expectAt(presses(right)[0], 100, 700);
    const middle = await act({ type: 'click', x: 400, y: 300, button: 'wheel' });
    expect(presses(middle).map((e) => e.button)).toEqual([2]);
  });

  it('double- and triple-clicks fast enough that the application sees a double and a triple click', async () => {
    await act({ type: 'type', text: 'one two three' });
    const double = await act({ type: 'double_click', x: 640, y: 400 });
    expect(presses(double)).toHaveLength(2);
    expect(double.filter((e) => e.type === 'double')).toHaveLength(1);
    await act({ type: 'wait', ms: 600 });
    const triple = await act({ type: 'triple_click', x: 20, y: 10 });
    expect(presses(triple)).toHaveLength(3);
    expect(triple.filter((e) => e.type === 'triple')).toHaveLength(1);
    for (const press of presses(triple)) expectAt(press, 20, 10);
  });

  it('holds Shift through a click with key_down/key_up, and releases it after', async () => {
    const events = await act(
      { type: 'key_down', keys: ['shift'] },
      { type: 'click', x: 300, y: 200 },
      { type: 'key_up', keys: ['shift'] },
      { type: 'click', x: 310, y: 210 },
    );
    const [held, free] = presses(events);
    expect((held?.state ?? 0) & ShiftMask).toBe(ShiftMask);
    expect((free?.state ?? 0) & ShiftMask).toBe(0);
    expect(events.filter((e) => e.type === 'key').map((e) => e.keysym)).toEqual(['Shift_L']);
    expect(events.filter((e) => e.type === 'keyup').map((e) => e.keysym)).toEqual(['Shift_L']);
  });

  it('never repeats a key it holds, however long, and leaves the server repeating keys again after', async () => {
    const repeats = await XConnection.open(display.name);
    try {
      expect(await repeats.autoRepeat()).toBe(true);
      const from = observer.mark();
      await actuator.run(parseLightconeAction({ type: 'key_down', keys: ['a'] }));
      // Longer than the server's repeat delay (660 ms on Xvfb): with repeat on, the app gets more `a`s.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await repeats.autoRepeat()).toBe(false);
      await actuator.run(parseLightconeAction({ type: 'key_up', keys: ['a'] }));
      await observer.text();
      const keys = observer.since(from).filter((e) => e.type === 'key');
      expect(keys.map((e) => e.keysym)).toEqual(['a']);
      expect(await repeats.autoRepeat()).toBe(true);
      await act({ type: 'type', text: 'ab' });
      expect(await repeats.autoRepeat()).toBe(true);
    } finally {
      repeats.close();
    }
  });

  it('drags with the button held and real motion in between', async () => {
    const events = await act({ type: 'drag', x: 700, y: 60, end_x: 1100, end_y: 300 });
    const press = presses(events)[0];
    const release = releases(events)[0];
    expectAt(press, 700, 60);
    expectAt(release, 1100, 300);
    const start = events.indexOf(press as ObservedEvent);
    const end = events.indexOf(release as ObservedEvent);
    const during = events
      .slice(start, end)
      .filter((e) => e.type === 'motion' && ((e.state ?? 0) & Button1Mask) !== 0);
    const between = during.filter((e) => (e.x ?? 0) > 705 && (e.x ?? 0) < 1095);
    expect(between.length).toBeGreaterThanOrEqual(5);
    // Motion follows the straight line from start to end.
    for (const e of between) {
      const t = ((e.x ?? 0) - 700) / 400;
      expect(Math.abs((e.y ?? 0) - (60 + t * 240))).toBeLessThanOrEqual(2);
    }
  });

  it('scrolls right, left, down and up with the right wheel buttons and notch counts', async () => {
    // xev reports raw button numbers (Tk folds 6/7 into Shift+4/5); its window covers the observer's.
    const xev = await Xev.start(display.name, display.width, display.height);
    try {
      const scroll = async (action: object, count: number) => {
        xev.reset();
        await actuator.run(parseLightconeAction(action));
        return (await xev.buttons(count * 2)).filter((e) => e.type === 'press');
      };
      const right = await scroll({ type: 'hscroll', x: 300, y: 600, scroll_x: 300 }, 3);
      expect(right.map((e) => e.button)).toEqual([7, 7, 7]);
      expect(right.every((e) => e.x === 300 && e.y === 600 && e.state === 0)).toBe(true);
      const left = await scroll({ type: 'hscroll', x: 300, y: 600, scroll_x: -200 }, 2);
      expect(left.map((e) => e.button)).toEqual([6, 6]);
      const down = await scroll({ type: 'scroll', x: 500, y: 500, scroll_x: 0, scroll_y: 100 }, 1);
      expect(down.map((e) => e.button)).toEqual([5]);
      const up = await scroll({ type: 'scroll', x: 500, y: 500, scroll_y: -400 }, 4);
      expect(up.map((e) => e.button)).toEqual([4, 4, 4, 4]);
      const both = await scroll({ type: 'scroll', x: 10, y: 20, scroll_x: 100, scroll_y: 100 }, 2);
      expect(both.map((e) => e.button).sort()).toEqual([5, 7]);
    } finally {
      await xev.stop();
    }
  });

  it('presses and releases a button separately with mouse_down and mouse_up', async () => {
    const events = await act({ type: 'mouse_down', x: 50, y: 60 }, { type: 'mouse_up', x: 80, y: 90 });
    expectAt(presses(events)[0], 50, 60);
    expectAt(releases(events)[0], 80, 90);
  });
});

describe('keyboard on a real X display', () => {
  it('types ASCII punctuation, newlines, tabs, accented Latin, CJK and symbols exactly', async () => {
    const text =
      'Hi! #$%_: café 日本語 ✓ "quoted" {braces} [x] <a> ~`^|\\ @&*()+=-\nnew\tline: ÀÉÎÕÜ ñ ß € 中文输入 — ok?';
    await act({ type: 'click', x: 640, y: 400 }, { type: 'type', text });
    expect(await observer.text()).toBe(text);
  });

  it('types 500 mixed characters exactly', async () => {
    const sentence = 'Crème brûlée at 東京, 12.50€ (≈¥1,900) ✓ "ok"? {a:[1,2]} <b>~`^|\\ #$%_:\n\t';
    const text = Array.from(sentence.repeat(12)).slice(0, 500).join('');
    await act({ type: 'click', x: 640, y: 400 }, { type: 'type', text });
    expect(await observer.text()).toBe(text);
  });

  it('types a long text with more distinct characters than the keyboard has spare keys', async () => {
    const cjk = Array.from({ length: 120 }, (_, i) => String.fromCodePoint(0x4e00 + i * 7)).join('');
    const text = `start ${cjk} end ${cjk.split('').reverse().join('')}.`;
    await act({ type: 'click', x: 640, y: 400 }, { type: 'type', text });
    expect(await observer.text()).toBe(text);
  });

  it('presses a chord in order and releases it in reverse', async () => {
    const events = await act({ type: 'keypress', keys: ['ctrl', 'shift', 'a'] });
    const keys = events
      .filter((e) => e.type === 'key' || e.type === 'keyup')
      .map((e) => `${e.type}:${e.keysym}`);
    expect(keys).toEqual([
      'key:Control_L',
      'key:Shift_L',
      'key:A',
      'keyup:A',
      'keyup:Shift_L',
      'keyup:Control_L',
    ]);
  });

  it('accepts every key-name dialect the models send', async () => {
    const events = await act(
      { type: 'key', keys: 'Return' },
      { type: 'key', keys: ['ENTER'] },
      { type: 'key', keys: ['CTRL+Z'] },
      { type: 'key', keys: ['["alt","Tab"]'] },
      { type: 'key', keys: ['PgUp'] },
      { type: 'key', keys: ['ArrowDown'] },
    );
    expect(events.filter((e) => e.type === 'key').map((e) => e.keysym)).toEqual([
      'Return',
      'Return',
      'Control_L',
      'z',
      'Alt_L',
      'Tab',
      'Prior',
      'Down',
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actuator } from '../../native-adapters/input/actuator.js';
import { X11Input } from '../../native-adapters/x11/x11-input.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { NOTES_LAYOUT, NotesApp, NotesAppError, type NotesWidget } from '../../src/demo/notes-app.js';
import type { Action, Point } from '../../src/protocol/actions.js';

/** A widget's centre in screen pixels, from the layout constants as a model would compute it. */
function pixelOf(widget: NotesWidget, display: VirtualDisplay): Point {
  const [x, y] = NOTES_LAYOUT[widget];
  return { x: (x / 1000) * display.width, y: (y / 1000) * display.height };
}

const click = (at: Point): Action => ({ type: 'click', ...at, button: 'left', count: 1 });

/** Starts a display of the given size with the app and our real X input on it. */
function onDisplay(width: number, height: number) {
  const env = {} as { display: VirtualDisplay; app: NotesApp; actuator: Actuator };
  beforeAll(async () => {
    env.display = await startXvfb({ width, height });
    env.app = await NotesApp.start(env.display.name);
    env.actuator = new Actuator(await X11Input.open(env.display.name));
  });
  afterAll(async () => {
    await env.actuator?.close();
    await env.app?.close();
    await env.display?.stop();
  });
  return {
    env,
    /** Runs canonical actions (screen pixels) in order. */
    run: async (...actions: Action[]) => {
      for (const action of actions) await env.actuator.run(action);
    },
    at: (widget: NotesWidget) => pixelOf(widget, env.display),
  };
}

describe('the demo notes app at 1280x800, driven by real X input', () => {
  const { env, run, at } = onDisplay(1280, 800);
  const title = 'Hello, world! café 日本語 ✓';
  const notes = 'First line: a, b; c. (ok?) [yes] {x} <y>\nSecond — "quoted" 100% ~`^|\\ @#$&*_+= ñ€';

  it('reports its size and a layout that equals NOTES_LAYOUT and where Tk put the widgets', () => {
    const { ready } = env.app;
    expect(ready.width).toBe(1280);
    expect(ready.height).toBe(800);
    expect(ready.layout).toEqual(NOTES_LAYOUT);
    for (const widget of Object.keys(NOTES_LAYOUT) as NotesWidget[]) {
      const [x, y] = ready.pixels[widget];
      expect(Math.abs(x - at(widget).x)).toBeLessThanOrEqual(1);
      expect(Math.abs(y - at(widget).y)).toBeLessThanOrEqual(1);
    }
  });

  it('starts empty, light, scrolled to the top, with nothing saved or held', async () => {
    expect(await env.app.state()).toMatchObject({
      title: '',
      notes: '',
      dark: false,
      itemsTop: 0,
      saved: null,
      held: [],
    });
  });

  it('types Unicode into the title after a click on it', async () => {
    await run(click(at('title')), { type: 'type', text: title });
    const state = await env.app.state();
    expect(state.focus).toBe('title');
    expect(state.title).toBe(title);
  });

  it('types two lines with punctuation into the notes after a click on them', async () => {
    await run(click(at('notes')), { type: 'type', text: notes });
    const state = await env.app.state();
    expect(state.focus).toBe('notes');
    expect(state.notes).toBe(notes);
    expect(state.title).toBe(title);
  });

  it('saves title and notes on the ctrl+s chord and leaves nothing held', async () => {
    await run({ type: 'keypress', keys: ['ctrl', 's'] });
    const state = await env.app.state();
    expect(state.saved).toEqual({ title, notes });
    expect(state.notes).toBe(notes);
    expect(state.held).toEqual([]);
  });

  it('toggles dark mode with a click on the checkbox', async () => {
    await run(click(at('dark')));
    expect((await env.app.state()).dark).toBe(true);
    await run(click(at('dark')));
    expect((await env.app.state()).dark).toBe(false);
    await run(click(at('dark')));
    expect((await env.app.state()).dark).toBe(true);
  });

  it('scrolls the items list with the wheel over it, three lines a notch', async () => {
    // 300 at the default 100 per notch: three notches down.
    await run({ type: 'scroll', ...at('items'), scrollX: 0, scrollY: 300 });
    expect((await env.app.state()).itemsTop).toBe(9);
    await run({ type: 'scroll', ...at('items'), scrollX: 0, scrollY: -100 });
    expect((await env.app.state()).itemsTop).toBe(6);
  });

  it('reports Shift held between key_down and key_up', async () => {
    await run({ type: 'key_down', keys: ['shift'] });
    expect((await env.app.state()).held).toEqual(['Shift_L']);
    await run({ type: 'key_up', keys: ['shift'] });
    expect((await env.app.state()).held).toEqual([]);
  });
});

describe('the demo notes app at 1024x768', () => {
  const { env, run, at } = onDisplay(1024, 768);

  it('keeps the same normalized layout', () => {
    expect(env.app.ready).toMatchObject({ width: 1024, height: 768, layout: NOTES_LAYOUT });
    expect(env.app.pointOf('title')).toEqual({ x: 440, y: 100 });
  });

  it('focuses each field clicked at its normalized point and toggles the checkbox', async () => {
    await run(click(at('title')));
    expect((await env.app.state()).focus).toBe('title');
    await run(click(at('notes')));
    expect((await env.app.state()).focus).toBe('notes');
    await run(click(at('items')));
    expect((await env.app.state()).focus).toBe('items');
    await run(click(at('dark')));
    expect((await env.app.state()).dark).toBe(true);
  });
});

describe('the demo notes app without an X server', () => {
  it('fails to start with the reason from its stderr', async () => {
    // Above the :90-:999 range startXvfb uses, so no test's server can be there.
    const start = NotesApp.start(':99999', { timeoutMs: 5000 });
    await expect(start).rejects.toThrow(NotesAppError);
    await expect(start).rejects.toThrow(
      /exited with code 4[\s\S]*cannot open the X display[\s\S]*Is an X server running on :99999/,
    );
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actuator } from '../../native-adapters/input/actuator.js';
import { type ForeignInput, InputWatch } from '../../native-adapters/x11/input-watch.js';
import { FakeEvent, XConnection } from '../../native-adapters/x11/x11-connection.js';
import { X11Input } from '../../native-adapters/x11/x11-input.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { parseLightconeAction } from '../../src/protocol/lightcone-actions.js';
import { Observer } from '../support/observer.js';

/** The input watch on a real X server: deskhand's own input is never someone else's, anyone else's is. */
const run = promisify(execFile);
let display: VirtualDisplay;
let observer: Observer;
let input: X11Input;
let actuator: Actuator;
let watch: InputWatch;
const seen: ForeignInput[] = [];

beforeAll(async () => {
  display = await startXvfb({ width: 800, height: 600 });
  observer = await Observer.start(display.name);
  input = await X11Input.open(display.name);
  actuator = new Actuator(input);
  watch = await InputWatch.open(display.name, [input.clientBase]);
  watch.onForeignInput((event) => seen.push(event));
}, 60_000);

afterAll(async () => {
  watch?.close();
  await actuator?.close();
  await observer?.stop();
  await display?.stop();
});

/** Every event sent before this call has reached the app, and so the watch's report too. */
async function settled() {
  await observer.text();
  await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('InputWatch', () => {
  it("reports none of deskhand's own input: pointer, clicks, typing, a held key's autorepeat", async () => {
    for (const action of [
      { type: 'click', x: 100, y: 100 },
      { type: 'type', text: 'Hello, world! café 日本 '.repeat(10) },
      { type: 'drag', x: 100, y: 100, end_x: 300, end_y: 200 },
      { type: 'scroll', x: 200, y: 200, scroll_y: 500 },
      { type: 'key_down', keys: ['a'] },
      { type: 'wait', ms: 1200 },
      { type: 'key_up', keys: ['a'] },
    ])
      await actuator.run(parseLightconeAction(action));
    await settled();
    expect(seen).toEqual([]);
  }, 60_000);

  it("reports another program's input (xdotool), key, button and motion, while ours stays silent", async () => {
    const env = { ...process.env, DISPLAY: display.name };
    await run('xdotool', ['mousemove', '10', '10', 'click', '1', 'key', 'q'], { env });
    await actuator.run(parseLightconeAction({ type: 'type', text: 'ours' }));
    await settled();
    const kinds = new Set(seen.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['button', 'key', 'motion']);
    // motion, button press + release, key press + release: nothing more (our typing is not among them).
    expect(seen).toHaveLength(5);
    expect(seen.every((e) => e.source !== 'device' && e.source !== input.clientBase)).toBe(true);
  }, 60_000);

  it('reports XTEST input from another connection of the same machine', async () => {
    seen.length = 0;
    const other = await XConnection.open(display.name);
    other.fakeInput(FakeEvent.MotionNotify, 0, 50, 60);
    await other.sync();
    other.close();
    await settled();
    expect(seen).toEqual([{ kind: 'motion', source: other.resourceBase }]);
  }, 60_000);
});

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { collect, startCli } from '../support/cli.js';
import { Observer } from '../support/observer.js';

let display: VirtualDisplay;
let observer: Observer;
let x: XConnection;

const xkbcomp = () =>
  execFileSync('xkbcomp', ['-xkb', display.name, '-'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();

beforeAll(async () => {
  display = await startXvfb({ width: 800, height: 600 });
  observer = await Observer.start(display.name);
  x = await XConnection.open(display.name);
});

afterAll(async () => {
  x?.close();
  await observer?.stop();
  await display?.stop();
});

describe('deskhand act killed by SIGKILL mid-type', () => {
  it('leaves nothing held, the keymap as it was and keys repeating again, 10 times out of 10', async () => {
    const original = xkbcomp();
    // Shifted, plain and lent characters, with more distinct lent ones than spare keycodes.
    const cjk = Array.from({ length: 50 }, (_, i) => String.fromCodePoint(0x4e00 + i * 13)).join('');
    const text = `Hello, World! café ${cjk} ✓ `.repeat(400);
    for (let round = 0; round < 10; round++) {
      await observer.clear();
      const from = observer.mark();
      const child = startCli([
        'act',
        '--display',
        display.name,
        JSON.stringify({ type: 'mouse_down', x: 400, y: 300 }),
        JSON.stringify({ type: 'type', text }),
      ]);
      const done = collect(child);
      // Kill once the application has seen typing start, at a different point each round.
      await observer.waitFor((e) => e.type === 'key', 10_000, from);
      await new Promise((resolve) => setTimeout(resolve, 20 + round * 37));
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
      // The guardian notices the closed pipe, releases and restores; give it a moment.
      const deadline = Date.now() + 5000;
      let state: { keys: number[]; buttons: number; keymapRestored: boolean; autoRepeat: boolean };
      do {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = {
          keys: await x.keysDown(),
          buttons: (await x.queryPointer()).mask & 0x1f00,
          keymapRestored: xkbcomp() === original,
          // deskhand turns the server's key repeat off while it types (x11-input.ts, quietRepeat).
          autoRepeat: await x.autoRepeat(),
        };
      } while (
        Date.now() < deadline &&
        !(state.keys.length === 0 && state.buttons === 0 && state.keymapRestored && state.autoRepeat)
      );
      expect(state, `round ${round + 1}`).toEqual({
        keys: [],
        buttons: 0,
        keymapRestored: true,
        autoRepeat: true,
      });
    }
  }, 120_000);
});

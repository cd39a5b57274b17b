import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { collect, linesOut } from '../support/cli.js';
import { Button1Mask, Observer, ShiftMask } from '../support/observer.js';

const script = fileURLToPath(new URL('../support/crash-holding-key.mjs', import.meta.url));
let display: VirtualDisplay;
let observer: Observer;

beforeAll(async () => {
  display = await startXvfb({ width: 800, height: 600 });
  observer = await Observer.start(display.name);
});

afterAll(async () => {
  await observer?.stop();
  await display?.stop();
});

describe('held input on a crash', () => {
  for (const how of ['exception', 'rejection']) {
    it(`releases a held key and button when the process dies of an uncaught ${how}`, async () => {
      const from = observer.mark();
      const child = spawn(process.execPath, [script, display.name, how]);
      const done = collect(child);
      await linesOut(child, 1);
      const x = await XConnection.open(display.name);
      expect((await x.queryPointer()).mask & (ShiftMask | Button1Mask)).toBe(ShiftMask | Button1Mask);
      child.stdin.write('crash\n');
      const result = await done;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`boom (${how})`);
      await observer.waitFor((e) => e.type === 'keyup' && e.keysym === 'Shift_L', 2000, from);
      await observer.waitFor((e) => e.type === 'release' && e.button === 1, 2000, from);
      expect((await x.queryPointer()).mask & (ShiftMask | Button1Mask)).toBe(0);
      x.close();
    });
  }
});

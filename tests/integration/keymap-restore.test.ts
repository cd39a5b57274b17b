import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { collect, runCli, startCli } from '../support/cli.js';
import { Observer } from '../support/observer.js';

let display: VirtualDisplay;
let observer: Observer;

/** The keymap as two independent tools print it: the XKB map and the core rows. */
function keymapDump(): { xkb: string; core: string } {
  return {
    xkb: execFileSync('xkbcomp', ['-xkb', display.name, '-'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString(),
    core: execFileSync('xmodmap', ['-display', display.name, '-pke']).toString(),
  };
}

beforeAll(async () => {
  display = await startXvfb({ width: 800, height: 600 });
  observer = await Observer.start(display.name);
});

afterAll(async () => {
  await observer?.stop();
  await display?.stop();
});

describe('the keymap after deskhand act', () => {
  const cjk = Array.from({ length: 60 }, (_, i) => String.fromCodePoint(0x4e00 + i * 11)).join('');
  const cases = {
    'a few lent characters': 'café É ñ 日本',
    // More distinct characters than spare keycodes: every spare keycode is lent and reassigned, so the
    // changes reach keycodes on both sides of F1-F12 and the keypad.
    'every spare keycode, reassigned': `x ${cjk} ✓ ß €`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`is byte-identical in xkbcomp and xmodmap -pke output after typing ${name}`, async () => {
      await observer.clear();
      const before = keymapDump();
      const result = await runCli([
        'act',
        '--display',
        display.name,
        JSON.stringify({ type: 'type', text }),
        JSON.stringify({ type: 'key_down', keys: ['ä'] }),
        JSON.stringify({ type: 'key_up', keys: ['ä'] }),
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(await observer.text()).toBe(`${text}ä`);
      const after = keymapDump();
      expect(after.core).toBe(before.core);
      expect(after.xkb).toBe(before.xkb);
    });
  }

  it('is restored when SIGINT stops act mid-type (the guardian puts back what the exit left)', async () => {
    await observer.clear();
    const before = keymapDump();
    const from = observer.mark();
    const text = 'ab é ñ 日本 ✓ '.repeat(2_500);
    const child = startCli(['act', '--display', display.name, JSON.stringify({ type: 'type', text })]);
    const done = collect(child);
    await observer.waitFor((e) => e.type === 'key', 10_000, from);
    child.kill('SIGINT');
    expect((await done).code).toBe(130);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && keymapDump().xkb !== before.xkb)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const after = keymapDump();
    expect(after.core).toBe(before.core);
    expect(after.xkb).toBe(before.xkb);
  }, 30_000);
});

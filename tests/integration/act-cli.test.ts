import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { collect, linesOut, runCli, startCli } from '../support/cli.js';
import { Observer, ShiftMask } from '../support/observer.js';

let display: VirtualDisplay;
let observer: Observer;

beforeAll(async () => {
  display = await startXvfb({ width: 1280, height: 800 });
  observer = await Observer.start(display.name);
});

afterAll(async () => {
  await observer?.stop();
  await display?.stop();
});

beforeEach(async () => {
  await observer.clear();
});

const act = (...args: string[]) => runCli(['act', '--display', display.name, ...args]);

describe('deskhand act', () => {
  it('runs actions in order in one process and prints one JSON line per action', async () => {
    const from = observer.mark();
    const result = await act(
      '{"type":"click","x":950,"y":530}',
      '{"type":"type","text":"Grüße, 世界! #1"}',
      '{"type":"key","keys":["ctrl","a"]}',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.type)).toEqual(['click', 'type', 'key']);
    expect(lines[0]).toMatchObject({
      index: 0,
      ok: true,
      screen: { x: 950, y: 530 },
      pointer: { x: 950, y: 530 },
    });
    const press = await observer.waitFor((e) => e.type === 'press', 2000, from);
    expect(press).toMatchObject({ x: 950, y: 530, button: 1 });
    expect(await observer.text()).toBe('Grüße, 世界! #1');
  });

  it('maps the 0-999 grid to the screen with --coords normalized', async () => {
    const from = observer.mark();
    const result = await act(
      '--coords',
      'normalized',
      '{"type":"click","x":500,"y":500}',
      '{"type":"click","x":"999","y":0}',
    );
    expect(result.code).toBe(0);
    await observer.waitFor((e) => e.type === 'release' && e.x !== 640, 2000, from);
    const presses = observer.since(from).filter((e) => e.type === 'press');
    expect(presses.map((e) => [e.x, e.y])).toEqual([
      [640, 400],
      [1279, 0],
    ]);
  });

  it('a display number no X server can have is a clear usage error, not a crash', async () => {
    const result = await runCli(['act', '--display', ':99999', '{"type":"wait","ms":1}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'deskhand: --display :99999: X display numbers go up to 59535; name the display of a running X server, e.g. --display :1\n',
    );
  });

  it('rejects an invalid action with exit 2, names the field, and runs none of the actions', async () => {
    const from = observer.mark();
    const result = await act('{"type":"click","x":10,"y":10}', '{"type":"click","x":"abc","y":10}');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"x"');
    expect(result.stderr).toContain('action 2');
    expect(result.stdout).toBe('');
    await observer.text();
    expect(observer.since(from).filter((e) => e.type === 'press')).toHaveLength(0);

    const unknown = await act('{"type":"teleport","x":1,"y":1}');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown action type "teleport"');

    const key = await act('{"type":"key","keys":["ctrl","hyperdrive"]}');
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('hyperdrive');
    expect(key.stderr).toContain('enter');

    const json = await act('{"type":"click",');
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('not valid JSON');
  });

  it('refuses coordinates off screen with the screen size and a hint', async () => {
    const result = await act('{"type":"click","x":1280,"y":10}');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('off screen');
    expect(result.stderr).toContain('1280x800');
    expect(result.stderr).toContain('--coords normalized');
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`releases a held key when killed with ${signal} mid-run, and exits ${code}`, async () => {
      const from = observer.mark();
      const child = startCli([
        'act',
        '--display',
        display.name,
        '{"type":"key_down","keys":["shift"]}',
        '{"type":"wait","ms":30000}',
      ]);
      const done = collect(child);
      await linesOut(child, 1);
      await observer.waitFor((e) => e.type === 'key' && e.keysym === 'Shift_L', 2000, from);
      const x = await XConnection.open(display.name);
      expect((await x.queryPointer()).mask & ShiftMask).toBe(ShiftMask);
      const killedAt = performance.now();
      child.kill(signal);
      const result = await done;
      expect(result.code).toBe(code);
      expect(performance.now() - killedAt).toBeLessThan(2000);
      await observer.waitFor((e) => e.type === 'keyup' && e.keysym === 'Shift_L', 2000, from);
      expect((await x.queryPointer()).mask & ShiftMask).toBe(0);
      x.close();
    });
  }
});

describe('clear errors', () => {
  it('says DISPLAY is unset and how to fix it', async () => {
    const result = await runCli(['act', '{"type":"click","x":1,"y":1}'], {
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      XDG_SESSION_TYPE: '',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DISPLAY is unset');
    expect(result.stderr).toContain('--display');
  });

  it('says a Wayland session blocks input', async () => {
    const result = await runCli(['act', '{"type":"click","x":1,"y":1}'], {
      DISPLAY: ':0',
      XDG_SESSION_TYPE: 'wayland',
      WAYLAND_DISPLAY: 'wayland-0',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Wayland');
    expect(result.stderr).toContain('--xvfb');
  });

  it('says when no X server answers on the display', async () => {
    const result = await runCli(['act', '--display', ':989', '{"type":"click","x":1,"y":1}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no X server answers on display :989');
    // act cannot start a display of its own: no advice to.
    expect(result.stderr).not.toContain('--xvfb');
  });

  it('rejects a malformed --display', async () => {
    const result = await runCli(['act', '--display', 'nine', '{"type":"click","x":1,"y":1}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not an X display name');
  });
});

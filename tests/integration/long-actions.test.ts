import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actuator, MAX_SCROLL_NOTCHES } from '../../native-adapters/input/actuator.js';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { X11Input } from '../../native-adapters/x11/x11-input.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { collect, linesOut, runCli, startCli } from '../support/cli.js';
import { Observer } from '../support/observer.js';
import { Xev } from '../support/xev.js';

let display: VirtualDisplay;
let x: XConnection;

/** Keys and buttons down now, as the X server sees them (QueryKeymap, the pointer's button mask). */
async function heldOnServer(): Promise<{ keys: number[]; buttons: number }> {
  return { keys: await x.keysDown(), buttons: (await x.queryPointer()).mask & 0x1f00 };
}

beforeAll(async () => {
  display = await startXvfb({ width: 800, height: 600 });
  x = await XConnection.open(display.name);
});

afterAll(async () => {
  x?.close();
  await display?.stop();
});

describe('a long type', () => {
  it('stops between characters within tens of milliseconds when the signal aborts, nothing held', async () => {
    const observer = await Observer.start(display.name);
    const actuator = new Actuator(await X11Input.open(display.name));
    try {
      // Shifted, plain and lent characters, so an abort can fall on any kind of stroke.
      const text = 'Ab! é 日 '.repeat(12_500);
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 200);
      let abortedAt = 0;
      controller.signal.addEventListener('abort', () => (abortedAt = performance.now()));
      await actuator.run({ type: 'type', text }, { signal: controller.signal });
      const latency = performance.now() - abortedAt;
      console.log(`type of ${text.length} chars: returned ${latency.toFixed(1)} ms after the abort`);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(latency).toBeLessThan(100);
      expect(await heldOnServer()).toEqual({ keys: [], buttons: 0 });
      // The application got part of the text, and no more arrives after the stop.
      const typed = await observer.text();
      expect(typed.length).toBeGreaterThan(0);
      expect(typed.length).toBeLessThan(text.length);
      expect(text.startsWith(typed)).toBe(true);
    } finally {
      await actuator.close();
      await observer.stop();
    }
  }, 60_000);

  it('ends deskhand act at SIGINT with exit 130 at once, nothing held', async () => {
    const child = startCli([
      'act',
      '--display',
      display.name,
      JSON.stringify({ type: 'key_down', keys: ['shift'] }),
      JSON.stringify({ type: 'type', text: 'x'.repeat(100_000) }),
    ]);
    const done = collect(child);
    await linesOut(child, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = performance.now();
    child.kill('SIGINT');
    const result = await done;
    const latency = performance.now() - sent;
    console.log(`act exited ${latency.toFixed(0)} ms after SIGINT`);
    expect(result.code).toBe(130);
    expect(latency).toBeLessThan(500);
    expect(await heldOnServer()).toEqual({ keys: [], buttons: 0 });
  }, 30_000);
});

describe('a huge wait', () => {
  it('is cut to 60 s without a Node warning, and SIGINT ends it', async () => {
    const child = startCli([
      'act',
      '--display',
      display.name,
      JSON.stringify({ type: 'move', x: 10, y: 10 }),
      JSON.stringify({ type: 'wait', ms: 1e12 }),
    ]);
    const done = collect(child);
    await linesOut(child, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).not.toContain('TimeoutOverflowWarning');
  }, 30_000);
});

describe('a huge scroll', () => {
  it('at 0 pixels per notch is a usage error on the command line, before any event', async () => {
    const result = await runCli([
      'act',
      '--display',
      display.name,
      '--pixels-per-notch',
      '0',
      JSON.stringify({ type: 'scroll', x: 100, y: 100, scroll_y: 300 }),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--pixels-per-notch must be more than 0');
    expect(await heldOnServer()).toEqual({ keys: [], buttons: 0 });
  });

  for (const [name, args, scrollY] of [['1e8 notches', ['--pixels-per-notch', '1'], 1e8]] as const) {
    it(`of ${name} is cut to ${MAX_SCROLL_NOTCHES} notches, says so, and ends`, async () => {
      const xev = await Xev.start(display.name, display.width, display.height);
      try {
        const result = await runCli([
          'act',
          '--display',
          display.name,
          ...args,
          JSON.stringify({ type: 'scroll', x: 100, y: 100, scroll_y: scrollY }),
        ]);
        expect(result.code).toBe(0);
        const line = JSON.parse(result.stdout.trim()) as { clamped?: string };
        expect(line.clamped).toContain(`cut to ${MAX_SCROLL_NOTCHES} notches`);
        const presses = (await xev.buttons(2 * MAX_SCROLL_NOTCHES, 10_000)).filter((e) => e.type === 'press');
        expect(presses).toHaveLength(MAX_SCROLL_NOTCHES);
        expect(presses.every((e) => e.button === 5)).toBe(true);
        expect(await heldOnServer()).toEqual({ keys: [], buttons: 0 });
      } finally {
        await xev.stop();
      }
    }, 30_000);
  }
});

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Capturer, Screenshot } from '../../native-adapters/capture/capturer.js';
import { captureWhenSettled, changedFraction, changedPixels } from '../../native-adapters/capture/settle.js';
import { UsageError } from '../../src/cli/exit-codes.js';
import { parseXvfbSize, readSecrets } from '../../src/cli/run.js';
import { createRunPrinter } from '../../src/cli/run-output.js';
import type { RunEvent } from '../../src/session/run-events.js';
import { redactor } from '../../src/trajectory/index.js';

type Frame = { grey: number; mark?: boolean };

/** A capturer playing screens (grey levels, with an optional small mark): a list, then its last forever. */
function playing(frames: Frame[] | ((index: number) => Frame)): Capturer & { count: number } {
  const frameAt = (i: number) =>
    typeof frames === 'function' ? frames(i) : (frames[Math.min(i, frames.length - 1)] as Frame);
  const capturer = {
    count: 0,
    async capture(): Promise<Screenshot> {
      const frame = frameAt(capturer.count);
      capturer.count++;
      const base = sharp({
        create: {
          width: 320,
          height: 200,
          channels: 3,
          background: { r: frame.grey, g: frame.grey, b: frame.grey },
        },
      });
      const mark = await sharp({
        create: { width: 1, height: 12, channels: 3, background: { r: 0, g: 0, b: 0 } },
      })
        .png()
        .toBuffer();
      const data = await (frame.mark ? base.composite([{ input: mark, left: 100, top: 100 }]) : base)
        .png()
        .toBuffer();
      return {
        data,
        format: 'png',
        mimeType: 'image/png',
        width: 320,
        height: 200,
        screenWidth: 320,
        screenHeight: 200,
        durationMs: 1,
      };
    },
  };
  return capturer;
}

describe('captureWhenSettled', () => {
  it('returns after two alike captures when the screen is still', async () => {
    const capturer = playing([{ grey: 100 }]);
    const shot = await captureWhenSettled(capturer, { intervalMs: 5 });
    expect(shot).toMatchObject({ settled: true, captures: 2, settleMs: 0 });
  });

  it('waits while the screen changes and returns the settled picture', async () => {
    const capturer = playing([{ grey: 10 }, { grey: 60 }, { grey: 120 }, { grey: 200 }]);
    const shot = await captureWhenSettled(capturer, { intervalMs: 5 });
    expect(shot.settled).toBe(true);
    expect(shot.captures).toBe(5);
    expect(shot.settleMs).toBeGreaterThan(0);
    const { data } = await sharp(shot.data).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBe(200);
  });

  it('treats a blinking text cursor as still', async () => {
    const capturer = playing([{ grey: 230, mark: true }, { grey: 230 }]);
    const shot = await captureWhenSettled(capturer, { intervalMs: 5 });
    expect(shot).toMatchObject({ settled: true, captures: 2 });
  });

  it('gives up after maxWaitMs on a screen that never settles', async () => {
    const capturer = playing((i) => ({ grey: (i * 90) % 256 }));
    const shot = await captureWhenSettled(capturer, { intervalMs: 10, maxWaitMs: 80 });
    expect(shot.settled).toBe(false);
    expect(shot.settleMs).toBeGreaterThanOrEqual(80);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const pending = captureWhenSettled(
      playing([{ grey: 1 }, { grey: 99 }, { grey: 1 }, { grey: 99 }, { grey: 1 }]),
      {
        intervalMs: 200,
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(pending).rejects.toThrow('stop');
  });

  it('changedFraction counts pixels that moved beyond the threshold', () => {
    expect(changedFraction(Buffer.from([0, 0, 0, 0]), Buffer.from([0, 10, 100, 255]))).toBe(0.5);
    expect(changedFraction(Buffer.from([0]), Buffer.from([0, 0]))).toBe(1);
  });
});

describe('run options', () => {
  it('parses --xvfb sizes', () => {
    expect(parseXvfbSize('')).toEqual({ width: 1280, height: 800 });
    expect(parseXvfbSize('1920x1080')).toEqual({ width: 1920, height: 1080 });
    expect(parseXvfbSize(undefined)).toBeUndefined();
    expect(() => parseXvfbSize('big')).toThrow(/expected a size like 1280x800/);
  });

  it('reads --secret values from the environment, with an error naming the variable', () => {
    expect(readSecrets(['PW'], { PW: 'x' })).toEqual({ PW: 'x' });
    expect(() => readSecrets(['PW'], {})).toThrow(UsageError);
    expect(() => readSecrets(['PW'], {})).toThrow(/PW is not set/);
    expect(() => readSecrets(['not a name'], {})).toThrow(/name of an environment variable/);
  });

  it('redacts secrets, also JSON-escaped, and ignores trivially short ones', () => {
    const redact = redactor(['sk-abc"def', 'ab']);
    expect(redact(JSON.stringify({ key: 'sk-abc"def', other: 'ab' }))).toBe(
      '{"key":"[redacted]","other":"ab"}',
    );
  });
});

describe('run output', () => {
  const events: RunEvent[] = [
    {
      at: 0,
      type: 'run.started',
      startedAt: '2026-01-02T03:04:05.000Z',
      runId: 'r',
      task: 'Save the note',
      provider: 'lightcone',
      model: 'm',
      profile: {},
    },
    { at: 10, type: 'reasoning.delta', turn: 1, delta: 'Clicking' },
    {
      at: 20,
      type: 'action.started',
      step: 1,
      turn: 1,
      responseId: 'resp_1',
      callId: 'c1',
      action: { type: 'click', x: 1, y: 2, button: 'left', count: 1 },
      modelPoints: [],
      screenPoints: [],
      description: 'click at (640, 400)',
      dryRun: false,
    },
    { at: 30, type: 'action.finished', step: 1, callId: 'c1', durationMs: 1, ok: true },
    {
      at: 40,
      type: 'run.finished',
      runId: 'r',
      outcome: 'success',
      exitCode: 0,
      result: 'Saved.',
      steps: 1,
      turns: 2,
      usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
      durationMs: 40,
    },
  ];
  const sink = () => {
    const chunks: string[] = [];
    return {
      chunks,
      stream: { write: (chunk: string) => chunks.push(chunk) } as unknown as NodeJS.WritableStream,
    };
  };

  it('plain: progress lines on stderr, the answer alone on stdout', () => {
    const out = sink();
    const err = sink();
    const printer = createRunPrinter({ mode: 'plain', stdout: out.stream, stderr: err.stream });
    for (const event of events) printer.print(event);
    printer.close();
    expect(out.chunks.join('')).toBe('Saved.\n');
    const text = err.chunks.join('');
    expect(text).toMatch(/action 1 click at \(640, 400\)/);
    expect(text).toMatch(/success .*1 action, 2 turns, 3 tokens/);
    expect(text).not.toContain('\u001b');
  });

  it('json: one event per line on stdout, run.finished last, nothing on stderr', () => {
    const out = sink();
    const err = sink();
    const printer = createRunPrinter({ mode: 'json', stdout: out.stream, stderr: err.stream });
    for (const event of events) printer.print(event);
    const lines = out.chunks
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent);
    expect(lines.map((e) => e.type)).toEqual([
      'run.started',
      'action.started',
      'action.finished',
      'run.finished',
    ]);
    expect(err.chunks).toEqual([]);
  });

  it('tty: the reasoning updates in place, in colour', () => {
    const err = sink();
    const printer = createRunPrinter({ mode: 'tty', stdout: sink().stream, stderr: err.stream, color: true });
    for (const event of events) printer.print(event);
    expect(err.chunks.join('')).toContain('\r\u001b[K\u001b[2m  thinking: Clicking');
    expect(err.chunks.join('')).toContain('\u001b[36maction 1');
  });
});

describe('settling on raw frames', () => {
  it('compares grabbed pixels and encodes only the frame it keeps', async () => {
    const size = 64 * 40 * 3;
    const frames = [Buffer.alloc(size, 10), Buffer.alloc(size, 200), Buffer.alloc(size, 200)];
    let grabs = 0;
    let encodes = 0;
    const capturer: Capturer = {
      capture: () => Promise.reject(new Error('not used')),
      grab: async () => ({
        rgb: frames[Math.min(grabs++, 2)] as Buffer,
        width: 64,
        height: 40,
        startedAt: 0,
      }),
      encode: async (frame) => {
        encodes++;
        return {
          data: frame.rgb,
          format: 'png',
          mimeType: 'image/png',
          width: 64,
          height: 40,
          screenWidth: 64,
          screenHeight: 40,
          durationMs: 0,
        };
      },
    };
    const shot = await captureWhenSettled(capturer, { intervalMs: 1 });
    expect(shot).toMatchObject({ settled: true, captures: 3 });
    expect(shot.data[0]).toBe(200);
    expect(encodes).toBe(1);
  });

  it('changedPixels counts differing words', () => {
    const a = Buffer.alloc(400, 1);
    const b = Buffer.from(a);
    b[0] = 9;
    expect(changedPixels(a, b)).toBe(0.01);
    expect(changedPixels(a, Buffer.alloc(8))).toBe(1);
  });
});

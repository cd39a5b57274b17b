/**
 * Ad hoc timing of the capture paths on a private 1920x1080 Xvfb with a busy screen (a plasma
 * background and text terminals). Not a test. Build, then:
 *   node dist/bench/measure-capture.js [runs]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureOptions, Capturer } from '../native-adapters/capture/capturer.js';
import { createCapturer } from '../native-adapters/capture/index.js';
import { startXvfb } from '../native-adapters/x11/xvfb.js';

const runs = Number(process.argv[2] ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function measure(label: string, capturer: Capturer, options: CaptureOptions): Promise<void> {
  await capturer.capture(options);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const shot = await capturer.capture(options);
    times.push(performance.now() - started);
    bytes = shot.data.length;
  }
  const min = Math.min(...times).toFixed(1);
  const max = Math.max(...times).toFixed(1);
  console.log(
    `${label.padEnd(44)} median ${median(times).toFixed(1).padStart(6)} ms  (min ${min}, max ${max})  ${(bytes / 1024).toFixed(0)} KB`,
  );
}

const display = await startXvfb({ width: 1920, height: 1080 });
process.env.DISPLAY = display.name;
const windows: ChildProcess[] = [];
const directory = mkdtempSync(join(tmpdir(), 'deskhand-measure-'));
try {
  execFileSync('xsetroot', ['-display', display.name, '-solid', '#336699']);
  for (let i = 0; i < 4; i++) {
    const geometry = `100x30+${i * 400}+${i * 200}`;
    const command = 'ls -laR /usr/share | head -3000; sleep 600';
    windows.push(
      spawn('xterm', ['-display', display.name, '-geometry', geometry, '-e', 'sh', '-c', command], {
        stdio: 'ignore',
      }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const nut = await createCapturer('nut');
  const fallback = await createCapturer('screenshot-desktop');
  console.log(
    `1920x1080 Xvfb ${display.name}, ${runs} runs each, end to end (capture + convert + resize + encode)`,
  );
  await measureScene('text screen (4 full xterms on a flat background)', nut, fallback);

  // A photo-like screen (a plasma fractal shown full screen by Tk on top): the worst case for PNG.
  const plasma = join(directory, 'plasma.png');
  execFileSync('convert', ['-size', '1920x1080', 'plasma:', plasma]);
  const showImage =
    'import sys, tkinter as tk\n' +
    'root = tk.Tk(); root.overrideredirect(True); root.geometry("1920x1080+0+0")\n' +
    'image = tk.PhotoImage(file=sys.argv[1]); tk.Label(root, image=image, bd=0).pack()\n' +
    'root.mainloop()';
  windows.push(spawn('/usr/bin/python3', ['-c', showImage, plasma], { stdio: 'ignore' }));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await measureScene('photo-like screen (full-screen plasma)', nut, fallback);
} finally {
  for (const window of windows) window.kill('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
  // stop() waits for Xvfb's exit event, which an otherwise idle event loop would not stay for.
  await Promise.race([display.stop(), new Promise((resolve) => setTimeout(resolve, 3000))]);
}

async function measureScene(scene: string, nut: Capturer, fallback: Capturer): Promise<void> {
  console.log(`\n${scene}`);
  const size = { width: 1280, height: 720 };
  await measure('nut -> 1280x720 png', nut, size);
  await measure('nut -> 1280x720 jpeg q80', nut, { ...size, format: 'jpeg' });
  await measure('nut -> 1280x720 webp q80', nut, { ...size, format: 'webp' });
  await measure('nut -> 1920x1080 png', nut, {});
  await measure('screenshot-desktop -> 1280x720 png', fallback, size);
  await measure('screenshot-desktop -> 1280x720 jpeg q80', fallback, { ...size, format: 'jpeg' });
  await measure('screenshot-desktop -> 1920x1080 png (as is)', fallback, {});
}

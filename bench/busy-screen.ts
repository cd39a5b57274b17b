import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './metric.js';

/**
 * A screen worth capturing: a full-screen plasma fractal (photo-like, the hard case for PNG) with four
 * terminals full of text on top. Needs ImageMagick's convert, xterm and python3 with Tk.
 */
export async function showBusyScreen(display: string): Promise<{ stop(): void }> {
  const directory = mkdtempSync(join(tmpdir(), 'deskhand-bench-'));
  const windows: ChildProcess[] = [];
  const stop = () => {
    for (const window of windows) window.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    const plasma = join(directory, 'plasma.png');
    execFileSync('convert', ['-size', '1920x1080', 'plasma:', plasma]);
    const showImage =
      'import sys, tkinter as tk\n' +
      'root = tk.Tk(); root.overrideredirect(True); root.geometry("1920x1080+0+0")\n' +
      'image = tk.PhotoImage(file=sys.argv[1]); tk.Label(root, image=image, bd=0).pack()\n' +
      'root.mainloop()';
    const env = { ...process.env, DISPLAY: display };
    windows.push(spawn('/usr/bin/python3', ['-c', showImage, plasma], { stdio: 'ignore', env }));
    // Without a window manager the window mapped last is on top: terminals after the background.
    await sleep(1500);
    for (let i = 0; i < 4; i++) {
      const geometry = `100x30+${i * 400}+${i * 150}`;
      const command = 'ls -laR /usr/share | head -3000; sleep 600';
      windows.push(
        spawn('xterm', ['-geometry', geometry, '-e', 'sh', '-c', command], { stdio: 'ignore', env }),
      );
    }
    await sleep(2000);
  } catch (error) {
    stop();
    throw error;
  }
  return { stop };
}

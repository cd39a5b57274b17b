import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The app, found from dist/bench/ (the bench) or bench/ (the tests, run from the sources). */
const script = ['../../tests/support/redraw_app.py', '../tests/support/redraw_app.py']
  .map((path) => fileURLToPath(new URL(path, import.meta.url)))
  .find((path) => existsSync(path)) as string;

/** Its colours (tests/support/redraw_app.py): grey until clicked, green once an animation has ended. */
export const REDRAW_COLOURS = { initial: [0x80, 0x80, 0x80], final: [0x20, 0xc0, 0x40] } as const;

/**
 * tests/support/redraw_app.py: a full-screen window that repaints itself every 15 ms for `durationMs`
 * after each click, in colours it never shows at rest, then paints itself green.
 */
export class RedrawApp {
  private output = '';
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
  }

  static async start(display: string, durationMs = 300): Promise<RedrawApp> {
    const child = spawn('/usr/bin/python3', [script, String(durationMs)], {
      env: { ...process.env, DISPLAY: display },
    });
    const app = new RedrawApp(child);
    await app.next('ready', 10_000);
    return app;
  }

  /** Waits for the app's next line of this type ("clicked": an animation began; "final": it ended). */
  async next(type: 'ready' | 'clicked' | 'final', timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.output.split('\n');
      const index = lines.findIndex((line) => line.includes(`"type": "${type}"`));
      if (index >= 0) {
        this.output = lines.slice(index + 1).join('\n');
        return;
      }
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`redraw_app: no "${type}" within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

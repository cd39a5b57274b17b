import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** A button event as xev printed it: the raw X button number, so wheel buttons 4-7 stay distinct. */
export interface XevButton {
  type: 'press' | 'release';
  button: number;
  x: number;
  y: number;
  state: number;
}

/**
 * xev (x11-utils), an independent X client that prints every event it receives, in a window covering
 * the screen on top of whatever is there.
 */
export class Xev {
  private output = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
  }

  static async start(display: string, width: number, height: number): Promise<Xev> {
    const child = spawn(
      'xev',
      ['-geometry', `${width}x${height}+0+0`, '-event', 'button', '-event', 'structure'],
      {
        env: { ...process.env, DISPLAY: display },
      },
    );
    const xev = new Xev(child);
    const deadline = Date.now() + 5000;
    while (!xev.output.includes('MapNotify')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error('xev did not map its window within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return xev;
  }

  /** Button events so far, waiting until at least `count` have arrived (or the timeout). */
  async buttons(count: number, timeoutMs = 3000): Promise<XevButton[]> {
    const deadline = Date.now() + timeoutMs;
    let found = this.parse();
    while (found.length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      found = this.parse();
    }
    return found;
  }

  reset(): void {
    this.output = '';
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private parse(): XevButton[] {
    const pattern =
      /Button(Press|Release) event[^\n]*\n[^\n]*root:\((-?\d+),(-?\d+)\)[^\n]*\n\s*state 0x([0-9a-f]+), button (\d+)/g;
    return [...this.output.matchAll(pattern)].map((m) => ({
      type: m[1] === 'Press' ? 'press' : 'release',
      x: Number(m[2]),
      y: Number(m[3]),
      state: Number.parseInt(m[4] ?? '0', 16),
      button: Number(m[5]),
    }));
  }
}

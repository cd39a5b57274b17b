import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./replay_app.py', import.meta.url));

export interface ReplayAppState {
  customer: string;
  amount: string;
  submitted: { customer: string; amount: string }[];
  dialog: boolean;
}

/** tests/support/replay_app.py on a display: the invoice form the replay tests record and replay. */
export class ReplayApp {
  private output = '';
  private stderr = '';
  pixels: Record<string, [number, number]> = {};

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(
    display: string,
    options: { offset?: [number, number]; dialog?: boolean; wrong?: boolean } = {},
  ): Promise<ReplayApp> {
    const args = [script];
    if (options.offset) args.push('--offset', options.offset.join(','));
    if (options.dialog) args.push('--dialog');
    if (options.wrong) args.push('--wrong');
    const child = spawn('/usr/bin/python3', args, {
      env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
    const app = new ReplayApp(child);
    const ready = (await app.line('ready', 10_000)) as { pixels: Record<string, [number, number]> };
    app.pixels = ready.pixels;
    return app;
  }

  async state(): Promise<ReplayAppState> {
    this.child.stdin.write('state\n');
    return (await this.line('state', 10_000)) as ReplayAppState;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('quit\n');
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
    await exited;
  }

  private async line(type: string, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.output.split('\n');
      const index = lines.findIndex((l) => l.includes(`"type": "${type}"`));
      if (index >= 0) {
        this.output = [...lines.slice(0, index), ...lines.slice(index + 1)].join('\n');
        return JSON.parse(lines[index] as string);
      }
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(
          `replay_app: no "${type}" within ${timeoutMs} ms; stderr: ${this.stderr.slice(-500)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
